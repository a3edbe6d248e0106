//! `report.html`: one self-contained page (inline CSS, the charts as inline SVG, no
//! script, nothing fetched) with the scenario, the summary table, each chart with a
//! few sentences generated from this run's figures, and what reproduces it.
//!
//! The sentences come from [`sentences::chart_notes`]; this module owns only the
//! markup. Every piece of text that comes from the user (scenario, region and variant
//! names) is escaped here.
//!
//! Long because the page's sections are written here in page order, one function each.

use std::fmt::Write as _;

use crate::error::GeoError;
use crate::format::{fmt_duration_s, fmt_num, fmt_sig};
use crate::model::{ActionKind, Model, Nanos, OutageKind, RegionId, Target};
use crate::report::charts::{self, ChartKind};
use crate::report::csv::{summary_cells, SUMMARY_COLUMNS};
use crate::report::palette;
use crate::report::rules::{self, fmt_ns};
use crate::report::sentences::chart_notes;
use crate::report::verdict;
use crate::results::SimResult;
use crate::time;
use crate::year::{Year, YearFigures};

/// What the report says about where it came from, for reproducibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMeta {
    pub version: String,
    pub seed: u64,
    pub scenario_hash: String,
    pub scenario_file: String,
    /// `run --set KEY=VALUE`s applied to the scenario file.
    pub sets: Vec<String>,
}

/// The SVG documents `report.html` inlines. Drawn once: `report::render` writes the same
/// documents as the `.svg` files.
pub struct Svgs {
    /// The charts of SPEC §4, in report order.
    pub charts: Vec<(ChartKind, String)>,
    /// `visibility.svg`; `None` without `[reads]`.
    pub visibility: Option<String>,
    /// `cost_rpo.svg`; `None` without `[cost]`.
    pub cost: Option<String>,
}

impl Svgs {
    pub fn draw(model: &Model, results: &[SimResult]) -> Result<Svgs, GeoError> {
        Ok(Svgs {
            charts: charts::render_svgs(model, results)?,
            visibility: super::visibility_chart::render_svg(model, results)?,
            cost: super::cost_chart::render_svg(model, results)?,
        })
    }
}

