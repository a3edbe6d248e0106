//! `geosim`: parse the command line, call the library, exit with its code.

use std::sync::atomic::Ordering;

use clap::Parser;

fn main() {
    let cli = match geosim::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; usage errors exit 2 (SPEC §1).
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // Ctrl-C asks the simulations to stop; what finished is then written and geosim
    // exits 130. A second Ctrl-C does not wait: every file is renamed into place
    // whole, so quitting at once never leaves a truncated one.
    let handler = ctrlc::set_handler(|| {
        if geosim::commands::STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: stopping the simulations (Ctrl-C again to quit at once)");
    });
    if let Err(e) = handler {
        eprintln!("warning: Ctrl-C will stop geosim without writing what finished: {e}");
    }
    std::process::exit(geosim::app::main_with(cli));
}
