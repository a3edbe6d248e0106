//! Recovery points of snapshot mode (SPEC §6.4): where each point cut so far ends in the
//! log, and how many points each node has completed.
//!
//! A point is a prefix of the log: every write the primary had committed when it was
//! cut (the cut stops at the first write still committing, so with a commit delay that
//! varies a write that committed out of order waits for the next point). It is kept as
//! its *boundary*, the sequence number after its last write; the writes a point carries
//! to a secondary are those from the previous point sent there up to its boundary.
//!
//! Owns: the boundaries (ascending, trimmed from the front once every secondary has
//! them), the floor below which no point is cut again (the last boundary, or the log's
//! end when a promotion replaced the log) and the per-node count of completed points.
//! Must not touch: the log, the secondaries, the event queue. Pure, unit-tested below;
//! `engine/sim/snapshot.rs` decides when to cut and what a cut holds.
//!
//! Memory: one `u64` per point not yet complete everywhere.

use std::collections::VecDeque;

use crate::model::Nanos;

#[derive(Debug, Clone)]
pub(crate) struct RecoveryPoints {
    /// One point every this long, on the absolute clock (t = k × interval, k ≥ 1).
    pub interval: Nanos,
    boundaries: VecDeque<u64>,
    /// No point ends at or below this: the last boundary, or where a new log began.
    floor: u64,
    /// Points completed on each node (index as `Simulation::nodes`) over the run.
    completed: Vec<u64>,
}

impl RecoveryPoints {
    pub fn new(interval: Nanos, nodes: usize) -> RecoveryPoints {
        RecoveryPoints {
            interval: interval.max(1),
            boundaries: VecDeque::new(),
            floor: 0,
            completed: vec![0; nodes],
        }
    }

    /// The first cut time after `now`.
    pub fn next_cut(&self, now: Nanos) -> Nanos {
        (now / self.interval)
            .saturating_add(1)
            .saturating_mul(self.interval)
    }

    /// Where the next point's writes start (the previous point's boundary).
    #[inline]
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// A point ending at `boundary` is cut; false (nothing cut) if it would hold no
    /// write beyond the previous point.
    pub fn cut(&mut self, boundary: u64) -> bool {
        if boundary <= self.floor {
            return false;
        }
        self.boundaries.push_back(boundary);
        self.floor = boundary;
        true
    }

    /// The boundary of the first point that holds entry `seq` (None: no point cut so
    /// far holds it).
    pub fn holding(&self, seq: u64) -> Option<u64> {
        let i = self.boundaries.partition_point(|&b| b <= seq);
        self.boundaries.get(i).copied()
    }

    /// Node `i` completed a point.
    pub fn complete(&mut self, i: usize) {
        if let Some(c) = self.completed.get_mut(i) {
            *c += 1;
        }
    }

    /// Points node `i` has completed.
    pub fn completed(&self, i: usize) -> u64 {
        self.completed.get(i).copied().unwrap_or(0)
    }

    /// Forgets the points every secondary has (boundaries at or below `applied_everywhere`).
    pub fn trim(&mut self, applied_everywhere: u64) {
        while self
            .boundaries
            .front()
            .is_some_and(|&b| b <= applied_everywhere)
        {
            self.boundaries.pop_front();
        }
    }

    /// A promotion replaced the log, which continues at `next_seq`: the points of the
    /// old log are gone, and the new primary's first point starts there.
    pub fn replace(&mut self, next_seq: u64) {
        self.boundaries.clear();
        self.floor = next_seq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_multiples_of_the_interval() {
        let p = RecoveryPoints::new(300, 2);
        assert_eq!(p.next_cut(0), 300);
        assert_eq!(p.next_cut(299), 300);
        assert_eq!(p.next_cut(300), 600);
        assert_eq!(p.next_cut(1000), 1200);
    }

    #[test]
    fn a_point_holds_the_writes_since_the_previous_one() {
        let mut p = RecoveryPoints::new(300, 2);
        assert!(!p.cut(0), "an empty point is not cut");
        assert!(p.cut(5));
        assert!(!p.cut(5));
        assert!(p.cut(9));
        assert_eq!(p.floor(), 9);
        assert_eq!(p.holding(0), Some(5));
        assert_eq!(p.holding(4), Some(5));
        assert_eq!(p.holding(5), Some(9));
        assert_eq!(p.holding(9), None);
        p.trim(5);
        assert_eq!(p.holding(0), Some(9));
        p.complete(1);
        p.complete(1);
        assert_eq!((p.completed(0), p.completed(1), p.completed(7)), (0, 2, 0));
        p.replace(12);
        assert_eq!(p.holding(10), None);
        assert!(!p.cut(12));
        assert!(p.cut(13));
        assert_eq!(p.completed(1), 2, "completed points count over the run");
    }
}
