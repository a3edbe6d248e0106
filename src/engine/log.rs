//! The primary's replication log: the entries not yet applied everywhere, their
//! sequence numbers, the sync cursor and the log's epoch.
//!
//! Owns: the entries (`VecDeque`, trimmed from the front), `base` (the sequence number
//! of the first entry kept), `next_seq`, `sync_cursor` (every entry below it is past
//! its wait for sync acks), the epoch (which stale applies and acks are recognised by)
//! and whether a forced promotion *cut* replication from it: after a cut nothing more
//! is applied from the log, but acks already on their way still count (SPEC §3.1 "Acks
//! in flight at a forced cut") for the entries below the cut.
//!
//! Must not touch: secondaries, the event queue, the clients' writes or the metrics.
//! Every method is a plain operation on the log, unit-tested below without a
//! simulation; the engine (`engine/sim/replication.rs`) decides when to call them.
//!
//! Memory: an entry is 32 bytes and leaves once every secondary has applied it and its
//! sync wait is over, so the log grows with the replication backlog only.

use std::collections::VecDeque;

use super::event::WriteRef;
use crate::model::Nanos;

/// Log capacity (entries) above which a mostly empty log is shrunk.
const SHRINK_ABOVE: usize = 1 << 16;

/// Where a log entry stands at the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryState {
    /// Sync write waiting for the acks its commit rule needs.
    WaitingAcks,
    /// The primary's commit is in progress.
    Committing,
    Committed,
    /// The primary went down before committing it: it never happened.
    Void,
}

/// A write in the replication log (32 bytes).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub t_accept: Nanos,
    pub w: WriteRef,
    pub attempt: u32,
    pub size: u32,
    pub state: EntryState,
    /// Accepted in sync mode: shipped to ready secondaries before the primary commits.
    pub sync: bool,
    /// Issued after warmup (counted in the figures).
    pub counted: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ReplicationLog {
    entries: VecDeque<Entry>,
    /// Sequence number of `entries[0]`.
    base: u64,
    /// Sequence number the next accepted write gets.
    next_seq: u64,
    /// Every entry below this has left the "waiting for sync acks" state.
    sync_cursor: u64,
    /// Changes when the log is replaced (promotion).
    epoch: u32,
    /// A forced promotion stopped replication from this log: nothing more is shipped or
    /// applied from it, and no lag counts it; a sync write below the bound (the entries
    /// the target had applied) may still be committed on the target's ack.
    cut: Option<u64>,
}

impl ReplicationLog {
    pub fn new() -> ReplicationLog {
        ReplicationLog::default()
    }

    #[inline]
    pub fn get(&self, seq: u64) -> Option<&Entry> {
        seq.checked_sub(self.base)
            .and_then(|i| self.entries.get(i as usize))
    }

    #[inline]
    pub fn get_mut(&mut self, seq: u64) -> Option<&mut Entry> {
        seq.checked_sub(self.base)
            .and_then(|i| self.entries.get_mut(i as usize))
    }

    /// The sequence number the next accepted write gets.
    #[inline]
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The sequence number of the first entry kept.
    #[inline]
    pub fn base(&self) -> u64 {
        self.base
    }

    #[inline]
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// A forced promotion cut replication from this log.
    #[inline]
    pub fn is_cut(&self) -> bool {
        self.cut.is_some()
    }

    /// The bound of the cut: entries below it were on the target.
    #[inline]
    pub fn cut_below(&self) -> Option<u64> {
        self.cut
    }

    /// May an apply of `epoch` still happen (this log, not cut)?
    #[inline]
    pub fn applies(&self, epoch: u32) -> bool {
        epoch == self.epoch && self.cut.is_none()
    }

    /// Is an ack of `epoch` about this log (sent before its replacement)?
    #[inline]
    pub fn acks(&self, epoch: u32) -> bool {
        epoch == self.epoch
    }

    /// Entries kept (the backlog of the slowest secondary, or of the sync wait).
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Are there entries still waiting for sync acks (at or after the cursor)?
    #[inline]
    pub fn sync_pending(&self) -> bool {
        self.sync_cursor < self.next_seq
    }

