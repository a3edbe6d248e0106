//! The key table (`src/scenario/key_table.rs`) against what it documents: the generated
//! reference and schema are the checked-in files, each section's example is a valid
//! scenario, and the documented defaults and ranges are what validation does. (The schema
//! against a real validator: `tests/schema.rs`.)
//!
//! After changing the key table, regenerate the two files:
//!
//! ```sh
//! GEOSIM_BLESS=1 cargo test --test it reference
//! ```

use std::path::Path;

use geosim::scenario::key_table::{find, section_of, Absent, KeyDoc, Kind, KEYS};
use geosim::scenario::{self, reference};
use geosim::schema;
use geosim::sweep::grid::{parse_set, Grid};
use toml::{Table, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A checked-in generated file equals `generated`; with GEOSIM_BLESS=1 it is rewritten.
fn generated_file(rel: &str, generated: &str) {
    let path = root().join(rel);
    if std::env::var_os("GEOSIM_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated {
        let line = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()))
            + 1;
        panic!(
            "{rel} is not what src/scenario/key_table.rs generates (first difference at line {line}).\n\
             Edit the key table, not {rel}, then regenerate it: GEOSIM_BLESS=1 cargo test --test it reference"
        );
    }
}

#[test]
fn reference_is_generated_from_the_key_table() {
    generated_file(reference::REFERENCE_FILE, &reference::markdown());
}

#[test]
fn schema_file_is_what_geosim_schema_prints() {
    generated_file(schema::SCHEMA_FILE, &schema::schema_text());
}

const BASE: &str = include_str!("../minimal-scenario.toml");

/// The minimal scenario with `section`'s example in place of its table.
fn with_example(section: &KeyDoc) -> Table {
    let mut doc: Table = BASE.parse().unwrap();
    let example: Table = section
        .example
        .parse()
        .unwrap_or_else(|e| panic!("the example of [{}] is not TOML: {e}", section.path));
    for (k, v) in example {
        doc.insert(k, v);
    }
    doc
}

fn validate(doc: &Table) -> Result<geosim::model::Model, String> {
    let text = toml::to_string(doc).unwrap();
    scenario::parse(&text, "test.toml", "test").map_err(|e| e.to_string())
}

/// `row.path` with the index of the first element of each array that has the key in the
/// section's example (`outage[1].factor`), and the same walk's table, for editing.
fn indexed_path(doc: &Table, row: &KeyDoc) -> String {
    fn walk(v: &Value, names: &[&str], out: &mut Vec<String>) -> bool {
        let Some((head, rest)) = names.split_first() else {
            return true;
        };
        let Value::Table(t) = v else { return false };
        let Some(child) = t.get(*head) else {
            return false;
        };
        match child {
            Value::Array(items) if items.iter().all(Value::is_table) => {
                for (i, item) in items.iter().enumerate() {
                    let mut sub = Vec::new();
                    if walk(item, rest, &mut sub) {
                        out.push(format!("{head}[{i}]"));
                        out.extend(sub);
                        return true;
                    }
                }
                false
            }
            other => {
                let mut sub = Vec::new();
                if walk(other, rest, &mut sub) {
                    out.push(head.to_string());
                    out.extend(sub);
                    true
                } else {
                    false
                }
            }
        }
    }
    let names: Vec<&str> = row.path.split('.').collect();
    let mut out = Vec::new();
    assert!(
        walk(&Value::Table(doc.clone()), &names, &mut out),
        "`{}` is not in the example of its section",
        row.path
    );
    out.join(".")
}

/// The minimal scenario with the example of `row`'s section, and `row` in it. A key with
/// its own example (`replication.snapshot_interval`) needs a snapshot variant: the
/// [[variant]] section's example has one.
fn example_doc(row: &KeyDoc) -> Table {
    let doc = with_example(find(section_of(row.path)).unwrap());
    if row.example.is_empty() || !row.path.contains('.') {
        return doc;
    }
    let mut doc = doc;
    for (k, v) in with_example(find("variant").unwrap()) {
        doc.entry(k).or_insert(v);
    }
    set(&doc, row.path, row.example)
}

