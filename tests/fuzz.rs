//! Mutation fuzzing on stable Rust: no input makes geosim panic or hang (SPEC §1).
//!
//! Takes the shipped scenarios and mutates them — byte flips, truncation, deleted and
//! duplicated lines and tables, values swapped for extremes, keys renamed, types
//! changed, units changed, numbers scaled, snippets of valid tables added — then runs
//! each mutant through parse + validate + plan, and, when it is valid, a short
//! simulation of every variant with the invariant checker on, under a tight event
//! limit, and the CSV writers. Panics are caught per case; a watchdog fails the test
//! if one case runs too long. Each case is also held to what `geosim check` would
//! promise for it: its wall time to the plan's estimate (events at
//! `limits::EVENTS_PER_S`, each simulation capped at its event limit) and its peak heap
//! to `limits::estimate`'s memory, each with a margin; a case past either is a failure
//! ("hang past the estimate", "memory past the estimate"), counted in the summary line.
//!
//! ```text
//! cargo test --test fuzz -- --nocapture                          # 10,000 mutants, fixed seed
//! GEOSIM_FUZZ_SEED=N cargo test --test fuzz -- --nocapture       # reproduce a run
//! GEOSIM_FUZZ_SEED=clock cargo test --test fuzz -- --nocapture   # new cases each run
//! GEOSIM_FUZZ_CASES=1000000 cargo test --release --test fuzz -- --nocapture
//! ```

