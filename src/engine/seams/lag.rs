//! The lag rule: which secondaries the namespace lag (SPEC §3: throttling, `lag_max_s`,
//! `throttled_s`, `timeseries.csv` `lag_s`) is taken over.
//!
//! Today (Part I): the largest lag over the ready secondaries ([`LagRule::All`]). The
//! engine computes the lag in one place (`Simulation::oldest_pending`,
//! `engine/sim/replication.rs`), which hands each ready secondary's oldest pending
//! t_accept to [`LagRule::namespace_oldest`].
//!
//! How Part II uses it:
//! - §6.3 `lag_quorum = k`: `KthSmallest(k)`, already computed here (with fewer than k
//!   ready, over those that are, §10); `"all"` stays `All`. The variant's `lag_quorum`
//!   picks it in `Config`.
//! - §6.3 backlog (`max_lag_writes`): the same rule over each secondary's count of
//!   unapplied writes; pass counts instead of times to a sibling of `namespace_oldest`.
//! - The async → sync switch, a planned drain and readiness look at every ready
//!   secondary whatever the rule (§6.3): they do not go through here.

use crate::model::Nanos;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LagRule {
    /// The largest lag over the ready secondaries (SPEC §3).
    All,
    /// The k-th smallest lag over the ready secondaries (SPEC §6.3 `lag_quorum`).
    #[cfg_attr(not(test), allow(dead_code))]
    KthSmallest(u32),
}

impl LagRule {
    /// The t_accept the namespace lag runs from, given each ready secondary's oldest
    /// pending t_accept (`None`: it lacks nothing, lag 0); `None`: the namespace lag
    /// is 0. The lag at `now` is `now − t_accept`, so a smaller lag is a later time.
    #[inline]
    pub fn namespace_oldest(self, pending: impl Iterator<Item = Option<Nanos>>) -> Option<Nanos> {
        match self {
            LagRule::All => pending.flatten().min(),
            LagRule::KthSmallest(k) => {
                // Few secondaries: sort their lags, smallest (latest time, or none) first.
                let mut lags: Vec<Option<Nanos>> = pending.collect();
                lags.sort_by(|a, b| match (a, b) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, Some(_)) => std::cmp::Ordering::Less,
                    (Some(_), None) => std::cmp::Ordering::Greater,
                    (Some(x), Some(y)) => y.cmp(x),
                });
                let k = (k as usize).clamp(1, lags.len().max(1));
                lags.get(k - 1).copied().flatten()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_takes_the_largest_lag() {
        let r = LagRule::All;
        assert_eq!(
            r.namespace_oldest([Some(5), None, Some(3)].into_iter()),
            Some(3)
        );
        assert_eq!(r.namespace_oldest([None, None].into_iter()), None);
        assert_eq!(r.namespace_oldest(std::iter::empty()), None);
    }

    #[test]
    fn kth_smallest_counts_over_the_ready_ones() {
        // Lags at now = 10: 5, 0, 7 → sorted 0, 5, 7.
        let pending = || [Some(5), None, Some(3)].into_iter();
        assert_eq!(LagRule::KthSmallest(1).namespace_oldest(pending()), None);
        assert_eq!(LagRule::KthSmallest(2).namespace_oldest(pending()), Some(5));
        assert_eq!(LagRule::KthSmallest(3).namespace_oldest(pending()), Some(3));
        // Fewer ready than k: over those that are.
        assert_eq!(LagRule::KthSmallest(5).namespace_oldest(pending()), Some(3));
        assert_eq!(
            LagRule::KthSmallest(2).namespace_oldest(std::iter::empty()),
            None
        );
    }
}
