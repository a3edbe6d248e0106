//! The write path: client arrivals, attempts with timeout, retries and backoff, the DNS
//! view during a repoint window, and what a region answers (SPEC §3 rules 1–5).
//!
//! Owns the client side of the simulation: the writes table (`engine/writes.rs`), the
//! attempt deadlines, the workload phase. Must not touch the log or the secondaries:
//! an accepted write is handed to `replication.rs` (`accept`), and rule 4 asks it for
//! the namespace lag.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::Simulation;
use crate::engine::event::{Event, Fifo, Outcome, WriteRef};
use crate::engine::writes::Write;
use crate::metrics::AttemptOutcome;
use crate::model::{Nanos, RegionId};
use crate::time::from_secs;

impl Simulation<'_> {
    pub(crate) fn schedule_first_arrival(&mut self) {
        self.schedule_next_arrival(0);
    }

    /// Poisson arrivals at the rate of the current phase; at a phase boundary the
    /// draw restarts with the new rate (exact, by memorylessness).
    fn schedule_next_arrival(&mut self, from: Nanos) {
        let phases = &self.model.workload.phases;
        let mut t = from;
        loop {
            let rate = phases[self.phase].rate;
            let boundary = phases.get(self.phase + 1).map(|p| p.at);
            let next = if rate > 0.0 {
                let gap: f64 = Exp1.sample(&mut self.rng_arrivals);
                Some(t.saturating_add(from_secs(gap / rate)))
            } else {
                None
            };
            match (next, boundary) {
                (Some(n), Some(b)) if n >= b => {
                    t = b;
                    self.phase += 1;
                }
                (None, Some(b)) => {
                    t = b;
                    self.phase += 1;
                }
                (Some(n), _) => {
                    if n < self.model.duration {
                        self.queue
                            .push_fifo(Fifo::Arrival as usize, n, Event::Arrival);
                    }
                    return;
                }
                (None, None) => return,
            }
        }
    }

    pub(crate) fn on_arrival(&mut self) {
        let now = self.now;
        self.schedule_next_arrival(now);
        let size = self.constants.size(self.model, &mut self.rng_sizes);
        let counted = now >= self.model.warmup;
        let w = self.writes.alloc(Write {
            issued_at: now,
            size: u32::try_from(size).unwrap_or(u32::MAX).max(1),
            counted,
            ..Write::default()
        });
        if counted {
            self.metrics.offered();
        }
        self.observe(|o| o.offered(now, w, counted));
        self.send_attempt(w);
    }

    /// The region the client's view of the hostname names now.
    #[inline]
    fn dns_target(&mut self) -> RegionId {
        if self.dns.is_none() {
            return self.primary_region();
        }
        self.dns_target_in_window()
    }

    /// `dns_target` after a promotion set a repoint window: out of line (issue 15).
    #[inline(never)]
    fn dns_target_in_window(&mut self) -> RegionId {
        let primary = self.primary_region();
        match self.dns.and_then(|r| Some((r, r.new_share(self.now)?))) {
            Some((r, share)) => {
                if self.rng_routing.random::<f64>() < share {
                    primary
                } else {
                    r.old_region
                }
            }
            None => primary,
        }
    }

    fn send_attempt(&mut self, w: WriteRef) {
        let now = self.now;
        let region = self.dns_target();
        let client = self.model.workload.client_region;
        let delay = self.one_way(client, region, false);
        let arrival = now.saturating_add(delay);
        let Some(write) = self.writes.get_mut(w) else {
            return;
        };
        write.awaiting = true;
        let attempt = write.attempt;
        if self.delivered(client, region, arrival) {
            if let Some(write) = self.writes.get_mut(w) {
                write.refs += 1;
            }
            self.queue.push_fifo(
                Fifo::Request as usize,
                arrival,
                Event::Request {
                    w,
                    attempt,
                    region: region as u32,
                },
            );
        }
        let deadline = now.saturating_add(self.model.workload.timeout);
        self.deadlines.push_back((deadline, w, attempt));
        if self.deadlines.len() == 1 {
            self.deadline_head_changed();
        }
    }

    pub(crate) fn on_retry(&mut self, w: WriteRef) {
        if let Some(write) = self.writes.get_mut(w) {
            write.attempt += 1;
            self.send_attempt(w);
        }
    }

    /// Rules 2–5 at region `region`; rule 1 (down region or link) was decided when
    /// the request was sent: an undelivered request never arrives.
    pub(crate) fn on_request(&mut self, w: WriteRef, attempt: u32, region: RegionId) {
        if let Some(write) = self.writes.get_mut(w) {
            write.refs -= 1;
        }
        let outcome = if region != self.primary_region() {
            Some(Outcome::Unavailable)
        } else if self.promotions.current().is_some() {
            Some(Outcome::ReadOnly)
        } else if self.throttles() {
            Some(Outcome::Throttled)
        } else {
            None
        };
        match outcome {
            Some(Outcome::Throttled) if self.settle_throttled(w, attempt, region) => {}
            Some(rejection) => self.answer(region, w, attempt, rejection),
            None => self.accept(w, attempt),
        }
        self.writes.release_if_done(w);
    }

    /// Sends `outcome` from `region` to the client.
    pub(crate) fn answer(&mut self, region: RegionId, w: WriteRef, attempt: u32, outcome: Outcome) {
        let client = self.model.workload.client_region;
        let arrival = self.now.saturating_add(self.one_way(region, client, false));
        if !self.delivered_to_client(region, arrival) {
            return;
        }
        if outcome == Outcome::Acked && self.ack_needs_no_event(w, attempt, arrival) {
            // Counted as the event it would have been (the run reaches `arrival`).
            self.events += 1;
            self.write_acked(w, arrival);
            return;
        }
        self.queue.push_fifo(
            Fifo::Answer as usize,
            arrival,
            Event::Answer {
                w,
                attempt,
                outcome,
            },
        );
    }

    /// Can the ack of `w`'s attempt `attempt`, arriving at `arrival`, be taken now
    /// instead of by an `Answer` event then, with every figure the same? (Issue 15: it
    /// is one event of about six per write.) Only if nothing that happens before
    /// `arrival` could see the difference:
    /// - the attempt is the write's first and still pending: its only log entry is the
    ///   one just committed, so no promotion looks the write up again (`count_copies_on`
    ///   looks up only entries not committed), and no other request or answer of it is
    ///   in flight;
    /// - every attempt deadline is after `arrival` (they are in order: one timeout for
    ///   all), so none fails this attempt first, and the deadline head, whose sequence
    ///   number orders it among events at its time, changes no earlier than it would;
    /// - the metrics would record the ack at `arrival` as they do now (same time
    ///   bucket, no RTO open; an outage that opens one before `arrival` starts after the
    ///   write was issued, which `issued < now` ensures, so this ack would not close it);
    /// - no observer or reader watches the ack, and the run reaches `arrival` within its
    ///   event limit.
    ///
    /// Slots are freed earlier then, so later writes may get other slots: slot numbers
    /// reach no figure. Only the time in a `max_events` error can differ.
    #[inline]
    fn ack_needs_no_event(&self, w: WriteRef, attempt: u32, arrival: Nanos) -> bool {
        attempt == 0
            && self.observer.is_none()
            && self.readers.is_none()
            && arrival < self.model.duration
            && self.events < self.model.max_events
            && self.writes.attempt_pending(w, attempt)
            && self.writes.get(w).is_some_and(|e| e.issued_at < self.now)
            && self.deadlines.front().is_some_and(|&(t, _, _)| t > arrival)
            && self.metrics.records_ack_at_as_now(arrival)
    }

    pub(crate) fn on_answer(&mut self, w: WriteRef, attempt: u32, outcome: Outcome) {
        if !self.writes.attempt_pending(w, attempt) {
            return; // an answer to an attempt the client already gave up on
        }
        match outcome {
            Outcome::Acked => self.write_acked(w, self.now),
            Outcome::Throttled => self.attempt_failed(w, AttemptOutcome::Throttled),
            Outcome::ReadOnly => self.attempt_failed(w, AttemptOutcome::ReadOnly),
            Outcome::Unavailable => self.attempt_failed(w, AttemptOutcome::Unavailable),
        }
    }

    /// The client receives the ack of `w`'s pending attempt at `at`.
    fn write_acked(&mut self, w: WriteRef, at: Nanos) {
        let Some(write) = self.writes.get_mut(w) else {
            return;
        };
        write.awaiting = false;
        write.resolved = true;
        let (counted, issued, first_try) = (write.counted, write.issued_at, write.attempt == 0);
        let (seq, log_epoch) = (write.seq, write.log_epoch);
        if counted {
            self.metrics.acked(at - issued, first_try);
        }
        self.read_write_acked(seq, log_epoch, counted);
        self.metrics.first_ack_after_outage(issued, at);
        self.observe(|o| o.acked(at, w));
        self.writes.release_if_done(w);
    }

    pub(crate) fn on_timeout_due(&mut self) {
        let Some((_, w, attempt)) = self.deadlines.pop_front() else {
            return;
        };
        // Pending when it reached the head (schedule.rs drops the others), but the
        // answer may have come since.
        let pending = self.writes.attempt_pending(w, attempt);
        self.deadline_head_changed();
        if pending {
            self.attempt_failed(w, AttemptOutcome::TimedOut);
        }
    }

    /// After a failed attempt: back off and retry, or give up after the last one.
    fn attempt_failed(&mut self, w: WriteRef, outcome: AttemptOutcome) {
        let retries = self.model.workload.retries;
        let backoff = self.model.workload.backoff;
        let now = self.now;
        let Some(write) = self.writes.get_mut(w) else {
            return;
        };
        write.awaiting = false;
        let counted = write.counted;
        let give_up = write.attempt >= retries;
        if give_up {
            write.resolved = true;
        }
        if counted {
            self.metrics.attempt_failed(outcome);
            if give_up {
                self.metrics.writes_failed += 1;
            }
        }
        if give_up {
            self.observe(|o| o.failed(now, w));
            self.writes.release_if_done(w);
        } else {
            self.queue.push_fifo(
                Fifo::Retry as usize,
                now.saturating_add(backoff),
                Event::Retry { w },
            );
        }
    }
}
