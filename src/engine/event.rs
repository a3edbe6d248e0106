//! The events of a simulation: one small `Copy` enum, one line of doc per event.

/// A client write's slot in the in-flight table, with the slot's generation so that a
/// stale reference (to a write that finished and whose slot was reused) is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRef {
    pub slot: u32,
    pub gen: u32,
}

/// What a region answered to an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Acked,
    Throttled,
    ReadOnly,
    Unavailable,
}

/// The event queue's lanes (engine/queue.rs): the events of a write scheduled with a
/// delay that is constant or nearly so, so that they come due in about the order they
/// were scheduled. Acks have a lane per node after these (engine/sim/schedule.rs):
/// acks from secondaries at different distances, in one lane, would arrive far out of
/// the order they were sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fifo {
    Arrival,
    Request,
    PrimaryCommit,
    Answer,
    ReadArrival,
    ReadAt,
    /// A channel's serialisation (`ChannelSent`): one write's bytes at the link's rate.
    ChannelSent,
    /// A retry after the constant backoff, scheduled at the failed attempt's time:
    /// always in order (issue 15: four per write that fails, in an outage).
    Retry,
}

impl Fifo {
    pub const COUNT: usize = 8;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// The next client write of the open-loop workload arrives and sends its first attempt.
    Arrival,
    /// A client's backoff after a failed attempt is over: it sends the next attempt.
    Retry { w: WriteRef },
    /// An attempt's request reaches a region.
    Request {
        w: WriteRef,
        attempt: u32,
        region: u32,
    },
    /// A region's answer to an attempt reaches the client.
    Answer {
        w: WriteRef,
        attempt: u32,
        outcome: Outcome,
    },
    /// The earliest pending attempt deadline is due (deadlines are FIFO).
    TimeoutDue,
    /// A primary's durable commit of a log entry completes (`region`: the primary
    /// that committed it, which answers even if a promotion completed meanwhile).
    PrimaryCommit {
        w: WriteRef,
        attempt: u32,
        seq: u64,
        region: u32,
    },
    /// A replication channel finished serialising the write at its head.
    ChannelSent { node: u32, send_epoch: u32 },
    /// A secondary has applied a write (in order).
    Applied { node: u32, seq: u64, log_epoch: u32 },
    /// A secondary's cumulative acknowledgement reaches the primary.
    Ack {
        node: u32,
        upto: u64,
        log_epoch: u32,
    },
    /// The next region or link up/down transition of the run.
    Transition,
    /// The next operator `[[action]]`.
    Action,
    /// `auto_promote` deadline for a primary region that went down.
    AutoPromote { region: u32, down_epoch: u32 },
    /// `remove_secondary_after` deadline for a secondary whose region or link to the
    /// primary went down (SPEC §3.1: the primary's own outage starts no timer).
    RemoveSecondary { node: u32, fault_epoch: u32 },
    /// `escalate_after` deadline of a planned promotion.
    Escalate { promotion: u32 },
    /// `failback.after` deadline of failback timer `timer`: the scenario's primary
    /// (node `node`) became ready then.
    Failback { node: u32, timer: u32 },
    /// The role switch of a promotion completes.
    SwitchDone { promotion: u32 },
    /// The next read of `[reads]` is issued.
    ReadArrival,
    /// A read issued at `issued` reaches node `node`, which answers it.
    ReadAt { node: u32, issued: u64 },
    /// Semi-sync (SPEC §6.2): time to see whether the oldest write waiting for acks has
    /// waited `semi_sync_timeout`.
    SemiSyncTimer,
    /// Snapshot mode: t = k × interval, the primary cuts a recovery point.
    CutPoint,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events are copied in and out of the queue on every step: keep them within
    /// half a cache line (a queue entry is then 48 bytes with its time and sequence).
    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<Event>() <= 32);
    }
}
