//! The engine benchmark (issue 5): `cargo bench` (add `-- --quick` for a smoke run,
//! or name cases to run only those: `cargo bench -- steady-async steady-sync`).
//!
//! Covers: simulated writes per second of wall time, engine events per second and
//! peak resident memory, for steady async and sync replication with constant delays
//! and with jitter (issue 15: `benches/jittered.toml`, lognormal commits, a normal RTT,
//! a 1 Gbit/s link), jittered sync with 1, 3 and 5 secondaries and with a quorum (ANY 2
//! of 3), a one-hour outage backlog, four-hour steady runs (memory must stay flat),
//! the shipped `cross-continent` scenario on one and two worker threads, and one year
//! of failures of `scenarios/year-of-failures.toml` at 500 writes/s (the episode
//! method).
//!
//! Peak memory is the process's high-water mark (`VmHWM`), which only ever grows; so
//! the parent process runs each case in a fresh child (this same binary, re-executed
//! with `--case NAME`), and no case inherits another's peak. Each child is killed
//! after `CASE_TIMEOUT`, which bounds the whole benchmark.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use geosim::engine::Simulation;
use geosim::model::Model;
use geosim::report::csv::{summary_csv, timeseries_csv};
use geosim::runner::{run, RunOptions};

/// A child that takes longer than this is reported as timed out (the full benchmark
/// takes a few minutes on the 2-core reference machine).
const CASE_TIMEOUT: Duration = Duration::from_secs(900);

/// The cases in the order they are printed.
const CASES: [&str; 18] = [
    "steady-async",
    "steady-async-reads",
    "steady-sync",
    "jittered-async",
    "jittered-sync",
    "jittered-async-2h",
    "jittered-sync-1s",
    "jittered-sync-3s",
    "jittered-sync-5s",
    "jittered-quorum-3s",
    "jittered-async-1s",
    "jittered-async-3s",
    "jittered-async-5s",
    "outage-backlog",
    "steady-async-4h",
    "cross-continent-j1",
    "cross-continent-j2",
    "year-500",
];

/// westeurope → eastus at 10,000 writes/s of 1 KiB (catalogue RTT, default commit and
/// local round trip), one variant.
fn steady(mode: &str, duration: &str, outage: &str, max_lag: &str) -> String {
    format!(
        r#"
[simulation]
name = "bench"
duration = "{duration}"
seed = 1

[[region]]
name = "westeurope"

[[region]]
name = "eastus"

[workload]
client_region = "westeurope"
rate = 10000
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["eastus"]
mode = "{mode}"
{outage}
[[variant]]
name = "{mode}"
mode = "{mode}"
max_lag = "{max_lag}"
"#
    )
}

/// `benches/jittered.toml` with only its variant `mode` (`async` or `sync`), over
/// `duration`.
fn jittered(mode: &str, duration: &str) -> String {
    let text = include_str!("jittered.toml")
        .replace("duration = \"30m\"", &format!("duration = \"{duration}\""));
    let keep = format!("name = \"{mode}\"");
    // Drop the other variant: each `[[variant]]` block runs to the next blank line.
    let mut out = String::new();
    for block in text.split("\n\n") {
        if block.starts_with("[[variant]]") && !block.contains(&keep) {
            continue;
        }
        out.push_str(block);
        out.push_str("\n\n");
    }
    out
}

/// The secondaries of the `-Ns` cases, in the order they are added, with the RTT
/// (ms) of their link to westeurope (about the catalogue's).
const SECONDARIES: [(&str, u32); 5] = [
    ("eastus", 84),
    ("northeurope", 18),
    ("eastus2", 88),
    ("westus", 140),
    ("southeastasia", 160),
];

