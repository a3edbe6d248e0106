//! Snapshots of the sentences the report writes under each chart, for fixed hand-made
//! result sets (tests/report_fixture). Exact strings: any change to the wording or the
//! figures shows up here.

use crate::report_fixture::*;
use geosim::model::Mode;
use geosim::report::charts::ChartKind;
use geosim::report::sentences::chart_notes;
use geosim::results::SimResult;

fn notes(model: &geosim::model::Model, results: &[SimResult]) -> Vec<(ChartKind, Vec<String>)> {
    chart_notes(model, results)
}

fn expect(actual: Vec<(ChartKind, Vec<String>)>, expected: &[(ChartKind, &[&str])]) {
    let actual: Vec<(ChartKind, Vec<&str>)> = actual
        .iter()
        .map(|(k, n)| (*k, n.iter().map(String::as_str).collect()))
        .collect();
    let expected: Vec<(ChartKind, Vec<&str>)> =
        expected.iter().map(|(k, n)| (*k, n.to_vec())).collect();
    assert_eq!(actual, expected);
}

#[test]
fn sync_against_two_async_limits() {
    let (model, results) = three_variants();
    expect(
        notes(&model, &results),
        &[
            (
                ChartKind::LatencyCdf,
                &[
                    "sync adds 87 ms to the median write compared with async-30s (101 ms against 14 ms).",
                    "The slowest 1% of writes take 180 ms or more under sync, against 40 ms under async-5m.",
                ],
            ),
            (
                ChartKind::Lag,
                &[
                    "The namespace lag peaked at 89 s under async-5m; the lowest peak was 0 s under sync.",
                    "async-30s spent 30 s with its lag above its max_lag of 30 s, throttling writes.",
                    "The run had one outage: westeurope down from 200 to 320 s.",
                ],
            ),
            (
                ChartKind::Availability,
                &[
                    "Every variant acknowledged 84.8% of the writes offered after warm-up.",
                    "Failed attempts under sync: 120 throttled, 3,000 read-only, 40 unavailable, 2,500 timed out.",
                    "Every variant promoted; under sync the forced promotion of westeurope to eastus was requested at 260 s and completed after 30 s.",
                ],
            ),
            (
                ChartKind::RpoRto,
                &[
                    "async-5m lost 412 acknowledged writes at the forced promotion, an RPO of 1.9 s.",
                    "sync lost none at its promotion.",
                    "The RTO ranged from 90 s under sync to 95.5 s under async-5m.",
                ],
            ),
            (
                ChartKind::Tradeoff,
                &[
                    "async-5m and async-30s share the lowest first-try p99 (40 ms); among the variants that failed over, sync has the lowest RPO (0 s), at a first-try p99 of 180 ms.",
                    "All variants acknowledged 84.8% of their writes.",
                ],
            ),
        ],
    );
}

#[test]
fn calm_run_and_a_dead_variant() {
    let model = model(
        "calm",
        &[("sync", Mode::Sync, 10.0), ("broken", Mode::Async, 300.0)],
        1,
    );
    let mut sync = Spec::new("sync", Mode::Sync, 10.0);
    sync.outage = false;
    sync.promotion = None;
    let mut broken = Spec::new("broken", Mode::Async, 300.0);
    broken.outage = false;
    broken.promotion = None;
    broken.all_failed = true;
    let results = vec![result(&sync), result(&broken)];
    expect(
        notes(&model, &results),
        &[
            (
                ChartKind::LatencyCdf,
                &[
                    "The median acknowledged write of sync takes 15 ms; the p99 is 40 ms.",
                    "broken acknowledged no write, so it has no curve.",
                ],
            ),
            (
                ChartKind::Lag,
                &[
                    "The namespace lag peaked at 0.05 s under broken; the lowest peak was 0 s under sync.",
                    "No variant's lag went above its max_lag, so no write was throttled.",
                    "The run had no outage.",
                ],
            ),
            (
                ChartKind::Availability,
                &[
                    "sync acknowledged 100% of the writes offered after warm-up, broken only 0.0%.",
                    "Failed attempts under broken: 120 throttled, 3,000 read-only, 40 unavailable, 2,500 timed out.",
                    "No variant promoted a secondary.",
                ],
            ),
            (
                ChartKind::RpoRto,
                &[
                    "No failover happened in this run, so no acknowledged write could be lost: the RPO was not put to the test.",
                    "The primary had no outage in this run, so no variant has an RTO.",
                ],
            ),
            (
                ChartKind::Tradeoff,
                &[
                    "sync: first-try p99 latency 40 ms, no failover, 100% of writes acknowledged.",
                ],
            ),
        ],
    );
}

#[test]
fn nothing_to_describe() {
    let model = model("empty", &[], 1);
    for (_, n) in notes(&model, &[]) {
        assert_eq!(n, vec!["There are no results to describe.".to_string()]);
    }
}

