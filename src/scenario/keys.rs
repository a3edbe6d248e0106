//! Scenario key paths (`workload.rate`, `outage[0].start`, `policy.auto_promote.after`):
//! which ones exist, read from the `raw` structs themselves, so a key added to `raw`
//! becomes addressable here without touching this file.
//!
//! Used by parameter sweeps (`[sweep]` and `--set`), which set a key in the TOML document
//! before validation. This module says whether a path names a settable value; it does not
//! know what the value means (validation does).

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use super::context::Ctx;
use super::raw::{
    RawAction, RawAutoPromote, RawCost, RawFailback, RawFailure, RawLink, RawObjectives, RawOutage,
    RawPhase, RawPolicy, RawPromotion, RawReads, RawRegion, RawReplication, RawScenario,
    RawSimulation, RawSweep, RawVariant, RawVariantReads, RawWorkload,
};
use super::suggest;
use crate::error::GeoError;

/// The name of the top-level table that declares sweeps; it cannot sweep itself.
pub const SWEEP_TABLE: &str = "sweep";

/// Keys whose value is a list of names: a swept value for one of these is a whole list.
const LIST_KEYS: [&str; 2] = ["replication.secondaries", "link.between"];

/// What a name in a path refers to, by the path of names without indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Table(&'static [&'static str]),
    /// An array of tables (`[[outage]]`): its elements have these keys.
    Array(&'static [&'static str]),
    Value,
}

/// The keys serde's derive declares for `T` (a struct with `deny_unknown_fields`).
///
/// Derived `Deserialize` impls hand their field list to `deserialize_struct`; this
/// deserializer records the list and stops, so the list can never drift from `raw`.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names = None;
    let _ = T::deserialize(FieldNames(&mut names));
    names.unwrap_or(&[])
}

struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Stop {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = Some(fields);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The shape of the table or value at `names` (names joined by `.`, no indices).
fn shape(names: &str) -> Shape {
    match names {
        "" => Shape::Table(field_names::<RawScenario>()),
        "simulation" => Shape::Table(field_names::<RawSimulation>()),
        "region" => Shape::Array(field_names::<RawRegion>()),
        "link" => Shape::Array(field_names::<RawLink>()),
        "workload" => Shape::Table(field_names::<RawWorkload>()),
        "workload.phase" => Shape::Array(field_names::<RawPhase>()),
        "replication" => Shape::Table(field_names::<RawReplication>()),
        "outage" => Shape::Array(field_names::<RawOutage>()),
        "failure" => Shape::Array(field_names::<RawFailure>()),
        "action" => Shape::Array(field_names::<RawAction>()),
        "policy" => Shape::Table(field_names::<RawPolicy>()),
        "policy.auto_promote" => Shape::Table(field_names::<RawAutoPromote>()),
        "policy.failback" => Shape::Table(field_names::<RawFailback>()),
        "promotion" => Shape::Table(field_names::<RawPromotion>()),
        "variant" => Shape::Array(field_names::<RawVariant>()),
        "variant.reads" => Shape::Table(field_names::<RawVariantReads>()),
        "reads" => Shape::Table(field_names::<RawReads>()),
        "cost" => Shape::Table(field_names::<RawCost>()),
        "objectives" | "variant.objectives" => Shape::Table(field_names::<RawObjectives>()),
        _ => Shape::Value,
    }
}

/// What a key path without indices names, for the key table (`key_table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A table: `[simulation]`, or an inline table such as `policy.auto_promote`.
    Table,
    /// An array of tables: `[[outage]]`.
    Array,
    /// A value (which may itself be a distribution table, or `[sweep]`'s free-form table).
    Value,
}

/// Every key path a scenario can contain (names without indices, `workload.phase.at`),
/// tables before their keys, in the raw structs' declaration order. Read from `raw`, so a
/// key added there appears here, and the key table's test asks for its row.
pub fn tree() -> Vec<(String, Node)> {
    fn walk(prefix: &str, out: &mut Vec<(String, Node)>) {
        let keys = match shape(prefix) {
            Shape::Table(keys) | Shape::Array(keys) => keys,
            Shape::Value => return,
        };
        for key in keys {
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            let node = match shape(&path) {
                Shape::Table(_) => Node::Table,
                Shape::Array(_) => Node::Array,
                Shape::Value => Node::Value,
            };
            out.push((path.clone(), node));
            walk(&path, out);
        }
    }
    let mut out = Vec::new();
    walk("", &mut out);
    out
}

