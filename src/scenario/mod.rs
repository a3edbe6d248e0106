//! The scenario file: TOML text → validated, immutable [`Model`](crate::model::Model).
//!
//! `raw` mirrors the file, `units` parses quantities, `catalog` holds the built-in Azure
//! regions, `validate` (with `network`, `events`, `dist`) checks everything and builds the
//! model, and `plan` describes a model for `geosim check`. Nothing here runs a simulation.


pub mod catalog;
mod context;
mod dist;
mod events;
mod locate;
mod network;
mod plan;
pub mod raw;
mod suggest;
pub mod units;
mod validate;

pub use plan::plan;
pub use validate::{load, parse};

#[cfg(test)]
mod tests;
