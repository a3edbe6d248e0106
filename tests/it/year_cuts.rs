//! `geosim::year::cuts`: what the episode method cuts from a failure, and when a cut
//! holds; `geosim::year::settle`: how long an episode runs on after its last repair
//! (tests/it/year.rs checks the figures against a full simulation).

use geosim::model::*;
use geosim::results::{Bucket, PromotionRecord, SimResult};
use geosim::year::cuts::*;

const MIN: Nanos = 60 * NS_PER_S;
/// Every attempt of one write by default: 4 × (60 s + 1 s).
const CHAIN: Nanos = 4 * 61 * NS_PER_S;

/// Two regions, 10 writes/s, attempts of 4 × (60 s + 1 s) by default; a secondary
/// that the variant `mode` waits for with `max_lag`.
fn model(mode: &str, extra: &str) -> Model {
    let text = format!(
        r#"
[simulation]
duration = "10h"
[[region]]
name = "p"
[[region]]
name = "s"
[[link]]
between = ["p", "s"]
rtt = "80ms"
[workload]
client_region = "p"
rate = 10
size = "1KiB"
[replication]
primary = "p"
secondaries = ["s"]
{extra}
[[variant]]
name = "v"
mode = "{mode}"
max_lag = "5m"
"#
    );
    geosim::scenario::parse(&text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"))
}

fn params(rate: f64) -> Params {
    Params {
        variant: 0,
        lead: MIN,
        rate,
        rho: 0.0,
    }
}

fn down(target: Target, start: Nanos, duration: Nanos) -> Outage {
    Outage {
        target,
        start,
        duration,
        kind: OutageKind::Down,
    }
}

#[test]
fn a_long_secondary_failure_is_cut_from_its_onset_to_a_chain_before_its_repair() {
    let mut m = model("async", "");
    let chain = 4 * (61 * NS_PER_S);
    let lead = params(10.0).lead;
    // Onset: the lag limit twice, two attempt chains and the lead-in (no auto-promotion).
    assert_eq!(onset(&m, &params(10.0), false), 10 * MIN + 2 * chain + lead);
    m.outages = vec![
        down(Target::Region(1), 10 * MIN, 180 * MIN),
        down(Target::Region(1), 400 * MIN, 5 * MIN),
    ];
    let cut = plan(&m, &params(10.0), &[]).expect("a cut");
    let from = 10 * MIN + 10 * MIN + 2 * chain + lead;
    let length = 190 * MIN - chain - lead - from;
    assert_eq!(
        cut.cuts,
        vec![Cut {
            at: from,
            length,
            target: Target::Region(1),
            not_primary: true
        }]
    );
    assert_eq!(cut.removed(), length);
    assert_eq!(cut.model.duration, m.duration - length);
    assert_eq!(cut.model.outages[0].duration, 180 * MIN - length);
    // The later outage keeps its distance from the repair.
    assert_eq!(cut.model.outages[1].start, 400 * MIN - length);
    // Skipped (its cut failed before), or too short: nothing cut.
    assert!(plan(&m, &params(10.0), &[Target::Region(1)]).is_none());
    m.outages[0].duration = 20 * MIN;
    assert!(plan(&m, &params(10.0), &[]).is_none());
}

#[test]
fn outages_near_each_other_and_the_primary_without_its_timers_are_not_cut_alike() {
    let mut m = model(
        "sync",
        "[policy]\nauto_promote = { after = \"15m\", kind = \"forced\" }",
    );
    let primary = onset(&m, &params(10.0), true);
    let other = onset(&m, &params(10.0), false);
    // The auto-promotion, its switch and DNS window come first for the primary.
    assert_eq!(
        primary - other,
        15 * MIN + m.promotion.switch + m.promotion.dns
    );
    m.outages = vec![down(Target::Region(0), 0, 300 * MIN)];
    let cut = plan(&m, &params(10.0), &[]).expect("a cut");
    assert_eq!(cut.cuts[0].at, primary);
    assert!(!cut.cuts[0].not_primary);
    // A second failure within the margin of the first: neither is cut.
    m.outages
        .push(down(Target::Region(1), 310 * MIN, 300 * MIN));
    assert!(plan(&m, &params(10.0), &[]).is_none());
}

#[test]
fn recovery_points_keep_their_clock() {
    let mut m = model("snapshot", "");
    m.variants[0].snapshot_interval = 7 * MIN;
    m.outages = vec![down(Target::Region(1), 0, 300 * MIN)];
    let cut = plan(&m, &params(10.0), &[]).expect("a cut");
    assert_eq!(cut.removed() % (7 * MIN), 0);
    assert!(cut.removed() > 0);
}

fn bucket(t_s: f64, primary: &str) -> Bucket {
    Bucket {
        t_s,
        offered: 10,
        acked: 0,
        throttled: 30,
        readonly: 0,
        unavailable: 0,
        timed_out: 0,
        lag_s: 600.0,
        latency_p99_ms: 0.0,
        primary: primary.into(),
        reads: None,
    }
}

fn result(timeseries: Vec<Bucket>) -> SimResult {
    SimResult {
        summary: Default::default(),
        timeseries,
        latency_cdf: Vec::new(),
        first_try_cdf: Vec::new(),
        promotions: Vec::new(),
        outages: Vec::new(),
        visibility_curve: Vec::new(),
    }
}

#[test]
fn a_cut_holds_only_where_the_system_stood_still() {
    let m = model("async", "");
    let cut = |target, not_primary| Cut {
        at: 3600 * NS_PER_S,
        length: 600 * NS_PER_S,
        target,
        not_primary,
    };
    let series = |primary: &str| (0..7200).map(|t| bucket(t as f64, primary)).collect();
    let secondary = [cut(Target::Region(1), true)];
    let mut r = result(series("p"));
    assert_eq!(stood_still(&r, &m, &secondary), Some(vec![Still::Blocked]));
    // One acknowledgement just inside the window (an attempt chain after the cut).
    r.timeseries[3600 + 240].acked = 1;
    assert_eq!(stood_still(&r, &m, &secondary), None);
    r.timeseries[3600 + 240].acked = 0;
    // One just outside it.
    r.timeseries[3600 + 250].acked = 1;
    assert_eq!(stood_still(&r, &m, &secondary), Some(vec![Still::Blocked]));
    // Timeouts while the primary is up: an attempt may have been accepted.
    r.timeseries[3500].timed_out = 1;
    assert_eq!(stood_still(&r, &m, &secondary), None);
    // While the primary itself is down they are undelivered requests.
    let mut down = result(series("p"));
    down.timeseries[3500].timed_out = 1;
    assert_eq!(
        stood_still(&down, &m, &[cut(Target::Region(0), false)]),
        Some(vec![Still::Blocked])
    );
    // ... unless the cut was planned without the primary's timers.
    assert_eq!(
        stood_still(&down, &m, &[cut(Target::Region(0), true)]),
        None
    );
    // Too few writes in the window to tell.
    let mut quiet = result(series("p"));
    quiet.timeseries.iter_mut().for_each(|b| b.offered = 0);
    assert_eq!(stood_still(&quiet, &m, &secondary), None);
    // Every attempt acknowledged, the same primary: accepting.
    let mut serving = result(series("s"));
    for b in &mut serving.timeseries {
        (b.throttled, b.acked) = (0, 10);
    }
    let old_primary = [cut(Target::Region(0), false)];
    assert_eq!(
        stood_still(&serving, &m, &old_primary),
        Some(vec![Still::Accepting])
    );
    // One attempt throttled, or a promotion completing, in the window: neither.
    serving.timeseries[3650].throttled = 1;
    assert_eq!(stood_still(&serving, &m, &old_primary), None);
    serving.timeseries[3650].throttled = 0;
    serving.promotions.push(PromotionRecord {
        requested_s: 3000.0,
        escalated_s: None,
        completed_s: Some(3590.0),
        kind: "forced".into(),
        from: "p".into(),
        to: "s".into(),
        writes_lost: 0,
        failback: false,
    });
    assert_eq!(stood_still(&serving, &m, &old_primary), None);
}

#[test]
fn a_failure_may_not_be_cut_while_another_region_may_still_resync() {
    let mut m = model("async", "");
    // Away 5 h at ρ = 0.5: up to 5 h of resync after the repair.
    m.outages = vec![
        down(Target::Region(1), 0, 300 * MIN),
        down(Target::link(0, 1), 500 * MIN, 100 * MIN),
    ];
    let p = Params {
        rho: 0.5,
        ..params(10.0)
    };
    assert!(plan(&m, &p, &[]).is_none());
    m.outages[1].start = 700 * MIN;
    assert_eq!(plan(&m, &p, &[]).map(|p| p.cuts.len()), Some(2));
}

/// After its repair an async variant throttles until the backlog older than its lag
/// limit has drained. A cut that kept less than twice the limit before the repair would
/// leave part of that backlog younger than the limit and end the throttling early
/// (here by about a quarter hour of writes: a 1 h limit, the link at ρ = 0.5). The cut
/// episode fails as many writes as the whole one, within the noise of the arrivals
/// after the cut (the two runs draw them apart): four standard deviations of the
/// difference of two Poisson counts.
#[test]
fn a_cut_keeps_the_throttling_after_a_long_lag_limit() {
    use geosim::engine::Simulation;
    let mut m = model("async", "");
    m.duration = 5 * 60 * MIN;
    m.variants[0].max_lag = Some(60 * MIN);
    // 10 writes/s of 1 KiB on 20 KiB/s each way.
    for (a, b) in [(0, 1), (1, 0)] {
        m.links[a][b].as_mut().unwrap().bandwidth_bytes_per_s = Some(20.0 * 1024.0);
    }
    m.outages = vec![down(Target::Region(1), 10 * MIN, 180 * MIN)];
    let run = |m: &Model| Simulation::new(m, 0, 1).run(&|_| {});
    let whole = run(&m).unwrap().summary.writes_failed;
    let p = Params {
        rho: 0.5,
        ..params(10.0)
    };
    let (r, _, removed) = simulate(m, &p, &mut Uncut::default(), |m, _| run(m)).unwrap();
    assert!(removed.blocked > 0, "nothing cut: {removed:?}");
    let cut = r.summary.writes_failed + (removed.blocked as f64 / 1e9 * 10.0).round() as u64;
    let tolerance = 4.0 * (2.0 * whole as f64).sqrt();
    assert!(
        (cut as f64 - whole as f64).abs() < tolerance,
        "failed writes: cut {cut}, whole {whole} (± {tolerance:.0})"
    );
}

/// A run of `m` that stops `after` the end of its only outage.
fn run_past_repair(m: &Model, after: Nanos) -> SimResult {
    let mut m = m.clone();
    let o = &m.outages[0];
    m.duration = o.start + o.duration + after;
    geosim::engine::Simulation::new(&m, 0, 1)
        .run(&|_| {})
        .unwrap()
}

/// Writes failed by a run of `m` that stops `after` the end of its only outage.
fn failed_by(m: &Model, after: Nanos) -> u64 {
    run_past_repair(m, after).summary.writes_failed
}

/// The namespace lag at the end of a run of `m` that stops `after` its repair.
fn lag_past_repair(m: &Model, after: Nanos) -> f64 {
    run_past_repair(m, after).timeseries.last().unwrap().lag_s
}

/// Gives `m`'s link 20 KiB/s, half the load of its 10 writes/s of 1 KiB; returns ρ.
fn half_loaded(m: &mut Model) -> f64 {
    use geosim::year::episodes::{link_load, mean_rate};
    for (a, b) in [(0, 1), (1, 0)] {
        m.links[a][b].as_mut().unwrap().bandwidth_bytes_per_s = Some(20.0 * 1024.0);
    }
    link_load(m, mean_rate(m))
}

/// The primary down for 30 minutes, no promotion, no link limit: the tail is the
/// attempts' bound, and a write whose last attempt started before the repair fails up
/// to a timeout after it. A run that stops at the tail has counted every failure (one
/// twice as long counts no more); one that stops half a minute after the repair has
/// not.
#[test]
fn the_settle_tail_outlasts_the_attempts_of_writes_issued_before_the_repair() {
    use geosim::year::settle::tail;
    let mut m = model("sync", "");
    m.outages = vec![down(Target::Region(0), 10 * MIN, 30 * MIN)];
    let t = tail(&m, NS_PER_S, 0.0, 30 * MIN);
    assert!(t >= CHAIN, "tail {t} ns");
    let counted = failed_by(&m, t);
    assert_eq!(counted, failed_by(&m, 2 * t));
    assert!(failed_by(&m, 30 * NS_PER_S) < counted);
}

/// The secondary away for 30 minutes on a link at half load, async without a lag
/// limit: the tail is the resync of 30 minutes of writes at the spare half of the
/// link, longer than the attempts' bound, and by its end the lag is back to what a
/// steady run shows; at the attempts' bound it is not.
#[test]
fn the_settle_tail_outlasts_the_resync_of_a_returning_region() {
    use geosim::year::settle::tail;
    let mut m = model("async", "");
    m.variants[0].max_lag = None;
    let rho = half_loaded(&mut m);
    assert!((0.45..0.55).contains(&rho), "load {rho}");
    m.outages = vec![down(Target::Region(1), 10 * MIN, 30 * MIN)];
    let lead = MIN;
    let t = tail(&m, lead, rho, 30 * MIN);
    assert!(t > CHAIN + lead + 20 * MIN, "tail {t} ns");
    let lag = lag_past_repair(&m, t);
    assert!(lag < 1.0, "lag {lag} s at the tail");
    assert!(lag_past_repair(&m, CHAIN + lead) > 60.0);
}

/// The secondary away for an hour on a link at half load, async with a 5-minute lag
/// limit: past the limit every write is throttled, so the backlog holds at most the
/// first 5 minutes' writes, and the tail resyncs those (`backlog_span`), not the hour.
/// By the end of that shorter tail the lag is back to a steady run's, and the writes
/// failed are those a tail twice as long counts. Without the limit, with a quorum lag
/// rule, removals, another mode, or the primary among the failures, the backlog may
/// hold the whole time away.
#[test]
fn a_throttled_secondary_failure_resyncs_at_most_its_lag_limit() {
    use geosim::year::settle::{backlog_span, tail};
    let mut m = model("async", "");
    let rho = half_loaded(&mut m);
    let away = 60 * MIN;
    let span = backlog_span(&m, 0, 0, [Target::Region(1)].into_iter(), away);
    assert_eq!(span, 5 * MIN + CHAIN);
    let lead = MIN;
    let t = tail(&m, lead, rho, span);
    assert!(t < tail(&m, lead, rho, away) / 4, "tail {t} ns");
    m.outages = vec![down(Target::Region(1), 10 * MIN, away)];
    let lag = lag_past_repair(&m, t);
    assert!(lag < 1.0, "lag {lag} s at the tail");
    assert_eq!(failed_by(&m, t), failed_by(&m, 2 * t));
    // There was a backlog to resync: a minute after the repair the lag is still long.
    assert!(lag_past_repair(&m, MIN) > 60.0);

    let whole = |m: &Model, primary: RegionId, target: Target| {
        backlog_span(m, 0, primary, [target].into_iter(), away) == away
    };
    assert!(
        whole(&m, 1, Target::Region(1)),
        "the primary among the failures"
    );
    let link = Target::link(0, 1);
    assert!(!whole(&m, 0, link), "a link to the secondary is capped too");
    let mut other = m.clone();
    other.variants[0].max_lag = None;
    assert!(whole(&other, 0, Target::Region(1)), "no lag limit");
    let mut other = m.clone();
    other.variants[0].lag_quorum = Quorum::Count(1);
    assert!(whole(&other, 0, Target::Region(1)), "a quorum lag rule");
    let mut other = m.clone();
    other.policy.remove_secondary_after = Some(10 * MIN);
    assert!(whole(&other, 0, Target::Region(1)), "removal");
    let mut other = m.clone();
    other.variants[0].mode = Mode::Sync;
    assert!(whole(&other, 0, Target::Region(1)), "sync");
}
