//! The five charts of SPEC §4 (`latency_cdf`, `lag`, `availability`, `rpo_rto`,
//! `tradeoff`), drawn with plotters into PNG or SVG bytes.
//!
//! Each chart is drawn once, generically over the plotters backend, so the PNG and the
//! SVG of a chart cannot drift apart. Time series and CDFs show run 1 of each variant
//! (all variants of a run share arrivals and outages, so run 1 compares like with
//! like); the titles say so. This module writes no files and knows nothing of HTML.

mod availability;
mod lag;
mod latency_cdf;
mod rpo_rto;
mod tradeoff;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::error::GeoError;
use crate::model::{Model, Objectives, NS_PER_MS};
use crate::report::canvas;
use crate::report::kit::*;
pub use crate::report::kit::{HEIGHT, WIDTH};
use crate::report::palette::{self, VariantStyle};
use crate::report::scatter::labelled_points;
use crate::results::{OutageRecord, SimResult};
use crate::time;

use availability::draw_availability;
use lag::draw_lag;
use latency_cdf::draw_latency_cdf;
use rpo_rto::draw_rpo_rto;
use tradeoff::draw_tradeoff;

/// Which files `render_charts` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Png,
    Svg,
    Both,
}

/// The charts named in SPEC §4, in the order the report shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    LatencyCdf,
    Lag,
    Availability,
    RpoRto,
    Tradeoff,
}

impl ChartKind {
    pub const ALL: [ChartKind; 5] = [
        ChartKind::LatencyCdf,
        ChartKind::Lag,
        ChartKind::Availability,
        ChartKind::RpoRto,
        ChartKind::Tradeoff,
    ];

    /// File name without extension, as SPEC §4 names it.
    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::LatencyCdf => "latency_cdf",
            ChartKind::Lag => "lag",
            ChartKind::Availability => "availability",
            ChartKind::RpoRto => "rpo_rto",
            ChartKind::Tradeoff => "tradeoff",
        }
    }
}

/// Every chart of SPEC §4 as `(file name, bytes)`, PNG before SVG for each chart.
pub fn render_charts(
    model: &Model,
    results: &[SimResult],
    format: ChartFormat,
) -> Result<Vec<(String, Vec<u8>)>, GeoError> {
    let view = View::new(model, results);
    let mut files = Vec::new();
    for kind in ChartKind::ALL {
        if matches!(format, ChartFormat::Png | ChartFormat::Both) {
            files.push((format!("{}.png", kind.stem()), render_png(&view, kind)?));
        }
        if matches!(format, ChartFormat::Svg | ChartFormat::Both) {
            let svg = render_svg_view(&view, kind)?;
            files.push((format!("{}.svg", kind.stem()), svg.into_bytes()));
        }
    }
    Ok(files)
}

/// Every chart of SPEC §4 as an SVG document, in report order (the report inlines these
/// and, when SVG files are asked for, writes the same bytes: each is drawn once).
pub fn render_svgs(
    model: &Model,
    results: &[SimResult],
) -> Result<Vec<(ChartKind, String)>, GeoError> {
    let view = View::new(model, results);
    ChartKind::ALL
        .iter()
        .map(|&kind| Ok((kind, render_svg_view(&view, kind)?)))
        .collect()
}

use crate::format::{fmt_pct, fmt_sig, TimeUnit};

// ---------------------------------------------------------------------------------------
// What the charts show, chosen once for all five.

/// One variant as drawn: its name, look and the run that represents it.
struct Line<'a> {
    name: &'a str,
    style: VariantStyle,
    result: &'a SimResult,
    /// Its lag rule as the Variants table names it ([`crate::report::rules::lag_rule`]).
    lag_rule: String,
}

struct View<'a> {
    scenario: &'a str,
    runs: u32,
    bucket_s: f64,
    duration_s: f64,
    time: TimeUnit,
    lines: Vec<Line<'a>>,
    /// Outages of the shown runs, deduplicated (common random numbers make them the
    /// same for every variant; scheduled ones always are).
    outages: Vec<&'a OutageRecord>,
    /// The objective limits every shown variant shares (drawn as lines on the charts).
    objectives: Objectives,
}

