//! The drawing kit every chart shares: sizes, fonts, frame and legend, meshes, strokes,
//! ranges and ticks, bars. Knows no chart and no figure; scatter points and their labels
//! are `scatter`'s.

use crate::report::palette::{self, Stroke, VariantStyle, FONT};
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

/// Where a legend label starts in its column, right of its swatch.
const LEGEND_TEXT_X: i32 = 44;

/// `line` cut, with an ellipsis, to at most `max_w` pixels in `style`.
fn fit_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    line: &str,
    style: &TextStyle,
    max_w: u32,
) -> Drawn<String, DB> {
    let mut chars = line.chars().count();
    let mut out = line.to_string();
    while chars > 1 && area.estimate_text_size(&out, style)?.0 > max_w {
        chars -= 1;
        out = clip(line, chars);
    }
    Ok(out)
}

/// A line swatch and label per entry, top-down; rows shrink when there are many.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(VariantStyle, String)],
) -> Drawn<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let two_lines = legend_two_lines(entries, h);
    let row = legend_row(entries, h, two_lines);
    // Text starts 44 px in; what is wider than the rest of the column (capped at 360
    // px by `with_legend`) is cut, so no label runs past the canvas.
    let room = w.saturating_sub(LEGEND_TEXT_X as u32 + 6);
    for (i, (vs, label)) in entries.iter().enumerate() {
        let y = 18 + i as i32 * row;
        stroke_path(area, vec![(6, y), (36, y)], *vs, 3)?;
        for (k, (line, style)) in legend_lines(label, two_lines).iter().enumerate() {
            let line = fit_width(area, line, style, room)?;
            text(
                area,
                &line,
                (LEGEND_TEXT_X, y + 15 * k as i32),
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

pub(crate) fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every legend line of `entries` as drawn on a chart-sized SVG: (x, text, size).
    fn legend_texts(entries: &[(VariantStyle, String)]) -> Vec<(i32, String, f64)> {
        palette::ensure_fonts();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            let (_, legend) = with_legend(&root, entries).unwrap();
            draw_legend(&legend, entries).unwrap();
            root.present().unwrap();
        }
        let attr = |tag: &str, name: &str| -> f64 {
            let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
        };
        svg.split("<text")
            .skip(1)
            .map(|piece| {
                let (tag, rest) = piece.split_once('>').unwrap();
                let content = rest[..rest.find("</text>").unwrap()].trim().to_string();
                (attr(tag, "x") as i32, content, attr(tag, "font-size"))
            })
            .collect()
    }

    /// A legend too wide for its capped column (twenty entries put each detail on
    /// its name's line) is cut to the canvas: no line ends past its right edge, as
    /// measured by the font the PNG is drawn with.
    #[test]
    fn legend_lines_stay_on_the_canvas() {
        let entries: Vec<(VariantStyle, String)> = (0..20)
            .map(|i| {
                let name = format!("variant-{i:02}-with-a-long-descriptive-name");
                let detail = "max_lag 5 min, max_lag_writes 100,000, later set_max_lag";
                (palette::variant_style(i), format!("{name}\n{detail}"))
            })
            .collect();
        let texts = legend_texts(&entries);
        assert_eq!(texts.len(), 20, "one line per entry: {texts:?}");
        // The SVG writes plotters' sizes divided by 1.24; this is the note font.
        let note = font(palette::NOTE_PX);
        let canvas = SVGBackend::new("/dev/null", (WIDTH, HEIGHT)).into_drawing_area();
        for (x, line, size) in &texts {
            assert!(
                (size - palette::NOTE_PX as f64 / 1.24).abs() < 0.01,
                "{size}"
            );
            let (w, _) = canvas.estimate_text_size(line, &note).unwrap();
            assert!(
                *x + w as i32 <= WIDTH as i32,
                "{line:?} runs from x = {x} to {} on a {WIDTH} px canvas",
                *x + w as i32
            );
        }
        assert!(texts[0].1.ends_with('…'), "{:?}", texts[0].1);
        // Short labels are left whole.
        let short = [(palette::variant_style(0), "sync\nno lag limit".to_string())];
        let texts = legend_texts(&short);
        let lines: Vec<&str> = texts.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(lines, ["sync", "no lag limit"]);
    }
}
