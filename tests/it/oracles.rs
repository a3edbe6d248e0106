//! Closed-form results (shared/reference/oracles.md) the simulator must reproduce.

use crate::common::*;
use geosim::model::*;

/// Async: the client waits for local_rtt + the primary's commit, nothing else.
#[test]
fn async_latency_is_local_rtt_plus_commit() {
    let model = two_regions(80.0, 200.0, 60 * S);
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    assert!(s.writes_offered > 10_000);
    assert_eq!(s.writes_acked, s.writes_offered - in_flight(s));
    assert_eq!(s.latency_p50_ms, 2.0);
    assert_eq!(s.latency_p99_ms, 2.0);
    assert!((s.latency_mean_ms - 2.0).abs() < 1e-9);
    // Replication delay of a write: one-way 40 ms + the secondary's commit 1 ms,
    // after the primary commit of 1 ms.
    assert!(
        (s.repl_delay_mean_ms - 42.0).abs() < 1e-6,
        "{}",
        s.repl_delay_mean_ms
    );
}

/// Sync: local_rtt + link RTT + the two commits.
#[test]
fn sync_latency_is_local_rtt_plus_link_rtt_plus_two_commits() {
    let mut model = two_regions(80.0, 200.0, 60 * S);
    model.variants = vec![variant("sync", Mode::Sync, 10 * S)];
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    assert_eq!(s.writes_acked, s.writes_offered - in_flight(s));
    // 1 (client rtt) + 80 (link) + 1 + 1 = 83 ms; the histogram keeps 3 digits.
    assert!(
        (s.latency_p50_ms - 83.0).abs() <= 0.083,
        "{}",
        s.latency_p50_ms
    );
    assert!(
        (s.latency_mean_ms - 83.0).abs() < 1e-9,
        "{}",
        s.latency_mean_ms
    );
}

/// Writes issued within one latency of the end are still in flight.
fn in_flight(s: &geosim::results::Summary) -> u64 {
    s.writes_offered - s.writes_acked - s.writes_failed
}

/// Bandwidth-bound link at ρ = 0.8 with constant sizes: the replication delay is
/// the primary commit + the M/D/1 sojourn + the one-way delay + the secondary commit.
/// M/D/1 with λ = 800/s, μ = 1000/s: T = 1/μ + ρ/(2μ(1−ρ)) = 1 ms + 2 ms = 3 ms.
#[test]
fn md1_replication_delay_on_a_bandwidth_bound_link() {
    let mut model = two_regions(80.0, 800.0, 300 * S);
    model.warmup = 10 * S;
    for (a, b) in [(0, 1), (1, 0)] {
        model.links[a][b].as_mut().unwrap().bandwidth_bytes_per_s = Some(1024.0 * 1000.0);
    }
    let expected_ms = 1.0 + 3.0 + 40.0 + 1.0;
    let seeds = 6;
    let means: Vec<f64> = (1..=seeds)
        .map(|run| simulate(&model, 0, run).summary.repl_delay_mean_ms)
        .collect();
    let mean = means.iter().sum::<f64>() / seeds as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64;
    let se = (var / seeds as f64).sqrt();
    // Runs are independent, so the spread across them measures the error of the
    // mean (the samples within a run are autocorrelated); 4 standard errors.
    let tolerance = 4.0 * se;
    assert!(tolerance < 0.2, "runs too noisy to test: se {se}");
    assert!(
        (mean - expected_ms).abs() < tolerance,
        "mean repl delay {mean:.4} ms vs M/D/1 {expected_ms} ms (tolerance {tolerance:.4})"
    );
}

/// First bucket (by start time, s) with a throttled attempt.
fn first_throttled(r: &geosim::results::SimResult) -> Option<f64> {
    r.timeseries.iter().find(|b| b.throttled > 0).map(|b| b.t_s)
}

fn last_throttled(r: &geosim::results::SimResult) -> Option<f64> {
    r.timeseries
        .iter()
        .rev()
        .find(|b| b.throttled > 0)
        .map(|b| b.t_s)
}

