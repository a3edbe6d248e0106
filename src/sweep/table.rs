//! The short human table printed at the end of a sweep: a few figures per grid point
//! and variant, each as mean ± 95% half-width; with objectives, how many runs met every
//! one and which keys were missed.

use super::data::{self, Group, SweepData};
use super::figures;
use super::grid::display;

/// The figures the table shows, with their column titles.
const SHOWN: [(&str, &str); 6] = [
    ("availability", "avail"),
    ("latency_p99_ms", "p99 ms"),
    ("lag_max_s", "lag max s"),
    ("throttled_s", "throttled s"),
    ("writes_lost", "lost"),
    ("rpo_s", "rpo s"),
];

pub fn summary_table(data: &SweepData) -> String {
    let grid = &data.header.grid;
    let mut rows: Vec<Vec<String>> = vec![grid
        .axes
        .iter()
        .map(|a| a.key())
        .chain(["variant".to_string(), "runs".to_string()])
        .chain(SHOWN.iter().map(|(_, t)| t.to_string()))
        .collect()];
    let groups = data::groups(&data.rows);
    let judged = groups.iter().any(|g| g.objectives.judged > 0);
    if judged {
        rows[0].push("objectives".to_string());
    }
    for g in groups {
        let mut row: Vec<String> = grid.point(g.point).into_iter().map(display).collect();
        row.push(g.variant.to_string());
        row.push(g.runs.to_string());
        row.extend(SHOWN.iter().map(|(name, _)| cell(&g, name)));
        if judged {
            row.push(objectives_cell(&g.objectives));
        }
        rows.push(row);
    }
    crate::text_table::render(&rows)
}

/// Mean ± half-width as people read them: availability as a percentage (its interval in
/// percentage points), other figures with three significant digits, so an RPO of
/// 0.013 s does not print as 0.0.
fn cell(g: &Group, name: &str) -> String {
    use crate::format::{fmt_num, fmt_pct, fmt_sig};
    let Some(s) = figures::index(name).and_then(|i| g.stats[i]) else {
        return "-".into();
    };
    let (mean, ci) = if name == "availability" {
        (fmt_pct(s.mean), s.ci95.map(|c| fmt_sig(c * 100.0)))
    } else {
        (fmt_num(s.mean), s.ci95.map(fmt_sig))
    };
    match ci {
        Some(ci) => format!("{mean}±{ci}"),
        None => mean,
    }
}

/// "met 5/5", "met 2/5, missed rpo", or "-" where no objective applied.
pub fn objectives_cell(v: &data::Verdict) -> String {
    if v.judged == 0 {
        return "-".into();
    }
    let met = format!("met {}/{}", v.met, v.judged);
    if v.missed.is_empty() {
        met
    } else {
        format!("{met}, missed {}", v.missed.join(", "))
    }
}
