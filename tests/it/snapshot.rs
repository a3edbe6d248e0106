//! Snapshot mode (SPEC §6.4, §10, issue 13): recovery points against their closed forms
//! with constant delays.
//!
//! The timeline: a write accepted at t_a commits on the primary at t_a + c_p and is in
//! the first point cut at k × I after that; the point takes bytes / bandwidth (T), then
//! one one-way delay (d) and the secondary's commit (c_s); then every write in it is
//! applied. So a write's replication delay is (cut − t_a) + T + d + c_s, with cut − t_a
//! uniform on [c_p, I + c_p): mean I/2 + c_p + T + d + c_s. The lag peaks just before a
//! point completes, at about I + c_p + T + d + c_s (the oldest write missing was accepted
//! just after the previous cut).

use crate::common::{run_all, run_checked};
use geosim::model::Model;
use geosim::results::{SimResult, Summary};

const RTT_MS: f64 = 80.0;
const ONE_WAY_S: f64 = RTT_MS / 2000.0;
const COMMIT_S: f64 = 0.002;
const SIZE: f64 = 1024.0;

fn scenario(seed: u64, link: &str, workload_rate: f64, extra: &str) -> Model {
    let text = format!(
        r#"
[simulation]
duration = "1h"
warmup = "60s"
seed = {seed}

[[region]]
name = "westeurope"
commit = "2ms"

[[region]]
name = "northeurope"
commit = "2ms"

[[link]]
between = ["westeurope", "northeurope"]
rtt = "{RTT_MS}ms"
{link}

[workload]
client_region = "westeurope"
rate = {workload_rate}
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["northeurope"]

{extra}
"#
    );
    geosim::scenario::parse(&text, "snapshot.toml", "snapshot").unwrap_or_else(|e| panic!("{e}"))
}

fn summary<'a>(res: &'a [SimResult], name: &str) -> &'a Summary {
    &res.iter()
        .find(|r| r.summary.variant == name)
        .unwrap_or_else(|| panic!("no variant {name}"))
        .summary
}

const POINTS_60S: &str = r#"
[[variant]]
name = "points"
mode = "snapshot"
snapshot_interval = "60s"
"#;

#[test]
fn unlimited_bandwidth_delay_and_lag_follow_the_interval() {
    let res = run_all(&scenario(1, "", 100.0, POINTS_60S), 2);
    let s = summary(&res, "points");
    assert_eq!(s.mode, "snapshot");
    let interval = 60.0;
    let mean = (interval / 2.0 + COMMIT_S + ONE_WAY_S + COMMIT_S) * 1000.0;
    // ~354,000 writes, cut − t_a uniform over 60 s (sd 17 s): the mean's standard error
    // is about 30 ms; 150 ms is five of those.
    assert!(
        (s.repl_delay_mean_ms - mean).abs() < 150.0,
        "repl_delay_mean_ms {} against I/2 + c_p + d + c_s = {mean}",
        s.repl_delay_mean_ms
    );
    // The oldest missing write was accepted within an inter-arrival gap (10 ms mean;
    // the largest of 59 gaps of 100/s stays well under 100 ms) after the previous cut.
    let peak = interval + COMMIT_S + ONE_WAY_S + COMMIT_S;
    assert!(
        s.lag_max_s <= peak + 1e-6 && s.lag_max_s > peak - 0.1,
        "lag_max_s {} against I + c_p + d + c_s = {peak}",
        s.lag_max_s
    );
    // One point per minute, the last one cut at 59 min, complete 42 ms later; max_lag
    // "none" by default, so nothing is throttled and max_lag_s is empty.
    assert_eq!(s.recovery_points, Some(59));
    assert_eq!(s.throttled_s, 0.0);
    assert_eq!(s.max_lag_s, None);
    // The sawtooth: each minute the lag drops to about one transfer, then climbs.
    let lag: Vec<f64> = res[0].timeseries.iter().map(|b| b.lag_s).collect();
    assert!(lag.iter().all(|&l| l <= peak + 1e-6));
}