use geosim::engine::rng::SimRng;
use rand::{Rng as _, SeedableRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use geosim::check::Checker;
use geosim::engine::Simulation;
use geosim::model::{Model, NS_PER_S};

/// The seed of plain `cargo test` (see `seed`).
const DEFAULT_SEED: u64 = 0x6765_6f73_696d_0016;
/// Mutants per `cargo test` run unless `GEOSIM_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 10_000;
/// Engine events per simulation: enough to reach promotions and outages in a
/// shortened run, few enough that a case takes milliseconds.
const MAX_EVENTS: u64 = 4_000;
/// Simulated time per mutant; longer runs are cut to this.
const MAX_DURATION_S: u64 = 3_600;
/// Writes a shortened run issues (see `bound`).
const WRITES_PER_RUN: f64 = 300.0;
/// A case taking longer than this is a hang.
const CASE_LIMIT: Duration = Duration::from_secs(20);

/// A case may take this much longer than the plan estimates, plus `TIME_SLACK`: the
/// estimate is of a quiet core, and CI machines are shared.
const TIME_FACTOR: f64 = 10.0;
const TIME_SLACK: Duration = Duration::from_secs(2);
/// A case's peak heap may exceed `limits::estimate` by this factor plus
/// `MEMORY_SLACK` (the model, the catalogue, histograms and parse buffers, which the
/// estimate of the backlog and the time series leaves out).
const MEMORY_FACTOR: f64 = 2.0;
const MEMORY_SLACK: f64 = 64.0 * 1024.0 * 1024.0;

/// The test binary's allocator: the system's, counting each thread's live heap bytes
/// and their peak, so that a case — which runs on one worker thread — is measured
/// alone, whatever the other workers hold.
struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

thread_local! {
    // Const-initialised: touching them never allocates, so the allocator cannot recurse.
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn counted(delta: i64) {
    // `try_with`: a thread being torn down has no counters left, and frees anyway.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to `System`; the counting only reads sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            counted(layout.size() as i64);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            counted(layout.size() as i64);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        counted(-(layout.size() as i64));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            counted(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Starts measuring this thread's peak heap from now; returns the baseline.
fn heap_mark() -> i64 {
    let live = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(live));
    live
}

/// The most this thread's heap grew above `mark` since `heap_mark`.
fn heap_peak_since(mark: i64) -> f64 {
    (PEAK.with(Cell::get) - mark).max(0) as f64
}

/// The engine's named, portable generator (xoshiro256++), so a seed reproduces.
#[derive(Clone)]
struct Rng(SimRng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(SimRng::seed_from_u64(seed))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that break naive code: zero, negatives, huge, non-finite, empty, unicode,
/// past the clock, wrong types.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "\"\"",
    "\"1e30d\"",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "\"0s\"",
    "\"-5m\"",
    "\"0ns\"",
    "\"1ns\"",
    "\"213503d\"",
    "\"400d\"",
    "\"1e-300s\"",
    "\"nans\"",
    "\"infms\"",
    "\"0B\"",
    "\"1TiB\"",
    "\"0Mbit/s\"",
    "\"1bit/s\"",
    "\"1e30MB/s\"",
    "\"日本語\"",
    "\"é\"",
    "\"westeurope<->westeurope\"",
    "\"<->\"",
    "true",
    "[]",
    "{}",
    "[\"\"]",
    "{ dist = \"pareto\", scale = \"1ms\", shape = 1.0000001 }",
    "{ dist = \"pareto\", scale = \"1ns\", shape = 100 }",
    "{ dist = \"lognormal\", median = \"2ms\", p99 = \"2ms\" }",
    "{ dist = \"lognormal\", median = \"1ns\", p99 = \"100d\" }",
    "{ dist = \"normal\", mean = \"1ms\", stddev = \"100d\" }",
    "{ dist = \"normal\", mean = \"0s\", stddev = \"0s\" }",
    "{ dist = \"uniform\", min = \"0s\", max = \"0s\" }",
    "{ dist = \"uniform\", min = \"5ms\", max = \"1ms\" }",
    "{ dist = \"exponential\", mean = \"1ns\" }",
    "{ dist = \"exponential\", mean = \"1e30d\" }",
    "{ after = \"0s\", kind = \"forced\" }",
    "{ after = \"1ns\", kind = \"planned\", escalate_after = \"0s\" }",
];

/// Whole tables to add: they make valid mutants reach outages, promotions, mode
/// changes and policies. `{R}` is replaced by a region of the scenario, `{T}` by a
/// time, `{D}` by a duration.
const SNIPPETS: &[&str] = &[
    "[[outage]]\ntarget = \"{R}\"\nstart = \"{T}\"\nduration = \"{D}\"\n",
    "[[outage]]\ntarget = \"{R}<->{R}\"\nstart = \"{T}\"\nduration = \"{D}\"\n",
    "[[outage]]\ntarget = \"{R}\"\nstart = \"{T}\"\nduration = \"{D}\"\nkind = \"slow\"\nfactor = 1e9\n",
    "[[action]]\nat = \"{T}\"\npromote = \"planned\"\n",
    "[[action]]\nat = \"{T}\"\npromote = \"forced\"\ntarget = \"{R}\"\n",
    "[[action]]\nat = \"{T}\"\npromote = \"planned\"\nescalate_after = \"{D}\"\n",
    "[[action]]\nat = \"{T}\"\nset_mode = \"sync\"\n",
    "[[action]]\nat = \"{T}\"\nset_mode = \"async\"\n",
    "[[action]]\nat = \"{T}\"\nset_max_lag = \"{D}\"\n",
    "[[failure]]\ntarget = \"{R}\"\nmtbf = \"{D}\"\nmttr = \"{D}\"\n",
    "[[workload.phase]]\nat = \"{T}\"\nrate = 5000\n",
    "[[variant]]\nname = \"fz\"\nmode = \"sync\"\nmax_lag = \"{D}\"\npromote = \"forced\"\n",
    "[policy]\nauto_promote = { after = \"{D}\", kind = \"planned\", escalate_after = \"{D}\" }\nremove_secondary_after = \"{D}\"\n",
    "[promotion]\nswitch = \"{D}\"\ndns = \"{D}\"\n",
];

const TIMES: &[&str] = &["0s", "1ns", "1s", "10s", "1m", "5m", "20m", "59m", "2h"];
const DURATIONS: &[&str] = &["0s", "1ns", "1ms", "1s", "30s", "5m", "1h", "30d"];
const UNITS: &[&str] = &[
    "ns", "us", "ms", "s", "m", "h", "d", "B", "KiB", "MB", "Mbit/s", "x", "",
];

/// The spans `(key start, value start, value end)` of `key = value` assignments.
fn assignments(text: &str) -> Vec<(usize, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = text[i..].find(" = ") {
        let eq = i + off;
        let vstart = eq + 3;
        let mut kstart = eq;
        while kstart > 0
            && (b[kstart - 1].is_ascii_alphanumeric() || b"_.".contains(&b[kstart - 1]))
        {
            kstart -= 1;
        }
        out.push((kstart, vstart, value_end(b, vstart)));
        i = vstart;
    }
    out
}

/// End of the TOML value starting at `start` (a string, array, inline table or bare word).
fn value_end(b: &[u8], start: usize) -> usize {
    let (open, close) = match b.get(start) {
        Some(b'"') => {
            return b[start + 1..]
                .iter()
                .position(|&c| c == b'"' || c == b'\n')
                .map_or(b.len(), |p| start + 2 + p)
                .min(b.len())
        }
        Some(b'[') => (b'[', b']'),
        Some(b'{') => (b'{', b'}'),
        _ => {
            return b[start..]
                .iter()
                .position(|&c| b",}]\n #".contains(&c))
                .map_or(b.len(), |p| start + p)
        }
    };
    let mut depth = 0;
    for (i, &c) in b[start..].iter().enumerate() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return start + i + 1;
            }
        } else if c == b'\n' && open == b'{' {
            break;
        }
    }
    b.len()
}

fn region_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_string)
        .collect();
    names.push("westeurope".into());
    names
}

/// Line ranges `[start, end)` of the tables (a header line to the next header).
fn tables(lines: &[&str]) -> Vec<(usize, usize)> {
    let heads: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with('['))
        .collect();
    heads
        .iter()
        .enumerate()
        .map(|(k, &h)| (h, heads.get(k + 1).copied().unwrap_or(lines.len())))
        .collect()
}

