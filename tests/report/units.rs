//! Issue 17 item 7: one time unit per report, chosen from the run's length (the unit of
//! the charts' time axis), for every duration a reader reads — the key-figures table
//! (and so the terminal summary), the verdict, the sentences under the charts, the
//! protocol notes. Write latency stays in ms; availability reads as a percentage.

use crate::report_fixture::{model, result, Spec};
use geosim::format::MINUTES;
use geosim::model::{Mode, NS_PER_MS, NS_PER_S};
use geosim::report::charts::ChartKind;
use geosim::report::{self, verdict};
use geosim::results::SimResult;

const UNITS: [&str; 5] = ["ms", "s", "min", "h", "d"];

/// Every (number, unit) pair in `text`: a unit word right after a number
/// (`"2.55 min"`, `"62,079 ms"`), or a unit in parentheses (`"RPO (min)"`) with an
/// empty number.
fn quantities(text: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let bare = w.trim_end_matches([',', '.', ';', ':', ')']);
        if let Some(inner) = w.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            if UNITS.contains(&inner) {
                out.push((String::new(), inner.to_string()));
                continue;
            }
        }
        if !UNITS.contains(&bare) || i == 0 {
            continue;
        }
        let number = words[i - 1].trim_start_matches('(').replace(',', "");
        if number.parse::<f64>().is_ok() {
            out.push((number, bare.to_string()));
        }
    }
    out
}

/// A two-hour comparison (the report's unit: min) whose figures would, each in the
/// unit that suits its size, read in ms, s and min: RPOs of 0.25 s and 153 s, RTOs of
/// 90 s and 1,530 s, lags of 50 ms and minutes, a semi-sync fallback of 125 s.
fn two_hours() -> (geosim::model::Model, Vec<SimResult>) {
    let mut model = model(
        "two-hours",
        &[
            ("sync", Mode::Sync, 10.0),
            ("async-5m", Mode::Async, 300.0),
            ("async-30s", Mode::Async, 30.0),
        ],
        1,
    );
    model.duration = 7200 * NS_PER_S;
    for v in &mut model.variants {
        v.objectives.rpo = Some(5 * NS_PER_S);
        v.objectives.rto = Some(1200 * NS_PER_S);
        v.objectives.availability = Some(0.5);
        v.objectives.latency_p99 = Some(200 * NS_PER_MS);
    }
    let mut sync = Spec::new("sync", Mode::Sync, 10.0);
    sync.p50_ms = 101.0;
    sync.p99_ms = 180.0;
    sync.lag_growth = 0.0;
    let mut async5 = Spec::new("async-5m", Mode::Async, 300.0);
    async5.writes_lost = 412;
    async5.rpo_s = 153.0;
    async5.rto_s = Some(1530.0);
    async5.throttled_s = 95.0;
    let mut async30 = Spec::new("async-30s", Mode::Async, 30.0);
    async30.writes_lost = 37;
    async30.rpo_s = 0.25;
    async30.throttled_s = 30.0;
    let mut results: Vec<SimResult> = [sync, async5, async30].iter().map(result).collect();
    results[2].summary.fallbacks = Some(1);
    results[2].summary.fallback_s = Some(125.0);
    results[2].summary.fallback_promotions = Some(1);
    results[2].summary.fallback_writes_lost = Some(37);
    (model, results)
}

/// The latencies the summaries print (ms is their unit, not a second time unit).
fn latency_figures(results: &[SimResult]) -> Vec<String> {
    let mut out = vec!["200".to_string()];
    for r in results {
        let s = &r.summary;
        for v in [
            s.latency_p50_ms,
            s.latency_p99_ms,
            s.first_try_latency_p50_ms,
            s.first_try_latency_p99_ms,
        ] {
            out.push(geosim::format::fmt_num(v).replace(',', ""));
        }
    }
    out
}

/// Asserts every duration in `text` is in `unit`, but for write latencies in ms (and
/// the "(ms)" of the latency columns' headers).
fn one_unit(what: &str, text: &str, unit: &str, latencies: &[String]) {
    for (number, u) in quantities(text) {
        let latency = u == "ms" && (number.is_empty() || latencies.contains(&number));
        assert!(
            u == unit || latency,
            "{what}: \"{number} {u}\" is not in the report's unit ({unit}): {text}"
        );
    }
}

