//! report.html: self-contained (no script, nothing fetched), one inline SVG per chart,
//! every summary column, user text escaped.

use crate::report_fixture::*;
use geosim::model::Mode;
use geosim::model::Model;
use geosim::report::charts::ChartKind;
use geosim::report::html::{render_html, ReportMeta, Svgs};
use geosim::results::SimResult;

fn meta() -> ReportMeta {
    ReportMeta {
        version: "0.1.0".to_string(),
        seed: 42,
        scenario_hash: "sha256:0123abcd".to_string(),
        scenario_file: "scenarios/cross-continent.toml".to_string(),
        sets: Vec::new(),
    }
}

/// report.html of `results` with `meta`, around the charts drawn of the same results.
fn page_with(model: &Model, results: &[SimResult], meta: &ReportMeta) -> Result<String, String> {
    let svgs = Svgs::draw(model, results).map_err(|e| e.to_string())?;
    render_html(model, results, meta, &svgs, None).map_err(|e| e.to_string())
}

fn page(model: &Model, results: &[SimResult]) -> String {
    page_with(model, results, &meta()).unwrap()
}

const SUMMARY_COLUMNS: &str = "variant,run,seed,mode,max_lag_s,promotion,writes_offered,writes_acked,writes_failed,writes_lost,writes_duplicated,attempts_throttled,attempts_readonly,attempts_unavailable,attempts_timed_out,availability,latency_mean_ms,latency_p50_ms,latency_p99_ms,latency_p999_ms,latency_max_ms,repl_delay_mean_ms,repl_delay_p99_ms,lag_max_s,throttled_s,rpo_s,rto_s,promotion_s,events";

#[test]
fn report_is_self_contained() {
    let (model, results) = three_variants();
    let html = page(&model, &results);
    if let Ok(dir) = std::env::var("GEOSIM_CHART_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("report.html"), &html).unwrap();
    }
    let lower = html.to_lowercase();
    assert!(lower.starts_with("<!doctype html>"));
    assert!(!lower.contains("<script"), "report has a script");
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "report refers to the network"
    );
    assert!(!lower.contains("src="), "report loads something");
    assert!(!lower.contains("<link"), "report links a resource");
    // One inline SVG per chart, plus the scenario timeline.
    let svgs = lower.matches("<svg").count();
    assert_eq!(svgs, ChartKind::ALL.len() + 1);
    for kind in ChartKind::ALL {
        assert!(
            html.contains(&format!("<figure id=\"{}\">", kind.stem())),
            "no figure for {kind:?}"
        );
    }
    assert_eq!(lower.matches("<figure").count(), ChartKind::ALL.len());
}

#[test]
fn report_has_scenario_summary_sentences_and_provenance() {
    let (model, results) = three_variants();
    let html = page(&model, &results);
    for column in SUMMARY_COLUMNS.split(',') {
        assert!(
            html.contains(&format!("<th>{column}</th>")),
            "summary lacks {column}"
        );
    }
    // A row per variant × run.
    assert_eq!(
        html.matches("<td class=\"n\">1234567</td>").count(),
        results.len()
    );
    for needle in [
        "geosim 0.1.0",
        "sha256:0123abcd",
        "seed 42",
        "scenarios/cross-continent.toml",
        "westeurope",
        "eastus",
        "northeurope",
        "85 ms",                   // primary ↔ secondary RTT
        "12 ms",                   // primary ↔ clients RTT
        "westeurope down",         // the outage on the timeline
        "promote forced → eastus", // the action on the timeline
        "async-5m lost 412 acknowledged writes at the forced promotion, an RPO of 1.9 s.",
    ] {
        assert!(html.contains(needle), "report lacks {needle:?}");
    }
}

#[test]
fn user_text_is_escaped() {
    let name = "<b>x</b>&\"y\"";
    let model = model(
        "<script>alert(1)</script>",
        &[(name, Mode::Async, 300.0)],
        1,
    );
    let results = vec![result(&Spec::new(name, Mode::Async, 300.0))];
    let mut meta = meta();
    meta.scenario_file = "a<b>.toml".to_string();
    let html = page_with(&model, &results, &meta).unwrap();
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<b>x</b>"));
    assert!(!html.contains("a<b>.toml"));
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;&amp;&quot;y&quot;"));
}

