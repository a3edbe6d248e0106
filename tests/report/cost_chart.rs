//! `cost_rpo`: written only with `[cost]`, a PNG of the chart size and an SVG that
//! carries each variant's label and monthly cost.
//!
//! Set `GEOSIM_CHART_DIR=/some/dir` to also write the charts there for a look.

use crate::report_fixture::*;
use geosim::model::Prices;
use geosim::report::charts::{ChartFormat, HEIGHT, WIDTH};
use geosim::report::cost_chart::render;
use geosim::results::Bill;

#[test]
fn cost_rpo_chart_has_a_labelled_point_per_variant() {
    let (mut model, mut results) = three_variants();
    assert!(render(&model, &results, ChartFormat::Both)
        .unwrap()
        .is_empty());
    model.cost = Some(Prices {
        units: 1,
        unit_hour: 0.928,
        secondary_unit_hour: 0.928,
        replicated_gb: 0.09,
        currency: "EUR".into(),
    });
    for (i, r) in results.iter_mut().enumerate() {
        r.summary.cost = Some(Bill {
            cost: 1.0,
            cost_month: 1336.32 + 100.0 * i as f64,
        });
    }
    let files = render(&model, &results, ChartFormat::Both).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["cost_rpo.png", "cost_rpo.svg"]);
    let png = &files[0].1;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), WIDTH);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), HEIGHT);
    let svg = String::from_utf8(files[1].1.clone()).unwrap();
    for r in &results {
        assert!(svg.contains(&r.summary.variant), "no {}", r.summary.variant);
    }
    assert!(svg.contains("sync · 1,336 EUR"), "monthly cost label");
    assert!(svg.contains("async-5m · 1,436 EUR"), "monthly cost label");
    assert!(svg.contains("cost per month of 30 days (EUR)"));
    if let Ok(dir) = std::env::var("GEOSIM_CHART_DIR") {
        for (name, bytes) in &files {
            std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
        }
    }
}

/// Variants at one place (same RPO, same cost) share one label that names them all,
/// not a fan of labels around one dot.
#[test]
fn coincident_points_share_one_label() {
    let (mut model, mut results) = three_variants();
    model.cost = Some(Prices {
        units: 1,
        unit_hour: 0.928,
        secondary_unit_hour: 0.928,
        replicated_gb: 0.09,
        currency: "USD".into(),
    });
    for r in &mut results {
        r.summary.cost = Some(Bill {
            cost: 1.0,
            cost_month: 1348.25,
        });
        r.summary.rpo_s = 0.0;
        r.summary.promotion = "none".into();
    }
    let files = render(&model, &results, ChartFormat::Svg).unwrap();
    let svg = String::from_utf8(files[0].1.clone()).unwrap();
    let names: Vec<&str> = model.variants.iter().map(|v| v.name.as_str()).collect();
    let label = format!("{}, {} and {} · 1,348 USD", names[0], names[1], names[2]);
    assert!(svg.contains(&label), "no shared label {label:?}");
    assert_eq!(
        svg.matches("1,348 USD").count(),
        1,
        "one label for one place"
    );
    assert!(svg.contains("no failover in this run: RPO untested"));
}
