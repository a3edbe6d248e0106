//! `visibility` (PNG and SVG): the t-visibility curve of PBS (Bailis et al., VLDB 2012) —
//! the share of acknowledged writes already applied at the read region Δ after their
//! acknowledgement, against Δ on a log axis, a line per variant (SPEC §7). Drawn with the
//! furniture, palette and fonts of the other charts (`charts`). Only written when the
//! scenario has `[reads]`.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::canvas;
use super::charts::{shown_runs, ChartFormat};
use super::kit::{
    build_log_x, clip, draw_legend, frame, mesh, message, nested_width, stroke_path, with_legend,
    Drawn,
};
use super::palette::{self, VariantStyle};
use crate::error::GeoError;
use crate::format::{fmt_pct, fmt_sig};
use crate::model::Model;
use crate::results::SimResult;

pub(crate) const STEM: &str = "visibility";

/// A variant's curve, from its lowest-numbered run.
struct Curve<'a> {
    name: &'a str,
    style: VariantStyle,
    /// (Δ ms, share visible), ascending, starting at Δ = 0; empty: no write acknowledged.
    points: &'a [(f64, f64)],
}

impl Curve<'_> {
    /// The share of writes visible at once (at or before their acknowledgement).
    fn at_once(&self) -> Option<f64> {
        self.points.first().map(|p| p.1)
    }
}

/// The curve of each shown variant; `None` without `[reads]` (no chart at all).
fn curves<'a>(model: &Model, results: &'a [SimResult]) -> Option<Vec<Curve<'a>>> {
    model.reads.as_ref()?;
    let curves = shown_runs(model, results)
        .into_iter()
        .map(|(index, r)| Curve {
            name: &r.summary.variant,
            style: palette::variant_style(index),
            points: &r.visibility_curve,
        })
        .collect();
    Some(curves)
}

/// `visibility.png` / `.svg` as (file name, bytes); nothing without `[reads]`.
pub fn render(
    model: &Model,
    results: &[SimResult],
    format: ChartFormat,
) -> Result<Vec<(String, Vec<u8>)>, GeoError> {
    let Some(curves) = curves(model, results) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    if matches!(format, ChartFormat::Png | ChartFormat::Both) {
        let png = canvas::png(STEM, |root| draw(root, model, &curves))?;
        files.push((format!("{STEM}.png"), png));
    }
    if matches!(format, ChartFormat::Svg | ChartFormat::Both) {
        let svg = canvas::svg(STEM, |root| draw(root, model, &curves))?;
        files.push((format!("{STEM}.svg"), svg.into_bytes()));
    }
    Ok(files)
}

/// The sentence report.html shows under the chart: per variant, the share of writes
/// visible at once and the Δ by which half and 99% are, from the summary's figures.
pub fn sentence(model: &Model, results: &[SimResult]) -> String {
    let parts: Vec<String> = shown_runs(model, results)
        .into_iter()
        .filter_map(|(_, r)| {
            let reads = r.summary.reads?;
            let at_once = r.visibility_curve.first()?.1;
            let within = |ms: f64| format!("within {} ms", fmt_sig(ms));
            let name = &r.summary.variant;
            let at_once = if at_once > 0.0 {
                format!("{} visible at once", fmt_pct(at_once))
            } else {
                "none visible at once".to_string()
            };
            Some(if reads.visibility_p99_ms == 0.0 {
                format!("{name}: {at_once}")
            } else if reads.visibility_p50_ms == 0.0 {
                format!("{name}: {at_once}, 99% {}", within(reads.visibility_p99_ms))
            } else {
                format!(
                    "{name}: {at_once}, half {}, 99% {}",
                    within(reads.visibility_p50_ms),
                    within(reads.visibility_p99_ms)
                )
            })
        })
        .collect();
    if parts.is_empty() {
        return "No write was acknowledged, so no visibility was measured.".to_string();
    }
    format!(
        "Each curve is the share of acknowledged writes already applied at the variant\u{2019}s read region (the one a read issued at the start would go to) \u{394} after their acknowledgement: what a read issued then would see. {}.",
        parts.join("; ")
    )
}

/// The chart as an SVG document, for report.html (which inlines it); `None` without `[reads]`.
pub fn render_svg(model: &Model, results: &[SimResult]) -> Result<Option<String>, GeoError> {
    curves(model, results)
        .map(|curves| canvas::svg(STEM, |root| draw(root, model, &curves)))
        .transpose()
}

