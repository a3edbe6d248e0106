//! Readable secondaries (SPEC §7, issue 13): stale reads, staleness, visibility and read
//! latency against the timeline of constant delays, and the reads' own random stream.
//!
//! The timeline (writers in West Europe next to the primary, readers in East US next to
//! the secondary, constant delays): a write accepted at t_a is acknowledged at
//! t_a + commit_p + ½ local_rtt_w and applied in East US at t_a + commit_p + ½ rtt +
//! commit_s, so its visibility there is ½ rtt + commit_s − ½ local_rtt_w. A read issued
//! at τ reaches East US at τ + ½ local_rtt_r; it is stale when a write was acknowledged
//! in the window of visibility − ½ local_rtt_r before τ: with Poisson writes at λ, a
//! share 1 − exp(−λ × window) of reads.

use crate::common::run_all;
use geosim::model::Model;
use geosim::report::csv::{summary_csv, timeseries_csv};
use geosim::results::{ReadSummary, SimResult};

const RTT_MS: f64 = 85.0;
const COMMIT_MS: f64 = 2.0;
const LOCAL_RTT_MS: f64 = 1.0;
const WRITES_PER_S: f64 = 20.0;

/// Visibility in East US: ½ rtt + commit − ½ local_rtt.
const VISIBILITY_MS: f64 = RTT_MS / 2.0 + COMMIT_MS - LOCAL_RTT_MS / 2.0;

fn scenario(seed: u64, extra: &str) -> Model {
    scenario_with_rtt(seed, &format!("\"{RTT_MS}ms\""), extra)
}

fn scenario_with_rtt(seed: u64, rtt: &str, extra: &str) -> Model {
    let text = format!(
        r#"
[simulation]
duration = "600s"
warmup = "10s"
seed = {seed}

[[region]]
name = "westeurope"
commit = "{COMMIT_MS}ms"
local_rtt = "{LOCAL_RTT_MS}ms"

[[region]]
name = "eastus"
commit = "{COMMIT_MS}ms"
local_rtt = "{LOCAL_RTT_MS}ms"

[[link]]
between = ["westeurope", "eastus"]
rtt = {rtt}

[workload]
client_region = "westeurope"
rate = {WRITES_PER_S}
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["eastus"]

{extra}
"#
    );
    geosim::scenario::parse(&text, "reads.toml", "reads").unwrap_or_else(|e| panic!("{e}"))
}

const NEAREST_FROM_EAST: &str = r#"
[reads]
rate = 1000
from = "eastus"
at = "nearest"

[[variant]]
name = "async"
mode = "async"

[[variant]]
name = "sync"
mode = "sync"
"#;

fn reads_of(results: &[SimResult], variant: &str) -> ReadSummary {
    let r = results
        .iter()
        .find(|r| r.summary.variant == variant)
        .unwrap_or_else(|| panic!("no variant {variant}"));
    r.summary
        .reads
        .expect("a scenario with [reads] has reads columns")
}

#[test]
fn async_reads_at_a_colocated_secondary_follow_the_timeline() {
    let window_s = (VISIBILITY_MS - LOCAL_RTT_MS / 2.0) / 1000.0;
    let expected = 1.0 - (-WRITES_PER_S * window_s).exp();
    let mut shares = Vec::new();
    for seed in 1..=4 {
        let res = run_all(&scenario(seed, NEAREST_FROM_EAST), 2);
        let r = reads_of(&res, "async");
        // Every acknowledged write becomes visible exactly `VISIBILITY_MS` after its
        // acknowledgement (constant delays).
        assert_eq!(r.visibility_p50_ms, VISIBILITY_MS, "seed {seed}");
        assert_eq!(r.visibility_p99_ms, VISIBILITY_MS, "seed {seed}");
        // A read is the readers' own round trip to the secondary next door.
        assert_eq!(r.read_latency_p50_ms, LOCAL_RTT_MS);
        assert_eq!(r.read_latency_p99_ms, LOCAL_RTT_MS);
        assert_eq!(r.reads_failed, 0);
        assert!(r.reads_ok > 550_000, "{r:?}");
        // Staleness: from the oldest missing acknowledgement, so within (½ local_rtt,
        // visibility]; never negative.
        assert!(
            r.read_staleness_p99_ms > LOCAL_RTT_MS / 2.0
                && r.read_staleness_p99_ms <= VISIBILITY_MS,
            "{r:?}"
        );
        shares.push(r.stale_read_share);
    }
    // About 590 s / 43.5 ms ≈ 13,600 independent windows per run: the share's standard
    // deviation is about 0.004 per run, 0.002 over four; 0.012 is six of those.
    let mean = shares.iter().sum::<f64>() / shares.len() as f64;
    assert!(
        (mean - expected).abs() < 0.012,
        "stale share {mean:.4} (runs {shares:?}), expected 1 - exp(-λ·window) = {expected:.4}"
    );
}

#[test]
fn sync_reads_at_the_secondary_are_never_stale_and_writes_visible_at_once() {
    let res = run_all(&scenario(3, NEAREST_FROM_EAST), 1);
    let r = reads_of(&res, "sync");
    assert_eq!(r.stale_read_share, 0.0, "{r:?}");
    assert_eq!(r.read_staleness_p99_ms, 0.0);
    assert_eq!((r.visibility_p50_ms, r.visibility_p99_ms), (0.0, 0.0));
    assert!(r.reads_ok > 550_000);
    let sync = res.iter().find(|r| r.summary.variant == "sync").unwrap();
    // The price is the writer's: a sync write waits for the Atlantic round trip.
    assert!(sync.summary.latency_p50_ms > RTT_MS, "{:?}", sync.summary);
    // The visibility curve is all at Δ = 0.
    assert_eq!(sync.visibility_curve, vec![(0.0, 1.0)]);
}