/// The whole `report.html`, around the charts `svgs` drawn of the same results.
pub fn render_html(
    model: &Model,
    results: &[SimResult],
    meta: &ReportMeta,
    svgs: &Svgs,
    year: Option<&Year>,
) -> Result<String, GeoError> {
    let year_rows = match year {
        Some(Year::Figures(rows)) => Some(rows.as_slice()),
        _ => None,
    };
    let title = format!("geosim report: {}", model.name);
    let mut page = String::with_capacity(1 << 20);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>{}</title>", esc(&title));
    let _ = writeln!(page, "<style>{CSS}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(page, "<h1>{}</h1>", esc(&title));
    page.push_str(&provenance(model, meta));
    page.push_str(&verdict_section(model, results, year_rows));
    page.push_str(&key_figures_section(model, results, year_rows));
    // The cost chart sits with the year's figures when there are some (what a year of
    // failures costs against what it loses), else with the run's charts.
    let cost_in_year = matches!(year, Some(Year::Figures(_)));
    if let Some(year) = year {
        page.push_str(&year_section(model, results, year, svgs));
    }
    page.push_str(&scenario_section(model));
    page.push_str(&summary_section(model, results));
    page.push_str(&runs_section(model, results));
    page.push_str(&charts_section(
        model,
        results,
        svgs,
        year.is_some(),
        cost_in_year,
    ));
    page.push_str(&reproduce_section(meta));
    page.push_str("</main>\n</body>\n</html>\n");
    Ok(page)
}

/// The style of report.html, which the sweep page shares (`sweep_html` adds its own rules).
pub(crate) const CSS: &str = "\
body{margin:0;background:#fafafa;color:#222;font:15px/1.5 'DejaVu Sans',Verdana,sans-serif}\
main{max-width:1060px;margin:0 auto;padding:1em 1.5em 3em}\
h1{font-size:1.6em;margin:.6em 0 .2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}\
.meta{color:#555;font-size:.9em}code{background:#eee;padding:0 .25em;border-radius:3px}\
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}\
th,td{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}\
td.n{text-align:right;font-variant-numeric:tabular-nums}td{white-space:nowrap}th{background:#f0f0f0}\
th.k{white-space:normal;max-width:9em}table.key td{white-space:normal}td.met{background:#e6f4e6}td.miss{background:#fbe4e4}\
p.verdict{font-size:1.1em;font-weight:bold;margin:.4em 0}\
details>summary{cursor:pointer;color:#444}\
.scroll{overflow-x:auto;max-width:100%}\
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.35em;vertical-align:-.05em}\
figure{margin:1.5em 0;padding:.8em;background:#fff;border:1px solid #e3e3e3}\
figure svg{display:block;width:100%;height:auto}figcaption{margin-top:.5em}\
svg.timeline{display:block;width:100%;height:auto;background:#fff;border:1px solid #e3e3e3}";

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A mean in nanoseconds as milliseconds.
fn mean_ms(mean_ns: f64) -> String {
    if mean_ns.is_finite() {
        format!("{} ms", fmt_sig(mean_ns / 1e6))
    } else {
        "unbounded".to_string()
    }
}

/// ` --set k=v` for each `run --set`, as the command line takes them (empty without).
fn set_args(meta: &ReportMeta) -> String {
    meta.sets.iter().map(|s| format!(" --set {s}")).collect()
}

fn provenance(model: &Model, meta: &ReportMeta) -> String {
    format!(
        "<p class=\"meta\">geosim {} · scenario file <code>{}{}</code> · scenario hash <code>{}</code> · \
         seed {} · {} run(s) per variant · {} simulated (warm-up {})</p>\n",
        esc(&meta.version),
        esc(&meta.scenario_file),
        esc(&set_args(meta)),
        esc(&meta.scenario_hash),
        meta.seed,
        model.runs,
        fmt_ns(model.duration),
        fmt_ns(model.warmup)
    )
}

fn scenario_section(model: &Model) -> String {
    let mut h = String::from("<section id=\"scenario\">\n<h2>Scenario</h2>\n");
    h.push_str("<h3>Regions</h3>\n<table>\n<tr><th>region</th><th>role</th><th>commit (mean)</th><th>client round trip when co-located (mean)</th></tr>\n");
    for (id, r) in model.regions.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.name),
            esc(&roles(model, id)),
            mean_ms(r.commit.mean),
            mean_ms(r.local_rtt.mean)
        );
    }
    h.push_str("</table>\n");
    h.push_str(&rtt_table(model));
    h.push_str(&workload_list(model));
    h.push_str(&variant_table(model));
    h.push_str("<h3>Timeline</h3>\n");
    h.push_str(&timeline_svg(model));
    h.push_str(&events_list(model));
    h.push_str("</section>\n");
    h
}

fn roles(model: &Model, id: RegionId) -> String {
    let mut roles = Vec::new();
    if id == model.primary {
        roles.push("primary".to_string());
    }
    if let Some(i) = model.secondaries.iter().position(|&s| s == id) {
        roles.push(format!("secondary {}", i + 1));
    }
    if id == model.workload.client_region {
        roles.push("clients".to_string());
    }
    if roles.is_empty() {
        "—".to_string()
    } else {
        roles.join(", ")
    }
}

/// Round trips between every pair among the primary, the secondaries and the clients'
/// region: the figures that set sync latency and replication delay.
fn rtt_table(model: &Model) -> String {
    let mut ids = vec![model.primary];
    ids.extend(&model.secondaries);
    ids.push(model.workload.client_region);
    let mut unique: Vec<RegionId> = Vec::new();
    for id in ids {
        if !unique.contains(&id) && id < model.regions.len() {
            unique.push(id);
        }
    }
    let mut h = String::from("<h3>Round-trip times</h3>\n<table>\n<tr><th>between</th><th>and</th><th>RTT (mean)</th><th>replication bandwidth</th></tr>\n");
    for (i, &a) in unique.iter().enumerate() {
        for &b in &unique[i + 1..] {
            let Some(Some(link)) = model.links.get(a).map(|row| row.get(b).cloned().flatten())
            else {
                continue;
            };
            let bandwidth = link
                .bandwidth_bytes_per_s
                .map_or("unlimited".to_string(), |b| {
                    format!("{} Mbit/s", fmt_sig(b * 8.0 / 1e6))
                });
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(model.region_name(a)),
                esc(model.region_name(b)),
                mean_ms(link.rtt.mean),
                bandwidth
            );
        }
    }
    h.push_str("</table>\n");
    h
}

