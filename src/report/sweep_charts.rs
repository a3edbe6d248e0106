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
use crate::error::Result;
use crate::format::{fmt_fixed, tick_decimals};
use crate::sweep::data::{self, SweepData};
use crate::sweep::figures::FIGURES;
use crate::sweep::grid::display;

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

/// A point of a series: x, mean, 95% half-width (0 when there is one run).
pub(crate) type Point = (f64, f64, f64);

pub(crate) struct Series {
    pub(crate) label: String,
    style: VariantStyle,
    /// In the chart's units (shares as percentages), sorted by x.
    pub(crate) points: Vec<Point>,
}

/// What every chart of one sweep shares: the x axis and who the series are.
pub(crate) struct Layout {
    pub(crate) x_title: String,
    /// Category labels when x is not numeric.
    pub(crate) categories: Option<Vec<String>>,
    subtitle: String,
}

/// How a figure reads on a chart and in the sweep's sentences: its name with its unit,
/// the factor from its `summary.csv` unit to the axis's (shares become percentages),
/// and the top of its physical range (every figure is at least 0).
pub struct Look {
    pub title: String,
    pub scale: f64,
    pub upper: Option<f64>,
}

/// The look of the figure called `name` (a `summary.csv` column).
pub fn look(name: &str) -> Look {
    let named = |t: &str| Look {
        title: t.to_string(),
        scale: 1.0,
        upper: None,
    };
    let share = |t: &str| Look {
        title: t.to_string(),
        scale: 100.0,
        upper: Some(100.0),
    };
    match name {
        "availability" => share("availability (%)"),
        "stale_read_share" => share("stale-read share (%)"),
        "latency_mean_ms" => named("mean write latency (ms)"),
        "latency_p50_ms" => named("median write latency (ms)"),
        "latency_p99_ms" => named("p99 write latency (ms)"),
        "latency_p999_ms" => named("p99.9 write latency (ms)"),
        "latency_max_ms" => named("largest write latency (ms)"),
        "first_try_latency_p50_ms" => named("first-try median write latency (ms)"),
        "first_try_latency_p99_ms" => named("first-try p99 write latency (ms)"),
        "repl_delay_mean_ms" => named("mean replication delay (ms)"),
        "repl_delay_p99_ms" => named("p99 replication delay (ms)"),
        "lag_max_s" => named("largest replication lag (s)"),
        "throttled_s" => named("time throttled (s)"),
        "rpo_s" => named("RPO: data lost at a forced promotion (s)"),
        "rto_s" => named("RTO (s)"),
        "promotion_s" => named("promotion time (s)"),
        "writes_lost" => named("acknowledged writes lost"),
        "writes_failed" => named("writes failed"),
        "writes_in_flight" => named("writes in flight at the end"),
        "backlog_max" => named("largest backlog (writes)"),
        "cost_month" => named("cost per month"),
        other => {
            let (base, unit) = if let Some(b) = other.strip_suffix("_ms") {
                (b, " (ms)")
            } else if let Some(b) = other.strip_suffix("_s") {
                (b, " (s)")
            } else {
                (other, "")
            };
            named(&format!("{}{unit}", base.replace('_', " ")))
        }
    }
}

