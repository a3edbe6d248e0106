//! `availability`: the share of offered writes acknowledged per time bucket.

use super::*;

// ---------------------------------------------------------------------------------------
// availability

pub(super) fn draw_availability<DB: DrawingBackend>(
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
