//! Interiors that stand still (issue 15): the middle of a long failure in which the
//! system does the same thing second after second is not simulated, only counted.
//!
//! Once a failure has lasted long enough, a system reaches one of two states in which
//! nothing changes but the clock and the backlog of the region that is away:
//! - **blocked**: the primary is down and no promotion is due, or the namespace
//!   throttles because a secondary it waits for is down. No write is accepted, the log
//!   and every secondary stay as they are, and every write offered fails;
//! - **accepting**: the system serves every write without the region that is away
//!   (the old primary after a promotion, a secondary the lag rule does not wait for):
//!   every attempt succeeds, and the away region's backlog grows by the writes.
//!
//! Removing a stretch of such a state from the inside of the failure, and counting its
//! offered writes (as failed when blocked), leaves the rest of the episode as it was:
//! the same roles, promotions and losses, the same resync when blocked, a resync
//! shorter by the stretch's writes when accepting (which counts nothing; no other
//! failure may come within the full resync's time, so none can meet the difference).
//! The year's figures keep their expectation; a long repair stops costing its length in
//! simulated writes.
//!
//! Whether and when a system stands still depends on its mode, lag rules and policy, so
//! the cut is planned from the timers that could still change something (an
//! auto-promotion and its DNS window, a secondary's removal, the lag limit, semi-sync's
//! timeout, the attempts of the writes in flight) and then checked in the simulation
//! itself (`stood_still`). An episode whose cut fails the check is simulated whole.

use super::settle::{attempt_chain as chain, resync};
use crate::engine::rng::{stream, Purpose};
use crate::error::Result;
use crate::model::{Failure, Mode, Model, Nanos, Outage, RegionId, Target};
use crate::results::{Bucket, SimResult};
use crate::time::secs;

/// Writes the checked window must hold for what it shows to mean anything.
const MIN_WINDOW_WRITES: u64 = 10;

/// What the cuts of one variant's episodes depend on besides the episode.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub variant: usize,
    /// The episodes' lead-in.
    pub lead: Nanos,
    /// Writes per second offered.
    pub rate: f64,
    /// The busiest replication link's load (a resync runs at 1 − ρ of it).
    pub rho: f64,
}

/// One stretch removed from an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Where the stretch was, in the time of the shortened episode.
    pub at: Nanos,
    /// How long it was.
    pub length: Nanos,
    /// The outage it was cut from.
    pub target: Target,
    /// Planned without an auto-promotion's timers (the outage is not the primary's):
    /// its check requires that the region down is not primary around the cut.
    pub not_primary: bool,
}

/// The shortened episode and its cuts.
pub struct Plan {
    pub model: Model,
    pub cuts: Vec<Cut>,
}

impl Plan {
    pub fn removed(&self) -> Nanos {
        self.cuts.iter().map(|c| c.length).sum()
    }

    /// The windows `stood_still` reads, in seconds of the shortened episode.
    pub fn windows_s(&self) -> Vec<(f64, f64)> {
        let chain = chain(&self.model);
        self.cuts
            .iter()
            .map(|c| {
                let (from, to) = window(c, chain, self.model.promotion.dns);
                (secs(from), secs(to))
            })
            .collect()
    }
}

/// How long after a failure starts the variant may still change state if the failure
/// lasts: every timer the policy (`primary`: the failure is of the primary region, so
/// an auto-promotion may follow), the lag rules (the time limit twice) and the mode
/// could start, one after the other, plus two write attempt chains and the lead-in.
pub fn onset(model: &Model, p: &Params, primary: bool) -> Nanos {
    let v = &model.variants[p.variant];
    let timing = &model.promotion;
    let auto = [model.policy.auto_promote, v.auto_promote]
        .into_iter()
        .flatten()
        .map(|a| {
            a.after
                .saturating_add(a.escalate_after.unwrap_or(0))
                .saturating_add(timing.switch)
                .saturating_add(timing.dns)
        })
        .max()
        .filter(|_| primary)
        .unwrap_or(0);
    let remove = model.policy.remove_secondary_after.unwrap_or(0);
    let semi = if v.mode == Mode::SemiSync {
        v.semi_sync_timeout
    } else {
        0
    };
    let backlog = match v.max_lag_writes {
        Some(k) if p.rate > 0.0 => (k as f64 / p.rate * 1e9).min(u64::MAX as f64 / 4.0) as Nanos,
        _ => 0,
    };
    // The lag limit counts twice: throttling after a repair lasts while the oldest
    // unapplied write is older than the limit, and only when at least twice the limit
    // is kept before the repair is every write of the backlog (from the failure's first
    // `max_lag`) that old at the repair, as it is without the cut.
    auto.saturating_add(remove)
        .saturating_add(v.max_lag.unwrap_or(0).saturating_mul(2))
        .saturating_add(semi)
        .saturating_add(backlog)
        .saturating_add(chain(model).saturating_mul(2))
        .saturating_add(p.lead)
}

