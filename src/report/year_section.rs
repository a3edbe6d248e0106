//! The year of failures as people read it (issue 17 item 5): one table of downtime,
//! loss and promotions per year and of the loss per incident, and a few sentences
//! generated from those figures, shared by report.html's "A year of failures" section
//! and the table after `geosim run`'s summary, so both say the same in the same units.
//!
//! Plain text (escaping is the page's job). As elsewhere, a sentence ranks variants
//! only on figures that print differently, and says ties as ties.

use crate::format::{fmt_count, fmt_num, fmt_pct, TimeUnit};
use crate::report::verdict::{join, Table};
use crate::year::{Year, YearFigures};

/// The table: a row per variant; downtime in `unit` (the report's time unit).
pub fn table(rows: &[YearFigures], unit: TimeUnit) -> Table {
    let header = [
        "variant".to_string(),
        "incidents/yr".to_string(),
        "promotions/yr".to_string(),
        "failbacks/yr".to_string(),
        format!("downtime/yr ({})", unit.label),
        "availability".to_string(),
        "lost/yr".to_string(),
        "loss/incident p50".to_string(),
        "p90".to_string(),
        "p99".to_string(),
        "max".to_string(),
    ]
    .to_vec();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.variant.clone(),
                fmt_num(r.incidents_per_year),
                fmt_num(r.promotions_per_year),
                fmt_num(r.failbacks_per_year),
                unit.number(r.downtime_min_per_year * 60.0),
                fmt_pct(r.availability),
                fmt_num(r.writes_lost_per_year),
                fmt_count(r.loss_p50),
                fmt_count(r.loss_p90),
                fmt_count(r.loss_p99),
                fmt_count(r.loss_max),
            ]
        })
        .collect();
    Table { header, rows }
}

/// The variants whose figure prints as the extreme one (ties as printed are ties).
fn extreme(
    rows: &[YearFigures],
    largest: bool,
    show: impl Fn(&YearFigures) -> String,
    key: impl Fn(&YearFigures) -> f64,
) -> Vec<&YearFigures> {
    let mut best = &rows[0];
    for r in &rows[1..] {
        let better = if largest {
            key(r) > key(best)
        } else {
            key(r) < key(best)
        };
        if better {
            best = r;
        }
    }
    let shown = show(best);
    rows.iter().filter(|r| show(r) == shown).collect()
}

fn names(rows: &[&YearFigures]) -> String {
    join(&rows.iter().map(|r| r.variant.as_str()).collect::<Vec<_>>())
}

