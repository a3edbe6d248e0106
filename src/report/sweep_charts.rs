//! Sweep charts: a figure's mean against a swept key, a line per variant (and per value
//! of the other swept keys) with its 95% confidence band, as PNG and SVG bytes.
//!
//! The x axis is the first swept key whose values are numbers or durations; with none
//! (e.g. a choice of secondary region), the first key's values are categories and each
//! series is a marker with an error bar. Colours, strokes and fonts come from `palette`,
//! so a variant looks the same as in the main charts. Writes no files, knows no HTML.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas;
use super::kit::{Drawn, WIDTH};
use super::palette::{self, Marker, Stroke, VariantStyle, FONT};
use super::sweep_series::{layout, look, series, Layout, Series};
use crate::error::Result;
use crate::format::{fmt_fixed, fmt_sig, tick_decimals};
use crate::sweep::data::SweepData;
use crate::sweep::figures::FIGURES;

/// One drawn chart.
pub struct SweepChart {
    /// Index into `FIGURES`.
    pub figure: usize,
    /// File name without extension: `sweep_<figure>`.
    pub stem: String,
    pub png: Vec<u8>,
    pub svg: String,
    /// What the chart shows, for the HTML page.
    pub caption: String,
}

pub fn render_charts(data: &SweepData, figures: &[usize]) -> Result<Vec<SweepChart>> {
    let layout = layout(data);
    figures
        .iter()
        .map(|&f| {
            let series = series(data, f);
            let stem = format!("sweep_{}", FIGURES[f].name);
            let line = objective_line(data, f);
            // The line and the y range that shows it with the data, decided once for
            // both formats and the caption.
            let drawn = line
                .as_ref()
                .and_then(|l| Some((l, shown(&series, l, FIGURES[f].name)?)));
            let chart = (&layout, series.as_slice(), f, drawn);
            let png = png(&stem, chart)?;
            let svg = svg(&stem, chart)?;
            let mut caption = caption(data, &layout, f);
            if let Some(line) = &line {
                caption.push_str(&if drawn.is_some() {
                    format!(" Dashed: the objective, {}.", line.label)
                } else {
                    format!(
                        " The objective, {}, lies too far beyond every value to draw.",
                        line.label
                    )
                });
            }
            Ok(SweepChart {
                figure: f,
                stem,
                png,
                svg,
                caption,
            })
        })
        .collect()
}

fn caption(data: &SweepData, layout: &Layout, f: usize) -> String {
    let figure = look(FIGURES[f].name).title;
    let shape = if layout.categories.is_some() {
        "each marker is the mean over the runs, the bar its 95% confidence interval"
    } else {
        "each line is the mean over the runs, the band its 95% confidence interval"
    };
    format!(
        "{figure} against {} for each variant of \u{201c}{}\u{201d}: {shape} (clipped where it would leave the figure's possible range). Where bands overlap, the runs cannot tell the settings apart; more runs narrow the bands.",
        layout.x_title, data.header.scenario
    )
}

/// The objective every variant of the sweep shares on figure `f`, if any.
struct ObjectiveLine {
    /// In the chart's units (a share as a percentage).
    y: f64,
    /// "availability ≥ 99.9%".
    label: String,
}

fn objective_line(data: &SweepData, f: usize) -> Option<ObjectiveLine> {
    let name = FIGURES[f].name;
    let &(key, limit) = data
        .header
        .lines
        .iter()
        .find(|(k, _)| k.figure_name() == name)?;
    let lk = look(name);
    let y = limit * lk.scale;
    let sign = if key.at_most() {
        '\u{2264}'
    } else {
        '\u{2265}'
    };
    Some(ObjectiveLine {
        y,
        label: format!("{} {sign} {}{}", key.name(), fmt_sig(y), lk.unit()),
    })
}

