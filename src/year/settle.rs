//! How long an episode of the year waits after its last repair before it is checked
//! for steady state (`episodes.rs`, "Settled" in docs/year-of-failures.md): the
//! attempts still running, the promotions still due, the resync of a region that was
//! away.

use crate::model::{Mode, Model, Nanos, Quorum, RegionId, Target};

/// Every attempt of one write, with its timeout and backoff.
pub fn attempt_chain(model: &Model) -> Nanos {
    let w = &model.workload;
    (u64::from(w.retries) + 1).saturating_mul(w.timeout.saturating_add(w.backoff))
}

/// The longest a region away for `away` may take to resync at the link's spare
/// capacity, load `rho` (every write of its time away; never, at ρ ≥ 1).
pub fn resync(away: Nanos, rho: f64) -> Nanos {
    if rho <= 0.0 {
        0
    } else if rho < 1.0 {
        (away as f64 * rho / (1.0 - rho)).min(u64::MAX as f64 / 4.0) as Nanos
    } else {
        Nanos::MAX / 4
    }
}

/// How much of its time `away` a region returning at the end of an episode may have to
/// resync: all of it; or, when the namespace is async with a lag limit `L` that waits
/// for every secondary (none removed) and no failure of the episode (`targets`) is of
/// the primary of its start (`primary`, so no promotion either), at most `L` and an
/// attempt chain: once the oldest write a secondary lacks is older than `L`, every
/// write is throttled, so the backlog holds the writes of at most the first `L` of the
/// failures (and those still in flight then).
pub fn backlog_span(
    model: &Model,
    variant: usize,
    primary: RegionId,
    mut targets: impl Iterator<Item = Target>,
    away: Nanos,
) -> Nanos {
    let v = &model.variants[variant];
    let throttled = v.mode == Mode::Async
        && v.lag_quorum == Quorum::All
        && model.policy.remove_secondary_after.is_none()
        && targets.all(|t| t != Target::Region(primary));
    match v.max_lag {
        Some(limit) if throttled => away.min(limit.saturating_add(attempt_chain(model))),
        _ => away,
    }
}

/// How long the promotions of an episode may take after the last repair: the
/// auto-promotion's escalation, switch and DNS window (the longest of the scenario's
/// policy and a preset's own, e.g. a failover group's grace period) and, with
/// `failback`, the wait for the old primary to stay ready, its switch and DNS window.
pub fn promotion_time(model: &Model) -> Nanos {
    let p = &model.promotion;
    let auto = std::iter::once(model.policy.auto_promote)
        .chain(model.variants.iter().map(|v| v.auto_promote))
        .flatten()
        .map(|a| p.switch + p.dns + a.escalate_after.unwrap_or(0))
        .max()
        .unwrap_or(0);
    let back = model
        .policy
        .failback
        .map_or(0, |f| f.after.saturating_add(p.switch + p.dns));
    auto.saturating_add(back)
}

/// How long after the last repair an episode may take to settle, for a region away
/// for `away`: every write issued before it has used all its attempts; a returning
/// region has resynced at the spare capacity of the link (load `rho`: backlog ρ/(1−ρ)
/// of the time it was away) and then a promotion has escalated, switched and
/// repointed DNS; and a lead-in (`lead`) of steady running to check it on.
///
/// The attempts and the resync both start by the repair and run side by side, so the
/// tail waits for the longer of them, not their sum. A promotion is counted after the
/// resync: a planned one drains the returning region before it switches, and a
/// failback waits for the old primary to be ready.
pub fn tail(model: &Model, lead: Nanos, rho: f64, away: Nanos) -> Nanos {
    // At ρ ≥ 1 a resync never ends: the tail waits for none, and the settle check
    // finds the episode unsettled.
    let resync = if rho < 1.0 { resync(away, rho) } else { 0 };
    attempt_chain(model)
        .max(resync.saturating_add(promotion_time(model)))
        .saturating_add(lead)
}
