//! `geosim merge`: shard files → the data of the whole sweep, after checking that the
//! shards belong to one sweep and that each of its slices is there exactly once.

use std::path::{Path, PathBuf};

use super::data::{RunRow, SweepData};
use super::shard::{self, Shard};
use crate::error::{GeoError, Result};

/// The shard files named by `inputs`: files as given, directories scanned (not
/// recursively) for `shard-I-of-N.csv`, in name order.
pub fn shard_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            files.push(input.clone());
            continue;
        }
        let entries = std::fs::read_dir(input)
            .map_err(|e| GeoError::io(input.display().to_string(), format!("cannot list: {e}")))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_shard_name(p))
            .collect();
        if found.is_empty() {
            return Err(GeoError::invalid("no shard-I-of-N.csv files in this directory")
                .with_file(input.display().to_string())
                .with_help("pass the directories that geosim sweep --shard wrote to, or the shard files"));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

fn is_shard_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.strip_prefix("shard-")
        .and_then(|n| n.strip_suffix(".csv"))
        .and_then(|n| n.split_once("-of-"))
        .is_some_and(|(i, n)| i.parse::<usize>().is_ok() && n.parse::<usize>().is_ok())
}

/// Reads and combines shard files into the whole sweep.
pub fn merge_files(files: &[PathBuf]) -> Result<SweepData> {
    let mut shards = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| GeoError::io(&name, format!("cannot read the shard: {e}")))?;
        shards.push((name.clone(), shard::parse(&text, &name)?));
    }
    combine(shards)
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
                max_lag_s: 1.0,
                promotion: "none".into(),
                figures: vec![Some(point as f64); FIGURES.len()],
            })
            .collect();
        let header = SweepHeader {
            version: "1".into(),
            scenario: "s".into(),
            scenario_hash: "h".into(),
            seed,
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
