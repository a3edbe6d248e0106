//! A write throttled now whose every later attempt is sure to be throttled too: the
//! rest of its attempts are settled at once, without their events (issue 15). In a
//! long outage of a secondary that an async namespace waits for, each write offered
//! past the lag limit cost a dozen events (four requests, four answers, three
//! retries, its arrival) that all end the same way.
//!
//! Sure means that nothing can change rule 4's answer before the write's last answer
//! arrives. The lag only grows while the log and every secondary stand still (the
//! oldest pending write stays the oldest), and the backlog stays: so nothing may be in
//! the replication pipeline (no primary commit, serialisation, apply or ack pending,
//! none of them parked in the heap), and no event scheduled apart from the lanes
//! (transitions, actions, timers, promotion steps) may come due first. Requests from
//! other clients change nothing meanwhile: each is throttled, or refused by a region
//! that is not primary. The attempts must also be the same each time: the region the
//! client's DNS names stays the primary (no repoint window), and the delays both ways
//! are constants (no draw is skipped, so every stream is as it was).
//!
//! Exact too: the failed attempts are counted in the time buckets of their answers
//! (`Recorder::attempt_failed_at`), and the engine's event count grows by the events
//! they were (those due before the end of the run). The attempt deadlines stay as they
//! were: every deadline pending is after the write's last answer, so none reaches the
//! head before then, and the write's later deadlines, which would have been dropped
//! unseen, count as the events they were. An observer (`--check`) turns it off; a test
//! compares.

use super::Simulation;
use crate::engine::event::{Fifo, WriteRef};
use crate::metrics::AttemptOutcome;
use crate::model::{Nanos, RegionId};

/// When the client learns the outcome of each remaining attempt of a throttled write,
/// and when it sends them (all constant steps apart).
#[derive(Debug, Clone, Copy)]
struct Chain {
    /// The answer to the attempt throttled now.
    first_answer: Nanos,
    /// Attempts after this one.
    later: u32,
    /// From one answer to the next: backoff, then a request and its answer.
    period: Nanos,
    backoff: Nanos,
    /// From sending an attempt to its request's arrival.
    to_region: Nanos,
    timeout: Nanos,
}

impl Chain {
    /// The answer to the `k`-th later attempt (0: the attempt throttled now).
    fn answer(&self, k: u32) -> Nanos {
        self.first_answer
            .saturating_add(self.period.saturating_mul(u64::from(k)))
    }

    fn last_answer(&self) -> Nanos {
        self.answer(self.later)
    }

    /// Events the chain would have had: an answer per attempt, and per later attempt
    /// its retry, request and deadline.
    fn events(&self) -> u64 {
        1 + 4 * u64::from(self.later)
    }
}

impl Simulation<'_> {
    /// Settles `w`, whose attempt `attempt` region `region` (the primary) throttles now,
    /// if each of its remaining attempts is sure to be throttled too; returns whether it
    /// did. Else the caller answers the attempt as usual.
    pub(crate) fn settle_throttled(&mut self, w: WriteRef, attempt: u32, region: RegionId) -> bool {
        let Some(chain) = self.sure_throttled(w, attempt, region) else {
            return false;
        };
        let Some(write) = self.writes.get_mut(w) else {
            return false;
        };
        write.awaiting = false;
        write.resolved = true;
        write.attempt = attempt + chain.later;
        let counted = write.counted;
        let duration = self.model.duration;
        let due = |t: Nanos| u64::from(t < duration);
        self.events += due(chain.first_answer);
        for k in 1..=chain.later {
            let sent = chain.answer(k - 1).saturating_add(chain.backoff);
            self.events += due(sent)
                + due(sent.saturating_add(chain.to_region))
                + due(chain.answer(k))
                + due(sent.saturating_add(chain.timeout));
        }
        if counted {
            for k in 0..=chain.later {
                self.metrics
                    .attempt_failed_at(chain.answer(k), AttemptOutcome::Throttled);
            }
            if chain.last_answer() < duration {
                self.metrics.writes_failed += 1;
            }
        }
        true
    }

    /// The chain of `w`'s remaining attempts if each is sure to be throttled (see the
    /// module's doc).
    fn sure_throttled(&self, w: WriteRef, attempt: u32, region: RegionId) -> Option<Chain> {
        let workload = &self.model.workload;
        let client = workload.client_region;
        if self.observer.is_some()
            || self.avail.any_slow()
            || !self.writes.attempt_pending(w, attempt)
            || self.dns.is_some_and(|r| r.end > self.now)
            || !self.replication_stands_still()
        {
            return None;
        }
        let to_region = self.constants.one_way_ns(client, region)?;
        let to_client = self.constants.one_way_ns(region, client)?;
        // Each answer comes before its attempt's deadline.
        if to_region.saturating_add(to_client) >= workload.timeout {
            return None;
        }
        let chain = Chain {
            first_answer: self.now.saturating_add(to_client),
            later: workload.retries.checked_sub(attempt)?,
            period: workload
                .backoff
                .saturating_add(to_region)
                .saturating_add(to_client),
            backoff: workload.backoff,
            to_region,
            timeout: workload.timeout,
        };
        let last = chain.last_answer();
        let after_last = |t: Nanos| t > last;
        let sure = self
            .events
            .saturating_add(chain.events())
            .le(&self.model.max_events)
            && self.metrics.counts_ahead_to(last)
            && self
                .deadlines
                .front()
                .is_some_and(|&(t, _, _)| after_last(t))
            && self.queue.next_pushed_time().is_none_or(after_last);
        sure.then_some(chain)
    }

    /// Is nothing in the replication pipeline: no primary commit, serialisation, ack
    /// or apply pending (nor any lane's event in the heap)?
    fn replication_stands_still(&self) -> bool {
        let idle = |lane: usize| self.queue.lane_is_empty(lane);
        self.queue.heap_holds_only_pushed()
            && idle(Fifo::PrimaryCommit as usize)
            && idle(Fifo::ChannelSent as usize)
            && (0..self.nodes.len())
                .all(|i| idle(Self::ack_lane(i)) && self.nodes[i].lane.head().is_none())
    }
}
