//! Golden outputs: `summary.csv` and `timeseries.csv` of shipped scenarios, compared byte
//! for byte with the copies in `tests/golden/<scenario>/`. They pin the model's behaviour
//! while the engine's code moves; a change to the model must change them on purpose.
//!
//! Re-bless after a deliberate change (then review `git diff --stat tests/golden` and say
//! in the commit which figures moved and why):
//!
//! ```sh
//! GEOSIM_BLESS=1 cargo test --test it golden
//! ```

use geosim::report::csv::{summary_csv, timeseries_csv};
use geosim::runner::{run, RunOptions};
use std::path::Path;

/// The pinned scenarios: the main one, both outage kinds, a mode switch and a lesson.
const GOLDEN: &[&str] = &[
    "cross-continent",
    "primary-outage",
    "secondary-outage",
    "mode-switch",
    "teaching/03-planned-vs-forced",
];

fn check(scenario: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = geosim::scenario::load(&root.join(format!("scenarios/{scenario}.toml")))
        .unwrap_or_else(|e| panic!("{scenario}: {e}"));
    let options = RunOptions {
        variants: (0..model.variants.len()).collect(),
        jobs: 2,
        progress: false,
        check: false,
        stop: None,
    };
    let out = run(&model, &options).unwrap();
    let name = scenario.rsplit('/').next().unwrap();
    let dir = root.join("tests/golden").join(name);
    let files = [
        ("summary.csv", summary_csv(&out.results).unwrap()),
        ("timeseries.csv", timeseries_csv(&out.results).unwrap()),
    ];
    if std::env::var_os("GEOSIM_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (file, bytes) in &files {
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        return;
    }
    for (file, actual) in &files {
        let path = dir.join(file);
        let expected = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (bless with GEOSIM_BLESS=1)", path.display()));
        if &expected != actual {
            // Leave the new bytes beside the build for `diff`, and name the first line
            // that differs so the failure says what moved.
            let new = root.join("target/golden-actual").join(name);
            std::fs::create_dir_all(&new).unwrap();
            std::fs::write(new.join(file), actual).unwrap();
            let (e, a) = (
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(actual),
            );
            let line = e
                .lines()
                .zip(a.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(e.lines().count().min(a.lines().count()));
            panic!(
                "{scenario}/{file} differs from the golden copy at line {}:\n  golden: {}\n  actual: {}\n\
                 diff {} {}\n(re-bless on a deliberate change: GEOSIM_BLESS=1 cargo test --test it golden)",
                line + 1,
                e.lines().nth(line).unwrap_or("<end>"),
                a.lines().nth(line).unwrap_or("<end>"),
                path.display(),
                new.join(file).display()
            );
        }
    }
}

#[test]
fn shipped_scenarios_match_their_golden_outputs() {
    for scenario in GOLDEN {
        check(scenario);
    }
}
