//! A lane: the pending applies of one replication channel, kept outside the event
//! heap because they come due in the order they were scheduled.
//!
//! A secondary applies writes in order (each at max(its arrival + commit, the previous
//! apply)), so a channel's apply times never decrease; with the sequence numbers
//! reserved when they were scheduled, the lane is sorted by (time, sequence) and only
//! its head competes with the heap. That keeps the heap small (a few dozen events
//! instead of every write in flight across the ocean) and each apply costs a deque
//! push and pop instead of two heap sifts.
//!
//! Storage is compact because a drained backlog departs all at once: the entries of
//! one burst are consecutive log entries with consecutive sequence numbers, stored as
//! one run, so each pending apply costs 8 bytes (its time) in that case.

use std::collections::VecDeque;

use crate::model::Nanos;

/// Consecutive pending applies: log entries `entry..entry + len`, scheduled with
/// sequence numbers `seq..seq + len`, all of log epoch `log_epoch`.
#[derive(Debug, Clone, Copy)]
struct Run {
    entry: u64,
    seq: u64,
    len: u64,
    log_epoch: u32,
}

/// One pending apply as it leaves the lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub time: Nanos,
    /// Its sequence number in the event order.
    pub seq: u64,
    /// The log entry applied.
    pub entry: u64,
    pub log_epoch: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Lane {
    times: VecDeque<Nanos>,
    runs: VecDeque<Run>,
}

/// Above this many slots, a lane that has emptied to a quarter of its capacity gives
/// the memory back (after a drained backlog, not in steady state).
const SHRINK_ABOVE: usize = 1 << 16;

impl Lane {
    /// (time, sequence) of the earliest pending apply.
    #[inline]
    pub fn head(&self) -> Option<(Nanos, u64)> {
        let &time = self.times.front()?;
        self.runs.front().map(|r| (time, r.seq))
    }

    /// Could `time` be appended without breaking the lane's order?
    #[inline]
    pub fn accepts(&self, time: Nanos) -> bool {
        self.times.back().is_none_or(|&last| last <= time)
    }

    /// Appends an apply; the caller has checked `accepts(time)` and `seq` comes from
    /// `EventQueue::reserve_seq`, so it is above every sequence number in the lane.
    #[inline(always)]
    pub fn push(&mut self, due: Due) {
        debug_assert!(self.accepts(due.time));
        self.times.push_back(due.time);
        if let Some(r) = self.runs.back_mut() {
            if r.entry + r.len == due.entry
                && r.seq + r.len == due.seq
                && r.log_epoch == due.log_epoch
            {
                r.len += 1;
                return;
            }
        }
        self.runs.push_back(Run {
            entry: due.entry,
            seq: due.seq,
            len: 1,
            log_epoch: due.log_epoch,
        });
    }

    pub fn pop(&mut self) -> Option<Due> {
        let time = self.times.pop_front()?;
        let run = self.runs.front_mut()?;
        let due = Due {
            time,
            seq: run.seq,
            entry: run.entry,
            log_epoch: run.log_epoch,
        };
        run.len -= 1;
        if run.len == 0 {
            self.runs.pop_front();
        } else {
            run.entry += 1;
            run.seq += 1;
        }
        if self.times.capacity() > SHRINK_ABOVE && self.times.len() < self.times.capacity() / 4 {
            self.times.shrink_to(self.times.len() * 2);
        }
        Some(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(time: Nanos, seq: u64, entry: u64) -> Due {
        Due {
            time,
            seq,
            entry,
            log_epoch: 0,
        }
    }

    #[test]
    fn keeps_order_and_compresses_runs() {
        let mut lane = Lane::default();
        for (t, seq, entry) in [(5, 10, 0), (5, 11, 1), (7, 12, 2), (7, 20, 3), (9, 21, 5)] {
            assert!(lane.accepts(t));
            lane.push(due(t, seq, entry));
        }
        assert_eq!(lane.runs.len(), 3);
        assert!(!lane.accepts(8));
        assert_eq!(lane.head(), Some((5, 10)));
        let out: Vec<Due> = std::iter::from_fn(|| lane.pop()).collect();
        assert_eq!(
            out,
            vec![
                due(5, 10, 0),
                due(5, 11, 1),
                due(7, 12, 2),
                due(7, 20, 3),
                due(9, 21, 5)
            ]
        );
        assert_eq!(lane.head(), None);
    }
}
