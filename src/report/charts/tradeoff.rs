//! `tradeoff`: first-try p99 latency against RPO, one labelled point per variant.

use super::*;

pub(super) fn draw_tradeoff<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
) -> Drawn<(), DB> {
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
                l.result.summary.rpo_s / view.time.seconds,
                l.result.summary.first_try_latency_p99_ms,
            )
        })
        .map(|(x, y)| (finite_or_zero(x), finite_or_zero(y)))
        .collect();
    let rpo_limit = view
        .objectives
        .rpo
        .map(|n| time::secs(n) / view.time.seconds);
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
        &format!("RPO: data lost at a forced promotion ({})", view.time.label),
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
            &format!(
                "objective: RPO \u{2264} {} {}",
                fmt_sig(limit),
                view.time.label
            ),
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
