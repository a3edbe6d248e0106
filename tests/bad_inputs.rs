//! A catalogue of invalid scenarios and the error each must produce.
//!
//! Each `tests/bad_inputs/NAME.toml` ends with one or more `# expect: TEXT` lines; the
//! error `geosim::scenario::parse` returns, as the user sees it (`Display`: file:line:col,
//! key path, message, help), must contain every TEXT. The expectations sit at the end of
//! the file so they do not shift the line numbers they mention.

use std::fs;
use std::path::Path;

use geosim::error::ErrorKind;

#[test]
fn every_bad_input_fails_with_its_expected_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("tests/bad_inputs exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "only {} bad inputs", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(path).unwrap();
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(!expects.is_empty(), "{file} has no `# expect:` line");
        let err = match geosim::scenario::parse(&text, &file, &stem) {
            Ok(_) => {
                failures.push(format!("{file}: accepted, but should fail"));
                continue;
            }
            Err(e) => e,
        };
        let shown = err.to_string();
        // A TOML syntax error has a location but not always a key: the expectations say.
        if err.kind != ErrorKind::Invalid || err.location.is_none() {
            failures.push(format!(
                "{file}: needs kind Invalid and a location:\n{shown}"
            ));
        }
        for want in &expects {
            if !shown.contains(want) {
                failures.push(format!("{file}: missing {want:?} in:\n{shown}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// The full example of SPEC §2.2, which must be valid.
const FULL: &str = r#"
[simulation]
name = "cross-continent"
duration = "2h"
warmup = "1m"
seed = 42
runs = 1

[[region]]
name = "westeurope"
commit = "2ms"
local_rtt = "1ms"

[[region]]
name = "eastus"

[[link]]
between = ["westeurope", "eastus"]
rtt = { dist = "normal", mean = "85ms", stddev = "3ms" }
bandwidth = "200Mbit/s"

[workload]
client_region = "westeurope"
rate = 500
size = "1KiB"
timeout = "60s"
retries = 3
backoff = "1s"

[[workload.phase]]
at = "30m"
rate = 2000

[replication]
primary = "westeurope"
secondaries = ["eastus"]
mode = "async"
max_lag = "5m"

[[outage]]
target = "eastus"
start = "20m"
duration = "15m"
kind = "down"

[[failure]]
target = "westeurope"
mtbf = "30d"
mttr = { dist = "lognormal", median = "45m", p99 = "6h" }

[[action]]
at = "60m"
promote = "planned"
target = "eastus"
escalate_after = "10m"

[[action]]
at = "90m"
set_mode = "sync"

[policy]
auto_promote = { after = "15m", kind = "forced" }
remove_secondary_after = "30m"

[promotion]
switch = "30s"
dns = "2m"

[[variant]]
name = "sync"
mode = "sync"

[[variant]]
name = "async-5m"
mode = "async"
max_lag = "5m"

[[variant]]
name = "async-5m-forced"
mode = "async"
max_lag = "5m"
promote = "forced"
"#;

#[test]
fn the_spec_example_is_valid() {
    let m = geosim::scenario::parse(FULL, "full.toml", "full").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.name, "cross-continent");
    assert_eq!(m.variants.len(), 3);
    let plan = geosim::scenario::plan(&m);
    assert!(plan.contains("variants"), "{plan}");
}

/// No input makes geosim panic (SPEC §1): thousands of deterministic mutations of a
/// valid file (deleted, duplicated and replaced bytes, swapped lines) must each parse or
/// fail with an error.
#[test]
fn mutated_scenarios_never_panic() {
    let replacements: [&str; 12] = [
        "\"", "=", "[", "]", "{", "-", "0", "1e30", "nan", "\n", "é", "<->",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        // xorshift64*: enough to spread the mutations, and reproducible.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    };
    for _ in 0..3_000 {
        let mut text = FULL.to_string();
        for _ in 0..1 + next(3) {
            let mut at = next(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match next(3) {
                0 => {
                    let mut end = (at + 1 + next(8)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                1 => text.insert_str(at, replacements[next(replacements.len())]),
                _ => {
                    let lines: Vec<&str> = text.lines().collect();
                    let (a, b) = (next(lines.len()), next(lines.len()));
                    let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    lines.swap(a, b);
                    text = lines.join("\n");
                }
            }
        }
        match geosim::scenario::parse(&text, "m.toml", "m") {
            Ok(m) => drop(geosim::scenario::plan(&m)),
            Err(e) => drop(e.to_string()),
        }
    }
}

#[test]
fn load_reports_missing_files_directories_and_bad_encoding() {
    use geosim::scenario::load;
    let dir = std::env::temp_dir().join(format!("geosim-bad-inputs-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let missing = load(&dir.join("nope.toml")).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::Io);
    assert!(missing.to_string().contains("nope.toml"), "{missing}");
    let is_dir = load(&dir).unwrap_err();
    assert_eq!(is_dir.kind, ErrorKind::Io);
    assert!(is_dir.message.contains("is a directory"));
    let latin1 = dir.join("latin1.toml");
    fs::write(&latin1, b"[simulation]\nname = \"caf\xe9\"\n").unwrap();
    let enc = load(&latin1).unwrap_err();
    assert_eq!(enc.kind, ErrorKind::Invalid);
    assert!(enc.to_string().contains("latin1.toml:2:12: "), "{enc}");
    let good = dir.join("my-scenario.toml");
    fs::write(&good, FULL.replace("name = \"cross-continent\"\n", "")).unwrap();
    assert_eq!(load(&good).unwrap().name, "my-scenario");
    fs::remove_dir_all(&dir).unwrap();
}
