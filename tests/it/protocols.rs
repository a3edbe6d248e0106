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
