//! Issue 12 item 6: the lag chart's legend names each variant's lag rule, and the
//! report's Variants table each variant's commit rule (`sync_acks`) and lag rule.

use crate::report_fixture::*;
use geosim::model::{Mode, Model, Quorum, NS_PER_S};
use geosim::report::charts::{render_charts, ChartFormat};
use geosim::report::html::{render_html, ReportMeta, Svgs};
use geosim::results::SimResult;

/// Two secondaries and four designs: a quorum of one on both commit and lag, a
/// backlog limit, no lag limit at all, and semi-sync.
fn designs() -> (Model, Vec<SimResult>) {
    let mut model = model(
        "rules",
        &[
            ("pg-any-1", Mode::Sync, 300.0),
            ("by-writes", Mode::Async, 300.0),
            ("unlimited", Mode::Async, 300.0),
            ("semi", Mode::SemiSync, 300.0),
        ],
        1,
    );
    model.secondaries = vec![1, 2];
    // Without the fixture's set_mode, each commit rule is its mode's alone.
    model.actions.retain(|a| {
        !matches!(
            a.kind,
            geosim::model::ActionKind::SetMode(_) | geosim::model::ActionKind::SetMaxLag(_)
        )
    });
    let v = &mut model.variants;
    v[0].sync_acks = Some(Quorum::Count(1));
    v[0].lag_quorum = Quorum::Count(1);
    v[1].max_lag = None;
    v[1].max_lag_writes = Some(100_000);
    v[2].max_lag = None;
    v[3].semi_sync_timeout = 10 * NS_PER_S;
    let results = model
        .variants
        .iter()
        .map(|v| {
            let mut r = result(&Spec::new(&v.name, v.mode, 300.0));
            r.summary.max_lag_s = v.max_lag.map(|l| l as f64 / NS_PER_S as f64);
            r.summary.max_lag_writes = v.max_lag_writes;
            r
        })
        .collect();
    (model, results)
}

/// The text of every `<text>` element of an SVG.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn the_lag_legend_names_each_lag_rule() {
    let (model, results) = designs();
    let files = render_charts(&model, &results, ChartFormat::Svg).unwrap();
    let (_, svg) = files.iter().find(|(n, _)| n == "lag.svg").expect("lag.svg");
    let texts = texts(std::str::from_utf8(svg).unwrap());
    for rule in [
        "max_lag 5 min, lag_quorum 1",
        "max_lag_writes 100,000",
        "no lag limit",
        "max_lag 5 min",
    ] {
        assert!(
            texts
                .iter()
                .any(|t| t == rule || t == &format!("{rule} \u{2191}")),
            "no legend line {rule:?} in {texts:?}"
        );
    }
    for v in &model.variants {
        assert!(texts.contains(&v.name), "no legend name {}", v.name);
    }
}

#[test]
fn the_variants_table_names_commit_and_lag_rules() {
    let (model, results) = designs();
    let meta = ReportMeta {
        version: "test".into(),
        seed: 42,
        scenario_hash: "0".into(),
        scenario_file: "rules.toml".into(),
        sets: vec![],
    };
    let svgs = Svgs::draw(&model, &results).unwrap();
    let html = render_html(&model, &results, &meta, &svgs, None).unwrap();
    let table = html
        .split("<h3>Variants</h3>")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("a Variants table");
    assert!(
        table.contains("<th>commit rule (sync_acks)</th><th>lag rule</th>"),
        "{table}"
    );
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.contains(&format!("</span>{name}</td>")))
            .unwrap_or_else(|| panic!("no row for {name}: {table}"))
            .to_string()
    };
    let cells = |name: &str| -> Vec<String> {
        row(name)
            .split("<td>")
            .skip(2)
            .map(|c| c.split("</td>").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        cells("pg-any-1")[..3],
        ["sync", "any 1 of 2", "max_lag 5 min, lag_quorum 1"]
    );
    assert_eq!(
        cells("by-writes")[..3],
        ["async", "none", "max_lag_writes 100,000"]
    );
    assert_eq!(cells("unlimited")[..3], ["async", "none", "no lag limit"]);
    assert_eq!(
        cells("semi")[..3],
        [
            "semi-sync",
            "any 1 of 2, async after 10 s waiting",
            "max_lag 5 min"
        ]
    );
}
