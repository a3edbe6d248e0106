//! Episodes that variants share (issue 15): two variants that differ only in
//! `max_lag` make the same decisions, draw for draw, in an episode in which the lag
//! reached neither limit, so such an episode is simulated once for both.
//!
//! `max_lag` enters the engine twice: rule 4 throttles while the namespace lag exceeds
//! it, and a resyncing secondary is ready once it is less than `min(1 s, max_lag)`
//! behind (`engine::sim::CAUGHT_UP`). The second is the same for every limit of at
//! least a second (or none). The first decides the same while the lag is at most both
//! limits; the lag at any moment is at most the run's `lag_max` (the recorder's
//! maximum of the same namespace lag, over the whole run, as an episode has no
//! warmup). So a result whose `lag_max` is within both limits is the other variant's
//! result too. Only the episodes are shared: the failure-free measurements have a
//! warmup the maximum leaves out.

use crate::engine::sim::CAUGHT_UP;
use crate::model::{Model, Nanos, Outage, RegionId, Variant};
use crate::results::SimResult;
use crate::time::from_secs;

/// The variants of `variants` (in their order) grouped so that the variants of a group
/// differ at most in a `max_lag` of at least `CAUGHT_UP` (or none); groups in the order
/// of their first variant.
pub fn groups(model: &Model, variants: &[usize]) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    for &v in variants {
        let key = sharing_key(&model.variants[v]);
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, g)) => g.push(v),
            None => groups.push((key, vec![v])),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Everything of a variant that its simulation reads, but its name and its `max_lag`;
/// `None` when its `max_lag` is below `CAUGHT_UP` (it then also sets readiness). The
/// `Debug` text holds every field, so a field added to `Variant` later keeps variants
/// that differ in it apart.
fn sharing_key(v: &Variant) -> Option<String> {
    if v.max_lag.is_some_and(|m| m < CAUGHT_UP) {
        return None;
    }
    let mut v = v.clone();
    v.name.clear();
    v.max_lag = None;
    Some(format!("{v:?}"))
}

/// The episodes simulated so far for one group in one run.
#[derive(Default)]
pub struct Shared {
    done: Vec<Done>,
}

/// An episode simulated with a limit its lag stayed within.
struct Done {
    episode: Episode,
    /// The result's `lag_max` plus a microsecond: it was kept in seconds as an f64, so
    /// this is never below the exact maximum.
    lag_max: Nanos,
    result: SimResult,
}

/// What sets an episode's simulation apart, besides its variant.
#[derive(PartialEq)]
struct Episode {
    primary: RegionId,
    secondaries: Vec<RegionId>,
    duration: Nanos,
    seed: u64,
    outages: Vec<Outage>,
}

impl Episode {
    fn of(m: &Model) -> Episode {
        Episode {
            primary: m.primary,
            secondaries: m.secondaries.clone(),
            duration: m.duration,
            seed: m.seed,
            outages: m.outages.clone(),
        }
    }
}

/// At most `limit` (no limit: `None`).
fn within(lag: Nanos, limit: Option<Nanos>) -> bool {
    limit.is_none_or(|m| lag <= m)
}

impl Shared {
    /// The result of episode `m` for a variant of the group with limit `max_lag`, if
    /// another variant's simulation of it is that result too.
    pub fn get(&self, m: &Model, max_lag: Option<Nanos>) -> Option<&SimResult> {
        let episode = Episode::of(m);
        self.done
            .iter()
            .find(|d| d.episode == episode && within(d.lag_max, max_lag))
            .map(|d| &d.result)
    }

    /// Keeps `keep(result)` (as much of it as the caller will read back), `result`
    /// being the simulation of episode `m` with limit `max_lag`, if its lag stayed
    /// within that limit: one that throttled is no other variant's result.
    pub fn put(
        &mut self,
        m: &Model,
        max_lag: Option<Nanos>,
        result: &SimResult,
        keep: impl FnOnce(&SimResult) -> SimResult,
    ) {
        let lag_max = from_secs(result.summary.lag_max_s).saturating_add(1_000);
        if within(lag_max, max_lag) {
            self.done.push(Done {
                episode: Episode::of(m),
                lag_max,
                result: keep(result),
            });
        }
    }
}