fn mutate(text: &str, rng: &mut Rng, corpus_keys: &[String]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let lines: Vec<&str> = text.lines().collect();
    let len = bytes.len().max(1);
    match rng.below(16) {
        0 => {
            let i = rng.below(len).min(bytes.len().saturating_sub(1));
            if let Some(b) = bytes.get_mut(i) {
                *b ^= 1 << rng.below(8);
            }
        }
        1 => bytes.truncate(rng.below(len)),
        2 | 3 => {
            let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            if !lines.is_empty() {
                let i = rng.below(lines.len());
                if rng.below(2) == 0 {
                    lines.remove(i);
                } else {
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
            }
            return lines.join("\n");
        }
        4 => {
            let t = tables(&lines);
            if t.is_empty() {
                return text.to_string();
            }
            let (a, b) = *rng.pick(&t);
            let mut out: Vec<&str> = lines[..a].to_vec();
            if rng.below(2) == 0 {
                out.extend_from_slice(&lines[a..b]);
            }
            out.extend_from_slice(&lines[a..]);
            if out.len() > lines.len() {
                return out.join("\n");
            }
            let mut out: Vec<&str> = lines[..a].to_vec();
            out.extend_from_slice(&lines[b..]);
            return out.join("\n");
        }
        5..=7 => return replace_value(text, rng, |rng, _| rng.pick(EXTREMES).to_string()),
        8 => return replace_value(text, rng, change_type),
        9 => return rename_key(text, rng, corpus_keys),
        10 => return swap_values(text, rng),
        11 => return replace_value(text, rng, scale_number),
        12 => return replace_value(text, rng, change_unit),
        13 | 14 => return add_snippet(text, rng),
        _ => {
            let junk = [
                "\"", "=", "[", "]", "{", "}", ",", "#", "\n", "\\", "é", "\u{0}", "[[", "'''",
            ];
            let i = rng.below(len).min(bytes.len());
            let j = rng.pick(&junk).as_bytes();
            bytes.splice(i..i, j.iter().copied());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn replace_value(text: &str, rng: &mut Rng, with: impl Fn(&mut Rng, &str) -> String) -> String {
    let spans = assignments(text);
    if spans.is_empty() {
        return text.to_string();
    }
    let (_, a, b) = *rng.pick(&spans);
    let new = with(rng, &text[a..b]);
    format!("{}{}{}", &text[..a], new, &text[b..])
}

fn change_type(rng: &mut Rng, v: &str) -> String {
    let unquoted = v.trim_matches('"');
    match rng.below(5) {
        0 if v.starts_with('"') => unquoted.to_string(),
        0 | 1 => format!("\"{unquoted}\""),
        2 => format!("[{v}]"),
        3 => format!("{{ value = {v} }}"),
        _ => "1.5".to_string(),
    }
}

fn scale_number(rng: &mut Rng, v: &str) -> String {
    let Some(start) = v.find(|c: char| c.is_ascii_digit()) else {
        return v.to_string();
    };
    let end = v[start..]
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or(v.len(), |e| start + e);
    let x: f64 = v[start..end].parse().unwrap_or(1.0);
    let factor = *rng.pick(&[0.0, 1e-9, 1e-3, 0.5, 2.0, 1e3, 1e6, 1e12]);
    format!("{}{}{}", &v[..start], x * factor, &v[end..])
}

fn change_unit(rng: &mut Rng, v: &str) -> String {
    let Some(end) = v.rfind(|c: char| c.is_ascii_digit()) else {
        return v.to_string();
    };
    let close = if v.ends_with('"') { "\"" } else { "" };
    format!("{}{}{close}", &v[..=end], rng.pick(UNITS))
}

fn rename_key(text: &str, rng: &mut Rng, corpus_keys: &[String]) -> String {
    let spans = assignments(text);
    if spans.is_empty() {
        return text.to_string();
    }
    let (k, v, _) = *rng.pick(&spans);
    let key = &text[k..v - 3];
    let new = match rng.below(4) {
        0 if key.len() > 1 => {
            let i = rng.below(key.len() - 1);
            format!("{}{}", &key[..i], &key[i + 1..])
        }
        1 => key.to_uppercase(),
        2 => format!("{key}s"),
        _ => rng.pick(corpus_keys).clone(),
    };
    format!("{}{}{}", &text[..k], new, &text[v - 3..])
}

fn swap_values(text: &str, rng: &mut Rng) -> String {
    let spans = assignments(text);
    if spans.len() < 2 {
        return text.to_string();
    }
    let (_, a1, b1) = *rng.pick(&spans);
    let (_, a2, b2) = *rng.pick(&spans);
    if a1 == a2 || b1 > a2 && b2 > a1 {
        return text.to_string();
    }
    let ((a1, b1), (a2, b2)) = if a1 < a2 {
        ((a1, b1), (a2, b2))
    } else {
        ((a2, b2), (a1, b1))
    };
    format!(
        "{}{}{}{}{}",
        &text[..a1],
        &text[a2..b2],
        &text[b1..a2],
        &text[a1..b1],
        &text[b2..]
    )
}

fn add_snippet(text: &str, rng: &mut Rng) -> String {
    let regions = region_names(text);
    let mut s = rng.pick(SNIPPETS).to_string();
    while let Some(i) = s.find("{R}") {
        let r = rng.pick(&regions).clone();
        s.replace_range(i..i + 3, &r);
    }
    while let Some(i) = s.find("{T}") {
        let t = *rng.pick(TIMES);
        s.replace_range(i..i + 3, t);
    }
    while let Some(i) = s.find("{D}") {
        let d = *rng.pick(DURATIONS);
        s.replace_range(i..i + 3, d);
    }
    format!("{text}\n{s}")
}

/// Cuts a valid model down to a bounded case, keeping what validation guarantees
/// (warmup < duration, bucket ≤ duration). Unless `keep_rate`, rates are lowered so
/// that a run issues a few hundred writes over its whole duration: the outages and
/// actions then happen within the event limit, where the original rate would stop
/// the run at the limit first (`keep_rate` cases test that path).
fn bound(model: &mut Model, keep_rate: bool) {
    model.max_events = MAX_EVENTS;
    model.runs = model.runs.min(2);
    let cap = MAX_DURATION_S * NS_PER_S;
    if model.duration > cap {
        model.duration = cap;
        model.warmup = model.warmup.min(cap / 2);
        model.bucket = model.bucket.min(cap);
    }
    // A fine bucket over a long run is valid but costs a row per bucket.
    model.bucket = model.bucket.max(model.duration / 1_000).max(1);
    if !keep_rate {
        let most = WRITES_PER_RUN / (model.duration as f64 / NS_PER_S as f64);
        for p in &mut model.workload.phases {
            p.rate = p.rate.min(most);
        }
    }
}

#[derive(Default)]
struct Tally {
    valid: usize,
    simulated: usize,
    limited: usize,
    /// The slowest case: (wall time, case).
    slowest: (Duration, usize),
    /// The largest peak heap of a case, in bytes: (bytes, case).
    heaviest: (u64, usize),
    /// Cases past their time or memory budget (each also a failure).
    over_time: usize,
    over_memory: usize,
}

/// One case: parse, plan, and simulate every variant × run with the checker.
/// Returns the checker's violations.
fn run_case(text: &str, case: usize, tally: &mut Tally) -> Vec<String> {
    let mut model = match geosim::scenario::parse(text, "fuzz.toml", "fuzz") {
        Ok(m) => m,
        Err(e) => {
            let _ = e.to_string();
            return Vec::new();
        }
    };
    tally.valid += 1;
    let _ = geosim::scenario::plan(&model);
    bound(&mut model, case.is_multiple_of(10));
    // What `geosim check` would promise for the bounded model, run one simulation at a
    // time as here: events (each simulation stops at its limit) and memory.
    let events: f64 = (0..model.variants.len())
        .map(|v| geosim::limits::expected_events(&model, v).min(model.max_events as f64))
        .sum::<f64>()
        * f64::from(model.runs);
    let time_budget =
        Duration::from_secs_f64(TIME_FACTOR * events / geosim::limits::EVENTS_PER_S) + TIME_SLACK;
    let memory_budget = MEMORY_FACTOR
        * geosim::limits::estimate(&model, model.variants.len(), 1).bytes
        + MEMORY_SLACK;
    let began = Instant::now();
    let mark = heap_mark();
    let charts = case % 500 == 1;
    let mut results = Vec::new();
    let mut violations = Vec::new();
    for v in 0..model.variants.len() {
        for run in 1..=model.runs {
            let mut checker = Checker::new(&model);
            match Simulation::new(&model, v, run)
                .observed(&mut checker)
                .run(&|_| {})
            {
                Ok(r) => {
                    tally.simulated += 1;
                    violations.extend(
                        checker
                            .finish(&model, &r)
                            .into_iter()
                            .map(|m| format!("variant {v} run {run}: {m}")),
                    );
                    results.push(r);
                }
                Err(e) => {
                    tally.limited += 1;
                    let _ = e.to_string();
                }
            }
        }
    }
    if let (Ok(s), Ok(t)) = (
        geosim::report::csv::summary_csv(&results),
        geosim::report::csv::timeseries_csv(&results),
    ) {
        violations.extend(geosim::check::csv_totals(&s, &t));
    }
    // The budgets cover what check estimates (parse, plan, simulations, CSV), not the
    // charts drawn below for a few cases.
    let took = began.elapsed();
    let heap = heap_peak_since(mark);
    tally.heaviest = tally.heaviest.max((heap as u64, case));
    if took > time_budget {
        tally.over_time += 1;
        violations.push(format!(
            "hang past the estimate: {:.3} s where the plan allows {:.3} s ({events:.0} events)",
            took.as_secs_f64(),
            time_budget.as_secs_f64()
        ));
    }
    if heap > memory_budget {
        tally.over_memory += 1;
        violations.push(format!(
            "memory past the estimate: a peak heap of {:.1} MiB where the estimate allows {:.1} MiB",
            heap / 1048576.0,
            memory_budget / 1048576.0
        ));
    }
    if charts && !results.is_empty() {
        let info = geosim::report::json::RunInfo {
            version: "fuzz",
            scenario_file: "fuzz.toml",
            scenario_hash: "0",
            seed: model.seed,
            wall_s: 0.0,
            events: 0,
            variants: results.iter().map(|r| r.summary.variant.as_str()).collect(),
            sets: &[],
        };
        let _ = geosim::report::render(
            &model,
            &results,
            geosim::report::charts::ChartFormat::Svg,
            &info,
            None,
        );
    }
    violations
}

/// Fails the test (the whole process: a hung thread cannot be stopped) when a case
/// runs past `CASE_LIMIT`, printing its input.
fn watchdog(current: &Busy, next: &AtomicUsize, cases: usize, seed: u64) {
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let busy = current.lock().unwrap();
        if busy.iter().all(Option::is_none) && next.load(Ordering::Relaxed) >= cases {
            return;
        }
        for (case, since, text) in busy.iter().flatten() {
            if since.elapsed() > CASE_LIMIT {
                say(&format!(
                    "fuzz: case {case} (seed {seed}) has run for {:?}: a hang. Its input:\n{text}",
                    since.elapsed()
                ));
                std::process::exit(101);
            }
        }
    }
}

/// Writes to stderr past the test harness's capture: the seed must show in every
/// CI log, and a hang report must survive `process::exit`.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The fixed `DEFAULT_SEED` in plain `cargo test`, so that two CI runs test the same
/// cases and a failure reproduces; `GEOSIM_FUZZ_SEED=N` picks another, and
/// `GEOSIM_FUZZ_SEED=clock` a new one each run (for long exploratory runs).
fn seed() -> u64 {
    match std::env::var("GEOSIM_FUZZ_SEED")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        Some("clock") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        _ => env_u64("GEOSIM_FUZZ_SEED").unwrap_or(DEFAULT_SEED),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Per worker: the case it is running, since when, and its input.
type Busy = Mutex<Vec<Option<(usize, Instant, String)>>>;

struct Failure {
    case: usize,
    what: String,
    text: String,
}

#[test]
fn mutants_of_the_shipped_scenarios_never_panic_hang_or_break_invariants() {
    let seed = seed();
    let cases = env_u64("GEOSIM_FUZZ_CASES").map_or(DEFAULT_CASES, |n| n as usize);

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut corpus: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).expect("readable scenario"))
        .collect();
    corpus.sort();
    assert!(!corpus.is_empty(), "no scenarios to mutate");
    let mut keys: Vec<String> = corpus
        .iter()
        .flat_map(|t| {
            assignments(t)
                .into_iter()
                .map(move |(k, v, _)| t[k..v - 3].to_string())
        })
        .collect();
    keys.sort();
    keys.dedup();

    campaign("mutants", cases, seed, &|rng: &mut Rng| {
        let mut text = rng.pick(&corpus).clone();
        // Mostly one mutation, so that many mutants stay valid and reach the engine.
        let n = if rng.below(4) == 0 {
            2 + rng.below(3)
        } else {
            1
        };
        for _ in 0..n {
            text = mutate(&text, rng, &keys);
        }
        text
    });
}

/// Runs `cases` inputs made by `make` (each from its own stream of `seed`) through
/// `run_case` on every core, with a watchdog; fails on any panic, hang or violation.
fn campaign(label: &str, cases: usize, seed: u64, make: &(dyn Fn(&mut Rng) -> String + Sync)) {
    say(&format!(
        "fuzz: {cases} {label}, seed {seed} (reproduce: GEOSIM_FUZZ_SEED={seed})"
    ));
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let current: Busy = Mutex::new(vec![None; workers]);
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    let tally = Mutex::new(Tally::default());
    let started = Instant::now();

    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (next, current, failures, tally) = (&next, &current, &failures, &tally);
            scope.spawn(move || {
                let mut mine = Tally::default();
                loop {
                    let case = next.fetch_add(1, Ordering::Relaxed);
                    if case >= cases {
                        break;
                    }
                    // Each case has its own stream: a case reproduces from (seed, case).
                    let mut rng =
                        Rng::new(seed ^ (case as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
                    rng.next();
                    let text = make(&mut rng);
                    current.lock().unwrap()[worker] = Some((case, Instant::now(), text.clone()));
                    let began = Instant::now();
                    let outcome =
                        catch_unwind(AssertUnwindSafe(|| run_case(&text, case, &mut mine)));
                    mine.slowest = mine.slowest.max((began.elapsed(), case));
                    let what = match outcome {
                        Ok(v) if v.is_empty() => None,
                        Ok(v) => Some(format!("invariant violations:\n  {}", v.join("\n  "))),
                        Err(p) => Some(format!(
                            "panic: {}",
                            p.downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| p.downcast_ref::<String>().cloned())
                                .unwrap_or_default()
                        )),
                    };
                    if let Some(what) = what {
                        failures.lock().unwrap().push(Failure { case, what, text });
                    }
                }
                current.lock().unwrap()[worker] = None;
                let mut t = tally.lock().unwrap();
                t.valid += mine.valid;
                t.simulated += mine.simulated;
                t.limited += mine.limited;
                t.slowest = t.slowest.max(mine.slowest);
                t.heaviest = t.heaviest.max(mine.heaviest);
                t.over_time += mine.over_time;
                t.over_memory += mine.over_memory;
            });
        }
        // Watchdog: a case that runs past the limit is a hang; report it with its text.
        let (current, next) = (&current, &next);
        scope.spawn(move || watchdog(current, next, cases, seed));
    });

    let t = tally.into_inner().unwrap();
    let mut failures = failures.into_inner().unwrap();
    let panics = failures
        .iter()
        .filter(|f| f.what.starts_with("panic"))
        .count();
    say(&format!(
        "fuzz: {cases} {label} in {:.1} s: {} valid, {} simulations run, {} stopped at a limit; \
         slowest case {} took {:.3} s; largest peak heap {:.1} MiB (case {}); \
         {panics} panics, {} hangs past the estimate, {} past the memory estimate, {} failures in all",
        started.elapsed().as_secs_f64(),
        t.valid,
        t.simulated,
        t.limited,
        t.slowest.1,
        t.slowest.0.as_secs_f64(),
        t.heaviest.0 as f64 / 1048576.0,
        t.heaviest.1,
        t.over_time,
        t.over_memory,
        failures.len()
    ));
    failures.sort_by_key(|f| f.case);
    let shown: Vec<String> = failures
        .iter()
        .take(5)
        .map(|f| {
            format!(
                "case {} (seed {seed}): {}\n--- input ---\n{}\n---",
                f.case, f.what, f.text
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {cases} {label} failed (seed {seed}):\n{}",
        failures.len(),
        shown.join("\n")
    );
    // The harness must reach the engine, or it tests only the parser.
    assert!(
        t.simulated > cases / 20,
        "only {} simulations ran",
        t.simulated
    );
}

/// Valid scenarios per `cargo test` from the structure-aware generator.
const DEFAULT_GENERATED: usize = 400;

/// Regions of the built-in catalogue the generator picks from.
const REGIONS: &[&str] = &[
    "westeurope",
    "northeurope",
    "eastus",
    "eastus2",
    "westus2",
    "centralus",
    "uksouth",
    "francecentral",
    "japaneast",
    "australiaeast",
    "southeastasia",
    "brazilsouth",
];

/// A duration from the extremes a valid scenario may hold, at most `max_ns`.
fn duration(rng: &mut Rng, max_ns: u64) -> String {
    let ns = match rng.below(6) {
        0 => 1,
        1 => max_ns,
        2 => max_ns / 2,
        3 => max_ns.saturating_sub(1).max(1),
        4 => 1 + rng.next() % max_ns.max(1),
        _ => (1 + rng.next() % 1000) * 1_000_000,
    };
    format!("{}ns", ns.clamp(1, max_ns.max(1)))
}

/// A structure-aware scenario: every table geosim reads, filled with valid but
/// extreme values — many regions, outages, variants and phases, outages at 0 and at
/// the very end, promotions to regions that are down, several actions at one instant.
fn generate(rng: &mut Rng) -> String {
    let run_ns: u64 = [1_000_000, 1_000_000_000, 60_000_000_000, 3_600_000_000_000][rng.below(4)];
    let wide = rng.below(4) == 0;
    let n = 2 + rng.below(if wide { REGIONS.len() - 1 } else { 3 });
    let mut regions: Vec<&str> = REGIONS.to_vec();
    for i in (1..regions.len()).rev() {
        regions.swap(i, rng.below(i + 1));
    }
    regions.truncate(n);
    let mut t = format!(
        "[simulation]\nduration = \"{run_ns}ns\"\nseed = {}\nruns = {}\n",
        rng.next() >> 1,
        1 + rng.below(2)
    );
    for r in &regions {
        t.push_str(&format!("[[region]]\nname = \"{r}\"\n"));
    }
    let rates = ["0", "0.001", "1", "100", "10000", "1000000", "10000000"];
    t.push_str(&format!(
        "[workload]\nclient_region = \"{}\"\nrate = {}\nsize = \"{}\"\nretries = {}\ntimeout = \"{}\"\n",
        rng.pick(&regions),
        rng.pick(&rates),
        rng.pick(&["1B", "1KiB", "1MiB"]),
        rng.pick(&[0, 1, 3, 1000]),
        duration(rng, 60_000_000_000)
    ));
    let phases = rng.pick(&[0usize, 1, 3, 40]);
    let mut at = 0u64;
    for _ in 0..*phases {
        at += 1 + rng.next() % (run_ns / 50).max(1);
        if at >= run_ns {
            break;
        }
        t.push_str(&format!(
            "[[workload.phase]]\nat = \"{at}ns\"\nrate = {}\n",
            rng.pick(&rates)
        ));
    }
    let secondaries: Vec<String> = regions[1..].iter().map(|r| format!("\"{r}\"")).collect();
    t.push_str(&format!(
        "[replication]\nprimary = \"{}\"\nsecondaries = [{}]\n",
        regions[0],
        secondaries.join(", ")
    ));
    let many = rng.below(5) == 0;
    for i in 0..1 + rng.below(if many { 8 } else { 3 }) {
        t.push_str(&format!(
            "[[variant]]\nname = \"v{i}\"\nmode = \"{}\"\nmax_lag = \"{}\"\n",
            rng.pick(&["async", "sync"]),
            duration(rng, 600_000_000_000)
        ));
        if rng.below(3) == 0 {
            t.push_str(&format!(
                "promote = \"{}\"\n",
                rng.pick(&["planned", "forced"])
            ));
        }
    }
    // Outages, some at 0, some ending exactly at the end, some of links.
    let instant = rng.next() % run_ns;
    let many = rng.below(5) == 0;
    for _ in 0..rng.below(if many { 30 } else { 4 }) {
        let start = match rng.below(4) {
            0 => 0,
            1 => instant,
            2 => run_ns - 1,
            _ => rng.next() % run_ns,
        };
        let dur = (run_ns - start).max(1);
        let dur = if rng.below(2) == 0 {
            dur
        } else {
            1 + rng.next() % dur
        };
        let target = if rng.below(4) == 0 {
            format!("{}<->{}", regions[0], rng.pick(&regions[1..]))
        } else {
            rng.pick(&regions).to_string()
        };
        let kind = if rng.below(4) == 0 {
            format!(
                "kind = \"slow\"\nfactor = {}\n",
                rng.pick(&["1.5", "100", "1e6"])
            )
        } else {
            String::new()
        };
        t.push_str(&format!(
            "[[outage]]\ntarget = \"{target}\"\nstart = \"{start}ns\"\nduration = \"{dur}ns\"\n{kind}"
        ));
    }
    // Actions, several at one instant (the same as outages'), promotions to any
    // secondary (down or not).
    for _ in 0..rng.below(4) {
        let at = if rng.below(2) == 0 {
            instant
        } else {
            rng.next() % run_ns
        };
        match rng.below(3) {
            0 => t.push_str(&format!(
                "[[action]]\nat = \"{at}ns\"\npromote = \"{}\"\ntarget = \"{}\"\n",
                rng.pick(&["planned", "forced"]),
                rng.pick(&regions[1..])
            )),
            1 => t.push_str(&format!(
                "[[action]]\nat = \"{at}ns\"\nset_mode = \"{}\"\n",
                rng.pick(&["async", "sync"])
            )),
            _ => t.push_str(&format!(
                "[[action]]\nat = \"{at}ns\"\nset_max_lag = \"{}\"\n",
                duration(rng, 600_000_000_000)
            )),
        }
    }
    if rng.below(2) == 0 {
        t.push_str(&format!(
            "[policy]\nauto_promote = {{ after = \"{}\", kind = \"{}\" }}\n",
            duration(rng, run_ns),
            rng.pick(&["planned", "forced"])
        ));
        if rng.below(2) == 0 {
            t.push_str(&format!(
                "remove_secondary_after = \"{}\"\n",
                duration(rng, run_ns)
            ));
        }
    }
    if rng.below(2) == 0 {
        t.push_str(&format!(
            "[promotion]\nswitch = \"{}\"\ndns = \"{}\"\n",
            duration(rng, run_ns),
            duration(rng, run_ns)
        ));
    }
    if rng.below(4) == 0 {
        t.push_str(&format!(
            "[cost]\nunits = {}\nunit_hour = {}\nreplicated_gb = {}\n",
            rng.pick(&[1, 16, 10000]),
            rng.pick(&["0", "0.928", "1000000"]),
            rng.pick(&["0", "0.02", "1000000"])
        ));
    }
    t
}

#[test]
fn generated_extreme_scenarios_never_panic_hang_or_break_invariants() {
    let seed = seed();
    let cases = env_u64("GEOSIM_GEN_CASES").map_or(DEFAULT_GENERATED, |n| n as usize);
    campaign("generated scenarios", cases, seed, &generate);
}

/// Mutated shard files per `cargo test` for `merge`.
const DEFAULT_SHARDS: usize = 300;

/// A valid one-shard sweep file of a 3 × 2 grid, two variants, two runs.
fn valid_shard(rng: &mut Rng) -> String {
    use geosim::sweep::data::{RunRow, SweepHeader};
    use geosim::sweep::figures::FIGURES;
    use geosim::sweep::grid::{parse_set, Grid};
    let grid = Grid::new(vec![
        parse_set("workload.rate=100,200,400").unwrap(),
        parse_set("workload.timeout=1s,2s").unwrap(),
    ])
    .unwrap();
    let mut rows = Vec::new();
    for point in 0..grid.len() {
        for variant_index in 0..2 {
            for run in 1..=2 {
                let figures = (0..FIGURES.len())
                    .map(|_| match rng.below(5) {
                        0 => None,
                        1 => Some(0.0),
                        _ => Some((rng.next() % 1_000_000) as f64 / 1000.0),
                    })
                    .collect();
                rows.push(RunRow {
                    point,
                    variant_index,
                    variant: ["sync", "async,5m"][variant_index].into(),
                    run,
                    mode: ["sync", "async"][variant_index].into(),
                    max_lag_s: Some(300.0),
                    promotion: "none".into(),
                    figures,
                    // Every shape of verdict a run can have.
                    objectives_met: [None, Some(true), Some(false)][(run as usize + point) % 3],
                    objectives_missed: if (run as usize + point) % 3 == 2 {
                        vec!["rpo", "latency_p99"]
                    } else {
                        Vec::new()
                    },
                });
            }
        }
    }
    let shard = geosim::sweep::shard::Shard {
        header: SweepHeader {
            version: "0".into(),
            scenario: "s".into(),
            scenario_hash: "0".into(),
            seed: 1,
            description: String::new(),
            shape: vec![(2, 2); grid.len()],
            lines: Vec::new(),
            grid,
        },
        index: 0,
        count: 1,
        rows,
    };
    String::from_utf8(geosim::sweep::shard::to_bytes(&shard).unwrap()).unwrap()
}

/// Values a hand-edited or damaged shard may hold where a number was.
const SHARD_EXTREMES: &[&str] = &[
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "-0",
    "0",
    "1e30",
    "1e31",
    "18446744073709551616",
    "-1",
    "",
    "\"\"",
    "x",
    "1,2",
    "9e15",
];

fn mutate_shard(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.is_empty() {
        // An earlier mutation truncated it to nothing: nothing left to mutate.
        return String::new();
    }
    match rng.below(7) {
        // A number (or any cell) replaced by an extreme.
        0..=2 => {
            let i = rng.below(lines.len());
            let cells: Vec<&str> = lines[i].trim_end_matches('\n').split(',').collect();
            let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            let c = rng.below(cells.len());
            cells[c] = rng.pick(SHARD_EXTREMES).to_string();
            let mut out: String = lines[..i].concat();
            out.push_str(&cells.join(","));
            out.push('\n');
            out.push_str(&lines[i + 1..].concat());
            out
        }
        // A header value replaced.
        3 => {
            let i = rng.below(
                lines
                    .iter()
                    .take_while(|l| l.starts_with('#'))
                    .count()
                    .max(1),
            );
            let line = lines[i];
            let changed = match line.find('=') {
                Some(eq) => format!("{}= {}\n", &line[..eq], rng.pick(SHARD_EXTREMES)),
                None => line.to_string(),
            };
            format!(
                "{}{changed}{}",
                lines[..i].concat(),
                lines[i + 1..].concat()
            )
        }
        // A line deleted or duplicated.
        4 => {
            let i = rng.below(lines.len());
            format!("{}{}", lines[..i].concat(), lines[i + 1..].concat())
        }
        5 => {
            let i = rng.below(lines.len());
            format!(
                "{}{}{}",
                lines[..=i].concat(),
                lines[i],
                lines[i + 1..].concat()
            )
        }
        // Truncated anywhere.
        _ => {
            let mut at = rng.below(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_string()
        }
    }
}

#[test]
fn mutated_shard_files_never_make_merge_panic_hang_or_chart_a_non_finite_figure() {
    let seed = seed();
    let cases = env_u64("GEOSIM_SHARD_CASES").map_or(DEFAULT_SHARDS, |n| n as usize);
    say(&format!("fuzz: {cases} shard files, seed {seed}"));
    let figures = geosim::sweep::figures::FIGURES.len();
    let (mut accepted, mut refused) = (0, 0);
    // Watchdog: a case that runs past the limit is a hang (a loop cannot be stopped).
    let epoch = Instant::now();
    let busy_since = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
    {
        let busy_since = busy_since.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            let since = busy_since.load(Ordering::Relaxed);
            if since != u64::MAX
                && epoch.elapsed().as_millis() as u64 > since + CASE_LIMIT.as_millis() as u64
            {
                say(&format!(
                    "fuzz: a shard case (seed {seed}) has run past {CASE_LIMIT:?}: a hang"
                ));
                std::process::exit(101);
            }
        });
    }
    for case in 0..cases {
        let mut rng = Rng::new(seed ^ (case as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut text = valid_shard(&mut rng);
        for _ in 0..1 + rng.below(2) {
            text = mutate_shard(&text, &mut rng);
        }
        let began = Instant::now();
        busy_since.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let shard = match geosim::sweep::shard::parse(&text, "shard-0-of-1.csv") {
                Ok(s) => s,
                Err(e) => {
                    assert!(e.location.is_some(), "an error without a location: {e}");
                    return false;
                }
            };
            let data = match geosim::sweep::merge::combine(vec![("s".into(), shard)]) {
                Ok(d) => d,
                Err(_) => return false,
            };
            for row in &data.rows {
                for x in row.figures.iter().flatten() {
                    assert!(x.is_finite(), "a non-finite figure was accepted: {x}");
                }
            }
            // Six figures per case, in turn, so that every figure is charted from many
            // different shards while a case stays cheap enough for a million-case run
            // (drawing all of them took ~0.5 s per accepted shard).
            let some: Vec<usize> = (0..6).map(|k| (case * 6 + k) % figures).collect();
            let charts = geosim::report::sweep_charts::render_charts(&data, &some).unwrap();
            geosim::report::sweep_html::render_html(&data, &charts).unwrap();
            geosim::report::sweep_csv::sweep_csv(&data).unwrap();
            true
        }));
        let took = began.elapsed();
        busy_since.store(u64::MAX, Ordering::Relaxed);
        match outcome {
            Ok(true) => accepted += 1,
            Ok(false) => refused += 1,
            Err(_) => panic!("case {case} (seed {seed}) panicked on:\n{text}"),
        }
        assert!(
            took < CASE_LIMIT,
            "case {case} (seed {seed}) took {took:?} on:\n{text}"
        );
    }
    say(&format!(
        "fuzz: shard files: {accepted} merged and charted, {refused} refused, \
         in {:.1} s; 0 panics, 0 hangs (every case under {CASE_LIMIT:?})",
        epoch.elapsed().as_secs_f64()
    ));
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}
