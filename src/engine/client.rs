//! The write path: client arrivals, attempts with timeout, retries and backoff, and
//! what a region answers (SPEC §3 rules 1–5).

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::event::{Event, Fifo, Outcome, WriteRef};
use super::sim::{Simulation, Write};
use crate::metrics::AttemptOutcome;
use crate::model::{Nanos, RegionId, Target, NS_PER_S};

impl Simulation<'_> {
    /// One-way network delay between regions `a` and `b` starting at `now`: half a
    /// sample of their link's RTT, or of `local_rtt` when co-located; `slow`
    /// outages multiply it.
    #[inline]
    pub(crate) fn one_way(&mut self, a: RegionId, b: RegionId, for_replication: bool) -> Nanos {
        if !self.avail.any_slow() {
            if let Some(ns) = self.constants.one_way_ns(a, b) {
                return ns;
            }
        }
        let rng = if for_replication {
            &mut self.rng_replication
        } else {
            &mut self.rng_network
        };
        let sample = self.constants.rtt(self.model, a, b, rng);
        let target = if a == b {
            Target::Region(a)
        } else {
            Target::link(a, b)
        };
        let factor = self.avail.slow_factor(target, self.now);
        to_nanos(sample / 2.0 * factor)
    }

    /// A durable commit at `region` starting at `at`: a sample of its `commit`
    /// latency; `slow` outages of the region multiply it.
    #[inline]
    pub(crate) fn commit_delay(&mut self, region: RegionId, at: Nanos) -> Nanos {
        if !self.avail.any_slow() {
            if let Some(ns) = self.constants.commit_ns(region) {
                return ns;
            }
        }
        let factor = self.avail.slow_factor(Target::Region(region), at);
        let commit = self
            .constants
            .commit(self.model, region, &mut self.rng_commits);
        to_nanos(commit * factor)
    }

    /// Is a message from anywhere to `region`, over the link from `from`, delivered at `t`?
    pub(crate) fn delivered(&self, from: RegionId, region: RegionId, t: Nanos) -> bool {
        !self.avail.is_down(Target::Region(region), t)
            && (from == region || !self.avail.is_down(Target::link(from, region), t))
    }

    /// Is a message from `region` to the clients delivered at `t`? Clients are never
    /// down: only the link matters.
    fn delivered_to_client(&self, region: RegionId, t: Nanos) -> bool {
        let client = self.model.workload.client_region;
        client == region || !self.avail.is_down(Target::link(client, region), t)
    }

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
                Some(t.saturating_add(to_nanos(gap / rate * NS_PER_S as f64)))
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
        let w = self.alloc_write(Write {
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

    fn alloc_write(&mut self, mut write: Write) -> WriteRef {
        if let Some(slot) = self.free_slots.pop() {
            let entry = &mut self.writes[slot as usize];
            // `release_if_done` already moved the generation past the old write.
            write.gen = entry.gen;
            *entry = write;
            WriteRef {
                slot,
                gen: entry.gen,
            }
        } else {
            let slot = self.writes.len() as u32;
            self.writes.push(write);
            WriteRef { slot, gen: 0 }
        }
    }

    /// The write behind `w`, if `w` is not stale.
    pub(crate) fn write_mut(&mut self, w: WriteRef) -> Option<&mut Write> {
        self.writes
            .get_mut(w.slot as usize)
            .filter(|e| e.gen == w.gen)
    }

    /// Frees the slot once the client is done and the service holds no reference.
    pub(crate) fn release_if_done(&mut self, w: WriteRef) {
        if let Some(write) = self.write_mut(w) {
            if write.resolved && write.refs == 0 {
                write.gen = write.gen.wrapping_add(1);
                self.free_slots.push(w.slot);
            }
        }
    }

    /// The region the client's view of the hostname names now.
    fn dns_target(&mut self) -> RegionId {
        let primary = self.primary_region();
        match self.dns {
            Some(r) if self.now < r.end => {
                let share = (self.now - r.start) as f64 / (r.end - r.start) as f64;
                if self.rng_routing.random::<f64>() < share {
                    primary
                } else {
                    r.old_region
                }
            }
            _ => primary,
        }
    }

    fn send_attempt(&mut self, w: WriteRef) {
        let now = self.now;
        let region = self.dns_target();
        let client = self.model.workload.client_region;
        let delay = self.one_way(client, region, false);
        let arrival = now.saturating_add(delay);
        let Some(write) = self.write_mut(w) else {
            return;
        };
        write.awaiting = true;
        let attempt = write.attempt;
        if self.delivered(client, region, arrival) {
            if let Some(write) = self.write_mut(w) {
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
        if let Some(write) = self.write_mut(w) {
            write.attempt += 1;
            self.send_attempt(w);
        }
    }

    /// Rules 2–5 at region `region`; rule 1 (down region or link) was decided when
    /// the request was sent: an undelivered request never arrives.
    pub(crate) fn on_request(&mut self, w: WriteRef, attempt: u32, region: RegionId) {
        if let Some(write) = self.write_mut(w) {
            write.refs -= 1;
        }
        let outcome = if region != self.primary_region() {
            Some(Outcome::Unavailable)
        } else if self.promotion.is_some() {
            Some(Outcome::ReadOnly)
        } else if self.namespace_lag() > self.config.max_lag {
            Some(Outcome::Throttled)
        } else {
            None
        };
        match outcome {
            Some(rejection) => self.answer(region, w, attempt, rejection),
            None => self.accept(w, attempt),
        }
        self.release_if_done(w);
    }

    /// Sends `outcome` from `region` to the client.
    pub(crate) fn answer(&mut self, region: RegionId, w: WriteRef, attempt: u32, outcome: Outcome) {
        let client = self.model.workload.client_region;
        let arrival = self.now.saturating_add(self.one_way(region, client, false));
        if self.delivered_to_client(region, arrival) {
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
    }

    pub(crate) fn on_answer(&mut self, w: WriteRef, attempt: u32, outcome: Outcome) {
        let now = self.now;
        let Some(write) = self.write_mut(w) else {
            return;
        };
        if write.resolved || !write.awaiting || write.attempt != attempt {
            return; // an answer to an attempt the client already gave up on
        }
        let counted = write.counted;
        let issued = write.issued_at;
        match outcome {
            Outcome::Acked => {
                write.awaiting = false;
                write.resolved = true;
                if counted {
                    self.metrics.acked(now - issued, attempt == 0);
                }
                self.metrics.first_ack_after_outage(issued, now);
                self.observe(|o| o.acked(now, w));
                self.release_if_done(w);
            }
            Outcome::Throttled => self.attempt_failed(w, AttemptOutcome::Throttled),
            Outcome::ReadOnly => self.attempt_failed(w, AttemptOutcome::ReadOnly),
            Outcome::Unavailable => self.attempt_failed(w, AttemptOutcome::Unavailable),
        }
    }

    pub(crate) fn on_timeout_due(&mut self) {
        let Some((_, w, attempt)) = self.deadlines.pop_front() else {
            return;
        };
        self.deadline_head_changed();
        if let Some(write) = self.write_mut(w) {
            if !write.resolved && write.awaiting && write.attempt == attempt {
                self.attempt_failed(w, AttemptOutcome::TimedOut);
            }
        }
    }

    /// After a failed attempt: back off and retry, or give up after the last one.
    fn attempt_failed(&mut self, w: WriteRef, outcome: AttemptOutcome) {
        let retries = self.model.workload.retries;
        let backoff = self.model.workload.backoff;
        let now = self.now;
        let Some(write) = self.write_mut(w) else {
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
            self.release_if_done(w);
        } else {
            self.queue
                .push(now.saturating_add(backoff), Event::Retry { w });
        }
    }
}

/// Nanoseconds from a non-negative float, rounded half away from zero (as
/// `f64::round`), saturating (samples are already clamped).
#[inline]
pub(crate) fn to_nanos(x: f64) -> Nanos {
    // Below 2^63 the signed conversions are single instructions on x86-64 (the
    // unsigned ones are not); the rounding argument is the one below.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x > 0.0 && x < TWO_63 {
        let t = x as i64;
        return (t + i64::from(x - t as f64 >= 0.5)) as Nanos;
    }
    if x >= Nanos::MAX as f64 {
        Nanos::MAX
    } else if x > 0.0 {
        // `f64::round` is a libm call on baseline x86-64 (about 7% of a run); this is
        // the same function: truncation is exact, and so is `x - t` (below 2^53 the
        // two are within a factor of 2, or t = 0; above it x is an integer).
        let t = x as Nanos;
        if x - t as f64 >= 0.5 {
            t + 1
        } else {
            t
        }
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_nanos_rounds_like_f64_round() {
        let mut xs = vec![
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            9_007_199_254_740_993.0,
            1.8e19,
            9.3e18,
            9_223_372_036_854_774_784.0,
            1e-300,
            0.0,
            -1.0,
        ];
        let mut x = 0.37_f64;
        for _ in 0..10_000 {
            x = (x * 1.618_033_988_7 + 0.123_456_789) % 1e12;
            xs.push(x);
            xs.push(x.floor() + 0.5);
        }
        for x in xs {
            assert_eq!(to_nanos(x), x.max(0.0).round() as Nanos, "{x}");
        }
    }
}
