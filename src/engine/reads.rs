//! The readers of SPEC §7: where a read goes, and what each region of the replication
//! set lacks of the acknowledged writes (for stale reads) and when the read region
//! gets them (for visibility).
//!
//! Owns: the read placement rule, the regions in order of distance from the readers,
//! per region the acknowledged writes it has not applied yet ([`Unapplied`]), and at the
//! visibility region the acknowledgement time of each write still to arrive
//! ([`Arrivals`]). Must not touch: the log, the secondaries, the queue, the metrics;
//! `engine/sim/reads.rs` tells it what happened and records what it answers.
//!
//! Memory: both structures hold only writes acknowledged and not yet applied at a
//! region, so they grow with the replication backlog, never with the run.

use std::collections::VecDeque;

use crate::model::{Model, Nanos, ReadAt, Reads};

/// The acknowledged writes a region has not applied yet, in acknowledgement order.
///
/// Acknowledgement times only grow, so the entries are sorted by `t_ack`; an entry
/// leaves once the region has applied it and it is at the front. After dropping the
/// applied entries at the front, the front is the earliest-acknowledged write the
/// region lacks, which is what decides a read's staleness (entries further back that
/// were applied out of acknowledgement order were acknowledged later, so they never
/// matter while the front is there).
#[derive(Debug, Clone, Default)]
pub(crate) struct Unapplied {
    /// (sequence number, acknowledgement time).
    entries: VecDeque<(u64, Nanos)>,
}

impl Unapplied {
    /// The write `seq` was acknowledged at `t_ack` and the region has not applied it.
    pub fn acked(&mut self, seq: u64, t_ack: Nanos) {
        self.entries.push_back((seq, t_ack));
    }

    /// The region has applied every write below `applied`.
    pub fn applied(&mut self, applied: u64) {
        while self.entries.front().is_some_and(|&(s, _)| s < applied) {
            self.entries.pop_front();
        }
        if self.entries.is_empty() && self.entries.capacity() > 4096 {
            self.entries.shrink_to(64);
        }
    }

    /// A read issued at `issued` and answered at `now` by a region that has applied
    /// every write below `applied`: `None` when fresh, else its staleness (`now` − the
    /// acknowledgement of the oldest write acknowledged before the read and missing).
    pub fn staleness(&mut self, applied: u64, issued: Nanos, now: Nanos) -> Option<Nanos> {
        self.applied(applied);
        let &(_, t_ack) = self.entries.front()?;
        (t_ack < issued).then(|| now.saturating_sub(t_ack))
    }

    /// Forgets everything (a promotion replaced the log these writes were in).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// At the visibility region: the acknowledgement time of every write it has not applied
/// yet, indexed by sequence number from `base` (the region's applied cursor), so that
/// each write's visibility is exact whatever order acknowledgements come in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Arrivals {
    base: u64,
    /// `None`: not acknowledged (yet).
    acks: VecDeque<Option<Nanos>>,
}

impl Arrivals {
    /// The write `seq` was acknowledged at `t_ack`: `Some(0)` if the region already has
    /// it, else `None` and it is remembered until applied.
    pub fn acked(&mut self, seq: u64, t_ack: Nanos) -> Option<Nanos> {
        if seq < self.base {
            return Some(0);
        }
        let i = (seq - self.base) as usize;
        if self.acks.len() <= i {
            self.acks.resize(i + 1, None);
        }
        self.acks[i] = Some(t_ack);
        None
    }

    /// The region has applied every write below `applied` at `now`: the visibility of
    /// each acknowledged write that just arrived, in sequence order.
    pub fn applied(&mut self, applied: u64, now: Nanos, mut visible: impl FnMut(Nanos)) {
        while self.base < applied {
            if let Some(Some(t_ack)) = self.acks.pop_front() {
                visible(now.saturating_sub(t_ack));
            }
            self.base += 1;
        }
    }

    /// Starts over at `base`: the writes remembered were in a log a promotion replaced
    /// or cut (gone, as the lag counts them).
    pub fn reset(&mut self, base: u64) {
        self.base = base;
        self.acks.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.acks.len()
    }
}

