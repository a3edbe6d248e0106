//! `geosim merge`: shard files → the data of the whole sweep, after checking that the
//! shards belong to one sweep and that each of its slices is there exactly once.

use std::path::{Path, PathBuf};

use super::data::{RunRow, SweepData};
use super::shard::{self, Shard};
use crate::error::{GeoError, Result};

/// The shard files `merge` found, and what it says about where.
pub struct Found {
    pub files: Vec<PathBuf>,
    /// One line per directory searched: what was found in it.
    pub report: Vec<String>,
}

/// The shard files named by `inputs`: files as given; a directory's own
/// `shard-I-of-N.csv` files, or else those of `DIR/<scenario>/sweep/` (the directory
/// given to `geosim sweep --out`), in name order.
pub fn shard_files(inputs: &[PathBuf]) -> Result<Found> {
    let mut found = Found {
        files: Vec::new(),
        report: Vec::new(),
    };
    for input in inputs {
        if !input.is_dir() {
            found.files.push(input.clone());
            continue;
        }
        let own = shards_in(input)?;
        if !own.is_empty() {
            found
                .report
                .push(format!("{}: {} shard files", input.display(), own.len()));
            found.files.extend(own);
            continue;
        }
        // `sweep --out DIR` writes DIR/<scenario>/sweep/.
        let mut nested = Vec::new();
        for scenario in list(input)? {
            let sweep = scenario.join("sweep");
            if sweep.is_dir() {
                let files = shards_in(&sweep)?;
                if !files.is_empty() {
                    nested.push((sweep, files));
                }
            }
        }
        match nested.len() {
            0 => {
                return Err(GeoError::invalid(
                    "no shard-I-of-N.csv files in this directory, nor in its <scenario>/sweep/ directories",
                )
                .with_file(input.display().to_string())
                .with_help("pass the --out directory of geosim sweep --shard, its <scenario>/sweep directory, or the shard files"))
            }
            1 => {
                let (dir, files) = nested.remove(0);
                found.report.push(format!(
                    "{}: {} shard files in {}",
                    input.display(),
                    files.len(),
                    dir.display()
                ));
                found.files.extend(files);
            }
            _ => {
                let dirs: Vec<String> = nested.iter().map(|(d, _)| d.display().to_string()).collect();
                return Err(GeoError::invalid(format!(
                    "shards of {} sweeps in this directory: {}",
                    nested.len(),
                    dirs.join(", ")
                ))
                .with_file(input.display().to_string())
                .with_help("pass the <scenario>/sweep directory of the sweep to merge"));
            }
        }
    }
    Ok(found)
}

/// The entries of `dir`, sorted.
fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| GeoError::io(dir.display().to_string(), format!("cannot list: {e}")))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

fn shards_in(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(list(dir)?
        .into_iter()
        .filter(|p| is_shard_name(p))
        .collect())
}

fn is_shard_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    crate::output::is_shard_file(name)
}

/// Reads and combines shard files into the whole sweep.
pub fn merge_files(files: &[PathBuf]) -> Result<SweepData> {
    let mut shards = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let text = read_bounded(path, &name)?;
        shards.push((name.clone(), shard::parse(&text, &name)?));
    }
    combine(shards)
}

/// A shard's text, read once and at most `MAX_SHARD_BYTES`.
fn read_bounded(path: &Path, name: &str) -> Result<String> {
    use std::io::Read;
    let limit = crate::limits::MAX_SHARD_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| GeoError::io(name, format!("cannot read the shard: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(GeoError::invalid(format!(
            "the file is larger than {} MiB, the limit for a shard: it is not one geosim wrote",
            limit >> 20
        ))
        .with_file(name));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        GeoError::invalid("not a geosim sweep shard: the file is not UTF-8 text")
            .with_file(name)
            .at(&prefix, valid)
    })
}

/// Checks that `shards` (file name, shard) are every slice of one sweep, once each, and
/// returns their rows in grid order.
pub fn combine(shards: Vec<(String, Shard)>) -> Result<SweepData> {
    let Some((first_file, first)) = shards.first() else {
        return Err(
            GeoError::invalid("no shards to merge").with_help("pass shard files or directories")
        );
    };
    let count = first.count;
    let mut seen: Vec<Option<&str>> = vec![None; count];
    for (file, s) in &shards {
        if let Some(field) = difference(first, s) {
            return Err(GeoError::invalid(format!(
                "{file} is from a different sweep than {first_file}: {field}"
            ))
            .with_help("merge only the shards of one geosim sweep command"));
        }
        if let Some(other) = seen[s.index] {
            return Err(GeoError::invalid(format!(
                "shard {} of {count} is given twice: {other} and {file}",
                s.index
            ))
            .with_help("pass each shard once"));
        }
        seen[s.index] = Some(file);
    }
    let missing: Vec<String> = (0..count)
        .filter(|&i| seen[i].is_none())
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        let (noun, verb) = if missing.len() == 1 {
            ("shard", "is")
        } else {
            ("shards", "are")
        };
        return Err(GeoError::invalid(format!(
            "{noun} {} of {count} {verb} missing",
            missing.join(", ")
        ))
        .with_help(format!(
            "run geosim sweep ... --shard {}/{count} (and any other missing index), then merge again",
            missing[0]
        )));
    }
    let header = first.header.clone();
    let mut rows: Vec<RunRow> = shards.into_iter().flat_map(|(_, s)| s.rows).collect();
    rows.sort_by_key(RunRow::order);
    if let Some(pair) = rows.windows(2).find(|w| w[0].order() == w[1].order()) {
        let (p, v, r) = pair[0].order();
        return Err(GeoError::invalid(format!(
            "point {p}, variant {v}, run {r} appears twice in the shards"
        )));
    }
    Ok(SweepData { header, rows })
}

