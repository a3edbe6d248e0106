//! Integration tests, one binary: engine oracles, invariants, determinism, promotion, CLI.

// As in the library: `GeoError` (~150 bytes) only travels out of a failed run.
#![allow(clippy::result_large_err)]

mod common;
mod cost;
mod determinism;
mod golden;
mod mode_notes;
mod model_fixes;
mod module_graph;
mod oracles;
mod promotion;
mod properties;
mod protocols;
mod reads;
mod reference;
mod snapshot;
mod validation;
mod year;
mod year_cuts;
