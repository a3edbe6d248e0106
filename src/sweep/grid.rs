//! The grid of a sweep: axes (a key path and its values) from `[sweep]` and `--set`, their
//! cartesian product, and each grid point applied to the scenario's TOML document.
//!
//! A point is applied to the document *before* validation, so every point is checked
//! exactly like a hand-written file. This module knows key paths and TOML values, not
//! what they mean.

use toml::{Table, Value};

use crate::error::{GeoError, Result};
use crate::scenario::keys::{KeyError, KeyPath};
use crate::scenario::units;

/// A limit on the grid, so a typo such as an extra axis cannot start a month of work.
pub const MAX_POINTS: usize = 100_000;

/// One swept key and its values, in the order they were given.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub path: KeyPath,
    pub values: Vec<Value>,
}

impl Axis {
    /// The key path as written in column headers and shard files (`outage[0].start`).
    pub fn key(&self) -> String {
        self.path.to_string()
    }

    /// `values`, with a lone value of a list-valued key made a one-element list, so
    /// `replication.secondaries = ["eastus", "westus2"]` sweeps over two single secondaries.
    fn new(path: KeyPath, values: Vec<Value>) -> Axis {
        let values = if path.is_list() {
            values
                .into_iter()
                .map(|v| match v {
                    Value::Array(_) => v,
                    other => Value::Array(vec![other]),
                })
                .collect()
        } else {
            values
        };
        Axis { path, values }
    }

    /// The values as numbers for a chart's x axis, with the unit of the axis title:
    /// plain numbers, or durations in seconds. `None` if any value is neither.
    pub fn numeric(&self) -> Option<(Vec<f64>, &'static str)> {
        let plain: Option<Vec<f64>> = self
            .values
            .iter()
            .map(|v| match v {
                Value::Integer(i) => Some(*i as f64),
                Value::Float(f) if f.is_finite() => Some(*f),
                _ => None,
            })
            .collect();
        if let Some(xs) = plain {
            return Some((xs, ""));
        }
        let seconds: Option<Vec<f64>> = self
            .values
            .iter()
            .map(|v| {
                let ns = units::parse_duration(v.as_str()?).ok()?;
                Some(crate::time::secs(ns))
            })
            .collect();
        seconds.map(|xs| (xs, "s"))
    }
}

/// A value as a CSV cell and a label: text unquoted, list elements joined by `+` (the
/// way `--set` writes them), numbers as TOML reads them.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Array(items) => items.iter().map(display).collect::<Vec<_>>().join("+"),
        other => other.to_string(),
    }
}

fn key_error(key: &str, e: KeyError) -> GeoError {
    let err = GeoError::invalid(e.message).with_key(key.to_string());
    match e.help {
        Some(help) => err.with_help(help),
        None => err,
    }
}

/// One `--set KEY=V1,V2,...` argument.
///
/// Values are separated by `,` (or `|`, which reads better between lists); within a
/// value of a list-valued key, `+` joins the elements (`eastus+westus2`). A value that
/// is a TOML literal (`500`, `0.5`, `true`, `"text"`) keeps its type; anything else
/// (`5m`, `eastus`, `100Mbit/s`) is a string.
pub fn parse_set(arg: &str) -> Result<Axis> {
    let usage = || {
        GeoError::invalid(format!("--set {arg}: expected KEY=VALUE1,VALUE2,..."))
            .with_key("--set")
            .with_help("for example --set workload.rate=500,1000,2000")
    };
    let (key, list) = arg.split_once('=').ok_or_else(usage)?;
    let key = key.trim();
    let path = KeyPath::parse(key).map_err(|e| key_error(&format!("--set {key}"), e))?;
    let mut values = Vec::new();
    for text in list.split([',', '|']) {
        let text = text.trim();
        if text.is_empty() {
            return Err(usage().with_help(format!(
                "{key} has an empty value: separate values by single commas, as in {key}=a,b"
            )));
        }
        let value = if path.is_list() {
            Value::Array(text.split('+').map(|t| literal(t.trim())).collect())
        } else {
            literal(text)
        };
        values.push(value);
    }
    Ok(Axis::new(path, values))
}

/// `text` as a TOML value if it is a TOML literal, else as a string.
fn literal(text: &str) -> Value {
    match format!("v = {text}").parse::<Table>() {
        Ok(mut t) => match t.remove("v") {
            Some(
                v @ (Value::Integer(_) | Value::Float(_) | Value::Boolean(_) | Value::String(_)),
            ) => v,
            _ => Value::String(text.to_string()),
        },
        Err(_) => Value::String(text.to_string()),
    }
}