    /// t_accept of the oldest entry still waiting for sync acks (SPEC §6.2: what the
    /// semi-sync timeout runs from); None when none waits.
    pub fn oldest_waiting(&self) -> Option<Nanos> {
        self.entries_from(self.sync_cursor)
            .find(|(_, e)| e.state == EntryState::WaitingAcks)
            .map(|(_, e)| e.t_accept)
    }

    /// Appends an accepted write; returns its sequence number. An entry that waits for
    /// no acks moves the sync cursor past it if the cursor was there.
    pub fn push(&mut self, entry: Entry) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if entry.state != EntryState::WaitingAcks && self.sync_cursor == seq {
            self.sync_cursor = seq + 1;
        }
        self.entries.push_back(entry);
        seq
    }

    /// The first sequence number at or after `seq` that is not void.
    pub fn skip_void(&self, mut seq: u64) -> u64 {
        while self.get(seq).is_some_and(|e| e.state == EntryState::Void) {
            seq += 1;
        }
        seq
    }

    /// The next sync write whose wait is over, in log order: moves the cursor past
    /// entries that wait for nothing; at an entry waiting for acks, asks `acked(seq)`
    /// and, if it has them, moves past it and returns it. None: the cursor is at the
    /// end, or at a write still waiting.
    pub fn next_sync_done(&mut self, mut acked: impl FnMut(u64) -> bool) -> Option<u64> {
        while self.sync_cursor < self.next_seq {
            let seq = self.sync_cursor;
            let waiting = self
                .get(seq)
                .is_some_and(|e| e.state == EntryState::WaitingAcks);
            if waiting && !acked(seq) {
                return None;
            }
            self.sync_cursor += 1;
            if waiting {
                return Some(seq);
            }
        }
        None
    }

    /// The entries waiting for acks at or after the cursor, which then moves to the
    /// end (a switch to async: they need their acks no more).
    pub fn release_sync_waits(&mut self) -> Vec<u64> {
        let waiting = (self.sync_cursor..self.next_seq)
            .filter(|&s| {
                self.get(s)
                    .is_some_and(|e| e.state == EntryState::WaitingAcks)
            })
            .collect();
        self.sync_cursor = self.next_seq;
        waiting
    }

    /// Could `trim` drop anything: is an entry below the sync cursor still kept?
    #[inline]
    pub fn trimmable(&self) -> bool {
        self.base < self.sync_cursor
    }

    /// Drops the entries below `applied_everywhere` whose sync wait is over.
    pub fn trim(&mut self, applied_everywhere: u64) {
        let below = applied_everywhere.min(self.sync_cursor);
        while self.base < below && !self.entries.is_empty() {
            self.entries.pop_front();
            self.base += 1;
        }
        // A drained outage backlog gives its memory back (a steady log is far below
        // this size, so this costs nothing per write).
        let cap = self.entries.capacity();
        if cap > SHRINK_ABOVE && self.entries.len() < cap / 4 {
            self.entries.shrink_to(self.entries.len() * 2);
        }
    }

    /// The primary went down: its commits in progress and its writes waiting for acks
    /// never happen. Returns the writes voided.
    pub fn void_in_progress(&mut self) -> Vec<WriteRef> {
        let mut voided = Vec::new();
        for e in self.entries.iter_mut() {
            if matches!(e.state, EntryState::Committing | EntryState::WaitingAcks) {
                e.state = EntryState::Void;
                voided.push(e.w);
            }
        }
        voided
    }

    /// Entries from `from` to the end with their sequence numbers.
    pub fn entries_from(&self, from: u64) -> impl Iterator<Item = (u64, &Entry)> {
        let skip = from.saturating_sub(self.base) as usize;
        (self.base..).zip(self.entries.iter()).skip(skip)
    }

    /// A forced promotion cuts replication from this log; the target had applied every
    /// entry below `below`.
    pub fn cut(&mut self, below: u64) {
        self.cut = Some(below);
    }

    /// A promotion completed: the new primary starts an empty log that continues the
    /// sequence numbers. Returns the writes that were still waiting for acks (never
    /// committed now).
    pub fn replace(&mut self) -> Vec<WriteRef> {
        let waiting = self
            .entries
            .iter()
            .filter(|e| e.state == EntryState::WaitingAcks)
            .map(|e| e.w)
            .collect();
        self.entries.clear();
        self.base = self.next_seq;
        self.sync_cursor = self.next_seq;
        self.epoch = self.epoch.wrapping_add(1);
        self.cut = None;
        waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(t: Nanos, state: EntryState) -> Entry {
        Entry {
            t_accept: t,
            w: WriteRef {
                slot: t as u32,
                gen: 0,
            },
            attempt: 0,
            size: 1,
            state,
            sync: state == EntryState::WaitingAcks,
            counted: true,
        }
    }

    #[test]
    fn push_numbers_entries_and_moves_the_sync_cursor_past_async_ones() {
        let mut log = ReplicationLog::new();
        assert_eq!(log.push(entry(1, EntryState::Committing)), 0);
        assert!(!log.sync_pending());
        assert_eq!(log.push(entry(2, EntryState::WaitingAcks)), 1);
        assert!(log.sync_pending());
        // An async write behind a waiting sync write leaves the cursor where it is.
        assert_eq!(log.push(entry(3, EntryState::Committing)), 2);
        assert_eq!(log.next_seq(), 3);
        assert_eq!(log.get(1).unwrap().t_accept, 2);
        assert!(log.get(3).is_none());
    }

    #[test]
    fn sync_waits_end_in_log_order() {
        let mut log = ReplicationLog::new();
        for t in 0..4 {
            log.push(entry(t, EntryState::WaitingAcks));
        }
        // Entry 1 has its acks, entry 0 not: nothing may commit before 0.
        assert_eq!(log.next_sync_done(|s| s == 1), None);
        assert_eq!(log.next_sync_done(|s| s <= 1), Some(0));
        assert_eq!(log.next_sync_done(|s| s <= 1), Some(1));
        assert_eq!(log.next_sync_done(|s| s <= 1), None);
        assert_eq!(log.release_sync_waits(), vec![2, 3]);
        assert!(!log.sync_pending());
    }

    #[test]
    fn trim_keeps_what_a_secondary_or_the_sync_wait_still_needs() {
        let mut log = ReplicationLog::new();
        for t in 0..5 {
            log.push(entry(t, EntryState::WaitingAcks));
        }
        assert!(!log.trimmable(), "nothing is past its sync wait");
        log.trim(3);
        assert_eq!(log.len(), 5, "the sync cursor is still at 0");
        while log.next_sync_done(|_| true).is_some() {}
        assert!(log.trimmable());
        log.trim(3);
        assert_eq!(log.len(), 2);
        assert!(log.get(2).is_none() && log.get(3).is_some());
        assert!(log.trimmable(), "entries 3 and 4 wait for a secondary only");
        log.trim(5);
        assert!(log.len() == 0 && !log.trimmable());
    }

    #[test]
    fn an_outage_voids_what_the_primary_had_not_committed() {
        let mut log = ReplicationLog::new();
        log.push(entry(0, EntryState::Committed));
        log.push(entry(1, EntryState::Committing));
        log.push(entry(2, EntryState::WaitingAcks));
        log.push(entry(3, EntryState::Committed));
        let voided = log.void_in_progress();
        assert_eq!(voided.iter().map(|w| w.slot).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(log.skip_void(1), 3);
        assert_eq!(log.skip_void(0), 0);
    }

    #[test]
    fn a_cut_makes_older_epochs_stale_and_a_replacement_starts_afresh() {
        let mut log = ReplicationLog::new();
        log.push(entry(0, EntryState::Committed));
        log.push(entry(1, EntryState::WaitingAcks));
        let e = log.epoch();
        assert!(log.applies(e) && log.acks(e));
        log.cut(1);
        assert!(log.is_cut());
        assert_eq!(log.cut_below(), Some(1));
        assert!(!log.applies(e), "nothing is applied from a cut log");
        assert!(log.acks(e), "acks already on their way still count");
        assert_eq!(log.entries_from(1).map(|(s, _)| s).collect::<Vec<_>>(), [1]);
        let waiting = log.replace();
        assert_eq!(waiting.len(), 1);
        assert!(!log.is_cut() && log.applies(log.epoch()));
        assert!(!log.acks(e), "acks about the old log are stale");
        assert_eq!(log.len(), 0);
        assert_eq!(log.push(entry(5, EntryState::Committing)), 2);
        assert!(log.get(2).is_some() && log.get(1).is_none());
    }
}
