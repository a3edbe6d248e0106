//! The sweep report's conclusion: per charted figure, one sentence from the means of
//! the grid (`sweep_charts`' series, in the charts' units), plain text.
//!
//! As everywhere in the report, figures that print the same are ties, and a sentence
//! says only what the means say: where a figure is 0 at the lowest setting and first
//! leaves 0 (the threshold a capacity study looks for), and its lowest and highest.

use super::sweep_charts::{layout, look, series, Layout, Series};
use crate::format::{fmt_num, fmt_pct, fmt_sig};
use crate::sweep::data::SweepData;
use crate::sweep::figures::FIGURES;

/// The x value of a point as the axis labels it.
fn x_label(layout: &Layout, x: f64) -> String {
    match &layout.categories {
        Some(c) => c.get(x.round() as usize).cloned().unwrap_or_default(),
        None => fmt_sig(x),
    }
}

/// "a", "a and b", "a, b and 3 more".
fn some(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    if refs.len() > 3 {
        format!("{}, {} and {} more", refs[0], refs[1], refs.len() - 2)
    } else {
        crate::report::verdict::join(&refs)
    }
}

/// One sentence per figure in `figures` (indices into `FIGURES`).
pub fn conclusions(data: &SweepData, figures: &[usize]) -> Vec<String> {
    let layout = layout(data);
    figures
        .iter()
        .filter_map(|&f| conclusion(&layout, &series(data, f), f))
        .collect()
}

fn conclusion(layout: &Layout, series: &[Series], f: usize) -> Option<String> {
    let lk = look(FIGURES[f].name);
    // The name without its unit or gloss: "RPO", "p99 write latency".
    let title = lk
        .title
        .split([':', '('])
        .next()
        .unwrap_or(&lk.title)
        .trim()
        .to_string();
    let unit = if lk.scale == 100.0 {
        "%".to_string()
    } else {
        lk.title
            .rsplit_once(" (")
            .map(|(_, u)| format!(" {}", u.trim_end_matches(')')))
            .unwrap_or_default()
    };
    // A share as a percentage the way every table prints it (99.9997% must not read
    // as 100%); other figures with three significant digits and their unit.
    let shown = |v: f64| {
        if lk.scale == 100.0 {
            fmt_pct(v / 100.0)
        } else {
            format!("{}{unit}", fmt_num(v))
        }
    };
    let all: Vec<(&Series, f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().map(move |p| (s, p.0, p.1)))
        .collect();
    let (first, _, _) = all.first()?;
    let first_shown = shown(all[0].2);
    if all.iter().all(|p| shown(p.2) == first_shown) {
        let who = if series.len() > 1 {
            "for every series"
        } else {
            first.label.as_str()
        };
        return Some(format!("{title}: {first_shown} at every setting ({who})."));
    }
    // Thresholds along a numeric axis: 0 at the lowest setting, then not.
    if layout.categories.is_none() {
        let zero = shown(0.0);
        let mut parts = Vec::new();
        let mut never = Vec::new();
        for s in series {
            let Some(k) = s.points.iter().position(|p| shown(p.1) != zero) else {
                never.push(s.label.clone());
                continue;
            };
            if k == 0 {
                continue;
            }
            let (x0, x1, v) = (s.points[k - 1].0, s.points[k].0, s.points[k].1);
            parts.push(format!(
                "{} up to {}, {} at {}",
                s.label,
                x_label(layout, x0),
                shown(v),
                x_label(layout, x1)
            ));
        }
        if !parts.is_empty() {
            let never = if never.is_empty() {
                String::new()
            } else {
                format!("; it stays 0 throughout for {}", some(&never))
            };
            return Some(format!(
                "{title} stays 0 along {} for {}{never}.",
                layout.x_title,
                parts.join("; ")
            ));
        }
    }
    // Per series, its range over the axis: the comparison the sweep was made for.
    let parts: Vec<String> = series
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| {
            let (lo, hi) = s
                .points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                    (l.min(p.1), h.max(p.1))
                });
            let at_value = |v: f64| -> Vec<String> {
                s.points
                    .iter()
                    .filter(|p| shown(p.1) == shown(v))
                    .map(|p| x_label(layout, p.0))
                    .collect()
            };
            if shown(lo) == shown(hi) {
                format!("{} {} at every setting", s.label, shown(lo))
            } else {
                format!(
                    "{} from {} ({}) to {} ({})",
                    s.label,
                    shown(lo),
                    some(&at_value(lo)),
                    shown(hi),
                    some(&at_value(hi))
                )
            }
        })
        .collect();
    Some(format!("{title}: {}.", parts.join("; ")))
}
