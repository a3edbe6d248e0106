//! The scenario file: TOML text → validated, immutable [`Model`](crate::model::Model).
//!
//! `raw` mirrors the file, `units` parses quantities, `catalog` holds the built-in Azure
//! regions, `validate` (with `network`, `events`, `dist`) checks everything and builds the
//! model, and `plan` describes a model for `geosim check`. Nothing here runs a simulation.

pub mod catalog;
mod context;
pub(crate) mod dist;
mod events;
pub mod key_table;
pub mod keys;
mod locate;
mod network;
mod objectives;
mod plan;
pub mod presets;
mod prices;
mod protocol;
pub mod raw;
mod reads;
pub mod reference;
mod suggest;
pub mod units;
mod validate;
mod warnings;

pub use plan::plan;
pub use validate::{load, load_source, parse, read, Source};
pub use warnings::warnings;

#[cfg(test)]
mod tests;