/// The axes of a `[sweep]` table, already checked by validation, in file order.
pub fn file_axes(entries: &[(String, Value)]) -> Result<Vec<Axis>> {
    entries
        .iter()
        .map(|(key, values)| {
            let path = KeyPath::parse(key).map_err(|e| key_error(key, e))?;
            let values = match values {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            Ok(Axis::new(path, values))
        })
        .collect()
}

/// The file's axes with `--set` applied: a key given on both replaces the file's values
/// in place; new keys follow in command-line order.
pub fn combine(mut axes: Vec<Axis>, sets: Vec<Axis>) -> Result<Vec<Axis>> {
    for (i, set) in sets.iter().enumerate() {
        if sets[..i].iter().any(|s| s.path == set.path) {
            return Err(
                GeoError::invalid(format!("--set {} is given twice", set.key()))
                    .with_key("--set")
                    .with_help("list all its values in one --set, separated by commas"),
            );
        }
    }
    for set in sets {
        match axes.iter_mut().find(|a| a.path == set.path) {
            Some(axis) => *axis = set,
            None => axes.push(set),
        }
    }
    if axes.is_empty() {
        return Err(GeoError::invalid("nothing to sweep")
            .with_help("add --set KEY=V1,V2,... or a [sweep] table to the scenario"));
    }
    Ok(axes)
}

/// The cartesian product of the axes: point k is read with the last axis varying
/// fastest, like nested loops in axis order.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
}

impl Grid {
    pub fn new(axes: Vec<Axis>) -> Result<Grid> {
        let mut points: usize = 1;
        for axis in &axes {
            points = points.saturating_mul(axis.values.len());
        }
        if points > MAX_POINTS {
            return Err(GeoError::invalid(format!(
                "the sweep has {points} grid points, more than the limit of {MAX_POINTS}"
            ))
            .with_help("sweep fewer values, or split the study into several sweeps"));
        }
        Ok(Grid { axes })
    }

    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index into each axis's values of point `k`.
    pub fn coordinates(&self, mut k: usize) -> Vec<usize> {
        let mut out = vec![0; self.axes.len()];
        for (i, axis) in self.axes.iter().enumerate().rev() {
            out[i] = k % axis.values.len();
            k /= axis.values.len();
        }
        out
    }

    /// The values of point `k`, one per axis.
    pub fn point(&self, k: usize) -> Vec<&Value> {
        let coords = self.coordinates(k);
        self.axes
            .iter()
            .zip(coords)
            .map(|(a, c)| &a.values[c])
            .collect()
    }

    /// `workload.rate=500, replication.max_lag=5m`: point `k` for labels and errors.
    pub fn label(&self, k: usize) -> String {
        let parts: Vec<String> = self
            .axes
            .iter()
            .zip(self.point(k))
            .map(|(a, v)| format!("{}={}", a.key(), display(v)))
            .collect();
        parts.join(", ")
    }

    /// The scenario document with point `k`'s values set.
    pub fn apply(&self, doc: &Table, k: usize) -> Result<Table> {
        let mut doc = doc.clone();
        for (axis, value) in self.axes.iter().zip(self.point(k)) {
            set(&mut doc, &axis.path, value.clone())?;
        }
        Ok(doc)
    }
}

/// Sets `path` in `doc`, creating tables on the way; an array element must exist.
fn set(doc: &mut Table, path: &KeyPath, value: Value) -> Result<()> {
    let key = path.to_string();
    let (last, parents) = path
        .segments
        .split_last()
        .ok_or_else(|| GeoError::invalid("an empty key path").with_key(key.clone()))?;
    let mut table = doc;
    let mut walked = String::new();
    for seg in parents {
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(&seg.name);
        let entry = table
            .entry(seg.name.clone())
            .or_insert_with(|| match seg.index {
                Some(_) => Value::Array(Vec::new()),
                None => Value::Table(Table::new()),
            });
        let next = match (seg.index, entry) {
            (None, Value::Table(t)) => Some(t),
            (Some(i), Value::Array(items)) => {
                let len = items.len();
                match items.get_mut(i) {
                    Some(Value::Table(t)) => Some(t),
                    _ => return Err(missing_element(&key, &walked, i, len)),
                }
            }
            _ => None,
        };
        table = next.ok_or_else(|| {
            GeoError::invalid(format!("{walked} in the scenario is not a table"))
                .with_key(key.clone())
        })?;
    }
    table.insert(last.name.clone(), value);
    Ok(())
}

