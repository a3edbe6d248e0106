//! The lag rule: which secondaries the namespace lag (SPEC §3: throttling, `lag_max_s`,
//! `throttled_s`, `timeseries.csv` `lag_s`) is taken over.
//!
//! Today (Part I): the largest lag over the ready secondaries ([`LagRule::All`]). The
//! engine hands each ready secondary's oldest pending t_accept to
//! [`LagRule::namespace_oldest`] (`Simulation::oldest_pending`, for throttling) and,
//! with its backlog, to [`LagRule::namespace_oldest_and_backlog`]
//! (`Simulation::lag_and_backlog`, for the recorder after every accept and apply; under
//! `All` it reads both off the secondary that has applied least, the same answer, which
//! debug builds check), both in `engine/sim/replication.rs`.
//!
//! How Part II uses it:
//! - §6.3 `lag_quorum = k`: `KthSmallest(k)` (with fewer than k ready, over those that
//!   are, §10); `"all"` stays `All`. The variant's `lag_quorum` picks it in `Config`.
//! - §6.3 backlog (`max_lag_writes`): the same rule over each ready secondary's count
//!   of unapplied writes ([`LagRule::namespace_backlog`], from `namespace_backlog` in
//!   `engine/sim/replication.rs`).
//! - The async → sync switch, a planned drain and readiness look at every ready
//!   secondary whatever the rule (§6.3): they do not go through here.

use crate::model::Nanos;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LagRule {
    /// The largest lag over the ready secondaries (SPEC §3).
    All,
    /// The k-th smallest lag over the ready secondaries (SPEC §6.3 `lag_quorum`).
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
            // A smaller lag is a later t_accept, and no pending write the smallest lag
            // of all: order by `Reverse`, with `None` (lag 0) before every time.
            LagRule::KthSmallest(k) => kth_smallest(pending.map(|p| p.map(std::cmp::Reverse)), k)
                .and_then(|p| p.map(|r| r.0)),
        }
    }

    /// Both at once from each ready secondary's (oldest pending t_accept, backlog):
    /// the recorder wants both after every accept and apply, and under `All` one pass
    /// gives them.
    #[inline]
    pub fn namespace_oldest_and_backlog(
        self,
        secondaries: impl Iterator<Item = (Option<Nanos>, u64)> + Clone,
    ) -> (Option<Nanos>, u64) {
        match self {
            LagRule::All => secondaries.fold((None, 0), |(oldest, backlog), (p, b)| {
                let oldest = match (oldest, p) {
                    (Some(o), Some(p)) => Some(o.min(p)),
                    (o, p) => o.or(p),
                };
                (oldest, backlog.max(b))
            }),
            LagRule::KthSmallest(_) => (
                self.namespace_oldest(secondaries.clone().map(|(p, _)| p)),
                self.namespace_backlog(secondaries.map(|(_, b)| b)),
            ),
        }
    }

    /// The namespace backlog (SPEC §6.3): taken the same way over each ready
    /// secondary's count of writes accepted and not yet applied there; 0 with none.
    #[inline]
    pub fn namespace_backlog(self, backlogs: impl Iterator<Item = u64>) -> u64 {
        match self {
            LagRule::All => backlogs.max().unwrap_or(0),
            LagRule::KthSmallest(k) => kth_smallest(backlogs, k).unwrap_or(0),
        }
    }
}

/// The k-th smallest item (1-based; with fewer than k items, the largest; `None` with
/// none), without allocating for the few secondaries a scenario has. Out of line:
/// inlined, its selection code tripled the size of the callers on every write's path
/// under the `All` rule too (issue 15: the hot loop's code is what stays in cache).
#[inline(never)]
fn kth_smallest<T: Ord + Copy + Default>(items: impl Iterator<Item = T>, k: u32) -> Option<T> {
    const FEW: usize = 16;
    let mut buf = [T::default(); FEW];
    let mut n = 0;
    let mut more: Vec<T> = Vec::new();
    for x in items {
        if n < FEW {
            buf[n] = x;
            n += 1;
        } else {
            more.push(x);
        }
    }
    let all: &mut [T] = if more.is_empty() {
        &mut buf[..n]
    } else {
        more.extend_from_slice(&buf[..n]);
        &mut more
    };
    if all.is_empty() {
        return None;
    }
    let k = (k as usize).clamp(1, all.len());
    all.sort_unstable();
    Some(all[k - 1])
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

    #[test]
    fn the_backlog_follows_the_same_rule() {
        let b = || [40u64, 0, 7].into_iter();
        assert_eq!(LagRule::All.namespace_backlog(b()), 40);
        assert_eq!(LagRule::KthSmallest(1).namespace_backlog(b()), 0);
        assert_eq!(LagRule::KthSmallest(2).namespace_backlog(b()), 7);
        assert_eq!(LagRule::KthSmallest(3).namespace_backlog(b()), 40);
        assert_eq!(LagRule::KthSmallest(9).namespace_backlog(b()), 40);
        assert_eq!(
            LagRule::KthSmallest(1).namespace_backlog(std::iter::empty()),
            0
        );
        // More secondaries than the stack buffer holds.
        let many = (0..40u64).rev();
        assert_eq!(LagRule::KthSmallest(3).namespace_backlog(many), 2);
    }
}
