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
