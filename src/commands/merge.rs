//! `geosim merge`: shard files (untrusted input) → the files of the whole sweep.

use super::print;
use super::sweep::{chart_figures, export, render, terminal_summary, write};
use crate::error::Result;
use crate::output;
use crate::sweep::args::MergeArgs;
use crate::sweep::merge;

pub fn merge(args: &MergeArgs) -> Result<()> {
    let charts = chart_figures(&args.render)?;
    crate::export::check_paths(&args.exports)?;
    let found = merge::shard_files(&args.shards)?;
    if !args.quiet {
        for line in &found.report {
            eprintln!("{line}");
        }
    }
    // Everything is read and checked before anything is written.
    let data = merge::merge_files(&found.files)?;
    let out = render(&data, &charts)?;
    let staging = output::Staging::new(
        &args.out,
        &[data.header.scenario.as_str(), "sweep"],
        output::Kind::Sweep,
    )?;
    let dir = write(staging, &out)?;
    export(&args.exports, &data.header, &out)?;
    print(&terminal_summary(&data));
    if !args.quiet {
        eprintln!("merged {} shards into {}", found.files.len(), dir.display());
    }
    Ok(())
}
