//! The episode method of `geosim::year` against a full simulation of the same span
//! with the same failure draws (docs/year-of-failures.md, "Proof").

use geosim::model::*;
use geosim::year::episodes::{draws, simulate_span, SpanResult};
use rand_distr::LogNormal;

use crate::common::*;

const H: Nanos = 3600 * S;

/// Lognormal repair time with the given median and p99 (z99 = 2.3263).
fn mttr(median: Nanos, p99: Nanos) -> Sampled {
    let mu = (median as f64).ln();
    let sigma = ((p99 as f64).ln() - mu) / 2.326_347_874;
    Sampled {
        dist: Dist::LogNormal(LogNormal::new(mu, sigma).unwrap()),
        mean: (mu + sigma * sigma / 2.0).exp(),
    }
}

/// Two days of a primary, a secondary and their link each failing every few hours:
/// often enough that failures coincide (a primary failing while the secondary is
/// down or behind is where async loses thousands of writes), at 10 writes/s.
fn proof_model() -> Model {
    let mut m = two_regions(80.0, 10.0, 48 * H);
    m.failures = vec![
        Failure {
            target: Target::Region(0),
            mtbf: 4 * H,
            mttr: mttr(15 * 60 * S, H),
        },
        Failure {
            target: Target::Region(1),
            mtbf: 4 * H,
            mttr: mttr(15 * 60 * S, H),
        },
        Failure {
            target: Target::link(0, 1),
            mtbf: 2 * H,
            mttr: mttr(20 * 60 * S, H),
        },
    ];
    m.policy.auto_promote = Some(AutoPromote {
        after: 5 * 60 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    m.variants = vec![
        variant("async-5m", Mode::Async, 300 * S),
        variant("sync", Mode::Sync, 10 * S),
    ];
    m
}

/// Student's t, 99.5th percentile, 5 degrees of freedom: a two-sided 99% interval
/// from 6 replicas.
const T_995_DF5: f64 = 4.032;
const REPLICAS: u64 = 6;

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Four days of long repairs, failures far apart: the secondary down for 1.5 h at the
/// median every ~8 h, the link for an hour every ~12 h, the primary for half an hour
/// every ~16 h. Most of each secondary or link failure is spent throttling, most of the
/// primary's serving writes from the promoted secondary: the stretches the episode
/// method cuts (`year::cuts`).
fn long_repairs_model() -> Model {
    let mut m = proof_model();
    m.duration = 96 * H;
    m.failures = vec![
        Failure {
            target: Target::Region(0),
            mtbf: 16 * H,
            mttr: mttr(30 * 60 * S, 2 * H),
        },
        Failure {
            target: Target::Region(1),
            mtbf: 8 * H,
            mttr: mttr(90 * 60 * S, 4 * H),
        },
        Failure {
            target: Target::link(0, 1),
            mtbf: 12 * H,
            mttr: mttr(H, 3 * H),
        },
    ];
    // A limit long against the repairs: after the repair the namespace throttles until
    // a backlog older than the limit has drained, which a cut must not shorten.
    m.variants.push(variant("async-30m", Mode::Async, 1800 * S));
    m
}

/// The full simulation and the episode method see the same failures; the episode
/// method's figures, over replicas that differ only in the seeds of its simulations,
/// predict the full simulation's within a 99% prediction interval
/// (mean ± t · sd · √(1 + 1/n)): agreement within the method's own noise.
#[test]
fn episode_method_agrees_with_full_simulation() {
    agrees_with_full_simulation(&proof_model(), 20);
}

/// The same with the interiors of long failures that stand still cut, not simulated:
/// the figures still agree, and the cuts took at least a third of the failures' time.
#[test]
fn cutting_still_interiors_keeps_the_figures_of_a_full_simulation() {
    let model = long_repairs_model();
    let (cut, failing) = agrees_with_full_simulation(&model, 12);
    eprintln!(
        "cut {:.1} h of {} × {:.1} h of failures",
        cut as f64 / H as f64,
        model.variants.len(),
        failing as f64 / H as f64
    );
    assert!(
        cut * 3 >= failing * model.variants.len() as u64,
        "cut {cut} ns of {failing} ns of failures per variant"
    );
}

/// Asserts the agreement for every variant of `model` (at least `min_failures`
/// drawn); returns the time the episode method cut (all variants, salt 0) and the
/// failures' time.
fn agrees_with_full_simulation(model: &Model, min_failures: usize) -> (Nanos, Nanos) {
    use rayon::prelude::*;
    let model = model.clone();
    let run = 1;
    let tasks: Vec<(usize, Option<u64>)> = (0..model.variants.len())
        .flat_map(|v| std::iter::once((v, None)).chain((0..REPLICAS).map(move |s| (v, Some(s)))))
        .collect();
    // (variant, salt or None for the full simulation) → (failed, lost, promotions, cut)
    let figures: Vec<(usize, Option<u64>, f64, f64, usize, Nanos)> = tasks
        .par_iter()
        .map(|&(v, salt)| match salt {
            None => {
                let r = simulate(&model, v, run);
                // The very failures the episode method simulates.
                let starts: Vec<Nanos> = r
                    .outages
                    .iter()
                    .map(|o| (o.start_s * 1e9).round() as Nanos)
                    .collect();
                let drawn: Vec<Nanos> = draws(&model, run, model.duration)
                    .iter()
                    .map(|d| d.start)
                    .collect();
                assert_eq!(starts, drawn);
                let s = r.summary;
                (
                    v,
                    None,
                    s.writes_failed as f64,
                    s.writes_lost as f64,
                    r.promotions.len(),
                    0,
                )
            }
            Some(salt) => {
                let span = simulate_span(&model, v, run, model.duration, salt).unwrap();
                let promotions = span.incidents.iter().map(|i| i.promotions).sum();
                assert!(span.incidents.iter().all(|i| i.settled));
                if salt == 0 {
                    let episode_h: f64 = span
                        .incidents
                        .iter()
                        .map(|i| (i.end - i.start - i.cut) as f64 / H as f64)
                        .sum();
                    eprintln!(
                        "{}: {} failures in {} episodes, {episode_h:.1} h of {:.0} h simulated",
                        model.variants[v].name,
                        span.draws.len(),
                        span.incidents.len(),
                        model.duration as f64 / H as f64
                    );
                }
                (
                    v,
                    Some(salt),
                    span.writes_failed(),
                    span.writes_lost() as f64,
                    promotions,
                    span.incidents.iter().map(|i| i.cut).sum(),
                )
            }
        })
        .collect();
    let spans = draws(&model, run, model.duration);
    assert!(
        spans.len() >= min_failures,
        "only {} failures drawn",
        spans.len()
    );
    for v in 0..model.variants.len() {
        let full = figures.iter().find(|f| f.0 == v && f.1.is_none()).unwrap();
        let reps: Vec<_> = figures
            .iter()
            .filter(|f| f.0 == v && f.1.is_some())
            .collect();
        let name = &model.variants[v].name;
        for (what, pick) in [
            (
                "writes failed",
                (|f: &&(usize, Option<u64>, f64, f64, usize, Nanos)| f.2) as fn(&&_) -> f64,
            ),
            ("writes lost", |f| f.3),
        ] {
            let xs: Vec<f64> = reps.iter().map(pick).collect();
            let (mean, sd) = mean_sd(&xs);
            let tol = T_995_DF5 * sd * (1.0 + 1.0 / REPLICAS as f64).sqrt();
            let got = pick(&full);
            eprintln!(
                "{name}: {what}: full {got:.0}, episodes {mean:.1} ± {tol:.1} (sd {sd:.1} over {REPLICAS})"
            );
            assert!(
                (got - mean).abs() <= tol,
                "{name}: {what}: full simulation {got} vs episode method {mean:.1} ± {tol:.1}"
            );
        }
        // Same failures, same roles: the same promotions, one for one.
        assert!(
            reps.iter().all(|f| f.4 == full.4),
            "{name}: promotions differ"
        );
    }
    let cut = figures.iter().filter(|f| f.1 == Some(0)).map(|f| f.5).sum();
    (cut, spans.iter().map(|d| d.end - d.start).sum())
}

/// Only the primary region fails, every ~60 days. Without failback the first failure
/// that outlasts `auto_promote.after` moves the primary to the secondary, which never
/// fails, so later failures strike a secondary: one promotion a year. With failback
/// the old primary takes its role back an hour after its repair, so every such
/// failure strikes the primary again: one promotion and one failback each.
#[test]
fn with_failback_failures_strike_the_primary_again() {
    use geosim::year::{figures, YEAR};
    let mut model = two_regions(80.0, 1.0, YEAR);
    model.failures = vec![Failure {
        target: Target::Region(0),
        mtbf: 60 * 24 * H,
        mttr: mttr(45 * 60 * S, 3 * H),
    }];
    let after = 15 * 60 * S;
    model.policy.auto_promote = Some(AutoPromote {
        after,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    let (mut checked, mut promoting) = (0, 0);
    for run in 1..=3 {
        let drawn = draws(&model, run, YEAR);
        // Failures long enough to trigger a promotion, and ending well before the year
        // does (so their failback is in it too).
        let long = drawn.iter().filter(|d| d.end - d.start > after).count();
        assert!(drawn.iter().all(|d| d.end + 3 * H < YEAR), "{drawn:?}");
        promoting += long;

        let mut without = model.clone();
        without.policy.failback = None;
        let span = simulate_span(&without, 0, run, YEAR, 0).unwrap();
        let promotions: usize = span.incidents.iter().map(|i| i.promotions).sum();
        assert_eq!(promotions, usize::from(long > 0), "run {run}: {drawn:?}");
        assert_eq!(span.incidents.iter().map(|i| i.failbacks).sum::<usize>(), 0);

        let mut with = model.clone();
        with.policy.failback = Some(Failback {
            after: H,
            kind: PromoteKind::Planned,
            to: 0,
        });
        let span = simulate_span(&with, 0, run, YEAR, 0).unwrap();
        assert!(span.incidents.iter().all(|i| i.settled));
        let promotions: usize = span.incidents.iter().map(|i| i.promotions).sum();
        let failbacks: usize = span.incidents.iter().map(|i| i.failbacks).sum();
        assert_eq!(promotions, long, "run {run}: {drawn:?}");
        assert_eq!(failbacks, long, "run {run}");
        let f = figures("async", &[&span]);
        assert_eq!(f.promotions_per_year, long as f64);
        assert_eq!(f.failbacks_per_year, long as f64);
        checked += 1;
    }
    assert_eq!(checked, 3);
    assert!(
        promoting >= 6,
        "only {promoting} promoting failures in 3 years"
    );
}

/// Variants that differ only in `max_lag` share the episodes in which the lag reached
/// neither limit (`geosim::year::shared`): their spans are exactly those simulated
/// apart, but for the events not simulated twice. The proof model's secondary and link
/// failures push the lag past 5 minutes (those episodes are simulated again); its
/// primary failures do not.
#[test]
fn variants_that_cannot_differ_share_their_episodes_and_nothing_else() {
    use geosim::year::episodes::simulate_group;
    use geosim::year::shared::groups;
    let mut model = proof_model();
    let mut none = variant("async-none", Mode::Async, 0);
    none.max_lag = None;
    model.variants = vec![
        variant("async-5m", Mode::Async, 300 * S),
        variant("async-30m", Mode::Async, 1800 * S),
        none,
        // Below a second, max_lag also sets when a resyncing secondary is ready.
        variant("async-500ms", Mode::Async, S / 2),
        variant("sync", Mode::Sync, 300 * S),
    ];
    assert_eq!(
        groups(&model, &[0, 1, 2, 3, 4]),
        vec![vec![0, 1, 2], vec![3], vec![4]]
    );
    // Each order: the smallest limit first (its results hold for the larger ones),
    // and no limit first (whose results hold only where the lag stayed within 5 min).
    for (run, group) in [(1, [0, 1, 2]), (2, [2, 1, 0]), (3, [1, 2, 0])] {
        let shared = simulate_group(&model, &group, run, model.duration, 0).unwrap();
        let apart: Vec<_> = group
            .iter()
            .map(|&v| simulate_span(&model, v, run, model.duration, 0).unwrap())
            .collect();
        for (s, a) in shared.iter().zip(&apart) {
            assert_eq!(s.incidents, a.incidents, "run {run}, variant {}", a.variant);
            assert_eq!(
                SpanResultWithoutEvents::of(s.clone()),
                SpanResultWithoutEvents::of(a.clone())
            );
        }
        let events = |s: &[SpanResult]| s.iter().map(|s| s.events).sum::<u64>();
        // Shared some, not all: the first variant's episodes are all simulated, some of
        // the others' too (the 5-minute limit throttled there).
        assert!(
            events(&shared) < events(&apart),
            "run {run}: nothing shared"
        );
        assert!(
            events(&shared) > apart[0].events + apart[0].events / 10,
            "run {run}: every episode shared"
        );
    }
}

/// A span with its cost left out.
#[derive(Debug, PartialEq)]
struct SpanResultWithoutEvents(SpanResult);

impl SpanResultWithoutEvents {
    fn of(mut s: SpanResult) -> Self {
        s.events = 0;
        SpanResultWithoutEvents(s)
    }
}
