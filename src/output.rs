//! Writes a command's output directory so that it changes all at once, and only
//! where geosim itself wrote.
//!
//! A [`Staging`] directory is made beside the final one (`OUT/.<name>.geosim-<pid>.tmp`,
//! on the same filesystem) *before* the command simulates anything, so an unwritable
//! or unsafe `--out` fails at once, not after hours. The files are written and synced
//! there with a manifest (`.geosim-files`) naming them, then the staging directory is
//! swapped in whole: a reader sees the previous set or the new one, never a mix.
//!
//! What is in the previous directory is the user's unless its manifest lists it:
//! listed files of the kind this command writes are replaced (a stale chart goes with
//! its run); everything else (the user's notes, a `sweep/` directory, shard files) is
//! carried over into the new directory, and a file geosim did not write is never
//! replaced: the command stops before simulating. Nothing follows a symbolic link:
//! `OUT/<name>` may not be one, and entries are only renamed or unlinked, never opened
//! through. A command killed half-way leaves `.tmp`/`.old` directories named by its
//! process id; the next command on the same directory finishes or undoes their work.
//!
//! Long because every rule on what geosim may write, replace or delete is here, so that
//! it can be audited in one place (tests/safety.rs exercises it).

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{GeoError, Result};
use crate::limits::is_safe_name;

/// The names of the files an output set holds (charts are named by their stems in
/// `report`), so that the code that writes a file and the code that reads it back
/// cannot drift apart.
pub mod file {
    pub const SUMMARY: &str = "summary.csv";
    pub const TIMESERIES: &str = "timeseries.csv";
    pub const AGGREGATE: &str = "aggregate.csv";
    pub const YEAR: &str = "year.csv";
    pub const RUN_JSON: &str = "run.json";
    pub const REPORT: &str = "report.html";
    pub const SWEEP: &str = "sweep.csv";
    pub const RUNS: &str = "runs.csv";
}

/// Lists, one per line, the files geosim wrote into an output directory.
pub const MANIFEST: &str = ".geosim-files";
/// A manifest longer than this is not one geosim wrote.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// The files a run wrote before manifests existed (geosim 0.1 of round 1): in a
/// directory whose `run.json` geosim wrote, these names are geosim's.
const LEGACY_RUN_FILES: [&str; 18] = [
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

/// The figures a sweep charted (`<figure>.png`, `.svg`) before output sets had manifests
/// (round 1). Frozen on purpose: figures added since were never written without one.
const LEGACY_SWEEP_FIGURES: [&str; 25] = [
    "writes_offered",
    "writes_acked",
    "writes_failed",
    "writes_lost",
    "writes_duplicated",
    "attempts_throttled",
    "attempts_readonly",
    "attempts_unavailable",
    "attempts_timed_out",
    "availability",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_p999_ms",
    "latency_max_ms",
    "repl_delay_mean_ms",
    "repl_delay_p99_ms",
    "lag_max_s",
    "throttled_s",
    "rpo_s",
    "rto_s",
    "promotion_s",
    "events",
    "cost",
    "cost_month",
];

/// What a command's output directory holds, for the rules above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `geosim run`: `OUT/<scenario>/`; every file its manifest lists is a run's.
    Run,
    /// A whole sweep (`sweep` or `merge`): `OUT/<scenario>/sweep/`; shard files there
    /// belong to the shards, not to the sweep, and are kept.
    Sweep,
}

impl Kind {
    /// Whether a file of this name, listed in a previous manifest, is replaced.
    fn replaces(self, name: &str) -> bool {
        match self {
            Kind::Run => true,
            Kind::Sweep => !is_shard_file(name),
        }
    }
}

/// `shard-I-of-N.csv`.
pub fn is_shard_file(name: &str) -> bool {
    name.strip_prefix("shard-")
        .and_then(|n| n.strip_suffix(".csv"))
        .and_then(|n| n.split_once("-of-"))
        .is_some_and(|(i, n)| i.parse::<usize>().is_ok() && n.parse::<usize>().is_ok())
}

pub struct Staging {
    kind: Kind,
    /// The directory that holds `target` (created if missing).
    parent: PathBuf,
    /// `parent/<name>`: where the files end up.
    target: PathBuf,
    name: String,
    /// `parent/.<name>.geosim-<pid>.tmp`: where they are written first.
    tmp: PathBuf,
    /// Directories this staging created (outermost first), removed again on failure.
    created: Vec<PathBuf>,
    written: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Prepares to write `out/<path…>/`: every component of `path` must be a safe name;
    /// all but the last are directories created if missing (never symbolic links), the
    /// last is the directory swapped in. Checks now what would make the commit fail.
    pub fn new(out: &Path, path: &[&str], kind: Kind) -> Result<Staging> {
        let mut created = Vec::new();
        let staging = Staging::prepare(out, path, kind, &mut created);
        if staging.is_err() {
            remove_created(&created);
        }
        staging
    }