/// The latency chart's notes are all write latency (ms, differences of latencies
/// among them); every other chart's notes read durations in `unit`.
fn check_notes(notes: &[(ChartKind, Vec<String>)], unit: &str, lat: &[String]) {
    for (kind, notes) in notes {
        for note in notes {
            if *kind == ChartKind::LatencyCdf {
                let units: Vec<String> = quantities(note).into_iter().map(|q| q.1).collect();
                assert!(units.iter().all(|u| u == "ms"), "{note}");
            } else {
                one_unit("chart note", note, unit, lat);
            }
        }
    }
}

#[test]
fn the_quantity_scanner_sees_units() {
    assert_eq!(
        quantities("RPO (min) lost 2.55 min, p99 62,079 ms; and 0 s."),
        [
            (String::new(), "min".to_string()),
            ("2.55".to_string(), "min".to_string()),
            ("62079".to_string(), "ms".to_string()),
            ("0".to_string(), "s".to_string()),
        ]
    );
}

#[test]
fn one_time_unit_in_the_key_figures_the_verdict_and_the_sentences() {
    let (model, results) = two_hours();
    assert_eq!(report::time_unit(&model), MINUTES);
    let lat = latency_figures(&results);

    // The key-figures table: RPO and RTO in min, the only other unit the ms of latency.
    let t = verdict::key_figures(&model, &results);
    let header = t.header.join(" | ");
    assert!(header.contains("RPO (min)"), "{header}");
    assert!(header.contains("RTO (min)"), "{header}");
    let header_units: Vec<String> = quantities(&header).into_iter().map(|q| q.1).collect();
    assert_eq!(header_units, ["ms", "ms", "min", "min"], "{header}");
    let rpo = t.header.iter().position(|h| h == "RPO (min)").unwrap();
    let rto = t.header.iter().position(|h| h == "RTO (min)").unwrap();
    assert_eq!(t.rows[1][rpo], "2.55");
    assert_eq!(t.rows[1][rto], "25.5");
    assert_eq!(t.rows[2][rpo], "0.00417");
    assert_eq!(t.rows[0][rto], "1.5");
    // Availability as a percentage.
    let avail = t.header.iter().position(|h| h == "availability").unwrap();
    assert!(
        t.rows.iter().all(|r| r[avail].ends_with('%')),
        "{:?}",
        t.rows
    );

    // The terminal summary prints the same table and notes.
    let terminal = geosim::commands::run::summary_table(&model, &results);
    assert!(terminal.contains("RPO (min)") && terminal.contains("RTO (min)"));
    one_unit("terminal summary", &terminal, "min", &lat);

    // The verdict: its table and sentence.
    let judged = verdict::judged(&model, &results);
    let vt = verdict::verdict_table(&model, &judged);
    let cells = [vt.header.clone(), vt.rows.concat()].concat().join(" | ");
    one_unit("verdict table", &cells, "min", &lat);
    assert!(cells.contains("RPO at most 0.0833 min"), "{cells}");
    let sentence = verdict::verdict_sentence(&judged, verdict::Units::of(&model)).unwrap();
    one_unit("verdict sentence", &sentence, "min", &lat);

    // The sentences under the charts (protocol notes among them) and the availability line.
    let notes = report::sentences::chart_notes(&model, &results);
    let all: Vec<String> = notes.iter().flat_map(|(_, n)| n.clone()).collect();
    check_notes(&notes, "min", &lat);
    let text = all.join(" ");
    for expected in [
        "an RPO of 2.55 min",
        "The RTO ranged from 1.5 min under sync to 25.5 min under async-5m",
        "for 2.08 min",
    ] {
        assert!(text.contains(expected), "no \"{expected}\" in {text}");
    }
    one_unit(
        "availability line",
        &verdict::availability_line(&model, &results),
        "min",
        &lat,
    );
}

/// The same figures in a ten-minute run read in seconds, everywhere alike.
#[test]
fn a_short_run_reads_in_seconds() {
    let (mut model, results) = two_hours();
    model.duration = 600 * NS_PER_S;
    let lat = latency_figures(&results);
    let t = verdict::key_figures(&model, &results);
    assert!(t.header.contains(&"RPO (s)".to_string()), "{:?}", t.header);
    assert!(t.header.contains(&"RTO (s)".to_string()), "{:?}", t.header);
    let terminal = geosim::commands::run::summary_table(&model, &results);
    one_unit("terminal summary", &terminal, "s", &lat);
    check_notes(&report::sentences::chart_notes(&model, &results), "s", &lat);
}
