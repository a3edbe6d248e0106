//! A span of random failures (normally a year) for one variant × run, by the episode
//! method: each group of nearby failures is simulated at full fidelity from a lead-in
//! before it until the system is back in steady state; the quiet time between
//! episodes is accounted from a failure-free run of the same variant.
//!
//! The failure times come from the engine's own draw (`Availability::for_run` on the
//! run's `Failures` stream), so a full simulation of the same span with the same seed
//! sees exactly the same failures. docs/year-of-failures.md states the method.

use std::collections::BTreeMap;

use rand::Rng;

use crate::engine::availability::Availability;
use crate::engine::rng::{stream, Purpose};
use crate::engine::Simulation;
use crate::error::Result;
use crate::model::{Mode, Model, Nanos, Outage, OutageKind, Phase, RegionId, Target, NS_PER_S};
use crate::results::SimResult;
use crate::time::secs;

use super::cuts;
use super::settle::{self, tail};
use super::shared::Shared;

/// A failure-free system reaches steady state within this, whatever the load.
const LEAD_IN_MIN: Nanos = 60 * NS_PER_S;
/// The replication backlog forgets its start within a few relaxation times.
const RELAXATION_TIMES: f64 = 5.0;
/// Length of the failure-free run the quiet-time rates are measured on: several
/// attempt chains (4 × 61 s by default) long, so writes still retrying at its end
/// are a small share of those measured.
pub const STEADY_MEASURE: Nanos = 30 * 60 * NS_PER_S;
/// An episode not settled after its tail has been doubled this often is kept as it is
/// (and counted as unsettled): the system has no steady state to return to.
const MAX_DOUBLINGS: u32 = 6;

/// One failure as drawn: a region or link down over [start, end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    pub target: Target,
    pub start: Nanos,
    pub end: Nanos,
}

/// One episode: one or more failures close enough to share a simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Simulated span, in the span's time.
    pub start: Nanos,
    pub end: Nanos,
    pub failures: usize,
    pub writes_offered: u64,
    pub writes_failed: u64,
    /// Acknowledged writes lost by forced promotions.
    pub writes_lost: u64,
    /// Promotions away from the primary of the moment, and failbacks (`[policy]
    /// failback`) to the scenario's primary.
    pub promotions: usize,
    pub failbacks: usize,
    /// The system was back in steady state at `end` (or `end` is the span's end).
    pub settled: bool,
    /// Time inside its failures not simulated but counted (`cuts.rs`).
    pub cut: Nanos,
}

/// What a span of failures did to one variant in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanResult {
    pub variant: usize,
    pub run: u32,
    pub horizon: Nanos,
    /// Writes per second offered throughout.
    pub rate: f64,
    pub lead_in: Nanos,
    pub draws: Vec<Draw>,
    pub incidents: Vec<Incident>,
    /// Time outside every episode.
    pub quiet: Nanos,
    /// Expected writes failed in the quiet time, from the steady-state rates.
    pub quiet_failed: f64,
    /// Engine events of every simulation the span ran (episodes, their re-runs with a
    /// longer tail, the failure-free measurements): what `year::estimate` predicts.
    pub events: u64,
}

impl SpanResult {
    /// Writes failed over the span (episodes counted, quiet time expected).
    pub fn writes_failed(&self) -> f64 {
        self.incidents
            .iter()
            .map(|i| i.writes_failed as f64)
            .sum::<f64>()
            + self.quiet_failed
    }

    pub fn writes_lost(&self) -> u64 {
        self.incidents.iter().map(|i| i.writes_lost).sum()
    }

    /// Downtime: the minutes of traffic, at the offered rate, whose writes failed.
    pub fn downtime_min(&self) -> f64 {
        if self.rate > 0.0 {
            self.writes_failed() / self.rate / 60.0
        } else {
            0.0
        }
    }
}

/// The roles at an episode's start: which region is primary, and the secondaries in
/// the order the engine tries them as a promotion target.
#[derive(Debug, Clone, PartialEq)]
struct Roles {
    primary: RegionId,
    secondaries: Vec<RegionId>,
}

