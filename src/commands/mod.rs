//! The commands that simulate and write files — `run`, `sweep` and `merge` — from
//! parsed arguments to an output directory, and what they share: `--jobs`, printing
//! to stdout, the Ctrl-C flag and the version they record.
//!
//! Order matters for the contract: everything is validated before anything runs,
//! nothing is written unless the command succeeded (or a run was interrupted: then
//! the variants that finished), and an output directory changes all at once
//! (`output::Staging`).

pub mod merge;
pub mod run;
pub mod sweep;

use std::io::Write;

use crate::error::{GeoError, Result};
pub use crate::interrupt::{stopped, STOP};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Worker threads from `--jobs` (default: every core).
pub fn jobs(jobs: Option<usize>) -> Result<usize> {
    match jobs {
        Some(0) => Err(GeoError::invalid("--jobs must be at least 1")
            .with_key("--jobs")
            .with_help("omit --jobs to use every core")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Prints to stdout; a closed pipe (`geosim … | head`) is not an error.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