/// A small fixed-seed generator (the test must reproduce: no clock seed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// The variant names before `marker` in `sentence` ("a, b and c tie …" → a, b, c).
fn names_before<'a>(sentence: &'a str, marker: &str) -> Option<Vec<&'a str>> {
    let head = sentence.split(marker).next()?;
    // The names start after the last sentence break or "; ".
    let head = head
        .rsplit("; ")
        .next()?
        .rsplit(". ")
        .next()?
        .rsplit(": ")
        .next()?;
    let head = head
        .strip_prefix("among the variants that failed over, ")
        .unwrap_or(head);
    Some(
        head.split(", ")
            .flat_map(|p| p.split(" and "))
            .map(str::trim)
            .collect(),
    )
}

fn random_results(rng: &mut Lcg, n: usize) -> (geosim::model::Model, Vec<SimResult>) {
    let names: Vec<String> = (1..=n).map(|i| format!("v{i}")).collect();
    let defs: Vec<(&str, Mode, f64)> = names
        .iter()
        .map(|n| (n.as_str(), Mode::Async, 300.0))
        .collect();
    let model = model("prop", &defs, 1);
    let results = names
        .iter()
        .map(|name| {
            let mut spec = Spec::new(name, Mode::Async, 300.0);
            spec.p50_ms = rng.pick(&[3.0, 9.0, 90.0]);
            spec.p99_ms = spec.p50_ms * rng.pick(&[1.0, 1.1, 2.0]);
            spec.rpo_s = rng.pick(&[0.0, 0.0, 1.5, 12.0, 153.0]);
            spec.writes_lost = if spec.rpo_s > 0.0 { 100 } else { 0 };
            spec.promotion = match rng.pick(&[0, 1, 2]) {
                0 => None,
                1 => Some((260.0, Some(290.0), "forced")),
                _ => Some((260.0, Some(290.0), "planned")),
            };
            if spec.promotion.is_none() {
                // No failover: nothing can be lost.
                spec.rpo_s = 0.0;
                spec.writes_lost = 0;
            }
            spec.outage = rng.pick(&[true, false]);
            let mut r = result(&spec);
            r.summary.availability = rng.pick(&[0.7, 0.8, 0.999, 1.0]);
            r
        })
        .collect();
    (model, results)
}

#[test]
fn sentences_never_claim_an_order_the_figures_contradict() {
    let mut rng = Lcg(17);
    let mut claims = 0;
    for case in 0..3000 {
        let n = 2 + (rng.next() % 4) as usize;
        let (model, results) = random_results(&mut rng, n);
        let s: Vec<&geosim::results::Summary> = results.iter().map(|r| &r.summary).collect();
        let by = |name: &str| {
            *s.iter()
                .find(|x| x.variant == name)
                .unwrap_or_else(|| panic!("case {case}: no variant {name:?}"))
        };
        let p99 = |x: &geosim::results::Summary| format!("{:.3}", x.first_try_latency_p99_ms);
        let min_p99 = s
            .iter()
            .map(|x| x.first_try_latency_p99_ms)
            .fold(f64::INFINITY, f64::min);
        let tested: Vec<_> = s.iter().filter(|x| x.promotion != "none").collect();
        let min_rpo = tested.iter().map(|x| x.rpo_s).fold(f64::INFINITY, f64::min);
        for (_, notes) in notes(&model, &results) {
            for note in notes {
                let ctx = || format!("case {case}: {note}");
                for marker in [
                    " is at least as good as every other variant on both counts",
                    " tie as best on both counts",
                ] {
                    if note.contains(marker) {
                        claims += 1;
                        for name in names_before(&note, marker).unwrap() {
                            let x = by(name);
                            assert!(x.first_try_latency_p99_ms <= min_p99, "{}", ctx());
                            assert!(x.promotion != "none" && x.rpo_s <= min_rpo, "{}", ctx());
                        }
                        assert_eq!(tested.len(), s.len(), "{}", ctx());
                    }
                }
                for marker in [
                    " has the lowest first-try p99",
                    " share the lowest first-try p99",
                ] {
                    if note.contains(marker) {
                        claims += 1;
                        for name in names_before(&note, marker).unwrap() {
                            assert_eq!(p99(by(name)), format!("{min_p99:.3}"), "{}", ctx());
                        }
                    }
                }
                for marker in [" has the lowest RPO", " share the lowest RPO"] {
                    if note.contains(marker) {
                        claims += 1;
                        let after = note
                            .split("; among the variants that failed over, ")
                            .nth(1)
                            .unwrap();
                        for name in names_before(after, marker).unwrap() {
                            let x = by(name);
                            assert!(x.promotion != "none" && x.rpo_s <= min_rpo, "{}", ctx());
                        }
                    }
                }
                if let Some(rest) = note.split("an RPO of 0 s under ").nth(1) {
                    for name in rest
                        .trim_end_matches('.')
                        .split(", ")
                        .flat_map(|p| p.split(" and "))
                    {
                        assert_ne!(by(name).promotion, "none", "{}", ctx());
                    }
                }
                assert!(
                    !note.contains(" best ") || note.contains("on both counts"),
                    "an unchecked 'best' claim: {}",
                    ctx()
                );
            }
        }
    }
    assert!(claims > 1000, "only {claims} claims were checked");
}

