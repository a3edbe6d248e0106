//! The drawing kit every chart shares: sizes, fonts, frame and legend, meshes, strokes,
//! ranges and ticks, bars, markers and label placement. Knows no chart and no figure.

use crate::report::palette::{self, Marker, Stroke, VariantStyle, FONT};
use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Default chart size in pixels; PNG and SVG share it.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 600;

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
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

pub(crate) type Drawn<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

// ---------------------------------------------------------------------------------------
// Shared furniture: frame, legend, text, lines, outages, promotions.

pub(crate) fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, px).into_font()).color(&palette::INK)
}

pub(crate) fn bold(px: u32) -> TextStyle<'static> {
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

pub(crate) const TITLE_H: u32 = 66;
pub(crate) const NOTE_H: u32 = 28;

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
    let (w, h) = body.dim_in_pixel();
    let two_lines = legend_two_lines(entries, h);
    let mut widest = 0;
    for (_, label) in entries {
        for (line, style) in legend_lines(label, two_lines) {
            widest = widest.max(body.estimate_text_size(&line, &style)?.0);
        }
    }
    let width = (widest + 56).clamp(140, 360);
    Ok(body.split_horizontally(w.saturating_sub(width)))
}

/// Pixels per legend row: one line of text, or a label and its detail beneath.
fn legend_row(entries: &[(VariantStyle, String)], h: u32, two_lines: bool) -> i32 {
    let max = if two_lines { 36 } else { 22 };
    if entries.is_empty() {
        22
    } else {
        (h.saturating_sub(20) / entries.len() as u32).clamp(12, max) as i32
    }
}

/// Whether labels with a detail (`name\ndetail`) get a second line: only where every
/// entry has room for two (else the detail follows the name on one line).
fn legend_two_lines(entries: &[(VariantStyle, String)], h: u32) -> bool {
    let any = entries.iter().any(|(_, l)| l.contains('\n'));
    any && h.saturating_sub(20) / (entries.len().max(1) as u32) >= 30
}

/// The lines of a legend label as drawn, each with its style: the name in the legend
/// font, its detail in the smaller note font beneath (or after it, in parentheses).
fn legend_lines(label: &str, two_lines: bool) -> Vec<(String, TextStyle<'static>)> {
    match label.split_once('\n') {
        None => vec![(label.to_string(), font(palette::LEGEND_PX))],
        Some((name, detail)) if two_lines => vec![
            (name.to_string(), font(palette::LEGEND_PX)),
            (
                detail.to_string(),
                font(palette::NOTE_PX).color(&palette::MUTED),
            ),
        ],
        Some((name, detail)) => vec![(format!("{name} ({detail})"), font(palette::NOTE_PX))],
    }
}

/// A line swatch and label per entry, top-down; rows shrink when there are many.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(VariantStyle, String)],
) -> Drawn<(), DB> {
    let (_, h) = area.dim_in_pixel();
    let two_lines = legend_two_lines(entries, h);
    let row = legend_row(entries, h, two_lines);
    for (i, (vs, label)) in entries.iter().enumerate() {
        let y = 18 + i as i32 * row;
        stroke_path(area, vec![(6, y), (36, y)], *vs, 3)?;
        for (k, (line, style)) in legend_lines(label, two_lines).iter().enumerate() {
            text(
                area,
                line,
                (44, y + 15 * k as i32),
                style,
                HPos::Left,
                VPos::Center,
            )?;
        }
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

/// The frame every chart shares: margins and the room for axis labels.
fn framed<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin_top(8)
        .margin_right(16)
        .margin_left(16)
        .x_label_area_size(52)
        .y_label_area_size(78);
    b
}

pub(crate) fn build<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, DB> {
    framed(area).build_cartesian_2d(x.0..x.1, y.0..y.1)
}

pub(crate) type LinChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart whose x axis is logarithmic over `x` with `log_ticks` as its key points
/// (latency and visibility CDFs), in the same frame as `build`'s.
pub(crate) fn build_log_x<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn<LogXChart<'a, DB>, DB> {
    framed(area).build_cartesian_2d(
        (x.0..x.1).log_scale().with_key_points(log_ticks(x.0, x.1)),
        y.0..y.1,
    )
}

pub(crate) type LogXChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<WithKeyPoints<LogCoord<f64>>, RangedCoordf64>>;

