//! The sweep's `report.html` (in `<out>/<scenario>/sweep/`): a self-contained page
//! whose section is the sweep — what was swept, a table of the charted figures as mean
//! ± 95% half-width per grid point and variant, and the charts (inline SVG) with what
//! each shows. It stands beside the run's own `report.html` one folder up, which
//! describes one run of one scenario; a sweep is many scenarios.

use std::fmt::Write;

use super::html::{esc, CSS};
use super::palette;
use super::sweep_charts::SweepChart;
use crate::error::Result;
use crate::format::{fmt_num, fmt_pct, fmt_sig};
use crate::stats::Stats;
use crate::sweep::data::{self, SweepData};
use crate::sweep::figures::FIGURES;
use crate::sweep::grid::display;

/// The sweep page's own rules, after report.html's (one look for both pages).
const STYLE: &str = "td.l,th.l{text-align:left}figure{margin:2em 0}\
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em}";

pub fn render_html(data: &SweepData, charts: &[SweepChart]) -> Result<String> {
    let h = &data.header;
    let mut out = String::new();
    let name = esc(&h.scenario);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>geosim sweep: {name}</title><style>{CSS}{STYLE}</style></head><body>\n<main>\n\
<h1>Sweep of \u{201c}{name}\u{201d}</h1>\n<p>geosim {} · scenario hash <code>{}</code> · seed {} · {} grid points</p>\n",
        esc(&h.version),
        esc(&h.scenario_hash),
        h.seed,
        h.grid.len()
    );
    if !h.description.is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(&h.description));
    }
    let figures: Vec<usize> = charts.iter().map(|c| c.figure).collect();
    // Where the objectives hold is the answer the sweep was made for: it comes first.
    let conclusions: Vec<String> = super::sweep_sentences::objectives_conclusion(data)
        .into_iter()
        .chain(super::sweep_sentences::conclusions(data, &figures))
        .collect();
    if !conclusions.is_empty() {
        out.push_str("<h2>Conclusion</h2>\n<ul class=\"conclusion\">\n");
        for c in &conclusions {
            let _ = writeln!(out, "<li>{}</li>", esc(c));
        }
        out.push_str("</ul>\n<p class=\"meta\">From the means over the runs; where the intervals in the table below overlap, the runs cannot tell the settings apart.</p>\n");
    }
    out.push_str("<h2>What was swept</h2>\n<ul>\n");
    for axis in &h.grid.axes {
        let values: Vec<String> = axis.values.iter().map(|v| esc(&display(v))).collect();
        let _ = writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            esc(&axis.key()),
            values.join(", ")
        );
    }
    out.push_str(
        "</ul>\n<p>Every grid point is the scenario with these keys set, validated like a hand-written file, \
and every variant of it runs the scenario's runs (the same random streams at every point, so points differ \
only by the swept keys). Figures are <b>mean ± 95% confidence half-width</b> over the runs (Student's t); \
two settings whose intervals overlap are not told apart by this many runs.</p>\n",
    );
    // Which variants meet every objective at each point is the answer; the figures follow.
    objectives_table(&mut out, data);
    table(&mut out, data, charts);
    for chart in charts {
        let _ = writeln!(
            out,
            "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>",
            esc(&chart.stem),
            chart.svg,
            esc(&chart.caption)
        );
    }
    out.push_str(
        "<h2>Files</h2>\n<p><code>sweep.csv</code>: every figure of <code>summary.csv</code> as <code>_mean</code> and \
<code>_ci95</code> per grid point and variant. <code>runs.csv</code>: the figures of every run, exact, in the shard \
format (<code>geosim merge runs.csv</code> reproduces these files). <code>sweep_*.png</code>/<code>.svg</code>: the charts.</p>\n</main>\n</body></html>\n",
    );
    Ok(out)
}

fn table(out: &mut String, data: &SweepData, charts: &[SweepChart]) {
    let grid = &data.header.grid;
    // A column per charted figure can be wider than the page: the table scrolls, the page
    // does not.
    out.push_str("<h2>Results</h2>\n<div class=\"scroll\"><table>\n<tr>");
    for axis in &grid.axes {
        let _ = write!(out, "<th class=\"l\">{}</th>", esc(&axis.key()));
    }
    out.push_str("<th class=\"l\">variant</th><th>runs</th>");
    for c in charts {
        let _ = write!(
            out,
            "<th>{}</th>",
            esc(&super::sweep_series::look(FIGURES[c.figure].name).title)
        );
    }
    out.push_str("</tr>\n");
    for g in data::groups(&data.rows) {
        out.push_str("<tr>");
        for v in grid.point(g.point) {
            let _ = write!(out, "<td class=\"l\">{}</td>", esc(&display(v)));
        }
        let _ = write!(
            out,
            "<td class=\"l\"><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td>",
            palette::variant_hex(g.variant_index),
            esc(g.variant),
            g.runs
        );
        for c in charts {
            let _ = write!(
                out,
                "<td>{}</td>",
                cell(g.stats[c.figure], FIGURES[c.figure].name)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
}

/// Per grid point, the variants that meet every objective in every run and those that
/// do not (with the keys they miss); nothing without objectives.
fn objectives_table(out: &mut String, data: &SweepData) {
    let groups = data::groups(&data.rows);
    if groups.iter().all(|g| g.objectives.judged == 0) {
        return;
    }
    let grid = &data.header.grid;
    out.push_str("<h2>Objectives per grid point</h2>\n<table class=\"objectives\">\n<tr>");
    for axis in &grid.axes {
        let _ = write!(out, "<th class=\"l\">{}</th>", esc(&axis.key()));
    }
    out.push_str(
        "<th class=\"l\">meet every objective in every run</th><th class=\"l\">do not</th></tr>\n",
    );
    let swatch = |g: &data::Group| {
        format!(
            "<span class=\"swatch\" style=\"background:{}\"></span>{}",
            palette::variant_hex(g.variant_index),
            esc(g.variant)
        )
    };
    for point in 0..grid.len() {
        let here: Vec<&data::Group> = groups.iter().filter(|g| g.point == point).collect();
        let meet: Vec<String> = here
            .iter()
            .filter(|g| g.objectives.holds() == Some(true))
            .map(|g| swatch(g))
            .collect();
        let miss: Vec<String> = here
            .iter()
            .filter(|g| g.objectives.holds() == Some(false))
            .map(|g| {
                format!(
                    "{} ({})",
                    swatch(g),
                    esc(&crate::sweep::table::objectives_cell(&g.objectives))
                )
            })
            .collect();
        out.push_str("<tr>");
        for v in grid.point(point) {
            let _ = write!(out, "<td class=\"l\">{}</td>", esc(&display(v)));
        }
        let none = |v: Vec<String>| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(
            out,
            "<td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
            none(meet),
            none(miss)
        );
    }
    out.push_str("</table>\n");
}

fn cell(s: Option<Stats>, figure: &str) -> String {
    let Some(s) = s else {
        return "–".into();
    };
    let look = super::sweep_series::look(figure);
    if look.scale == 100.0 {
        // A share as a percentage; its interval in percentage points.
        return match s.ci95 {
            Some(ci) => format!("{} ± {}", fmt_pct(s.mean), fmt_sig(ci * 100.0)),
            None => fmt_pct(s.mean),
        };
    }
    match s.ci95 {
        Some(ci) => format!("{} ± {}", fmt_num(s.mean), fmt_sig(ci)),
        None => fmt_num(s.mean),
    }
}