#[test]
fn the_verdict_names_only_variants_that_meet_every_objective() {
    use geosim::model::{Objectives, NS_PER_MS, NS_PER_S};
    use geosim::report::verdict::{judged_with_year, verdict_sentence, Units};
    let mut rng = Lcg(29);
    let mut meets = 0;
    for case in 0..2000 {
        let n = 2 + (rng.next() % 4) as usize;
        let (mut model, mut results) = random_results(&mut rng, n);
        let o = Objectives {
            rpo: rng.pick(&[None, Some(0), Some(5 * NS_PER_S), Some(200 * NS_PER_S)]),
            rto: rng.pick(&[None, Some(60 * NS_PER_S), Some(3600 * NS_PER_S)]),
            availability: rng.pick(&[None, Some(0.75), Some(0.999)]),
            latency_p99: rng.pick(&[None, Some(10 * NS_PER_MS), Some(100 * NS_PER_MS)]),
            ..Objectives::default()
        };
        for v in &mut model.variants {
            v.objectives = o;
        }
        for r in &mut results {
            geosim::objectives::judge(&o, &mut r.summary);
        }
        // Half the cases with a year of failures, whose availability the verdict
        // judges beside the run's.
        let year: Option<Vec<geosim::year::YearFigures>> =
            rng.next().is_multiple_of(2).then(|| {
                model
                    .variants
                    .iter()
                    .map(|v| geosim::year::YearFigures {
                        variant: v.name.clone(),
                        years: 2,
                        incidents_per_year: 3.0,
                        promotions_per_year: rng.pick(&[0.0, 1.5]),
                        failbacks_per_year: 0.0,
                        downtime_min_per_year: 10.0,
                        writes_lost_per_year: 0.0,
                        availability: rng.pick(&[0.7, 0.9985, 0.99995]),
                        loss_p50: 0,
                        loss_p90: 0,
                        loss_p99: 0,
                        loss_max: rng.pick(&[0, 4]),
                        episode_h_per_year: 1.0,
                        unsettled: 0,
                    })
                    .collect()
            });
        let j = judged_with_year(&model, &results, year.as_deref());
        let Some(sentence) = verdict_sentence(&j, Units::of(&model)) else {
            assert!(o.is_empty(), "case {case}: objectives but no verdict");
            continue;
        };
        let year_ok = |name: &str| match (&year, o.availability) {
            (Some(rows), Some(limit)) => {
                rows.iter()
                    .find(|r| r.variant == name)
                    .unwrap()
                    .availability
                    >= limit
            }
            _ => true,
        };
        // Met in the run (the CSV's column) and, with a year, over the year; a year
        // missed makes a run that judged nothing a miss.
        let met = |name: &str| {
            let run = results
                .iter()
                .filter(|r| r.summary.variant == name)
                .map(|r| r.summary.objectives_met)
                .fold(None, |a: Option<bool>, m| match (a, m) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (_, Some(true)) => Some(true),
                    (a, None) => a,
                });
            let judged_year = year.is_some() && o.availability.is_some();
            match (run, judged_year, year_ok(name)) {
                (_, true, false) => Some(false),
                (None, true, true) => Some(true),
                (run, _, _) => run,
            }
        };
        let first = sentence.split(". ").next().unwrap();
        if first.starts_with("No variant meets every objective") {
            for r in &results {
                assert_ne!(
                    met(&r.summary.variant),
                    Some(true),
                    "case {case}: {sentence}"
                );
            }
            continue;
        }
        let head = first
            .trim_start_matches("Only ")
            .trim_start_matches("Every variant meets every objective (")
            .split(" meet")
            .next()
            .unwrap()
            .trim_end_matches(").");
        let named: Vec<&str> = head
            .split(", ")
            .flat_map(|p| p.split(" and "))
            .map(|p| p.trim_end_matches(')'))
            .collect();
        for name in &named {
            meets += 1;
            assert_eq!(met(name), Some(true), "case {case}: {sentence}");
        }
        for r in &results {
            if met(&r.summary.variant) == Some(true) {
                assert!(
                    named.contains(&r.summary.variant.as_str()),
                    "case {case}: {} left out: {sentence}",
                    r.summary.variant
                );
            }
        }
        assert!(
            !sentence.contains("is best on it") || !sentence.contains("tie"),
            "case {case}: {sentence}"
        );
    }
    assert!(meets > 200, "only {meets} meeting variants were checked");
}
