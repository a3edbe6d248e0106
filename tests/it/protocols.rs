//! SPEC §6.1–§6.3, §10: the lag rules (`lag_quorum`, `max_lag = "none"`,
//! `max_lag_writes`, the namespace backlog), quorum commit and semi-sync, against closed
//! forms with constant delays (exact where the model is) and over several seeds where
//! arrivals make a figure random.

use geosim::model::*;
use geosim::results::Summary;

use crate::common::*;

/// p (primary, clients) and secondaries s1, s2 at a constant 20 ms RTT, 100 writes/s
/// for 60 s, one variant.
fn three(v: Variant) -> Model {
    let mut m = regions_model(&["p", "s1", "s2"], 20.0, 100.0, 60 * S);
    m.variants = vec![v];
    m
}

fn lagging(name: &str, max_lag: Option<Nanos>, quorum: Quorum) -> Variant {
    let mut v = variant(name, Mode::Async, 5 * S);
    v.max_lag = max_lag;
    v.lag_quorum = quorum;
    v
}

fn runs(model: &Model, seeds: u64) -> Vec<Summary> {
    (1..=seeds)
        .map(|seed| {
            let mut m = model.clone();
            m.seed = seed;
            simulate(&m, 0, 1).summary
        })
        .collect()
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

// Writes a secondary that goes down at t lacks: those whose apply (accept + 10 ms
// one-way + 1 ms commit) would fall after t, so the first it lacks was accepted at or
// after t − 11 ms; accept = arrival + 0.5 ms; at 100 writes/s the first such accept
// comes on average 10 ms later (exponential gap). Throttling by lag starts max_lag
// after it: t − 11 ms + 10 ms + 5 s, so throttled_s ≈ 60 − (t + 4.999) s, each run
// within a few gaps (P(gap > 100 ms) = e^-10).
const LACK_AFTER_DOWN_S: f64 = -0.011 + 0.010;

/// Every time bucket that acknowledged a write has the p99 latency `want(t_s)` gives
/// (within 0.1%), where it gives one (`None`: a bucket straddling a change).
fn bucket_p99s_are(r: &geosim::results::SimResult, want: impl Fn(f64) -> Option<f64>) {
    for b in r.timeseries.iter().filter(|b| b.acked > 0) {
        let Some(want) = want(b.t_s) else {
            continue;
        };
        assert!(
            (b.latency_p99_ms - want).abs() <= want * 1e-3,
            "bucket {} p99 {} vs {want}",
            b.t_s,
            b.latency_p99_ms
        );
    }
}

#[test]
fn lag_quorum_all_throttles_when_any_secondary_lags() {
    let mut m = three(lagging("all", Some(5 * S), Quorum::All));
    m.outages = vec![down(Target::Region(1), 10 * S, 100 * S)];
    for s in runs(&m, 5) {
        let expect = 60.0 - (10.0 + LACK_AFTER_DOWN_S + 5.0);
        assert!(
            (s.throttled_s - expect).abs() < 0.1,
            "throttled_s {} vs {expect}",
            s.throttled_s
        );
        assert!(s.attempts_throttled > 0);
        assert!(
            (s.lag_max_s - 50.0).abs() < 0.2,
            "lag_max_s {}",
            s.lag_max_s
        );
    }
}

#[test]
fn lag_quorum_one_throttles_only_when_no_secondary_is_within_max_lag() {
    // One of two down: the other is within max_lag, so nothing throttles and the
    // namespace lag is the near one's (about one apply, 11 ms).
    let mut m = three(lagging("q1", Some(5 * S), Quorum::Count(1)));
    m.outages = vec![down(Target::Region(1), 10 * S, 100 * S)];
    for s in runs(&m, 3) {
        assert_eq!(s.throttled_s, 0.0);
        assert_eq!(s.attempts_throttled, 0);
        assert!(s.lag_max_s < 0.1, "lag_max_s {}", s.lag_max_s);
        assert_eq!(s.writes_acked + s.writes_in_flight, s.writes_offered);
    }
    // Both down (s2 from 20 s): throttled once s2 lags too, 5 s after its first lack.
    m.outages.push(down(Target::Region(2), 20 * S, 100 * S));
    let all = runs(&m, 5);
    for s in &all {
        let expect = 60.0 - (20.0 + LACK_AFTER_DOWN_S + 5.0);
        assert!(
            (s.throttled_s - expect).abs() < 0.1,
            "throttled_s {} vs {expect}",
            s.throttled_s
        );
        assert!(
            (s.lag_max_s - 40.0).abs() < 0.2,
            "lag_max_s {}",
            s.lag_max_s
        );
    }
}

#[test]
fn max_lag_none_never_throttles() {
    let mut m = three(lagging("none", None, Quorum::All));
    m.outages = vec![down(Target::Region(1), 10 * S, 100 * S)];
    for s in runs(&m, 3) {
        assert_eq!(s.max_lag_s, None);
        assert_eq!(s.throttled_s, 0.0);
        assert_eq!(s.attempts_throttled, 0);
        // The lag still grows: it is measured, it just does not throttle.
        assert!(
            (s.lag_max_s - 50.0).abs() < 0.2,
            "lag_max_s {}",
            s.lag_max_s
        );
    }
}

#[test]
fn max_lag_writes_throttles_at_k_and_backlog_max_is_k_plus_one() {
    // K = 500, lag test off. s1 down from 10 s: its backlog grows by every accepted
    // write; the (K+1)-th accepted after its first lack makes it exceed K, and from
    // then on every attempt is throttled, so the backlog stays at K + 1 exactly.
    // The crossing is the 501st arrival after 9.989 s: Gamma(501, 100/s), mean
    // 5.01 s, sd √501/100 = 0.224 s; throttled_s ≈ 60 − (9.989 + 5.01) = 45.001.
    const K: u64 = 500;
    let mut v = lagging("k", None, Quorum::All);
    v.max_lag_writes = Some(K);
    let mut m = three(v);
    m.outages = vec![down(Target::Region(1), 10 * S, 100 * S)];
    let all = runs(&m, 6);
    for s in &all {
        assert_eq!(s.backlog_max, K + 1, "backlog_max");
        assert!(s.attempts_throttled > 0);
        assert!(
            (s.throttled_s - 45.001).abs() < 5.0 * 0.224,
            "throttled_s {}",
            s.throttled_s
        );
    }
    let m_thr = mean(all.iter().map(|s| s.throttled_s));
    let tol = 4.0 * 0.224 / (all.len() as f64).sqrt();
    assert!(
        (m_thr - 45.001).abs() < tol,
        "mean throttled_s {m_thr} ± {tol}"
    );

    // lag_quorum = 1: the backlog is s2's, the writes in its 11 ms of apply (Poisson,
    // mean 1.1; its maximum over 6,000 writes stays far below K): no throttling.
    let mut v = lagging("k1", None, Quorum::Count(1));
    v.max_lag_writes = Some(K);
    let m = Model {
        variants: vec![v],
        ..m
    };
    for s in runs(&m, 2) {
        assert_eq!(s.attempts_throttled, 0);
        assert_eq!(s.throttled_s, 0.0);
        assert!(s.backlog_max <= 15, "backlog_max {}", s.backlog_max);
    }
}

#[test]
fn backlog_max_without_a_limit_counts_what_a_down_secondary_lacks() {
    // No limit: the backlog of s1 after 50 s down is every write accepted since its
    // first lack: Poisson(100 × 50.011), sd ≈ 71.
    let mut m = three(lagging("none", None, Quorum::All));
    m.outages = vec![down(Target::Region(1), 10 * S, 100 * S)];
    let all = runs(&m, 4);
    for s in &all {
        let expect = 100.0 * 50.011;
        assert!(
            (s.backlog_max as f64 - expect).abs() < 5.0 * expect.sqrt(),
            "backlog_max {}",
            s.backlog_max
        );
    }
}

// ---- Quorum commit (SPEC §6.1, §10) ----

/// p and secondaries at constant RTTs `rtts_ms` from p (in `secondaries` order), 1 ms
/// local RTT and commits, `rate` writes/s for `secs` s, one variant.
fn spread(rtts_ms: &[f64], rate: f64, secs: u64, v: Variant) -> Model {
    let names: Vec<String> = std::iter::once("p".to_string())
        .chain((1..=rtts_ms.len()).map(|i| format!("s{i}")))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut m = regions_model(&names, 50.0, rate, secs * S);
    for (i, &rtt) in rtts_ms.iter().enumerate() {
        for (a, b) in [(0, i + 1), (i + 1, 0)] {
            m.links[a][b].as_mut().unwrap().rtt = ms(rtt);
        }
    }
    m.variants = vec![v];
    m
}

fn quorum(name: &str, k: Quorum) -> Variant {
    let mut v = variant(name, Mode::Sync, 10 * S);
    v.sync_acks = Some(k);
    v
}

#[test]
fn a_quorum_write_waits_for_its_kth_nearest_secondary() {
    // local RTT 1 + the k-th smallest RTT (20, 40, 80 ms) + the secondary's and the
    // primary's commits (1 + 1): exactly, for every write (constant delays).
    for (k, expect) in [
        (Quorum::Count(1), 23.0),
        (Quorum::Count(2), 43.0),
        (Quorum::Count(3), 83.0),
        (Quorum::All, 83.0),
    ] {
        // The RTTs listed out of order: the rule picks the k-th nearest, not the k-th listed.
        let m = spread(&[40.0, 80.0, 20.0], 200.0, 30, quorum("q", k));
        let s = simulate(&m, 0, 1).summary;
        assert!(s.writes_acked > 5_000);
        assert!(
            (s.latency_mean_ms - expect).abs() < 1e-9,
            "k = {k:?}: mean {} vs {expect}",
            s.latency_mean_ms
        );
        assert!(
            (s.latency_p99_ms - expect).abs() <= expect * 1e-3,
            "k = {k:?}"
        );
        assert_eq!(s.attempts_throttled, 0);
    }
}

#[test]
fn a_quorum_survives_one_secondary_down_and_lag_quorum_decides_throttling() {
    // ANY 2 of 3; the nearest (20 ms) down from 10 s for good. Writes then wait for
    // the next two (40, 80 ms): latency 1 + 80 + 2 = 83 ms, no write blocks.
    let run = |lag_quorum: Quorum| {
        let mut v = quorum("q2", Quorum::Count(2));
        v.lag_quorum = lag_quorum;
        v.max_lag = Some(5 * S);
        let mut m = spread(&[20.0, 40.0, 80.0], 100.0, 60, v);
        m.outages = vec![down(Target::Region(1), 10 * S, 100 * S)];
        simulate(&m, 0, 1)
    };
    let r = run(Quorum::Count(2));
    let s = &r.summary;
    assert_eq!(s.attempts_throttled, 0);
    assert_eq!(s.attempts_timed_out, 0);
    let late: Vec<f64> = r
        .timeseries
        .iter()
        .filter(|b| b.t_s >= 11.0 && b.acked > 0)
        .map(|b| b.latency_p99_ms)
        .collect();
    assert!(!late.is_empty());
    for p99 in late {
        assert!((p99 - 83.0).abs() <= 0.1, "bucket p99 {p99}");
    }
    // lag_quorum = "all": the down secondary still counts, so throttling starts once
    // its lag passes max_lag (5 s after its first lack, see LACK_AFTER_DOWN_S).
    let s = run(Quorum::All).summary;
    let expect = 60.0 - (10.0 + LACK_AFTER_DOWN_S + 5.0);
    assert!(
        (s.throttled_s - expect).abs() < 0.1,
        "throttled_s {} vs {expect}",
        s.throttled_s
    );
}

#[test]
fn with_fewer_than_k_ready_a_write_waits_for_every_ready_one() {
    // ANY 3 of 3; the farthest (80 ms) down from 10 s and removed 5 s later. Then 2
    // are ready: writes wait for both (1 + 40 + 2 = 43 ms), as SPEC §10 says.
    let mut m = spread(
        &[20.0, 40.0, 80.0],
        100.0,
        60,
        quorum("q3", Quorum::Count(3)),
    );
    m.outages = vec![down(Target::Region(3), 10 * S, 100 * S)];
    m.policy.remove_secondary_after = Some(5 * S);
    let r = simulate(&m, 0, 1);
    let late: Vec<f64> = r
        .timeseries
        .iter()
        .filter(|b| b.t_s >= 20.0 && b.acked > 0)
        .map(|b| b.latency_p99_ms)
        .collect();
    assert!(late.len() > 30);
    for p99 in late {
        assert!((p99 - 43.0).abs() <= 0.05, "bucket p99 {p99}");
    }
    // While it was ready and down (10 s to 15 s) nothing committed.
    let stalled: u64 = r
        .timeseries
        .iter()
        .filter(|b| b.t_s >= 11.0 && b.t_s < 15.0)
        .map(|b| b.acked)
        .sum();
    assert_eq!(stalled, 0);
}

#[test]
fn commits_block_while_fewer_than_k_standbys_answer() {
    // ANY 2 of 3 with no lag limit (postgres-sync): two standbys down from 10 s to 30 s.
    // No write is acknowledged from one round trip after 10 s until they are back.
    let mut v = quorum("q2", Quorum::Count(2));
    v.max_lag = None;
    let mut m = spread(&[20.0, 40.0, 80.0], 100.0, 60, v);
    m.outages = vec![
        down(Target::Region(1), 10 * S, 20 * S),
        down(Target::Region(2), 10 * S, 20 * S),
    ];
    m.workload.timeout = 120 * S;
    let r = simulate(&m, 0, 1);
    let acked_in = |from: f64, to: f64| -> u64 {
        r.timeseries
            .iter()
            .filter(|b| b.t_s >= from && b.t_s < to)
            .map(|b| b.acked)
            .sum()
    };
    assert_eq!(acked_in(11.0, 30.0), 0);
    assert!(
        acked_in(30.0, 31.0) > 1_500,
        "the blocked writes commit on return"
    );
    assert_eq!(r.summary.attempts_throttled, 0);
    assert_eq!(r.summary.writes_failed, 0);
}

#[test]
fn the_default_target_is_the_most_advanced_up_secondary() {
    // Async, s1 (listed first) 200 ms away, s2 20 ms. The primary fails at 30 s and a
    // forced promotion without a target follows at once. The default target is s2 (it
    // has applied more): it lacks the writes committed in the last 10 ms of their
    // one-way delay, about rate × 10 ms = 10 (Poisson) — not s1's rate × 100 ms = 100.
    let rate = 1000.0;
    let mut m = spread(
        &[200.0, 20.0],
        rate,
        60,
        variant("async", Mode::Async, 300 * S),
    );
    m.outages = vec![down(Target::Region(0), 30 * S, 100 * S)];
    m.actions = vec![Action {
        at: 30 * S,
        kind: ActionKind::Promote {
            kind: PromoteKind::Forced,
            target: None,
            escalate_after: None,
        },
    }];
    let all = runs(&m, 6);
    for s in &all {
        assert_eq!(s.promotion, "forced");
    }
    let lost = mean(all.iter().map(|s| s.writes_lost as f64));
    // Poisson(10): the mean of 6 has sd 1.3.
    assert!((lost - 10.0).abs() < 5.0, "mean writes_lost {lost}");
}

// ---- Semi-sync (SPEC §6.2, §10) ----

#[test]
fn semi_sync_falls_back_at_the_timeout_and_returns_after_catching_up() {
    // p and s1 at 20 ms; semi-sync (1 ack, timeout 10 s); s1 down from 10 s to 40 s.
    // The first write s1 lacks was accepted at a ≥ 10 s − 11 ms (its apply falls in the
    // outage); the namespace falls back at a + 10 s. On s1's return every write it
    // lacks leaves at 40 s and is applied at 40.011 s: caught up, back to semi-sync.
    // fallback_s = 40.011 − (a + 10) ≤ 20.022 s, short of it by a's exponential gap
    // (mean 10 ms at 100 writes/s).
    let mut v = variant("semi", Mode::SemiSync, 5 * S);
    v.max_lag = None;
    let mut m = spread(&[20.0], 100.0, 60, v);
    m.outages = vec![down(Target::Region(1), 10 * S, 30 * S)];
    for seed in 1..=4 {
        m.seed = seed;
        let r = simulate(&m, 0, 1);
        let s = &r.summary;
        assert_eq!(s.fallbacks, Some(1));
        let f = s.fallback_s.unwrap();
        assert!(f <= 20.022 + 1e-9 && f > 20.022 - 0.1, "fallback_s {f}");
        // The write that waited the whole timeout: 0.5 + 10 s + 1 + 0.5 ms, on its
        // first attempt (answered at the fallback, SPEC §10).
        assert!(
            (s.latency_max_ms - 10_002.0).abs() < 1e-6,
            "{}",
            s.latency_max_ms
        );
        assert_eq!(s.attempts_timed_out, 0);
        assert_eq!(s.writes_failed, 0);
        let acked_in = |from: f64, to: f64| -> u64 {
            r.timeseries
                .iter()
                .filter(|b| b.t_s >= from && b.t_s < to)
                .map(|b| b.acked)
                .sum()
        };
        // Waiting until the fallback; async during it; semi-sync again after 40 s.
        assert_eq!(acked_in(11.0, 19.0), 0);
        assert!(
            acked_in(19.0, 21.0) > 900,
            "the waiting writes answered at once"
        );
        bucket_p99s_are(&r, |t| {
            if (21.0..39.0).contains(&t) {
                Some(2.0)
            } else if !(9.0..41.0).contains(&t) {
                Some(23.0)
            } else {
                None
            }
        });
    }
}

#[test]
fn semi_sync_without_a_stall_never_falls_back_and_others_have_no_fallback_columns() {
    let mut v = variant("semi", Mode::SemiSync, 5 * S);
    v.max_lag = None;
    let m = spread(&[20.0, 80.0], 100.0, 30, v);
    let s = simulate(&m, 0, 1).summary;
    assert_eq!((s.fallbacks, s.fallback_s), (Some(0), Some(0.0)));
    // One ack of two: the nearer one, 1 + 20 + 2 ms.
    assert!(
        (s.latency_mean_ms - 23.0).abs() < 1e-9,
        "{}",
        s.latency_mean_ms
    );
    let m = spread(&[20.0], 100.0, 30, variant("sync", Mode::Sync, 5 * S));
    let s = simulate(&m, 0, 1).summary;
    assert_eq!((s.fallbacks, s.fallback_s), (None, None));
}

#[test]
fn fallbacks_and_fallback_s_count_after_warmup_only() {
    // As above, warmup 30 s: the fallback began before it (≈ 20 s), so it is not
    // counted, and only its 10.011 s after warmup are.
    let mut v = variant("semi", Mode::SemiSync, 5 * S);
    v.max_lag = None;
    let mut m = spread(&[20.0], 100.0, 60, v);
    m.warmup = 30 * S;
    m.outages = vec![down(Target::Region(1), 10 * S, 30 * S)];
    let s = simulate(&m, 0, 1).summary;
    assert_eq!(s.fallbacks, Some(0));
    assert!(
        (s.fallback_s.unwrap() - 10.011).abs() < 1e-9,
        "{:?}",
        s.fallback_s
    );
}

#[test]
fn set_mode_enters_semi_sync_once_caught_up() {
    // Async until 20 s, then set_mode semi-sync: latency 2 ms before, 23 ms after.
    let mut m = spread(&[20.0], 100.0, 40, variant("a", Mode::Async, 300 * S));
    m.actions = vec![Action {
        at: 20 * S,
        kind: ActionKind::SetMode(Mode::SemiSync),
    }];
    let r = simulate(&m, 0, 1);
    assert_eq!(r.summary.fallbacks, Some(0));
    bucket_p99s_are(&r, |t| {
        if t < 19.0 {
            Some(2.0)
        } else if t >= 21.0 {
            Some(23.0)
        } else {
            None
        }
    });
}

#[test]
fn the_checker_finds_nothing_wrong_with_quorum_and_semi_sync_promotions() {
    use geosim::check::Checker;
    use geosim::engine::Simulation;
    // A quorum (ANY 1 of 3) and a semi-sync namespace; the nearest secondary stalls,
    // then the primary fails and a forced promotion to the default target follows.
    let mut semi = variant("semi", Mode::SemiSync, 5 * S);
    semi.max_lag = None;
    semi.semi_sync_timeout = 2 * S;
    for v in [
        quorum("q1", Quorum::Count(1)),
        quorum("q2", Quorum::Count(2)),
        semi,
    ] {
        let mut m = spread(&[20.0, 40.0, 80.0], 200.0, 60, v);
        m.outages = vec![
            down(Target::Region(1), 10 * S, 10 * S),
            down(Target::Region(0), 30 * S, 100 * S),
        ];
        m.actions = vec![Action {
            at: 31 * S,
            kind: ActionKind::Promote {
                kind: PromoteKind::Forced,
                target: None,
                escalate_after: None,
            },
        }];
        let mut checker = Checker::new(&m);
        let r = Simulation::new(&m, 0, 1)
            .observed(&mut checker)
            .run(&|_| {})
            .unwrap();
        assert_eq!(checker.finish(&m, &r), Vec::<String>::new());
        check_invariants(&r);
        assert_eq!(r.summary.promotion, "forced");
    }
}

#[test]
fn a_sql_failover_group_promotes_after_its_own_grace_period() {
    // preset azure-sql-failover-group, no [policy]: the preset's Microsoft-managed
    // failover (forced, after 1 h) applies. Primary down from 10 min for 2 h: the
    // promotion is requested at 70 min and completes a switch (30 s) later; RTO is
    // that plus the first acknowledgement in the DNS window.
    let text = r#"
[simulation]
duration = "90m"
seed = 13

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
preset = "azure-sql-failover-group"
max_lag = "1d"

[[outage]]
target = "westeurope"
start = "10m"
duration = "2h"
"#;
    let path = std::env::temp_dir().join(format!("geosim-sql-fog-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let model = geosim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(&path).ok();
    assert!(model.policy.auto_promote.is_none());
    for v in 0..model.variants.len() {
        let r = simulate(&model, v, 1);
        assert_eq!(r.promotions.len(), 1, "{}", model.variants[v].name);
        let p = &r.promotions[0];
        assert_eq!(p.requested_s, 4200.0);
        if p.kind == "planned" {
            // The standard matrix's planned variant: its drain needs the old primary.
            assert!(p.completed_s.is_none());
            continue;
        }
        let rto = r.summary.rto_s.unwrap();
        assert!((3630.0..3640.0).contains(&rto), "rto_s {rto}");
    }
}
