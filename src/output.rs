//! Writes output files atomically: each goes to a temporary name in the same
//! directory and is renamed into place, so an interrupted run never leaves a
//! truncated file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{GeoError, Result};

pub fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| {
        GeoError::io(
            dir.display().to_string(),
            format!("cannot create the output directory: {e}"),
        )
        .with_help("choose a writable directory with --out DIR")
    })
}

pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let io_err = |e: std::io::Error| {
        let _ = fs::remove_file(&tmp);
        GeoError::io(path.display().to_string(), format!("cannot write: {e}"))
    };
    let mut f = fs::File::create(&tmp).map_err(io_err)?;
    f.write_all(bytes).map_err(io_err)?;
    f.sync_all().map_err(io_err)?;
    drop(f);
    fs::rename(&tmp, &path).map_err(io_err)?;
    Ok(path)
}
