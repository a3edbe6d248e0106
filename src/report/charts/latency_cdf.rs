//! `latency_cdf`: the acknowledged-latency CDF per variant (log axis): a solid curve over
//! every acknowledged write, and beside it, dashed, the curve over the writes
//! acknowledged on their first attempt (SPEC §8's first-try latency) wherever retries
//! make the two differ.

use super::*;
use crate::report::palette::Stroke;

// ---------------------------------------------------------------------------------------
// latency_cdf

pub(super) fn draw_latency_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
) -> Drawn<(), DB> {
    // A first-try curve only where it differs from the all-writes one (without
    // retries they coincide, and a second curve would hide under the first).
    let first_tries: Vec<Vec<(f64, f64)>> = view
        .lines
        .iter()
        .map(|l| {
            if l.result.first_try_cdf == l.result.latency_cdf {
                Vec::new()
            } else {
                cdf_points(&l.result.first_try_cdf)
            }
        })
        .collect();
    let any_first_try = first_tries.iter().any(|c| !c.is_empty());
    let (title, note) = if any_first_try {
        (
            "Write latency (CDF): every acknowledged write and first tries",
            "Solid: a variant\u{2019}s acknowledged writes, retries included. Dashed: those \
             acknowledged on their first attempt. Further left is faster; grey guides at the median and p99.",
        )
    } else {
        (
            "Acknowledged-write latency (CDF)",
            "Each curve: share of a variant\u{2019}s acknowledged writes at or below a latency \
             (every one on its first attempt). Further left is faster; dashed guides at the median and p99.",
        )
    };
    let body = frame(root, title, &view.subtitle("log time axis"), note)?;
    let mut entries = legend_entries(view, |l| {
        if l.result.latency_cdf.is_empty() {
            format!("{} (no acks)", l.name)
        } else {
            l.name.to_string()
        }
    });
    if any_first_try {
        let key = |stroke| VariantStyle {
            color: palette::INK,
            stroke,
            marker: palette::Marker::Circle,
        };
        entries.push((key(Stroke::Solid), "all acknowledged writes".to_string()));
        entries.push((
            key(first_try_stroke(Stroke::Solid)),
            "first try only".to_string(),
        ));
    }
    let (plot_area, legend_area) = with_legend(&body, &entries)?;
    draw_legend(&legend_area, &entries)?;

    let curves: Vec<Vec<(f64, f64)>> = view
        .lines
        .iter()
        .map(|l| cdf_points(&l.result.latency_cdf))
        .collect();
    let (lo, hi) = curves
        .iter()
        .chain(&first_tries)
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
    let mut chart = build_log_x(&plot_area, (lo, hi), (0.0, 100.0))?;
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
    for (line, points) in view.lines.iter().zip(&first_tries) {
        let style = VariantStyle {
            stroke: first_try_stroke(line.style.stroke),
            ..line.style
        };
        match points.len() {
            0 => {}
            1 => {
                chart.plotting_area().draw(&Circle::new(
                    points[0],
                    4,
                    line.style.color.stroke_width(1),
                ))?;
            }
            _ => stroke_path(chart.plotting_area(), points.clone(), style, 2)?,
        }
    }
    if !any_curve {
        message(&chart, "no write was acknowledged in any variant")?;
    }
    Ok(())
}

/// The stroke of a variant's first-try curve: unlike its all-writes curve's.
fn first_try_stroke(all: Stroke) -> Stroke {
    match all {
        Stroke::Solid => Stroke::Dashed,
        Stroke::Dashed => Stroke::Dotted,
        Stroke::Dotted => Stroke::Dashed,
    }
}

/// CDF points usable on a log axis, in percent, thinned to about 2000 points.
pub(super) fn cdf_points(cdf: &[(f64, f64)]) -> Vec<(f64, f64)> {
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
