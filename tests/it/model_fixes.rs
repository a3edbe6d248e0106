//! The readings SPEC §3.1 and §9 decided after an independent check (issue 11), each with
//! a closed form: exact where latencies are constant, else a Poisson or binomial mean over
//! several runs with a tolerance of four standard errors.

use std::collections::HashMap;

use crate::common::*;
use geosim::engine::event::WriteRef;
use geosim::engine::observer::Observer;
use geosim::engine::Simulation;
use geosim::model::*;

fn forced_at(at: Nanos, target: Option<RegionId>) -> Action {
    Action {
        at,
        kind: ActionKind::Promote {
            kind: PromoteKind::Forced,
            target,
            escalate_after: None,
        },
    }
}

/// Mean of `f` over runs 1..=n.
fn mean_over(model: &Model, n: u32, f: impl Fn(&geosim::results::Summary) -> u64) -> f64 {
    (1..=n)
        .map(|run| f(&simulate(model, 0, run).summary) as f64)
        .sum::<f64>()
        / f64::from(n)
}

/// SPEC §9: every reported quantile lies within the recorded extremes, so a constant
/// latency reads exactly in every percentile column (the histogram's bucket midpoint
/// for 3 ms is 3.001 ms).
#[test]
fn constant_latencies_read_exactly_in_every_percentile_column() {
    let mut model = two_regions(80.0, 100.0, 60 * S);
    // Latency: one way 0.5 ms + commit 2 ms + one way 0.5 ms = 3 ms; replication
    // delay: primary commit 2 ms + one way 40 ms + secondary commit 3 ms = 45 ms.
    model.regions[0].commit = ms(2.0);
    model.regions[1].commit = ms(3.0);
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    for (column, v) in [
        ("latency_p50_ms", s.latency_p50_ms),
        ("latency_p99_ms", s.latency_p99_ms),
        ("latency_p999_ms", s.latency_p999_ms),
        ("latency_max_ms", s.latency_max_ms),
        ("latency_mean_ms", s.latency_mean_ms),
    ] {
        assert_eq!(v, 3.0, "{column}");
    }
    assert_eq!(s.repl_delay_p99_ms, 45.0);
    assert_eq!(s.repl_delay_mean_ms, 45.0);
    for b in r.timeseries.iter().filter(|b| b.acked > 0) {
        assert_eq!(b.latency_p99_ms, 3.0, "bucket {}", b.t_s);
    }
    // Jittered latencies: the percentiles never pass the maximum.
    let mut jitter = two_regions(80.0, 200.0, 60 * S);
    jitter.regions[0].commit = Sampled {
        dist: Dist::LogNormal(rand_distr::LogNormal::new((2.0e6f64).ln(), 0.6).unwrap()),
        mean: 2.4e6,
    };
    for run in 1..=5 {
        let s = simulate(&jitter, 0, run).summary;
        assert!(s.latency_p50_ms <= s.latency_p99_ms);
        assert!(s.latency_p99_ms <= s.latency_p999_ms);
        assert!(
            s.latency_p999_ms <= s.latency_max_ms,
            "p999 {} above max {}",
            s.latency_p999_ms,
            s.latency_max_ms
        );
    }
}

/// SPEC §3.1 "Acks in flight at a forced cut": under sync, RTT 400 ms, 200 writes/s, a
/// forced promotion at 60 s. A write is on the target one way (200 ms) + its commit
/// (1 ms) after its accept; its ack is then on the way back. Only the writes accepted in
/// the last 201 ms before the cut are cut: their attempts time out, λ × (RTT/2 + commit)
/// = 40.2 per run. Those the target had applied are committed by the old primary when
/// their acks arrive and answered (dropping those acks would time out twice as many).
/// No write has a second copy.
#[test]
fn a_forced_cut_answers_the_writes_already_on_the_target() {
    let rate = 200.0;
    let mut model = two_regions(400.0, rate, 150 * S);
    model.variants = vec![variant("sync", Mode::Sync, 300 * S)];
    model.actions = vec![forced_at(60 * S, None)];
    let runs = 10;
    let expected = rate * (0.200 + 0.001);
    let timed_out = mean_over(&model, runs, |s| s.attempts_timed_out);
    let tol = 4.0 * (expected / f64::from(runs)).sqrt();
    assert!(
        (timed_out - expected).abs() < tol,
        "timed out {timed_out} per run, expected {expected} ± {tol}"
    );
    assert_eq!(mean_over(&model, runs, |s| s.writes_duplicated), 0.0);
    assert_eq!(mean_over(&model, runs, |s| s.writes_lost), 0.0);
}

