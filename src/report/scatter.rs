//! Scatter points with labels (the trade-off and cost charts): markers, nested where
//! they would cover each other, and labels placed clear of every marker and label.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::kit::{font, text, Drawn, LinChart};
use super::palette::{self, Marker, VariantStyle};

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
