//! geosim: a deterministic discrete-event simulator of cross-region replication.
//!
//! ```text
//! scenarios/*.toml ─▶ scenario (raw TOML → validated Model) ─▶ engine (one Simulation per variant×run)
//!                  ─▶ metrics (streaming recorders → SimResult) ─▶ report (csv, json, charts, html)
//!                  ─▶ output/<scenario>/
//! ```
//!
//! Data flows one way: nothing downstream reaches back into the scenario text, and the
//! engine sees only the validated [`model::Model`].

// `GeoError` carries the location, key path and fix of an error (~150 bytes). It only
// travels on the cold path out of a failed command, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod check;
pub mod cli;
pub mod commands;
pub mod cost;
pub mod engine;
pub mod error;
pub(crate) mod export;
pub mod format;
pub(crate) mod interrupt;
pub(crate) mod json_value;
pub mod limits;
pub(crate) mod metrics;
pub mod model;
pub mod objectives;
pub(crate) mod output;
pub(crate) mod overrides;
pub(crate) mod parallel;
pub mod report;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod schema;
pub(crate) mod stats;
pub mod sweep;
pub(crate) mod text_table;
pub(crate) mod time;
pub(crate) mod tools;
pub mod year;
