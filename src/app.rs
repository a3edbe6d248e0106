//! The command line's dispatch: each subcommand to the code that does it, and the
//! error of a failed command to stderr and an exit code. The commands that simulate
//! and write live in `commands`.

use crate::cli::{Cli, Command};
use crate::commands::{self, print, run::RunRequest};
use crate::error::Result;
use crate::scenario;

pub use crate::commands::{STOP, VERSION};

/// Runs the command line `args` (without the program name) and returns the exit code.
pub fn main_with(cli: Cli) -> i32 {
    match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}

fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Check { scenario } => {
            let model = scenario::load(&scenario)?;
            warn(&model);
            print(&scenario::plan(&model));
            Ok(())
        }
        Command::Sweep(args) => commands::sweep::sweep(&args),
        Command::Merge(args) => commands::merge::merge(&args),
        Command::Presets => {
            print(&scenario::presets::describe());
            Ok(())
        }
        Command::Regions { from } => {
            print(&scenario::catalog::listing(from.as_deref())?);
            Ok(())
        }
        Command::Schema => {
            print(&crate::schema::schema_text());
            Ok(())
        }
        Command::Completions { shell } => {
            print_bytes(&crate::tools::completions(shell));
            Ok(())
        }
        Command::Man => {
            let page = crate::tools::man().map_err(|e| {
                crate::error::GeoError::io("man page", format!("cannot render: {e}"))
            })?;
            print_bytes(&page);
            Ok(())
        }
        Command::Run {
            scenario,
            out,
            seed,
            jobs,
            variants,
            quiet,
            format,
            no_charts,
            check,
            sets,
            exports,
        } => {
            let loaded = crate::overrides::load(&scenario, &sets)?;
            crate::export::check_paths(&exports)?;
            let (model, source) = (loaded.model, loaded.source);
            warn(&model);
            let run = RunRequest {
                scenario: &scenario,
                text: source.text.as_bytes(),
                out: &out,
                seed,
                jobs,
                variants: &variants,
                quiet,
                charts: (!no_charts).then_some(chart_format(format)),
                check,
                sets: &loaded.sets,
                exports: &exports,
            };
            commands::run::run_command(model, &run)
        }
    }
}

/// `--format` as the report's own type (the report does not know the command line).
fn chart_format(format: crate::cli::Format) -> crate::report::charts::ChartFormat {
    use crate::cli::Format;
    use crate::report::charts::ChartFormat;
    match format {
        Format::Png => ChartFormat::Png,
        Format::Svg => ChartFormat::Svg,
        Format::Both => ChartFormat::Both,
    }
}

/// The scenario's warnings (`scenario::warnings`), on stderr: they never stop a command.
fn warn(model: &crate::model::Model) {
    for w in scenario::warnings(model) {
        eprintln!("warning: {w}");
    }
}

/// Prints bytes to stdout; a closed pipe is not an error.
fn print_bytes(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}
