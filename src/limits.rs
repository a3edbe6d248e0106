//! Every limit geosim puts on its input, and the refusal, before it starts, of a run
//! that would need more memory than the machine has.
//!
//! The limits on the scenario's counts keep a typo (a unit, a digit too many) from
//! costing the machine: each is far above what a plan needs and well below what
//! exhausts a machine, and each error names the key to change.
//!
//! The engine's memory grows with the replication backlog (writes accepted and not
//! yet applied everywhere) and with writes in flight at the client; the results grow
//! with the time-series rows, which are kept until the run is written. This module
//! estimates both from the validated model — a deliberately pessimistic estimate,
//! since being refused costs a second and running out of memory costs the machine.

use crate::error::{GeoError, Result};
use crate::model::{Mode, Model, Nanos, OutageKind, Target, NS_PER_S};
use crate::time::{secs, secs_f64};

/// A name geosim may create inside an output directory: one path component of
/// `[A-Za-z0-9._-]`, not starting with '.' (so not `.` or `..`, and never hidden).
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Retries per write (`[workload] retries`).
pub const MAX_RETRIES: i64 = 1_000;
/// Independent runs per variant (`[simulation] runs`).
pub const MAX_RUNS: i64 = 1_000_000;
/// Default `[simulation] max_duration`: longer runs are more likely a unit typo
/// ("400d" for "400s") than a plan, and cost hours.
pub const DEFAULT_MAX_DURATION: Nanos = 400 * 86_400 * NS_PER_S;
/// Time-series rows per simulation: each is kept in memory until the run is written.
pub const MAX_BUCKETS: u64 = 10_000_000;
/// Failures drawn per run: each is an outage window held in memory for the run.
pub const MAX_FAILURES: u64 = 1_000_000;

/// Bytes of a scenario file: a scenario is a few KiB of TOML; this leaves room for
/// generated files with thousands of outages while /dev/zero or a mistaken log file
/// fails in a moment instead of filling memory.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;
/// Bytes of one shard file for `merge`: a 100,000-point grid (the sweep's limit) of
/// a few variants is ~250 MB of rows; more is not a file `sweep` wrote.
pub const MAX_SHARD_BYTES: u64 = 512 << 20;
/// Nesting of keys, tables and arrays: shipped scenarios use at most 4; the TOML
/// parser's own recursion limit fails without a location.
pub const MAX_NESTING: usize = 32;
/// `[[region]]` entries: Azure has about 60 regions, and every pair of regions is a
/// link held in memory (and checked) before the run.
pub const MAX_REGIONS: usize = 256;
/// `[[workload.phase]]` entries: a day in one-minute steps is 1,440.
pub const MAX_PHASES: usize = 10_000;
/// Writes per second: at 10^7 the mean gap between writes is 100 ns, which the
/// engine's whole-nanosecond clock still renders within 0.1%; far above it the gaps
/// round to 0 (more writes than the rate says, and at ~2·10^10 a clock that never
/// moves). A run at this rate simulates ~60 M events per simulated second.
pub const MAX_RATE: f64 = 1e7;

/// Engine events per second of one core, measured by `cargo bench` on the reference
/// machine (2-core AMD EPYC): about 33 M on steady replication, 22 M on the shipped
/// cross-continent scenario with its outages and promotions. The lower figure keeps
/// the estimate on the safe side.
pub const EVENTS_PER_S: f64 = 20e6;

/// A backlog entry (32 bytes) with the slack of a growing ring buffer (×2) and the
/// in-flight write it refers to.
pub const BYTES_PER_BACKLOG_WRITE: f64 = 128.0;
/// A time-series bucket in memory plus its CSV row, rendered before writing.
const BYTES_PER_BUCKET: f64 = 256.0;

/// What a run of `model`'s `variants` with `jobs` threads is expected to hold at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub bytes: f64,
    /// Writes in one simulation's backlog at its peak.
    pub backlog_writes: f64,
    /// Simulations running at once.
    pub concurrent: usize,
    /// Time-series rows held for the whole run.
    pub buckets: f64,
}

