//! `docs/scenario-reference.md`, generated from the key table (`key_table`): this module
//! owns the wording of the reference, not what it says about a key.

use std::fmt::Write;

use super::key_table::{section_of, Absent, KeyDoc, Kind, KEYS};

/// Where the reference lives in the repository (a test keeps it equal to [`markdown`]).
pub const REFERENCE_FILE: &str = "docs/scenario-reference.md";

const INTRO: &str = r#"# Scenario file reference

<!-- Generated from src/scenario/key_table.rs; edit that table, not this file, then run
     GEOSIM_BLESS=1 cargo test --test it reference   (a test fails while they differ) -->

A scenario is a TOML file. `geosim check FILE` validates it and prints the expanded plan;
`geosim schema` prints a JSON Schema of it, so an editor can complete and check keys (see
the README, "Editor support"). Unknown keys are errors: a typo is never silently ignored.
Every error names the file, line and column, the key path and a fix.

## Values

- **Durations** are strings with a unit: `"250us"`, `"2ms"`, `"1.5s"`, `"5m"`, `"2h"`, `"1d"`
  (units `ns`, `us`, `ms`, `s`, `m`, `h`, `d`).
- **Sizes**: `"512B"`, `"1KiB"`, `"4MiB"` (powers of 1024), `"1KB"`, `"1MB"` (powers of 1000).
- **Bandwidths**: `"100Mbit/s"` (10^6 bits/s), `"50MB/s"` (10^6 bytes/s), `"50MiB/s"`.
- **Latencies** (and sizes, and `mttr`) are a constant or a distribution table:

| distribution | parameters | example |
|---|---|---|
| constant | — | `"2ms"` |
| `uniform` | `min`, `max` | `{ dist = "uniform", min = "1ms", max = "3ms" }` |
| `normal` | `mean`, `stddev` (negative draws are redrawn) | `{ dist = "normal", mean = "80ms", stddev = "4ms" }` |
| `lognormal` | `median`, `p99` | `{ dist = "lognormal", median = "2ms", p99 = "9ms" }` |
| `exponential` | `mean` | `{ dist = "exponential", mean = "2ms" }` |
| `pareto` | `scale`, `shape` (a plain number, more than 1) | `{ dist = "pareto", scale = "1ms", shape = 2.5 }` |

## Key paths

`geosim run --set KEY=VALUE` and `geosim sweep --set KEY=V1,V2,...` (and `[sweep]`) name a
key by its path: `workload.rate`, `policy.auto_promote.after`, and for an array of tables
an index counting from 0 in file order: `outage[0].start`, `workload.phase[1].rate`.

## Variants

The `[[variant]]`s of a scenario run side by side on the same random draws. A variant
starts from the base keys and overrides some of them; the "variant" column below names
the variant key that overrides a base key. With no `[[variant]]` the variants are
`sync-planned`, `sync-forced`, `async-planned`, `async-forced`.
"#;

/// The whole reference, from the key table.
pub fn markdown() -> String {
    let mut out = String::from(INTRO);
    for section in KEYS.iter().filter(|k| !k.path.contains('.')) {
        write_section(&mut out, section);
    }
    out
}

fn write_section(out: &mut String, section: &KeyDoc) {
    let heading = match section.kind {
        Kind::Array => format!("[[{}]]", section.path),
        _ => format!("[{}]", section.path),
    };
    let _ = writeln!(out, "\n## `{heading}`\n");
    let _ = writeln!(out, "{}", section.doc);
    let presence = match section.absent {
        Absent::Required => "Required.".to_string(),
        Absent::Value(v) => format!("Optional; absent: `{v}`."),
        Absent::Means(m) => format!("Optional; absent: {m}."),
    };
    let _ = writeln!(out, "{presence}");
    if section.kind == Kind::Array {
        let _ = writeln!(
            out,
            "Repeat the table for more than one; `--set` names one as `{}[0]`.",
            section.path
        );
    }
    let rows: Vec<&KeyDoc> = KEYS
        .iter()
        .filter(|k| k.path != section.path && section_of(k.path) == section.path)
        .collect();
    if !rows.is_empty() {
        out.push_str("\n| key | type | default | allowed | variant | example |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for row in &rows {
            let name = &row.path[section.path.len() + 1..];
            let example =
                example_for(section, row).map_or_else(|| "—".to_string(), |e| format!("`{e}`"));
            let _ = writeln!(
                out,
                "| `{name}` | {} | {} | {} | {} | {example} |",
                cell(&type_text(row)),
                cell(&default_text(row)),
                cell(&allowed_text(row)),
                cell(&variant_text(row)),
            );
        }
        out.push('\n');
        for row in &rows {
            let name = &row.path[section.path.len() + 1..];
            let _ = write!(out, "- `{name}`: {}", row.doc);
            out.push('\n');
        }
    }
    if !section.example.is_empty() {
        let _ = writeln!(out, "\n```toml\n{}```", section.example);
    }
}