/// The log axis: from a fifth of the smallest positive Δ to five times the largest, so
/// that a constant delay still gets ticks either side; 1–1000 ms when every write was
/// visible at once.
fn x_range(curves: &[Curve]) -> (f64, f64) {
    let (lo, hi) = curves
        .iter()
        .flat_map(|c| c.points.iter())
        .filter(|p| p.0 > 0.0 && p.0.is_finite())
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        });
    if lo.is_finite() && hi > 0.0 {
        (lo / 5.0, hi * 5.0)
    } else {
        (1.0, 1000.0)
    }
}

/// The curve as a staircase on the axis: the share visible at once from the left edge,
/// each later share from the Δ it is reached at (a CDF is a step function; straight
/// lines between points would invent writes visible in between).
fn steps(points: &[(f64, f64)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let Some(&(_, first)) = points.first() else {
        return Vec::new();
    };
    let mut out = vec![(lo, first * 100.0)];
    let mut share = first;
    for &(x, y) in &points[1..] {
        let x = x.clamp(lo, hi);
        out.push((x, share * 100.0));
        share = y;
        out.push((x, share * 100.0));
    }
    out.push((hi, share * 100.0));
    out
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    model: &Model,
    curves: &[Curve],
) -> Drawn<(), DB> {
    let runs = if model.runs > 1 {
        format!("run 1 of {} of each variant", model.runs)
    } else {
        "one run per variant".to_string()
    };
    let body = frame(
        root,
        "Write visibility at the read region (t-visibility)",
        &format!(
            "scenario \u{201c}{}\u{201d} · {runs} · log time axis",
            clip(&model.name, 48)
        ),
        "Each curve: share of a variant\u{2019}s acknowledged writes a read issued \u{394} after \
         the acknowledgement would see. Higher and further left is fresher.",
    )?;
    let entries: Vec<(VariantStyle, String)> = curves
        .iter()
        .map(|c| {
            let label = match c.at_once() {
                Some(s) if s > 0.0 => format!("{} ({} at once)", c.name, fmt_pct(s)),
                Some(_) => format!("{} (none at once)", c.name),
                None => format!("{} (no acks)", c.name),
            };
            (c.style, clip(&label, 40))
        })
        .collect();
    let (plot_area, legend_area) = with_legend(&body, &entries)?;
    draw_legend(&legend_area, &entries)?;
    let (lo, hi) = x_range(curves);
    let mut chart = build_log_x(&plot_area, (lo, hi), (0.0, 102.0))?;
    mesh(
        &mut chart,
        "\u{394}: time since the write was acknowledged (ms, log scale)",
        "writes visible at the read region (%)",
        &|v| fmt_sig(*v),
        &|v| fmt_sig(*v),
    )?;
    let guide = palette::MUTED.mix(0.6).stroke_width(1);
    chart.plotting_area().draw(&DashedPathElement::new(
        vec![(lo, 100.0), (hi, 100.0)],
        4,
        4,
        guide,
    ))?;
    // Later variants draw thinner over earlier ones, so equal curves stay visible.
    for (i, c) in curves.iter().enumerate() {
        let points = steps(c.points, lo, hi);
        if points.len() > 1 {
            let width = nested_width(i, curves.len());
            stroke_path(chart.plotting_area(), points, c.style, width)?;
        }
    }
    if curves.iter().all(|c| c.points.is_empty()) {
        message(&chart, "no write was acknowledged in any variant")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_share_until_the_next_point() {
        let s = steps(&[(0.0, 0.25), (10.0, 0.75), (30.0, 1.0)], 1.0, 100.0);
        assert_eq!(
            s,
            vec![
                (1.0, 25.0),
                (10.0, 25.0),
                (10.0, 75.0),
                (30.0, 75.0),
                (30.0, 100.0),
                (100.0, 100.0)
            ]
        );
        assert!(steps(&[], 1.0, 2.0).is_empty());
    }

    #[test]
    fn the_axis_spans_the_positive_deltas_or_a_default() {
        let pts = [(0.0, 0.5), (40.0, 1.0)];
        let c = Curve {
            name: "a",
            style: palette::variant_style(0),
            points: &pts,
        };
        assert_eq!(x_range(&[c]), (8.0, 200.0));
        let zero = [(0.0, 1.0)];
        let c = Curve {
            name: "sync",
            style: palette::variant_style(0),
            points: &zero,
        };
        assert_eq!(x_range(&[c]), (1.0, 1000.0));
    }
}
