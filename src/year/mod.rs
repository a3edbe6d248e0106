//! A year of random failures: for a scenario with `[[failure]]`, the expected
//! downtime and acknowledged writes lost per year, and the loss per incident, of every
//! variant (`year.csv` and a table after `geosim run`'s summary).
//!
//! A year is simulated by the episode method (`episodes`): full fidelity around each
//! failure, steady-state rates in between. Each run of the scenario is one year drawn
//! from the run's own failure stream, so the same years for every variant. This module
//! runs the years in parallel and aggregates them; it writes no file.

pub mod episodes;

use crate::error::Result;
use crate::model::{Model, Nanos, NS_PER_S};
use crate::parallel::{in_task_order, progress_bar};
use episodes::SpanResult;

/// The span a "year" covers.
pub const YEAR: Nanos = 365 * 24 * 3600 * NS_PER_S;

/// One row of `year.csv`: a variant over every simulated year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    pub variant: String,
    /// Years simulated (the scenario's runs).
    pub years: u32,
    /// Episodes (groups of nearby failures) per year.
    pub incidents_per_year: f64,
    pub promotions_per_year: f64,
    /// Minutes of offered traffic whose writes failed, per year.
    pub downtime_min_per_year: f64,
    pub writes_lost_per_year: f64,
    /// 1 − failed writes / offered writes over the years.
    pub availability: f64,
    /// Acknowledged writes lost per incident (nearest-rank percentiles over every
    /// incident of every year, incidents that lost nothing included).
    pub loss_p50: u64,
    pub loss_p90: u64,
    pub loss_p99: u64,
    pub loss_max: u64,
    /// Simulated time at full fidelity per year: what the method cost.
    pub episode_h_per_year: f64,
    /// Episodes that had not settled when their simulation ended.
    pub unsettled: usize,
}

/// What `run` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Year {
    Figures(Vec<YearFigures>),
    /// The method does not apply to this scenario; why.
    NotApplicable(String),
}

/// The year of every variant in `variants` (indices into `model.variants`, in output
/// order); `None` when the scenario has no `[[failure]]`.
pub fn run(model: &Model, variants: &[usize], jobs: usize, progress: bool) -> Result<Option<Year>> {
    if model.failures.is_empty() {
        return Ok(None);
    }
    let rate = episodes::mean_rate(model);
    let rho = episodes::link_load(model, rate);
    if rho >= 1.0 {
        return Ok(Some(Year::NotApplicable(format!(
            "a replication link is loaded at {:.0}% of its bandwidth: a region that \
             resyncs after a failure never catches up, so there is no steady state to \
             return to between failures",
            rho * 100.0
        ))));
    }
    let tasks: Vec<(usize, u32)> = variants
        .iter()
        .flat_map(|&v| (1..=model.runs).map(move |r| (v, r)))
        .collect();
    let bar = progress_bar(
        tasks.len() as u64,
        "{spinner} a year of failures {bar:40} {pos}/{len} years",
        progress,
    );
    let spans: Result<Vec<SpanResult>> = in_task_order(
        jobs,
        &tasks,
        |&(v, _)| model.expected_events(v),
        |&(v, r)| {
            let span = episodes::simulate_span(model, v, r, YEAR, 0);
            bar.inc(1);
            span
        },
    )?
    .into_iter()
    .collect();
    bar.finish_and_clear();
    let spans = spans?;
    let figures = variants
        .iter()
        .map(|&v| {
            let of_variant: Vec<&SpanResult> = spans.iter().filter(|s| s.variant == v).collect();
            figures(&model.variants[v].name, &of_variant)
        })
        .collect();
    Ok(Some(Year::Figures(figures)))
}

/// Aggregates the years of one variant.
pub fn figures(variant: &str, years: &[&SpanResult]) -> YearFigures {
    let n = years.len().max(1) as f64;
    let per_year = |f: &dyn Fn(&SpanResult) -> f64| years.iter().map(|s| f(s)).sum::<f64>() / n;
    let mut losses: Vec<u64> = years
        .iter()
        .flat_map(|s| s.incidents.iter().map(|i| i.writes_lost))
        .collect();
    losses.sort_unstable();
    let offered: f64 = years
        .iter()
        .map(|s| s.rate * s.horizon as f64 / NS_PER_S as f64)
        .sum();
    let failed: f64 = years.iter().map(|s| s.writes_failed()).sum();
    YearFigures {
        variant: variant.to_string(),
        years: years.len() as u32,
        incidents_per_year: per_year(&|s| s.incidents.len() as f64),
        promotions_per_year: per_year(&|s| {
            s.incidents.iter().map(|i| i.promotions).sum::<usize>() as f64
        }),
        downtime_min_per_year: per_year(&|s| s.downtime_min()),
        writes_lost_per_year: per_year(&|s| s.writes_lost() as f64),
        availability: if offered > 0.0 {
            1.0 - failed / offered
        } else {
            1.0
        },
        loss_p50: nearest_rank(&losses, 0.50),
        loss_p90: nearest_rank(&losses, 0.90),
        loss_p99: nearest_rank(&losses, 0.99),
        loss_max: losses.last().copied().unwrap_or(0),
        episode_h_per_year: per_year(&|s| {
            s.incidents.iter().map(|i| i.end - i.start).sum::<Nanos>() as f64
                / (3600 * NS_PER_S) as f64
        }),
        unsettled: years
            .iter()
            .map(|s| s.incidents.iter().filter(|i| !i.settled).count())
            .sum(),
    }
}

/// The smallest value with at least a share `q` of `sorted` at or below it; 0 if empty.
pub fn nearest_rank(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The table printed after `geosim run`'s summary.
pub fn table(year: &Year) -> String {
    let rows = match year {
        Year::NotApplicable(why) => {
            return format!("\nA year of random failures: not estimated: {why}.\n")
        }
        Year::Figures(rows) => rows,
    };
    let years = rows.first().map_or(0, |r| r.years);
    let mut out = format!(
        "\nA year of random failures ({years} simulated year{} per variant, episode method; year.csv)\n",
        if years == 1 { "" } else { "s" }
    );
    let header = [
        "variant",
        "incidents/yr",
        "downtime min/yr",
        "lost/yr",
        "loss/incident p50",
        "p90",
        "p99",
        "max",
    ];
    let mut cells: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        cells.push(vec![
            r.variant.clone(),
            format!("{:.1}", r.incidents_per_year),
            format!("{:.1}", r.downtime_min_per_year),
            format!("{:.0}", r.writes_lost_per_year),
            r.loss_p50.to_string(),
            r.loss_p90.to_string(),
            r.loss_p99.to_string(),
            r.loss_max.to_string(),
        ]);
    }
    out.push_str(&crate::report::text_table::render(&cells));
    let unsettled: usize = rows.iter().map(|r| r.unsettled).sum();
    if unsettled > 0 {
        out.push_str(&format!(
            "note: {unsettled} episode(s) had not returned to steady state when their simulation ended\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 0.5), 5);
        assert_eq!(nearest_rank(&v, 0.9), 9);
        assert_eq!(nearest_rank(&v, 0.99), 10);
        assert_eq!(nearest_rank(&v, 0.0), 1);
        assert_eq!(nearest_rank(&[], 0.5), 0);
        assert_eq!(nearest_rank(&[7], 0.99), 7);
    }
}
