//! Blocked interiors (issue 15): the middle of a long failure that the system spends
//! refusing every write is not simulated, only counted.
//!
//! Once a failure has lasted long enough, many systems reach a state in which nothing
//! changes but the clock: the primary is down and no promotion is due, or the namespace
//! throttles because a secondary it waits for is down. No write is accepted, so the log,
//! the backlog and every secondary stay as they are; each write offered fails after its
//! attempts, and the next second looks like the last. Removing a stretch of such a
//! state from the inside of the failure, and counting its offered writes as failed,
//! leaves what follows the repair as it was: the same backlog to resync, the same roles,
//! the same promotions and losses. The year's figures keep their expectation; a long
//! repair stops costing its length in simulated writes.
//!
//! Whether a system blocks depends on its mode, lag rules and policy, so the cut is
//! planned from the timers that could still change something (an auto-promotion and its
//! DNS window, a secondary's removal, the lag limit, semi-sync's timeout, the attempts of
//! the writes in flight), and then checked in the simulation itself: around the point
//! where the stretch was removed, no write may be acknowledged, accepted into a log
//! (an attempt that times out at a primary that is up may have been) or refused as
//! read-only or by a region that is not primary, and no promotion may move. An episode
//! whose cut fails the check is simulated whole.

use crate::engine::rng::{stream, Purpose};
use crate::error::Result;
use crate::model::{Failure, Mode, Model, Nanos, Outage, RegionId, Target};
use crate::results::SimResult;
use crate::time::secs;

/// Writes the checked window must hold for its silence to mean anything.
const MIN_WINDOW_WRITES: u64 = 10;

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

    /// The windows `blocked` reads, in seconds of the shortened episode.
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

/// Every attempt of one write, with its timeout and backoff.
fn chain(model: &Model) -> Nanos {
    let w = &model.workload;
    (u64::from(w.retries) + 1).saturating_mul(w.timeout.saturating_add(w.backoff))
}