/// As `jittered(mode, "30m")` with the first `n` of `SECONDARIES`, each link jittered
/// (normal RTT, sd 3 ms, 1 Gbit/s) and each region's commit lognormal.
/// `mode` "quorum": sync commit on any majority of the secondaries (`sync_acks`, ANY 2
/// of 3 for three: PostgreSQL's quorum commit, issue 12's benchmark case).
fn jittered_secondaries(mode: &str, n: usize) -> String {
    let (mode, acks) = match mode {
        "quorum" => ("sync", format!("sync_acks = {}\n", n / 2 + 1)),
        _ => (mode, String::new()),
    };
    let set = &SECONDARIES[..n];
    let mut text = String::from(
        "[simulation]\nname = \"jittered-n\"\nduration = \"30m\"\nseed = 1\n\n\
         [[region]]\nname = \"westeurope\"\n\
         commit = { dist = \"lognormal\", median = \"2ms\", p99 = \"8ms\" }\n\n",
    );
    for (name, _) in set {
        text.push_str(&format!(
            "[[region]]\nname = \"{name}\"\n\
             commit = {{ dist = \"lognormal\", median = \"2ms\", p99 = \"8ms\" }}\n\n"
        ));
    }
    for (name, rtt) in set {
        text.push_str(&format!(
            "[[link]]\nbetween = [\"westeurope\", \"{name}\"]\n\
             rtt = {{ dist = \"normal\", mean = \"{rtt}ms\", stddev = \"3ms\" }}\n\
             bandwidth = \"1Gbit/s\"\n\n"
        ));
    }
    let names: Vec<String> = set.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let max_lag = if mode == "sync" { "10s" } else { "5m" };
    text.push_str(&format!(
        "[workload]\nclient_region = \"westeurope\"\nrate = 10000\nsize = \"1KiB\"\n\n\
         [replication]\nprimary = \"westeurope\"\nsecondaries = [{}]\n\n\
         [[variant]]\nname = \"{mode}\"\nmode = \"{mode}\"\nmax_lag = \"{max_lag}\"\n{acks}",
        names.join(", ")
    ));
    text
}

/// The scenario text of a case.
fn scenario(case: &str) -> Option<String> {
    let text = match case {
        "steady-async" => steady("async", "1h", "", "5m"),
        // As steady-async, with readers next to the secondary reading 10,000 times a
        // second (issue 13: at most half again the time of the writes alone).
        "steady-async-reads" => steady(
            "async",
            "1h",
            "\n[reads]\nrate = 10000\nfrom = \"eastus\"\nat = \"nearest\"\n",
            "5m",
        ),
        "steady-sync" => steady("sync", "1h", "", "10s"),
        "steady-async-4h" => steady("async", "4h", "", "5m"),
        // The secondary is down from 30 min to 90 min; max_lag is above any lag the
        // run can reach, so nothing is throttled and the whole hour is backlogged.
        "outage-backlog" => steady(
            "async",
            "2h",
            "\n[[outage]]\ntarget = \"eastus\"\nstart = \"30m\"\nduration = \"1h\"\nkind = \"down\"\n",
            "3h",
        ),
        "jittered-async" => jittered("async", "30m"),
        "jittered-sync" => jittered("sync", "30m"),
        "jittered-async-2h" => jittered("async", "2h"),
        "year-500" => include_str!("../scenarios/year-of-failures.toml")
            .replace("\nrate = 50\n", "\nrate = 500\n")
            .replace("\nruns = 2 ", "\nruns = 1 "),
        _ if case.starts_with("jittered-") && case.ends_with('s') => {
            let rest = &case["jittered-".len()..case.len() - 1];
            let (mode, n) = rest.split_once('-')?;
            jittered_secondaries(mode, n.parse().ok()?)
        }
        "cross-continent-j1" | "cross-continent-j2" => {
            include_str!("../scenarios/cross-continent.toml").to_string()
        }
        _ => return None,
    };
    Some(text)
}

/// `--quick`: the same cases over a sixtieth of the simulated time.
fn shorten(model: &mut Model) {
    let scale = |t: u64| t / 60;
    model.duration = scale(model.duration);
    model.warmup = scale(model.warmup);
    for o in &mut model.outages {
        o.start = scale(o.start);
        o.duration = scale(o.duration);
    }
}

