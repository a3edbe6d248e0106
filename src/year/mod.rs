//! A year of random failures: for a scenario with `[[failure]]`, the expected
//! downtime and acknowledged writes lost per year, and the loss per incident, of every
//! variant (`year.csv`, report.html's year section and the table after `geosim run`'s
//! summary, which `report::year_section` words).
//!
//! A year is simulated by the episode method (`episodes`): full fidelity around each
//! failure, steady-state rates in between. Each run of the scenario is one year drawn
//! from the run's own failure stream, so the same years for every variant. This module
//! runs the years in parallel and aggregates them; it writes no file.

pub mod cuts;
pub mod episodes;
pub mod settle;
pub mod shared;

use crate::error::{GeoError, Result};
use crate::model::{Model, Nanos, Outage, OutageKind, NS_PER_S};
use crate::parallel::{in_task_order, progress_bar};
use crate::time::secs;
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
    /// Promotions away from the primary of the moment (failbacks not counted).
    pub promotions_per_year: f64,
    /// Failbacks to the scenario's primary (`[policy] failback`).
    pub failbacks_per_year: f64,
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
    /// Simulated time at full fidelity per year: what the method cost (an episode
    /// shared with another variant, `shared`, counted for both).
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

/// What the year of failures is expected to cost, before it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Engine events of every selected variant's years together.
    pub events: f64,
    /// The longest episode: what one simulation of it must hold.
    pub episode: Nanos,
    pub episode_events: f64,
    pub episode_writes: f64,
}

/// An estimate of the year of failures of `variants`; `None` when the scenario has
/// none. It follows the plan `episodes::simulate_span` runs: per year, every failure
/// drawn (`YEAR / (mtbf + mttr)` of each `[[failure]]`) is one episode — a lead-in, the
/// failure's mean repair less what it is expected to have cut (`cuts::expected_cut`),
/// and the tail the method waits (`settle::tail`) — whose
/// engine events are those of a run of that episode with that outage
/// (`limits::expected_events`: its writes, and the retries of those offered while
/// their attempts fail); plus, per year, a failure-free measurement per region that
/// can be primary. Episodes close enough to share a simulation are counted apart,
/// which overlaps little where failures are rare (the method's premise).
pub fn estimate(model: &Model, variants: &[usize]) -> Option<Estimate> {
    if model.failures.is_empty() {
        return None;
    }
    let rate = episodes::mean_rate(model);
    let rho = episodes::link_load(model, rate);
    let base = episodes::base_model(model);
    let mut total = 0.0;
    let (mut episode, mut episode_events): (Nanos, f64) = (0, 0.0);
    for &v in variants {
        let lead = episodes::variant_lead(model, v, rate);
        let mut year = 0.0;
        for f in &model.failures {
            let mttr = f.mttr.mean.min(YEAR as f64) as Nanos;
            // An episode of the mean repair with `cut` of it not simulated (and not
            // resynced after): its length and its events.
            let episode_of = |cut: Nanos| {
                let length = lead
                    .saturating_add(mttr)
                    .saturating_add(settle::tail(&base, lead, rho, mttr - cut))
                    .min(YEAR);
                let mut m = base.clone();
                m.failures.clear();
                m.duration = (length - cut).max(1);
                m.outages = vec![Outage {
                    target: f.target,
                    start: lead.min(length),
                    duration: mttr - cut,
                    kind: OutageKind::Down,
                }];
                (length, crate::limits::expected_events(&m, v))
            };
            // The longest episode is taken whole (its check may refuse the cut).
            let (length, events) = episode_of(0);
            let params = cuts::Params {
                variant: v,
                lead,
                rate,
                rho,
            };
            let cut = cuts::expected_cut(&base, &params, f).min(mttr);
            let draws = YEAR as f64 / (f.mtbf as f64 + mttr as f64).max(1.0);
            year += draws * episode_of(cut).1;
            if length > episode {
                episode = length;
            }
            episode_events = episode_events.max(events);
        }
        let mut steady = base.clone();
        steady.failures.clear();
        steady.duration = lead.saturating_add(episodes::STEADY_MEASURE);
        let primaries = (1 + model.secondaries.len()) as f64;
        year += primaries * crate::limits::expected_events(&steady, v);
        total += year * f64::from(model.runs);
    }
    Some(Estimate {
        events: total,
        episode,
        episode_events,
        episode_writes: rate * secs(episode),
    })
}

/// Refuses, before anything runs, a year of failures whose longest episode would
/// exceed `[simulation] max_events` or, `jobs` at once, the memory `available`.
pub fn check(model: &Model, variants: &[usize], jobs: usize, available: Option<f64>) -> Result<()> {
    let Some(e) = estimate(model, variants) else {
        return Ok(());
    };
    let what = format!(
        "an episode of the year of failures lasts about {} (lead-in, the longest mean repair, \
         every attempt of a write, the promotion's switch and DNS window, the resync)",
        crate::format::fmt_duration_s(secs(e.episode))
    );
    if e.episode_events > model.max_events as f64 {
        return Err(GeoError::limit(
            format!(
                "{what}: about {:.3e} engine events, more than [simulation] max_events = {}",
                e.episode_events, model.max_events
            ),
            "shorten [promotion] dns or the failures' mttr, or raise [simulation] max_events",
        )
        .with_key("simulation.max_events"));
    }
    let bytes = e.episode_writes * crate::limits::BYTES_PER_BACKLOG_WRITE * jobs.max(1) as f64;
    if available.is_some_and(|a| bytes > a) {
        return Err(GeoError::limit(
            format!(
                "{what}: its {:.3e} writes in flight or in the backlog would need about {:.1} GiB with {} at once, more than the memory available",
                e.episode_writes,
                bytes / f64::from(1u32 << 30),
                jobs.max(1)
            ),
            "shorten [promotion] dns or the failures' mttr, or run fewer at once with --jobs",
        ));
    }
    Ok(())
}