/// How long after a failure starts variant `variant` may still change state if the
/// failure lasts: every timer the policy (`primary`: the failure is of the primary
/// region, so an auto-promotion may follow), the lag rules and the mode could start,
/// one after the other, plus two write attempt chains and `lead`.
pub fn onset(model: &Model, variant: usize, lead: Nanos, rate: f64, primary: bool) -> Nanos {
    let v = &model.variants[variant];
    let p = &model.promotion;
    let auto = [model.policy.auto_promote, v.auto_promote]
        .into_iter()
        .flatten()
        .map(|a| {
            a.after
                .saturating_add(a.escalate_after.unwrap_or(0))
                .saturating_add(p.switch)
                .saturating_add(p.dns)
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
        Some(k) if rate > 0.0 => (k as f64 / rate * 1e9).min(u64::MAX as f64 / 4.0) as Nanos,
        _ => 0,
    };
    auto.saturating_add(remove)
        .saturating_add(v.max_lag.unwrap_or(0))
        .saturating_add(semi)
        .saturating_add(backlog)
        .saturating_add(chain(model).saturating_mul(2))
        .saturating_add(lead)
}

/// The window around a cut that `blocked` checks: an attempt chain on each side (a
/// write issued just before the cut fails just after it), and before it the DNS window
/// in which a promotion would still show.
fn window(c: &Cut, chain: Nanos, dns: Nanos) -> (Nanos, Nanos) {
    (
        c.at.saturating_sub(chain.saturating_add(dns)),
        c.at.saturating_add(chain),
    )
}

/// The cuts of episode `m` for variant `variant`, whose writes arrive at `rate`: from
/// every outage that no other outage of the episode comes near (timers of one could run
/// into the other), the stretch from its `onset` to an attempt chain and `lead` before
/// its repair, if that is at least an attempt chain long. Outages in `skip` (their cut
/// failed the check earlier in the span) are kept whole. `None` when nothing is cut.
pub fn plan(m: &Model, variant: usize, lead: Nanos, rate: f64, skip: &[Target]) -> Option<Plan> {
    let v = &m.variants[variant];
    let chain = chain(m);
    let onset_of = |o: &Outage| {
        onset(
            m,
            variant,
            lead,
            rate,
            o.target == Target::Region(m.primary),
        )
    };
    // Timers of one outage must not run into another's stretch.
    let longest = onset(m, variant, lead, rate, true);
    let margin = longest.saturating_add(chain).saturating_add(lead);
    let near = |a: &Outage, b: &Outage| {
        let (a0, a1) = (a.start, a.start.saturating_add(a.duration));
        let (b0, b1) = (b.start, b.start.saturating_add(b.duration));
        b0 < a1.saturating_add(margin) && a0 < b1.saturating_add(margin)
    };
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
        let to = (o.start.saturating_add(o.duration)).saturating_sub(chain.saturating_add(lead));
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

/// Did the shortened episode `m` (its simulation `r`) stand still around every cut?
/// Around each, every time bucket acknowledged nothing, refused nothing as read-only
/// or as not primary, and timed attempts out only while the outage kept requests from
/// the primary (its region, or the client's link to it, down: no attempt can have
/// been accepted into a log), and the region down
/// region was not primary if the cut was planned without an auto-promotion; the window
/// held at least a few writes; and no promotion was requested, escalated or completed
/// in it.
pub fn blocked(r: &SimResult, m: &Model, cuts: &[Cut]) -> bool {
    let chain = chain(m);
    let width = secs(m.bucket);
    cuts.iter().all(|c| {
        let (from, to) = window(c, chain, m.promotion.dns);
        let (from_s, to_s) = (secs(from), secs(to));
        let client = m.workload.client_region;
        let buckets: Vec<_> = r
            .timeseries
            .iter()
            .filter(|b| b.t_s + width > from_s && b.t_s < to_s)
            .collect();
        let still = buckets.iter().all(|b| {
            let primary = m.regions.iter().position(|g| g.name == b.primary);
            let down_is_primary = primary.is_some_and(|p| c.target == Target::Region(p));
            // Requests to a primary that is down, or over the client's link to it
            // that is down, are never delivered: their timeouts accepted nothing.
            let undelivered =
                down_is_primary || primary.is_some_and(|p| c.target == Target::link(client, p));
            b.acked == 0
                && b.readonly == 0
                && b.unavailable == 0
                && (b.timed_out == 0 || undelivered)
                && !(c.not_primary && down_is_primary)
        });
        let offered: u64 = buckets.iter().map(|b| b.offered).sum();
        let moved = r.promotions.iter().any(|p| {
            let inside = |t: f64| t >= from_s && t < to_s;
            inside(p.requested_s)
                || p.escalated_s.is_some_and(inside)
                || p.completed_s.is_some_and(inside)
        });
        still && offered >= MIN_WINDOW_WRITES && !moved
    })
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
    pub fn planned(&self, m: &Model, variant: usize, lead: Nanos, rate: f64) -> Nanos {
        plan(m, variant, lead, rate, &self.skip(m.primary)).map_or(0, |p| p.removed())
    }
}

/// Simulates episode `m` of variant `variant` (writes at `rate`, lead-in `lead`) by
/// `simulate` (the model, and the windows in seconds its result must keep): with the
/// blocked interiors of its failures cut if `blocked` confirms them, else whole.
/// Returns the simulation, the model it ran and the time cut.
pub fn simulate(
    m: Model,
    variant: usize,
    lead: Nanos,
    rate: f64,
    uncut: &mut Uncut,
    mut simulate: impl FnMut(&Model, &[(f64, f64)]) -> Result<SimResult>,
) -> Result<(SimResult, Model, Nanos)> {
    if let Some(plan) = plan(&m, variant, lead, rate, &uncut.skip(m.primary)) {
        let r = simulate(&plan.model, &plan.windows_s())?;
        if blocked(&r, &plan.model, &plan.cuts) {
            let removed = plan.removed();
            return Ok((r, plan.model, removed));
        }
        uncut
            .0
            .extend(plan.cuts.iter().map(|c| (m.primary, c.target)));
    }
    let r = simulate(&m, &[])?;
    Ok((r, m, 0))
}

/// Draws of a repair time `expected_cut` averages over (a fixed stream: the
/// estimate is the same every time).
const CUT_DRAWS: u32 = 1024;

/// The time an episode of `failure` is expected to have cut for variant `variant`
/// (`year::estimate`): where a failure of a region that is not the primary, or of a
/// link, blocks a variant that has a lag limit, its stretch past the onset; nothing
/// where it may not block (the primary's failure may end in a promotion that
/// accepts writes again; without a limit nothing throttles).
pub fn expected_cut(
    model: &Model,
    variant: usize,
    lead: Nanos,
    rate: f64,
    failure: &Failure,
) -> Nanos {
    let v = &model.variants[variant];
    let limited = v.max_lag.is_some() || v.max_lag_writes.is_some();
    if failure.target == Target::Region(model.primary) || !limited || !failure.mttr.mean.is_finite()
    {
        return 0;
    }
    let kept = onset(model, variant, lead, rate, false)
        .saturating_add(chain(model))
        .saturating_add(lead);
    let mut rng = stream(0, 0, Purpose::Year);
    let total: f64 = (0..CUT_DRAWS)
        .map(|_| (failure.mttr.dist.sample(&mut rng) - kept as f64).max(0.0))
        .sum();
    (total / f64::from(CUT_DRAWS)) as Nanos
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OutageKind, NS_PER_S};
    use crate::results::Bucket;

    const MIN: Nanos = 60 * NS_PER_S;

    /// Two regions, 10 writes/s, attempts of 4 × (60 s + 1 s) by default; a secondary
    /// that the variant `mode` waits for with `max_lag`.
    fn model(mode: &str, extra: &str) -> Model {
        let text = format!(
            r#"
[simulation]
duration = "10h"
[[region]]
name = "p"
[[region]]
name = "s"
[[link]]
between = ["p", "s"]
rtt = "80ms"
[workload]
client_region = "p"
rate = 10
size = "1KiB"
[replication]
primary = "p"
secondaries = ["s"]
{extra}
[[variant]]
name = "v"
mode = "{mode}"
max_lag = "5m"
"#
        );
        crate::scenario::parse(&text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"))
    }

    fn down(target: Target, start: Nanos, duration: Nanos) -> Outage {
        Outage {
            target,
            start,
            duration,
            kind: OutageKind::Down,
        }
    }

    #[test]
    fn a_long_secondary_failure_is_cut_from_its_onset_to_a_chain_before_its_repair() {
        let mut m = model("async", "");
        let chain = 4 * (61 * NS_PER_S);
        let lead = MIN;
        // Onset: the lag limit, two attempt chains and the lead-in (no auto-promotion).
        assert_eq!(onset(&m, 0, lead, 10.0, false), 5 * MIN + 2 * chain + lead);
        m.outages = vec![
            down(Target::Region(1), 10 * MIN, 180 * MIN),
            down(Target::Region(1), 400 * MIN, 5 * MIN),
        ];
        let plan = plan(&m, 0, lead, 10.0, &[]).expect("a cut");
        let from = 10 * MIN + 5 * MIN + 2 * chain + lead;
        let length = 190 * MIN - chain - lead - from;
        assert_eq!(
            plan.cuts,
            vec![Cut {
                at: from,
                length,
                target: Target::Region(1),
                not_primary: true
            }]
        );
        assert_eq!(plan.removed(), length);
        assert_eq!(plan.model.duration, m.duration - length);
        assert_eq!(plan.model.outages[0].duration, 180 * MIN - length);
        // The later outage keeps its distance from the repair.
        assert_eq!(plan.model.outages[1].start, 400 * MIN - length);
        // Skipped (its cut failed before), or too short: nothing cut.
        assert!(super::plan(&m, 0, lead, 10.0, &[Target::Region(1)]).is_none());
        m.outages[0].duration = 20 * MIN;
        assert!(super::plan(&m, 0, lead, 10.0, &[]).is_none());
    }

    #[test]
    fn outages_near_each_other_and_the_primary_without_its_timers_are_not_cut_alike() {
        let mut m = model(
            "sync",
            "[policy]\nauto_promote = { after = \"15m\", kind = \"forced\" }",
        );
        let lead = MIN;
        let primary = onset(&m, 0, lead, 10.0, true);
        let other = onset(&m, 0, lead, 10.0, false);
        // The auto-promotion, its switch and DNS window come first for the primary.
        assert_eq!(
            primary - other,
            15 * MIN + m.promotion.switch + m.promotion.dns
        );
        m.outages = vec![down(Target::Region(0), 0, 300 * MIN)];
        let plan = plan(&m, 0, lead, 10.0, &[]).expect("a cut");
        assert_eq!(plan.cuts[0].at, primary);
        assert!(!plan.cuts[0].not_primary);
        // A second failure within the margin of the first: neither is cut.
        m.outages
            .push(down(Target::Region(1), 310 * MIN, 300 * MIN));
        assert!(super::plan(&m, 0, lead, 10.0, &[]).is_none());
    }

    #[test]
    fn recovery_points_keep_their_clock() {
        let mut m = model("snapshot", "");
        m.variants[0].snapshot_interval = 7 * MIN;
        m.outages = vec![down(Target::Region(1), 0, 300 * MIN)];
        let plan = plan(&m, 0, MIN, 10.0, &[]).expect("a cut");
        assert_eq!(plan.removed() % (7 * MIN), 0);
        assert!(plan.removed() > 0);
    }

    fn bucket(t_s: f64, primary: &str) -> Bucket {
        Bucket {
            t_s,
            offered: 10,
            acked: 0,
            throttled: 30,
            readonly: 0,
            unavailable: 0,
            timed_out: 0,
            lag_s: 600.0,
            latency_p99_ms: 0.0,
            primary: primary.into(),
            reads: None,
        }
    }

    fn result(timeseries: Vec<Bucket>) -> SimResult {
        SimResult {
            summary: Default::default(),
            timeseries,
            latency_cdf: Vec::new(),
            first_try_cdf: Vec::new(),
            promotions: Vec::new(),
            outages: Vec::new(),
            visibility_curve: Vec::new(),
        }
    }

    #[test]
    fn a_cut_holds_only_where_nothing_was_accepted_or_moved() {
        let m = model("async", "");
        let cut = |target, not_primary| Cut {
            at: 3600 * NS_PER_S,
            length: 600 * NS_PER_S,
            target,
            not_primary,
        };
        let series = |primary: &str| (0..7200).map(|t| bucket(t as f64, primary)).collect();
        let secondary = [cut(Target::Region(1), true)];
        let mut r = result(series("p"));
        assert!(blocked(&r, &m, &secondary));
        // One acknowledgement just inside the window (an attempt chain after the cut).
        r.timeseries[3600 + 240].acked = 1;
        assert!(!blocked(&r, &m, &secondary));
        r.timeseries[3600 + 240].acked = 0;
        // One just outside it.
        r.timeseries[3600 + 250].acked = 1;
        assert!(blocked(&r, &m, &secondary));
        // Timeouts while the primary is up: an attempt may have been accepted.
        r.timeseries[3500].timed_out = 1;
        assert!(!blocked(&r, &m, &secondary));
        // While the primary itself is down they are undelivered requests.
        let mut down = result(series("p"));
        down.timeseries[3500].timed_out = 1;
        assert!(blocked(&down, &m, &[cut(Target::Region(0), false)]));
        // ... unless the cut was planned without the primary's timers.
        assert!(!blocked(&down, &m, &[cut(Target::Region(0), true)]));
        // Too few writes in the window to tell.
        let mut quiet = result(series("p"));
        quiet.timeseries.iter_mut().for_each(|b| b.offered = 0);
        assert!(!blocked(&quiet, &m, &secondary));
    }
}