/// Per key, the limit if every shown variant has the same one, else `None`.
fn shared_objectives(model: &Model, lines: &[Line]) -> Objectives {
    let of = |l: &Line| {
        model
            .variants
            .iter()
            .find(|v| v.name == l.name)
            .map(|v| v.objectives)
            .unwrap_or_default()
    };
    let Some(first) = lines.first().map(of) else {
        return Objectives::default();
    };
    let mut o = first;
    for l in &lines[1..] {
        let x = of(l);
        if x.rpo != o.rpo {
            o.rpo = None;
        }
        if x.rto != o.rto {
            o.rto = None;
        }
        if x.availability != o.availability {
            o.availability = None;
        }
        if x.latency_p99 != o.latency_p99 {
            o.latency_p99 = None;
        }
    }
    o
}

impl<'a> View<'a> {
    fn new(model: &'a Model, results: &'a [SimResult]) -> View<'a> {
        let lines: Vec<Line<'a>> = shown_runs(model, results)
            .into_iter()
            .map(|(index, result)| Line {
                name: &result.summary.variant,
                style: palette::variant_style(index),
                result,
                lag_rule: model
                    .variants
                    .iter()
                    .find(|v| v.name == result.summary.variant)
                    .map_or_else(String::new, |v| crate::report::rules::lag_rule(model, v)),
            })
            .collect();
        let mut outages: Vec<&OutageRecord> = Vec::new();
        for line in &lines {
            for o in &line.result.outages {
                if !outages.contains(&o) {
                    outages.push(o);
                }
            }
        }
        outages.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let duration_s = time::secs(model.duration);
        let objectives = shared_objectives(model, &lines);
        View {
            scenario: &model.name,
            runs: model.runs,
            bucket_s: time::secs(model.bucket),
            duration_s,
            time: crate::report::time_unit(model),
            lines,
            outages,
            objectives,
        }
    }

    fn subtitle(&self, extra: &str) -> String {
        let runs = if self.runs > 1 {
            format!("run 1 of {} of each variant", self.runs)
        } else {
            "one run per variant".to_string()
        };
        let scenario = clip(self.scenario, 48);
        if extra.is_empty() {
            format!("scenario \u{201c}{scenario}\u{201d} · {runs}")
        } else {
            format!("scenario \u{201c}{scenario}\u{201d} · {runs} · {extra}")
        }
    }
}

/// The run each variant is shown by (its lowest-numbered one, normally run 1), in the
/// order variants first appear, with the variant's colour index: its place in the
/// scenario, so a `--variant` subset keeps the colours of the full run.
pub fn shown_runs<'a>(model: &Model, results: &'a [SimResult]) -> Vec<(usize, &'a SimResult)> {
    let mut shown: Vec<(usize, &SimResult)> = Vec::new();
    for result in results {
        let name = &result.summary.variant;
        match shown.iter_mut().find(|(_, r)| r.summary.variant == *name) {
            Some(entry) if result.summary.run < entry.1.summary.run => entry.1 = result,
            Some(_) => {}
            None => {
                let index = model
                    .variants
                    .iter()
                    .position(|v| v.name == *name)
                    .unwrap_or(model.variants.len() + shown.len());
                shown.push((index, result));
            }
        }
    }
    shown
}

fn render_png(view: &View, kind: ChartKind) -> Result<Vec<u8>, GeoError> {
    canvas::png(kind.stem(), |root| draw(root, view, kind))
}

fn render_svg_view(view: &View, kind: ChartKind) -> Result<String, GeoError> {
    canvas::svg(kind.stem(), |root| draw(root, view, kind))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
    kind: ChartKind,
) -> Drawn<(), DB> {
    match kind {
        ChartKind::LatencyCdf => draw_latency_cdf(root, view),
        ChartKind::Lag => draw_lag(root, view),
        ChartKind::Availability => draw_availability(root, view),
        ChartKind::RpoRto => draw_rpo_rto(root, view),
        ChartKind::Tradeoff => draw_tradeoff(root, view),
    }
}

/// A legend entry per line; a label's second line (after `\n`) is its detail, drawn
/// smaller beneath it. Each line is clipped on its own.
fn legend_entries(view: &View, label: impl Fn(&Line) -> String) -> Vec<(VariantStyle, String)> {
    view.lines
        .iter()
        .map(|l| {
            let label = label(l);
            let lines: Vec<String> = label.split('\n').map(|s| clip(s, 40)).collect();
            (l.style, lines.join("\n"))
        })
        .collect()
}

