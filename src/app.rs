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
        } => {
            let (model, source) = scenario::load_source(&scenario)?;
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
