//! The discrete-event engine: integer clock, (time, seq) event order, derived
//! random streams, outage windows, and the simulation of one variant × run.

pub mod availability;
pub(crate) mod client;
pub mod event;
pub mod queue;
pub mod rng;
pub mod sim;

pub use sim::Simulation;
