//! What a sweep produced, whether it ran here or was merged from shards: the sweep's
//! identity (scenario, seed, grid) and one row of figures per grid point × variant × run,
//! and the statistics of each grid point × variant over its runs.
//!
//! Every output file is rendered from this alone, so a merged sweep and a single-machine
//! sweep that hold equal data write equal bytes.

use super::figures::{self, FIGURES};
use super::grid::Grid;
use crate::objectives::Key;
use crate::results::Summary;
use crate::stats::{self, Stats};

/// What makes two shards parts of the same sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepHeader {
    pub version: String,
    /// The scenario's name (output directory).
    pub scenario: String,
    /// FNV-1a of the scenario file's bytes, as in `run.json`.
    pub scenario_hash: String,
    pub seed: u64,
    /// What the scenario is about, from the comment that opens its file (empty if none):
    /// the sweep report's description.
    pub description: String,
    pub grid: Grid,
    /// Per grid point: its number of variants and of runs (what `merge` expects).
    pub shape: Vec<(usize, u32)>,
    /// The objectives every variant of every grid point shares, with their limit in
    /// their figure's unit, in SPEC §8 order: a line on that figure's chart. An
    /// objective that differs between variants or points (swept) has no one line.
    pub lines: Vec<(Key, f64)>,
}

/// The objective limits every variant of `model` shares.
pub fn shared_lines(model: &crate::model::Model) -> Vec<(Key, f64)> {
    Key::ALL
        .into_iter()
        .filter_map(|k| {
            let mut limits = model.variants.iter().map(|v| k.limit(&v.objectives));
            let first = limits.next()??;
            limits.all(|l| l == Some(first)).then_some((k, first))
        })
        .collect()
}

/// One simulation (grid point × variant × run).
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Index of the grid point, from 0.
    pub point: usize,
    /// Index of the variant in its scenario (its colour in charts).
    pub variant_index: usize,
    pub variant: String,
    pub run: u32,
    pub mode: String,
    /// `None`: `max_lag = "none"`.
    pub max_lag_s: Option<f64>,
    pub promotion: String,
    /// In `FIGURES` order.
    pub figures: Vec<Option<f64>>,
    /// `objectives_met` of the run: `None` where no objective applied to it.
    pub objectives_met: Option<bool>,
    /// `objectives_missed` of the run, in SPEC §8 order.
    pub objectives_missed: Vec<&'static str>,
}

/// The runs of one `geosim run` as rows of a single grid point, variants numbered in
/// the order they come (results come variant by variant).
pub fn rows_of_run(results: &[crate::results::SimResult]) -> Vec<RunRow> {
    let mut names: Vec<&str> = Vec::new();
    results
        .iter()
        .map(|r| {
            let name = r.summary.variant.as_str();
            if !names.contains(&name) {
                names.push(name);
            }
            RunRow::new(0, names.len() - 1, &r.summary)
        })
        .collect()
}

impl RunRow {
    pub fn new(point: usize, variant_index: usize, s: &Summary) -> RunRow {
        RunRow {
            point,
            variant_index,
            variant: s.variant.clone(),
            run: s.run,
            mode: s.mode.clone(),
            max_lag_s: s.max_lag_s,
            promotion: s.promotion.clone(),
            figures: figures::values(s),
            objectives_met: s.objectives_met,
            objectives_missed: s.objectives_missed.clone(),
        }
    }

    /// The order of rows in every file: grid point, then variant, then run.
    pub fn order(&self) -> (usize, usize, u32) {
        (self.point, self.variant_index, self.run)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SweepData {
    pub header: SweepHeader,
    /// Sorted by `RunRow::order`.
    pub rows: Vec<RunRow>,
}

/// The statistics of one grid point × variant over its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Group<'a> {
    pub point: usize,
    pub variant_index: usize,
    pub variant: &'a str,
    pub mode: &'a str,
    pub max_lag_s: Option<f64>,
    pub runs: usize,
    /// Per figure in `FIGURES` order; `None` where no run has a value (e.g. `rto_s`
    /// without a primary outage). A figure some runs lack is described over the others.
    pub stats: Vec<Option<Stats>>,
    pub objectives: Verdict,
}

/// The objectives of one grid point × variant over its runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    /// Runs to which some objective applied (`objectives_met` not empty).
    pub judged: usize,
    /// Runs that met every objective that applied to them.
    pub met: usize,
    /// Every key some run missed, in SPEC §8 order.
    pub missed: Vec<&'static str>,
}

impl Verdict {
    fn of(rows: &[RunRow]) -> Verdict {
        let judged = rows.iter().filter(|r| r.objectives_met.is_some()).count();
        let met = rows
            .iter()
            .filter(|r| r.objectives_met == Some(true))
            .count();
        let missed = Key::ALL
            .iter()
            .map(|k| k.name())
            .filter(|k| rows.iter().any(|r| r.objectives_missed.contains(k)))
            .collect();
        Verdict {
            judged,
            met,
            missed,
        }
    }

    /// Every objective held in every run it was judged in; `None` where none was judged
    /// (no `[objectives]`, or none that can apply).
    pub fn holds(&self) -> Option<bool> {
        (self.judged > 0).then_some(self.met == self.judged)
    }
}

/// Consecutive rows of the same point and variant, described; `rows` in file order.
pub fn groups(rows: &[RunRow]) -> Vec<Group<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let key = (rows[start].point, rows[start].variant_index);
        let end = start
            + rows[start..]
                .iter()
                .take_while(|r| (r.point, r.variant_index) == key)
                .count();
        out.push(group(&rows[start..end]));
        start = end;
    }
    out
}

fn group(rows: &[RunRow]) -> Group<'_> {
    let first = &rows[0];
    let stats = (0..FIGURES.len())
        .map(|f| {
            let values: Vec<f64> = rows.iter().filter_map(|r| r.figures[f]).collect();
            stats::describe(&values)
        })
        .collect();
    Group {
        point: first.point,
        variant_index: first.variant_index,
        variant: &first.variant,
        mode: &first.mode,
        max_lag_s: first.max_lag_s,
        runs: rows.len(),
        stats,
        objectives: Verdict::of(rows),
    }
}
