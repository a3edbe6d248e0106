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
