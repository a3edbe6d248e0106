//! Which event comes next: the earliest, by (time, sequence), of the event queue's
//! (its heap and lanes), the head attempt deadline and the head of each replication
//! channel's apply lane.
//!
//! Deadlines and applies are FIFO and wait in their own compact queues, which keeps
//! the heap at a few events however many writes are in flight.

use super::event::Event;
use super::lane::Due;
use super::queue::{Key, Slot};
use super::sim::Simulation;
use crate::model::Nanos;

/// Where the next event waits.
#[derive(Clone, Copy)]
enum Source {
    Queue(Slot),
    Deadline,
    Lane(usize),
}

impl Simulation<'_> {
    /// Removes and returns the next event, or None when nothing is pending.
    #[inline]
    pub(crate) fn next_event(&mut self) -> Option<(Nanos, Event)> {
        let mut best = self.queue.peek().map(|(k, slot)| (k, Source::Queue(slot)));
        let mut consider = |key: Key, source: Source| {
            if best.is_none_or(|(b, _)| key < b) {
                best = Some((key, source));
            }
        };
        if let Some(&(deadline, _, _)) = self.deadlines.front() {
            consider((deadline, self.deadline_seq), Source::Deadline);
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(key) = n.lane.head() {
                consider(key, Source::Lane(i));
            }
        }
        let ((time, _), source) = best?;
        match source {
            Source::Queue(slot) => self.queue.pop_from(slot),
            // `on_timeout_due` takes the deadline off its queue.
            Source::Deadline => {
                self.queue.advance_to(time);
                Some((time, Event::TimeoutDue))
            }
            Source::Lane(i) => {
                let due = self.nodes[i].lane.pop()?;
                self.queue.advance_to(time);
                Some((
                    time,
                    Event::Applied {
                        node: i as u32,
                        seq: due.entry,
                        log_epoch: due.log_epoch,
                    },
                ))
            }
        }
    }

    /// Schedules node `i`'s apply of log entry `entry` at `time`.
    pub(crate) fn schedule_apply(&mut self, i: usize, time: Nanos, entry: u64, log_epoch: u32) {
        let seq = self.queue.reserve_seq();
        let due = Due {
            time,
            seq,
            entry,
            log_epoch,
        };
        let lane = &mut self.nodes[i].lane;
        if !lane.accepts(time) {
            // Only a promotion restarts a channel's apply clock below the applies
            // still in flight (they are stale then): those move to the heap, which
            // keeps them in order, and the lane starts afresh.
            while let Some(d) = lane.pop() {
                self.queue.push_reserved(
                    d.time,
                    d.seq,
                    Event::Applied {
                        node: i as u32,
                        seq: d.entry,
                        log_epoch: d.log_epoch,
                    },
                );
            }
        }
        self.nodes[i].lane.push(due);
    }
}