fn workload_list(model: &Model) -> String {
    let w = &model.workload;
    let rates: Vec<String> = w
        .phases
        .iter()
        .map(|p| format!("{} writes/s from {}", fmt_sig(p.rate), fmt_ns(p.at)))
        .collect();
    format!(
        "<h3>Workload</h3>\n<ul>\n<li>clients in {}: {}</li>\n<li>write size {} B (mean); \
         timeout {}, {} retries, {} backoff</li>\n<li>replication from {} to {}; \
         promotion switch {}, DNS repoint over {}</li>\n</ul>\n",
        esc(model.region_name(w.client_region)),
        esc(&rates.join(", then ")),
        fmt_sig(w.size.mean),
        fmt_ns(w.timeout),
        w.retries,
        fmt_ns(w.backoff),
        esc(model.region_name(model.primary)),
        esc(&model
            .secondaries
            .iter()
            .map(|&s| model.region_name(s))
            .collect::<Vec<_>>()
            .join(", ")),
        fmt_ns(model.promotion.switch),
        fmt_ns(model.promotion.dns)
    )
}

fn variant_table(model: &Model) -> String {
    let mut h = String::from(
        "<h3>Variants</h3>\n<table>\n<tr><th>variant</th><th>mode</th><th>commit rule (sync_acks)</th>\
         <th>lag rule</th><th>promotions</th></tr>\n",
    );
    for (i, v) in model.variants.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td><span class=\"sw\" style=\"background:{}\"></span>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            palette::variant_hex(i),
            esc(&v.name),
            v.mode.as_str(),
            esc(&rules::commit_rule(model, v)),
            esc(&rules::lag_rule(model, v)),
            v.promote.map_or("as scheduled", |k| k.as_str())
        );
    }
    h.push_str("</table>\n");
    h
}

fn action_label(model: &Model, kind: &ActionKind) -> String {
    match kind {
        ActionKind::Promote {
            kind,
            target,
            escalate_after,
        } => {
            let to = target.map_or("first ready secondary".to_string(), |t| {
                model.region_name(t).to_string()
            });
            let esc_after =
                escalate_after.map_or(String::new(), |e| format!(", forced after {}", fmt_ns(e)));
            format!("promote {} → {to}{esc_after}", kind.as_str())
        }
        ActionKind::SetMode(m) => format!("set_mode {}", m.as_str()),
        ActionKind::SetMaxLag(l) => format!("set_max_lag {}", fmt_ns(*l)),
    }
}

fn outage_label(model: &Model, target: Target, kind: OutageKind) -> String {
    match kind {
        OutageKind::Down => format!("{} down", model.target_name(target)),
        OutageKind::Slow(f) => format!("{} slow ×{}", model.target_name(target), fmt_sig(f)),
    }
}

