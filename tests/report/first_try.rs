//! Issue 17 item 2: the latency CDF shows first-try latency (SPEC §8) beside the latency
//! of every acknowledged write — a dashed curve per variant where retries make the two
//! differ, and a legend key that says which line is which.

use crate::report_fixture::*;
use geosim::report::charts::{render_charts, ChartFormat};
use geosim::results::SimResult;

fn cdf_svg(results: &[SimResult], model: &geosim::model::Model) -> String {
    let files = render_charts(model, results, ChartFormat::Svg).unwrap();
    let (_, svg) = files
        .into_iter()
        .find(|(n, _)| n == "latency_cdf.svg")
        .expect("latency_cdf.svg");
    String::from_utf8(svg).unwrap()
}

/// How many drawn elements carry colour `hex` (plotters writes a dashed path as one
/// element per dash).
fn strokes_of(svg: &str, hex: &str) -> usize {
    svg.matches(&format!("stroke=\"{hex}\"")).count()
}

#[test]
fn first_try_curves_are_drawn_dashed_where_retries_make_them_differ() {
    let (model, mut results) = three_variants();
    let same = cdf_svg(&results, &model);
    assert!(
        !same.contains("first try only"),
        "no key without a difference"
    );
    assert!(same.contains("Acknowledged-write latency (CDF)"));

    // async-5m's retried writes: its all-writes CDF gets a tail to 62 s (2% of writes)
    // that its first tries do not have.
    let r = &mut results[1];
    r.first_try_cdf = r.latency_cdf.clone();
    for p in &mut r.latency_cdf {
        p.1 *= 0.98;
    }
    r.latency_cdf.push((62_000.0, 1.0));
    let svg = cdf_svg(&results, &model);
    for key in ["all acknowledged writes", "first try only"] {
        assert!(svg.contains(key), "no legend key {key:?}");
    }
    assert!(svg.contains("every acknowledged write and first tries"));
    let blue = geosim::report::palette::variant_hex(0).to_uppercase();
    let orange = geosim::report::palette::variant_hex(1).to_uppercase();
    // sync (blue) has no first-try curve of its own: as many blue strokes as before.
    assert_eq!(
        strokes_of(&svg, &blue),
        strokes_of(&same, &blue),
        "sync drew a curve"
    );
    // async-5m (orange): its dashed first-try curve adds many dashes.
    let (before, after) = (strokes_of(&same, &orange), strokes_of(&svg, &orange));
    assert!(
        after >= before + 10,
        "no dashed first-try curve: {before} → {after} orange strokes"
    );
}

/// From a real run: a write retried through an outage is in the all-writes CDF only, so
/// the first-try CDF stops within the timeout while the other reaches the retries.
#[test]
fn the_engine_gives_a_first_try_cdf() {
    let model = geosim::scenario::parse(
        r#"
[simulation]
duration = "3m"
warmup = "5s"
[[region]]
name = "westeurope"
[[region]]
name = "eastus"
[workload]
client_region = "westeurope"
rate = 50
size = "1KiB"
timeout = "5s"
retries = 3
[replication]
primary = "westeurope"
secondaries = ["eastus"]
mode = "sync"
[[outage]]
target = "eastus<->westeurope"
start = "60s"
duration = "8s"
[[variant]]
name = "sync"
"#,
        "t.toml",
        "t",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = geosim::engine::Simulation::new(&model, 0, 1)
        .run(&|_| {})
        .expect("simulation within limits");
    let first_max = r.first_try_cdf.last().expect("first tries").0;
    let all_max = r.latency_cdf.last().expect("acks").0;
    // A first try is acknowledged within its 5 s timeout; a retried write after it.
    assert!(first_max <= 5000.0, "first try max {first_max} ms");
    assert!(all_max > 5000.0, "retried writes' latency {all_max} ms");
    assert!((r.summary.first_try_latency_p99_ms - first_max).abs() <= first_max);
    assert_eq!(r.first_try_cdf.last().unwrap().1, 1.0);
}