fn missing_element(key: &str, array: &str, index: usize, len: usize) -> GeoError {
    let have = match len {
        0 => format!("the scenario has no [[{array}]]"),
        1 => format!("the scenario has one [[{array}]], {array}[0]"),
        n => format!(
            "the scenario has {n} [[{array}]] tables, {array}[0] to {array}[{}]",
            n - 1
        ),
    };
    GeoError::invalid(format!("{array}[{index}] does not exist: {have}"))
        .with_key(key.to_string())
        .with_help("indices count from 0 in file order")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(sets: &[&str]) -> Grid {
        let axes = sets.iter().map(|s| parse_set(s).unwrap()).collect();
        Grid::new(combine(Vec::new(), axes).unwrap()).unwrap()
    }

    #[test]
    fn values_keep_their_types() {
        let a = parse_set("workload.rate=500, 1.5 ,2e3").unwrap();
        assert_eq!(
            a.values,
            [Value::Integer(500), Value::Float(1.5), Value::Float(2000.0)]
        );
        let a = parse_set("replication.max_lag=1m,5m").unwrap();
        assert_eq!(
            a.values,
            [Value::String("1m".into()), Value::String("5m".into())]
        );
        assert_eq!(a.numeric(), Some((vec![60.0, 300.0], "s")));
        let a = parse_set("simulation.name=\"2024\",x").unwrap();
        assert_eq!(
            a.values,
            [Value::String("2024".into()), Value::String("x".into())]
        );
        assert_eq!(a.numeric(), None);
    }

    #[test]
    fn list_keys_take_lists() {
        let a = parse_set("replication.secondaries=eastus|northeurope+westus2").unwrap();
        let list =
            |xs: &[&str]| Value::Array(xs.iter().map(|x| Value::String(x.to_string())).collect());
        assert_eq!(
            a.values,
            [list(&["eastus"]), list(&["northeurope", "westus2"])]
        );
        assert_eq!(display(&a.values[1]), "northeurope+westus2");
        // In a [sweep] table a bare name is a one-element list too.
        let from_file = file_axes(&[(
            "replication.secondaries".into(),
            Value::Array(vec![Value::String("eastus".into()), list(&["a", "b"])]),
        )])
        .unwrap();
        assert_eq!(from_file[0].values, [list(&["eastus"]), list(&["a", "b"])]);
    }

    #[test]
    fn expansion_is_row_major() {
        let g = grid(&["workload.rate=1,2,3", "replication.max_lag=1m,5m"]);
        assert_eq!(g.len(), 6);
        let labels: Vec<String> = (0..g.len()).map(|k| g.label(k)).collect();
        assert_eq!(
            labels,
            [
                "workload.rate=1, replication.max_lag=1m",
                "workload.rate=1, replication.max_lag=5m",
                "workload.rate=2, replication.max_lag=1m",
                "workload.rate=2, replication.max_lag=5m",
                "workload.rate=3, replication.max_lag=1m",
                "workload.rate=3, replication.max_lag=5m",
            ]
        );
    }

    #[test]
    fn command_line_overrides_the_file_in_place() {
        let file = file_axes(&[
            (
                "workload.rate".into(),
                Value::Array(vec![Value::Integer(1)]),
            ),
            (
                "simulation.duration".into(),
                Value::Array(vec![Value::String("1m".into())]),
            ),
        ])
        .unwrap();
        let sets = vec![
            parse_set("policy.auto_promote.after=5m").unwrap(),
            parse_set("workload.rate=7,8").unwrap(),
        ];
        let axes = combine(file, sets).unwrap();
        let keys: Vec<String> = axes.iter().map(Axis::key).collect();
        assert_eq!(
            keys,
            [
                "workload.rate",
                "simulation.duration",
                "policy.auto_promote.after"
            ]
        );
        assert_eq!(axes[0].values, [Value::Integer(7), Value::Integer(8)]);
    }

    #[test]
    fn bad_arguments() {
        let msg = |s: &str| parse_set(s).unwrap_err().to_string();
        assert!(msg("workload.rate").contains("expected KEY=VALUE1,VALUE2"));
        assert!(msg("workload.rate=1,,2").contains("empty value"));
        let e = msg("workload.rat=1");
        assert!(e.contains("[workload] has no key \"rat\""), "{e}");
        assert!(e.contains("client_region, rate, size"), "{e}");
        let twice = vec![
            parse_set("workload.rate=1").unwrap(),
            parse_set("workload.rate=2").unwrap(),
        ];
        assert!(combine(Vec::new(), twice)
            .unwrap_err()
            .to_string()
            .contains("given twice"));
        assert!(combine(Vec::new(), Vec::new())
            .unwrap_err()
            .to_string()
            .contains("nothing to sweep"));
        let huge: Vec<Axis> = (0..6)
            .map(|_| parse_set("workload.rate=1,2,3,4,5,6,7,8,9,10").unwrap())
            .collect();
        assert!(Grid::new(huge)
            .unwrap_err()
            .to_string()
            .contains("more than the limit"));
    }

    #[test]
    fn apply_sets_keys_and_creates_tables() {
        let doc: Table = "[workload]\nrate = 1\n[[outage]]\nstart = \"1m\"\n"
            .parse()
            .unwrap();
        let g = grid(&[
            "workload.rate=9",
            "policy.auto_promote.after=5m",
            "outage[0].start=2m",
        ]);
        let out = g.apply(&doc, 0).unwrap();
        assert_eq!(out["workload"]["rate"], Value::Integer(9));
        assert_eq!(
            out["policy"]["auto_promote"]["after"],
            Value::String("5m".into())
        );
        assert_eq!(out["outage"][0]["start"], Value::String("2m".into()));
        let e = grid(&["outage[2].start=1m"])
            .apply(&doc, 0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("outage[2] does not exist: the scenario has one [[outage]], outage[0]"),
            "{e}"
        );
    }
}
