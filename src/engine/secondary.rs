//! A region of the replication set seen from the primary: its standing in the set (one
//! enum, so that impossible combinations cannot be written), whether the primary can
//! reach it, and its channel's cursors into the log.
//!
//! Owns: [`Standing`] (ready / joining / resyncing / removed), reachability, the fault
//! spell that `remove_secondary_after` times, the channel's shipping state and cursors
//! (`next_send`, `applied`, `acked`, `last_apply_at`), what it really holds (the last
//! entry applied, the void entries its channel skipped) and the lane of applies
//! scheduled on it.
//!
//! Must not touch: the log, the event queue, the clients or the metrics. The rules of
//! when a standing changes (SPEC §3 "Ready", §3.1 "Ready after a resync") are applied
//! by `engine/sim/replication.rs`; the methods here only say what a standing means.

use super::lane::Lane;
use crate::model::{Nanos, RegionId};

/// Where a secondary stands in the replication set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Caught up: counts for the lag, throttling and sync acks, and a promotion to it
    /// loses no acknowledged sync write. Every secondary starts here.
    Ready,
    /// Ready (lag, throttling, sync acks), but still applying sync writes acknowledged
    /// without it before it joined: a lossless promotion target once it has applied
    /// every entry below `until`.
    Joining { until: u64 },
    /// In the set, not ready: fed asynchronously, not waited for, not throttling.
    /// `target: None` until it becomes reachable, which fixes its t0; then it is ready
    /// (SPEC §3.1 "Ready after a resync") once it has applied every entry below
    /// `target` and the oldest write it still lacks is less than 1 s old (or
    /// `max_lag`, if smaller); otherwise `target` moves to the log's end and it goes on.
    Resyncing { target: Option<u64> },
    /// Left the set (`remove_secondary_after`) until it is reachable again.
    Removed,
}

impl Standing {
    /// Counts for the lag, throttling and sync acks.
    #[inline]
    pub fn is_ready(self) -> bool {
        matches!(self, Standing::Ready | Standing::Joining { .. })
    }

    /// In the replication set (not removed): shipped to, a promotion candidate.
    #[inline]
    pub fn in_set(self) -> bool {
        self != Standing::Removed
    }

    /// The cursor `applied` must reach for the standing to move on (resync or join).
    pub fn catch_up_target(self) -> Option<u64> {
        match self {
            Standing::Joining { until } => Some(until),
            Standing::Resyncing { target } => target,
            Standing::Ready | Standing::Removed => None,
        }
    }
}

/// What the channel to a secondary is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shipping {
    /// Sends when it has something eligible.
    Idle,
    /// Serialising the entry at `next_send` (bandwidth-limited link).
    Sending,
    /// A send failed (an outage will cut it off): waits for the next recovery.
    Blocked,
}

#[derive(Debug, Clone)]
pub(crate) struct Secondary {
    pub region: RegionId,
    pub standing: Standing,
    /// The primary can reach it (its region, the primary's and their link are up).
    pub reachable: bool,
    /// Its own region or its link to the primary is down: unreachable by its own fault,
    /// which `remove_secondary_after` times (SPEC §3.1 "Unreachable").
    pub faulty: bool,
    /// Changes whenever a fault spell starts or ends (a stale removal is recognised by it).
    pub fault_epoch: u32,
    /// Sync writes accepted from this sequence number on wait for its ack: it was ready
    /// when they were accepted (SPEC §3.1 "Whose acks").
    pub acks_from: u64,
    pub shipping: Shipping,
    /// Changes when the channel stalls: a stale `ChannelSent` is recognised by it.
    pub send_epoch: u32,
    /// Every entry with a lower sequence number is applied (or void).
    pub applied: u64,
    /// t_accept of the last write applied here.
    pub last_applied_accept: Option<Nanos>,
    /// The last entry applied here (`applied` also moves past void entries it never
    /// received; this does not).
    pub last_applied_seq: Option<u64>,
    /// Ranges `[from, to)` of void entries its channel skipped (never sent), newest
    /// last: below `last_applied_seq`, every other entry is here (SPEC §3.1 duplicates).
    pub skipped: Vec<(u64, u64)>,
    /// Next entry to put on the channel.
    pub next_send: u64,
    /// Apply time of the last write scheduled to apply (in-order apply).
    pub last_apply_at: Nanos,
    /// Cumulative ack the primary has received from it.
    pub acked: u64,
    /// Applies scheduled on it, in order (outside the event heap).
    pub lane: Lane,
}

impl Secondary {
    pub fn new(region: RegionId) -> Secondary {
        Secondary {
            region,
            standing: Standing::Ready,
            reachable: true,
            faulty: false,
            fault_epoch: 0,
            acks_from: 0,
            shipping: Shipping::Idle,
            send_epoch: 0,
            applied: 0,
            last_applied_accept: None,
            last_applied_seq: None,
            skipped: Vec::new(),
            next_send: 0,
            last_apply_at: 0,
            acked: 0,
            lane: Lane::default(),
        }
    }

    /// Can the channel put an entry on the wire now (as far as this secondary goes)?
    #[inline]
    pub fn can_ship(&self) -> bool {
        self.standing.in_set() && self.reachable && self.shipping == Shipping::Idle
    }

    /// Reachability changed: the channel forgets what it was doing (a send in
    /// progress is stale, a blocked channel may try again).
    pub fn set_reachable(&mut self, reachable: bool) {
        self.reachable = reachable;
        self.send_epoch = self.send_epoch.wrapping_add(1);
        self.shipping = Shipping::Idle;
    }