/// What a child reports, one `key=value` per line on stdout.
struct Measured {
    writes: u64,
    events: u64,
    wall_s: f64,
    /// CPU seconds (user + system) of the run, all threads: on a busy machine wall
    /// time also counts the time other processes held the cores.
    cpu_s: f64,
    peak_kib: u64,
    /// FNV-1a of summary.csv + timeseries.csv (cross-continent only).
    csv_hash: Option<u64>,
    /// Hours simulated at full fidelity, every variant's year together (year only).
    episode_h: Option<f64>,
}

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds this process has used so far (all threads, including finished ones).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces);
    // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<u64>() as f64 / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Prints where one variant's year went; returns its hours at full fidelity.
fn year_line(model: &geosim::model::Model, span: &geosim::year::episodes::SpanResult) -> f64 {
    let h = |ns: u64| ns as f64 / 3.6e12;
    let full: u64 = span.incidents.iter().map(|i| i.end - i.start - i.cut).sum();
    let cut: u64 = span.incidents.iter().map(|i| i.cut).sum();
    // Each episode: lead-in, then the failures (first start to last end; less what
    // was cut from them), then the tail it waits to settle.
    let (mut lead, mut failing) = (0, 0);
    for i in &span.incidents {
        let inside: Vec<_> = span
            .draws
            .iter()
            .filter(|d| d.start >= i.start && d.start < i.end)
            .collect();
        let first = inside.iter().map(|d| d.start).min().unwrap_or(i.start);
        let last = inside
            .iter()
            .map(|d| d.end)
            .max()
            .unwrap_or(i.start)
            .min(i.end);
        lead += first - i.start;
        failing += last.saturating_sub(first) - i.cut;
    }
    let writes: u64 = span.incidents.iter().map(|i| i.writes_offered).sum();
    println!(
        "year-500 {}: {} episodes, {:.1} h at full fidelity (lead-in {:.1} h, failures {:.1} h, tails {:.1} h) and {:.1} h of failures cut (blocked or accepting), {:.1} M writes offered, {:.1} M events simulated",
        model.variants[span.variant].name,
        span.incidents.len(),
        h(full),
        h(lead),
        h(failing),
        h(full - lead - failing),
        h(cut),
        writes as f64 / 1e6,
        span.events as f64 / 1e6
    );
    h(full)
}

/// Runs one case in this process (the child side).
fn run_case(case: &str, quick: bool) -> Result<Measured, String> {
    let text = scenario(case).ok_or_else(|| format!("unknown case {case}"))?;
    let mut model =
        geosim::scenario::parse(&text, "bench.toml", case).map_err(|e| e.to_string())?;
    if quick {
        shorten(&mut model);
    }
    let cpu_before = cpu_seconds();
    if case == "year-500" {
        // What `geosim run` does for the year of failures, one span per variant on
        // this thread (variants that may share episodes together), with where its
        // simulated time goes.
        let started = Instant::now();
        let mut episode_h = 0.0;
        let all: Vec<usize> = (0..model.variants.len()).collect();
        for group in geosim::year::shared::groups(&model, &all) {
            let t0 = cpu_seconds();
            let spans =
                geosim::year::episodes::simulate_group(&model, &group, 1, geosim::year::YEAR, 0)
                    .map_err(|e| e.to_string())?;
            for span in &spans {
                episode_h += year_line(&model, span);
            }
            println!("year-500 group {group:?}: {:.1} CPU s", cpu_seconds() - t0);
        }
        return Ok(Measured {
            writes: 0,
            events: 0,
            wall_s: started.elapsed().as_secs_f64(),
            cpu_s: cpu_seconds() - cpu_before,
            peak_kib: 0,
            csv_hash: None,
            episode_h: Some(episode_h),
        });
    }
    if let Some(jobs) = case.strip_prefix("cross-continent-j") {
        let options = RunOptions {
            variants: (0..model.variants.len()).collect(),
            jobs: jobs.parse().map_err(|_| "bad jobs".to_string())?,
            progress: false,
            check: false,
            stop: None,
        };
        let out = run(&model, &options).map_err(|e| e.to_string())?;
        let summary = summary_csv(&out.results).map_err(|e| e.to_string())?;
        let series = timeseries_csv(&out.results).map_err(|e| e.to_string())?;
        return Ok(Measured {
            writes: out.results.iter().map(|r| r.summary.writes_offered).sum(),
            events: out.events,
            wall_s: out.wall_s,
            cpu_s: cpu_seconds() - cpu_before,
            peak_kib: 0,
            csv_hash: Some(fnv1a(&series, fnv1a(&summary, 0xcbf2_9ce4_8422_2325))),
            episode_h: None,
        });
    }
    let started = Instant::now();
    let result = Simulation::new(&model, 0, 1)
        .run(&|_| {})
        .map_err(|e| e.to_string())?;
    Ok(Measured {
        writes: result.summary.writes_offered,
        events: result.summary.events,
        wall_s: started.elapsed().as_secs_f64(),
        cpu_s: cpu_seconds() - cpu_before,
        peak_kib: 0,
        csv_hash: None,
        episode_h: None,
    })
}