/// One step of a key path: a key, and an index when the key is an array of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    pub index: Option<usize>,
}

/// A key path that names a settable value of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    pub segments: Vec<Segment>,
}

impl KeyPath {
    /// Parses and checks `text`; the error says what is wrong and lists the valid keys
    /// at the level where the path went wrong.
    pub fn parse(text: &str) -> Result<KeyPath, KeyError> {
        let mut segments = Vec::new();
        let mut names = String::new();
        let parts: Vec<&str> = text.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let segment = segment(part).ok_or_else(|| KeyError {
                message: format!("\"{part}\" is not a key: keys are written like workload.rate or outage[0].start"),
                help: None,
            })?;
            let keys = match shape(&names) {
                Shape::Table(keys) => keys,
                Shape::Array(keys) => keys,
                Shape::Value => {
                    return Err(KeyError {
                        message: format!(
                            "{names} is a value, not a table: it has no key \"{}\"",
                            segment.name
                        ),
                        help: Some(format!("sweep {names} itself")),
                    })
                }
            };
            let keys: Vec<&str> = keys
                .iter()
                .copied()
                .filter(|k| !names.is_empty() || *k != SWEEP_TABLE)
                .collect();
            if !keys.contains(&segment.name.as_str()) {
                return Err(unknown(&names, &segment.name, &keys));
            }
            if !names.is_empty() {
                names.push('.');
            }
            names.push_str(&segment.name);
            let last = i + 1 == parts.len();
            // What the user should have written, for the help of a missing index.
            let mut fixed: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            fixed[i] = format!("{}[0]", segment.name);
            check_segment(&names, &segment, last, &fixed.join("."))?;
            segments.push(segment);
        }
        Ok(KeyPath { segments })
    }

    /// The path of names without indices (`outage.start`), which decides the key's kind.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }

    /// Whether the value is a list of names, so a swept value of it is a whole list.
    pub fn is_list(&self) -> bool {
        LIST_KEYS.contains(&self.names().as_str())
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&s.name)?;
            if let Some(index) = s.index {
                write!(f, "[{index}]")?;
            }
        }
        Ok(())
    }
}

/// Why a key path is not a settable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub message: String,
    pub help: Option<String>,
}

/// `name` or `name[index]`.
fn segment(part: &str) -> Option<Segment> {
    let valid_name =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match part.split_once('[') {
        None => valid_name(part).then(|| Segment {
            name: part.to_string(),
            index: None,
        }),
        Some((name, rest)) => {
            let index = rest.strip_suffix(']')?.parse().ok()?;
            valid_name(name).then(|| Segment {
                name: name.to_string(),
                index: Some(index),
            })
        }
    }
}

fn unknown(table: &str, name: &str, keys: &[&str]) -> KeyError {
    let level = if table.is_empty() {
        "a scenario has no table".to_string()
    } else {
        format!("[{table}] has no key")
    };
    let listed = if table.is_empty() {
        format!("the tables are: {}", keys.join(", "))
    } else {
        format!("the keys of [{table}] are: {}", keys.join(", "))
    };
    let help = match suggest::closest(name, keys.iter().copied()) {
        Some(close) => format!("did you mean \"{close}\"? {listed}"),
        None => listed,
    };
    KeyError {
        message: format!("{level} \"{name}\""),
        help: Some(help),
    }
}

/// Arrays of tables need an index, tables take none, and a path must end at a value.
fn check_segment(
    names: &str,
    segment: &Segment,
    last: bool,
    indexed: &str,
) -> Result<(), KeyError> {
    let name = &segment.name;
    match (shape(names), segment.index) {
        (Shape::Array(keys), None) => Err(KeyError {
            message: format!("{names} is an array of tables ([[{names}]]): say which one"),
            help: Some(if last {
                format!(
                    "write {indexed}.{} for a key of the first one (indices count from 0)",
                    keys.first().copied().unwrap_or("key")
                )
            } else {
                format!("write {indexed} for the first one (indices count from 0)")
            }),
        }),
        (Shape::Table(_) | Shape::Value, Some(i)) => Err(KeyError {
            message: format!("{names} is not an array of tables, so it takes no index [{i}]"),
            help: Some(format!("write {name} without [{i}]")),
        }),
        (Shape::Table(keys) | Shape::Array(keys), _) if last => Err(KeyError {
            message: format!("{names} is a table, not a value"),
            help: Some(format!("sweep one of its keys: {}", keys.join(", "))),
        }),
        _ => Ok(()),
    }
}

