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
pub mod export;
pub mod format;
pub mod interrupt;
pub mod json_value;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod objectives;
pub mod output;
pub mod overrides;
pub mod parallel;
pub mod report;
pub mod results;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod stats;
pub mod sweep;
pub mod text_table;
pub mod time;
pub mod tools;
pub mod year;