/// The year of every variant in `variants` (indices into `model.variants`, in output
/// order), with the engine events its simulations took (0 when the method does not
/// apply): what `geosim run` reports and [`estimate`] predicts. `None` when the
/// scenario has no `[[failure]]`.
pub fn run(
    model: &Model,
    variants: &[usize],
    jobs: usize,
    progress: bool,
) -> Result<Option<(Year, u64)>> {
    if model.failures.is_empty() {
        return Ok(None);
    }
    let rate = episodes::mean_rate(model);
    let rho = episodes::link_load(model, rate);
    if rho >= 1.0 {
        return Ok(Some((
            Year::NotApplicable(format!(
                "a replication link is loaded at {:.0}% of its bandwidth: a region that \
                 resyncs after a failure never catches up, so there is no steady state to \
                 return to between failures",
                rho * 100.0
            )),
            0,
        )));
    }
    // A task: one group of variants that may share episodes (`shared`), one year.
    let groups = shared::groups(model, variants);
    let tasks: Vec<(&[usize], u32)> = groups
        .iter()
        .flat_map(|g| (1..=model.runs).map(move |r| (g.as_slice(), r)))
        .collect();
    let bar = progress_bar(
        variants.len() as u64 * u64::from(model.runs),
        "{spinner} a year of failures {bar:40} {pos}/{len} years",
        progress,
    );
    let spans: Result<Vec<Vec<SpanResult>>> = in_task_order(
        jobs,
        &tasks,
        |&(g, _)| g.iter().map(|&v| model.expected_events(v)).sum(),
        |&(g, r)| {
            if crate::interrupt::stopped() {
                return Err(GeoError::interrupted("interrupted"));
            }
            let spans = episodes::simulate_group(model, g, r, YEAR, 0);
            bar.inc(g.len() as u64);
            spans
        },
    )?
    .into_iter()
    .collect();
    bar.finish_and_clear();
    let spans: Vec<SpanResult> = spans?.into_iter().flatten().collect();
    let events = spans.iter().map(|s| s.events).sum();
    let figures = variants
        .iter()
        .map(|&v| {
            let of_variant: Vec<&SpanResult> = spans.iter().filter(|s| s.variant == v).collect();
            figures(&model.variants[v].name, &of_variant)
        })
        .collect();
    Ok(Some((Year::Figures(figures), events)))
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
    let offered: f64 = years.iter().map(|s| s.rate * secs(s.horizon)).sum();
    let failed: f64 = years.iter().map(|s| s.writes_failed()).sum();
    YearFigures {
        variant: variant.to_string(),
        years: years.len() as u32,
        incidents_per_year: per_year(&|s| s.incidents.len() as f64),
        promotions_per_year: per_year(&|s| {
            s.incidents.iter().map(|i| i.promotions).sum::<usize>() as f64
        }),
        failbacks_per_year: per_year(&|s| {
            s.incidents.iter().map(|i| i.failbacks).sum::<usize>() as f64
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
            s.incidents
                .iter()
                .map(|i| i.end - i.start - i.cut)
                .sum::<Nanos>() as f64
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The year's estimate against the events its simulations take, over eight years
    /// of a failure every ~10 days: the draws (~290, Poisson) and their exponential
    /// repairs make the simulated total vary by about ±8% (√(2/290)), so the band is
    /// that of `limits`' estimate (0.8–1.5×) widened by three of those (0.75–1.6×).
    #[test]
    fn the_estimate_follows_the_events_the_year_simulates() {
        let text = r#"
[simulation]
duration = "1h"
runs = 8
[[region]]
name = "westeurope"
[[region]]
name = "eastus"
[[link]]
between = ["westeurope", "eastus"]
rtt = "80ms"
bandwidth = "20Mbit/s"
[workload]
client_region = "westeurope"
rate = 2
size = "1KiB"
[replication]
primary = "westeurope"
secondaries = ["eastus"]
[[failure]]
target = "westeurope"
mtbf = "20d"
mttr = { dist = "exponential", mean = "40m" }
[[failure]]
target = "eastus"
mtbf = "20d"
mttr = { dist = "exponential", mean = "40m" }
[policy]
auto_promote = { after = "10m", kind = "forced" }
[[variant]]
name = "sync"
mode = "sync"
[[variant]]
name = "async"
mode = "async"
"#;
        let m = crate::scenario::parse(text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"));
        for v in 0..m.variants.len() {
            let e = estimate(&m, &[v]).expect("a year");
            let actual: u64 = (1..=m.runs)
                .map(|r| episodes::simulate_span(&m, v, r, YEAR, 0).unwrap().events)
                .sum();
            let ratio = e.events / actual as f64;
            assert!(
                (0.75..=1.6).contains(&ratio),
                "{}: estimated {:.0}, simulated {actual} (ratio {ratio:.2})",
                m.variants[v].name,
                e.events
            );
        }
    }

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