/// SPEC §3.1 "Duplicates": a sync stall. The secondary is down 30 s; every attempt the
/// primary accepts meanwhile waits in the log and is committed when the secondary is
/// back (δ ≈ 83.5 ms later: one way, its commit, the ack's way back, the primary's
/// commit and the answer), answered or not. Attempts are 11 s apart (timeout 10 s,
/// backoff 1 s); one is answered if sent after T + 20 s + δ. A write issued x s into
/// the outage therefore has 2 extra copies for x < 9 + δ, 1 for x < 20 + δ, none after;
/// those accepted in the 41 ms before the outage whose apply it cut off also have 2.
/// Per run: λ (2 (9 + δ) + 11 + 2 × 0.041) ≈ 2,925.
#[test]
fn a_sync_stall_counts_every_extra_copy() {
    let rate = 100.0;
    let mut model = two_regions(80.0, rate, 120 * S);
    model.variants = vec![variant("sync", Mode::Sync, 300 * S)];
    model.workload.timeout = 10 * S;
    model.workload.retries = 3;
    model.outages = vec![down(Target::Region(1), 30 * S, 30 * S)];
    let delta = 0.0835;
    let expected = rate * (2.0 * (9.0 + delta) + 11.0 + 2.0 * 0.041);
    // Extra copies per write are 0, 1 or 2: the variance of a run's count is at most
    // λ (4 × 9.08 + 1 × 11) ≈ 4,733.
    let runs = 10;
    let tol = 4.0 * (rate * (4.0 * 9.08 + 11.0) / f64::from(runs)).sqrt();
    let duplicated = mean_over(&model, runs, |s| s.writes_duplicated);
    assert!(
        (duplicated - expected).abs() < tol,
        "extra copies {duplicated} per run, expected {expected} ± {tol}"
    );
}

