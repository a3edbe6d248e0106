//! The five charts of SPEC §4 (`latency_cdf`, `lag`, `availability`, `rpo_rto`,
//! `tradeoff`), drawn with plotters into PNG or SVG bytes.
//!
//! Each chart is drawn once, generically over the plotters backend, so the PNG and the
//! SVG of a chart cannot drift apart. Time series and CDFs show run 1 of each variant
//! (all variants of a run share arrivals and outages, so run 1 compares like with
//! like); the titles say so. This module writes no files and knows nothing of HTML.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::GeoError;
use crate::model::{Model, Objectives, NS_PER_MS, NS_PER_S};
use crate::report::canvas;
use crate::report::palette::{self, Marker, Stroke, VariantStyle, FONT};
use crate::results::{OutageRecord, SimResult};

/// Default chart size in pixels; PNG and SVG share it.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 600;

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

/// One chart as an SVG document (the report inlines these).
pub fn render_svg(
    model: &Model,
    results: &[SimResult],
    kind: ChartKind,
) -> Result<String, GeoError> {
    render_svg_view(&View::new(model, results), kind)
}

use crate::report::format::TimeUnit;
pub use crate::report::format::{fmt_pct, fmt_sig};

// ---------------------------------------------------------------------------------------
// What the charts show, chosen once for all five.

/// One variant as drawn: its name, look and the run that represents it.
struct Line<'a> {
    name: &'a str,
    style: VariantStyle,
    result: &'a SimResult,
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
        let duration_s = model.duration as f64 / NS_PER_S as f64;
        let objectives = shared_objectives(model, &lines);
        View {
            scenario: &model.name,
            runs: model.runs,
            bucket_s: model.bucket as f64 / NS_PER_S as f64,
            duration_s,
            time: TimeUnit::for_run(duration_s),
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

/// At most `max` characters, with an ellipsis when cut, so one absurd name cannot
/// push a legend or a title off the chart.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// A linear axis range that is never empty: equal ends are spread apart, non-finite
/// values fall back to 0..1, and `from_zero` keeps 0 in view.
pub(crate) fn pad_range(lo: f64, hi: f64, from_zero: bool, headroom: f64) -> (f64, f64) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 0.0)
    };
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    if span <= f64::EPSILON * hi.abs().max(1.0) {
        let d = (hi.abs() * 0.1).max(1.0);
        return if from_zero && lo >= 0.0 {
            (0.0, hi + d)
        } else {
            (lo - d, hi + d)
        };
    }
    let top = hi + span * headroom;
    if from_zero && lo >= 0.0 {
        (0.0, top)
    } else {
        (lo - span * headroom, top)
    }
}

// ---------------------------------------------------------------------------------------
// Backends.

/// A plain (pixel-addressed) drawing area.
type Area<DB> = DrawingArea<DB, Shift>;

pub(crate) type Drawn<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

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

// ---------------------------------------------------------------------------------------
// Shared furniture: frame, legend, text, lines, outages, promotions.

pub(crate) fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, px).into_font()).color(&palette::INK)
}

fn bold(px: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, px, FontStyle::Bold).into_font()).color(&palette::INK)
}

pub(crate) fn text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    style: &TextStyle,
    h: HPos,
    v: VPos,
) -> Drawn<(), DB> {
    area.draw(&Text::new(s.to_string(), at, style.pos(Pos::new(h, v))))
}

const TITLE_H: u32 = 66;
const NOTE_H: u32 = 28;

/// Paints the background, title, subtitle and the bottom note; returns the body.
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    note: &str,
) -> Drawn<DrawingArea<DB, Shift>, DB> {
    root.fill(&WHITE)?;
    let centre = WIDTH as i32 / 2;
    text(
        root,
        title,
        (centre, 12),
        &bold(palette::TITLE_PX),
        HPos::Center,
        VPos::Top,
    )?;
    let sub = font(palette::SUBTITLE_PX).color(&palette::MUTED);
    text(root, subtitle, (centre, 42), &sub, HPos::Center, VPos::Top)?;
    if !note.is_empty() {
        let style = font(palette::NOTE_PX).color(&palette::MUTED);
        let y = (HEIGHT - NOTE_H / 2) as i32;
        text(root, note, (16, y), &style, HPos::Left, VPos::Center)?;
    }
    let (_, rest) = root.split_vertically(TITLE_H);
    let (body, _) = rest.split_vertically(HEIGHT - TITLE_H - NOTE_H);
    Ok(body)
}

