//! `rpo_rto`: small multiples of bars: RPO, RTO and what each variant lost.

use super::*;

// ---------------------------------------------------------------------------------------
// rpo_rto

/// One small multiple of the rpo_rto chart.
pub(super) struct Panel {
    title: &'static str,
    unit: &'static str,
    /// Per line: the value, or `None` for "n/a".
    values: Vec<Option<f64>>,
    integer: bool,
}

pub(super) fn draw_rpo_rto<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View,
) -> Drawn<(), DB> {
    let body = frame(
        root,
        "Data loss and recovery per variant: RPO, RTO, lost writes",
        &view.subtitle(""),
        "RPO: window of acknowledged data lost at forced promotions. RTO: primary outage start \
         \u{2192} first acknowledged new write (n/a: the primary had no outage).",
    )?;
    let summaries: Vec<_> = view.lines.iter().map(|l| &l.result.summary).collect();
    // RPO and RTO in the report's one time unit, as its tables and sentences give them.
    let t = view.time;
    let panels = [
        Panel {
            title: "RPO",
            unit: t.label,
            values: summaries
                .iter()
                .map(|s| Some(s.rpo_s / t.seconds))
                .collect(),
            integer: false,
        },
        Panel {
            title: "RTO",
            unit: t.label,
            values: summaries
                .iter()
                .map(|s| s.rto_s.map(|v| v / t.seconds))
                .collect(),
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

/// Draws one panel of horizontal bars (first variant on top); returns the pixel row
/// of each variant so the names can be written once, left of all panels.
pub(super) fn draw_panel<DB: DrawingBackend>(
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
