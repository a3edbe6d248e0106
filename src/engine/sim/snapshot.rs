//! Snapshot mode (SPEC §6.4, §10): cutting recovery points on the absolute clock, the
//! final point of a planned promotion, and what a channel ships when its unit is a point.
//!
//! Owns the behaviour of `engine/points.rs` during a run. A point is shipped, applied and
//! accounted by the channel code of `replication.rs` through the ship-unit seam
//! (`ShipUnit::RecoveryPoint`): it asks `point_unit` what the next unit is and tells
//! `point_completed` when one is complete. Must not touch a secondary's cursors or the
//! log's entries (it reads the log to find a cut's boundary and a point's bytes).

use super::Simulation;
use crate::engine::event::Event;
use crate::engine::log::EntryState;
use crate::model::{PromoteKind, Target};

impl Simulation<'_> {
    /// Schedules the first cut (t = interval) in snapshot mode.
    pub(crate) fn start_points(&mut self) {
        if let Some(p) = &self.points {
            let t = p.next_cut(0);
            self.queue.push(t, Event::CutPoint);
        }
    }

    /// t = k × interval: the primary, if it is up (and no forced promotion has cut its
    /// log), cuts a point of every write it has committed.
    #[cold]
    #[inline(never)]
    pub(crate) fn on_cut_point(&mut self) {
        let Some(p) = &self.points else {
            return;
        };
        let next = p.next_cut(self.now);
        self.queue.push(next, Event::CutPoint);
        if self.primary_up() && !self.log.is_cut() {
            self.cut_point();
        }
    }

    /// A planned promotion's drain in snapshot mode: once every write accepted before
    /// the request has finished its primary commit (read-only since, so none is
    /// accepted after), the old primary cuts a final point of them all and ships it.
    pub(crate) fn cut_final_point(&mut self) {
        let Some(p) = &self.points else {
            return;
        };
        let draining = self
            .promotions
            .draining()
            .is_some_and(|d| d.kind == PromoteKind::Planned);
        if !draining || !self.primary_up() || self.log.is_cut() {
            return;
        }
        if self.committed_prefix(p.floor()) == self.log.next_seq() {
            self.cut_point();
        }
    }

    fn primary_up(&self) -> bool {
        !self
            .avail
            .is_down(Target::Region(self.primary_region()), self.now)
    }

    /// Cuts a point of the committed prefix and lets the channels ship it.
    fn cut_point(&mut self) {
        let Some(floor) = self.points.as_ref().map(|p| p.floor()) else {
            return;
        };
        let boundary = self.committed_prefix(floor);
        if self.points.as_mut().is_some_and(|p| p.cut(boundary)) {
            self.pump_all();
        }
    }

    /// The end of the run of committed (or void: never happened) entries from `from`:
    /// every write the primary has committed, up to the first still committing.
    /// Entries already trimmed (applied everywhere) were committed.
    fn committed_prefix(&self, from: u64) -> u64 {
        let end = self.log.next_seq();
        let mut s = from;
        while s < end {
            match self.log.get(s) {
                Some(e) if !matches!(e.state, EntryState::Committed | EntryState::Void) => break,
                _ => s += 1,
            }
        }
        s
    }

    /// The next unit of a channel whose first unsent entry is `seq`: the point that
    /// holds it, as (its boundary, the bytes of its writes from `seq`). None: no point
    /// cut so far holds `seq`.
    pub(crate) fn point_unit(&self, seq: u64) -> Option<(u64, u64)> {
        let end = self.points.as_ref()?.holding(seq)?;
        let bytes = (seq..end)
            .filter_map(|s| self.log.get(s))
            .filter(|e| e.state != EntryState::Void)
            .map(|e| u64::from(e.size))
            .sum();
        Some((end, bytes))
    }

    /// Node `i` completed a point; points every secondary has are forgotten.
    pub(crate) fn point_completed(&mut self, i: usize) {
        let applied_everywhere = (0..self.nodes.len())
            .filter(|&j| j != self.primary)
            .map(|j| self.nodes[j].applied)
            .min();
        if let Some(p) = self.points.as_mut() {
            p.complete(i);
            if let Some(a) = applied_everywhere {
                p.trim(a);
            }
        }
    }

    /// A promotion replaced the log (continuing at `next_seq`): the new primary's
    /// points start there.
    pub(crate) fn points_log_replaced(&mut self, next_seq: u64) {
        if let Some(p) = self.points.as_mut() {
            p.replace(next_seq);
        }
    }

    /// `recovery_points` (SPEC §6.4): points completed over the run on the target of
    /// the last promotion, or on the first secondary when there was none; `None`
    /// outside snapshot mode.
    pub(crate) fn recovery_points(&self) -> Option<u64> {
        let p = self.points.as_ref()?;
        let target = self.metrics.promotions.last().and_then(|r| {
            (0..self.nodes.len()).find(|&i| self.model.regions[self.nodes[i].region].name == r.to)
        });
        Some(p.completed(target.unwrap_or(1)))
    }
}
