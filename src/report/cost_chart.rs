//! `cost_rpo` (PNG and SVG): what each variant costs a month against the data it puts
//! at risk, one labelled point per variant, drawn with the furniture, palette and fonts
//! of the other charts (`charts`). Only written when the scenario has `[cost]`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas;
use super::charts::{shown_runs, ChartFormat};
use super::kit::{build, clip, finite_or_zero, frame, mesh, pad_range, Drawn};
use super::palette::{self, VariantStyle};
use super::scatter::labelled_points;
use crate::error::GeoError;
use crate::format::{fmt_num, fmt_sig};
use crate::model::Model;
use crate::results::SimResult;

pub(crate) const STEM: &str = "cost_rpo";

/// A variant's point: RPO (in the report's time unit) and cost per month, from its
/// lowest-numbered run.
struct Point<'a> {
    name: &'a str,
    style: VariantStyle,
    rpo: f64,
    cost_month: f64,
    promoted: bool,
}

fn points<'a>(model: &Model, results: &'a [SimResult]) -> Vec<Point<'a>> {
    let unit = crate::report::time_unit(model);
    shown_runs(model, results)
        .into_iter()
        .filter_map(|(index, r)| {
            let bill = r.summary.cost?;
            Some(Point {
                name: &r.summary.variant,
                style: palette::variant_style(index),
                rpo: finite_or_zero(r.summary.rpo_s) / unit.seconds,
                cost_month: finite_or_zero(bill.cost_month),
                promoted: r.summary.promotion != "none",
            })
        })
        .collect()
}

/// `cost_rpo.png` / `.svg` as (file name, bytes); nothing without `[cost]`.
pub fn render(
    model: &Model,
    results: &[SimResult],
    format: ChartFormat,
) -> Result<Vec<(String, Vec<u8>)>, GeoError> {
    let Some(prices) = &model.cost else {
        return Ok(Vec::new());
    };
    let pts = points(model, results);
    let currency = prices.currency.as_str();
    let mut files = Vec::new();
    if matches!(format, ChartFormat::Png | ChartFormat::Both) {
        let png = canvas::png(STEM, |root| draw(root, model, &pts, currency))?;
        files.push((format!("{STEM}.png"), png));
    }
    if matches!(format, ChartFormat::Svg | ChartFormat::Both) {
        let svg = canvas::svg(STEM, |root| draw(root, model, &pts, currency))?;
        files.push((format!("{STEM}.svg"), svg.into_bytes()));
    }
    Ok(files)
}

/// The chart as an SVG document, for report.html (which inlines it); `None` without
/// `[cost]`. The same drawing as `cost_rpo.svg`.
pub fn render_svg(model: &Model, results: &[SimResult]) -> Result<Option<String>, GeoError> {
    let Some(prices) = &model.cost else {
        return Ok(None);
    };
    let pts = points(model, results);
    let currency = prices.currency.as_str();
    canvas::svg(STEM, |root| draw(root, model, &pts, currency)).map(Some)
}

/// The sentence report.html shows under the chart: each variant's cost a month and RPO
/// as the chart's points and labels give them (no ranking: the chart shows the trade).
pub fn sentence(model: &Model, results: &[SimResult]) -> String {
    let Some(prices) = &model.cost else {
        return String::new();
    };
    let unit = crate::report::time_unit(model);
    let pts = points(model, results);
    let parts: Vec<String> = pts
        .iter()
        .map(|p| {
            let rpo = if p.promoted {
                format!("an RPO of {} {}", fmt_sig(p.rpo), unit.label)
            } else {
                "no failover".to_string()
            };
            format!(
                "{}: {} {} a month, {rpo}",
                p.name,
                fmt_num(p.cost_month),
                prices.currency
            )
        })
        .collect();
    let untested = if pts.iter().any(|p| p.promoted) {
        ""
    } else {
        " No variant failed over in this run: an RPO of 0 here means untested, not safe."
    };
    format!(
        "Each point is a variant\u{2019}s cost for a month of 30 days against the data a forced promotion lost in this {} run (RPO). {}.{untested}",
        crate::report::rules::fmt_ns(model.duration),
        parts.join("; ")
    )
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    model: &Model,
    pts: &[Point],
    currency: &str,
) -> Drawn<(), DB> {
    let runs = if model.runs > 1 {
        " · run 1 of each variant"
    } else {
        ""
    };
    let untested = if pts.iter().any(|p| p.promoted) {
        ""
    } else {
        " · no failover in this run: RPO untested"
    };
    let body = frame(
        root,
        "Cost against data at risk (RPO)",
        &format!(
            "scenario \u{201c}{}\u{201d}{runs} · label: cost a month{untested}",
            clip(&model.name, 40)
        ),
        "Units are billed in every region; replication per GB and secondary. Towards the \
         bottom left is cheaper and safer.",
    )?;
    let x_max = pts.iter().fold(0.0, |m: f64, p| m.max(p.rpo));
    let y_max = pts.iter().fold(0.0, |m: f64, p| m.max(p.cost_month));
    let mut chart = build(
        &body,
        pad_range(0.0, x_max, true, 0.25),
        pad_range(0.0, y_max, true, 0.2),
    )?;
    mesh(
        &mut chart,
        &format!(
            "RPO: data lost at a forced promotion ({})",
            crate::report::time_unit(model).label
        ),
        &format!("cost per month of 30 days ({currency})"),
        &|v| fmt_sig(*v),
        &|v| fmt_sig(*v),
    )?;
    labelled_points(root, &chart, &grouped(pts, currency))
}

/// One label per place: variants whose RPO and cost print the same share a point and
/// a label naming them all (three labels fanned out around one dot read as three
/// places), drawn in the first one's look.
fn grouped(pts: &[Point], currency: &str) -> Vec<((f64, f64), String, VariantStyle)> {
    let mut groups: Vec<(&Point, Vec<&str>)> = Vec::new();
    for p in pts {
        let same = |q: &Point| {
            fmt_sig(q.rpo) == fmt_sig(p.rpo) && fmt_num(q.cost_month) == fmt_num(p.cost_month)
        };
        match groups.iter_mut().find(|(q, _)| same(q)) {
            Some((_, names)) => names.push(p.name),
            None => groups.push((p, vec![p.name])),
        }
    }
    groups
        .into_iter()
        .map(|(p, names)| {
            let who = if names.len() > 3 {
                format!("{} and {} more", clip(names[0], 24), names.len() - 1)
            } else {
                clip(&crate::report::verdict::join(&names), 48)
            };
            let label = format!("{who} · {} {currency}", fmt_num(p.cost_month));
            ((p.rpo, p.cost_month), label, p.style)
        })
        .collect()
}
