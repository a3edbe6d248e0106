//! The discrete-event engine: integer clock, (time, seq) event order, derived
//! random streams, outage windows, and the simulation of one variant × run.

pub mod availability;
pub(crate) mod client;
mod draw;
pub mod event;
pub(crate) mod lane;
pub mod queue;
pub mod rng;
mod schedule;
pub mod sim;

pub use sim::Simulation;