impl Roles {
    /// The engine keeps its nodes in scenario order (primary, then secondaries) and
    /// picks the first eligible one that is not the primary, so after promotions the
    /// order is the scenario's with the current primary left out.
    fn with_primary(model: &Model, primary: RegionId) -> Roles {
        let secondaries = std::iter::once(model.primary)
            .chain(model.secondaries.iter().copied())
            .filter(|&r| r != primary)
            .collect();
        Roles {
            primary,
            secondaries,
        }
    }
}

/// What a failure-free run measures for one set of roles.
#[derive(Debug, Clone, Copy)]
struct Steady {
    failed_per_write: f64,
    lag_max: Nanos,
}

/// The scenario as the span sees it: its random failures and nothing scheduled, a
/// constant rate (the scenario's mean over its measured window), no warmup.
pub fn base_model(model: &Model) -> Model {
    let mut m = model.clone();
    m.outages.clear();
    m.actions.clear();
    m.warmup = 0;
    m.runs = 1;
    m.workload.phases = vec![Phase {
        at: 0,
        rate: mean_rate(model),
    }];
    m
}

/// The offered rate of the scenario over its measured window (its only rate when it
/// has no `[[workload.phase]]`).
pub fn mean_rate(model: &Model) -> f64 {
    let phases = &model.workload.phases;
    let window = model.duration.saturating_sub(model.warmup);
    if phases.len() == 1 || window == 0 {
        return phases[0].rate;
    }
    model.expected_writes() / (secs(window))
}

/// The busiest replication link's utilisation (offered bytes / bandwidth), over every
/// pair that can be primary and secondary; 0 when no link has a bandwidth.
pub fn link_load(model: &Model, rate: f64) -> f64 {
    let set: Vec<RegionId> = std::iter::once(model.primary)
        .chain(model.secondaries.iter().copied())
        .collect();
    let mut worst: f64 = 0.0;
    for &a in &set {
        for &b in &set {
            if a != b {
                if let Some(bw) = model.link(a, b).bandwidth_bytes_per_s {
                    worst = worst.max(rate * model.workload.size.mean / bw);
                }
            }
        }
    }
    worst
}

/// Lead-in: long enough for the replication backlog to reach steady state — a few of
/// Morse's relaxation times of a single-server queue, E[S] / (1 − √ρ)², on the busiest
/// link — and never less than a minute.
pub fn lead_in(model: &Model, rate: f64) -> Nanos {
    let rho = link_load(model, rate);
    if rho <= 0.0 || rho >= 1.0 || rate <= 0.0 {
        return LEAD_IN_MIN;
    }
    let service_s = rho / rate;
    let relax_s = service_s / (1.0 - rho.sqrt()).powi(2);
    LEAD_IN_MIN.max((RELAXATION_TIMES * relax_s * NS_PER_S as f64) as Nanos)
}

/// An episode start on the grid of `g` (a multiple of it) near `start`: the one below,
/// unless the previous episode ends after it (`free_from`), then the one above if it
/// still precedes the failure at `failure`; otherwise `start` as it is.
fn on_grid(start: Nanos, g: Nanos, free_from: Nanos, failure: Nanos) -> Nanos {
    let down = start - start % g;
    if down >= free_from {
        return down;
    }
    match down.checked_add(g) {
        Some(up) if up >= free_from && up <= failure => up,
        _ => start,
    }
}

/// The lead-in of variant `variant`'s episodes: [`lead_in`], and in snapshot mode two
/// recovery-point intervals (a point has been cut and shipped before the failure).
pub fn variant_lead(model: &Model, variant: usize, rate: f64) -> Nanos {
    let v = &model.variants[variant];
    let grid = (v.mode == Mode::Snapshot).then_some(v.snapshot_interval.max(1));
    lead_in(model, rate).max(grid.map_or(0, |i| i.saturating_mul(2)))
}

