//! The command line (SPEC §1): `run`, `check`, `regions`; `sweep` and `merge` (issue 6).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "geosim",
    version = LONG_VERSION,
    about = "Deterministic discrete-event simulator of cross-region replication trade-offs",
    long_about = "Simulates a scenario's replication variants (sync vs async, lag limits, planned vs \
forced promotion) side by side and writes RPO, latency and availability figures, charts and an HTML report."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Png,
    Svg,
    Both,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every variant of a scenario and write its outputs to DIR/<scenario name>/.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output directory; files go to DIR/<scenario name>/.
        #[arg(long, value_name = "DIR", default_value = "output")]
        out: PathBuf,
        /// Overrides [simulation] seed.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Worker threads (default: all cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Run only this variant (repeatable).
        #[arg(long = "variant", value_name = "NAME")]
        variants: Vec<String>,
        /// Hide progress output.
        #[arg(short, long)]
        quiet: bool,
        /// Set one scenario key for this run, e.g. workload.rate=800 (repeatable; the key
        /// paths and values of `sweep --set`, one value each). Echoed in run.json and the report.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Also write the figures to FILE: .json (every figure and the run's metadata),
        /// .md (the key-figures table) or .csv, by extension (repeatable).
        #[arg(long = "export", value_name = "FILE")]
        exports: Vec<PathBuf>,
        /// Chart file format.
        #[arg(long, value_enum, default_value_t = Format::Both)]
        format: Format,
        /// Write only the CSV and JSON files, no charts or report.
        #[arg(long)]
        no_charts: bool,
        /// Check every simulation against the model's invariants (README, --check); a
        /// violation is an error (exit 1) naming the variant, run and seed.
        #[arg(long)]
        check: bool,
    },
    /// Parse and validate a scenario and print the expanded plan; runs nothing.
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Run a scenario over a grid of key values (--set, [sweep]) and write sweep.csv,
    /// charts and report.html (its sweep section) to DIR/<scenario name>/sweep/ (or one shard of the grid).
    Sweep(crate::sweep::args::SweepArgs),
    /// Combine the shard files of a sweep into the files a single-machine sweep writes.
    Merge(crate::sweep::args::MergeArgs),
    /// The presets of real systems: what each sets, what it refuses, and the
    /// documentation each number comes from.
    Presets,
    /// The built-in region catalogue and its median round-trip times.
    Regions {
        /// List the other regions by round-trip time from this one.
        #[arg(long, value_name = "REGION")]
        from: Option<String>,
    },
    /// Print the JSON Schema of the scenario file (for editors; docs/scenario-reference.md
    /// documents every key).
    Schema,
    /// Print a shell completion script (README, "Shell completions and man page").
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the man page (roff), e.g. geosim man > geosim.1.
    Man,
}

/// `--version`: the package version, with the commit when built from a git checkout
/// (`build.rs`).
pub const LONG_VERSION: &str = env!("GEOSIM_LONG_VERSION");

/// The shells `geosim completions` writes a script for (`crate::tools`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}
