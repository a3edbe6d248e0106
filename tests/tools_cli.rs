//! The binary's tools for people and other programs: `schema`, `completions`, `man`,
//! `--version`, `run --set`, `--export` (run and sweep), `-q`, and the bandwidth warning.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_geosim");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("geosim-tools-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn geosim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SMALL: &str = r#"[simulation]
name = "small"
duration = "20s"

[[region]]
name = "westeurope"

[[region]]
name = "northeurope"

[workload]
client_region = "westeurope"
rate = 50
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["northeurope"]

[[variant]]
name = "async"
mode = "async"

[[variant]]
name = "sync"
mode = "sync"
"#;

#[test]
fn schema_prints_the_checked_in_schema() {
    let o = geosim(&["schema"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = fs::read_to_string(root().join("schema/scenario.schema.json")).unwrap();
    assert_eq!(
        stdout(&o),
        file,
        "run: GEOSIM_BLESS=1 cargo test --test it reference"
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = geosim(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        // fish writes long options as `-l export`.
        let option = if shell == "fish" {
            "-l export"
        } else {
            "--export"
        };
        assert!(stdout(&o).contains(option), "{shell}");
    }
    let o = geosim(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let o = geosim(&["man"]);
    assert!(o.status.success());
    let page = stdout(&o);
    assert!(
        page.contains(".TH geosim 1"),
        "{}",
        &page[..page.len().min(300)]
    );
    assert!(page.contains(".SH \"GEOSIM RUN\""));
}

#[test]
fn version_names_the_commit_in_a_checkout() {
    let o = geosim(&["--version"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let version = env!("CARGO_PKG_VERSION");
    assert!(text.starts_with(&format!("geosim {version}")), "{text}");
    let in_checkout = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short=12",
            "HEAD",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(head) = in_checkout {
        // Built from this checkout: the commit is the one built (HEAD, unless it moved
        // since the build; then at least a 12-digit hash in parentheses).
        let inside = text.split_once('(').map(|(_, r)| r).unwrap_or_default();
        let hash: String = inside.chars().take_while(char::is_ascii_hexdigit).collect();
        assert_eq!(hash.len(), 12, "{text} (HEAD {head})");
    }
}

#[test]
fn run_set_is_applied_echoed_and_exported() {
    let s = Scratch::new("set");
    let file = s.path("small.toml");
    fs::write(&file, SMALL).unwrap();
    let out = s.path("out");
    let json = s.path("figs/export.json");
    let md = s.path("export.md");
    let csv = s.path("export.csv");
    let o = geosim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "-q",
        "--set",
        "workload.rate=80",
        "--set",
        "variant[1].max_lag=30s",
        "--export",
        json.to_str().unwrap(),
        "--export",
        md.to_str().unwrap(),
        "--export",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "-q: {}", stderr(&o));
    let run_json = fs::read_to_string(out.join("small/run.json")).unwrap();
    assert!(
        run_json.contains("\"set\": [\"workload.rate=80\", \"variant[1].max_lag=30s\"]"),
        "{run_json}"
    );
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["geosim_export"], 1);
    assert_eq!(v["command"], "run");
    assert_eq!(v["sets"][0], "workload.rate=80");
    let summary = fs::read_to_string(out.join("small/summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let table = &v["tables"]["summary"];
    assert_eq!(table["columns"].as_array().unwrap().len(), header.len());
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), summary.lines().count() - 1);
    assert_eq!(rows[1]["variant"], "sync");
    assert_eq!(rows[1]["max_lag_s"], 30.0, "the --set reached the model");
    // Every cell is the CSV's: numbers compare equal to the text they came from.
    for (line, row) in summary.lines().skip(1).zip(rows) {
        for (col, cell) in header.iter().zip(line.split(',')) {
            let got = &row[*col];
            match cell.parse::<f64>() {
                Ok(x) if *col != "variant" => assert_eq!(got.as_f64(), Some(x), "{col}"),
                _ if cell.is_empty() => assert!(got.is_null(), "{col}"),
                _ => assert_eq!(got.as_str(), Some(cell), "{col}"),
            }
        }
    }
    // With 50 → 80 writes/s over 20 s, about 1600 offered.
    let offered = rows[0]["writes_offered"].as_f64().unwrap();
    assert!((1400.0..1800.0).contains(&offered), "{offered}");
    assert_eq!(
        fs::read_to_string(&csv).unwrap(),
        summary,
        "no year: the CSV is summary.csv"
    );
    let md = fs::read_to_string(&md).unwrap();
    assert!(md.starts_with("### geosim run: small\n"), "{md}");
    assert!(
        md.contains("`--set workload.rate=80` · `--set variant[1].max_lag=30s`"),
        "{md}"
    );
    assert!(
        md.contains("| variant | run | first_try_latency_p50_ms | first_try_latency_p99_ms | availability |"),
        "{md}"
    );
}

#[test]
fn bad_set_and_export_are_refused_before_anything_runs() {
    let s = Scratch::new("bad");
    let file = s.path("small.toml");
    fs::write(&file, SMALL).unwrap();
    let out = s.path("out");
    let f = file.to_str().unwrap();
    let o_ = out.to_str().unwrap();
    for (args, want) in [
        (vec!["--set", "workload.rat=5"], "did you mean \"rate\""),
        (
            vec!["--set", "workload.rate=1,2"],
            "run takes one value per key",
        ),
        (
            vec!["--set", "workload.rate=-1"],
            "with --set workload.rate=-1",
        ),
        (
            vec!["--export", "x.txt"],
            "end the file name with .json, .md or .csv",
        ),
    ] {
        let mut all = vec!["run", f, "--out", o_];
        all.extend(args);
        let o = geosim(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert!(stderr(&o).contains(want), "{all:?}: {}", stderr(&o));
        assert!(!out.exists(), "{all:?} wrote {}", out.display());
    }
}

#[test]
fn check_and_run_warn_about_an_overloaded_link() {
    let o = geosim(&[
        "check",
        root()
            .join("scenarios/bandwidth-bound.toml")
            .to_str()
            .unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: westeurope<->northeurope carries 39 Mbit/s of writes over 32 Mbit/s (at 1200 writes/s from 20m): the lag will grow without bound"),
        "{}",
        stderr(&o)
    );
    let o = geosim(&[
        "check",
        root()
            .join("scenarios/cross-continent.toml")
            .to_str()
            .unwrap(),
    ]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn sweep_exports_its_table_and_refuses_export_with_shard() {
    let s = Scratch::new("sweep");
    let file = s.path("small.toml");
    fs::write(&file, SMALL).unwrap();
    let out = s.path("out");
    let md = s.path("sweep.md");
    let json = s.path("sweep.json");
    let o = geosim(&[
        "sweep",
        file.to_str().unwrap(),
        "--set",
        "workload.rate=20,40",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--export",
        md.to_str().unwrap(),
        "--export",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("| point | workload.rate | variant | availability | latency_p99_ms |"),
        "{md}"
    );
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["command"], "sweep");
    assert_eq!(v["axes"][0]["key"], "workload.rate");
    let sweep_csv = fs::read_to_string(out.join("small/sweep/sweep.csv")).unwrap();
    assert_eq!(
        v["tables"]["sweep"]["rows"].as_array().unwrap().len(),
        sweep_csv.lines().count() - 1
    );
    let o = geosim(&[
        "sweep",
        file.to_str().unwrap(),
        "--set",
        "workload.rate=20,40",
        "--out",
        out.to_str().unwrap(),
        "--shard",
        "0/2",
        "--export",
        s.path("x.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("geosim merge"), "{}", stderr(&o));
}

/// Every file under `dir` (recursively) whose name ends with `ext`.
fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files_under(&p, ext, out);
        } else if p.to_string_lossy().ends_with(ext) {
            out.push(p);
        }
    }
}

/// What a user reads — the README, docs/, the scenarios' comments and every `--help` —
/// cites only files that ship: no team-internal document (SPEC, reference/oracles.md), and
/// every repository path it names exists.
#[test]
fn user_facing_texts_cite_only_files_that_ship() {
    let mut texts: Vec<(String, String, PathBuf)> = Vec::new();
    let mut files = vec![root().join("README.md")];
    files_under(&root().join("docs"), ".md", &mut files);
    files_under(&root().join("scenarios"), ".toml", &mut files);
    for f in &files {
        let text = fs::read_to_string(f).unwrap();
        let dir = f.parent().unwrap().to_path_buf();
        texts.push((f.display().to_string(), text, dir));
    }
    let commands = [
        "",
        "run",
        "check",
        "sweep",
        "merge",
        "presets",
        "regions",
        "schema",
        "completions",
        "man",
    ];
    for c in commands {
        let args: Vec<&str> = [c, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let o = geosim(&args);
        assert!(o.status.success(), "geosim {c} --help: {}", stderr(&o));
        texts.push((
            format!("geosim {c} --help"),
            stdout(&o),
            root().to_path_buf(),
        ));
    }
    let internal = [
        "SPEC §",
        "SPEC.md",
        "oracles.md",
        "feature-table",
        "shared folder",
        "STYLE.md",
        "STACK.md",
    ];
    let prefixes = [
        "docs/",
        "scenarios/",
        "schema/",
        "completions/",
        "tests/",
        "src/",
        "../",
    ];
    let mut problems = Vec::new();
    let mut paths_checked = 0;
    for (name, text, dir) in &texts {
        for word in internal {
            for (i, line) in text.lines().enumerate() {
                if line.contains(word) {
                    let at = i + 1;
                    problems.push(format!("{name}:{at} cites `{word}`, which does not ship"));
                }
            }
        }
        let path_char = |c: char| c.is_ascii_alphanumeric() || "_./-<>".contains(c);
        for token in text.split(|c: char| !path_char(c)) {
            let token = token.trim_end_matches('.');
            let is_file = [".md", ".toml", ".json", ".rs"]
                .iter()
                .any(|e| token.ends_with(e));
            if !is_file || token.contains('<') || !prefixes.iter().any(|p| token.starts_with(p)) {
                continue;
            }
            paths_checked += 1;
            // A `../` path in the README is the `#:schema` line as seen from scenarios/.
            let found = [root(), dir.as_path(), &root().join("scenarios")]
                .iter()
                .any(|d| d.join(token).exists());
            if !found {
                problems.push(format!(
                    "{name} names `{token}`, which is not in the repository"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    assert!(paths_checked >= 20, "{paths_checked}");
}
