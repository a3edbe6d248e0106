//! Runs every grid point × variant × run of a sweep as one flat list of tasks on a rayon
//! pool, and returns one row per task in task order (point, variant, run), whatever the
//! thread count. Only the summary of each simulation is kept, so memory grows with the
//! number of tasks, not with their time series.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::data::RunRow;
use crate::engine::Simulation;
use crate::error::{GeoError, Result};
use crate::model::{Model, Nanos, NS_PER_MS};

/// Runs `points` (grid point index, its validated model) on `jobs` threads.
pub fn execute(points: &[(usize, Model)], jobs: usize, progress: bool) -> Result<Vec<RunRow>> {
    let tasks: Vec<(&(usize, Model), usize, u32)> = points
        .iter()
        .flat_map(|p| {
            let model = &p.1;
            (0..model.variants.len()).flat_map(move |v| (1..=model.runs).map(move |r| (p, v, r)))
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| GeoError::invalid(format!("cannot start {jobs} worker threads: {e}")))?;
    let total_ms: u64 = tasks.iter().map(|(p, _, _)| p.1.duration / NS_PER_MS).sum();
    let bar = progress_bar(total_ms, progress);
    let tick = |advanced: Nanos| bar.inc(advanced / NS_PER_MS);
    let rows = pool.install(|| {
        tasks
            .par_iter()
            .map(|&(&(point, ref model), v, r)| {
                let result = Simulation::new(model, v, r).run(&tick)?;
                Ok(RunRow::new(point, v, &result.summary))
            })
            .collect()
    });
    bar.finish_and_clear();
    rows
}

fn progress_bar(total_ms: u64, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total_ms), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} sweeping {bar:40} {percent:>3}% of simulated time, eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