/// The failures of run `run` over [0, horizon), exactly as the engine draws them.
pub fn draws(model: &Model, run: u32, horizon: Nanos) -> Vec<Draw> {
    let mut m = model.clone();
    m.outages.clear();
    m.duration = horizon;
    Availability::for_run(&m, run)
        .windows()
        .iter()
        .map(|w| Draw {
            target: w.target,
            start: w.start,
            end: w.end,
        })
        .collect()
}

/// Runs the span [0, horizon) of variant `variant`, run `run`. `salt` changes the seeds
/// of the simulations (not the failures): 0 for the published figures, others to
/// measure how much the method's own randomness moves them.
pub fn simulate_span(
    model: &Model,
    variant: usize,
    run: u32,
    horizon: Nanos,
    salt: u64,
) -> Result<SpanResult> {
    span_sharing(model, variant, run, horizon, salt, &mut Shared::default())
}

/// The spans of `group` (variants that `shared::groups` put together) in run `run`,
/// in its order: each as `simulate_span` makes it, an episode that a variant before
/// it simulated with the same outcome taken from that simulation.
pub fn simulate_group(
    model: &Model,
    group: &[usize],
    run: u32,
    horizon: Nanos,
    salt: u64,
) -> Result<Vec<SpanResult>> {
    let mut shared = Shared::default();
    group
        .iter()
        .map(|&v| span_sharing(model, v, run, horizon, salt, &mut shared))
        .collect()
}

fn span_sharing(
    model: &Model,
    variant: usize,
    run: u32,
    horizon: Nanos,
    salt: u64,
    shared: &mut Shared,
) -> Result<SpanResult> {
    let base = base_model(model);
    let rate = base.workload.phases[0].rate;
    let v = &model.variants[variant];
    // Snapshot mode (SPEC §6.4): points are cut on the absolute clock, so an episode
    // starts on the grid of its interval (its clock then agrees with the span's), and
    // its lead-in holds two intervals (a point has been cut and shipped before the
    // failure, whatever its phase).
    let grid = (v.mode == Mode::Snapshot).then_some(v.snapshot_interval.max(1));
    let lead = variant_lead(model, variant, rate);
    let draws = draws(model, run, horizon);
    let seed = model
        .seed
        .wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut seeds = stream(seed, run, Purpose::Year);
    let mut span = Span {
        base: &base,
        variant,
        horizon,
        lead,
        rho: link_load(model, rate),
        steady_seed: seeds.next_u64(),
        steady: BTreeMap::new(),
        events: 0,
        uncut: cuts::Uncut::default(),
    };
    let mut roles = Roles::with_primary(model, model.primary);
    let mut incidents = Vec::new();
    let (mut quiet, mut quiet_failed) = (0, 0.0);
    let mut i = 0;
    let mut free_from: Nanos = 0;
    while i < draws.len() {
        let mut start = draws[i].start.saturating_sub(lead).max(free_from);
        if let Some(g) = grid {
            start = on_grid(start, g, free_from, draws[i].start);
        }
        let (incident, j, next_roles) =
            span.episode(&draws, i, start, &roles, seeds.next_u64(), shared)?;
        let gap = start - free_from;
        quiet += gap;
        quiet_failed += span.quiet_failed(&roles, gap, rate)?;
        incidents.push(incident);
        free_from = incidents.last().map_or(start, |e: &Incident| e.end);
        roles = next_roles;
        i = j;
    }
    let gap = horizon.saturating_sub(free_from);
    quiet += gap;
    quiet_failed += span.quiet_failed(&roles, gap, rate)?;
    Ok(SpanResult {
        variant,
        run,
        horizon,
        rate,
        lead_in: lead,
        draws,
        incidents,
        quiet,
        quiet_failed,
        events: span.events,
    })
}

/// The state shared by the episodes of one span.
struct Span<'a> {
    base: &'a Model,
    variant: usize,
    horizon: Nanos,
    lead: Nanos,
    rho: f64,
    steady_seed: u64,
    /// Failure-free measurements per primary region (the roles they imply).
    steady: BTreeMap<RegionId, Steady>,
    /// Engine events simulated so far.
    events: u64,
    uncut: cuts::Uncut,
}