#[test]
fn awkward_results_render() {
    let (m12, r12) = many_variants(12);
    assert!(page_with(&m12, &r12, &meta()).is_ok());
    let empty = model("empty", &[], 1);
    let html = page(&empty, &[]);
    assert_eq!(
        html.to_lowercase().matches("<figure").count(),
        ChartKind::ALL.len()
    );
    let dead = model("dead", &[("a", Mode::Sync, 10.0)], 1);
    let mut spec = Spec::new("a", Mode::Sync, 10.0);
    spec.all_failed = true;
    assert!(page_with(&dead, &[result(&spec)], &meta()).is_ok());
}

/// The cells of each `<tr>` in the summary section, tags stripped and entities left
/// as they are (the fixture's names need none).
fn summary_rows(html: &str) -> Vec<Vec<String>> {
    let start = html.find("<section id=\"summary\">").unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    html[start..end]
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("</td>")
                .filter(|cell| cell.contains("<td"))
                .filter_map(|cell| cell.rsplit_once('>').map(|(_, text)| text.to_string()))
                .collect()
        })
        .filter(|cells: &Vec<String>| !cells.is_empty())
        .collect()
}

#[test]
fn summary_table_reads_like_summary_csv() {
    let (model, results) = three_variants();
    let html = page(&model, &results);
    let csv = String::from_utf8(geosim::report::csv::summary_csv(&results).unwrap()).unwrap();
    let csv_rows: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(summary_rows(&html), csv_rows);
}

/// With several runs per variant the report shows intervals (mean ± 95% half-width);
/// with one run it has no such section.
#[test]
fn several_runs_show_intervals() {
    let (model, results) = three_variants();
    let html = page(&model, &results);
    assert!(!html.contains("Across runs"));

    let model = crate::report_fixture::model("mc", &[("async-5m", Mode::Async, 300.0)], 3);
    let results: Vec<_> = [(1, 400, 1.5), (2, 412, 1.9), (3, 424, 2.3)]
        .iter()
        .map(|&(run, lost, rpo)| {
            let mut spec = Spec::new("async-5m", Mode::Async, 300.0);
            spec.run = run;
            spec.writes_lost = lost;
            spec.rpo_s = rpo;
            result(&spec)
        })
        .collect();
    let html = page(&model, &results);
    assert!(html.contains("<h2>Across runs</h2>"), "no interval section");
    // Mean 412, sd 12, t(0.975, 2) = 4.303: half-width 12 × 4.303 / √3 = 29.81.
    assert!(html.contains("412 ± 29.8"), "writes_lost interval missing");
    // RPO: mean 1.9, sd 0.4: half-width 0.99, in the report's unit (s for 10 min).
    assert!(html.contains("1.9 ± 0.994"), "rpo interval missing");
    assert!(
        html.contains("<th>RPO s</th>"),
        "rpo column without its unit"
    );
}

fn year_row(variant: &str, availability: f64, lost: f64) -> geosim::year::YearFigures {
    geosim::year::YearFigures {
        variant: variant.to_string(),
        years: 2,
        incidents_per_year: 22.0,
        promotions_per_year: 5.5,
        failbacks_per_year: 0.0,
        downtime_min_per_year: (1.0 - availability) * 365.0 * 24.0 * 60.0,
        writes_lost_per_year: lost,
        availability,
        loss_p50: 0,
        loss_p90: 3,
        loss_p99: 7,
        loss_max: 9,
        episode_h_per_year: 29.0,
        unsettled: 0,
    }
}