fn child(case: &str, quick: bool) -> i32 {
    match run_case(case, quick) {
        Ok(m) => {
            println!("writes={}", m.writes);
            println!("events={}", m.events);
            println!("wall_s={}", m.wall_s);
            println!("cpu_s={}", m.cpu_s);
            println!("peak_kib={}", peak_kib());
            if let Some(h) = m.csv_hash {
                println!("csv_hash={h:016x}");
            }
            if let Some(h) = m.episode_h {
                println!("episode_h={h}");
            }
            0
        }
        Err(e) => {
            eprintln!("case {case}: {e}");
            1
        }
    }
}

/// Runs `case` in a fresh process and parses its report.
fn spawn(case: &str, quick: bool) -> Result<Measured, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("--case").arg(case);
    if quick {
        cmd.arg("--quick");
    }
    let mut proc = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = proc.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > CASE_TIMEOUT {
            let _ = proc.kill();
            let _ = proc.wait();
            return Err(format!("timed out after {} s", CASE_TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    if let Some(mut stdout) = proc.stdout.take() {
        stdout.read_to_string(&mut out).map_err(|e| e.to_string())?;
    }
    // A case's own notes (lines that are not `key=value`) are printed as they are.
    for line in out.lines().filter(|l| !l.contains('=') || l.contains(' ')) {
        println!("{line}");
    }
    if !status.success() {
        return Err(format!("failed ({status})"));
    }
    let get = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_string)
            .ok_or_else(|| format!("no {key} in the child's report"))
    };
    let num = |key: &str| -> Result<f64, String> {
        get(key)?.parse::<f64>().map_err(|e| format!("{key}: {e}"))
    };
    Ok(Measured {
        writes: num("writes")? as u64,
        events: num("events")? as u64,
        wall_s: num("wall_s")?,
        cpu_s: num("cpu_s")?,
        peak_kib: num("peak_kib")? as u64,
        csv_hash: get("csv_hash")
            .ok()
            .and_then(|h| u64::from_str_radix(&h, 16).ok()),
        episode_h: num("episode_h").ok(),
    })
}