/// Scheduled outages (bars) and operator actions (diamonds) on one time axis, a row
/// each so no two labels can collide; labels sit in a left column.
fn timeline_svg(model: &Model) -> String {
    const W: f64 = 1000.0;
    const LEFT: f64 = 280.0;
    const RIGHT: f64 = 980.0;
    const ROW: f64 = 24.0;
    let total = model.duration.max(1) as f64;
    let x = |ns: Nanos| LEFT + (RIGHT - LEFT) * (ns as f64 / total).min(1.0);
    let rows = model.outages.len() + model.actions.len();
    let height = 40.0 + ROW * rows.max(1) as f64 + 30.0;
    let axis_y = height - 30.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"timeline\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-label=\"scenario timeline\" \
         font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"13\">"
    );
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"10\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#eee\"><title>warm-up</title></rect>\
         <text x=\"{:.1}\" y=\"24\" fill=\"#666\" font-size=\"11\">warm-up</text>",
        x(model.warmup) - LEFT,
        axis_y - 10.0,
        LEFT + 3.0
    );
    let mut row = 0;
    for o in &model.outages {
        let y = 34.0 + ROW * row as f64;
        row += 1;
        let label = outage_label(model, o.target, o.kind);
        let (x0, x1) = (x(o.start), x(o.start.saturating_add(o.duration)));
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"#999\"/>",
            LEFT - 10.0,
            y + 11.0,
            esc(&label),
            y,
            (x1 - x0).max(2.0)
        );
    }
    for a in &model.actions {
        let y = 34.0 + ROW * row as f64;
        row += 1;
        let cx = x(a.at);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{axis_y:.1}\" stroke=\"#444\" stroke-dasharray=\"3 3\"/>\
             <path d=\"M{cx:.1} {:.1}l7 7l-7 7l-7 -7z\" fill=\"#222\"/>",
            LEFT - 10.0,
            y + 11.0,
            esc(&crate::report::kit::clip(&action_label(model, &a.kind), 38)),
            y + 7.0,
            y
        );
    }
    s.push_str(&timeline_axis(model, LEFT, RIGHT, axis_y));
    s.push_str("</svg>\n");
    s
}

/// The time axis under the timeline: five to ten round ticks.
fn timeline_axis(model: &Model, left: f64, right: f64, y: f64) -> String {
    let total_s = time::secs(model.duration);
    let axis = super::time_unit(model);
    let (unit, per) = (axis.label, axis.seconds);
    let span = (total_s / per).max(1e-9);
    let raw = span / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&st| st >= raw)
        .unwrap_or(10.0 * mag);
    let mut s =
        format!("<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"#444\"/>");
    let mut i = 0;
    loop {
        let v = step * i as f64;
        if v > span + step * 1e-9 || i > 50 {
            break;
        }
        let px = left + (right - left) * v / span;
        let _ = write!(
            s,
            "<line x1=\"{px:.1}\" y1=\"{y:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#444\"/>\
             <text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            y + 5.0,
            y + 18.0,
            fmt_sig(v)
        );
        i += 1;
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#666\">time ({unit})</text>",
        left - 10.0,
        y + 18.0
    );
    s
}

/// What the timeline cannot show: random failures and the operator's automation.
fn events_list(model: &Model) -> String {
    let mut items = Vec::new();
    for f in &model.failures {
        items.push(format!(
            "random outages of {}: one every {} on average, repaired in {} on average (drawn per run; the charts show run 1's)",
            model.target_name(f.target),
            fmt_duration_s(time::secs(f.mtbf)),
            fmt_duration_s(time::secs_f64(f.mttr.mean))
        ));
    }
    if let Some(auto) = model.policy.auto_promote {
        let escalate = auto
            .escalate_after
            .map(|e| format!(", escalated to forced after {}", fmt_ns(e)))
            .unwrap_or_default();
        items.push(format!(
            "automation: {} promotion once the primary region has been down for {}{escalate}",
            auto.kind.as_str(),
            fmt_ns(auto.after)
        ));
    }
    if let Some(after) = model.policy.remove_secondary_after {
        items.push(format!(
            "automation: a secondary unreachable for {} leaves the replication set",
            fmt_ns(after)
        ));
    }
    if items.is_empty() {
        return String::new();
    }
    let mut h = String::from("<ul>\n");
    for item in items {
        let _ = writeln!(h, "<li>{}</li>", esc(&item));
    }
    h.push_str("</ul>\n");
    h
}

/// Columns holding words rather than numbers: left-aligned, where numbers align right.
fn is_text_column(name: &str) -> bool {
    matches!(name, "variant" | "mode" | "promotion")
}

/// A swatch in the variant's colour, by its place in the scenario.
fn swatch(model: &Model, variant: &str) -> String {
    model
        .variants
        .iter()
        .position(|v| v.name == variant)
        .map_or(String::new(), |i| {
            format!(
                "<span class=\"sw\" style=\"background:{}\"></span>",
                palette::variant_hex(i)
            )
        })
}

