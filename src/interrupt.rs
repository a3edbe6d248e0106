//! The Ctrl-C flag: set by the handler in `main`, polled by every simulation (run,
//! sweep, year of failures) so that a command stops within a moment.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the Ctrl-C handler (`main`); the simulations poll it and stop early.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C has been pressed.
pub fn stopped() -> bool {
    STOP.load(Ordering::Relaxed)
}