/// Splits the body into plot and a legend column wide enough for the longest entry.
pub(crate) fn with_legend<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    entries: &[(VariantStyle, String)],
) -> Drawn<(Area<DB>, Area<DB>), DB> {
    let style = font(palette::LEGEND_PX);
    let mut widest = 0;
    for (_, label) in entries {
        widest = widest.max(body.estimate_text_size(label, &style)?.0);
    }
    let width = (widest + 56).clamp(140, 340);
    let (w, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(w.saturating_sub(width)))
}

/// A line swatch and label per entry, top-down; rows shrink when there are many.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(VariantStyle, String)],
) -> Drawn<(), DB> {
    let (_, h) = area.dim_in_pixel();
    let row = if entries.is_empty() {
        22
    } else {
        (h.saturating_sub(20) / entries.len() as u32).clamp(12, 22) as i32
    };
    let style = font(palette::LEGEND_PX);
    for (i, (vs, label)) in entries.iter().enumerate() {
        let y = 18 + i as i32 * row;
        stroke_path(area, vec![(6, y), (36, y)], *vs, 3)?;
        text(area, label, (44, y), &style, HPos::Left, VPos::Center)?;
    }
    Ok(())
}

/// Draws a polyline in the variant's stroke (solid, dashed or dotted).
pub(crate) fn stroke_path<DB, CT>(
    area: &DrawingArea<DB, CT>,
    points: Vec<CT::From>,
    vs: VariantStyle,
    width: u32,
) -> Drawn<(), DB>
where
    DB: DrawingBackend,
    CT: plotters::coord::CoordTranslate,
    CT::From: Clone + 'static,
{
    let style = vs.color.stroke_width(width);
    match vs.stroke {
        Stroke::Solid => area.draw(&PathElement::new(points, style)),
        Stroke::Dashed => area.draw(&DashedPathElement::new(points, 9, 5, style)),
        Stroke::Dotted => area.draw(&DashedPathElement::new(points, 2, 4, style)),
    }
}

fn legend_entries(view: &View, label: impl Fn(&Line) -> String) -> Vec<(VariantStyle, String)> {
    view.lines
        .iter()
        .map(|l| (l.style, clip(&label(l), 34)))
        .collect()
}

/// The mesh every line chart shares: light grid, unit-bearing axis titles, short ticks.
pub(crate) fn mesh<DB, X, Y>(
    chart: &mut ChartContext<DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
    x_fmt: &dyn Fn(&X::ValueType) -> String,
    y_fmt: &dyn Fn(&Y::ValueType) -> String,
) -> Drawn<(), DB>
where
    DB: DrawingBackend,
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(font(palette::AXIS_TITLE_PX))
        .label_style(font(palette::TICK_PX))
        .x_labels(10)
        .y_labels(8)
        .x_label_formatter(x_fmt)
        .y_label_formatter(y_fmt)
        .bold_line_style(BLACK.mix(0.10))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::MUTED)
        .draw()
}

pub(crate) fn build<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, DB> {
    ChartBuilder::on(area)
        .margin_top(8)
        .margin_right(16)
        .margin_left(16)
        .x_label_area_size(52)
        .y_label_area_size(78)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
}

pub(crate) type LinChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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

/// A straight line cut into `dashes` dashes coloured by `styles` in turn; a single
/// style gives a plain dashed line.
fn multicolour_dashes<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    from: (f64, f64),
    to: (f64, f64),
    styles: &[VariantStyle],
    dashes: usize,
) -> Drawn<(), DB> {
    let step = (
        (to.0 - from.0) / dashes as f64,
        (to.1 - from.1) / dashes as f64,
    );
    for (i, vs) in (0..dashes).zip(styles.iter().cycle()) {
        let a = (from.0 + step.0 * i as f64, from.1 + step.1 * i as f64);
        let b = (a.0 + step.0 * 0.65, a.1 + step.1 * 0.65);
        chart
            .plotting_area()
            .draw(&PathElement::new(vec![a, b], vs.color.stroke_width(2)))?;
    }
    Ok(())
}

