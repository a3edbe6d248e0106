//! Build script: the version `geosim --version` prints, with the commit when built from a
//! git checkout of geosim itself ("0.1.0 (abc123def456 2026-12-01)"); from a tarball, or
//! without git, just the package version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let long = match commit(&manifest) {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=GEOSIM_LONG_VERSION={long}");
}

/// `abc123def456 2026-12-01` (`+dirty` with uncommitted changes), or `None` outside a
/// checkout of this crate (a tarball unpacked inside another repository is not one).
fn commit(manifest: &Path) -> Option<String> {
    let top = git(manifest, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), manifest) {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself, the branch it names, and packed refs.
    if let Some(head) = git(
        manifest,
        &["rev-parse", "--path-format=absolute", "--git-path", "HEAD"],
    ) {
        println!("cargo:rerun-if-changed={head}");
    }
    if let Some(branch) = git(manifest, &["symbolic-ref", "-q", "HEAD"]) {
        for path in [branch.as_str(), "packed-refs"] {
            if let Some(p) = git(
                manifest,
                &["rev-parse", "--path-format=absolute", "--git-path", path],
            ) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    let hash = git(manifest, &["rev-parse", "--short=12", "HEAD"])?;
    let date = git(manifest, &["log", "-1", "--format=%cd", "--date=short"]).unwrap_or_default();
    let dirty = git(manifest, &["status", "--porcelain", "--untracked-files=no"]).is_some();
    let mut out = hash;
    if dirty {
        out.push_str("+dirty");
    }
    if !date.is_empty() {
        out.push(' ');
        out.push_str(&date);
    }
    Some(out)
}