/// The memory targets: the 4 h steady peak against the 1 h one, and the outage
/// backlog's peak above the steady run per backlogged write (10,000 writes/s for the
/// hour of outage).
fn memory_notes(peaks: &[(&str, u64)], quick: bool) {
    let peak = |name: &str| peaks.iter().find(|(c, _)| *c == name).map(|&(_, p)| p);
    if let (Some(h1), Some(h4)) = (peak("steady-async"), peak("steady-async-4h")) {
        println!(
            "steady-async: peak memory over 4 h is {:+.1}% of that over 1 h",
            (h4 as f64 / h1 as f64 - 1.0) * 100.0
        );
    }
    if let (Some(m30), Some(h2)) = (peak("jittered-async"), peak("jittered-async-2h")) {
        println!(
            "jittered-async: peak memory over 2 h is {:+.1}% ({:+.1} MiB) of that over 30 min (issue 15: within 10% + 2 MiB)",
            (h2 as f64 / m30 as f64 - 1.0) * 100.0,
            (h2 as f64 - m30 as f64) / 1024.0
        );
    }
    if let (Some(steady), Some(outage)) = (peak("steady-async"), peak("outage-backlog")) {
        let backlog = 10_000.0 * 3600.0 / if quick { 60.0 } else { 1.0 };
        println!(
            "outage-backlog: {:.1} bytes of peak memory per backlogged write above steady-async ({:.1} M writes backlogged)",
            (outage.saturating_sub(steady) * 1024) as f64 / backlog,
            backlog / 1e6
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick")
        || std::env::var_os("GEOSIM_BENCH_QUICK").is_some_and(|v| v != "0");
    if let Some(i) = args.iter().position(|a| a == "--case") {
        let case = args.get(i + 1).map_or("", String::as_str);
        std::process::exit(child(case, quick));
    }
    // Cargo passes `--bench`; any other bare word selects cases by name.
    let wanted: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let cases: Vec<&str> = CASES
        .iter()
        .copied()
        .filter(|c| wanted.is_empty() || wanted.iter().any(|w| c.starts_with(w)))
        .collect();
    println!(
        "geosim engine benchmark{} (each case in a fresh process)",
        if quick { ", --quick" } else { "" }
    );
    println!("load average before: {}", load_average());
    println!(
        "{:<20} {:>11} {:>12} {:>8} {:>7} {:>15} {:>14} {:>15} {:>9}",
        "case",
        "writes",
        "events",
        "wall_s",
        "cpu_s",
        "writes/s wall",
        "events/s wall",
        "writes/s cpu",
        "peak_MiB"
    );
    let mut cross: Vec<(&str, Measured)> = Vec::new();
    let mut steady_cpu: Vec<(&str, f64)> = Vec::new();
    let mut failed = false;
    let mut peaks: Vec<(&str, u64)> = Vec::new();
    for case in cases {
        if quick && case == "year-500" {
            // A year has no shorter version: its episodes are as long as its failures.
            continue;
        }
        match spawn(case, quick) {
            Ok(m) if m.episode_h.is_some() => {
                println!(
                    "{:<20} {:>11} {:>12} {:>8.2} {:>7.2} {:>15} {:>14} {:>15} {:>9.1}",
                    case,
                    "-",
                    "-",
                    m.wall_s,
                    m.cpu_s,
                    "-",
                    "-",
                    "-",
                    m.peak_kib as f64 / 1024.0
                );
                println!(
                    "{case}: one simulated year per variant, {:.1} h of episodes at full fidelity in all",
                    m.episode_h.unwrap_or(0.0)
                );
            }
            Ok(m) => {
                println!(
                    "{:<20} {:>11} {:>12} {:>8.2} {:>7.2} {:>15.0} {:>14.0} {:>15.0} {:>9.1}",
                    case,
                    m.writes,
                    m.events,
                    m.wall_s,
                    m.cpu_s,
                    m.writes as f64 / m.wall_s,
                    m.events as f64 / m.wall_s,
                    m.writes as f64 / m.cpu_s.max(0.01),
                    m.peak_kib as f64 / 1024.0
                );
                peaks.push((case, m.peak_kib));
                if case == "steady-async" || case == "steady-async-reads" {
                    steady_cpu.push((case, m.cpu_s));
                }
                if case.starts_with("cross-continent") {
                    cross.push((case, m));
                }
            }
            Err(e) => {
                println!("{case:<20} {e}");
                failed = true;
            }
        }
    }
    memory_notes(&peaks, quick);
    if let [(_, writes), (_, with_reads)] = steady_cpu.as_slice() {
        println!(
            "reads at 10,000/s add {:.0}% to steady-async's CPU time (issue 13: at most 50%)",
            (with_reads / writes - 1.0) * 100.0
        );
    }
    if let [(_, j1), (_, j2)] = cross.as_slice() {
        let same = j1.csv_hash.is_some() && j1.csv_hash == j2.csv_hash;
        println!(
            "cross-continent: --jobs 2 is {:.2}x faster than --jobs 1; summary.csv and timeseries.csv {}",
            j1.wall_s / j2.wall_s,
            if same { "identical" } else { "DIFFER" }
        );
        failed |= !same;
    }
    println!("load average after: {}", load_average());
    if failed {
        std::process::exit(1);
    }
}
