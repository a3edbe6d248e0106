//! `geosim sweep` and `geosim merge` as a user runs them: the binary in separate
//! processes, on a small scenario with a `[sweep]` table (tests/sweep_fixture/tiny.toml).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_geosim");
const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sweep_fixture/tiny.toml");

fn geosim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("geosim runs")
}

fn ok(args: &[&str]) -> Output {
    let out = geosim(args);
    assert!(
        out.status.success(),
        "geosim {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sweep")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file of a directory, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn shards_merged_equal_a_single_sweep_byte_for_byte() {
    let dir = scratch("shards");
    let (single, sharded, merged) = (dir.join("single"), dir.join("sharded"), dir.join("merged"));
    ok(&["sweep", TINY, "--out", s(&single), "--jobs", "2", "--quiet"]);
    for i in 0..3 {
        let shard = format!("{i}/3");
        ok(&[
            "sweep",
            TINY,
            "--shard",
            &shard,
            "--out",
            s(&sharded),
            "--jobs",
            "1",
            "--quiet",
        ]);
    }
    let shard_dir = sharded.join("tiny/sweep");
    let names: Vec<String> = files(&shard_dir).into_keys().collect();
    assert_eq!(
        names,
        ["shard-0-of-3.csv", "shard-1-of-3.csv", "shard-2-of-3.csv"]
    );
    ok(&["merge", s(&shard_dir), "--out", s(&merged), "--quiet"]);

    let want = files(&single.join("tiny/sweep"));
    let got = files(&merged.join("tiny/sweep"));
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "same set of files"
    );
    for (name, bytes) in &want {
        assert!(
            &got[name] == bytes,
            "{name} differs between merge and single sweep"
        );
    }
    // 3 rates × 2 lag limits × 2 variants, each with its statistics.
    let csv = String::from_utf8(want["sweep.csv"].clone()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 12);
    assert!(csv.starts_with("point,workload.rate,variant[1].max_lag,variant,mode,max_lag_s,runs,writes_offered_mean,writes_offered_ci95,"));
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("0,50,100ms,sync,sync,10.000,3,"));
    for chart in [
        "availability",
        "latency_p99_ms",
        "rpo_s",
        "writes_lost",
        "throttled_s",
        "lag_max_s",
    ] {
        assert!(want.contains_key(&format!("sweep_{chart}.png")), "{chart}");
        assert!(want.contains_key(&format!("sweep_{chart}.svg")), "{chart}");
    }
    // runs.csv is itself a one-shard input that reproduces the sweep.
    let again = dir.join("again");
    let runs = single.join("tiny/sweep/runs.csv");
    ok(&["merge", s(&runs), "--out", s(&again), "--quiet"]);
    assert_eq!(
        files(&again.join("tiny/sweep"))["sweep.csv"],
        want["sweep.csv"]
    );
}

#[test]
fn merge_refuses_incomplete_or_mixed_shards() {
    let dir = scratch("refuse");
    for (i, seed) in [(0, "3"), (1, "3"), (1, "4")] {
        let out = dir.join(format!("seed{seed}"));
        let shard = format!("{i}/3");
        ok(&[
            "sweep",
            TINY,
            "--shard",
            &shard,
            "--seed",
            seed,
            "--out",
            s(&out),
            "--quiet",
        ]);
    }
    let shard =
        |seed: &str, i: usize| dir.join(format!("seed{seed}/tiny/sweep/shard-{i}-of-3.csv"));
    let missing = geosim(&[
        "merge",
        s(&shard("3", 0)),
        s(&shard("3", 1)),
        "--out",
        s(&dir),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("shard 2 of 3 is missing"), "{err}");
    let mixed = geosim(&[
        "merge",
        s(&shard("3", 0)),
        s(&shard("4", 1)),
        "--out",
        s(&dir),
    ]);
    assert_eq!(mixed.status.code(), Some(2));
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        err.contains("is from a different sweep") && err.contains("seed 4 vs 3"),
        "{err}"
    );
    let twice = geosim(&[
        "merge",
        s(&shard("3", 1)),
        s(&shard("3", 1)),
        "--out",
        s(&dir),
    ]);
    let err = String::from_utf8_lossy(&twice.stderr);
    assert!(err.contains("shard 1 of 3 is given twice"), "{err}");
    assert!(!dir.join("tiny").exists(), "a refused merge writes nothing");
}