#[test]
fn reads_at_a_primary_that_is_down_fail_and_none_is_stale() {
    let extra = r#"
[reads]
rate = 1000
from = "westeurope"
at = "primary"

[[outage]]
target = "westeurope"
start = "100s"
duration = "100s"

[[variant]]
name = "async"
mode = "async"
"#;
    let res = run_all(&scenario(5, extra), 1);
    let r = reads_of(&res, "async");
    // ~100,000 reads are issued during the outage (Poisson: sd ~ 316).
    assert!((r.reads_failed as f64 - 100_000.0).abs() < 2_000.0, "{r:?}");
    assert_eq!(r.stale_read_share, 0.0);
    assert_eq!(r.reads_offered, r.reads_ok + r.reads_failed + in_flight(&r));
    let ts = &res[0].timeseries;
    let during: u64 = ts
        .iter()
        .filter(|b| b.t_s >= 101.0 && b.t_s < 199.0)
        .map(|b| b.reads.unwrap().reads)
        .sum();
    assert!(
        during > 90_000,
        "reads are still issued while the region is down"
    );
    assert!(ts.iter().all(|b| b.reads.unwrap().stale_reads == 0));
}

/// Reads still on their way when the run stops (neither answered nor failed).
fn in_flight(r: &ReadSummary) -> u64 {
    r.reads_offered - r.reads_ok - r.reads_failed
}

#[test]
fn a_secondary_outage_sends_nearest_reads_across_the_ocean() {
    let extra = r#"
[reads]
rate = 1000
from = "eastus"
at = "nearest"

[[outage]]
target = "eastus"
start = "100s"
duration = "100s"

[[variant]]
name = "async"
mode = "async"
"#;
    let res = run_all(&scenario(6, extra), 1);
    let r = reads_of(&res, "async");
    // A sixth of the reads go to West Europe: the p99 is the Atlantic round trip.
    assert_eq!(r.read_latency_p50_ms, LOCAL_RTT_MS);
    assert!((r.read_latency_p99_ms - RTT_MS).abs() < 0.1, "{r:?}");
    // Only reads in flight to East US when it went down fail.
    assert!(r.reads_failed <= 5, "{r:?}");
    // Reads during the outage are answered by the primary: fresh. The rest are stale as
    // at a secondary next door (East US catches up within a round trip once back).
    let window_s = (VISIBILITY_MS - LOCAL_RTT_MS / 2.0) / 1000.0;
    let at_secondary = 1.0 - (-WRITES_PER_S * window_s).exp();
    let expected = at_secondary * (1.0 - 100.0 / 590.0);
    assert!(
        (r.stale_read_share - expected).abs() < 0.02,
        "{r:?}, expected {expected}"
    );
    // Writes acknowledged during the outage become visible there only after it.
    assert!(r.visibility_p99_ms > 10_000.0, "{r:?}");
}

#[test]
fn reads_change_no_write_figure_and_are_the_same_whatever_the_jobs() {
    let extra = |reads: &str| {
        format!(
            r#"
{reads}
[[outage]]
target = "eastus"
start = "100s"
duration = "60s"

[[action]]
at = "300s"
promote = "forced"

[[variant]]
name = "async"
mode = "async"

[[variant]]
name = "sync"
mode = "sync"
"#
        )
    };
    // Jitter on the link, so that a read drawing from the writes' streams would show.
    let rtt = r#"{ dist = "normal", mean = "85ms", stddev = "3ms" }"#;
    let reads = "[reads]\nrate = 500\nfrom = \"eastus\"\nat = \"nearest\"";
    let with = scenario_with_rtt(7, rtt, &extra(reads));
    let without = scenario_with_rtt(7, rtt, &extra(""));
    let a = run_all(&with, 1);
    let b = run_all(&with, 2);
    assert_eq!(summary_csv(&a).unwrap(), summary_csv(&b).unwrap());
    assert_eq!(timeseries_csv(&a).unwrap(), timeseries_csv(&b).unwrap());
    let plain = run_all(&without, 2);
    for (x, y) in a.iter().zip(&plain) {
        let mut sx = x.summary.clone();
        sx.reads = None;
        sx.events = y.summary.events;
        assert_eq!(
            sx, y.summary,
            "the writes' figures do not depend on [reads]"
        );
        let lag = |r: &SimResult| r.timeseries.iter().map(|b| b.lag_s).collect::<Vec<_>>();
        assert_eq!(lag(x), lag(y));
    }
    assert!(a[0].summary.reads.unwrap().reads_ok > 200_000);
    assert_eq!(a[0].summary.promotion, "forced");
}

#[test]
fn the_stale_read_share_objective_is_judged_on_the_reads() {
    let extra = format!("{NEAREST_FROM_EAST}\n[objectives]\nstale_read_share = 0.01\n");
    let res = run_all(&scenario(3, &extra), 1);
    let by = |name: &str| {
        &res.iter()
            .find(|r| r.summary.variant == name)
            .unwrap()
            .summary
    };
    // Async reads next to the secondary are stale about half of the time (above); sync
    // reads never are.
    assert!(by("async").reads.unwrap().stale_read_share > 0.3);
    assert_eq!(by("async").objectives_met, Some(false));
    assert_eq!(by("async").objectives_missed, vec!["stale_read_share"]);
    assert_eq!(by("sync").objectives_met, Some(true));
    assert!(by("sync").objectives_missed.is_empty());
}