/// Outage windows in axis units, clipped to the run.
fn outage_spans<'v>(view: &'v View) -> impl Iterator<Item = (f64, f64, &'v OutageRecord)> + 'v {
    let x_end = view.duration_s / view.time.seconds;
    view.outages.iter().filter_map(move |o| {
        let x0 = (o.start_s / view.time.seconds).clamp(0.0, x_end);
        let x1 = (o.end_s / view.time.seconds).clamp(0.0, x_end);
        (x1 > x0).then_some((x0, x1, *o))
    })
}

/// Shades outage windows across the whole plot (under the data).
fn shade_outages<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    view: &View,
    y: (f64, f64),
) -> Drawn<(), DB> {
    for (x0, x1, o) in outage_spans(view) {
        let alpha = if o.kind == "down" { 0.22 } else { 0.10 };
        chart.plotting_area().draw(&Rectangle::new(
            [(x0, y.0), (x1, y.1)],
            palette::OUTAGE_FILL.mix(alpha).filled(),
        ))?;
    }
    Ok(())
}

/// Labels outage windows along the top edge of the plot, over the data on a pale
/// backing, stacking labels in rows so neighbouring outages never overwrite each other.
fn label_outages<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LinChart<DB>,
    view: &View,
    y: (f64, f64),
) -> Drawn<(), DB> {
    let style = font(palette::NOTE_PX).color(&palette::INK);
    let (px_x, px_y) = chart.plotting_area().get_pixel_range();
    let mut row_ends: Vec<i32> = Vec::new();
    for (x0, _, o) in outage_spans(view) {
        let label = clip(&format!("{} {}", o.target, o.kind), 40);
        let (w, h) = root.estimate_text_size(&label, &style)?;
        let (w, h) = (w as i32, h as i32);
        let left = chart.backend_coord(&(x0, y.1)).0 + 3;
        let left = left.min(px_x.end - w - 3).max(px_x.start + 3);
        let row = match row_ends.iter().position(|&end| left > end + 8) {
            Some(r) => r,
            None => {
                row_ends.push(i32::MIN);
                row_ends.len() - 1
            }
        };
        row_ends[row] = left + w;
        let top = px_y.start + 4 + row as i32 * (h + 4);
        root.draw(&Rectangle::new(
            [(left - 2, top - 1), (left + w + 2, top + h + 2)],
            WHITE.mix(0.85).filled(),
        ))?;
        text(root, &label, (left, top), &style, HPos::Left, VPos::Top)?;
    }
    Ok(())
}

/// A vertical line in the variant's colour where each of its promotions completed
/// (or was requested, if the run ended first). Variants promoting at the same moment
/// share one line whose dashes take their colours in turn.
fn draw_promotions<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    view: &View,
    y: (f64, f64),
) -> Drawn<(), DB> {
    let x_end = view.duration_s / view.time.seconds;
    let mut marks: Vec<(f64, Vec<VariantStyle>)> = Vec::new();
    for line in &view.lines {
        for p in &line.result.promotions {
            let t = p.completed_s.unwrap_or(p.requested_s) / view.time.seconds;
            if !(0.0..=x_end).contains(&t) {
                continue;
            }
            match marks.iter_mut().find(|(at, _)| *at == t) {
                Some((_, styles)) => styles.push(line.style),
                None => marks.push((t, vec![line.style])),
            }
        }
    }
    for (t, styles) in marks {
        multicolour_dashes(chart, (t, y.0), (t, y.1), &styles, 40)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_ranges_are_padded() {
        assert_eq!(pad_range(0.0, 0.0, true, 0.1), (0.0, 1.0));
        let (lo, hi) = pad_range(5.0, 5.0, false, 0.1);
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(pad_range(f64::NAN, 1.0, true, 0.0), (0.0, 1.0));
    }

    #[test]
    fn labels_avoid_each_other() {
        use crate::report::scatter::{overlaps, place_label};
        let bounds = (0, 0, 500, 500);
        let a = place_label((100, 100), (80, 16), bounds, &[]);
        let b = place_label((100, 100), (80, 16), bounds, &[a]);
        assert!(!overlaps(a, b));
    }
}
