//! The discrete-event engine: integer clock, (time, seq) event order, derived random
//! streams, outage windows, and the simulation of one variant × run.
//!
//! Rooms, each with one owner and no imports between them (`tests/it/module_graph.rs`
//! checks the graph has no cycle):
//!
//! ```text
//! sim/            Simulation: the state, the event loop and `dispatch` (mod.rs), and
//!                 the handlers per room: client.rs, replication.rs, promote.rs,
//!                 network.rs, schedule.rs, reads.rs, snapshot.rs
//! writes.rs       the clients' writes in flight (slots with generations)
//! log.rs          ReplicationLog: entries, base, next seq, sync cursor, epoch, cut
//! secondary.rs    Secondary: its Standing (ready/joining/resyncing/removed),
//!                 reachability, channel cursors
//! promotion.rs    the promotion state machine (idle/draining/switching)
//! points.rs       snapshot mode's recovery points (SPEC §6.4): boundaries, counts
//! reads.rs        the readers (SPEC §7): placement, what each region lacks, visibility
//! seams/          the rules Part II fills in: commit rule, lag rule, ship unit
//! event.rs        the events; queue.rs and lane.rs: their (time, seq) order
//! observer.rs     Observer: what a run tells an outside checker (check.rs, tests)
//! availability.rs outage windows of a run; draw.rs: distribution draws; rng.rs
//! ```

pub mod availability;
mod draw;
pub mod event;
pub(crate) mod lane;
pub(crate) mod log;
pub mod observer;
pub(crate) mod points;
pub(crate) mod promotion;
pub(crate) mod queue;
pub(crate) mod reads;
pub mod rng;
pub(crate) mod seams;
pub(crate) mod secondary;
pub mod sim;
pub(crate) mod sliding;
pub(crate) mod writes;

pub use sim::Simulation;