/// A table cell: `|` would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The type column: what to write, with a number's unit.
pub fn type_text(row: &KeyDoc) -> String {
    let base = kind_text(&row.kind);
    if row.unit.is_empty() {
        base
    } else {
        format!("{base} ({})", row.unit)
    }
}

fn kind_text(kind: &Kind) -> String {
    match kind {
        Kind::Table => "table".into(),
        Kind::Array => "array of tables".into(),
        Kind::Duration | Kind::PositiveDuration => "duration".into(),
        Kind::Latency => "latency: duration or distribution".into(),
        Kind::Size => "size or distribution of sizes".into(),
        Kind::Bandwidth => "bandwidth".into(),
        Kind::Integer { .. } => "integer".into(),
        Kind::Number { .. } => "number".into(),
        Kind::Share => "number (a fraction)".into(),
        Kind::Text { .. } => "text".into(),
        Kind::Choice(options) => {
            let quoted: Vec<String> = options.iter().map(|o| format!("`\"{o}\"`")).collect();
            match quoted.as_slice() {
                [one] => one.clone(),
                _ => format!("one of {}", quoted.join(", ")),
            }
        }
        Kind::Region => "region name".into(),
        Kind::Regions { exactly: Some(n) } => format!("list of {n} region names"),
        Kind::Regions { exactly: None } => "list of region names".into(),
        Kind::Target => "region, or link `\"a<->b\"`".into(),
        Kind::Bool => "boolean".into(),
        Kind::Sweep => "table: `\"key.path\" = [values]`".into(),
        Kind::AnyOf(kinds) => kinds
            .iter()
            .map(kind_text)
            .collect::<Vec<_>>()
            .join(", or "),
    }
}

/// The default column.
pub fn default_text(row: &KeyDoc) -> String {
    match row.absent {
        Absent::Required => "required".into(),
        Absent::Value(v) => format!("`{v}`"),
        Absent::Means(m) => m.to_string(),
    }
}

/// The allowed column: what the kind implies, then the row's own limits.
pub fn allowed_text(row: &KeyDoc) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(range) = range_text(&row.kind) {
        parts.push(range);
    }
    if !row.limits.is_empty() {
        parts.push(row.limits.to_string());
    }
    if parts.is_empty() {
        "any".into()
    } else {
        parts.join("; ")
    }
}

fn range_text(kind: &Kind) -> Option<String> {
    match kind {
        Kind::PositiveDuration => Some("more than 0".into()),
        Kind::Integer { min, max } if *max == i64::MAX => Some(format!("at least {min}")),
        Kind::Integer { min, max } => Some(format!("{min} to {max}")),
        Kind::Number {
            min,
            exclusive: true,
        } => Some(format!("more than {min}, finite")),
        Kind::Number { min, .. } => Some(format!("at least {min}, finite")),
        Kind::Share => Some("0 to 1".into()),
        Kind::Region => Some("a declared [[region]]".into()),
        Kind::Target => Some("declared regions".into()),
        // The integer's range of `3`, or `"all"`: the words are in the type already.
        Kind::AnyOf(kinds) => {
            let ranges: Vec<String> = kinds.iter().filter_map(range_text).collect();
            (!ranges.is_empty()).then(|| ranges.join("; "))
        }
        _ => None,
    }
}

