//! `geosim merge`: shard files (untrusted input) → the files of the whole sweep.

use std::path::PathBuf;

use super::print;
use super::sweep::{chart_figures, render, write};
use crate::error::Result;
use crate::sweep::args::MergeArgs;
use crate::sweep::{merge, table};

pub fn merge(args: &MergeArgs) -> Result<()> {
    let charts = chart_figures(&args.render)?;
    let files = merge::shard_files(&args.shards)?;
    let data = merge::merge_files(&files)?;
    let out = render(&data, &charts)?;
    let dir: PathBuf = args.out.join(&data.header.scenario).join("sweep");
    write(&dir, &out)?;
    print(&table::summary_table(&data));
    if !args.quiet {
        eprintln!("merged {} shards into {}", files.len(), dir.display());
    }
    Ok(())
}