/// What the year's figures say, from the figures alone.
pub fn sentences(rows: &[YearFigures], unit: TimeUnit) -> Vec<String> {
    let Some(first) = rows.first() else {
        return vec!["No variant was simulated over a year.".to_string()];
    };
    let mut out = Vec::new();
    let years = first.years;
    let incidents = |r: &YearFigures| fmt_num(r.incidents_per_year);
    let promotions = |r: &YearFigures| fmt_num(r.promotions_per_year);
    let same = |f: &dyn Fn(&YearFigures) -> String| rows.iter().all(|r| f(r) == f(first));
    out.push(if same(&incidents) && same(&promotions) {
        format!(
            "Over {years} simulated year{} per variant, failures make {} incident{} a year, {} of which {} a promotion of a secondary on average.",
            if years == 1 { "" } else { "s" },
            incidents(first),
            if incidents(first) == "1" { "" } else { "s" },
            promotions(first),
            if promotions(first) == "1" { "ends in" } else { "end in" },
        )
    } else {
        format!(
            "Over {years} simulated year{} per variant: {}.",
            if years == 1 { "" } else { "s" },
            rows.iter()
                .map(|r| format!(
                    "{} has {} incidents and {} promotions a year",
                    r.variant,
                    incidents(r),
                    promotions(r)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )
    });
    let down = |r: &YearFigures| unit.fmt(r.downtime_min_per_year * 60.0);
    let key = |r: &YearFigures| r.downtime_min_per_year;
    let least = extreme(rows, false, down, key);
    let most = extreme(rows, true, down, key);
    out.push(if least.len() == rows.len() {
        let pct = fmt_pct(first.availability);
        if rows.iter().all(|r| fmt_pct(r.availability) == pct) {
            format!(
                "Every variant fails writes for {} a year ({pct} availability).",
                down(first)
            )
        } else {
            format!("Every variant fails writes for {} a year.", down(first))
        }
    } else {
        format!(
            "Writes fail for {} a year under {} ({} availability), and for {} under {} ({}).",
            down(least[0]),
            names(&least),
            fmt_pct(least[0].availability),
            down(most[0]),
            names(&most),
            fmt_pct(most[0].availability)
        )
    });
    if rows.iter().all(|r| r.loss_max == 0) {
        out.push(format!(
            "No variant lost an acknowledged write in {years} simulated year{}.",
            if years == 1 { "" } else { "s" }
        ));
    } else {
        let lost = |r: &YearFigures| fmt_num(r.writes_lost_per_year);
        let worst = extreme(rows, true, lost, |r| r.writes_lost_per_year);
        let max = worst.iter().map(|r| r.loss_max).max().unwrap_or(0);
        out.push(format!(
            "{} {} the most acknowledged writes: {} a year, up to {} in one incident.",
            names(&worst),
            if worst.len() > 1 { "lose" } else { "loses" },
            lost(worst[0]),
            fmt_count(max)
        ));
        let none: Vec<&YearFigures> = rows.iter().filter(|r| r.loss_max == 0).collect();
        if !none.is_empty() {
            out.push(format!("{} lost none in any incident.", names(&none)));
        }
    }
    let unsettled: usize = rows.iter().map(|r| r.unsettled).sum();
    if unsettled > 0 {
        out.push(format!(
            "{} episode(s) had not returned to steady state when their simulation ended, so these figures may understate the year.",
            fmt_count(unsettled as u64)
        ));
    }
    out
}

/// The block printed after `geosim run`'s summary.
pub fn terminal(year: &Year, unit: TimeUnit) -> String {
    let rows = match year {
        Year::NotApplicable(why) => {
            return format!("\nA year of random failures: not estimated: {why}.\n")
        }
        Year::Figures(rows) => rows,
    };
    let t = table(rows, unit);
    let mut cells = vec![t.header];
    cells.extend(t.rows);
    let mut out = "\nA year of random failures (episode method; year.csv)\n".to_string();
    out.push_str(&crate::text_table::render(&cells));
    for s in sentences(rows, unit) {
        out.push_str(&s);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::MINUTES;

    fn row(variant: &str, down_min: f64, lost: f64, max: u64) -> YearFigures {
        YearFigures {
            variant: variant.to_string(),
            years: 2,
            incidents_per_year: 22.0,
            promotions_per_year: 5.5,
            failbacks_per_year: 0.0,
            downtime_min_per_year: down_min,
            writes_lost_per_year: lost,
            availability: 1.0 - down_min / (365.0 * 24.0 * 60.0),
            loss_p50: 0,
            loss_p90: max / 2,
            loss_p99: max,
            loss_max: max,
            episode_h_per_year: 29.0,
            unsettled: 0,
        }
    }

    #[test]
    fn the_year_in_sentences() {
        let rows = [row("sync", 880.0, 0.0, 0), row("async", 518.4, 12.5, 9)];
        let s = sentences(&rows, MINUTES);
        assert_eq!(
            s,
            [
                "Over 2 simulated years per variant, failures make 22 incidents a year, 5.5 of which end in a promotion of a secondary on average.",
                "Writes fail for 518 min a year under async (99.901% availability), and for 880 min under sync (99.8%).",
                "async loses the most acknowledged writes: 12.5 a year, up to 9 in one incident.",
                "sync lost none in any incident.",
            ]
        );
        let t = table(&rows, MINUTES);
        assert_eq!(t.header[2], "promotions/yr");
        assert_eq!(t.header[4], "downtime/yr (min)");
        assert_eq!(t.rows[1][4], "518");
    }

    #[test]
    fn ties_read_as_ties() {
        let rows = [row("a", 100.0, 0.0, 0), row("b", 100.04, 0.0, 0)];
        let s = sentences(&rows, MINUTES);
        assert!(
            s[1].starts_with("Every variant fails writes for 100 min a year"),
            "{s:?}"
        );
        assert_eq!(
            s[2],
            "No variant lost an acknowledged write in 2 simulated years."
        );
    }
}
