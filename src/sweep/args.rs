//! The command-line arguments of `geosim sweep` and `geosim merge` (clap), kept here so
//! `cli.rs` only names the two subcommands.

use std::path::PathBuf;

use clap::Args;

/// The figures charted by default: the questions capacity planning asks first.
pub const DEFAULT_CHARTS: [&str; 6] = [
    "availability",
    "latency_p99_ms",
    "rpo_s",
    "writes_lost",
    "throttled_s",
    "lag_max_s",
];

#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML); its [sweep] table, if any, declares swept keys.
    pub scenario: PathBuf,
    /// A swept key and its values, e.g. workload.rate=500,1000,2000 (repeatable; replaces
    /// the same key of [sweep]). List keys take `|` between values and `+` inside one:
    /// replication.secondaries=eastus|northeurope+westus2.
    #[arg(long = "set", value_name = "KEY=V1,V2,...")]
    pub sets: Vec<String>,
    /// Output directory; files go to DIR/<scenario name>/sweep/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Overrides [simulation] seed at every grid point.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only the grid points k with k mod N = I (I counts from 0) and write
    /// shard-I-of-N.csv for `geosim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub render: RenderArgs,
    /// Also write sweep.csv's figures to FILE: .json, .md (key figures) or .csv, by
    /// extension (repeatable; not with --shard: export from merge).
    #[arg(long = "export", value_name = "FILE")]
    pub exports: Vec<PathBuf>,
    /// Hide progress output.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Shard files, or directories holding shard-I-of-N.csv files.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Output directory; files go to DIR/<scenario name>/sweep/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    #[command(flatten)]
    pub render: RenderArgs,
    /// Also write sweep.csv's figures to FILE: .json, .md (key figures) or .csv, by
    /// extension (repeatable; not with --shard: export from merge).
    #[arg(long = "export", value_name = "FILE")]
    pub exports: Vec<PathBuf>,
    /// Hide progress output.
    #[arg(short, long)]
    pub quiet: bool,
}

/// What a whole sweep's files show (a shard writes only its data).
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// Figures of summary.csv to chart against the first numeric swept key.
    #[arg(long, value_name = "FIGURE,...", value_delimiter = ',', default_values_t = DEFAULT_CHARTS.map(String::from))]
    pub charts: Vec<String>,
}