pub fn estimate(model: &Model, variants: usize, jobs: usize) -> Estimate {
    let duration_s = secs(model.duration);
    let peak_rate = model
        .workload
        .phases
        .iter()
        .map(|p| p.rate)
        .fold(0.0, f64::max);
    // Lag is throttled at max_lag while a secondary is ready; a secondary that is down
    // (and perhaps removed) lets the backlog grow for as long as it is down.
    // `max_lag = "none"` bounds nothing; the outage term below still holds.
    let max_lag = model
        .variants
        .iter()
        .filter_map(|v| v.max_lag)
        .max()
        .unwrap_or(0);
    let backlog_s = (secs(max_lag).max(longest_outage_s(model))).min(duration_s);
    let w = &model.workload;
    let attempt_s =
        secs(w.timeout) * (f64::from(w.retries) + 1.0) + secs(w.backoff) * f64::from(w.retries);
    let backlog_writes =
        (peak_rate * (backlog_s + attempt_s.min(duration_s))).min(model.max_backlog as f64);
    let tasks = variants.saturating_mul(model.runs as usize).max(1);
    let concurrent = jobs.clamp(1, tasks);
    let buckets = (model.duration / model.bucket.max(1)) as f64 * tasks as f64;
    Estimate {
        bytes: backlog_writes * BYTES_PER_BACKLOG_WRITE * concurrent as f64
            + buckets * BYTES_PER_BUCKET,
        backlog_writes,
        concurrent,
        buckets,
    }
}

/// The longest scheduled down outage, or a pessimistic repair time of a random one.
fn longest_outage_s(model: &Model) -> f64 {
    let scheduled = model
        .outages
        .iter()
        .filter(|o| o.kind == OutageKind::Down)
        .map(|o| secs(o.duration))
        .fold(0.0, f64::max);
    // Repairs are random: ten times the mean covers all but the heaviest tails,
    // and a tail without a mean (Pareto shape ≤ 1) may last the whole run.
    let random = model
        .failures
        .iter()
        .map(|f| secs_f64(f.mttr.mean * 10.0))
        .fold(0.0, f64::max);
    scheduled.max(if random.is_finite() { random } else { f64::MAX })
}

/// Bytes of memory available now (Linux `MemAvailable`); `None` where unknown.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// An error if the run is expected to need more memory than `available` bytes.
pub fn check_memory(
    model: &Model,
    variants: usize,
    jobs: usize,
    available: Option<f64>,
) -> Result<()> {
    let Some(available) = available else {
        return Ok(());
    };
    let e = estimate(model, variants, jobs);
    if e.bytes <= available {
        return Ok(());
    }
    let gib = |b: f64| b / (1u64 << 30) as f64;
    Err(GeoError::limit(
        format!(
            "this run would need about {:.1} GiB of memory, more than the {:.1} GiB available: \
             up to {:.3e} writes in the replication backlog of each of {} simulations at once \
             (the peak rate over the longest outage or max_lag), and {:.3e} time-series rows",
            gib(e.bytes),
            gib(available),
            e.backlog_writes,
            e.concurrent,
            e.buckets
        ),
        "lower the rate, shorten the longest outage, set a smaller [simulation] max_backlog \
         (the run then stops with an error when the backlog reaches it), run fewer \
         simulations at once with --jobs, or set a larger [simulation] bucket",
    ))
}

/// Engine events of a failed attempt whose request never arrives (its region or the
/// link to it is down): its deadline and the retry after it.
const EVENTS_PER_LOST_ATTEMPT: f64 = 2.0;
/// Engine events of a failed attempt whose request arrives and is refused (throttled)
/// or accepted but not committed in time (a sync write whose secondary is down): the
/// request, the answer or the log entry's later apply, the deadline and the retry.
const EVENTS_PER_REFUSED_ATTEMPT: f64 = 4.0;

/// Expected engine events of one simulation of variant `v`, retries included: the
/// writes of a failure-free run (`Model::expected_events`) plus, for the writes offered
/// while their attempts fail, every attempt (`1 + retries` each) at the events such
/// an attempt takes, less the failure-free path those writes never take.
///
/// Attempts fail while the primary cannot be reached (a down outage of the primary or
/// of the clients' link to it, until an auto-promotion has switched and repointed
/// DNS), while a sync variant's secondary is down (until `remove_secondary_after`
/// drops it), and while an async variant is throttled because a down secondary's lag
/// is past `max_lag`. Random failures count with their expected number of repairs
/// over the run, each of the mean repair time.
pub fn expected_events(model: &Model, v: usize) -> f64 {
    let (lost_s, refused_s) = failing_s(model, v);
    let w = &model.workload;
    let attempts = f64::from(w.retries) + 1.0;
    let rate = mean_rate(model);
    let base = model.expected_events(v);
    let writes = model.writes_issued_from_start();
    let per_write = if writes > 0.0 { base / writes } else { 0.0 };
    // A write whose every attempt fails keeps its arrival, not the rest of its path.
    let saved = (per_write - 1.0).max(0.0);
    let extra = rate
        * (lost_s * (attempts * EVENTS_PER_LOST_ATTEMPT - saved)
            + refused_s * (attempts * EVENTS_PER_REFUSED_ATTEMPT - saved));
    (base + extra).max(0.0)
}

