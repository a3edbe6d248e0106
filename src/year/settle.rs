//! How long an episode of the year waits after its last repair before it is checked
//! for steady state (`episodes.rs`, "Settled" in docs/year-of-failures.md): the
//! attempts still running, the promotions still due, the resync of a region that was
//! away.

use crate::model::{Model, Nanos};

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
    let w = &model.workload;
    let attempts = (u64::from(w.retries) + 1).saturating_mul(w.timeout + w.backoff);
    let promotion = promotion_time(model);
    let resync = if rho > 0.0 && rho < 1.0 {
        (away as f64 * rho / (1.0 - rho)) as Nanos
    } else {
        0
    };
    attempts
        .max(resync.saturating_add(promotion))
        .saturating_add(lead)
}