#[test]
fn a_limited_link_adds_the_transfer_of_one_interval_of_writes() {
    // 100 writes/s of 1 KiB over 60 s: 6.1 MB per point; at 8 Mbit/s (1 MB/s) about
    // 6.1 s of transfer.
    let bandwidth = 1_000_000.0;
    let res = run_all(
        &scenario(2, "bandwidth = \"8Mbit/s\"", 100.0, POINTS_60S),
        2,
    );
    let s = summary(&res, "points");
    let transfer = 100.0 * 60.0 * SIZE / bandwidth;
    let mean = (30.0 + COMMIT_S + transfer + ONE_WAY_S + COMMIT_S) * 1000.0;
    // A point's transfer varies with its Poisson count (sd sqrt(6000)/6000 = 1.3%, 80 ms),
    // averaging out over 58 points; the cut offsets as above.
    assert!(
        (s.repl_delay_mean_ms - mean).abs() < 200.0,
        "repl_delay_mean_ms {} against I/2 + c_p + T + d + c_s = {mean}",
        s.repl_delay_mean_ms
    );
    let peak = 60.0 + COMMIT_S + transfer + ONE_WAY_S + COMMIT_S;
    // The largest point of 58 is about 2.5 sd above the mean: 0.2 s more transfer.
    assert!(
        (s.lag_max_s - peak).abs() < 0.5,
        "lag_max_s {} against I + c_p + T + d + c_s = {peak}",
        s.lag_max_s
    );
}

#[test]
fn an_outage_mid_transfer_restarts_the_point_from_its_beginning() {
    // 8 Mbit/s: the point cut at 120 s transfers from 120 s to ~126 s. The secondary is
    // down from 122 s to 130 s: the transfer restarts at 130 s and the point completes at
    // ~136 s + d + c_s (not at ~134 s, had it resumed where it stopped).
    let extra = format!(
        "{POINTS_60S}\n[[outage]]\ntarget = \"northeurope\"\nstart = \"122s\"\nduration = \"8s\"\n"
    );
    let res = run_all(&scenario(3, "bandwidth = \"8Mbit/s\"", 100.0, &extra), 2);
    let r = &res[0];
    let transfer = 100.0 * 60.0 * SIZE / 1_000_000.0;
    let restarted = 130.0 + transfer + ONE_WAY_S + COMMIT_S;
    // The lag just before that point completes: from the first write after the 60 s cut.
    let peak = restarted - 60.0;
    assert!(
        (r.summary.lag_max_s - peak).abs() < 0.5,
        "lag_max_s {} against a restart at 130 s ({peak})",
        r.summary.lag_max_s
    );
    assert_eq!(r.summary.recovery_points, Some(59));
}

/// Forced promotion at 250 s with points every 60 s: the target has the point cut at
/// 240 s; every write accepted from 240 s − c_p on is lost.
const FORCED_AT_250: &str = r#"
[[action]]
at = "250s"
promote = "forced"

[[variant]]
name = "points"
mode = "snapshot"
snapshot_interval = "60s"
"#;

#[test]
fn a_forced_promotion_loses_what_followed_the_last_complete_point() {
    let rate = 50.0;
    let expected = rate * (250.0 - 240.0 + COMMIT_S);
    let mut lost = Vec::new();
    for seed in 1..=16 {
        let mut m = scenario(seed, "", rate, FORCED_AT_250);
        m.duration = 400 * geosim::model::NS_PER_S;
        let res = run_all(&m, 2);
        let s = summary(&res, "points");
        assert_eq!(s.promotion, "forced");
        // RPO: from the last write in the point (just before 240 s) to the last lost
        // one (just before 250 s).
        assert!(
            (s.rpo_s - 10.0).abs() < 0.5,
            "seed {seed}: rpo_s {}",
            s.rpo_s
        );
        lost.push(s.writes_lost as f64);
    }
    // Poisson(500) per run: sd 22; over 16 runs the mean's sd is 5.6; 25 is 4.5 of those.
    let mean = lost.iter().sum::<f64>() / lost.len() as f64;
    assert!(
        (mean - expected).abs() < 25.0,
        "mean writes_lost {mean} (runs {lost:?}) against rate × (250 − 240 + c_p) = {expected}"
    );
}

