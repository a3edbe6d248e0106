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

pub mod error;
pub mod model;
pub mod report;
pub mod results;