/// The readers of one simulation.
#[derive(Debug, Clone)]
pub(crate) struct Readers {
    pub reads: Reads,
    pub at: ReadAt,
    /// Node indices of the replication set (0: the first primary), nearest to the
    /// readers first (mean round trip; ties in `secondaries` order).
    pub by_distance: Vec<usize>,
    /// Per node, the acknowledged writes it lacks (kept for secondaries that reads may
    /// reach: every node with `at = "nearest"`, none with `"primary"`, whose reads a
    /// secondary never answers).
    pub unapplied: Vec<Unapplied>,
    /// The node where visibility is measured: the read region of a read issued at 0.
    pub visibility_node: usize,
    pub arrivals: Arrivals,
}

impl Readers {
    /// `regions`: the region of each node. `None` without `[reads]`.
    pub fn new(model: &Model, variant: usize, regions: &[usize]) -> Option<Readers> {
        let reads = model.reads?;
        let at = model.variants[variant].read_at;
        let mut by_distance: Vec<usize> = (0..regions.len()).collect();
        // Stable: equal round trips keep the primary first, then `secondaries` order.
        by_distance.sort_by(|&a, &b| {
            let ra = model.mean_rtt_ns(reads.from, regions[a]);
            let rb = model.mean_rtt_ns(reads.from, regions[b]);
            ra.total_cmp(&rb)
        });
        let tracked = match at {
            ReadAt::Nearest => regions.len(),
            ReadAt::Primary => 0,
        };
        Some(Readers {
            reads,
            at,
            by_distance,
            unapplied: vec![Unapplied::default(); tracked],
            visibility_node: 0,
            arrivals: Arrivals::default(),
        })
    }

    /// Mean time between reads, in seconds (`None` at rate 0).
    pub fn mean_gap_s(&self) -> Option<f64> {
        (self.reads.rate > 0.0).then(|| 1.0 / self.reads.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_is_from_the_oldest_missing_acknowledged_write() {
        let mut u = Unapplied::default();
        u.acked(5, 100);
        u.acked(4, 110); // acknowledged after 5, applied before it
        u.acked(6, 120);
        // Nothing applied: write 5 (acked at 100) is missing.
        assert_eq!(u.staleness(4, 105, 130), Some(30));
        // A read issued at 100 or before saw no acknowledgement yet: fresh.
        assert_eq!(u.staleness(4, 100, 130), None);
        // 4 and 5 applied: 6 (acked at 120) is the oldest missing.
        assert_eq!(u.staleness(6, 125, 140), Some(20));
        assert_eq!(u.staleness(7, 200, 210), None);
        assert_eq!(u.len(), 0);
    }

    #[test]
    fn a_write_applied_out_of_ack_order_waits_behind_the_front_harmlessly() {
        let mut u = Unapplied::default();
        u.acked(5, 100);
        u.acked(3, 110);
        // Applied below 4: write 3 is there, write 5 is not: the front (5) decides.
        assert_eq!(u.staleness(4, 200, 300), Some(200));
        assert_eq!(u.len(), 2);
        u.applied(6);
        assert_eq!(u.len(), 0);
    }

    #[test]
    fn visibility_is_exact_whatever_the_ack_order() {
        let mut a = Arrivals::default();
        assert_eq!(a.acked(1, 10), None);
        assert_eq!(a.acked(0, 12), None);
        assert_eq!(a.acked(3, 15), None);
        let mut seen = Vec::new();
        a.applied(2, 50, |v| seen.push(v));
        assert_eq!(seen, vec![38, 40]);
        // Write 2 was never acknowledged; 3 was.
        a.applied(4, 60, |v| seen.push(v));
        assert_eq!(seen, vec![38, 40, 45]);
        // Acknowledged after it was applied: visible at once.
        assert_eq!(a.acked(2, 70), Some(0));
        assert_eq!(a.len(), 0);
        a.acked(9, 80);
        a.reset(20);
        assert_eq!(a.len(), 0);
        assert_eq!(a.acked(19, 90), Some(0));
    }
}