/// The window around a cut that `stood_still` checks: an attempt chain on each side (a
/// write issued just before the cut is resolved just after it), and before it the DNS
/// window in which a promotion would still show.
fn window(c: &Cut, chain: Nanos, dns: Nanos) -> (Nanos, Nanos) {
    (
        c.at.saturating_sub(chain.saturating_add(dns)),
        c.at.saturating_add(chain),
    )
}

/// The cuts of episode `m`: from every outage that no other outage of the episode
/// comes near (timers of one could run into the other; nor may one start while the
/// other's region may still be resyncing), the stretch from its `onset` to an attempt
/// chain and a lead-in before its repair, if that is at least an attempt chain long.
/// Outages in `skip` (their cut failed the check earlier in the span) are kept whole.
/// `None` when nothing is cut.
pub fn plan(m: &Model, p: &Params, skip: &[Target]) -> Option<Plan> {
    let v = &m.variants[p.variant];
    let chain = chain(m);
    let onset_of = |o: &Outage| onset(m, p, o.target == Target::Region(m.primary));
    let margin = onset(m, p, true)
        .saturating_add(chain)
        .saturating_add(p.lead);
    let reach = |o: &Outage| {
        let end = o.start.saturating_add(o.duration);
        end.saturating_add(margin.max(resync(o.duration, p.rho)))
    };
    let near = |a: &Outage, b: &Outage| b.start < reach(a) && a.start < reach(b);
    let mut lengths = vec![0; m.outages.len()];
    for (k, o) in m.outages.iter().enumerate() {
        let alone = m
            .outages
            .iter()
            .enumerate()
            .all(|(j, other)| j == k || !near(o, other));
        if !alone || skip.contains(&o.target) {
            continue;
        }
        let from = o.start.saturating_add(onset_of(o));
        let to = (o.start.saturating_add(o.duration)).saturating_sub(chain.saturating_add(p.lead));
        let mut length = to.saturating_sub(from);
        // Recovery points are cut on the absolute clock: keep its phase.
        if v.mode == Mode::Snapshot {
            length -= length % v.snapshot_interval.max(1);
        }
        // A stretch shorter than one attempt chain is not worth its check.
        if length >= chain.max(1) {
            lengths[k] = length;
        }
    }
    if lengths.iter().all(|&l| l == 0) {
        return None;
    }
    let mut model = m.clone();
    let mut cuts = Vec::new();
    for (k, o) in m.outages.iter().enumerate() {
        let length = lengths[k];
        if length == 0 {
            continue;
        }
        // Everything after the stretch moves earlier by its length.
        let cut_from = o.start.saturating_add(onset_of(o));
        for (j, other) in m.outages.iter().enumerate() {
            if other.start > o.start {
                model.outages[j].start -= length;
            }
            if j == k {
                model.outages[j].duration -= length;
            }
        }
        let earlier: Nanos = cuts.iter().map(|c: &Cut| c.length).sum();
        cuts.push(Cut {
            at: cut_from - earlier,
            length,
            target: o.target,
            not_primary: o.target != Target::Region(m.primary),
        });
    }
    model.duration -= cuts.iter().map(|c| c.length).sum::<Nanos>();
    Some(Plan { model, cuts })
}

/// How the system stood around a cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Still {
    /// No write accepted: every write offered in the stretch fails.
    Blocked,
    /// Every attempt succeeded: every write offered in the stretch is acknowledged.
    Accepting,
}

/// A bucket of the blocked state: nothing acknowledged, refused as read-only or by a
/// region not primary, and attempts timed out only while the outage kept requests from
/// the primary (its region, or the client's link to it, down: no attempt can have been
/// accepted into a log); the region down not primary if the cut was planned without an
/// auto-promotion.
fn blocked(b: &Bucket, c: &Cut, m: &Model) -> bool {
    let primary = m.regions.iter().position(|g| g.name == b.primary);
    let down_is_primary = primary.is_some_and(|p| c.target == Target::Region(p));
    let client = m.workload.client_region;
    let undelivered =
        down_is_primary || primary.is_some_and(|p| c.target == Target::link(client, p));
    b.acked == 0
        && b.readonly == 0
        && b.unavailable == 0
        && (b.timed_out == 0 || undelivered)
        && !(c.not_primary && down_is_primary)
}

/// A bucket of the accepting state: no attempt refused or timed out, its primary the
/// window's first.
fn accepting(b: &Bucket, first: &Bucket) -> bool {
    b.throttled == 0
        && b.readonly == 0
        && b.unavailable == 0
        && b.timed_out == 0
        && b.primary == first.primary
}