/// With a year of failures: a section with its figures (promotions per year among
/// them), and the verdict judges the availability objective over the year too, so a
/// variant that meets it only in a run too short to fail is not called good.
#[test]
fn the_year_of_failures_has_a_section_and_enters_the_verdict() {
    let (mut model, results) = three_variants();
    for v in &mut model.variants {
        v.objectives.availability = Some(0.8);
    }
    let year = geosim::year::Year::Figures(vec![
        year_row("sync", 0.7, 0.0),
        year_row("async-5m", 0.9, 12.5),
        year_row("async-30s", 0.95, 3.0),
    ]);
    let svgs = Svgs::draw(&model, &results).unwrap();
    let html = render_html(&model, &results, &meta(), &svgs, Some(&year)).unwrap();
    let verdict = &html[html.find("<section id=\"verdict\">").unwrap()..];
    let verdict = &verdict[..verdict.find("</section>").unwrap()];
    assert!(
        verdict.contains("async-5m and async-30s meet every objective."),
        "{verdict}"
    );
    assert!(verdict.contains("availability over a year of failures at least 80.0%"));
    assert!(verdict.contains("70.0% ✗"), "{verdict}");
    let year_html = &html[html.find("<section id=\"year\">").expect("a year section")..];
    for needle in [
        "promotions/yr",
        "downtime/yr (s)",
        "loss/incident p50",
        "async-5m loses the most acknowledged writes: 12.5 a year, up to 9 in one incident.",
    ] {
        assert!(year_html.contains(needle), "year section lacks {needle:?}");
    }
    let key = &html[html.find("<section id=\"key-figures\">").unwrap()..];
    assert!(key.contains("missed: availability over a year"));
    // Without a year, the same run meets everything.
    let plain = page(&model, &results);
    assert!(plain.contains("Every variant meets every objective"));
    assert!(!plain.contains("<section id=\"year\">"));
}

/// With `[cost]`, report.html inlines the cost_rpo chart (the same SVG as
/// `cost_rpo.svg`) with its sentence: in the Charts section after a plain run, in the
/// year section when a year of failures ran; without `[cost]`, no such figure.
#[test]
fn the_cost_chart_is_inlined_with_cost() {
    let (mut model, mut results) = three_variants();
    let plain = page(&model, &results);
    assert!(!plain.contains("<figure id=\"cost_rpo\">"));
    model.cost = Some(geosim::model::Prices {
        units: 1,
        unit_hour: 0.928,
        secondary_unit_hour: 0.928,
        replicated_gb: 0.09,
        currency: "USD".into(),
    });
    for (i, r) in results.iter_mut().enumerate() {
        r.summary.cost = Some(geosim::results::Bill {
            cost: 1.0,
            cost_month: 1341.0 + 4.0 * i as f64,
        });
    }
    let svgs = Svgs::draw(&model, &results).unwrap();
    let file = geosim::report::cost_chart::render(
        &model,
        &results,
        geosim::report::charts::ChartFormat::Svg,
    )
    .unwrap();
    let drawn = svgs.cost.as_deref().expect("Svgs draws the cost chart");
    assert_eq!(drawn.as_bytes(), file[0].1.as_slice(), "one drawing");

    /// The figure's markup, which must hold an inline SVG with the labels.
    fn figure(html: &str) -> &str {
        let start = html
            .find("<figure id=\"cost_rpo\">")
            .expect("a cost_rpo figure");
        let end = start + html[start..].find("</figure>").unwrap();
        &html[start..end]
    }
    let html = render_html(&model, &results, &meta(), &svgs, None).unwrap();
    let charts = &html[html.find("<section id=\"charts\">").unwrap()..];
    let fig = figure(charts);
    assert!(fig.contains("<svg role=\"img\""), "no inline SVG: {fig}");
    assert!(fig.contains("sync · 1,341 USD"), "no point label: {fig}");
    assert!(fig.contains("sync: 1,341 USD a month"), "no sentence");
    assert_eq!(html.matches("<figure id=\"cost_rpo\">").count(), 1);

    let year = geosim::year::Year::Figures(vec![
        year_row("sync", 0.7, 0.0),
        year_row("async-5m", 0.9, 12.5),
        year_row("async-30s", 0.95, 3.0),
    ]);
    let html = render_html(&model, &results, &meta(), &svgs, Some(&year)).unwrap();
    let year_html = &html[html.find("<section id=\"year\">").unwrap()..];
    let year_html = &year_html[..year_html.find("</section>").unwrap()];
    assert!(figure(year_html).contains("<svg role=\"img\""));
    assert_eq!(html.matches("<figure id=\"cost_rpo\">").count(), 1);
}