/// Stroke width of line `i` of `n`: with few variants the earlier ones are drawn
/// wider, so lines that coincide (all at 100 %, all at lag 0) show as nested bands
/// instead of the last one hiding the others.
pub(crate) fn nested_width(i: usize, n: usize) -> u32 {
    if n <= 4 {
        2 + 2 * (n - 1 - i) as u32
    } else {
        2
    }
}

/// Buckets merged so a series has at most `max_points` points: wider than a pixel is
/// invisible anyway, and it keeps the inlined SVGs small.
fn merge_factor(len: usize, max_points: usize) -> usize {
    len.div_ceil(max_points).max(1)
}

/// Polyline pieces (gaps where a point is `None`), each drawn in the variant's stroke.
fn draw_pieces<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    points: &[Option<(f64, f64)>],
    vs: VariantStyle,
    width: u32,
) -> Drawn<(), DB> {
    for piece in points.split(|p| p.is_none()) {
        let piece: Vec<(f64, f64)> = piece.iter().flatten().copied().collect();
        match piece.len() {
            0 => {}
            1 => {
                chart
                    .plotting_area()
                    .draw(&Circle::new(piece[0], 2, vs.color.filled()))?;
            }
            _ => stroke_path(chart.plotting_area(), piece, vs, width)?,
        }
    }
    Ok(())
}

fn message<DB: DrawingBackend>(chart: &LinChart<DB>, s: &str) -> Drawn<(), DB> {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let centre = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
    let style = font(palette::AXIS_TITLE_PX).color(&palette::MUTED);
    let (x, y) = chart.plotting_area().get_base_pixel();
    let local = (centre.0 - x, centre.1 - y);
    let area = chart.plotting_area().strip_coord_spec();
    text(&area, s, local, &style, HPos::Center, VPos::Center)
}

// ---------------------------------------------------------------------------------------
// latency_cdf