    fn prepare(
        out: &Path,
        path: &[&str],
        kind: Kind,
        created: &mut Vec<PathBuf>,
    ) -> Result<Staging> {
        let Some((&name, parents)) = path.split_last() else {
            return Err(GeoError::invalid("internal error: an empty output path"));
        };
        for c in path {
            if !is_safe_name(c) {
                return Err(GeoError::invalid(format!(
                    "\"{c}\" cannot name an output directory: use letters, digits, '.', '_' and '-', not starting with '.'"
                ))
                .with_help("set [simulation] name to such a name"));
            }
        }
        create_dirs(out, created)?;
        let mut parent = out.to_path_buf();
        for c in parents {
            parent = parent.join(c);
            match fs::symlink_metadata(&parent) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    fs::create_dir(&parent).map_err(|e| dir_error(&parent, &e))?;
                    created.push(parent.clone());
                }
                Err(e) => return Err(dir_error(&parent, &e)),
                Ok(m) => check_real_dir(&parent, &m)?,
            }
        }
        let staging = Staging {
            kind,
            target: parent.join(name),
            tmp: parent.join(format!(".{name}.geosim-{}.tmp", std::process::id())),
            parent,
            name: name.to_string(),
            created: created.clone(),
            written: Vec::new(),
            committed: false,
        };
        recover_abandoned(&staging.parent, name, kind);
        if let Ok(m) = fs::symlink_metadata(&staging.target) {
            check_real_dir(&staging.target, &m)?;
            staging.check_same_filesystem(&m)?;
            // Renaming a directory needs write permission on it (its `..` changes).
            probe(&staging.target)?;
        }
        fs::create_dir(&staging.tmp).map_err(|e| dir_error(&staging.parent, &e))?;
        probe(&staging.tmp)?;
        Ok(staging)
    }

    /// A mount point cannot be swapped by a rename: found now, not after the run.
    #[cfg(unix)]
    fn check_same_filesystem(&self, target: &fs::Metadata) -> Result<()> {
        use std::os::unix::fs::MetadataExt;
        let parent = fs::metadata(&self.parent).map_err(|e| dir_error(&self.parent, &e))?;
        if parent.dev() == target.dev() {
            return Ok(());
        }
        Err(GeoError::io(
            self.target.display().to_string(),
            "the output directory is on another filesystem than the directory that holds it (a mount point): geosim replaces it whole and cannot",
        )
        .with_help("choose --out DIR on one filesystem, or move what is mounted there"))
    }

    #[cfg(not(unix))]
    fn check_same_filesystem(&self, _target: &fs::Metadata) -> Result<()> {
        Ok(())
    }

    /// Writes one file into the staging directory, synced to disk.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        if !is_safe_name(name) || name == MANIFEST {
            return Err(GeoError::invalid(format!(
                "internal error: \"{name}\" is not an output file name"
            )));
        }
        write_synced(&self.tmp.join(name), bytes)
            .map_err(|e| write_error(&self.target.join(name), &e))?;
        self.written.push(name.to_string());
        Ok(())
    }

    /// Swaps the written files in as the new directory and returns its path.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = read_dir_entries(&self.target)?;
        let proven = proven_files(&self.target, self.kind);
        // Refused before anything changes: a file geosim did not write is never replaced.
        if let Some(name) = self
            .written
            .iter()
            .find(|n| old.contains(n) && !proven.contains(n))
        {
            return Err(foreign_error(&self.target, name));
        }
        let carried: Vec<String> = old
            .iter()
            .filter(|n| n.as_str() != MANIFEST)
            .filter(|n| !(proven.contains(n) && self.kind.replaces(n)))
            .filter(|n| !self.written.contains(n))
            .cloned()
            .collect();
        let mut listed = self.written.clone();
        listed.extend(carried.iter().filter(|n| proven.contains(n)).cloned());
        listed.sort();
        let manifest: String = listed.iter().map(|n| format!("{n}\n")).collect();
        write_synced(&self.tmp.join(MANIFEST), manifest.as_bytes())
            .map_err(|e| write_error(&self.target.join(MANIFEST), &e))?;
        sync_dir(&self.tmp);
        if old.is_empty() && fs::symlink_metadata(&self.target).is_err() {
            fs::rename(&self.tmp, &self.target).map_err(|e| write_error(&self.target, &e))?;
        } else {
            let aside =
                self.parent
                    .join(format!(".{}.geosim-{}.old", self.name, std::process::id()));
            fs::rename(&self.target, &aside).map_err(|e| write_error(&self.target, &e))?;
            if let Err(e) = fs::rename(&self.tmp, &self.target) {
                let _ = fs::rename(&aside, &self.target);
                return Err(write_error(&self.target, &e));
            }
            finish_swap(&aside, &self.target, self.kind);
        }
        sync_dir(&self.parent);
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let _ = fs::remove_dir_all(&self.tmp);
        remove_created(&self.created);
    }
}