#[test]
fn a_planned_promotion_ships_a_final_point_and_loses_nothing() {
    let extra = r#"
[[action]]
at = "250s"
promote = "planned"

[[variant]]
name = "points"
mode = "snapshot"
snapshot_interval = "60s"
"#;
    let mut m = scenario(4, "bandwidth = \"8Mbit/s\"", 100.0, extra);
    m.duration = 600 * geosim::model::NS_PER_S;
    let res = run_all(&m, 2);
    let r = &res[0];
    assert_eq!(r.summary.writes_lost, 0);
    assert_eq!(r.summary.rpo_s, 0.0);
    let p = &r.promotions[0];
    // The final point holds the 10 s of writes since the 240 s cut (~1 MB: ~1 s at
    // 1 MB/s), then d + c_s; the switch (default 30 s) follows.
    let drain = 10.0 * 100.0 * SIZE / 1_000_000.0 + ONE_WAY_S + COMMIT_S;
    let done = p.completed_s.expect("the promotion completes");
    assert!(
        (done - 250.0 - 30.0 - drain).abs() < 0.3,
        "completed at {done}, drain {drain}"
    );
    // North Europe completed the points of 60..240 s and the final point (SPEC §10).
    assert_eq!(r.summary.recovery_points, Some(5));
    // After the switch, West Europe is fed by the new primary: its lag counts again
    // once it is ready, and stays within a point of the interval.
    let late_lag = r
        .timeseries
        .iter()
        .filter(|b| b.t_s > 400.0)
        .map(|b| b.lag_s)
        .fold(0.0, f64::max);
    assert!(
        late_lag > 50.0 && late_lag < 70.0,
        "lag after the switch {late_lag}"
    );
}

#[test]
fn snapshot_runs_are_the_same_whatever_the_jobs() {
    let extra = format!("{POINTS_60S}\n[[outage]]\ntarget = \"westeurope\"\nstart = \"500s\"\nduration = \"100s\"\n[[action]]\nat = \"530s\"\npromote = \"forced\"\n");
    let m = scenario(5, "bandwidth = \"8Mbit/s\"", 100.0, &extra);
    let once = |jobs| geosim::report::csv::summary_csv(&run_checked(&m, vec![0], jobs)).unwrap();
    assert_eq!(once(1), once(2));
}

/// The year of failures (episode method): a forced failover restores the last point, so
/// a primary failure at a uniformly random phase of the interval loses rate × I/2 writes
/// on average. Episodes start on the interval's grid, so their cuts fall where the
/// span's would.
#[test]
fn a_year_of_failures_loses_half_an_interval_per_failover_on_average() {
    use geosim::model::{AutoPromote, Failure, Mode, PromoteKind, Sampled, Target, Variant};
    use geosim::year::episodes::simulate_span;
    const S: u64 = geosim::model::NS_PER_S;
    let rate = 20.0;
    let interval = 60 * S;
    let mut m = scenario(9, "", rate, POINTS_60S);
    m.duration = 3600 * S;
    m.warmup = 0;
    m.failures = (0..2)
        .map(|r| Failure {
            target: Target::Region(r),
            mtbf: 6 * 3600 * S,
            mttr: Sampled::constant((10 * 60 * S) as f64),
        })
        .collect();
    m.policy.auto_promote = Some(AutoPromote {
        after: 60 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    let mut v = Variant::new("points", Mode::Snapshot, u64::MAX);
    v.max_lag = None;
    v.snapshot_interval = interval;
    m.variants = vec![v];
    let span = simulate_span(&m, 0, 1, 60 * 24 * 3600 * S, 0).expect("span");
    let losses: Vec<f64> = span
        .incidents
        .iter()
        .filter(|i| i.failures == 1 && i.promotions == 1)
        .map(|i| i.writes_lost as f64)
        .collect();
    assert!(losses.len() > 60, "{} failovers", losses.len());
    // Uniform phase over 60 s at 20/s: sd ≈ 20 × 60 / √12 ≈ 350 per failover (Poisson
    // adds √600); over n failovers the mean's sd is 350/√n; 4.5 of those.
    let n = losses.len() as f64;
    let mean = losses.iter().sum::<f64>() / n;
    let expected = rate * 30.0;
    let tolerance = 4.5 * 352.0 / n.sqrt();
    assert!(
        (mean - expected).abs() < tolerance,
        "mean loss per failover {mean} over {n} against rate × I/2 = {expected} (± {tolerance})"
    );
    // Never more than one interval and a transfer of writes (Poisson tail aside).
    assert!(losses.iter().all(|&l| l < rate * 61.0 * 1.5), "{losses:?}");
}