/// The y range that shows the data and the objective line, or `None` when the line lies
/// so far beyond the data (more than twice their span again) that including it would
/// flatten them.
fn shown(series: &[Series], line: &ObjectiveLine, name: &str) -> Option<(f64, f64)> {
    // The data's own range, as `draw` makes it.
    let bounds = (0.0, look(name).upper.unwrap_or(f64::INFINITY));
    let (lo, hi) = y_range(series, name != "availability", bounds);
    if (lo..=hi).contains(&line.y) {
        return Some((lo, hi));
    }
    let span = hi - lo;
    let (a, b) = (lo.min(line.y), hi.max(line.y));
    (b - a <= 3.0 * span)
        .then_some((a - 0.08 * span, b + 0.08 * span))
        .map(|(a, b)| (a.max(bounds.0), b.min(bounds.1.max(hi))))
}

/// The objective's line to draw and the y range that shows it with the data.
type DrawnLine<'a> = Option<(&'a ObjectiveLine, (f64, f64))>;

/// What one chart draws: the shared layout, its series, the figure's index, and the
/// objective's line where every variant has the same one and it can be shown.
type ChartInput<'a> = (&'a Layout, &'a [Series], usize, DrawnLine<'a>);

fn png(stem: &str, (layout, series, f, line): ChartInput) -> Result<Vec<u8>> {
    canvas::png(stem, |root| draw(root, layout, series, f, line))
}

fn svg(stem: &str, (layout, series, f, line): ChartInput) -> Result<String> {
    canvas::svg(stem, |root| draw(root, layout, series, f, line))
}

fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, px).into_font()).color(&palette::INK)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    series: &[Series],
    f: usize,
    line: DrawnLine,
) -> Drawn<(), DB> {
    root.fill(&WHITE)?;
    let name = FIGURES[f].name;
    let lk = look(name);
    let centre = WIDTH as i32 / 2;
    let title = TextStyle::from((FONT, palette::TITLE_PX, FontStyle::Bold).into_font())
        .color(&palette::INK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    root.draw(&Text::new(
        format!("{} vs {}", lk.title, layout.x_title),
        (centre, 12),
        title,
    ))?;
    let sub = font(palette::SUBTITLE_PX)
        .color(&palette::MUTED)
        .pos(Pos::new(HPos::Center, VPos::Top));
    root.draw(&Text::new(layout.subtitle.clone(), (centre, 42), sub))?;
    let (_, body) = root.split_vertically(70);
    let legend_w = legend_width(&body, series)?;
    let (plot, legend) = body.split_horizontally(WIDTH.saturating_sub(legend_w));
    if series.is_empty() {
        let style = font(palette::AXIS_TITLE_PX).pos(Pos::new(HPos::Center, VPos::Center));
        return plot.draw(&Text::new(
            format!("no run has a value of {name}"),
            (centre, 250),
            style,
        ));
    }
    let (x0, x1) = x_range(layout, series);
    let bounds = (0.0, lk.upper.unwrap_or(f64::INFINITY));
    let (y0, y1) = match line {
        Some((_, range)) => range,
        None => y_range(series, name != "availability", bounds),
    };
    let (y_decimals, x_decimals) = (tick_decimals(y1 - y0), tick_decimals(x1 - x0));
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(16)
        .margin_left(16)
        .x_label_area_size(52)
        .y_label_area_size(86)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let categories = layout.categories.clone();
    let x_fmt = move |x: &f64| match &categories {
        Some(c) => {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                c.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
        None => fmt_fixed(*x, x_decimals),
    };
    let y_fmt = |y: &f64| fmt_fixed(*y, y_decimals);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(layout.x_title.as_str())
        .y_desc(lk.title.as_str())
        .axis_desc_style(font(palette::AXIS_TITLE_PX))
        .label_style(font(palette::TICK_PX))
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .bold_line_style(BLACK.mix(0.10))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::MUTED);
    match &layout.categories {
        // One tick per category, so every label sits on its value.
        Some(c) => mesh.x_labels(c.len() * 2 + 1),
        None => mesh.x_labels(10),
    };
    mesh.draw()?;
    let categorical = layout.categories.is_some();
    for (i, s) in series.iter().enumerate() {
        if categorical {
            draw_bars(&mut chart, s, offset(i, series.len()), bounds)?;
        } else {
            draw_band(&mut chart, s, bounds)?;
        }
    }
    if let Some((l, _)) = line {
        chart.plotting_area().draw(&DashedPathElement::new(
            vec![(x0, l.y), (x1, l.y)],
            6,
            4,
            palette::MUTED.stroke_width(2),
        ))?;
        // Above the line at its right end, inside the plot, right-aligned.
        let (px, py) = chart.backend_coord(&(x1, l.y));
        let style = font(palette::NOTE_PX)
            .color(&palette::MUTED)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        root.draw(&Text::new(
            format!("objective: {}", l.label),
            (px - 4, py - 3),
            style,
        ))?;
    }
    legend_entries(&legend, series)
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Side-by-side offsets of categorical series within ±0.25 of the category.
fn offset(i: usize, n: usize) -> f64 {
    if n <= 1 {
        0.0
    } else {
        -0.25 + 0.5 * i as f64 / (n - 1) as f64
    }
}

/// The interval m ± c cut to the figure's possible range: a latency band never dips
/// below 0 ms, an availability band never passes 100 %.
fn clipped(m: f64, c: f64, (lo, hi): (f64, f64)) -> (f64, f64) {
    ((m - c).clamp(lo, hi), (m + c).clamp(lo, hi))
}

fn draw_band<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    s: &Series,
    bounds: (f64, f64),
) -> Drawn<(), DB> {
    let color = s.style.color;
    let mut outline: Vec<(f64, f64)> = s
        .points
        .iter()
        .map(|&(x, m, c)| (x, clipped(m, c, bounds).1))
        .collect();
    outline.extend(
        s.points
            .iter()
            .rev()
            .map(|&(x, m, c)| (x, clipped(m, c, bounds).0)),
    );
    chart.draw_series(std::iter::once(Polygon::new(
        outline,
        color.mix(0.18).filled(),
    )))?;
    let line: Vec<(f64, f64)> = s.points.iter().map(|&(x, m, _)| (x, m)).collect();
    let style = color.stroke_width(3);
    match s.style.stroke {
        Stroke::Solid => chart.draw_series(std::iter::once(PathElement::new(line, style)))?,
        Stroke::Dashed => {
            chart.draw_series(std::iter::once(DashedPathElement::new(line, 9, 5, style)))?
        }
        Stroke::Dotted => {
            chart.draw_series(std::iter::once(DashedPathElement::new(line, 2, 4, style)))?
        }
    };
    for &(x, m, _) in &s.points {
        marker(chart, s.style, (x, m))?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    s: &Series,
    dx: f64,
    bounds: (f64, f64),
) -> Drawn<(), DB> {
    let style = s.style.color.stroke_width(2);
    for &(x, m, c) in &s.points {
        let x = x + dx;
        let cap = 0.03;
        let (lo, hi) = clipped(m, c, bounds);
        for path in [
            vec![(x, lo), (x, hi)],
            vec![(x - cap, lo), (x + cap, lo)],
            vec![(x - cap, hi), (x + cap, hi)],
        ] {
            chart.draw_series(std::iter::once(PathElement::new(path, style)))?;
        }
        marker(chart, s.style, (x, m))?;
    }
    Ok(())
}

fn marker<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    vs: VariantStyle,
    at: (f64, f64),
) -> Drawn<(), DB> {
    let fill = vs.color.filled();
    match vs.marker {
        Marker::Circle => chart.draw_series(std::iter::once(Circle::new(at, 5, fill)))?,
        Marker::Square => chart.draw_series(std::iter::once(
            EmptyElement::at(at) + Rectangle::new([(-4, -4), (4, 4)], fill),
        ))?,
        Marker::Triangle => chart.draw_series(std::iter::once(TriangleMarker::new(at, 6, fill)))?,
    };
    Ok(())
}

fn x_range(layout: &Layout, series: &[Series]) -> (f64, f64) {
    if let Some(c) = &layout.categories {
        return (-0.5, c.len() as f64 - 0.5);
    }
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
        (l.min(x), h.max(x))
    });
    let pad = if hi > lo {
        (hi - lo) * 0.04
    } else {
        lo.abs().max(1.0) * 0.5
    };
    (lo - pad, hi + pad)
}

