//! What a simulation tells an outside observer (the checker of `check.rs`, tests) as it
//! runs. The engine owns the trait and calls it; it never depends on who implements it.

use crate::engine::event::WriteRef;
use crate::model::{Nanos, RegionId};

/// What a simulation reports to an outside observer. Every method has an empty
/// default so an observer implements only what it needs.
pub trait Observer {
    /// The engine is about to handle an event at `t`.
    fn event(&mut self, _t: Nanos) {}
    /// A client issued write `w` (`counted`: after warmup).
    fn offered(&mut self, _t: Nanos, _w: WriteRef, _counted: bool) {}
    /// The client received the acknowledgement of `w`.
    fn acked(&mut self, _t: Nanos, _w: WriteRef) {}
    /// The client gave up on `w` after its last attempt.
    fn failed(&mut self, _t: Nanos, _w: WriteRef) {}
    /// `region`, as primary, durably committed log entry `seq`. `sync`: whether every
    /// ready secondary had acknowledged it (a sync write; not one whose wait a switch
    /// to async cut short); `None` when the entry has left the log (a promotion
    /// replaced it) before its commit completed.
    fn committed(&mut self, _t: Nanos, _region: RegionId, _seq: u64, _sync: Option<bool>) {}
    /// Secondary `region` applied log entry `seq`, accepted by the primary at `t_accept`.
    fn applied(&mut self, _t: Nanos, _region: RegionId, _seq: u64, _t_accept: Nanos) {}
    /// A planned promotion from `old` to `target` finished its drain.
    fn drained(&mut self, _t: Nanos, _old: RegionId, _target: RegionId) {}
    /// A promotion from `old` to `target` turned (or started) forced; `ready`: the
    /// target was a ready secondary at that moment.
    fn promotion_forced(&mut self, _t: Nanos, _old: RegionId, _target: RegionId, _ready: bool) {}
    /// A promotion completed: `region` is the primary now.
    fn promoted(&mut self, _t: Nanos, _region: RegionId) {}
}
