//! Runs every grid point × variant × run of a sweep as one flat list of tasks on the
//! worker pool, and returns one row per task in task order (point, variant, run), whatever the
//! thread count. Only the summary of each simulation is kept, so memory grows with the
//! number of tasks, not with their time series.

use super::data::RunRow;
use crate::engine::Simulation;
use crate::error::{GeoError, Result};
use crate::model::{Model, Nanos, NS_PER_MS};
use crate::parallel::{in_task_order, progress_bar};

/// Runs `points` (grid point index, its validated model) on `jobs` threads.
pub fn execute(points: &[(usize, Model)], jobs: usize, progress: bool) -> Result<Vec<RunRow>> {
    let tasks: Vec<(&(usize, Model), usize, u32)> = points
        .iter()
        .flat_map(|p| {
            let model = &p.1;
            (0..model.variants.len()).flat_map(move |v| (1..=model.runs).map(move |r| (p, v, r)))
        })
        .collect();
    let total_ms: u64 = tasks.iter().map(|(p, _, _)| p.1.duration / NS_PER_MS).sum();
    let bar = progress_bar(
        total_ms,
        "{spinner} sweeping {bar:40} {percent:>3}% of simulated time, eta {eta}",
        progress,
    );
    let tick = |advanced: Nanos| bar.inc(advanced / NS_PER_MS);
    let rows = in_task_order(
        jobs,
        &tasks,
        |&(p, v, _)| p.1.expected_events(v),
        |&(&(point, ref model), v, r)| {
            // After Ctrl-C the remaining tasks stop at once, the running ones soon.
            if crate::interrupt::stopped() {
                return Err(GeoError::interrupted("interrupted"));
            }
            let mut result = Simulation::new(model, v, r)
                .stop_on(&crate::interrupt::STOP)
                .run(&tick)?;
            crate::runner::settle(model, v, &mut result.summary);
            Ok(RunRow::new(point, v, &result.summary))
        },
    )?;
    bar.finish_and_clear();
    // An interruption anywhere makes the sweep an interrupted one, whatever failed first.
    if crate::interrupt::stopped() {
        return Err(GeoError::interrupted("interrupted"));
    }
    rows.into_iter().collect()
}
