//! `geosim`: parse the command line, call the library, exit with its code.

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
    std::process::exit(geosim::app::main_with(cli));
}
