//! Reads (SPEC §7, §10): Poisson arrivals from the readers' region, the region each read
//! goes to, its answer from what that region has applied, and the visibility of each
//! acknowledged write at the read region.
//!
//! Owns the handlers of the readers' room (`engine/reads.rs`); reads draw from their own
//! stream (`Purpose::Reads`), so a scenario's writes see the same draws with or without
//! `[reads]`. A read takes two events: its arrival, which picks the region and sends the
//! request, and its arrival at the region, which answers it; whether the answer gets
//! back is known then from the outage windows, as for every message (SPEC §3).

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::Simulation;
use crate::engine::event::{Event, Fifo};
use crate::model::{Nanos, ReadAt, Target};
use crate::time::from_secs;

impl Simulation<'_> {
    /// At t = 0: the visibility region (where a read issued now would go) and the
    /// first read.
    pub(crate) fn start_reads(&mut self) {
        if self.readers.is_none() {
            return;
        }
        let node = self.read_node().unwrap_or(0);
        if let Some(r) = self.readers.as_mut() {
            r.visibility_node = node;
        }
        self.schedule_next_read(0);
    }

    fn schedule_next_read(&mut self, from: Nanos) {
        let Some(gap_s) = self.readers.as_ref().and_then(|r| r.mean_gap_s()) else {
            return;
        };
        let gap: f64 = Exp1.sample(&mut self.rng_reads);
        let t = from.saturating_add(from_secs(gap * gap_s));
        if t < self.model.duration {
            self.queue
                .push_fifo(Fifo::ReadArrival as usize, t, Event::ReadArrival);
        }
    }

    /// The node a read issued now goes to; `None` when no region can take it.
    fn read_node(&mut self) -> Option<usize> {
        let r = self.readers.as_ref()?;
        match r.at {
            ReadAt::Primary => {
                let primary = self.primary_region();
                let region = match self.dns.and_then(|d| d.new_share(self.now)) {
                    Some(share) if self.rng_reads.random::<f64>() >= share => {
                        self.dns.map_or(primary, |d| d.old_region)
                    }
                    _ => primary,
                };
                self.nodes.iter().position(|n| n.region == region)
            }
            ReadAt::Nearest => r.by_distance.iter().copied().find(|&i| {
                let n = &self.nodes[i];
                (i == self.primary || n.standing.is_ready())
                    && !self.avail.is_down(Target::Region(n.region), self.now)
            }),
        }
    }

    #[inline(never)]
    pub(crate) fn on_read_arrival(&mut self) {
        let now = self.now;
        self.schedule_next_read(now);
        let counted = now >= self.model.warmup;
        let Some(from) = self.readers.as_ref().map(|r| r.reads.from) else {
            return;
        };
        if counted {
            self.read_metrics(|m| m.issued());
        }
        let Some(node) = self.read_node() else {
            if counted {
                self.read_metrics(|m| m.failed());
            }
            return;
        };
        let region = self.nodes[node].region;
        let arrival = now.saturating_add(self.read_one_way(from, region));
        if self.delivered(from, region, arrival) {
            self.queue.push_fifo(
                Fifo::ReadAt as usize,
                arrival,
                Event::ReadAt {
                    node: node as u32,
                    issued: now,
                },
            );
        } else if counted {
            self.read_metrics(|m| m.failed());
        }
    }

    /// A read issued at `issued` reaches node `node`: answered from what it has applied
    /// (the primary: everything acknowledged), or failed.
    #[inline(never)]
    pub(crate) fn on_read_at(&mut self, node: usize, issued: Nanos) {
        let now = self.now;
        let counted = issued >= self.model.warmup;
        let (from, at) = match self.readers.as_ref() {
            Some(r) => (r.reads.from, r.at),
            None => return,
        };
        if at == ReadAt::Primary && node != self.primary {
            // "Unavailable": not the primary (an old one during the DNS window).
            if counted {
                self.read_metrics(|m| m.failed());
            }
            return;
        }
        let staleness = if node == self.primary {
            None
        } else {
            let applied = self.nodes[node].applied;
            self.readers
                .as_mut()
                .and_then(|r| r.unapplied.get_mut(node))
                .and_then(|u| u.staleness(applied, issued, now))
        };
        let region = self.nodes[node].region;
        let back = now.saturating_add(self.read_one_way(region, from));
        let delivered = from == region || !self.avail.is_down(Target::link(from, region), back);
        if counted {
            if delivered {
                self.read_metrics(|m| m.answered(back - issued, staleness));
            } else {
                self.read_metrics(|m| m.failed());
            }
        }
    }

    /// A client received the acknowledgement of the write `seq` of log epoch `epoch`
    /// now: every region of the set that lacks it remembers it, and the visibility
    /// region counts its visibility once it has it.
    #[inline]
    pub(crate) fn read_write_acked(&mut self, seq: u64, epoch: u32, counted: bool) {
        if self.readers.is_some() {
            self.readers_note_ack(seq, epoch, counted);
        }
    }

    /// `read_write_acked` with readers, out of line: without `[reads]` the write path
    /// carries only the test (issue 15: the hot loop's code is what stays in cache).
    #[inline(never)]
    fn readers_note_ack(&mut self, seq: u64, epoch: u32, counted: bool) {
        if !self.log.applies(epoch) {
            // Written to a log a promotion cut or replaced: the lag no longer counts it.
            // (A sync write the target had applied and the old primary answers after the
            // cut, SPEC §3.1, is on the new primary; it is left out of staleness and
            // visibility too: the cut resets what the readers track.)
            return;
        }
        let now = self.now;
        let primary = self.primary;
        let Some(r) = self.readers.as_mut() else {
            return;
        };
        for (i, u) in r.unapplied.iter_mut().enumerate() {
            if i != primary && self.nodes[i].applied <= seq {
                u.acked(seq, now);
            }
        }
        if !counted {
            return;
        }
        let v = r.visibility_node;
        let visible = if v == primary {
            Some(0)
        } else {
            r.arrivals.acked(seq, now)
        };
        if let Some(delay) = visible {
            self.read_metrics(|m| m.visibility(delay));
        }
    }

    /// Node `i`'s applied cursor moved.
    #[inline]
    pub(crate) fn read_applied(&mut self, i: usize) {
        if self.readers.is_some() {
            self.readers_note_apply(i);
        }
    }

    #[inline(never)]
    fn readers_note_apply(&mut self, i: usize) {
        let now = self.now;
        let applied = self.nodes[i].applied;
        let Some(r) = self.readers.as_mut() else {
            return;
        };
        if let Some(u) = r.unapplied.get_mut(i) {
            u.applied(applied);
        }
        if i == r.visibility_node {
            if let Some(m) = self.metrics.reads.as_mut() {
                r.arrivals.applied(applied, now, |d| m.visibility(d));
            }
        }
    }

    /// A promotion cut the log, or replaced it: the writes the readers' room remembers
    /// are gone (lost, or in a log no region follows any more).
    pub(crate) fn read_log_replaced(&mut self) {
        let Some(r) = self.readers.as_mut() else {
            return;
        };
        for u in r.unapplied.iter_mut() {
            u.clear();
        }
        let base = self.nodes[r.visibility_node]
            .applied
            .max(self.log.next_seq());
        r.arrivals.reset(base);
    }

    fn read_metrics(&mut self, f: impl FnOnce(&mut crate::metrics::reads::ReadRecorder)) {
        if let Some(m) = self.metrics.reads.as_mut() {
            f(m);
        }
    }
}