    /// A fault spell starts (`true`) or ends; returns the spell's epoch.
    pub fn set_faulty(&mut self, faulty: bool) -> u32 {
        self.faulty = faulty;
        self.fault_epoch = self.fault_epoch.wrapping_add(1);
        self.fault_epoch
    }

    /// Entry `seq` was applied here.
    pub fn record_apply(&mut self, seq: u64, t_accept: Nanos) {
        self.last_applied_accept = Some(t_accept);
        self.last_applied_seq = Some(self.last_applied_seq.map_or(seq, |s| s.max(seq)));
    }

    /// The channel skipped the void entries `[from, to)`: they never reach it.
    pub fn record_skip(&mut self, from: u64, to: u64) {
        match self.skipped.last_mut() {
            Some(last) if last.1 == from => last.1 = to,
            _ => self.skipped.push((from, to)),
        }
    }

    /// Forgets skipped ranges wholly below `seq` (the log no longer holds them).
    pub fn forget_skips_below(&mut self, seq: u64) {
        let keep = self.skipped.partition_point(|&(_, to)| to <= seq);
        self.skipped.drain(..keep);
    }

    /// Does it hold a copy of entry `seq` (applied here, not skipped)?
    pub fn holds(&self, seq: u64) -> bool {
        self.last_applied_seq.is_some_and(|last| seq <= last)
            && !self
                .skipped
                .iter()
                .any(|&(from, to)| from <= seq && seq < to)
    }

    /// Reachable again: one removed is added back and resyncs; a resync waiting for
    /// reachability fixes its t0 at the log's end `next_seq`.
    pub fn rejoin(&mut self, next_seq: u64) {
        if matches!(
            self.standing,
            Standing::Removed | Standing::Resyncing { target: None }
        ) {
            self.standing = Standing::Resyncing {
                target: Some(next_seq),
            };
        }
    }

    /// A promotion completed: it follows the new primary from the log's end
    /// `next_seq`, not ready until it has resynced from the moment it is reachable.
    pub fn follow_new_primary(&mut self, next_seq: u64, now: Nanos) {
        self.standing = Standing::Resyncing { target: None };
        self.applied = next_seq;
        self.next_send = next_seq;
        self.acked = next_seq;
        self.shipping = Shipping::Idle;
        self.last_apply_at = now;
        self.send_epoch = self.send_epoch.wrapping_add(1);
        self.last_applied_seq = None;
        self.skipped.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standings_say_what_counts() {
        assert!(Standing::Ready.is_ready());
        assert!(Standing::Joining { until: 3 }.is_ready());
        assert!(!Standing::Resyncing { target: None }.is_ready());
        assert!(!Standing::Removed.is_ready());
        assert!(Standing::Resyncing { target: Some(1) }.in_set());
        assert!(!Standing::Removed.in_set());
        assert_eq!(Standing::Joining { until: 3 }.catch_up_target(), Some(3));
        assert_eq!(Standing::Resyncing { target: None }.catch_up_target(), None);
        assert_eq!(Standing::Ready.catch_up_target(), None);
    }

    #[test]
    fn a_removed_secondary_resyncs_from_the_moment_it_is_reachable() {
        let mut s = Secondary::new(1);
        s.standing = Standing::Removed;
        s.set_reachable(false);
        assert!(!s.can_ship());
        s.set_reachable(true);
        s.rejoin(40);
        assert_eq!(s.standing, Standing::Resyncing { target: Some(40) });
        assert!(s.can_ship());
        // Already resyncing towards a target: reachability again does not move it.
        s.rejoin(50);
        assert_eq!(s.standing, Standing::Resyncing { target: Some(40) });
    }

    #[test]
    fn following_a_new_primary_restarts_every_cursor() {
        let mut s = Secondary::new(1);
        s.applied = 7;
        s.shipping = Shipping::Blocked;
        s.follow_new_primary(12, 99);
        assert_eq!(s.standing, Standing::Resyncing { target: None });
        assert_eq!((s.applied, s.next_send, s.acked), (12, 12, 12));
        assert_eq!(s.last_apply_at, 99);
        assert!(s.can_ship());
        s.rejoin(15);
        assert_eq!(s.standing, Standing::Resyncing { target: Some(15) });
    }

    #[test]
    fn it_holds_what_it_applied_except_what_its_channel_skipped() {
        let mut s = Secondary::new(1);
        assert!(!s.holds(0));
        s.record_apply(0, 5);
        s.record_skip(1, 3);
        s.record_skip(3, 4);
        s.record_apply(4, 9);
        assert_eq!(s.skipped, vec![(1, 4)]);
        assert!(s.holds(0) && s.holds(4));
        assert!(!s.holds(2) && !s.holds(5));
        s.forget_skips_below(4);
        assert!(s.skipped.is_empty());
        assert_eq!(s.set_faulty(true), 1);
        assert!(s.faulty);
    }

    #[test]
    fn a_channel_sends_one_thing_at_a_time() {
        let mut s = Secondary::new(1);
        assert!(s.can_ship());
        s.shipping = Shipping::Sending;
        assert!(!s.can_ship());
        let epoch = s.send_epoch;
        s.set_reachable(true);
        assert_ne!(
            s.send_epoch, epoch,
            "a send in progress is stale after a stall"
        );
        assert!(s.can_ship());
    }
}
