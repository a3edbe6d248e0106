//! Capacity planning over many runs: parameter sweeps over a grid of scenario keys,
//! statistics over independent runs (shared with `aggregate.csv`), and sweeps split into
//! shards across machines and merged back.
//!
//! ```text
//! scenario text + [sweep] + --set ─▶ grid (apply each point to the TOML document)
//!   ─▶ scenario::parse per point ─▶ exec (points × variants × runs, one rayon task list)
//!   ─▶ data (one row per run) ─▶ shard file  ─┐
//!                              └─────────────┴─▶ merge ─▶ report::sweep_* (csv, charts, html)
//! ```
//!
//! The engine is used as `geosim run` uses it; nothing here changes what a run computes.

pub mod args;
pub mod data;
pub mod exec;
pub mod figures;
pub mod grid;
pub mod merge;
pub mod shard;
pub mod table;