/// Checks a `[sweep]` table: every key a settable key path, every value a non-empty list.
pub(super) fn check_sweep(
    ctx: &Ctx,
    sweep: Option<&toml::Spanned<RawSweep>>,
) -> Result<(), GeoError> {
    let Some(sweep) = sweep else {
        return Ok(());
    };
    for (key, values) in &sweep.get_ref().0 {
        let at = format!("{SWEEP_TABLE}.\"{}\"", key.get_ref());
        if let Err(e) = KeyPath::parse(key.get_ref()) {
            let err = ctx.error(key.span(), &at, e.message);
            return Err(match e.help {
                Some(help) => err.with_help(help),
                None => err,
            });
        }
        if !matches!(values.get_ref(), toml::Value::Array(a) if !a.is_empty()) {
            return Err(ctx
                .error(
                    values.span(),
                    &at,
                    "a sweep takes a non-empty list of values",
                )
                .with_help(format!(
                    "write \"{}\" = [value1, value2, ...]",
                    key.get_ref()
                )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_follow_the_raw_structs() {
        assert_eq!(
            field_names::<RawPromotion>(),
            &["switch", "dns"],
            "the introspection reads serde's declared fields"
        );
        assert!(field_names::<RawWorkload>().contains(&"rate"));
    }

    #[test]
    fn every_top_level_table_has_a_shape() {
        // A new top-level table in `raw` must be added to `shape`, or its keys would be
        // unreachable by sweeps.
        for name in field_names::<RawScenario>() {
            if *name != SWEEP_TABLE {
                assert_ne!(shape(name), Shape::Value, "{name} has no shape");
            }
        }
    }

    #[test]
    fn valid_paths() {
        for text in [
            "workload.rate",
            "replication.max_lag",
            "replication.secondaries",
            "replication.sync_acks",
            "replication.preset",
            "variant[2].lag_quorum",
            "variant[0].max_lag_writes",
            "variant[1].semi_sync_timeout",
            "policy.auto_promote.after",
            "simulation.duration",
            "outage[0].start",
            "workload.phase[1].rate",
            "link[0].bandwidth",
            "reads.rate",
            "reads.at",
            "replication.snapshot_interval",
            "variant[1].reads.at",
            "variant[0].snapshot_interval",
            "objectives.rpo",
            "variant[1].objectives.latency_p99",
        ] {
            let path = KeyPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(path.to_string(), text);
        }
        assert!(KeyPath::parse("replication.secondaries").unwrap().is_list());
        assert!(KeyPath::parse("link[2].between").unwrap().is_list());
        assert!(!KeyPath::parse("workload.rate").unwrap().is_list());
    }

    #[test]
    fn unknown_key_names_the_valid_ones() {
        let e = KeyPath::parse("workload.rat").unwrap_err();
        assert_eq!(e.message, "[workload] has no key \"rat\"");
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean \"rate\"? the keys of [workload] are: client_region, rate, size, timeout, retries, backoff, phase")
        );
        let e = KeyPath::parse("workloads.rate").unwrap_err();
        assert_eq!(e.message, "a scenario has no table \"workloads\"");
        let help = e.help.unwrap();
        assert!(
            help.starts_with("did you mean \"workload\"? the tables are: simulation, region,"),
            "{help}"
        );
        assert!(!help.contains("sweep"), "{help}");
    }

    #[test]
    fn shape_errors() {
        let msg = |t: &str| KeyPath::parse(t).unwrap_err().message;
        assert_eq!(
            msg("outage.start"),
            "outage is an array of tables ([[outage]]): say which one"
        );
        let help = |t: &str| KeyPath::parse(t).unwrap_err().help.unwrap();
        assert!(help("workload.phase.at").starts_with("write workload.phase[0].at for"));
        assert!(help("outage").starts_with("write outage[0].target for a key of"));
        assert_eq!(
            msg("workload[1].rate"),
            "workload is not an array of tables, so it takes no index [1]"
        );
        assert_eq!(
            msg("policy.auto_promote"),
            "policy.auto_promote is a table, not a value"
        );
        assert_eq!(
            msg("workload.rate.x"),
            "workload.rate is a value, not a table: it has no key \"x\""
        );
        assert!(msg("workload..rate").contains("is not a key"));
        assert!(msg("outage[x].start").contains("is not a key"));
        assert_eq!(msg("sweep.x"), "a scenario has no table \"sweep\"");
    }
}
