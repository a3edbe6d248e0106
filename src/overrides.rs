//! `geosim run --set KEY=VALUE`: one-off changes of scenario keys, with the key paths,
//! value syntax and validation of `sweep --set` (a sweep of one point).
//!
//! The values are set in the TOML document before validation, so the changed scenario is
//! checked exactly like a hand-written file; errors name the file and the `--set`s.

use std::path::Path;

use toml::Table;

use crate::error::{GeoError, Result};
use crate::model::Model;
use crate::scenario::{self, Source};
use crate::sweep::grid::{self, Grid};

/// A scenario as `run` uses it: the model, the `--set`s as `KEY=VALUE` (normalised the
/// way `sweep` labels its points) for run.json and the report, and the file as read.
pub struct Loaded {
    pub model: Model,
    pub sets: Vec<String>,
    pub source: Source,
}

/// Reads `path` (`-`: standard input) once and validates it with `sets` applied; without
/// sets, exactly `scenario::load_source`.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded> {
    // The file on its own first: its errors point at its own lines.
    let (model, source) = scenario::load_source(path)?;
    if sets.is_empty() {
        return Ok(Loaded {
            model,
            sets: Vec::new(),
            source,
        });
    }
    let file = source.label.clone();
    let axes = sets
        .iter()
        .map(|s| one_value(s))
        .collect::<Result<Vec<_>>>()?;
    for (i, axis) in axes.iter().enumerate() {
        if axes[..i].iter().any(|a| a.path == axis.path) {
            return Err(
                GeoError::invalid(format!("--set {} is given twice", axis.key()))
                    .with_key("--set")
                    .with_help("give each key once"),
            );
        }
    }
    let grid = Grid::new(axes)?;
    let echoed = grid_sets(&grid);
    let label = format!("{file} (with --set {})", echoed.join(" --set "));
    let doc: Table = source
        .text
        .parse()
        .map_err(|e: toml::de::Error| GeoError::invalid(e.to_string()).with_file(&file))?;
    let doc = grid.apply(&doc, 0).map_err(|e| e.with_file(&label))?;
    let changed = toml::to_string(&doc).map_err(|e| {
        GeoError::invalid(format!("cannot write the changed scenario: {e}")).with_file(&label)
    })?;
    Ok(Loaded {
        model: scenario::parse(&changed, &label, &source.stem)?,
        sets: echoed,
        source,
    })
}

/// `KEY=VALUE` per axis (values as `sweep` writes them: lists joined by `+`).
fn grid_sets(grid: &Grid) -> Vec<String> {
    grid.axes
        .iter()
        .zip(grid.point(0))
        .map(|(a, v)| format!("{}={}", a.key(), grid::display(v)))
        .collect()
}

/// One `--set KEY=VALUE`: `sweep --set`'s parser, refusing a list of values.
fn one_value(arg: &str) -> Result<grid::Axis> {
    let axis = grid::parse_set(arg)?;
    if axis.values.len() != 1 {
        return Err(GeoError::invalid(format!(
            "--set {arg}: run takes one value per key, this gives {}",
            axis.values.len()
        ))
        .with_key("--set")
        .with_help(format!(
            "to run several values, use geosim sweep --set {arg}"
        )));
    }
    Ok(axis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cross-continent.toml")
    }

    #[test]
    fn sets_change_the_model_and_are_echoed() {
        let base = load(&scenario(), &[]).unwrap();
        let set = load(
            &scenario(),
            &[
                "workload.rate=123".into(),
                "replication.max_lag = 2m".into(),
            ],
        )
        .unwrap();
        assert_eq!(set.sets, ["workload.rate=123", "replication.max_lag=2m"]);
        assert!(base.sets.is_empty());
        assert_eq!(set.model.workload.phases[0].rate, 123.0);
        assert_ne!(base.model.workload.phases[0].rate, 123.0);
    }

    #[test]
    fn errors_are_those_of_sweep_set() {
        let err = |sets: &[&str]| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            match load(&scenario(), &sets) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("{sets:?} was accepted"),
            }
        };
        assert!(err(&["workload.rat=5"]).contains("did you mean \"rate\""));
        assert!(err(&["workload.rate=5,6"]).contains("run takes one value per key"));
        assert!(err(&["workload.rate=5", "workload.rate=6"]).contains("given twice"));
        let e = err(&["workload.rate=-5"]);
        assert!(
            e.contains("with --set workload.rate=-5") && e.contains("workload.rate"),
            "{e}"
        );
        assert!(err(&["outage[9].start=1m"]).contains("outage[9] does not exist"));
    }
}
