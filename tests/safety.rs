//! The user's files and machine (issue 16): every reproducer of a write or deletion
//! outside the output, an untrusted shard file, a file that never ends, an input that
//! would exhaust memory or time, an interrupt, and odd `--out` paths — each run by the
//! binary in a scratch directory, with a sentinel tree around the output whose hashes
//! must not change.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_geosim");

/// A fresh directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("geosim-safety-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    fn write(&self, p: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(p);
        if let Some(d) = path.parent() {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn scenario(extra: &str) -> String {
    format!(
        r#"[simulation]
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
{extra}"#
    )
}

fn geosim(args: &[&str]) -> Output {
    run_with_timeout(args, Duration::from_secs(120))
}

/// Runs geosim, killing it (and failing) if it runs past `limit`. Its output is read
/// while it runs, so a long message cannot block it on a full pipe.
fn run_with_timeout(args: &[&str], limit: Duration) -> Output {
    let child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the geosim binary runs");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("geosim {args:?} ran past {limit:?}: a hang");
        }
    }
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file and link under `dir` (not under `skip`) with a hash of its content.
fn tree(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.starts_with(skip) {
                continue;
            }
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                out.insert(p.clone(), 0);
                stack.push(p);
            } else if m.file_type().is_symlink() {
                out.insert(
                    p.clone(),
                    fnv(fs::read_link(&p).unwrap().to_str().unwrap().as_bytes()),
                );
            } else {
                out.insert(p.clone(), fnv(&fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A sentinel tree around `out`: files beside it, in it, and a user directory.
fn sentinels(s: &Scratch) {
    s.write("work/report.html", b"the user's report");
    s.write("work/lag.png", b"the user's chart");
    s.write("work/summary.csv", b"the user's figures");
    s.write("work/out/notes.txt", b"the user's notes");
    s.write("work/out/other/run.json", b"{}");
    s.write("elsewhere/year.csv", b"the user's year");
    s.write("elsewhere/cost_rpo.png", b"the user's chart");
}

/// Runs `args` and checks that nothing outside `work/out/<name>` changed.
fn untouched_outside(s: &Scratch, name: &str, args: &[&str]) -> Output {
    let skip = s.path("work/out").join(name);
    let before = tree(&s.0, &skip);
    let o = geosim(args);
    let after = tree(&s.0, &skip);
    assert_eq!(
        before,
        after,
        "geosim {args:?} changed files outside {}: {}",
        skip.display(),
        stderr(&o)
    );
    o
}

#[test]
fn a_scenario_file_named_dot_dot_is_invalid_and_touches_nothing() {
    let s = Scratch::new("dotdot");
    sentinels(&s);
    let file = s.write("...toml", scenario("").as_bytes());
    let out = s.path("work/out");
    let o = untouched_outside(&s, "..", &["run", arg(&file), "--out", arg(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot name an output directory"),
        "{}",
        stderr(&o)
    );
    // Also for a name the file gives.
    for bad in ["..", "../x", "/abs", "a/b"] {
        let text = scenario("").replace(
            "[simulation]\n",
            &format!("[simulation]\nname = \"{bad}\"\n"),
        );
        let file = s.write("named.toml", text.as_bytes());
        let o = untouched_outside(&s, "named", &["run", arg(&file), "--out", arg(&out)]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
    }
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_place_of_the_output_directory_is_refused_before_running() {
    let s = Scratch::new("symlink");
    sentinels(&s);
    let file = s.write("linked.toml", scenario("").as_bytes());
    std::os::unix::fs::symlink(s.path("elsewhere"), s.path("work/out/linked")).unwrap();
    let out = s.path("work/out");
    let before = tree(&s.0, Path::new("/nonexistent"));
    let started = Instant::now();
    let o = geosim(&["run", arg(&file), "--out", arg(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(before, tree(&s.0, Path::new("/nonexistent")));
    // A link to another filesystem (/dev/shm is tmpfs) is refused the same way.
    if Path::new("/dev/shm").is_dir() {
        let shm = PathBuf::from(format!("/dev/shm/geosim-safety-{}", std::process::id()));
        fs::create_dir_all(&shm).unwrap();
        fs::write(shm.join("run.json"), b"{\"geosim_version\": \"0\"}").unwrap();
        let _ = fs::remove_file(s.path("work/out/linked"));
        std::os::unix::fs::symlink(&shm, s.path("work/out/linked")).unwrap();
        let o = geosim(&["run", arg(&file), "--out", arg(&out)]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(
            fs::read(shm.join("run.json")).unwrap(),
            b"{\"geosim_version\": \"0\"}"
        );
        let _ = fs::remove_dir_all(&shm);
    }
}

#[test]
fn a_rerun_replaces_only_its_own_files_and_keeps_the_users() {
    let s = Scratch::new("rerun");
    sentinels(&s);
    let file = s.write("mine.toml", scenario("").as_bytes());
    let out = s.path("work/out");
    let o = untouched_outside(&s, "mine", &["run", arg(&file), "--out", arg(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(s.path("work/out/mine/lag.png").is_file());
    s.write("work/out/mine/my-notes.txt", b"mine");
    let o = untouched_outside(
        &s,
        "mine",
        &["run", arg(&file), "--out", arg(&out), "--no-charts"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The stale chart of the previous run is gone, the user's file is not.
    assert!(!s.path("work/out/mine/lag.png").exists());
    assert_eq!(
        fs::read(s.path("work/out/mine/my-notes.txt")).unwrap(),
        b"mine"
    );
    // No staging directory is left beside the output.
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("geosim-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A file of an output's name that geosim did not write is never replaced.
    let stranger = s.path("work/out/stranger");
    fs::create_dir_all(&stranger).unwrap();
    fs::write(stranger.join("summary.csv"), b"the user's").unwrap();
    let file = s.write("stranger.toml", scenario("").as_bytes());
    let o = geosim(&["run", arg(&file), "--out", arg(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("did not write it"), "{}", stderr(&o));
    assert_eq!(
        fs::read(stranger.join("summary.csv")).unwrap(),
        b"the user's"
    );
}

/// A sweep split in two shards, for the merge tests: returns the shard directory.
fn shards(s: &Scratch) -> PathBuf {
    let file = s.write(
        "sw.toml",
        scenario("[sweep]\n\"workload.rate\" = [10, 20, 30]\n").as_bytes(),
    );
    let out = s.path("shards");
    for i in 0..2 {
        let shard = format!("{i}/2");
        let o = geosim(&[
            "sweep",
            arg(&file),
            "--out",
            arg(&out),
            "--shard",
            &shard,
            "--quiet",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    out.join("sw/sweep")
}

#[test]
fn merge_refuses_every_damaged_or_hostile_shard_with_its_location_and_writes_nothing() {
    let s = Scratch::new("merge");
    sentinels(&s);
    let dir = shards(&s);
    let good0 = fs::read_to_string(dir.join("shard-0-of-2.csv")).unwrap();
    let good1 = fs::read_to_string(dir.join("shard-1-of-2.csv")).unwrap();
    let out = s.path("work/out");
    // The --out directory of sweep is accepted, and merge says what it found.
    let o = untouched_outside(
        &s,
        "sw",
        &["merge", arg(&s.path("shards")), "--out", arg(&out)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 shard files in"), "{}", stderr(&o));
    assert!(out.join("sw/sweep/sweep.csv").is_file());
    let first_row = good0.find("\n0,0,").unwrap() + 1;
    let fewer_rows = |t: &str| {
        let at = t.find("rows = ").unwrap() + 7;
        let end = at + t[at..].find('\n').unwrap();
        let n: usize = t[at..end].trim().parse().unwrap();
        format!("{}{}{}", &t[..at], n - 1, &t[end..])
    };
    let cell = |t: &str, from: &str, to: &str| {
        let mut t = t.to_string();
        let row_end = first_row + t[first_row..].find('\n').unwrap();
        let row = t[first_row..row_end].replacen(from, to, 1);
        t.replace_range(first_row..row_end, &row);
        t
    };
    let last_line = good0.trim_end().rfind('\n').unwrap() + 1;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "../x",
            good0.replace("scenario = \"sw\"", "scenario = \"../x\""),
            "is not a scenario name",
        ),
        (
            "..",
            good0.replace("scenario = \"sw\"", "scenario = \"..\""),
            "is not a scenario name",
        ),
        (
            "/abs",
            good0.replace("scenario = \"sw\"", "scenario = \"/tmp/x\""),
            "is not a scenario name",
        ),
        ("empty", String::new(), "the file is empty"),
        (
            "truncated",
            good0.trim_end().to_string(),
            "does not end with a newline",
        ),
        ("deleted row", fewer_rows(&good0[..last_line]), "need"),
        (
            "run 3 of 2",
            cell(&good0, ",1,", ",3,"),
            "is not one of its runs",
        ),
    ];
    for (what, text, wants) in cases {
        let bad = s.write("bad/shard-0-of-2.csv", text.as_bytes());
        s.write("bad/shard-1-of-2.csv", good1.as_bytes());
        let started = Instant::now();
        let o = untouched_outside(
            &s,
            "none",
            &["merge", arg(bad.parent().unwrap()), "--out", arg(&out)],
        );
        assert!(started.elapsed() < Duration::from_secs(60), "{what}: slow");
        assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(wants), "{what}: {}", stderr(&o));
    }
    // Every figure cell set to a non-finite or huge value: located, exit 2, no hang.
    let header_end = good0.find("\npoint,").unwrap() + 1;
    let line_no = good0[..first_row].matches('\n').count() + 1;
    for bad_value in ["NaN", "inf", "-inf", "1e308", "-1e308"] {
        let row_end = first_row + good0[first_row..].find('\n').unwrap();
        let mut cells: Vec<String> = good0[first_row..row_end]
            .split(',')
            .map(String::from)
            .collect();
        let n = cells.len();
        cells[n - 5] = bad_value.into();
        let text = format!(
            "{}{}{}",
            &good0[..first_row],
            cells.join(","),
            &good0[row_end..]
        );
        assert!(header_end < first_row);
        let bad = s.write("bad/shard-0-of-2.csv", text.as_bytes());
        let o = run_with_timeout(
            &["merge", arg(bad.parent().unwrap()), "--out", arg(&out)],
            Duration::from_secs(30),
        );
        assert_eq!(o.status.code(), Some(2), "{bad_value}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("shard-0-of-2.csv:{line_no}:")),
            "{bad_value}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_cost_that_would_overflow_is_refused() {
    let s = Scratch::new("cost");
    let file = s.write(
        "cost.toml",
        scenario("[cost]\nunit_hour = 1e308\n").as_bytes(),
    );
    let o = geosim(&["check", arg(&file)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cost.unit_hour"), "{}", stderr(&o));
}

#[test]
fn files_that_never_end_or_can_be_read_once_are_read_once_within_a_limit() {
    let s = Scratch::new("files");
    if Path::new("/dev/zero").exists() {
        let started = Instant::now();
        let o = run_with_timeout(&["check", "/dev/zero"], Duration::from_secs(30));
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("larger than 16 MiB"), "{}", stderr(&o));
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    // Standard input, as `-`.
    let text = scenario("");
    let mut child = Command::new(BIN)
        .args([
            "run",
            "-",
            "--out",
            arg(&s.path("out")),
            "--quiet",
            "--no-charts",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = fs::read_to_string(s.path("out/stdin/run.json")).unwrap();
    // The hash is that of the text read (FNV-1a, as run.json writes it), not of "".
    assert!(
        json.contains(&format!("{:016x}", fnv(text.as_bytes()))),
        "{json}"
    );
    // A named pipe, read once.
    #[cfg(unix)]
    if Command::new("mkfifo")
        .arg(s.path("pipe.toml"))
        .status()
        .is_ok_and(|st| st.success())
    {
        let pipe = s.path("pipe.toml");
        let writer = {
            let (pipe, text) = (pipe.clone(), text.clone());
            std::thread::spawn(move || fs::write(pipe, text).unwrap())
        };
        let o = run_with_timeout(
            &[
                "sweep",
                arg(&pipe),
                "--set",
                "workload.rate=5,10",
                "--out",
                arg(&s.path("out")),
                "--quiet",
            ],
            Duration::from_secs(60),
        );
        writer.join().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}

#[test]
fn resource_bombs_are_refused_before_running_with_the_key_to_change() {
    let s = Scratch::new("bombs");
    let check = |name: &str, text: &str, wants: &[&str]| {
        let file = s.write(name, text.as_bytes());
        let started = Instant::now();
        let o = run_with_timeout(
            &["run", arg(&file), "--out", arg(&s.path("out"))],
            Duration::from_secs(60),
        );
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        for w in wants {
            assert!(stderr(&o).contains(w), "{name}: {w:?} in {}", stderr(&o));
        }
        assert!(started.elapsed() < Duration::from_secs(60));
        assert!(!s.path("out").join(name.trim_end_matches(".toml")).exists());
    };
    check(
        "rate.toml",
        &scenario("").replace("rate = 50", "rate = 3e10"),
        &["workload.rate", "above the limit"],
    );
    let mut many = scenario("");
    for i in 0..20_000 {
        many.push_str(&format!("\n[[region]]\nname = \"r{i}\"\n"));
    }
    check(
        "regions.toml",
        &many,
        &["region[256]", "more than the limit of 256"],
    );
    let mut phases = scenario("");
    let mut p = String::new();
    for i in 1..=10_001 {
        p.push_str(&format!("[[workload.phase]]\nat = \"{i}ms\"\nrate = 1\n"));
    }
    phases.push_str(&p);
    check(
        "phases.toml",
        &phases,
        &["workload.phase[10000]", "limit of 10000"],
    );
    let deep = format!("{}\nx{} = 1\n", scenario(""), ".x".repeat(100_000));
    check(
        "deep.toml",
        &deep,
        &["nested more than 32 deep", "deep.toml:"],
    );
}

#[test]
fn check_estimates_retries_and_the_year_and_run_refuses_what_exceeds_max_events() {
    let s = Scratch::new("estimate");
    let year = scenario(
        "[[failure]]\ntarget = \"westeurope\"\nmtbf = \"30d\"\nmttr = { dist = \"exponential\", mean = \"1h\" }\n\
         [policy]\nauto_promote = { after = \"1m\", kind = \"forced\" }\n[promotion]\ndns = \"300d\"\n",
    )
    .replace("rate = 50", "rate = 1");
    let file = s.write("year.toml", year.as_bytes());
    let o = geosim(&["check", arg(&file)]);
    let plan = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(plan.contains("year of failures"), "{plan}");
    assert!(!plan.contains("rough wall time: under a second"), "{plan}");
    let limited = year.replace(
        "duration = \"20s\"",
        "duration = \"20s\"\nmax_events = 10000000",
    );
    let file = s.write("year-limited.toml", limited.as_bytes());
    let started = Instant::now();
    let o = geosim(&["run", arg(&file), "--out", arg(&s.path("out"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("simulation.max_events") && stderr(&o).contains("DNS"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    let big = scenario("").replace("duration = \"20s\"", "duration = \"1h\"\nmax_events = 1000");
    let file = s.write("big.toml", big.as_bytes());
    let o = geosim(&["run", arg(&file), "--out", arg(&s.path("out"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("max_events = 1000"), "{}", stderr(&o));
    assert!(!s.path("out/big").exists());
}

#[cfg(unix)]
fn interrupt(pid: u32) {
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_sweep_and_the_year_within_a_second_with_exit_130() {
    let s = Scratch::new("ctrlc");
    let long = scenario("")
        .replace("duration = \"20s\"", "duration = \"1d\"")
        .replace("rate = 50", "rate = 2000");
    let file = s.write("long.toml", long.as_bytes());
    let year = scenario(
        "[[failure]]\ntarget = \"northeurope\"\nmtbf = \"1d\"\nmttr = { dist = \"exponential\", mean = \"1h\" }\n",
    )
    .replace("rate = 50", "rate = 200")
    .replace("[simulation]\n", "[simulation]\nruns = 4\n");
    let year_file = s.write("yearly.toml", year.as_bytes());
    for (what, args) in [
        (
            "sweep",
            vec![
                "sweep",
                arg(&file),
                "--set",
                "workload.rate=1000,2000,3000",
                "--out",
                arg(&s.path("out")),
                "--quiet",
            ],
        ),
        (
            "year",
            vec![
                "run",
                arg(&year_file),
                "--out",
                arg(&s.path("out")),
                "--quiet",
                "--no-charts",
            ],
        ),
    ] {
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs(3));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{what} ended too soon to test"
        );
        interrupt(child.id());
        let asked = Instant::now();
        while child.try_wait().unwrap().is_none() && asked.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let took = asked.elapsed();
        let _ = child.kill();
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(130), "{what}: {}", stderr(&o));
        // A second, with room for a loaded machine.
        assert!(
            took < Duration::from_secs(3),
            "{what}: stopped {took:?} after Ctrl-C"
        );
    }
    assert!(!s.path("out/long/sweep").exists());
}

#[test]
fn odd_output_paths_give_a_clear_error_or_correct_output() {
    let s = Scratch::new("paths");
    let file = s.write("odd.toml", scenario("").as_bytes());
    // A file as --out.
    let blocker = s.write("a-file", b"x");
    let o = geosim(&["run", arg(&file), "--out", arg(&blocker), "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a file of that name is in the way"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&blocker).unwrap(), b"x");
    // Spaces and non-ASCII.
    let odd = s.path("dir with spaces/résumé 目录");
    let o = geosim(&["run", arg(&file), "--out", arg(&odd), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(odd.join("odd/run.json").is_file() && odd.join("odd/report.html").is_file());
    // A read-only directory: an error before running (or, for root, which may write
    // anywhere, correct output).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = s.path("read-only");
        fs::create_dir_all(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        let o = geosim(&["run", arg(&file), "--out", arg(&ro), "--quiet"]);
        match o.status.code() {
            Some(1) => {
                assert!(stderr(&o).contains("cannot"), "{}", stderr(&o));
                assert_eq!(fs::read_dir(&ro).unwrap().count(), 0);
            }
            Some(0) => assert!(ro.join("odd/run.json").is_file()),
            other => panic!("read-only --out: exit {other:?}: {}", stderr(&o)),
        }
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
        // A read-only filesystem refuses even root.
        if Path::new("/proc/self").exists() {
            let o = geosim(&["run", arg(&file), "--out", "/proc/geosim-out", "--quiet"]);
            assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
            assert!(
                stderr(&o).contains("cannot create the output directory"),
                "{}",
                stderr(&o)
            );
        }
    }
}