/// A plain-text table as HTML: the first column names a variant (with its swatch), the
/// other cells are numbers (right-aligned) unless `text_column` says otherwise; cells
/// ending in ✓ / ✗ are tinted.
fn html_table(model: &Model, t: &verdict::Table, class: &str) -> String {
    let mut h = format!("<div class=\"scroll\"><table class=\"{class}\">\n<tr>");
    for name in &t.header {
        let _ = write!(h, "<th class=\"k\">{}</th>", esc(name));
    }
    h.push_str("</tr>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(h, "<td>{}{}</td>", swatch(model, cell), esc(cell));
            } else {
                let tint = if cell.contains('✓') || cell == "met" || cell == "all met" {
                    " met"
                } else if cell.contains('✗') || cell == "missed" || cell.starts_with("missed:") {
                    " miss"
                } else {
                    ""
                };
                let _ = write!(h, "<td class=\"n{tint}\">{}</td>", esc(cell));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
    h
}

/// SPEC §8: the report opens with the verdict — one sentence, then variant × objective.
fn verdict_section(model: &Model, results: &[SimResult], year: Option<&[YearFigures]>) -> String {
    let judged = verdict::judged_with_year(model, results, year);
    let Some(sentence) = verdict::verdict_sentence(&judged, verdict::Units::of(model)) else {
        return "<section id=\"verdict\">\n<h2>Verdict</h2>\n<p class=\"verdict\">This scenario sets no \
                <code>[objectives]</code>, so there is no verdict: the key figures below compare the variants.</p>\n\
                <p class=\"meta\">Add e.g. <code>[objectives]</code> with <code>rpo = \"5s\"</code>, \
                <code>availability = 0.999</code>, <code>latency_p99 = \"50ms\"</code> to have each variant judged.</p>\n</section>\n"
            .to_string();
    };
    let runs = judged.iter().map(|j| j.runs).max().unwrap_or(1);
    let note = if runs > 1 {
        format!("<p class=\"meta\">Each figure is the worst of the variant's {runs} runs; a variant meets an objective only if every run does.</p>\n")
    } else {
        String::new()
    };
    format!(
        "<section id=\"verdict\">\n<h2>Verdict</h2>\n<p class=\"verdict\">{}</p>\n{}{note}</section>\n",
        esc(&sentence),
        html_table(model, &verdict::verdict_table(model, &judged), "verdict")
    )
}

fn key_figures_section(
    model: &Model,
    results: &[SimResult],
    year: Option<&[YearFigures]>,
) -> String {
    let runs = if model.runs > 1 {
        format!(" (run 1 of {} per variant; the spread over runs is under <a href=\"#runs\">Across runs</a>)", model.runs)
    } else {
        String::new()
    };
    format!(
        "<section id=\"key-figures\">\n<h2>Key figures</h2>\n<p>Per variant{runs}: first-try latency is that of \
         writes acknowledged on their first attempt (the normal-path price); failed, throttled, read-only, \
         timed out and lost are counts of writes or attempts issued after warm-up.</p>\n{}<p>{}</p>\n</section>\n",
        html_table(
            model,
            &verdict::key_figures_with_year(model, results, year),
            "key"
        ),
        esc(&verdict::availability_line(model, results))
    )
}

/// The year of failures (`geosim::year`): the run above is one span of `duration`,
/// usually too short to draw a failure; this is what a year of them costs.
fn year_section(model: &Model, results: &[SimResult], year: &Year, svgs: &Svgs) -> String {
    let mut h = String::from("<section id=\"year\">\n<h2>A year of failures</h2>\n");
    let rows = match year {
        Year::NotApplicable(why) => {
            let _ = writeln!(h, "<p>Not estimated: {}.</p>\n</section>", esc(why));
            return h;
        }
        Year::Figures(rows) => rows,
    };
    let unit = super::time_unit(model);
    let drew_none = results.iter().all(|r| r.outages.is_empty());
    let run = if drew_none {
        format!(
            "The {} run above drew no failure from the scenario's <code>[[failure]]</code>; ",
            esc(&fmt_ns(model.duration))
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        h,
        "<p>{run}each variant is also simulated over whole years of random failures by the episode method \
         (full fidelity around each failure, steady-state rates in between; <code>year.csv</code>, \
         docs/year-of-failures.md). Downtime is the time whose offered writes failed; loss counts \
         acknowledged writes lost at forced promotions.</p>"
    );
    h.push_str(&html_table(
        model,
        &crate::report::year_section::table(rows, unit),
        "year",
    ));
    let _ = writeln!(
        h,
        "<p>{}</p>",
        esc(&crate::report::year_section::sentences(rows, unit).join(" "))
    );
    h.push_str(&cost_figure(model, results, svgs));
    h.push_str("</section>\n");
    h
}

/// The `cost_rpo` figure with its sentence; empty without `[cost]`.
fn cost_figure(model: &Model, results: &[SimResult], svgs: &Svgs) -> String {
    let Some(svg) = &svgs.cost else {
        return String::new();
    };
    let heading = "Cost against data at risk";
    format!(
        "<figure id=\"{0}\">\n<h3>{heading}</h3>\n{1}\n<figcaption>{2} <small>(<code>{0}.png</code>, <code>{0}.svg</code>)</small></figcaption>\n</figure>\n",
        super::cost_chart::STEM,
        inline_svg(svg, heading),
        esc(&super::cost_chart::sentence(model, results))
    )
}

fn summary_section(model: &Model, results: &[SimResult]) -> String {
    let mut h = String::from(
        "<section id=\"summary\">\n<h2>Summary</h2>\n<details>\n<summary>All columns of \
         <code>summary.csv</code>, one row per variant and run (counts are of writes issued after warm-up)</summary>\n\
         <div class=\"scroll\"><table>\n<tr>",
    );
    for name in SUMMARY_COLUMNS {
        let _ = write!(h, "<th>{name}</th>");
    }
    h.push_str("</tr>\n");
    for r in results {
        let swatch = swatch(model, &r.summary.variant);
        h.push_str("<tr>");
        for (name, cell) in SUMMARY_COLUMNS.iter().zip(summary_cells(&r.summary)) {
            if *name == "variant" {
                let _ = write!(h, "<td>{swatch}{}</td>", esc(&cell));
            } else if is_text_column(name) {
                let _ = write!(h, "<td>{}</td>", esc(&cell));
            } else {
                let _ = write!(h, "<td class=\"n\">{}</td>", esc(&cell));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n</details>\n</section>\n");
    h
}

/// The figures shown as intervals when a variant has several runs; those in seconds
/// (`_s`) are shown in the report's time unit, whose label follows the title.
const INTERVAL_FIGURES: [(&str, &str); 8] = [
    ("availability", "availability (± points)"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p99_ms", "p99 ms"),
    ("lag_max_s", "lag max"),
    ("throttled_s", "throttled"),
    ("writes_lost", "writes lost"),
    ("rpo_s", "RPO"),
    ("rto_s", "RTO"),
];

/// With `runs` > 1: per variant, the main figures as mean ± 95% confidence half-width
/// over the runs (as in `aggregate.csv`), so a reader sees how much is chance.
fn runs_section(model: &Model, results: &[SimResult]) -> String {
    use crate::sweep::data::{groups, rows_of_run};
    use crate::sweep::figures;
    let rows = rows_of_run(results);
    let groups = groups(&rows);
    if groups.iter().all(|g| g.runs < 2) {
        return String::new();
    }
    let mut h = String::from(
        "<section id=\"runs\">\n<h2>Across runs</h2>\n<p>Each figure as the mean over the \
         runs ± the half-width of its 95% confidence interval (Student's t), as in \
         <code>aggregate.csv</code>.</p>\n<div class=\"scroll\"><table>\n<tr><th>variant</th><th>runs</th>",
    );
    let unit = super::time_unit(model);
    for (name, title) in INTERVAL_FIGURES {
        if name.ends_with("_s") {
            let _ = write!(h, "<th>{title} {}</th>", unit.label);
        } else {
            let _ = write!(h, "<th>{title}</th>");
        }
    }
    h.push_str("</tr>\n");
    for g in &groups {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td>",
            esc(g.variant),
            g.runs
        );
        for (name, _) in INTERVAL_FIGURES {
            let scale = if name.ends_with("_s") {
                unit.seconds
            } else {
                1.0
            };
            let cell = figures::index(name).and_then(|i| g.stats[i]).map_or(
                "n/a".to_string(),
                |st| match (name, st.ci95) {
                    // A percentage, its interval in percentage points.
                    ("availability", Some(ci)) => {
                        format!("{} ± {:.3}", crate::format::fmt_pct(st.mean), ci * 100.0)
                    }
                    ("availability", None) => crate::format::fmt_pct(st.mean),
                    (_, Some(ci)) => {
                        format!("{} ± {}", fmt_num(st.mean / scale), fmt_num(ci / scale))
                    }
                    (_, None) => fmt_num(st.mean / scale),
                },
            );
            let _ = write!(h, "<td class=\"n\">{}</td>", esc(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n</section>\n");
    h
}

fn chart_heading(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::LatencyCdf => "Write latency",
        ChartKind::Lag => "Replication lag",
        ChartKind::Availability => "Availability over time",
        ChartKind::RpoRto => "Data loss and recovery",
        ChartKind::Tradeoff => "The trade-off",
    }
}

fn charts_section(
    model: &Model,
    results: &[SimResult],
    svgs: &Svgs,
    year: bool,
    cost_in_year: bool,
) -> String {
    let mut h = String::from("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if year {
        h.push_str(
            "<p>The charts show the run of the scenario's own duration; the failures of a whole \
             year are under <a href=\"#year\">A year of failures</a>.</p>\n",
        );
    }
    for (kind, notes) in chart_notes(model, results) {
        let Some((_, svg)) = svgs.charts.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let _ = writeln!(
            h,
            "<figure id=\"{0}\">\n<h3>{1}</h3>\n{2}\n<figcaption>{3} <small>(<code>{0}.png</code>, <code>{0}.svg</code>)</small></figcaption>\n</figure>",
            kind.stem(),
            chart_heading(kind),
            inline_svg(svg, chart_heading(kind)),
            esc(&notes.join(" "))
        );
    }
    if let Some(svg) = &svgs.visibility {
        let heading = "How stale a read can be";
        let _ = writeln!(
            h,
            "<figure id=\"visibility\">\n<h3>{heading}</h3>\n{}\n<figcaption>{} <small>(<code>visibility.png</code>, <code>visibility.svg</code>)</small></figcaption>\n</figure>",
            inline_svg(svg, heading),
            esc(&super::visibility_chart::sentence(model, results))
        );
    }
    if !cost_in_year {
        h.push_str(&cost_figure(model, results, svgs));
    }
    h.push_str("</section>\n");
    h
}

/// A standalone SVG document made fit to sit inside HTML: HTML parsers put `<svg>`
/// in the SVG namespace themselves, so the namespace URL (which a reader of the
/// page could mistake for something fetched) is dropped, and the chart is labelled
/// for screen readers.
fn inline_svg(svg: &str, label: &str) -> String {
    let body = svg.trim_start();
    let body = body.strip_prefix("<?xml").map_or(body, |rest| {
        rest.split_once("?>")
            .map_or(rest, |(_, after)| after.trim_start())
    });
    body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(label)),
            1,
        )
}

fn reproduce_section(meta: &ReportMeta) -> String {
    format!(
        "<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<p>geosim is deterministic: \
         <code>geosim run {}{} --seed {}</code> with geosim {} and a scenario file of hash \
         <code>{}</code> gives the same <code>summary.csv</code> and <code>timeseries.csv</code>, \
         byte for byte.</p>\n</section>\n",
        esc(&meta.scenario_file),
        esc(&set_args(meta)),
        meta.seed,
        esc(&meta.version),
        esc(&meta.scenario_hash)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