/// Writes per second over the whole simulated run (warmup included).
fn mean_rate(model: &Model) -> f64 {
    let d = secs(model.duration);
    if d > 0.0 {
        model.writes_issued_from_start() / d
    } else {
        0.0
    }
}

/// Seconds of the run in which variant `v`'s attempts fail: (requests lost, requests
/// refused or not committed in time).
fn failing_s(model: &Model, v: usize) -> (f64, f64) {
    let variant = &model.variants[v];
    let (p, c) = (model.primary, model.workload.client_region);
    let on_primary_path = |t: Target| match t {
        Target::Region(r) => r == p,
        Target::Link(a, b) => c != p && (a, b) == (p.min(c), p.max(c)),
    };
    let on_secondary = |t: Target| match t {
        Target::Region(r) => model.secondaries.contains(&r),
        Target::Link(a, b) => model
            .secondaries
            .iter()
            .any(|&s| (a, b) == (p.min(s), p.max(s))),
    };
    let promote = variant.auto_promote.or(model.policy.auto_promote).map(|a| {
        secs(a.after + a.escalate_after.unwrap_or(0))
            + secs(model.promotion.switch)
            + secs(model.promotion.dns)
    });
    let remove = model.policy.remove_secondary_after.map(secs);
    // How long a down secondary makes this variant's writes fail, of a window of `d`.
    let k = model.secondaries.len() as u32;
    let needs_every_secondary = |q: crate::model::Quorum| match q {
        crate::model::Quorum::All => true,
        crate::model::Quorum::Count(n) => n >= k,
    };
    let secondary_fails = |d: f64| -> f64 {
        let until_removed = remove.map_or(d, |r| d.min(r));
        match variant.mode {
            Mode::Sync if needs_every_secondary(variant.acks(Mode::Sync)) => until_removed,
            Mode::SemiSync
                if variant.semi_sync_timeout >= model.workload.timeout
                    && needs_every_secondary(variant.acks(Mode::SemiSync)) =>
            {
                until_removed
            }
            Mode::Async if needs_every_secondary(variant.lag_quorum) => variant
                .max_lag
                .map_or(0.0, |l| (until_removed - secs(l)).max(0.0)),
            _ => 0.0,
        }
    };
    let (mut lost, mut refused) = (0.0, 0.0);
    for (target, count, d) in windows(model) {
        if on_primary_path(target) {
            // The clients' link down promotes nothing: the primary is up.
            let promoted = matches!(target, Target::Region(_))
                .then_some(promote)
                .flatten();
            match promoted {
                Some(t) if t < d => {
                    lost += count * t;
                    // The old primary is now a down secondary of the new one.
                    refused += count * secondary_fails(d - t);
                }
                _ => lost += count * d,
            }
        } else if on_secondary(target) {
            refused += count * secondary_fails(d);
        }
    }
    let run = secs(model.duration);
    (lost.min(run), refused.min(run))
}

/// Every down window of the run as (target, expected count, seconds each): the
/// scheduled outages as they are, each random failure as its expected number of
/// repairs over the run, each of the mean repair time (one lasting the whole run when
/// the repair time has no mean).
fn windows(model: &Model) -> Vec<(Target, f64, f64)> {
    let run = secs(model.duration);
    let scheduled = model
        .outages
        .iter()
        .filter(|o| o.kind == OutageKind::Down)
        .map(|o| {
            let d = o.duration.min(model.duration.saturating_sub(o.start));
            (o.target, 1.0, secs(d))
        });
    let random = model.failures.iter().map(|f| {
        let mttr = secs_f64(f.mttr.mean);
        if mttr.is_finite() {
            let count = run / (secs(f.mtbf) + mttr);
            (f.target, count, mttr.min(run))
        } else {
            (f.target, 1.0, run)
        }
    });
    scheduled.chain(random).collect()
}