/// How the shortened episode `m` (its simulation `r`) stood around each cut, if it
/// stood still around every one: over the cut's window every bucket blocked, or every
/// one accepting; at least a few writes offered (blocked) or acknowledged (accepting)
/// there; and no promotion requested, escalated or completed there.
pub fn stood_still(r: &SimResult, m: &Model, cuts: &[Cut]) -> Option<Vec<Still>> {
    let chain = chain(m);
    let width = secs(m.bucket);
    cuts.iter()
        .map(|c| {
            let (from, to) = window(c, chain, m.promotion.dns);
            let (from_s, to_s) = (secs(from), secs(to));
            let buckets: Vec<&Bucket> = r
                .timeseries
                .iter()
                .filter(|b| b.t_s + width > from_s && b.t_s < to_s)
                .collect();
            let moved = r.promotions.iter().any(|p| {
                let inside = |t: f64| t >= from_s && t < to_s;
                inside(p.requested_s)
                    || p.escalated_s.is_some_and(inside)
                    || p.completed_s.is_some_and(inside)
            });
            let first = buckets.first()?;
            let sum = |f: fn(&Bucket) -> u64| buckets.iter().map(|b| f(b)).sum::<u64>();
            if moved {
                None
            } else if buckets.iter().all(|b| blocked(b, c, m)) {
                (sum(|b| b.offered) >= MIN_WINDOW_WRITES).then_some(Still::Blocked)
            } else if buckets.iter().all(|b| accepting(b, first)) {
                (sum(|b| b.acked) >= MIN_WINDOW_WRITES).then_some(Still::Accepting)
            } else {
                None
            }
        })
        .collect()
}

/// The failures whose cut failed its check earlier in a span, each with the primary
/// of its episode's start: kept whole from then under that primary (the same
/// failure under the same roles would fail it again, at the cost of a simulation).
#[derive(Debug, Default)]
pub struct Uncut(Vec<(RegionId, Target)>);

impl Uncut {
    /// The failures kept whole in an episode that starts with `primary`.
    fn skip(&self, primary: RegionId) -> Vec<Target> {
        self.0
            .iter()
            .filter(|(p, _)| *p == primary)
            .map(|&(_, t)| t)
            .collect()
    }

    /// The time `simulate` will try to cut from episode `m`.
    pub fn planned(&self, m: &Model, p: &Params) -> Nanos {
        plan(m, p, &self.skip(m.primary)).map_or(0, |p| p.removed())
    }
}

/// What an episode's simulation did without simulating it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    /// Time cut.
    pub time: Nanos,
    /// The part of it blocked: its writes failed.
    pub blocked: Nanos,
}

/// Simulates episode `m` by `simulate` (the model, and the windows in seconds its
/// result must keep): with the interiors of its failures cut if `stood_still`
/// confirms them, else whole. Returns the simulation, the model it ran and what was cut.
pub fn simulate(
    m: Model,
    p: &Params,
    uncut: &mut Uncut,
    mut simulate: impl FnMut(&Model, &[(f64, f64)]) -> Result<SimResult>,
) -> Result<(SimResult, Model, Removed)> {
    if let Some(plan) = plan(&m, p, &uncut.skip(m.primary)) {
        let r = simulate(&plan.model, &plan.windows_s())?;
        if let Some(states) = stood_still(&r, &plan.model, &plan.cuts) {
            let blocked = plan
                .cuts
                .iter()
                .zip(&states)
                .filter(|(_, s)| **s == Still::Blocked)
                .map(|(c, _)| c.length)
                .sum();
            let removed = Removed {
                time: plan.removed(),
                blocked,
            };
            return Ok((r, plan.model, removed));
        }
        uncut
            .0
            .extend(plan.cuts.iter().map(|c| (m.primary, c.target)));
    }
    let r = simulate(&m, &[])?;
    Ok((r, m, Removed::default()))
}

/// Draws of a repair time `expected_cut` averages over (a fixed stream: the
/// estimate is the same every time).
const CUT_DRAWS: u32 = 1024;

/// The time an episode of `failure` is expected to have cut (`year::estimate`): its
/// stretch past the onset, unless the failure may leave the system neither blocked nor
/// accepting (a secondary that a sync variant without a lag limit waits for: its
/// commits wait and time out).
pub fn expected_cut(model: &Model, p: &Params, failure: &Failure) -> Nanos {
    let v = &model.variants[p.variant];
    let primary = failure.target == Target::Region(model.primary);
    let limited = v.max_lag.is_some() || v.max_lag_writes.is_some();
    let waits = v.mode == Mode::Sync && !limited && !primary;
    if waits || !failure.mttr.mean.is_finite() {
        return 0;
    }
    let kept = onset(model, p, primary)
        .saturating_add(chain(model))
        .saturating_add(p.lead);
    let mut rng = stream(0, 0, Purpose::Year);
    let total: f64 = (0..CUT_DRAWS)
        .map(|_| (failure.mttr.dist.sample(&mut rng) - kept as f64).max(0.0))
        .sum();
    (total / f64::from(CUT_DRAWS)) as Nanos
}