impl Span<'_> {
    fn model_for(&self, roles: &Roles, duration: Nanos, seed: u64) -> Model {
        let mut m = self.base.clone();
        m.primary = roles.primary;
        m.secondaries = roles.secondaries.clone();
        m.failures.clear();
        m.duration = duration;
        m.seed = seed;
        m
    }

    fn simulate(&mut self, model: &Model) -> Result<SimResult> {
        let r = Simulation::new(model, self.variant, 1)
            .stop_on(&crate::interrupt::STOP)
            .run(&|_| {})?;
        self.events += r.summary.events;
        Ok(r)
    }

    /// Simulates episode `m`, or takes its result from `shared` when a variant of the
    /// group simulated it with the same outcome (`shared.rs`).
    /// `windows` (seconds) are kept besides the settle window, for `cuts::blocked`.
    fn simulate_episode(
        &mut self,
        m: &Model,
        shared: &mut Shared,
        windows: &[(f64, f64)],
    ) -> Result<SimResult> {
        let max_lag = self.base.variants[self.variant].max_lag;
        if let Some(r) = shared.get(m, max_lag) {
            return Ok(r.clone());
        }
        let r = self.simulate(m)?;
        // Kept as `episode` reads it, so that a year of many episodes does not keep
        // every time series: the counts, the promotions, the buckets `settled` checks.
        let from_s = self.settle_from_s(m);
        let width = secs(m.bucket);
        shared.put(m, max_lag, &r, |r| {
            let mut timeseries: Vec<_> = r
                .timeseries
                .iter()
                .filter(|b| {
                    b.t_s >= from_s || windows.iter().any(|&(a, z)| b.t_s + width > a && b.t_s < z)
                })
                .cloned()
                .collect();
            timeseries.shrink_to_fit();
            SimResult {
                summary: r.summary.clone(),
                timeseries,
                latency_cdf: Vec::new(),
                first_try_cdf: Vec::new(),
                promotions: r.promotions.clone(),
                outages: Vec::new(),
                visibility_curve: Vec::new(),
            }
        });
        Ok(r)
    }

    /// Where the window `settled` checks the lag over starts, in seconds of `m`.
    fn settle_from_s(&self, m: &Model) -> f64 {
        secs(m.duration.saturating_sub(self.lead))
    }

    fn steady(&mut self, roles: &Roles) -> Result<Steady> {
        if let Some(s) = self.steady.get(&roles.primary) {
            return Ok(*s);
        }
        let seed = self.steady_seed.wrapping_add(roles.primary as u64);
        let mut m = self.model_for(roles, self.lead + STEADY_MEASURE, seed);
        m.warmup = self.lead;
        let r = self.simulate(&m)?.summary;
        // Writes still in flight at the end are neither acked nor failed: leave them out.
        let resolved = r.writes_acked + r.writes_failed;
        let s = Steady {
            failed_per_write: if resolved == 0 {
                0.0
            } else {
                r.writes_failed as f64 / resolved as f64
            },
            lag_max: (r.lag_max_s * NS_PER_S as f64) as Nanos,
        };
        self.steady.insert(roles.primary, s);
        Ok(s)
    }

    fn quiet_failed(&mut self, roles: &Roles, gap: Nanos, rate: f64) -> Result<f64> {
        if gap == 0 {
            return Ok(0.0);
        }
        let s = self.steady(roles)?;
        Ok(secs(gap) * rate * s.failed_per_write)
    }

    fn cut_params(&self) -> cuts::Params {
        cuts::Params {
            variant: self.variant,
            lead: self.lead,
            rate: self.base.workload.phases[0].rate,
            rho: self.rho,
        }
    }

    fn tail(&self, away: Nanos) -> Nanos {
        tail(self.base, self.lead, self.rho, away)
    }

    /// Simulates the episode that starts at `start` with failure `draws[i]`, taking in
    /// every later failure that starts before the episode has settled plus a lead-in.
    /// Returns it, the index of the first failure after it and the roles it ends with.
    fn episode(
        &mut self,
        draws: &[Draw],
        i: usize,
        start: Nanos,
        roles: &Roles,
        seed: u64,
        shared: &mut Shared,
    ) -> Result<(Incident, usize, Roles)> {
        let steady = self.steady(roles)?;
        let mut j = i + 1;
        let mut doublings = 0;
        loop {
            let last_end = draws[i..j].iter().map(|d| d.end).max().unwrap_or(start);
            let mut m = self.model_for(roles, last_end - start, seed);
            m.outages = draws[i..j]
                .iter()
                .map(|d| Outage {
                    target: d.target,
                    start: d.start - start,
                    duration: d.end - d.start,
                    kind: OutageKind::Down,
                })
                .collect();
            // A blocked stretch adds nothing to resync: wait as if it had not been.
            let params = self.cut_params();
            let planned = self.uncut.planned(&m, &params);
            let away = settle::backlog_span(
                self.base,
                self.variant,
                roles.primary,
                draws[i..j].iter().map(|d| d.target),
                last_end - draws[i].start - planned,
            );
            let tail = self.tail(away).saturating_mul(1 << doublings);
            let end = last_end.saturating_add(tail).min(self.horizon);
            if j < draws.len() && draws[j].start < end.saturating_add(self.lead) {
                j += 1;
                continue;
            }
            m.duration = end - start;
            let mut uncut = std::mem::take(&mut self.uncut);
            let out = cuts::simulate(m, &params, &mut uncut, |m, w| {
                self.simulate_episode(m, shared, w)
            });
            self.uncut = uncut;
            let (r, m, cut) = out?;
            let settled = end == self.horizon || self.settled(&r, &m, steady);
            if !settled && doublings < MAX_DOUBLINGS {
                doublings += 1;
                continue;
            }
            let next = self.roles_after(&r, roles);
            let s = &r.summary;
            // Every write offered in the cut stretches, failed in the blocked ones.
            let writes_in = |t: Nanos| (secs(t) * params.rate).round() as u64;
            let incident = Incident {
                start,
                end,
                failures: j - i,
                writes_offered: s.writes_offered + writes_in(cut.time),
                writes_failed: s.writes_failed + writes_in(cut.blocked),
                writes_lost: s.writes_lost,
                promotions: r.promotions.iter().filter(|p| !p.failback).count(),
                failbacks: r.promotions.iter().filter(|p| p.failback).count(),
                settled,
                cut: cut.time,
            };
            return Ok((incident, j, next));
        }
    }

    /// Back in steady state at the end of `r`: every promotion has completed and its
    /// DNS repoint is over, and over the last lead-in the namespace lag stayed within
    /// what the failure-free run reached (at least a second).
    fn settled(&self, r: &SimResult, m: &Model, steady: Steady) -> bool {
        let end_s = secs(m.duration);
        let dns_s = secs(m.promotion.dns);
        let promotions_done = r
            .promotions
            .iter()
            .all(|p| p.completed_s.is_some_and(|c| c + dns_s <= end_s));
        let from_s = self.settle_from_s(m);
        let limit_s = secs(steady.lag_max.max(NS_PER_S));
        let lag_ok = r
            .timeseries
            .iter()
            .filter(|b| b.t_s >= from_s)
            .all(|b| b.lag_s <= limit_s);
        // With failback, an episode ends with the scenario's primary back in its role.
        let home = self.base.policy.failback.is_none_or(|f| {
            self.roles_after(r, &Roles::with_primary(m, m.primary))
                .primary
                == f.to
        });
        promotions_done && lag_ok && home
    }

    /// The roles after the episode: the last completed promotion names the primary.
    fn roles_after(&self, r: &SimResult, roles: &Roles) -> Roles {
        let promoted = r
            .promotions
            .iter()
            .rev()
            .find(|p| p.completed_s.is_some())
            .and_then(|p| self.base.regions.iter().position(|g| g.name == p.to));
        match promoted {
            Some(primary) => Roles::with_primary(self.base, primary),
            None => roles.clone(),
        }
    }
}