/// Refuses, before it starts, a run whose failure-free work alone is more engine
/// events than `[simulation] max_events` allows: it would stop with that error after
/// all that time.
pub fn check_events(model: &Model, variants: &[usize]) -> Result<()> {
    for &v in variants {
        let events = model.expected_events(v);
        if events > model.max_events as f64 {
            return Err(GeoError::limit(
                format!(
                    "variant \"{}\" would take about {events:.3e} engine events per simulation \
                     (writes of the rate over the duration, several events each), more than \
                     [simulation] max_events = {}: it would stop with that error once it got there",
                    model.variants[v].name, model.max_events
                ),
                "raise [simulation] max_events, or shorten [simulation] duration or lower [workload] rate",
            )
            .with_key("simulation.max_events"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        crate::scenario::parse(text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"))
    }

    const BASE: &str = r#"
[simulation]
duration = "10d"
max_backlog = 1000000000000
[[region]]
name = "westeurope"
[[region]]
name = "eastus"
[workload]
client_region = "westeurope"
rate = 1000000
size = "1KiB"
[replication]
primary = "westeurope"
secondaries = ["eastus"]
[policy]
remove_secondary_after = "1m"
[[outage]]
target = "eastus"
start = "1h"
duration = "9d"
"#;

    #[test]
    fn a_long_secondary_outage_at_a_high_rate_is_refused() {
        let m = model(BASE);
        let e = estimate(&m, 4, 2);
        // 10^6 writes/s for 9 days of outage.
        assert!(e.backlog_writes > 7e11, "{e:?}");
        let err = check_memory(&m, 4, 2, Some(16e9)).unwrap_err();
        assert!(err.message.contains("GiB of memory"), "{err}");
        assert!(err.help.as_deref().unwrap_or("").contains("max_backlog"));
    }

    #[test]
    fn max_backlog_caps_the_estimate() {
        let m = model(&BASE.replace("max_backlog = 1000000000000", "max_backlog = 1000000"));
        assert_eq!(estimate(&m, 4, 2).backlog_writes, 1e6);
        assert!(check_memory(&m, 4, 2, Some(16e9)).is_ok());
    }

    #[test]
    fn unknown_memory_refuses_nothing() {
        assert!(check_memory(&model(BASE), 4, 2, None).is_ok());
    }

    /// Events one simulation of variant `v` of `m` takes, as the engine counts them.
    fn simulated(m: &Model, v: usize) -> f64 {
        crate::engine::Simulation::new(m, v, 1)
            .run(&|_| {})
            .unwrap_or_else(|e| panic!("{e}"))
            .summary
            .events as f64
    }

    /// The estimate is on the safe side of the engine's own count, within a stated
    /// band: at least 0.8× and at most 1.5× the events simulated. (On every shipped
    /// scenario it is 0.85–1.37×; below 0.8 `check` would promise too little, above
    /// 1.5 a limit would refuse runs that fit.)
    fn within_band(what: &str, estimate: f64, actual: f64) {
        let ratio = estimate / actual;
        assert!(
            (0.8..=1.5).contains(&ratio),
            "{what}: estimated {estimate:.0} events, simulated {actual:.0} (ratio {ratio:.2})"
        );
    }

    #[test]
    fn the_estimate_follows_the_events_of_the_shipped_teaching_and_validation_scenarios() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut checked = 0;
        for dir in ["teaching", "validation"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for f in files {
                let m = crate::scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
                for v in 0..m.variants.len() {
                    let what = format!("{} {}", f.display(), m.variants[v].name);
                    within_band(&what, expected_events(&m, v), simulated(&m, v));
                    checked += 1;
                }
            }
        }
        assert!(checked >= 40, "{checked}");
    }

    /// Issue 16's case: many retries through a long primary outage multiply the
    /// events (each write offered then makes 21 attempts), which a failure-free
    /// estimate misses by a factor of four.
    #[test]
    fn retries_through_an_outage_multiply_the_estimated_events() {
        let text = r#"
[simulation]
duration = "10m"
[[region]]
name = "westeurope"
[[region]]
name = "eastus"
[[link]]
between = ["westeurope", "eastus"]
rtt = "80ms"
bandwidth = "100Mbit/s"
[workload]
client_region = "westeurope"
rate = 200
size = "1KiB"
timeout = "2s"
retries = 20
backoff = "1s"
[replication]
primary = "westeurope"
secondaries = ["eastus"]
[[outage]]
target = "westeurope"
start = "1m"
duration = "5m"
[[outage]]
target = "eastus"
start = "7m"
duration = "2m"
[[variant]]
name = "async"
mode = "async"
max_lag = "30s"
[[variant]]
name = "sync"
mode = "sync"
"#;
        let m = model(text);
        for v in 0..m.variants.len() {
            let actual = simulated(&m, v);
            let failure_free = m.expected_events(v);
            assert!(actual > 2.0 * failure_free, "{actual} vs {failure_free}");
            within_band(&m.variants[v].name, expected_events(&m, v), actual);
        }
    }
}
