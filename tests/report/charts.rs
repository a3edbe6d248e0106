//! Chart files: valid PNGs of the right size, SVGs that carry their text, and no panic
//! on the awkward shapes of results (1 or 12 variants, no outage, nothing acknowledged).
//!
//! Set `GEOSIM_CHART_DIR=/some/dir` to also write every rendered chart there for a look.

use crate::report_fixture::*;
use geosim::model::Mode;
use geosim::report::charts::{render_charts, ChartFormat, ChartKind, HEIGHT, WIDTH};
use geosim::results::SimResult;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

fn render(
    case: &str,
    model: &geosim::model::Model,
    results: &[SimResult],
) -> Vec<(String, Vec<u8>)> {
    let files = render_charts(model, results, ChartFormat::Both).expect("charts render");
    if let Ok(dir) = std::env::var("GEOSIM_CHART_DIR") {
        let dir = std::path::Path::new(&dir).join(case);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in &files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    files
}

fn check_png(name: &str, bytes: &[u8]) {
    assert!(
        bytes.starts_with(&PNG_SIGNATURE),
        "{name}: no PNG signature"
    );
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap_or_else(|e| panic!("{name}: not a PNG: {e}"));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("PNG frame decodes");
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT), "{name}: size");
}

/// The text content of every `<text>` element, after undoing the XML escapes.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find("<text") {
        let after = &rest[open..];
        let start = after.find('>').expect("text tag closes") + 1;
        let end = after.find("</text>").expect("text element ends");
        texts.push(
            after[start..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[end..];
    }
    texts
}

/// Every opened element is closed, in order (a light XML well-formedness check).
fn assert_balanced(name: &str, svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..]
            .find('>')
            .unwrap_or_else(|| panic!("{name}: tag not closed"))
            + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let tag_name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        if tag.starts_with('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(tag_name.as_str()),
                "{name}: mismatched </{tag_name}>"
            );
        } else {
            stack.push(tag_name);
        }
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
}

/// Every coordinate the SVG draws at (element positions and polyline points) lies on
/// the canvas: nothing is drawn outside the chart's area.
fn assert_inside(name: &str, svg: &str) {
    let attr = |tag: &str, key: &str| -> Option<f64> {
        let start = tag.find(&format!(" {key}=\""))? + key.len() + 3;
        tag[start..].split('"').next()?.parse().ok()
    };
    let root = svg.split('>').next().unwrap_or("");
    let width = attr(root, "width").expect("svg width");
    let height = attr(root, "height").expect("svg height");
    let on_canvas =
        |x: f64, y: f64| (-0.5..=width + 0.5).contains(&x) && (-0.5..=height + 0.5).contains(&y);
    for tag in svg.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        for (kx, ky) in [("x", "y"), ("x1", "y1"), ("x2", "y2"), ("cx", "cy")] {
            if let (Some(x), Some(y)) = (attr(tag, kx), attr(tag, ky)) {
                assert!(
                    on_canvas(x, y),
                    "{name}: <{tag}> at ({x}, {y}) is off the canvas"
                );
            }
        }
        if let Some(start) = tag.find(" points=\"") {
            let points = tag[start + 9..].split('"').next().unwrap_or("");
            for pair in points.split_whitespace() {
                let mut xy = pair
                    .split(',')
                    .map(|v| v.parse::<f64>().unwrap_or(f64::NAN));
                let (x, y) = (xy.next().unwrap_or(f64::NAN), xy.next().unwrap_or(f64::NAN));
                assert!(
                    on_canvas(x, y),
                    "{name}: a line point ({x}, {y}) is off the canvas"
                );
            }
        }
    }
}

fn check_all(case: &str, model: &geosim::model::Model, results: &[SimResult], axis_titles: bool) {
    let files = render(case, model, results);
    assert_eq!(files.len(), 2 * ChartKind::ALL.len());
    for kind in ChartKind::ALL {
        for ext in ["png", "svg"] {
            let name = format!("{}.{ext}", kind.stem());
            assert!(
                files.iter().any(|(n, _)| *n == name),
                "{case}: missing {name}"
            );
        }
    }
    for (name, bytes) in &files {
        if name.ends_with(".png") {
            check_png(name, bytes);
            continue;
        }
        let svg = std::str::from_utf8(bytes).expect("SVG is UTF-8");
        assert!(svg.trim_start().starts_with("<svg"), "{name}: not an SVG");
        assert_balanced(name, svg);
        assert_inside(&format!("{case}/{name}"), svg);
        let texts = svg_texts(svg).join("\n");
        for v in &model.variants {
            assert!(
                texts.contains(&v.name),
                "{case}/{name}: no text names {}",
                v.name
            );
        }
        assert!(
            texts.contains(&model.name),
            "{case}/{name}: title does not name the scenario"
        );
        if axis_titles {
            for title in expected_axis_titles(name) {
                assert!(
                    texts.contains(title),
                    "{case}/{name}: no axis title {title:?}"
                );
            }
        }
    }
}

fn expected_axis_titles(file: &str) -> &'static [&'static str] {
    match file.split('.').next().unwrap() {
        "latency_cdf" => &["latency (ms, log scale)", "writes at or below (%)"],
        "lag" => &["time since start (s)", "namespace lag (s)"],
        "availability" => &["time since start (s)", "acknowledged / offered (%)"],
        "rpo_rto" => &["RPO", "RTO", "acknowledged writes lost"],
        "tradeoff" => &["RPO", "(s)", "p99", "(ms)"],
        other => panic!("unexpected chart {other}"),
    }
}