/// SPEC §3.1 "Duplicates": the primary crashes with sync writes in flight. Those whose
/// primary commit had not completed (accepted in the last RTT + two commits, 82 ms) are
/// voided there, but each had reached the target, which a forced promotion makes the
/// primary 20 s later: there each is a committed copy, and its client's retry (60 s
/// after the attempt, once the new primary is in place) commits it again. Duplicates:
/// λ × (RTT + commits) = 8.2 per run, Poisson.
#[test]
fn a_crashed_primarys_sync_writes_on_the_target_are_copies() {
    let rate = 100.0;
    let mut model = two_regions(80.0, rate, 300 * S);
    model.variants = vec![variant("sync", Mode::Sync, 300 * S)];
    model.outages = vec![down(Target::Region(0), 100 * S, 150 * S)];
    model.policy.auto_promote = Some(AutoPromote {
        after: 10 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    model.promotion.switch = 10 * S;
    model.promotion.dns = 0;
    let runs = 20;
    let expected = rate * (0.080 + 0.002);
    let duplicated = mean_over(&model, runs, |s| s.writes_duplicated);
    let tol = 4.0 * (expected / f64::from(runs)).sqrt();
    assert!(
        (duplicated - expected).abs() < tol,
        "duplicates {duplicated} per run, expected {expected} ± {tol}"
    );
    // Sync to a ready target: nothing acknowledged is lost.
    assert_eq!(mean_over(&model, runs, |s| s.writes_lost), 0.0);
}

/// Latencies of writes offered in [from, to), by an observer of the run.
#[derive(Default)]
struct Latencies {
    from: Nanos,
    to: Nanos,
    offered: HashMap<(u32, u32), Nanos>,
    latencies: Vec<Nanos>,
}

impl Observer for Latencies {
    fn offered(&mut self, t: Nanos, w: WriteRef, _counted: bool) {
        if (self.from..self.to).contains(&t) {
            self.offered.insert((w.slot, w.gen), t);
        }
    }
    fn acked(&mut self, t: Nanos, w: WriteRef) {
        if let Some(at) = self.offered.remove(&(w.slot, w.gen)) {
            self.latencies.push(t - at);
        }
    }
    fn failed(&mut self, _t: Nanos, w: WriteRef) {
        self.offered.remove(&(w.slot, w.gen));
    }
}

/// SPEC §3.1 "Whose acks": a sync write waits for the secondaries that were ready when it
/// was accepted. s1 is 10 ms away, s2 200 ms; s2 is down 20–60 s (removed after 5 s),
/// then resyncs and joins at about 60.1 s. A write accepted before it joins waits for s1
/// only: 0.5 + 10 + 2 + 0.5 = 13 ms; one accepted after waits for s2 too: 203 ms (its
/// channel has caught up, so nothing queues). Were the writes accepted just before the
/// join held back for s2, they would wait for s2 to receive them: longer than 203 ms.
#[test]
fn a_secondary_that_joins_later_does_not_hold_back_earlier_sync_writes() {
    let mut model = regions_model(&["p", "s1", "s2"], 10.0, 1000.0, 80 * S);
    for (a, b) in [(0, 2), (2, 0), (1, 2), (2, 1)] {
        model.links[a][b].as_mut().unwrap().rtt = ms(200.0);
    }
    model.variants = vec![variant("sync", Mode::Sync, 10 * S)];
    model.outages = vec![down(Target::Region(2), 20 * S, 40 * S)];
    model.policy.remove_secondary_after = Some(5 * S);
    let mut seen = Latencies {
        from: 55 * S,
        to: 70 * S,
        ..Latencies::default()
    };
    Simulation::new(&model, 0, 1)
        .observed(&mut seen)
        .run(&|_| {})
        .unwrap();
    let fast = seen.latencies.iter().filter(|&&l| l == 13 * MS).count();
    let slow = seen.latencies.iter().filter(|&&l| l == 203 * MS).count();
    assert!(fast > 4000 && slow > 8000, "fast {fast}, slow {slow}");
    let max = *seen.latencies.iter().max().unwrap();
    assert_eq!(
        fast + slow,
        seen.latencies.len(),
        "writes waited for a secondary that joined after them (up to {} ms)",
        max as f64 / MS as f64
    );
}

/// SPEC §3.1 "Unreachable": the primary's own outage starts no removal timer. The primary
/// is down 40 min from 300 s, `auto_promote` (forced) after 15 min,
/// `remove_secondary_after = 10 min`: the secondary stays and is promoted. RTO is 900 s,
/// plus the switch's 30 s, plus the wait for the first attempt the DNS repoint sends to the new
/// primary (share t / 120 s at 100 attempts/s or more: about 1.3 s) + a round trip.
#[test]
fn the_primarys_own_outage_does_not_remove_the_secondary() {
    let mut model = two_regions(80.0, 100.0, 3000 * S);
    model.outages = vec![down(Target::Region(0), 300 * S, 2400 * S)];
    model.policy.auto_promote = Some(AutoPromote {
        after: 900 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    model.policy.remove_secondary_after = Some(600 * S);
    for run in 1..=3 {
        let r = simulate(&model, 0, run);
        assert_eq!(r.summary.promotion, "forced", "run {run}");
        assert_eq!(r.promotions[0].requested_s, 1200.0);
        let rto = r.summary.rto_s.unwrap();
        assert!((930.0..936.0).contains(&rto), "run {run}: rto {rto}");
    }
    // A secondary down by its own fault is still removed after 10 min.
    model.outages = vec![down(Target::Region(1), 300 * S, 2400 * S)];
    model.policy.auto_promote = None;
    model.variants = vec![variant("async", Mode::Async, 60 * S)];
    let r = simulate(&model, 0, 1);
    let throttled: Vec<f64> = r
        .timeseries
        .iter()
        .filter(|b| b.throttled > 0)
        .map(|b| b.t_s)
        .collect();
    assert_eq!(throttled.first(), Some(&359.0));
    assert_eq!(throttled.last(), Some(&899.0));
}