/// Removes the directories a failed command created, innermost first; `remove_dir`
/// leaves a directory that holds anything else.
fn remove_created(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

/// After the swap: the user's entries of the previous directory (`aside`) move into
/// the new one, the previous run's files go, and `aside` is removed.
fn finish_swap(aside: &Path, target: &Path, kind: Kind) {
    let proven = proven_files(aside, kind);
    for name in read_dir_entries(aside).unwrap_or_default() {
        let from = aside.join(&name);
        if name == MANIFEST || (proven.contains(&name) && kind.replaces(&name)) {
            // `remove_file` unlinks a symbolic link itself, never what it points to.
            if fs::symlink_metadata(&from).is_ok_and(|m| !m.is_dir()) {
                let _ = fs::remove_file(&from);
                continue;
            }
        }
        let to = target.join(&name);
        if fs::symlink_metadata(&to).is_err() {
            let _ = fs::rename(&from, &to);
        }
    }
    // Fails (and leaves it, for the next command to finish) if anything is left.
    let _ = fs::remove_dir(aside);
}

/// The files of `dir` that geosim can prove it wrote: those its manifest lists, or,
/// in a directory from before manifests, the names geosim then wrote, when geosim's
/// own marker file is there.
fn proven_files(dir: &Path, kind: Kind) -> Vec<String> {
    if let Some(text) = read_small(&dir.join(MANIFEST), MAX_MANIFEST_BYTES) {
        return text
            .lines()
            .filter(|n| is_safe_name(n))
            .map(str::to_string)
            .collect();
    }
    let legacy: Vec<String> = match kind {
        Kind::Run => {
            let marker = read_small(&dir.join(file::RUN_JSON), MAX_MANIFEST_BYTES);
            if !marker.is_some_and(|t| t.contains("\"geosim_version\"")) {
                return Vec::new();
            }
            LEGACY_RUN_FILES.iter().map(|s| s.to_string()).collect()
        }
        Kind::Sweep => {
            let marker = read_small(&dir.join(file::RUNS), MAX_MANIFEST_BYTES);
            if !marker.is_some_and(|t| t.starts_with("# kind = \"geosim sweep shard\"")) {
                return Vec::new();
            }
            let mut names = vec![file::SWEEP.into(), file::RUNS.into(), file::REPORT.into()];
            for f in LEGACY_SWEEP_FIGURES {
                names.push(format!("{f}.png"));
                names.push(format!("{f}.svg"));
            }
            names
        }
    };
    let present = read_dir_entries(dir).unwrap_or_default();
    legacy.into_iter().filter(|n| present.contains(n)).collect()
}

/// A regular file's text, up to `limit` bytes, without following a symbolic link.
fn read_small(path: &Path, limit: u64) -> Option<String> {
    let m = fs::symlink_metadata(path).ok()?;
    if !m.is_file() || m.len() > limit {
        return None;
    }
    let mut text = String::new();
    fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// The names in `dir`, sorted; empty if it does not exist.
fn read_dir_entries(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(GeoError::io(
                dir.display().to_string(),
                format!("cannot list the output directory: {e}"),
            ))
        }
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

fn foreign_error(dir: &Path, name: &str) -> GeoError {
    GeoError::io(
        dir.join(name).display().to_string(),
        "geosim would replace this file, but did not write it (no manifest of geosim's lists it): nothing was changed",
    )
    .with_help("move the file away, or choose another directory with --out DIR")
}

/// `path` exists: it must be a directory, not a symbolic link or a file.
fn check_real_dir(path: &Path, m: &fs::Metadata) -> Result<()> {
    if m.file_type().is_symlink() {
        return Err(GeoError::io(
            path.display().to_string(),
            "the output directory is a symbolic link: geosim does not write through links, which may lead out of the output directory",
        )
        .with_help("remove the link, or pass the directory it points to as --out DIR"));
    }
    if !m.is_dir() {
        return Err(GeoError::io(
            path.display().to_string(),
            "cannot create the output directory: a file of that name is in the way",
        )
        .with_help("choose another directory with --out DIR, or move the file"));
    }
    Ok(())
}

/// Creates `dir` and its missing parents, recording which it created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && fs::symlink_metadata(d).is_err())
        .collect();
    for d in missing.into_iter().rev() {
        fs::create_dir(d).map_err(|e| dir_error(d, &e))?;
        created.push(d.to_path_buf());
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

/// Creates and removes a file in `dir`: it can be written now.
fn probe(dir: &Path) -> Result<()> {
    let path = dir.join(format!(".geosim-probe-{}", std::process::id()));
    let r = fs::File::create(&path).and_then(|mut f| f.write_all(b"geosim"));
    let _ = fs::remove_file(&path);
    r.map_err(|e| {
        GeoError::io(
            dir.display().to_string(),
            format!("cannot write in the output directory: {e}"),
        )
        .with_help("choose a writable directory with --out DIR")
    })
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes renames in `dir` durable (best effort: not every system can sync a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> GeoError {
    GeoError::io(path.display().to_string(), format!("cannot write: {e}"))
}

fn dir_error(dir: &Path, e: &std::io::Error) -> GeoError {
    GeoError::io(
        dir.display().to_string(),
        format!("cannot create the output directory: {e}"),
    )
    .with_help("choose a writable directory with --out DIR")
}

/// The process id in `.<name>.geosim-<pid>.<suffix>`, if `file` is such a name.
fn staging_pid(file: &str, name: &str, suffix: &str) -> Option<u32> {
    file.strip_prefix(&format!(".{name}.geosim-"))?
        .strip_suffix(suffix)?
        .parse()
        .ok()
}

/// Finishes or undoes what a killed command left in `parent` for `name`. Only on
/// systems with `/proc`, where a process id tells whether its command still runs.
fn recover_abandoned(parent: &Path, name: &str, kind: Kind) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dead = |pid: u32| pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists();
    let target = parent.join(name);
    for file in read_dir_entries(parent).unwrap_or_default() {
        let path = parent.join(&file);
        if staging_pid(&file, name, ".tmp").is_some_and(dead) {
            // Only ever holds files the killed command wrote.
            let _ = fs::remove_dir_all(&path);
        } else if staging_pid(&file, name, ".old").is_some_and(dead) {
            if fs::symlink_metadata(&target).is_err() {
                // Killed between the two renames: the previous set comes back.
                let _ = fs::rename(&path, &target);
            } else {
                finish_swap(&path, &target, kind);
            }
        }
    }
}

/// Writes one file into `dir` (created if missing, never through a symbolic link)
/// under a temporary name and renames it into place: readers see the old file or the
/// new one. An existing file of that name must be one `is_ours` recognises.
pub fn write_one(
    out: &Path,
    path: &[&str],
    name: &str,
    bytes: &[u8],
    is_ours: impl Fn(&str) -> bool,
) -> Result<PathBuf> {
    let dir = prepare_one(out, path, name, is_ours)?;
    let file = dir.join(name);
    let tmp = dir.join(format!(".{name}.geosim-{}.tmp", std::process::id()));
    let result = write_synced(&tmp, bytes).and_then(|()| fs::rename(&tmp, &file));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(write_error(&file, &e));
    }
    sync_dir(&dir);
    Ok(file)
}

/// What `write_one` checks before it writes (and a command before it simulates):
/// creates the directories, refuses links and a file of that name geosim did not
/// write, and proves the directory writable. Returns the directory.
pub fn prepare_one(
    out: &Path,
    path: &[&str],
    name: &str,
    is_ours: impl Fn(&str) -> bool,
) -> Result<PathBuf> {
    let mut created = Vec::new();
    let dir = prepare_dir(out, path, name, is_ours, &mut created);
    if dir.is_err() {
        remove_created(&created);
    }
    dir
}

fn prepare_dir(
    out: &Path,
    path: &[&str],
    name: &str,
    is_ours: impl Fn(&str) -> bool,
    created: &mut Vec<PathBuf>,
) -> Result<PathBuf> {
    create_dirs(out, created)?;
    let mut dir = out.to_path_buf();
    for c in path {
        if !is_safe_name(c) {
            return Err(GeoError::invalid(format!(
                "\"{c}\" cannot name an output directory"
            )));
        }
        dir = dir.join(c);
        match fs::symlink_metadata(&dir) {
            Err(_) => {
                fs::create_dir(&dir).map_err(|e| dir_error(&dir, &e))?;
                created.push(dir.clone());
            }
            Ok(m) => check_real_dir(&dir, &m)?,
        }
    }
    let file = dir.join(name);
    recover_abandoned_files(&dir, name);
    if let Ok(m) = fs::symlink_metadata(&file) {
        let head = m.is_file().then(|| read_head(&file)).flatten();
        if !head.is_some_and(|t| is_ours(&t)) {
            return Err(foreign_error(&dir, name));
        }
    }
    probe(&dir)?;
    Ok(dir)
}

/// The first KiB of a file, as text.
fn read_head(path: &Path) -> Option<String> {
    let mut buf = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(1024)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Removes `.<name>.geosim-<pid>.tmp` files of killed commands.
fn recover_abandoned_files(dir: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    for file in read_dir_entries(dir).unwrap_or_default() {
        if let Some(pid) = staging_pid(&file, name, ".tmp") {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_file(dir.join(&file));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("geosim-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        read_dir_entries(dir).unwrap()
    }

    #[test]
    fn names_are_one_safe_component() {
        for ok in ["a", "cross-continent", "v1.2_x", "A.b"] {
            assert!(is_safe_name(ok), "{ok}");
        }
        for bad in [
            "", ".", "..", ".hidden", "a/b", "../x", "/abs", "a b", "é", "a\\b",
        ] {
            assert!(!is_safe_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_rerun_replaces_its_files_and_keeps_the_users() {
        let d = scratch("rerun");
        let mut s = Staging::new(&d, &["x"], Kind::Run).unwrap();
        s.write("a.csv", b"1").unwrap();
        s.write("stale.png", b"1").unwrap();
        s.commit().unwrap();
        fs::write(d.join("x/notes.txt"), b"mine").unwrap();
        fs::create_dir(d.join("x/sweep")).unwrap();
        let mut s = Staging::new(&d, &["x"], Kind::Run).unwrap();
        s.write("a.csv", b"2").unwrap();
        s.commit().unwrap();
        assert_eq!(
            names(&d.join("x")),
            [".geosim-files", "a.csv", "notes.txt", "sweep"]
        );
        assert_eq!(fs::read(d.join("x/a.csv")).unwrap(), b"2");
        assert_eq!(fs::read(d.join("x/notes.txt")).unwrap(), b"mine");
        assert_eq!(names(&d), ["x"]);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_geosim_did_not_write_is_never_replaced() {
        let d = scratch("foreign");
        fs::create_dir(d.join("x")).unwrap();
        fs::write(d.join("x/a.csv"), b"mine").unwrap();
        let mut s = Staging::new(&d, &["x"], Kind::Run).unwrap();
        s.write("a.csv", b"2").unwrap();
        let e = s.commit().unwrap_err().to_string();
        assert!(e.contains("did not write it"), "{e}");
        assert_eq!(fs::read(d.join("x/a.csv")).unwrap(), b"mine");
        assert_eq!(names(&d), ["x"]);
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_killed_swap_is_finished_by_the_next_command() {
        let d = scratch("killed");
        // As a command killed between its two renames leaves it (pid 1 never ends,
        // so use an id that does not exist).
        let old = d.join(".x.geosim-4000000000.old");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("a.csv"), b"1").unwrap();
        fs::write(old.join(MANIFEST), b"a.csv\n").unwrap();
        let s = Staging::new(&d, &["x"], Kind::Run).unwrap();
        drop(s);
        assert_eq!(names(&d), ["x"]);
        assert_eq!(fs::read(d.join("x/a.csv")).unwrap(), b"1");
        let _ = fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_in_place_of_the_output_is_refused() {
        let d = scratch("link");
        fs::create_dir(d.join("elsewhere")).unwrap();
        fs::write(d.join("elsewhere/year.csv"), b"mine").unwrap();
        std::os::unix::fs::symlink(d.join("elsewhere"), d.join("x")).unwrap();
        let e = Staging::new(&d, &["x"], Kind::Run)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(names(&d.join("elsewhere")), ["year.csv"]);
        let _ = fs::remove_dir_all(&d);
    }
}