/// The first field in which two shards' sweeps differ, if any.
fn difference(a: &Shard, b: &Shard) -> Option<String> {
    let (x, y) = (&a.header, &b.header);
    if x.scenario_hash != y.scenario_hash {
        return Some(format!(
            "scenario file hash {} vs {}",
            y.scenario_hash, x.scenario_hash
        ));
    }
    if x.scenario != y.scenario {
        return Some(format!("scenario {} vs {}", y.scenario, x.scenario));
    }
    if x.seed != y.seed {
        return Some(format!("seed {} vs {}", y.seed, x.seed));
    }
    if x.grid != y.grid {
        return Some("the swept keys or values differ".into());
    }
    if x.shape != y.shape {
        return Some("the variants or runs of the grid points differ".into());
    }
    if x.lines != y.lines {
        return Some("the objectives differ".into());
    }
    if x.version != y.version {
        return Some(format!("geosim {} vs {}", y.version, x.version));
    }
    if a.count != b.count {
        return Some(format!("one of {} shards vs one of {}", b.count, a.count));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::data::SweepHeader;
    use crate::sweep::figures::FIGURES;
    use crate::sweep::grid::{parse_set, Grid};

    fn shard(index: usize, count: usize, seed: u64) -> (String, Shard) {
        let grid = Grid::new(vec![parse_set("workload.rate=1,2,3,4,5").unwrap()]).unwrap();
        let rows = (0..grid.len())
            .filter(|k| k % count == index)
            .map(|point| RunRow {
                point,
                variant_index: 0,
                variant: "v".into(),
                run: 1,
                mode: "async".into(),
                max_lag_s: Some(1.0),
                promotion: "none".into(),
                figures: vec![Some(point as f64); FIGURES.len()],
                objectives_met: None,
                objectives_missed: Vec::new(),
            })
            .collect();
        let header = SweepHeader {
            version: "1".into(),
            scenario: "s".into(),
            scenario_hash: "h".into(),
            seed,
            description: String::new(),
            shape: vec![(1, 1); grid.len()],
            lines: Vec::new(),
            grid,
        };
        (
            format!("shard-{index}-of-{count}.csv"),
            Shard {
                header,
                index,
                count,
                rows,
            },
        )
    }

    #[test]
    fn shards_in_any_order_merge_to_grid_order() {
        let data = combine(vec![shard(2, 3, 1), shard(0, 3, 1), shard(1, 3, 1)]).unwrap();
        let points: Vec<usize> = data.rows.iter().map(|r| r.point).collect();
        assert_eq!(points, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn wrong_sets_of_shards_are_refused() {
        let err = |s: Vec<(String, Shard)>| combine(s).unwrap_err().to_string();
        let e = err(vec![shard(0, 3, 1), shard(2, 3, 1)]);
        assert!(e.contains("shard 1 of 3 is missing"), "{e}");
        assert!(e.contains("--shard 1/3"), "{e}");
        let e = err(vec![shard(0, 2, 1), shard(1, 2, 1), shard(1, 2, 1)]);
        assert!(e.contains("shard 1 of 2 is given twice"), "{e}");
        let e = err(vec![shard(0, 2, 1), shard(1, 2, 7)]);
        assert!(
            e.contains(
                "shard-1-of-2.csv is from a different sweep than shard-0-of-2.csv: seed 7 vs 1"
            ),
            "{e}"
        );
        let e = err(vec![shard(0, 2, 1), shard(1, 3, 1)]);
        assert!(e.contains("one of 3 shards vs one of 2"), "{e}");
        assert!(err(Vec::new()).contains("no shards"));
    }

    #[test]
    fn shard_names() {
        assert!(is_shard_name(Path::new("a/shard-0-of-3.csv")));
        assert!(!is_shard_name(Path::new("a/shard-x-of-3.csv")));
        assert!(!is_shard_name(Path::new("a/runs.csv")));
    }
}
