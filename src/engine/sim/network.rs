//! The network and commit delays of the model (SPEC §3 "Network"), and whether a
//! message is delivered: the one place that turns a distribution draw and the
//! outage windows into a delay in nanoseconds.
//!
//! Owns no state: it reads the model, the constants table and the availability, and
//! draws from the network, replication and commit streams.

use super::Simulation;
use crate::model::{Nanos, RegionId, Target};
use crate::time::to_nanos;

/// Which random stream a message delay draws from.
#[derive(Clone, Copy)]
enum Stream {
    Network,
    Replication,
    Reads,
}

impl Simulation<'_> {
    /// One-way network delay between regions `a` and `b` starting at `now`: half a
    /// sample of their link's RTT, or of `local_rtt` when co-located; `slow`
    /// outages multiply it.
    #[inline]
    pub(crate) fn one_way(&mut self, a: RegionId, b: RegionId, for_replication: bool) -> Nanos {
        let stream = if for_replication {
            Stream::Replication
        } else {
            Stream::Network
        };
        self.one_way_on(a, b, stream)
    }

    /// A read's one-way delay, drawn from the reads' own stream.
    #[inline]
    pub(crate) fn read_one_way(&mut self, a: RegionId, b: RegionId) -> Nanos {
        self.one_way_on(a, b, Stream::Reads)
    }

    /// Inlined (as `commit_delay` is) into its few callers, each of a message kind of
    /// its own: 2% of a jittered quorum run left as calls.
    #[inline(always)]
    fn one_way_on(&mut self, a: RegionId, b: RegionId, stream: Stream) -> Nanos {
        if !self.avail.any_slow() {
            if let Some(ns) = self.constants.one_way_ns(a, b) {
                return ns;
            }
        }
        let rng = match stream {
            Stream::Network => &mut self.rng_network,
            Stream::Replication => &mut self.rng_replication,
            Stream::Reads => &mut self.rng_reads,
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
    #[inline(always)]
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
    pub(crate) fn delivered_to_client(&self, region: RegionId, t: Nanos) -> bool {
        let client = self.model.workload.client_region;
        client == region || !self.avail.is_down(Target::link(client, region), t)
    }
}