#[test]
fn identical_bytes_whatever_the_thread_count() {
    let dir = scratch("jobs");
    let set = "--set=workload.rate=80,160";
    for jobs in ["1", "2", "4"] {
        let out = dir.join(jobs);
        ok(&[
            "sweep",
            TINY,
            set,
            "--out",
            s(&out),
            "--jobs",
            jobs,
            "--quiet",
        ]);
    }
    let one = files(&dir.join("1/tiny/sweep"));
    for jobs in ["2", "4"] {
        let other = files(&dir.join(format!("{jobs}/tiny/sweep")));
        assert!(
            one == other,
            "--jobs {jobs} wrote different files than --jobs 1"
        );
    }
}

#[test]
fn command_line_overrides_the_sweep_table() {
    let dir = scratch("override");
    let out = ok(&[
        "sweep",
        TINY,
        "--set",
        "workload.rate=75",
        "--set",
        "replication.secondaries=northeurope|uksouth",
        "--out",
        s(&dir),
        "--quiet",
    ]);
    let csv = std::fs::read_to_string(dir.join("tiny/sweep/sweep.csv")).unwrap();
    // The file's workload.rate axis is replaced in place; the new key comes last.
    assert!(
        csv.starts_with("point,workload.rate,variant[1].max_lag,replication.secondaries,variant,")
    );
    let points: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(points, ["0", "0", "1", "1", "2", "2", "3", "3"]);
    assert!(csv.contains("\n3,75,2m,uksouth,async,"), "{csv}");
    // The human table goes to stdout.
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("replication.secondaries") && table.contains("uksouth"),
        "{table}"
    );
}