fn set(doc: &Table, path: &str, value: &str) -> Table {
    let axis = parse_set(&format!("{path}={value}")).unwrap_or_else(|e| panic!("{path}: {e}"));
    Grid::new(vec![axis]).unwrap().apply(doc, 0).unwrap()
}

fn remove(doc: &Table, path: &str) -> Table {
    let mut doc = doc.clone();
    let mut table = &mut doc;
    let parts: Vec<&str> = path.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
            None => (*part, None),
        };
        let v = table.get_mut(name).unwrap();
        table = match (v, index) {
            (Value::Array(items), Some(i)) => items[i].as_table_mut().unwrap(),
            (Value::Table(t), None) => t,
            _ => panic!("{path}"),
        };
    }
    table.remove(*parts.last().unwrap());
    doc
}

#[test]
fn every_section_example_is_a_valid_scenario() {
    for section in KEYS.iter().filter(|k| !k.path.contains('.')) {
        validate(&with_example(section))
            .unwrap_or_else(|e| panic!("the example of [{}] is refused: {e}", section.path));
    }
}

#[test]
fn documented_defaults_are_what_validation_uses() {
    let mut checked = 0;
    for row in KEYS {
        let Absent::Value(default) = row.absent else {
            continue;
        };
        let doc = example_doc(row);
        let path = indexed_path(&doc, row);
        let without =
            validate(&remove(&doc, &path)).unwrap_or_else(|e| panic!("{path} left out: {e}"));
        let with = validate(&set(&doc, &path, default))
            .unwrap_or_else(|e| panic!("{path} = {default}: {e}"));
        assert_eq!(
            format!("{without:?}"),
            format!("{with:?}"),
            "leaving {path} out is not the same as {path} = {default}: fix its default in src/scenario/key_table.rs"
        );
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
}

#[test]
fn documented_ranges_are_enforced() {
    let mut checked = 0;
    for row in KEYS {
        let doc = example_doc(row);
        let (inside, outside): (Vec<String>, Vec<String>) = match row.kind {
            Kind::Integer { min, max } => {
                let mut outside = vec![(min - 1).to_string()];
                let mut inside = vec![min.to_string()];
                if max != i64::MAX {
                    outside.push((max + 1).to_string());
                    inside.push(max.to_string());
                }
                (inside, outside)
            }
            Kind::Number { min, exclusive } => {
                let mut outside = vec![format!("{:?}", min - 1.0), "nan".into(), "inf".into()];
                let mut inside = vec![format!("{:?}", min + 0.5)];
                if exclusive {
                    outside.push(format!("{min:?}"));
                } else {
                    inside.push(format!("{min:?}"));
                }
                (inside, outside)
            }
            Kind::Share => (
                vec!["0.0".into(), "1.0".into(), "0.5".into()],
                vec!["-0.5".into(), "1.5".into(), "nan".into()],
            ),
            // Inside: the example itself (validated above); other values meet other
            // keys' limits (warmup < duration).
            Kind::PositiveDuration => (Vec::new(), vec!["\"0s\"".into()]),
            // Inside: the example; an option may need other keys (slow needs factor).
            Kind::Choice(_) => (Vec::new(), vec!["\"bogus\"".into()]),
            _ => continue,
        };
        let path = indexed_path(&doc, row);
        for v in &outside {
            let e = validate(&set(&doc, &path, v)).err().unwrap_or_else(|| {
                panic!("{path} = {v} is outside the documented range but accepted")
            });
            assert!(
                e.contains(&path),
                "the error for {path} = {v} does not name the key: {e}"
            );
        }
        for v in &inside {
            validate(&set(&doc, &path, v)).unwrap_or_else(|e| {
                panic!("{path} = {v} is in the documented range but refused: {e}")
            });
        }
        checked += 1;
    }
    assert!(checked >= 25, "{checked}");
}