/// Async: a secondary down for D throttles max_lag after the outage starts, for
/// max(0, D − max_lag) plus the catch-up after it returns.
#[test]
fn async_throttling_starts_max_lag_after_the_secondary_goes_down() {
    let mut model = two_regions(80.0, 100.0, 400 * S);
    model.variants = vec![variant("async-60s", Mode::Async, 60 * S)];
    model.outages = vec![down(Target::Region(1), 100 * S, 200 * S)];
    let r = simulate(&model, 0, 1);
    assert_eq!(first_throttled(&r), Some(159.0));
    assert_eq!(last_throttled(&r), Some(300.0));
    let s = &r.summary;
    // D − max_lag = 140 s, plus the last write in flight at the outage (≤ 42 ms)
    // and the catch-up after recovery (one-way 40 ms + commit 1 ms).
    assert!(
        s.throttled_s > 140.0 && s.throttled_s < 140.1,
        "throttled {}",
        s.throttled_s
    );
    assert!(
        s.lag_max_s > 200.0 && s.lag_max_s < 200.1,
        "{}",
        s.lag_max_s
    );
    assert!(s.attempts_throttled > 0);
    assert_eq!(s.writes_lost, 0);
}

/// A secondary outage shorter than max_lag never throttles.
#[test]
fn async_outage_shorter_than_max_lag_does_not_throttle() {
    let mut model = two_regions(80.0, 100.0, 400 * S);
    model.outages = vec![down(Target::Region(1), 100 * S, 200 * S)];
    let r = simulate(&model, 0, 1); // max_lag 300 s
    assert_eq!(r.summary.attempts_throttled, 0);
    assert_eq!(r.summary.throttled_s, 0.0);
    assert!(r.summary.lag_max_s > 200.0);
}

/// Sync with the secondary down: writes wait, the lag grows, and attempts are
/// throttled once it exceeds the sync variant's max_lag.
#[test]
fn sync_with_a_secondary_down_throttles_after_max_lag() {
    let mut model = two_regions(80.0, 100.0, 400 * S);
    model.variants = vec![variant("sync", Mode::Sync, 10 * S)];
    model.outages = vec![down(Target::Region(1), 100 * S, 200 * S)];
    let r = simulate(&model, 0, 1);
    assert_eq!(first_throttled(&r), Some(109.0));
    let s = &r.summary;
    assert!(
        s.throttled_s > 190.0 && s.throttled_s < 190.2,
        "throttled {}",
        s.throttled_s
    );
    // No write is acknowledged while the secondary is down.
    let acked_during: u64 = r
        .timeseries
        .iter()
        .filter(|b| b.t_s >= 101.0 && b.t_s < 300.0)
        .map(|b| b.acked)
        .sum();
    assert_eq!(acked_during, 0);
}

/// A link outage between primary and secondary stalls replication like a region outage.
#[test]
fn link_outage_stalls_replication_and_resends() {
    let mut model = two_regions(80.0, 100.0, 400 * S);
    model.variants = vec![variant("async-60s", Mode::Async, 60 * S)];
    model.outages = vec![down(Target::link(0, 1), 100 * S, 100 * S)];
    let r = simulate(&model, 0, 1);
    assert_eq!(first_throttled(&r), Some(159.0));
    assert!(r.summary.lag_max_s > 100.0 && r.summary.lag_max_s < 100.1);
}

/// A slow link multiplies its delay.
#[test]
fn slow_link_multiplies_replication_delay() {
    let mut model = two_regions(80.0, 100.0, 100 * S);
    model.outages = vec![Outage {
        target: Target::link(0, 1),
        start: 0,
        duration: 1000 * S,
        kind: OutageKind::Slow(3.0),
    }];
    let r = simulate(&model, 0, 1);
    // 1 ms primary commit + 120 ms one way + 1 ms secondary commit.
    assert!((r.summary.repl_delay_mean_ms - 122.0).abs() < 1e-6);
}