/// A straight line cut into `dashes` dashes coloured by `styles` in turn; a single
/// style gives a plain dashed line.
pub(crate) fn multicolour_dashes<DB: DrawingBackend>(
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
pub(crate) fn merge_factor(len: usize, max_points: usize) -> usize {
    len.div_ceil(max_points).max(1)
}

/// Polyline pieces (gaps where a point is `None`), each drawn in the variant's stroke.
pub(crate) fn draw_pieces<DB: DrawingBackend>(
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

/// `s` centred on the plot, in the muted axis-title style: what a chart says when it
/// has nothing to draw.
pub(crate) fn message<DB: DrawingBackend, CT: CoordTranslate>(
    chart: &ChartContext<DB, CT>,
    s: &str,
) -> Drawn<(), DB> {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let centre = ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2);
    let style = font(palette::AXIS_TITLE_PX).color(&palette::MUTED);
    let (x, y) = chart.plotting_area().get_base_pixel();
    let local = (centre.0 - x, centre.1 - y);
    let area = chart.plotting_area().strip_coord_spec();
    text(&area, s, local, &style, HPos::Center, VPos::Center)
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

/// A bar (or swatch) in the variant's look: past eight variants colours repeat, so
/// the fill changes with the stroke (solid, pale with a border, outline only).
pub(crate) fn draw_bar<DB, CT>(
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

// ---------------------------------------------------------------------------------------
// tradeoff

pub(crate) type Rect = (i32, i32, i32, i32);

pub(crate) fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Markers whose centres are closer than this (pixels) cover each other: they are
/// drawn nested and labelled together.
const CLOSE_PX: i32 = 10;

/// How much larger than its own size a marker is drawn as member `k` of `n` that
/// coincide: earlier ones larger, so each shows as a ring around the later ones (as
/// `nested_width` does for lines); past four, they are drawn alike.
fn nested_grow(k: usize, n: usize) -> i32 {
    if n <= 4 {
        5 * (n - 1 - k) as i32
    } else {
        0
    }
}

/// The points of `pixels` in groups whose markers cover each other: each point joins
/// the first group whose first point is within [`CLOSE_PX`], in order.
fn close_groups(pixels: &[(i32, i32)]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, &(x, y)) in pixels.iter().enumerate() {
        let near = |g: &&mut Vec<usize>| {
            let (gx, gy) = pixels[g[0]];
            (gx - x).pow(2) + (gy - y).pow(2) < CLOSE_PX * CLOSE_PX
        };
        match groups.iter_mut().find(near) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// A scatter's points: each marker, then its label placed clear of every marker and
/// of the labels before it, with a leader line when the label had to move away.
/// Points whose markers would cover each other are drawn nested (the first largest)
/// and share one label block, a line per point (top to bottom as they lie), each line
/// led by its point's marker: two labels fanned out from what looks like one dot
/// would not say which is which.
pub(crate) fn labelled_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LinChart<DB>,
    points: &[((f64, f64), String, VariantStyle)],
) -> Drawn<(), DB> {
    let pixels: Vec<(i32, i32)> = points
        .iter()
        .map(|(p, ..)| chart.backend_coord(p))
        .collect();
    let groups = close_groups(&pixels);
    let mut placed: Vec<Rect> = Vec::new();
    for g in &groups {
        for (k, &i) in g.iter().enumerate() {
            let grow = nested_grow(k, g.len());
            let (x, y) = pixels[i];
            if k > 0 {
                // A white edge keeps a ring apart from the marker inside it.
                marker_at(root, (x, y), WHITE, points[i].2.marker, grow + 2)?;
            }
            marker_at(root, (x, y), points[i].2.color, points[i].2.marker, grow)?;
            // Its box, a pixel beyond a plain marker (grown ones are wide enough).
            let r = 7 + grow.max(1);
            placed.push((x - r, y - r, x + r, y + r));
        }
    }
    let style = font(palette::LEGEND_PX);
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let bounds = (xr.start + 2, yr.start + 2, xr.end - 2, yr.end - 2);
    for g in &groups {
        let mut members = g.clone();
        members.sort_by_key(|&i| pixels[i].1);
        // A line's box is its text's height and 4 px: browsers draw a line box of
        // about 1.2 em, taller than the glyphs plotters measures.
        let (mut w, mut line_h) = (0, 0);
        for &i in &members {
            let (tw, th) = root.estimate_text_size(&points[i].1, &style)?;
            w = w.max(tw as i32);
            line_h = line_h.max(th as i32 + 4);
        }
        let key = if members.len() > 1 { 16 } else { 0 };
        let anchor = pixels[g[0]];
        let rect = place_label(
            anchor,
            (w + key, line_h * members.len() as i32),
            bounds,
            &placed,
        );
        placed.push(rect);
        let near = if rect.0 > anchor.0 { rect.0 } else { rect.2 };
        let mid = (rect.1 + rect.3) / 2;
        if (mid - anchor.1).abs() > line_h {
            let vs = points[g[0]].2;
            root.draw(&PathElement::new(
                vec![anchor, (near, mid)],
                vs.color.mix(0.7).stroke_width(1),
            ))?;
        }
        for (k, &i) in members.iter().enumerate() {
            let y = rect.1 + line_h * k as i32 + line_h / 2;
            if key > 0 {
                let vs = points[i].2;
                marker_at(root, (rect.0 + 5, y), vs.color, vs.marker, -3)?;
            }
            text(
                root,
                &points[i].1,
                (rect.0 + key, y),
                &style,
                HPos::Left,
                VPos::Center,
            )?;
        }
    }
    Ok(())
}

/// A marker at pixel `at` of `root`, `grow` pixels larger (or smaller) than a
/// scatter's markers.
fn marker_at<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    color: RGBColor,
    marker: Marker,
    grow: i32,
) -> Drawn<(), DB> {
    let fill = color.filled();
    let (x, y) = at;
    let size = |base: i32| (base + grow).max(1);
    match marker {
        Marker::Circle => root.draw(&Circle::new(at, size(7) as u32, fill)),
        Marker::Square => {
            let h = size(6);
            root.draw(&Rectangle::new([(x - h, y - h), (x + h, y + h)], fill))
        }
        Marker::Triangle => root.draw(&TriangleMarker::new(at, size(8) as u32, fill)),
    }
}

pub(crate) fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
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