/// A swept key as an axis title: a readable name and the values' unit.
fn key_title(key: &str, unit: &str) -> String {
    let name = match key {
        "workload.rate" => "write rate",
        "replication.max_lag" => "max_lag (lag limit)",
        "replication.secondaries" => "secondary region",
        "replication.mode" => "replication mode",
        "workload.size" => "write size",
        other => other,
    };
    let unit = match (key, unit) {
        ("workload.rate", "") => "writes/s",
        (_, u) => u,
    };
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

pub fn render_charts(data: &SweepData, figures: &[usize]) -> Result<Vec<SweepChart>> {
    let layout = layout(data);
    figures
        .iter()
        .map(|&f| {
            let series = series(data, f);
            let stem = format!("sweep_{}", FIGURES[f].name);
            let chart = (&layout, series.as_slice(), f);
            let png = png(&stem, chart)?;
            let svg = svg(&stem, chart)?;
            Ok(SweepChart {
                figure: f,
                stem,
                png,
                svg,
                caption: caption(data, &layout, f),
            })
        })
        .collect()
}

/// The axis the charts run along: the first numeric key with several values, else the
/// first key with several values (as categories), else the first key.
fn x_axis(data: &SweepData) -> usize {
    let axes = &data.header.grid.axes;
    let varies = |i: &usize| axes[*i].values.len() > 1;
    (0..axes.len())
        .filter(varies)
        .find(|&i| axes[i].numeric().is_some())
        .or_else(|| (0..axes.len()).find(varies))
        .unwrap_or(0)
}

pub(crate) fn layout(data: &SweepData) -> Layout {
    let axis = &data.header.grid.axes[x_axis(data)];
    let key = axis.key();
    let (x_title, categories) = match axis.numeric() {
        Some((_, unit)) => (key_title(&key, unit), None),
        None => (
            key_title(&key, ""),
            Some(axis.values.iter().map(display).collect()),
        ),
    };
    let runs = data::groups(&data.rows)
        .iter()
        .map(|g| g.runs)
        .max()
        .unwrap_or(0);
    Layout {
        x_title,
        categories,
        subtitle: format!(
            "scenario \u{201c}{}\u{201d} · mean of {runs} runs per point · shaded or barred: 95% confidence interval of the mean",
            data.header.scenario
        ),
    }
}

/// The series of figure `f`: one per variant and combination of the other axes' values.
pub(crate) fn series(data: &SweepData, f: usize) -> Vec<Series> {
    let scale = look(FIGURES[f].name).scale;
    series_of(data, |g| {
        g.stats[f].map(|s| (s.mean * scale, s.ci95.unwrap_or(0.0) * scale))
    })
}

/// The series of any per-group value (mean and half-width; `None`: no point there), laid
/// out as the charts lay out figures.
pub(crate) fn series_of(
    data: &SweepData,
    value: impl Fn(&data::Group) -> Option<(f64, f64)>,
) -> Vec<Series> {
    let grid = &data.header.grid;
    let xa = x_axis(data);
    let xs: Vec<f64> = match grid.axes[xa].numeric() {
        Some((xs, _)) => xs,
        None => (0..grid.axes[xa].values.len()).map(|i| i as f64).collect(),
    };
    let mut keyed: Vec<((Vec<usize>, usize), Series)> = Vec::new();
    for g in data::groups(&data.rows) {
        let mut coords = grid.coordinates(g.point);
        let x = xs[coords.remove(xa)];
        let key = (coords, g.variant_index);
        let Some((mean, ci)) = value(&g) else {
            continue;
        };
        let point = (x, mean, ci);
        match keyed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, series)) => series.points.push(point),
            None => {
                let others: Vec<String> = grid
                    .axes
                    .iter()
                    .enumerate()
                    .zip(grid.point(g.point))
                    .filter(|&((i, a), _)| i != xa && a.values.len() > 1)
                    .map(|((_, a), v)| format!("{}={}", a.key(), display(v)))
                    .collect();
                let label = if others.is_empty() {
                    g.variant.to_string()
                } else {
                    format!("{} · {}", g.variant, others.join(", "))
                };
                keyed.push((
                    key,
                    Series {
                        label,
                        style: palette::variant_style(0),
                        points: vec![point],
                    },
                ));
            }
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    // One combination of the other axes: a variant keeps its main-chart colour.
    let single = keyed.iter().all(|((c, _), _)| *c == keyed[0].0 .0);
    keyed
        .into_iter()
        .enumerate()
        .map(|(i, ((_, v), mut s))| {
            s.style = palette::variant_style(if single { v } else { i });
            s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            s
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

/// What one chart draws: the shared layout, its series, the figure's index.
type ChartInput<'a> = (&'a Layout, &'a [Series], usize);

fn png(stem: &str, (layout, series, f): ChartInput) -> Result<Vec<u8>> {
    canvas::png(stem, |root| draw(root, layout, series, f))
}

fn svg(stem: &str, (layout, series, f): ChartInput) -> Result<String> {
    canvas::svg(stem, |root| draw(root, layout, series, f))
}

fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, px).into_font()).color(&palette::INK)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    series: &[Series],
    f: usize,
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
    let (y0, y1) = y_range(series, name != "availability", bounds);
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

    #[test]
    fn figures_read_with_units() {
        assert_eq!(look("availability").title, "availability (%)");
        assert_eq!(look("availability").scale, 100.0);
        assert_eq!(look("latency_p99_ms").title, "p99 write latency (ms)");
        assert_eq!(look("fallback_s").title, "fallback (s)");
        assert_eq!(key_title("workload.rate", ""), "write rate (writes/s)");
        assert_eq!(
            key_title("variant[1].max_lag", "s"),
            "variant[1].max_lag (s)"
        );
    }
}