/// The variant column: the variant key that overrides a base key, or what a variant key
/// overrides.
pub fn variant_text(row: &KeyDoc) -> String {
    if !row.overrides.is_empty() {
        let keys: Vec<String> = row.overrides.iter().map(|k| format!("`{k}`")).collect();
        return format!("overrides {}", keys.join(", "));
    }
    let by = row.overridden_by();
    if by.is_empty() {
        "no".into()
    } else {
        let keys: Vec<String> = by.iter().map(|k| format!("`{k}`")).collect();
        format!("yes: {}", keys.join(", "))
    }
}

/// The first value of key `name` (relative to the snippet's section, `phase.at`) in a
/// section's example, written inline.
/// A key's example: its value in its section's example, else the key's own.
fn example_for(section: &KeyDoc, row: &KeyDoc) -> Option<String> {
    let name = &row.path[section.path.len() + 1..];
    example_of(section.example, name)
        .or_else(|| (!row.example.is_empty()).then(|| row.example.to_string()))
}

pub fn example_of(snippet: &str, name: &str) -> Option<String> {
    let doc: toml::Table = snippet.parse().ok()?;
    // The snippet's one top-level key is the section itself.
    let (_, root) = doc.iter().next()?;
    first_value(root, &name.split('.').collect::<Vec<_>>()).map(|v| inline(&v))
}

fn first_value(value: &toml::Value, path: &[&str]) -> Option<toml::Value> {
    let Some((head, rest)) = path.split_first() else {
        return Some(value.clone());
    };
    match value {
        toml::Value::Array(items) => items.iter().find_map(|v| first_value(v, path)),
        toml::Value::Table(t) => first_value(t.get(*head)?, rest),
        _ => None,
    }
}

/// A TOML value on one line (inline tables for distributions).
pub fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        toml::Value::Table(t) => {
            let parts: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// The description of a key for the schema: its meaning, default and range in one line.
pub fn description(row: &KeyDoc) -> String {
    let mut text = row.doc.to_string();
    if !row.unit.is_empty() {
        let _ = write!(text, " Unit: {}.", row.unit);
    }
    let _ = write!(text, " Default: {}.", default_text(row).replace('`', ""));
    let allowed = allowed_text(row);
    if allowed != "any" && !row.is_section() {
        let _ = write!(text, " Allowed: {}.", allowed.replace('`', ""));
    }
    let by = row.overridden_by();
    if !by.is_empty() {
        let _ = write!(text, " A variant overrides it with {}.", by.join(", "));
    }
    let _ = write!(text, " See {REFERENCE_FILE}.");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::key_table::find;

    #[test]
    fn examples_come_from_the_section_snippets() {
        let region = find("region").unwrap();
        assert_eq!(
            example_of(region.example, "commit").as_deref(),
            Some(r#"{ dist = "lognormal", median = "2ms", p99 = "8ms" }"#)
        );
        let workload = find("workload").unwrap();
        assert_eq!(
            example_of(workload.example, "phase.at").as_deref(),
            Some(r#""30m""#)
        );
        let outage = find("outage").unwrap();
        assert_eq!(example_of(outage.example, "factor").as_deref(), Some("5"));
        assert_eq!(example_of(outage.example, "nothing"), None);
    }

    #[test]
    fn every_key_has_an_example() {
        for row in KEYS.iter().filter(|k| k.path.contains('.')) {
            let section = find(section_of(row.path)).unwrap();
            assert!(
                example_for(section, row).is_some(),
                "`{}` does not appear in the example of [{}] in src/scenario/key_table.rs: add it there",
                row.path,
                section.path
            );
        }
    }

    #[test]
    fn columns() {
        let rate = find("workload.rate").unwrap();
        assert_eq!(type_text(rate), "number (writes/s)");
        assert_eq!(default_text(rate), "required");
        assert_eq!(allowed_text(rate), "at least 0, finite");
        let mode = find("replication.mode").unwrap();
        assert_eq!(variant_text(mode), "yes: `variant.mode`");
        assert_eq!(default_text(mode), "`\"async\"`");
        let vm = find("variant.mode").unwrap();
        assert_eq!(variant_text(vm), "overrides `replication.mode`");
        let md = markdown();
        assert!(md.contains("\n## `[[outage]]`\n"), "{md}");
        assert!(md.contains(
            "| `rate` | number (writes/s) | required | at least 0, finite | no | `500` |"
        ));
    }
}