/// The bands' extent (within the figure's possible range `bounds`) with some headroom;
/// from zero for figures that read best against zero (all but availability, whose
/// interest is near 100 %). Values all equal get a range around them that stays in
/// bounds: all zero reads 0…1, not −0.05…0.05.
fn y_range(series: &[Series], from_zero: bool, bounds: (f64, f64)) -> (f64, f64) {
    let (mut lo, mut hi) = series.iter().flat_map(|s| s.points.iter()).fold(
        (f64::INFINITY, f64::NEG_INFINITY),
        |(l, h), &(_, m, c)| {
            let (a, b) = clipped(m, c, bounds);
            (l.min(a), h.max(b))
        },
    );
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0).max(bounds.0);
    }
    if hi - lo < 1e-9 * hi.abs().max(1.0) {
        if hi == 0.0 {
            return (0.0, 1.0);
        }
        let pad = hi.abs() * 0.05;
        return (
            (lo - pad).max(bounds.0),
            (hi + pad).min(bounds.1.max(hi + pad * 0.2)),
        );
    }
    let pad = (hi - lo) * 0.06;
    hi += pad;
    if lo > bounds.0 {
        lo = (lo - pad).max(bounds.0);
    }
    (lo, hi)
}

fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
) -> Drawn<u32, DB> {
    let style = font(palette::LEGEND_PX);
    let mut widest = 0;
    for s in series {
        widest = widest.max(area.estimate_text_size(&clip(&s.label), &style)?.0);
    }
    Ok((widest + 56).clamp(140, 360))
}

fn clip(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        s.chars().take(39).chain(std::iter::once('…')).collect()
    }
}

fn legend_entries<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
) -> Drawn<(), DB> {
    let (_, h) = area.dim_in_pixel();
    let row = (h.saturating_sub(20) / series.len().max(1) as u32).clamp(12, 22) as i32;
    let style = font(palette::LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, s) in series.iter().enumerate() {
        let y = 18 + i as i32 * row;
        let line = s.style.color.stroke_width(3);
        match s.style.stroke {
            Stroke::Solid => area.draw(&PathElement::new(vec![(6, y), (36, y)], line))?,
            Stroke::Dashed => {
                area.draw(&DashedPathElement::new(vec![(6, y), (36, y)], 9, 5, line))?
            }
            Stroke::Dotted => {
                area.draw(&DashedPathElement::new(vec![(6, y), (36, y)], 2, 4, line))?
            }
        }
        area.draw(&Text::new(clip(&s.label), (44, y), style.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::sweep_series::Point;
    use super::*;

    fn series(points: Vec<Point>) -> Vec<Series> {
        vec![Series {
            label: "a".into(),
            style: palette::variant_style(0),
            points,
        }]
    }

    #[test]
    fn ranges_stay_in_bounds_and_never_collapse() {
        let no_top = (0.0, f64::INFINITY);
        // All zero: 0…1, not a window around 0.
        assert_eq!(
            y_range(&series(vec![(1.0, 0.0, 0.0)]), true, no_top),
            (0.0, 1.0)
        );
        // A band reaching below 0 ms starts the axis at 0.
        let (lo, hi) = y_range(&series(vec![(1.0, 10.0, 30.0)]), true, no_top);
        assert_eq!(lo, 0.0);
        assert!(hi > 40.0);
        // Availability at 100 % with an interval: never far above 100.
        let (lo, hi) = y_range(&series(vec![(1.0, 100.0, 0.0)]), false, (0.0, 100.0));
        assert!(lo < 100.0 && (100.0..=101.0).contains(&hi), "{lo} {hi}");
        assert_eq!(clipped(5.0, 9.0, no_top), (0.0, 14.0));
        assert_eq!(clipped(99.0, 2.0, (0.0, 100.0)), (97.0, 100.0));
    }
}
