//! The commit rule: which secondaries' acks a write needs before the primary commits it.
//!
//! Today (Part I): async needs none ([`CommitRule::None`]); sync needs every ready
//! secondary ([`CommitRule::All`], the setting `Config::sync_rule` of
//! `engine/sim/mod.rs`). The engine asks [`CommitRule::waits`] when a write is accepted
//! and [`CommitRule::satisfied`] when an ack arrives (`engine/sim/replication.rs`),
//! nowhere else.
//!
//! How Part II uses it:
//! - §6.1 quorum commit (`sync_acks = k`): `Quorum(k)`; [`CommitRule::satisfied`]
//!   counts "any k of the ready ones, or every ready one when fewer than k are ready"
//!   (§10). The variant's `sync_acks` sets `Config::sync_rule` ([`CommitRule::of`]).
//! - §6.2 semi-sync: `Quorum(k)` (default 1) while it waits; a fallback to async is a
//!   switch of the rule to `None` (as `set_mode` does today), and back.
//! - §6.4 snapshot: `None` (writes commit as async).

use crate::model::Quorum;

/// Which acks a write needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommitRule {
    /// None: the primary commits at once (async).
    None,
    /// Every secondary that counts for the write (sync, SPEC §3).
    All,
    /// Any `k` of them, or all of them while fewer than `k` count (SPEC §6.1, §10).
    Quorum(u32),
}

impl CommitRule {
    /// The rule of a variant's `sync_acks` (SPEC §6.1).
    pub fn of(acks: Quorum) -> CommitRule {
        match acks {
            Quorum::All => CommitRule::All,
            Quorum::Count(k) => CommitRule::Quorum(k),
        }
    }

    /// Does a write wait for acks at all when `eligible` secondaries count for it?
    /// (With none ready, writes proceed as without geo-replication, SPEC §3.)
    #[inline]
    pub fn waits(self, eligible: usize) -> bool {
        self != CommitRule::None && eligible > 0
    }

    /// Are `acked` acks out of `eligible` secondaries enough?
    #[inline]
    pub fn satisfied(self, acked: usize, eligible: usize) -> bool {
        match self {
            CommitRule::None => true,
            CommitRule::All => acked >= eligible,
            CommitRule::Quorum(k) => acked >= eligible.min(k as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_sync_needs_every_ready_secondary_and_async_none() {
        let sync = CommitRule::All;
        assert!(sync.waits(2));
        assert!(!sync.waits(0), "no ready secondary: no ack needed");
        assert!(!sync.satisfied(1, 2));
        assert!(sync.satisfied(2, 2));
        let not = CommitRule::None;
        assert!(!not.waits(3));
        assert!(not.satisfied(0, 3));
    }

    #[test]
    fn a_quorum_needs_k_or_every_ready_one_when_fewer() {
        let q = CommitRule::Quorum(2);
        assert!(q.waits(3));
        assert!(!q.satisfied(1, 3));
        assert!(q.satisfied(2, 3));
        assert!(!q.satisfied(0, 1));
        assert!(q.satisfied(1, 1), "fewer than k ready: every ready one");
    }
}
