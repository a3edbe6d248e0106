//! Writes a run's output files so that no reader ever sees a half-written one.
//!
//! A [`Staging`] directory is made beside the final one *before* the run starts (so an
//! unwritable `--out` fails at once, not after hours of simulation). The files are
//! written and synced there, then renamed into `DIR/<scenario>/` one by one: each
//! rename is atomic, and `run.json` goes last, so a complete `run.json` marks a
//! complete set. Files an earlier run left that this run does not write are removed
//! first, so an old chart never sits beside new figures. If anything fails (or the
//! staging is dropped), the staging directory and any directory it created go away.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{GeoError, Result};

/// Every file a run can write; the ones a run does not write are stale.
const OUTPUT_FILES: [&str; 18] = [
    "summary.csv",
    "timeseries.csv",
    "aggregate.csv",
    "year.csv",
    "cost_rpo.png",
    "cost_rpo.svg",
    "report.html",
    "latency_cdf.png",
    "latency_cdf.svg",
    "lag.png",
    "lag.svg",
    "availability.png",
    "availability.svg",
    "rpo_rto.png",
    "rpo_rto.svg",
    "tradeoff.png",
    "tradeoff.svg",
    "run.json",
];

/// The file that marks a complete set: written last, removed first.
const MARKER: &str = "run.json";

pub struct Staging {
    /// `DIR/<scenario>`: where the files end up.
    target: PathBuf,
    /// `DIR/.<scenario>.geosim-<pid>.tmp`: where they are written first.
    tmp: PathBuf,
    /// Directories this staging created (outermost first), removed again on failure.
    created: Vec<PathBuf>,
    committed: bool,
}

impl Staging {
    /// Prepares to write `out/<name>/`: creates `out` if needed and the staging
    /// directory inside it. Nothing is visible under `out/<name>` yet.
    pub fn new(out: &Path, name: &str) -> Result<Staging> {
        let mut staging = Staging {
            target: out.join(name),
            tmp: out.join(format!(".{name}.geosim-{}.tmp", std::process::id())),
            created: Vec::new(),
            committed: false,
        };
        staging.create_dirs(out)?;
        if staging.target.exists() && !staging.target.is_dir() {
            return Err(GeoError::io(
                staging.target.display().to_string(),
                "cannot create the output directory: a file of that name is in the way",
            )
            .with_help("choose another directory with --out DIR, or move the file"));
        }
        remove_abandoned(out, name);
        fs::create_dir(&staging.tmp).map_err(|e| dir_error(out, &e))?;
        Ok(staging)
    }

    /// Creates `dir` and its missing parents, remembering which it created.
    fn create_dirs(&mut self, dir: &Path) -> Result<()> {
        let missing: Vec<&Path> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .collect();
        for d in missing.into_iter().rev() {
            fs::create_dir(d).map_err(|e| dir_error(d, &e))?;
            self.created.push(d.to_path_buf());
        }
        if !dir.as_os_str().is_empty() && !dir.is_dir() {
            return Err(GeoError::io(
                dir.display().to_string(),
                "cannot create the output directory: a file of that name is in the way",
            )
            .with_help("choose another directory with --out DIR, or move the file"));
        }
        Ok(())
    }

    /// Writes one file into the staging directory, synced to disk.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.tmp.join(name);
        let io_err = |e: std::io::Error| {
            GeoError::io(
                self.target.join(name).display().to_string(),
                format!("cannot write: {e}"),
            )
        };
        let mut f = fs::File::create(&path).map_err(io_err)?;
        f.write_all(bytes).map_err(io_err)?;
        f.sync_all().map_err(io_err)
    }

    /// Moves the written files `names` into place and returns the final directory.
    pub fn commit(mut self, names: &[String]) -> Result<PathBuf> {
        let target = self.target.clone();
        self.create_dirs(&target)?;
        let io_err = |path: &Path, e: std::io::Error| {
            GeoError::io(path.display().to_string(), format!("cannot write: {e}"))
        };
        // The old set stops being complete before any of it is replaced.
        for stale in std::iter::once(MARKER).chain(
            OUTPUT_FILES
                .into_iter()
                .filter(|f| !names.iter().any(|n| n == f)),
        ) {
            let path = target.join(stale);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_err(&path, e)),
                _ => {}
            }
        }
        let (marker, rest): (Vec<&String>, Vec<&String>) =
            names.iter().partition(|n| n.as_str() == MARKER);
        for name in rest.into_iter().chain(marker) {
            let to = target.join(name);
            fs::rename(self.tmp.join(name), &to).map_err(|e| io_err(&to, e))?;
        }
        // Make the renames durable before saying the run is written.
        if let Ok(d) = fs::File::open(&target) {
            let _ = d.sync_all();
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&self.tmp);
        Ok(target)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let _ = fs::remove_dir_all(&self.tmp);
        // Innermost first; `remove_dir` leaves a directory that holds anything else.
        for d in self.created.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
}

fn dir_error(dir: &Path, e: &std::io::Error) -> GeoError {
    GeoError::io(
        dir.display().to_string(),
        format!("cannot create the output directory: {e}"),
    )
    .with_help("choose a writable directory with --out DIR")
}

/// Removes staging directories of `name` that a killed run left behind. Only on
/// systems with `/proc`, where a staging's process id tells whether it is alive.
fn remove_abandoned(out: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{name}.geosim-");
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Creates `dir` (and its parents) for a writer that has no staging of its own.
pub fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| dir_error(dir, &e))
}

/// Writes one file to a temporary name in `dir` and renames it into place; the
/// temporary file is removed if anything fails.
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
