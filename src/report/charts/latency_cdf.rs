//! `latency_cdf`: the acknowledged-latency CDF per variant (log axis), with first-try
//! latency beside it.

use super::*;

// ---------------------------------------------------------------------------------------
// latency_cdf

pub(super) fn draw_latency_cdf<DB: DrawingBackend>(
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
    if !any_curve {
        message(&chart, "no write was acknowledged in any variant")?;
    }
    Ok(())
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
