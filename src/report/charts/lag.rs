//! `lag`: the namespace lag over time per variant, outages shaded, `max_lag` lines.

use super::*;

// ---------------------------------------------------------------------------------------
// lag

pub(super) fn draw_lag<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
) -> Drawn<(), DB> {
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
                    let lag = c.iter().map(|b| b.lag_s).fold(0.0, f64::max) / unit.seconds;
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
        .filter_map(|l| l.result.summary.max_lag_s)
        .map(|m| m / unit.seconds)
        .filter(|&m| m.is_finite() && (data_max == 0.0 || m <= data_max * 1.5))
        .fold(0.0, f64::max);
    let y = pad_range(0.0, data_max.max(limit_max), true, 0.12);
    let x = pad_range(0.0, view.duration_s / unit.seconds, true, 0.0);

    let body = frame(
        root,
        "Namespace replication lag over time",
        &view.subtitle("largest lag per point"),
        "Shaded: outages. Dashed across: each variant\u{2019}s max_lag (throttling above it; \
         \u{2191} = above this scale). Dashed upright: promotion completed. Legend: each \
         variant\u{2019}s lag rule.",
    )?;
    // Each variant's lag rule (issue 12 item 6) under its name, as the Variants table
    // names it; ↑: its max_lag line is above this scale.
    let entries = legend_entries(view, |l| {
        let above = match l.result.summary.max_lag_s {
            Some(m) if m / unit.seconds > y.1 => " \u{2191}",
            _ => "",
        };
        format!("{}\n{}{above}", l.name, l.lag_rule)
    });
    let (plot_area, legend_area) = with_legend(&body, &entries)?;
    draw_legend(&legend_area, &entries)?;
    let mut chart = build(&plot_area, x, y)?;
    let x_desc = format!("time since start ({})", unit.label);
    let y_desc = format!("namespace lag ({})", unit.label);
    mesh(&mut chart, &x_desc, &y_desc, &|v| fmt_sig(*v), &|v| {
        fmt_sig(*v)
    })?;
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
pub(super) fn draw_max_lags<DB: DrawingBackend>(
    chart: &LinChart<DB>,
    view: &View,
    x: (f64, f64),
    y: (f64, f64),
) -> Drawn<(), DB> {
    let mut levels: Vec<(f64, Vec<VariantStyle>)> = Vec::new();
    for line in &view.lines {
        let Some(m) = line.result.summary.max_lag_s else {
            continue;
        };
        let m = m / view.time.seconds;
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
