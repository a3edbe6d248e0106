//! Which event comes next: the earliest, by (time, sequence), of the event queue's
//! heap and lanes, the head attempt deadline, and the head of each replication
//! channel's apply lane (the queue's *external* sources: 0 is the deadlines, 1 + i
//! node i's applies).
//!
//! Deadlines and applies are FIFO and wait in their own compact queues, which keeps
//! the heap at a few events however many writes are in flight; each tells the queue
//! its head whenever it changes.

use super::Simulation;
use crate::engine::event::{Event, Fifo};
use crate::engine::lane::Due;
use crate::engine::queue::{EventQueue, Slot};
use crate::model::Nanos;

/// External source of the attempt deadlines.
const DEADLINES: usize = 0;

/// External source of node `i`'s applies.
fn apply_source(i: usize) -> usize {
    1 + i
}

impl Simulation<'_> {
    /// The event queue of a simulation with `nodes` nodes: a lane per FIFO kind of
    /// event and one per node's acks, an external source for the deadlines and one
    /// per node's applies. Retries (only when attempts fail) and reads (only with
    /// `[reads]`) are cold lanes: a run without them does not scan their heads.
    pub(super) fn new_queue(nodes: usize) -> EventQueue<Event> {
        let cold = [Fifo::Retry, Fifo::ReadArrival, Fifo::ReadAt].map(|f| f as usize);
        EventQueue::with_cold_lanes(Fifo::COUNT + nodes, 1 + nodes, &cold)
    }

    /// The lane of the acks node `i` sends (issue 15: with three secondaries at 18,
    /// 84 and 88 ms, one lane for all sent most acks to the heap).
    pub(crate) fn ack_lane(i: usize) -> usize {
        Fifo::COUNT + i
    }

    /// Schedules node `i`'s cumulative ack of everything below `upto`, arriving at the
    /// primary at `arrival`.
    ///
    /// Under jitter a later ack often arrives before earlier ones of the same node
    /// (issue 15: one-way delays vary by milliseconds, applies are 0.1 ms apart; nine
    /// acks in ten are overtaken). Those earlier ones change nothing when they arrive:
    /// the node's `acked` is already past them, and `try_sync_commits` (with its
    /// `trim_log`) finds nothing new, since after every event the oldest write waiting
    /// for acks still lacks them. Only an ack, a removal or a switch between sync and
    /// semi-sync makes waiting writes committable, and each tries at once; a secondary
    /// that becomes ready counts only for writes accepted after (`acks_from`), one that
    /// leaves the set is removed, a fallback commits every waiting write itself, and
    /// the rule of an async namespace is its sync rule. A promotion or a cut log changes
    /// the rule, so while one is under way, or an event scheduled apart from the lanes
    /// (transitions, actions, removals, promotion steps, timers) is due before the last
    /// overtaken ack, they are kept. Otherwise they leave the queue now, without events
    /// of their own, and count in `events` as the events they were (those due before
    /// the end of the run). An observer (`--check`) turns this off; a test compares.
    pub(crate) fn schedule_ack(&mut self, i: usize, arrival: Nanos, upto: u64, log_epoch: u32) {
        let lane = Self::ack_lane(i);
        let event = Event::Ack {
            node: i as u32,
            upto,
            log_epoch,
        };
        let overtakes = self
            .queue
            .lane_last_time(lane)
            .is_some_and(|last| last > arrival && self.overtaken_acks_change_nothing_until(last));
        if overtakes {
            self.events += self
                .queue
                .push_superseding(lane, arrival, event, self.model.duration);
        } else {
            self.queue.push_fifo(lane, arrival, event);
        }
    }

    /// Would acks overtaken by a later one of their node change nothing, if due at any
    /// time up to `until`? (See `schedule_ack`.)
    fn overtaken_acks_change_nothing_until(&self, until: Nanos) -> bool {
        self.observer.is_none()
            && self.promotions.current().is_none()
            && !self.log.is_cut()
            && self.queue.next_pushed_time().is_none_or(|t| t > until)
    }

    /// Removes and returns the next event, or None when nothing is pending.
    #[inline]
    pub(crate) fn next_event(&mut self) -> Option<(Nanos, Event)> {
        match self.queue.peek()? {
            Slot::External(DEADLINES) => {
                // `on_timeout_due` takes the deadline off its queue.
                let &(time, _, _) = self.deadlines.front()?;
                self.queue.advance_to(time);
                Some((time, Event::TimeoutDue))
            }
            Slot::External(j) => {
                let i = j - 1;
                let due = self.nodes[i].lane.pop()?;
                self.queue.set_external(j, self.nodes[i].lane.head());
                self.queue.advance_to(due.time);
                Some((
                    due.time,
                    Event::Applied {
                        node: i as u32,
                        seq: due.entry,
                        log_epoch: due.log_epoch,
                    },
                ))
            }
            slot => self.queue.pop_from(slot),
        }
    }

    /// The head deadline changed (pushed onto an empty queue, or popped): it takes
    /// the sequence number a `TimeoutDue` scheduled now would get.
    ///
    /// Deadlines of attempts already over (answered, failed, or of a write gone) would
    /// be no-ops when due, and stay so: they leave the queue now, without an event of
    /// their own, but count in `events` as the events they were (those due before the
    /// end of the run). Nearly every deadline is such a one (issue 15: one event of
    /// seven or eight per write); only a deadline whose attempt is still pending when
    /// it reaches the head is dispatched.
    pub(crate) fn deadline_head_changed(&mut self) {
        while let Some(&(time, w, attempt)) = self.deadlines.front() {
            if self.writes.attempt_pending(w, attempt) {
                break;
            }
            self.deadlines.pop_front();
            if time < self.model.duration {
                self.events += 1;
            }
        }
        let key = match self.deadlines.front() {
            Some(&(time, _, _)) => Some((time, self.queue.reserve_seq())),
            None => None,
        };
        self.queue.set_external(DEADLINES, key);
    }

    /// Only a promotion restarts a channel's apply clock below the applies still in
    /// flight (they are stale then): those move to the heap, which keeps them in
    /// order, and node `i`'s lane starts afresh. Out of line: it is rare.
    #[cold]
    #[inline(never)]
    fn restart_apply_lane(&mut self, i: usize) {
        while let Some(d) = self.nodes[i].lane.pop() {
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

    /// Schedules node `i`'s apply of log entry `entry` at `time`.
    pub(crate) fn schedule_apply(&mut self, i: usize, time: Nanos, entry: u64, log_epoch: u32) {
        let seq = self.queue.reserve_seq();
        let due = Due {
            time,
            seq,
            entry,
            log_epoch,
        };
        if !self.nodes[i].lane.accepts(time) {
            self.restart_apply_lane(i);
        }
        let lane = &mut self.nodes[i].lane;
        lane.push(due);
        let head = lane.head();
        self.queue.set_external(apply_source(i), head);
    }
}