#[test]
fn bad_keys_and_values_exit_2_and_write_nothing() {
    let dir = scratch("bad");
    let cases: [(&[&str], &str); 6] = [
        (
            &["--set", "workload.rat=1,2"],
            "did you mean \"rate\"? the keys of [workload] are: client_region, rate, size",
        ),
        (
            &["--set", "replicaton.mode=sync"],
            "a scenario has no table \"replicaton\"",
        ),
        (&["--set", "outage.start=1s"], "write outage[0].start"),
        (
            &["--set", "outage[4].start=1s"],
            "outage[4] does not exist: the scenario has one [[outage]]",
        ),
        (
            &["--set", "workload.rate=-5"],
            "sweep point 0: workload.rate=-5",
        ),
        (&["--shard", "3/3"], "expected I/N with 0 <= I < N"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["sweep", TINY, "--out", s(&dir)];
        all.extend_from_slice(args);
        let out = geosim(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    assert!(!dir.join("tiny").exists());
}

#[test]
fn bad_sweep_table_is_a_scenario_error() {
    let dir = scratch("table");
    let text = std::fs::read_to_string(TINY).unwrap().replace(
        "\"workload.rate\" = [50, 100, 200]",
        "\"workload.rates\" = [50]",
    );
    let file = dir.join("typo.toml");
    std::fs::write(&file, text).unwrap();
    // `check` validates [sweep] like every other table.
    let out = geosim(&["check", s(&file)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sweep.\"workload.rates\": [workload] has no key \"rates\""),
        "{err}"
    );
    assert!(err.contains("did you mean \"rate\"?"), "{err}");
}

#[test]
fn run_writes_aggregate_csv_matching_summary_csv() {
    let dir = scratch("aggregate");
    ok(&["run", TINY, "--out", s(&dir), "--quiet", "--no-charts"]);
    let read = |name: &str| std::fs::read_to_string(dir.join("tiny").join(name)).unwrap();
    let (summary, aggregate) = (read("summary.csv"), read("aggregate.csv"));
    let column = |header: &str, name: &str| header.split(',').position(|c| c == name).unwrap();
    let sh = summary.lines().next().unwrap();
    let ah = aggregate.lines().next().unwrap();
    assert!(ah.starts_with(
        "variant,mode,max_lag_s,runs,writes_offered_mean,writes_offered_sd,writes_offered_ci95,"
    ));
    let rows: Vec<&str> = aggregate.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "one row per variant");
    // Recompute the async variant's availability statistics from its three runs.
    let xs: Vec<f64> = summary
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("async,"))
        .map(|l| {
            l.split(',')
                .nth(column(sh, "availability"))
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(xs.len(), 3);
    let mean = xs.iter().sum::<f64>() / 3.0;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let ci = 4.302_652_7 * sd / 3f64.sqrt();
    let cells: Vec<&str> = rows[1].split(',').collect();
    let cell = |name: &str| -> f64 { cells[column(ah, name)].parse().unwrap() };
    assert_eq!(cells[0], "async");
    // summary.csv rounds to 6 decimals, so the recomputation agrees to about that.
    assert!((cell("availability_mean") - mean).abs() < 2e-6);
    assert!((cell("availability_sd") - sd).abs() < 2e-6);
    assert!((cell("availability_ci95") - ci).abs() < 1e-5);
}

#[test]
fn capacity_studies_validate() {
    for study in ["lag-vs-rate", "secondary-choice"] {
        let file = format!(
            "{}/scenarios/capacity/{study}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = ok(&["check", &file]);
        // Both state objectives, so their sweep reports conclude with where they hold.
        let plan = String::from_utf8_lossy(&out.stdout);
        assert!(plan.contains("    objectives: "), "{study}: {plan}");
    }
}

/// The sweep report reads like the run's (issue 17 item 6): the scenario's description,
/// a conclusion per charted figure, axis titles with readable names and units, tick
/// labels that differ, availability as a percentage, no axis below 0 for a figure that
/// cannot be negative.
#[test]
fn the_sweep_report_is_readable() {
    let dir = scratch("readable");
    ok(&["sweep", TINY, "--out", s(&dir), "--quiet"]);
    let html = std::fs::read_to_string(dir.join("tiny/sweep/report.html")).unwrap();
    assert!(
        html.contains("Scenario: a small West Europe → North Europe namespace"),
        "no description"
    );
    let conclusion = &html[html.find("<h2>Conclusion</h2>").expect("a conclusion")..];
    let conclusion = &conclusion[..conclusion.find("</ul>").unwrap()];
    assert_eq!(conclusion.matches("<li>").count(), 6, "{conclusion}");
    // Availability reads as the tables print it: never 100% for a share below 1.
    let sweep_csv = std::fs::read_to_string(dir.join("tiny/sweep/sweep.csv")).unwrap();
    let header: Vec<&str> = sweep_csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|c| *c == "availability_mean")
        .unwrap();
    let all_one = sweep_csv
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(col).unwrap().parse::<f64>().unwrap() >= 1.0);
    let line = conclusion
        .split("<li>")
        .find(|l| l.starts_with("availability"))
        .unwrap();
    assert!(
        all_one || !line.contains(" 100% at every setting"),
        "{line}"
    );
    for (stem, title) in [
        (
            "sweep_availability",
            "availability (%) vs write rate (writes/s)",
        ),
        (
            "sweep_latency_p99_ms",
            "p99 write latency (ms) vs write rate (writes/s)",
        ),
    ] {
        let svg = std::fs::read_to_string(dir.join(format!("tiny/sweep/{stem}.svg"))).unwrap();
        assert!(svg.contains(title), "{stem}: no title {title:?}");
        // The y axis's tick labels (the right-aligned texts): none repeats, none is
        // negative, and there are some.
        let labels: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter(|t| t.contains("text-anchor=\"end\""))
            .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
            .filter_map(|t| t.split_once("</text>").map(|(text, _)| text.trim()))
            .collect();
        assert!(labels.len() >= 3, "{stem}: y ticks {labels:?}");
        let mut seen = std::collections::BTreeSet::new();
        for l in &labels {
            assert!(!l.starts_with('-'), "{stem}: a negative tick {l}");
            assert!(
                seen.insert(*l),
                "{stem}: tick {l} printed twice: {labels:?}"
            );
        }
    }
}

/// The cell of `column` in every data line of a CSV (no quoted commas in these files).
fn column<'a>(csv: &'a str, name: &str) -> Vec<&'a str> {
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == name).unwrap_or_else(|| {
        panic!("no column {name} in {header:?}");
    });
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(at).unwrap())
        .collect()
}

