//! Snapshots of the sentences the report writes under each chart, for fixed hand-made
//! result sets (tests/report_fixture). Exact strings: any change to the wording or the
//! figures shows up here.

mod report_fixture;

use geosim::model::Mode;
use geosim::report::charts::ChartKind;
use geosim::report::sentences::chart_notes;
use geosim::results::SimResult;
use report_fixture::*;

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
                    "The run had one outage: westeurope down from 200 s to 320 s.",
                ],
            ),
            (
                ChartKind::Availability,
                &[
                    "Every variant acknowledged 84.8% of the writes offered after warm-up.",
                    "Failed attempts under sync: 120 throttled, 3000 read-only, 40 unavailable, 2500 timed out.",
                    "Every variant promoted; under sync the forced promotion of westeurope to eastus was requested at 260 s and completed after 30 s.",
                ],
            ),
            (
                ChartKind::RpoRto,
                &[
                    "async-5m lost 412 acknowledged writes at the forced promotion, an RPO of 1.9 s.",
                    "sync lost none.",
                    "The RTO ranged from 90 s under sync to 95.5 s under async-5m.",
                ],
            ),
            (
                ChartKind::Tradeoff,
                &[
                    "async-30s has the lowest p99 latency (40 ms) but an RPO of 0.25 s; sync has the lowest RPO (0 s) at a p99 of 180 ms.",
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
                    "Failed attempts under broken: 120 throttled, 3000 read-only, 40 unavailable, 2500 timed out.",
                    "No variant promoted a secondary.",
                ],
            ),
            (
                ChartKind::RpoRto,
                &[
                    "No variant lost an acknowledged write: every RPO is 0 s.",
                    "The primary had no outage in this run, so no variant has an RTO.",
                ],
            ),
            (
                ChartKind::Tradeoff,
                &[
                    "sync: p99 latency 40 ms, RPO 0 s, 100% of writes acknowledged.",
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
