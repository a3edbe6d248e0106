//! The scenario schema (`geosim schema`, `schema/scenario.schema.json`) checked by a real
//! JSON Schema validator, the `jsonschema` crate in draft-4 mode: it accepts every shipped
//! scenario, the README's example and every section example of the key table, and refuses
//! unknown keys, wrong types and values without units. Shipped scenarios open with the
//! `#:schema` directive that points editors at it.
//!
//! (A file of its own: serde_json's impls would make inference ambiguous in other tests.)

use std::path::{Path, PathBuf};

use geosim::scenario::key_table::KEYS;
use geosim::scenario::{self};
use geosim::schema;
use toml::Table;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const BASE: &str = include_str!("minimal-scenario.toml");

fn validate(text: &str) -> Result<geosim::model::Model, String> {
    scenario::parse(text, "test.toml", "test").map_err(|e| e.to_string())
}

/// The minimal scenario with a section's example in place of its table.
fn with_example(example: &str) -> String {
    let mut doc: Table = BASE.parse().unwrap();
    for (k, v) in example.parse::<Table>().unwrap() {
        doc.insert(k, v);
    }
    toml::to_string(&doc).unwrap()
}

/// Every scenario file under `dir`, recursively, in name order.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(toml_files(&p));
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    out
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&schema::schema_text()).expect("geosim schema prints JSON");
    jsonschema::draft4::new(&schema).expect("the schema is a valid draft-4 schema")
}

fn schema_errors(v: &jsonschema::Validator, toml_text: &str) -> Vec<String> {
    let doc: Table = toml_text.parse().unwrap();
    let json = serde_json::to_value(doc).unwrap();
    v.iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn schema_accepts_every_shipped_scenario_and_example() {
    let v = validator();
    let files = toml_files(&root().join("scenarios"));
    assert!(files.len() >= 15, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let errors = schema_errors(&v, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
    // The README's scenario example (the block that starts with [simulation]).
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.starts_with("[simulation]"))
        .collect();
    assert!(!blocks.is_empty(), "README has no scenario example");
    for b in blocks {
        let errors = schema_errors(&v, b);
        assert!(errors.is_empty(), "README example: {errors:#?}");
        validate(b).unwrap();
    }
    for section in KEYS.iter().filter(|k| !k.path.contains('.')) {
        let text = with_example(section.example);
        let errors = schema_errors(&v, &text);
        assert!(
            errors.is_empty(),
            "example of [{}]: {errors:#?}",
            section.path
        );
    }
}

#[test]
fn schema_refuses_unknown_keys_wrong_types_and_bad_units() {
    let v = validator();
    let base = BASE.to_string();
    for (bad, expect) in [
        (
            format!("{base}\n[policy]\nauto_promot = {{ after = \"1m\", kind = \"forced\" }}\n"),
            "auto_promot",
        ),
        (
            base.replace("rate = 100", "rate = \"100\""),
            "/workload/rate",
        ),
        (
            base.replace("duration = \"1h\"", "duration = \"1 hour\""),
            "/simulation/duration",
        ),
        (
            base.replace(
                "size = \"1KiB\"",
                "size = { dist = \"lognormal\", median = \"1KiB\" }",
            ),
            "/workload/size",
        ),
        (base.replace("[simulation]", "[simulaton]"), "simulaton"),
        (
            base.replace("secondaries = [\"eastus\"]", "secondaries = []"),
            "/replication/secondaries",
        ),
    ] {
        let errors = schema_errors(&v, &bad);
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "expected an error about {expect}, got {errors:#?}"
        );
        assert!(validate(&bad).is_err(), "geosim accepts {bad}");
    }
    // The bad inputs that are type or key errors are refused by the schema too.
    for name in [
        "unknown_key_top",
        "unknown_key_nested",
        "wrong_type",
        "duration_without_unit",
    ] {
        let text =
            std::fs::read_to_string(root().join(format!("tests/bad_inputs/{name}.toml"))).unwrap();
        assert!(
            !schema_errors(&v, &text).is_empty(),
            "{name} passes the schema"
        );
    }
}

#[test]
fn shipped_scenarios_open_with_the_schema_directive() {
    for f in toml_files(&root().join("scenarios")) {
        let text = std::fs::read_to_string(&f).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let rel = first.strip_prefix("#:schema ").unwrap_or_else(|| {
            panic!(
                "{} does not open with #:schema <path to schema/scenario.schema.json>",
                f.display()
            )
        });
        let target = f.parent().unwrap().join(rel);
        assert_eq!(
            target.canonicalize().unwrap(),
            root().join(schema::SCHEMA_FILE).canonicalize().unwrap(),
            "{}",
            f.display()
        );
    }
}