/// Objectives in a sweep (issue 17 item 1): swept like any key (`--set objectives.…`) and
/// set per variant, judged per run (runs.csv, the shard format), counted per grid point and
/// variant (sweep.csv, the terminal table), and concluded in one sentence that the terminal
/// and the report share; shards merge to the same bytes. In tiny.toml the first-try p99 is
/// ≈ 42 ms under sync and ≈ 18 ms under async, so a 25 ms limit splits them.
#[test]
fn objectives_are_judged_at_every_grid_point() {
    let dir = scratch("objectives");
    let set = [
        "--set",
        "objectives.latency_p99=25ms,1s",
        "--set",
        "workload.rate=50,200",
        "--set",
        "objectives.rpo=1s",
    ];
    // `geosim sweep TINY` with `set` and `extra`, into `out`.
    let sweep = |out: &Path, extra: &[&str]| {
        ok(&[
            &["sweep", TINY, "--out", s(out), "--quiet"],
            &set[..],
            extra,
        ]
        .concat())
    };
    let single = dir.join("single");
    let out = sweep(&single, &[]);
    let sweep_csv = std::fs::read_to_string(single.join("tiny/sweep/sweep.csv")).unwrap();
    let header = sweep_csv.lines().next().unwrap();
    assert!(
        header.ends_with(",objectives_met_runs,objectives_missed"),
        "{header}"
    );
    let limits = column(&sweep_csv, "objectives.latency_p99");
    let variants = column(&sweep_csv, "variant");
    let met = column(&sweep_csv, "objectives_met_runs");
    let missed = column(&sweep_csv, "objectives_missed");
    assert_eq!(
        limits.len(),
        16,
        "2 rates × 2 lag limits × 2 limits × 2 variants"
    );
    for i in 0..limits.len() {
        let splits = limits[i] == "25ms" && variants[i] == "sync";
        assert_eq!(met[i], if splits { "0" } else { "3" }, "row {i}");
        assert_eq!(
            missed[i],
            if splits { "latency_p99" } else { "" },
            "row {i}"
        );
    }
    // Every run carries its own verdict, as summary.csv writes it.
    let runs_csv = std::fs::read_to_string(single.join("tiny/sweep/runs.csv")).unwrap();
    let body = &runs_csv[runs_csv.find("\npoint,").unwrap() + 1..];
    let run_met = column(body, "objectives_met");
    assert_eq!(run_met.len(), 48);
    assert_eq!(run_met.iter().filter(|m| **m == "false").count(), 12);
    assert!(run_met.iter().all(|m| *m == "true" || *m == "false"));
    // The terminal: per row, the runs that met; then the sentence, also the report's first
    // conclusion.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("met 0/3, missed latency_p99"), "{stdout}");
    assert!(stdout.contains("met 3/3"), "{stdout}");
    let sentence = stdout
        .lines()
        .find(|l| l.starts_with("Every objective holds"))
        .unwrap_or_else(|| panic!("no objectives sentence: {stdout}"));
    assert!(
        sentence.contains(
            "It holds at no setting for sync · variant[1].max_lag=100ms, objectives.latency_p99=25ms \
             and sync · variant[1].max_lag=2m, objectives.latency_p99=25ms \
             (missed: latency_p99 at 4 of 16 grid points × variants)."
        ),
        "{sentence}"
    );
    let html = std::fs::read_to_string(single.join("tiny/sweep/report.html")).unwrap();
    let conclusion = &html[html.find("<h2>Conclusion</h2>").unwrap()..];
    assert!(
        conclusion.starts_with(&format!(
            "<h2>Conclusion</h2>\n<ul class=\"conclusion\">\n<li>{sentence}</li>"
        )),
        "{}",
        &conclusion[..400]
    );
    let per_point = &html[html
        .find("<h2>Objectives per grid point</h2>")
        .expect("a table per point")..];
    let per_point = &per_point[..per_point.find("</table>").unwrap()];
    assert_eq!(per_point.matches("<tr>").count(), 1 + 8, "{per_point}");
    assert_eq!(per_point.matches("met 0/3, missed latency_p99").count(), 4);

    // The RPO limit every variant shares is a dashed line on the RPO chart, said in its
    // caption; the swept latency limit has no one line.
    let rpo_svg = std::fs::read_to_string(single.join("tiny/sweep/sweep_rpo_s.svg")).unwrap();
    assert!(
        rpo_svg.contains("objective: rpo \u{2264} 1 s"),
        "no objective line"
    );
    assert!(html.contains("Dashed: the objective, rpo \u{2264} 1 s."));
    assert_eq!(html.matches("Dashed: the objective").count(), 1);

    // Shards of the same sweep merge to the same bytes, verdicts and lines included.
    let sharded = dir.join("sharded");
    for i in 0..2 {
        let shard = format!("{i}/2");
        sweep(&sharded, &["--shard", &shard]);
    }
    let merged = dir.join("merged");
    ok(&[
        "merge",
        s(&sharded.join("tiny/sweep")),
        "--out",
        s(&merged),
        "--quiet",
    ]);
    assert_eq!(
        files(&merged.join("tiny/sweep")),
        files(&single.join("tiny/sweep"))
    );

    // A variant's own limit overrides the swept one: sync with 1 s meets everywhere.
    let own = dir.join("own");
    sweep(&own, &["--set", "variant[0].objectives.latency_p99=1s"]);
    let sweep_csv = std::fs::read_to_string(own.join("tiny/sweep/sweep.csv")).unwrap();
    assert!(column(&sweep_csv, "objectives_met_runs")
        .iter()
        .all(|m| *m == "3"));
    // Limits that differ between variants draw no line.
    sweep(&own, &["--set", "variant[1].objectives.rpo=2s"]);
    let rpo_svg = std::fs::read_to_string(own.join("tiny/sweep/sweep_rpo_s.svg")).unwrap();
    assert!(
        !rpo_svg.contains("objective:"),
        "a line for differing limits"
    );
}