#[test]
fn three_variants_render_valid_files() {
    let (model, results) = three_variants();
    check_all("three", &model, &results, true);
}

#[test]
fn one_variant() {
    let model = model("solo", &[("only", Mode::Async, 300.0)], 1);
    let results = vec![result(&Spec::new("only", Mode::Async, 300.0))];
    check_all("one", &model, &results, true);
}

#[test]
fn twelve_variants() {
    let (model, results) = many_variants(12);
    check_all("twelve", &model, &results, true);
}

#[test]
fn no_outage_and_no_promotion() {
    let model = model(
        "calm",
        &[("sync", Mode::Sync, 10.0), ("async", Mode::Async, 300.0)],
        1,
    );
    let results: Vec<SimResult> = [("sync", Mode::Sync, 10.0), ("async", Mode::Async, 300.0)]
        .iter()
        .map(|(n, m, l)| {
            let mut s = Spec::new(n, *m, *l);
            s.outage = false;
            s.promotion = None;
            result(&s)
        })
        .collect();
    check_all("calm", &model, &results, true);
}

#[test]
fn every_write_failed() {
    let model = model(
        "dead",
        &[("sync", Mode::Sync, 10.0), ("async", Mode::Async, 300.0)],
        1,
    );
    let results: Vec<SimResult> = [("sync", Mode::Sync, 10.0), ("async", Mode::Async, 300.0)]
        .iter()
        .map(|(n, m, l)| {
            let mut s = Spec::new(n, *m, *l);
            s.all_failed = true;
            s.promotion = Some((260.0, None, "planned"));
            result(&s)
        })
        .collect();
    check_all("dead", &model, &results, true);
}

#[test]
fn all_values_equal_and_empty_series() {
    let model = model(
        "flat",
        &[("a", Mode::Async, 0.0), ("b", Mode::Async, 0.0)],
        1,
    );
    let results: Vec<SimResult> = ["a", "b"]
        .iter()
        .map(|n| {
            let mut s = Spec::new(n, Mode::Async, 0.0);
            s.outage = false;
            s.promotion = None;
            s.p50_ms = 5.0;
            s.p99_ms = 5.0;
            let mut r = result(&s);
            for b in &mut r.timeseries {
                b.lag_s = 0.0;
                b.offered = 0;
                b.acked = 0;
            }
            r.timeseries.truncate(1);
            r
        })
        .collect();
    // Axis titles still appear, but the time axis may use another unit; names and
    // validity are what this case is about.
    check_all("flat", &model, &results, false);
}

#[test]
fn several_runs_show_run_one_and_say_so() {
    let model = model("multi", &[("sync", Mode::Sync, 10.0)], 3);
    let results: Vec<SimResult> = (1..=3)
        .map(|run| {
            let mut s = Spec::new("sync", Mode::Sync, 10.0);
            s.run = run;
            s.rpo_s = run as f64;
            result(&s)
        })
        .collect();
    let files = render("multi", &model, &results);
    let (_, svg) = files.iter().find(|(n, _)| n == "tradeoff.svg").unwrap();
    let texts = svg_texts(std::str::from_utf8(svg).unwrap()).join("\n");
    assert!(texts.contains("run 1 of 3"), "{texts}");
}

#[test]
fn formats_select_files() {
    let (model, results) = three_variants();
    let png = render_charts(&model, &results, ChartFormat::Png).unwrap();
    assert!(png.iter().all(|(n, _)| n.ends_with(".png")) && png.len() == 5);
    let svg = render_charts(&model, &results, ChartFormat::Svg).unwrap();
    assert!(svg.iter().all(|(n, _)| n.ends_with(".svg")) && svg.len() == 5);
}

#[test]
fn same_input_gives_same_bytes() {
    let (model, results) = three_variants();
    let a = render_charts(&model, &results, ChartFormat::Both).unwrap();
    let b = render_charts(&model, &results, ChartFormat::Both).unwrap();
    assert!(a == b, "charts are not deterministic");
}

#[test]
fn long_run_is_thinned_and_uses_minutes() {
    let mut model = model(
        "long",
        &[("sync", Mode::Sync, 10.0), ("async", Mode::Async, 300.0)],
        1,
    );
    model.duration = 2 * 3600 * geosim::model::NS_PER_S;
    let results: Vec<SimResult> = [("sync", Mode::Sync, 10.0), ("async", Mode::Async, 300.0)]
        .iter()
        .map(|(n, m, l)| {
            let mut r = result(&Spec::new(n, *m, *l));
            // Twelve copies of the 10-minute pattern: 7200 one-second buckets.
            let base = r.timeseries.clone();
            r.timeseries = (0..12)
                .flat_map(|k| {
                    base.iter().map(move |b| {
                        let mut b = b.clone();
                        b.t_s += 600.0 * k as f64;
                        b
                    })
                })
                .collect();
            r
        })
        .collect();
    let files = render("long", &model, &results);
    for stem in ["lag", "availability"] {
        let (_, svg) = files
            .iter()
            .find(|(n, _)| *n == format!("{stem}.svg"))
            .unwrap();
        let svg = std::str::from_utf8(svg).unwrap();
        assert!(
            svg.len() < 80_000,
            "{stem}.svg is {} bytes: not thinned",
            svg.len()
        );
        assert!(svg_texts(svg).join("\n").contains("time since start (min)"));
    }
}

#[test]
#[should_panic(expected = "off the canvas")]
fn the_canvas_check_catches_a_point_outside() {
    assert_inside(
        "t",
        "<svg width=\"10\" height=\"10\"><polyline points=\"1,1 20,5 \"/></svg>",
    );
}
