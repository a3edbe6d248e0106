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

/// The boxes a browser gives the labels of `svg` (texts holding `needle`), in SVG
/// pixels: from each `<text>`'s x, y and font size, with DejaVu Sans' line box (ascent
/// 0.928 em, descent 0.236 em) around the baseline plotters puts 0.5 ex (0.27 em)
/// below y, and a width of 0.62 em a character (DejaVu Sans' widest common glyphs
/// are about that; most are narrower, so the box errs towards overlapping).
fn label_boxes(svg: &str, needle: &str) -> Vec<(String, [f64; 4])> {
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|piece| {
            let (tag, rest) = piece.split_once('>').unwrap();
            let content = rest[..rest.find("</text>").unwrap()].trim().to_string();
            if !content.contains(needle) {
                return None;
            }
            assert!(tag.contains("text-anchor=\"start\""), "{tag}");
            let (x, y, em) = (attr(tag, "x"), attr(tag, "y"), attr(tag, "font-size"));
            let baseline = y + 0.27 * em;
            let width = 0.62 * em * content.chars().count() as f64;
            Some((
                content,
                [x, baseline - 0.928 * em, x + width, baseline + 0.236 * em],
            ))
        })
        .collect()
}

/// Variants close to one another (RPO 0 under each, 1,341 against 1,345 USD: one
/// pixel apart) are two labels that do not cover each other, and two markers that do
/// not hide each other: the first drawn larger, so it shows as a ring around the
/// second, where before the second covered the first.
#[test]
fn labels_of_near_coinciding_points_do_not_overlap() {
    let (mut model, mut results) = three_variants();
    model.cost = Some(Prices {
        units: 1,
        unit_hour: 0.928,
        secondary_unit_hour: 0.928,
        replicated_gb: 0.09,
        currency: "USD".into(),
    });
    for (r, cost) in results.iter_mut().zip([1345.2, 1341.3, 1345.4]) {
        r.summary.cost = Some(Bill {
            cost: 1.0,
            cost_month: cost,
        });
        r.summary.rpo_s = 0.0;
        r.summary.promotion = "none".into();
    }
    let files = render(&model, &results, ChartFormat::Svg).unwrap();
    let svg = String::from_utf8(files[0].1.clone()).unwrap();
    if let Ok(dir) = std::env::var("GEOSIM_CHART_DIR") {
        std::fs::write(std::path::Path::new(&dir).join("cost_rpo_near.svg"), &svg).unwrap();
    }
    let boxes = label_boxes(&svg, " USD");
    let texts: Vec<&str> = boxes.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts.len(), 2, "two places, two labels: {texts:?}");
    assert!(
        texts.contains(&"sync and async-30s · 1,345 USD"),
        "{texts:?}"
    );
    assert!(texts.contains(&"async-5m · 1,341 USD"), "{texts:?}");
    // The two places' markers (circles in the first two colours), in drawing order.
    let circles: Vec<(f64, f64, f64)> = svg
        .split("<circle")
        .skip(1)
        .filter(|c| c.contains("fill=\"#0072B2\"") || c.contains("fill=\"#E69F00\""))
        .map(|c| {
            let num = |name: &str| -> f64 {
                let at = c.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                c[at..at + c[at..].find('"').unwrap()].parse().unwrap()
            };
            (num("cx"), num("cy"), num("r"))
        })
        .filter(|&(cx, _, _)| cx < 100.0)
        .collect();
    let markers: Vec<_> = circles.iter().filter(|c| c.2 >= 7.0).collect();
    assert_eq!(markers.len(), 2, "a marker per place: {circles:?}");
    assert!(
        markers[0].2 >= markers[1].2 + 3.0,
        "the marker drawn first is hidden by the second: {markers:?}"
    );
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in &boxes[i + 1..] {
            let w = ra[2].min(rb[2]) - ra[0].max(rb[0]);
            let h = ra[3].min(rb[3]) - ra[1].max(rb[1]);
            assert!(
                w <= 0.0 || h <= 0.0,
                "label {a:?} {ra:?} overlaps {b:?} {rb:?} by {h:.1} px"
            );
        }
    }
}