fn draw_latency_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
) -> Drawn<(), DB> {
    let body = frame(
        root,
        "Acknowledged-write latency (CDF)",
        &view.subtitle("log time axis"),
        "Each curve: share of a variant\u{2019}s acknowledged writes at or below a latency. \
         Further left is faster; dashed guides at the median and p99.",
    )?;
    let entries = legend_entries(view, |l| {
        if l.result.latency_cdf.is_empty() {
            format!("{} (no acks)", l.name)
        } else {
            l.name.to_string()
        }
    });
    let (plot_area, legend_area) = with_legend(&body, &entries)?;
    draw_legend(&legend_area, &entries)?;

    let curves: Vec<Vec<(f64, f64)>> = view
        .lines
        .iter()
        .map(|l| cdf_points(&l.result.latency_cdf))
        .collect();
    let (lo, hi) = curves
        .iter()
        .flatten()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &(x, _)| {
            (lo.min(x), hi.max(x))
        });
    // Multiplicative padding: the axis is logarithmic, and a constant-latency run
    // (lo == hi) still gets a decade around it.
    let (lo, hi) = if lo.is_finite() && hi > 0.0 {
        (lo / 1.5, hi * 1.5)
    } else {
        (1.0, 1000.0)
    };
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_top(8)
        .margin_right(16)
        .margin_left(16)
        .x_label_area_size(52)
        .y_label_area_size(78)
        .build_cartesian_2d(
            (lo..hi).log_scale().with_key_points(log_ticks(lo, hi)),
            0.0..100.0,
        )?;
    mesh(
        &mut chart,
        "acknowledged-write latency (ms, log scale)",
        "writes at or below (%)",
        &|v| fmt_sig(*v),
        &|v| fmt_sig(*v),
    )?;
    let guide = palette::MUTED.mix(0.6).stroke_width(1);
    let guide_label = font(palette::NOTE_PX).color(&palette::MUTED);
    let any_curve = curves.iter().any(|c| !c.is_empty());
    let guides: &[(f64, &str)] = if any_curve {
        &[(50.0, "median"), (99.0, "p99")]
    } else {
        &[]
    };
    for &(pct, label) in guides {
        chart.plotting_area().draw(&DashedPathElement::new(
            vec![(lo, pct), (hi, pct)],
            4,
            4,
            guide,
        ))?;
        let (x, y) = chart.backend_coord(&(lo, pct));
        text(
            root,
            label,
            (x + 4, y - 3),
            &guide_label,
            HPos::Left,
            VPos::Bottom,
        )?;
    }
    for (line, points) in view.lines.iter().zip(&curves) {
        match points.len() {
            0 => {}
            1 => {
                chart.plotting_area().draw(&Circle::new(
                    points[0],
                    4,
                    line.style.color.filled(),
                ))?;
            }
            _ => stroke_path(chart.plotting_area(), points.clone(), line.style, 2)?,
        }
    }
    if !any_curve {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let style = font(palette::AXIS_TITLE_PX).color(&palette::MUTED);
        let centre = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
        text(
            root,
            "no write was acknowledged in any variant",
            centre,
            &style,
            HPos::Center,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// Tick values for a log axis: 1-2-5 per decade over a few decades, powers of ten
/// beyond, so labels never crowd (plotters' own log ticks print 50 60 70 80 90 100).
pub(crate) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let steps: &[f64] = if last - first > 4 {
        &[1.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut ticks = Vec::new();
    for e in first..=last {
        for m in steps {
            let v = m * 10f64.powi(e);
            if v >= lo && v <= hi {
                ticks.push(v);
            }
        }
    }
    ticks
}

/// CDF points usable on a log axis, in percent, thinned to about 2000 points.
fn cdf_points(cdf: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let usable: Vec<(f64, f64)> = cdf
        .iter()
        .filter(|(x, y)| x.is_finite() && *x > 0.0 && y.is_finite())
        .map(|&(x, y)| (x, (y * 100.0).clamp(0.0, 100.0)))
        .collect();
    let step = merge_factor(usable.len(), 2000);
    let mut points: Vec<(f64, f64)> = usable.iter().step_by(step).copied().collect();
    if let (Some(last), Some(kept)) = (usable.last(), points.last()) {
        if last != kept {
            points.push(*last);
        }
    }
    points
}

// ---------------------------------------------------------------------------------------
// lag

fn draw_lag<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, view: &View) -> Drawn<(), DB> {
    let unit = view.time;
    let series: Vec<Vec<Option<(f64, f64)>>> = view
        .lines
        .iter()
        .map(|l| {
            let k = merge_factor(l.result.timeseries.len(), 800);
            l.result
                .timeseries
                .chunks(k)
                .map(|c| {
                    let lag = c.iter().map(|b| b.lag_s).fold(0.0, f64::max);
                    Some((c[0].t_s / unit.seconds, lag))
                })
                .collect()
        })
        .collect();
    let data_max = series
        .iter()
        .flatten()
        .flatten()
        .fold(0.0, |m, p| p.1.max(m));
    // A max_lag far above the data would flatten every curve to the floor; such limits
    // are named in the legend instead of drawn.
    let limit_max = view
        .lines
        .iter()
        .map(|l| l.result.summary.max_lag_s)
        .filter(|&m| m.is_finite() && (data_max == 0.0 || m <= data_max * 1.5))
        .fold(0.0, f64::max);
    let y = pad_range(0.0, data_max.max(limit_max), true, 0.12);
    let x = pad_range(0.0, view.duration_s / unit.seconds, true, 0.0);

    let body = frame(
        root,
        "Namespace replication lag over time",
        &view.subtitle("largest lag per point"),
        "Shaded: outages. Dashed across: each variant\u{2019}s max_lag (throttling above it; \
         \u{2191} = above this scale). Dashed upright: promotion completed.",
    )?;
    let entries = legend_entries(view, |l| {
        let m = l.result.summary.max_lag_s;
        let above = if m > y.1 { " \u{2191}" } else { "" };
        format!("{} (max_lag {} s{above})", l.name, fmt_sig(m))
    });
    let (plot_area, legend_area) = with_legend(&body, &entries)?;
    draw_legend(&legend_area, &entries)?;
    let mut chart = build(&plot_area, x, y)?;
    let x_desc = format!("time since start ({})", unit.label);
    mesh(
        &mut chart,
        &x_desc,
        "namespace lag (s)",
        &|v| fmt_sig(*v),
        &|v| fmt_sig(*v),
    )?;
    shade_outages(&chart, view, y)?;
    draw_max_lags(&chart, view, x, y)?;
    draw_promotions(&chart, view, y)?;
    let n = view.lines.len();
    for (i, (line, points)) in view.lines.iter().zip(&series).enumerate() {
        draw_pieces(&chart, points, line.style, nested_width(i, n))?;
    }
    label_outages(root, &chart, view, y)?;
    if view.lines.is_empty() {
        message(&chart, "no results")?;
    }
    Ok(())
}

/// Each in-scale max_lag as a dashed line; variants sharing a value share one line
/// whose dashes take their colours in turn, so no variant's limit hides another's.
fn draw_max_lags<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    view: &View,
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn<(), DB> {
    let mut levels: Vec<(f64, Vec<VariantStyle>)> = Vec::new();
    for line in &view.lines {
        let m = line.result.summary.max_lag_s;
        if !(m.is_finite() && m >= y.0 && m <= y.1) {
            continue;
        }
        match levels.iter_mut().find(|(v, _)| *v == m) {
            Some((_, styles)) => styles.push(line.style),
            None => levels.push((m, vec![line.style])),
        }
    }
    for (level, styles) in levels {
        multicolour_dashes(chart, (x.0, level), (x.1, level), &styles, 90)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// availability

fn draw_availability<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
) -> Drawn<(), DB> {
    let unit = view.time;
    let mut merged_s = view.bucket_s;
    let series: Vec<Vec<Option<(f64, f64)>>> = view
        .lines
        .iter()
        .map(|l| {
            let k = merge_factor(l.result.timeseries.len(), 600);
            merged_s = merged_s.max(view.bucket_s * k as f64);
            l.result
                .timeseries
                .chunks(k)
                .map(|c| {
                    let offered: u64 = c.iter().map(|b| b.offered).sum();
                    let acked: u64 = c.iter().map(|b| b.acked).sum();
                    // Nothing offered: no share to show, and a gap says so.
                    (offered > 0).then(|| {
                        let pct = acked as f64 / offered as f64 * 100.0;
                        (c[0].t_s / unit.seconds, pct)
                    })
                })
                .collect()
        })
        .collect();
    let data_max = series
        .iter()
        .flatten()
        .flatten()
        .fold(100.0, |m: f64, p| m.max(p.1));
    let y = (0.0, data_max * 1.06);
    let x = pad_range(0.0, view.duration_s / unit.seconds, true, 0.0);

    let body = frame(
        root,
        "Write availability over time",
        &view.subtitle(&format!("per {} s", fmt_sig(merged_s))),
        "Acknowledgements received / writes issued in each interval (retries can push it \
         above 100%). Shaded: outages. Dashed upright lines: promotion completed.",
    )?;
    let entries = legend_entries(view, |l| l.name.to_string());
    let (plot_area, legend_area) = with_legend(&body, &entries)?;
    draw_legend(&legend_area, &entries)?;
    let mut chart = build(&plot_area, x, y)?;
    let x_desc = format!("time since start ({})", unit.label);
    mesh(
        &mut chart,
        &x_desc,
        "writes acknowledged / offered (%)",
        &|v| fmt_sig(*v),
        &|v| fmt_sig(*v),
    )?;
    shade_outages(&chart, view, y)?;
    draw_promotions(&chart, view, y)?;
    let n = view.lines.len();
    for (i, (line, points)) in view.lines.iter().zip(&series).enumerate() {
        draw_pieces(&chart, points, line.style, nested_width(i, n))?;
    }
    label_outages(root, &chart, view, y)?;
    if series.iter().all(|s| s.iter().all(Option::is_none)) {
        message(&chart, "no write was offered")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// rpo_rto

/// One small multiple of the rpo_rto chart.
struct Panel {
    title: &'static str,
    unit: &'static str,
    /// Per line: the value, or `None` for "n/a".
    values: Vec<Option<f64>>,
    integer: bool,
}

fn draw_rpo_rto<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, view: &View) -> Drawn<(), DB> {
    let body = frame(
        root,
        "Data loss and recovery per variant: RPO, RTO, lost writes",
        &view.subtitle(""),
        "RPO: window of acknowledged data lost at forced promotions. RTO: primary outage start \
         \u{2192} first acknowledged new write (n/a: the primary had no outage).",
    )?;
    let summaries: Vec<_> = view.lines.iter().map(|l| &l.result.summary).collect();
    let panels = [
        Panel {
            title: "RPO",
            unit: "s",
            values: summaries.iter().map(|s| Some(s.rpo_s)).collect(),
            integer: false,
        },
        Panel {
            title: "RTO",
            unit: "s",
            values: summaries.iter().map(|s| s.rto_s).collect(),
            integer: false,
        },
        Panel {
            title: "acknowledged writes lost",
            unit: "writes",
            values: summaries
                .iter()
                .map(|s| Some(s.writes_lost as f64))
                .collect(),
            integer: true,
        },
    ];
    let name_style = font(palette::LEGEND_PX);
    let mut widest = 0;
    for line in &view.lines {
        widest = widest.max(
            root.estimate_text_size(&clip(line.name, 34), &name_style)?
                .0,
        );
    }
    let (names, rest) = body.split_horizontally((widest + 40).clamp(100, 320));
    let n = view.lines.len().max(1);
    let mut row_pixels: Vec<i32> = Vec::new();
    for (panel, area) in panels.iter().zip(rest.split_evenly((1, 3))) {
        row_pixels = draw_panel(root, &area, view, panel, n)?;
    }
    let (names_x, _) = names.get_pixel_range();
    let right = names_x.end - 8;
    for (line, y) in view.lines.iter().zip(row_pixels) {
        draw_bar(root, [(right - 12, y - 6), (right, y + 6)], line.style)?;
        text(
            root,
            &clip(line.name, 34),
            (right - 18, y),
            &name_style,
            HPos::Right,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// A bar (or swatch) in the variant's look: past eight variants colours repeat, so
/// the fill changes with the stroke (solid, pale with a border, outline only).
fn draw_bar<DB, CT>(
    area: &DrawingArea<DB, CT>,
    corners: [CT::From; 2],
    vs: VariantStyle,
) -> Drawn<(), DB>
where
    DB: DrawingBackend,
    CT: plotters::coord::CoordTranslate,
    CT::From: Clone + 'static,
{
    let fill = match vs.stroke {
        Stroke::Solid => vs.color.filled(),
        Stroke::Dashed => vs.color.mix(0.35).filled(),
        Stroke::Dotted => WHITE.filled(),
    };
    area.draw(&Rectangle::new(corners.clone(), fill))?;
    if vs.stroke != Stroke::Solid {
        area.draw(&Rectangle::new(corners, vs.color.stroke_width(2)))?;
    }
    Ok(())
}

/// Draws one panel of horizontal bars (first variant on top); returns the pixel row
/// of each variant so the names can be written once, left of all panels.
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    view: &View,
    panel: &Panel,
    n: usize,
) -> Drawn<Vec<i32>, DB> {
    let max = panel
        .values
        .iter()
        .flatten()
        .fold(0.0, |m: f64, v| m.max(*v));
    // Room right of the longest bar for its value label.
    let top = if panel.integer {
        (max * 1.35).max(4.0)
    } else {
        pad_range(0.0, max, true, 0.35).1
    };
    let y = (-0.6, n as f64 - 0.4);
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_right(14)
        .margin_left(6)
        .caption(panel.title, bold(palette::AXIS_TITLE_PX))
        .x_label_area_size(48)
        .y_label_area_size(0)
        .build_cartesian_2d(0.0..top, y.0..y.1)?;
    let integer = panel.integer;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc(panel.unit)
        .x_labels(5)
        .x_label_formatter(&|v| {
            if integer && v.fract() != 0.0 {
                String::new()
            } else {
                fmt_sig(*v)
            }
        })
        .axis_desc_style(font(palette::AXIS_TITLE_PX))
        .label_style(font(palette::TICK_PX))
        .bold_line_style(BLACK.mix(0.10))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::MUTED)
        .draw()?;
    let value_style = font(palette::NOTE_PX);
    let half = (0.32_f64).min(0.5 * 12.0 / n as f64 + 0.1);
    let mut rows = Vec::new();
    for (i, (line, value)) in view.lines.iter().zip(&panel.values).enumerate() {
        let row = (n - 1 - i) as f64;
        let label = match value {
            Some(v) => {
                draw_bar(
                    chart.plotting_area(),
                    [(0.0, row - half), (*v, row + half)],
                    line.style,
                )?;
                if panel.integer {
                    format!("{v:.0}")
                } else {
                    format!("{} {}", fmt_sig(*v), panel.unit)
                }
            }
            None => "n/a".to_string(),
        };
        let (x, y) = chart.backend_coord(&(value.unwrap_or(0.0), row));
        rows.push(y);
        text(
            root,
            &label,
            (x + 5, y),
            &value_style,
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------
// tradeoff

pub(crate) type Rect = (i32, i32, i32, i32);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn draw_tradeoff<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, view: &View) -> Drawn<(), DB> {
    let body = frame(
        root,
        "Trade-off: first-try p99 write latency against data at risk (RPO)",
        &view.subtitle("label: share of writes acknowledged"),
        "First try: writes acknowledged on their first attempt (the normal path). Towards the \
         bottom left is better. Dashed: the objectives.",
    )?;
    let points: Vec<(f64, f64)> = view
        .lines
        .iter()
        .map(|l| {
            (
                l.result.summary.rpo_s,
                l.result.summary.first_try_latency_p99_ms,
            )
        })
        .map(|(x, y)| (finite_or_zero(x), finite_or_zero(y)))
        .collect();
    let rpo_limit = view.objectives.rpo.map(|n| n as f64 / NS_PER_S as f64);
    let p99_limit = view
        .objectives
        .latency_p99
        .map(|n| n as f64 / NS_PER_MS as f64);
    let x_max = points
        .iter()
        .fold(rpo_limit.unwrap_or(0.0), |m: f64, p| m.max(p.0));
    let y_max = points
        .iter()
        .fold(p99_limit.unwrap_or(0.0), |m: f64, p| m.max(p.1));
    let x = pad_range(0.0, x_max, true, 0.25);
    let y = pad_range(0.0, y_max, true, 0.2);
    let mut chart = build(&body, x, y)?;
    mesh(
        &mut chart,
        "RPO: data lost at a forced promotion (s)",
        "first-try p99 write latency (ms)",
        &|v| fmt_sig(*v),
        &|v| fmt_sig(*v),
    )?;
    let guide = palette::MUTED.stroke_width(2);
    let label_style = font(palette::NOTE_PX).color(&palette::MUTED);
    if let Some(limit) = p99_limit {
        chart.plotting_area().draw(&DashedPathElement::new(
            vec![(x.0, limit), (x.1, limit)],
            6,
            4,
            guide,
        ))?;
        let (px, py) = chart.backend_coord(&(x.1, limit));
        text(
            root,
            &format!("objective: p99 \u{2264} {} ms", fmt_sig(limit)),
            (px - 4, py - 3),
            &label_style,
            HPos::Right,
            VPos::Bottom,
        )?;
    }
    if let Some(limit) = rpo_limit {
        chart.plotting_area().draw(&DashedPathElement::new(
            vec![(limit, y.0), (limit, y.1)],
            6,
            4,
            guide,
        ))?;
        let (px, py) = chart.backend_coord(&(limit, y.1));
        text(
            root,
            &format!("objective: RPO \u{2264} {} s", fmt_sig(limit)),
            (px + 4, py + 4),
            &label_style,
            HPos::Left,
            VPos::Top,
        )?;
    }
    let labelled: Vec<((f64, f64), String, VariantStyle)> = view
        .lines
        .iter()
        .zip(&points)
        .map(|(line, p)| {
            let s = &line.result.summary;
            let availability = if s.writes_acked == 0 {
                "no write acknowledged".to_string()
            } else {
                format!("{} available", fmt_pct(s.availability))
            };
            let failover = if s.promotion == "none" {
                " · no failover"
            } else {
                ""
            };
            let label = format!("{} · {availability}{failover}", clip(line.name, 34));
            (*p, label, line.style)
        })
        .collect();
    labelled_points(root, &chart, &labelled)
}

/// A scatter's points: each marker, then its label placed clear of every marker and
/// of the labels before it, with a leader line when the label had to move away.
pub(crate) fn labelled_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LinChart<DB>,
    points: &[((f64, f64), String, VariantStyle)],
) -> Drawn<(), DB> {
    let mut placed: Vec<Rect> = Vec::new();
    for &(p, _, vs) in points {
        draw_marker(chart, p, vs)?;
        let (px, py) = chart.backend_coord(&p);
        placed.push((px - 8, py - 8, px + 8, py + 8));
    }
    let style = font(palette::LEGEND_PX);
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let bounds = (xr.start + 2, yr.start + 2, xr.end - 2, yr.end - 2);
    for (p, label, vs) in points {
        let (w, h) = root.estimate_text_size(label, &style)?;
        let anchor = chart.backend_coord(p);
        let rect = place_label(anchor, (w as i32, h as i32 + 2), bounds, &placed);
        placed.push(rect);
        let near = if rect.0 > anchor.0 { rect.0 } else { rect.2 };
        let mid = (rect.1 + rect.3) / 2;
        if (mid - anchor.1).abs() > h as i32 {
            root.draw(&PathElement::new(
                vec![anchor, (near, mid)],
                vs.color.mix(0.7).stroke_width(1),
            ))?;
        }
        text(root, label, (rect.0, mid), &style, HPos::Left, VPos::Center)?;
    }
    Ok(())
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

pub(crate) fn draw_marker<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    p: (f64, f64),
    vs: VariantStyle,
) -> Drawn<(), DB> {
    let fill = vs.color.filled();
    let area = chart.plotting_area();
    match vs.marker {
        Marker::Circle => area.draw(&Circle::new(p, 7, fill)),
        Marker::Square => {
            area.draw(&(EmptyElement::at(p) + Rectangle::new([(-6, -6), (6, 6)], fill)))
        }
        Marker::Triangle => area.draw(&TriangleMarker::new(p, 8, fill)),
    }
}

/// Greedy label placement: right of the point, left, above, below, then further up
/// and down on either side (drawn with a leader line); the first spot inside the plot
/// that covers no point or earlier label wins.
pub(crate) fn place_label(
    anchor: (i32, i32),
    size: (i32, i32),
    bounds: Rect,
    taken: &[Rect],
) -> Rect {
    let (ax, ay) = anchor;
    let (w, h) = size;
    let mut candidates = vec![
        (ax + 12, ay - h / 2),
        (ax - 12 - w, ay - h / 2),
        (ax - w / 2, ay - 12 - h),
        (ax - w / 2, ay + 12),
    ];
    for k in 1..=24 {
        for side in [ax + 16, ax - 16 - w] {
            candidates.push((side, ay - h / 2 - k * (h + 2)));
            candidates.push((side, ay - h / 2 + k * (h + 2)));
        }
    }
    let fits = |r: Rect| r.0 >= bounds.0 && r.1 >= bounds.1 && r.2 <= bounds.2 && r.3 <= bounds.3;
    let free = |r: Rect| !taken.iter().any(|t| overlaps(*t, r));
    let as_rect = |(x, y): (i32, i32)| (x, y, x + w, y + h);
    candidates
        .iter()
        .map(|&c| as_rect(c))
        .find(|&r| fits(r) && free(r))
        .unwrap_or_else(|| {
            // Nowhere free: keep the label inside the plot beside its point.
            let x = (ax + 12).min(bounds.2 - w).max(bounds.0);
            let y = (ay - h / 2).clamp(bounds.1, (bounds.3 - h).max(bounds.1));
            as_rect((x, y))
        })
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
        let bounds = (0, 0, 500, 500);
        let a = place_label((100, 100), (80, 16), bounds, &[]);
        let b = place_label((100, 100), (80, 16), bounds, &[a]);
        assert!(!overlaps(a, b));
    }
}
