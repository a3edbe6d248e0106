//! Runs every selected variant × run of a scenario in parallel and returns the
//! results in input order (variant order, then run order), whatever the thread count.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::engine::Simulation;
use crate::error::{GeoError, Result};
use crate::model::{Model, Nanos, NS_PER_MS};
use crate::results::SimResult;

pub struct RunOptions {
    /// Indices into `model.variants` to run, in output order.
    pub variants: Vec<usize>,
    /// Worker threads; 0 = all cores.
    pub jobs: usize,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// What a whole run produced, plus the work it took.
pub struct Outcome {
    pub results: Vec<SimResult>,
    pub wall_s: f64,
    pub events: u64,
}

pub fn run(model: &Model, options: &RunOptions) -> Result<Outcome> {
    let tasks: Vec<(usize, u32)> = options
        .variants
        .iter()
        .flat_map(|&v| (1..=model.runs).map(move |r| (v, r)))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|e| {
            GeoError::invalid(format!("cannot start {} worker threads: {e}", options.jobs))
        })?;
    let bar = progress_bar(model, tasks.len(), options.progress);
    let tick = |advanced: Nanos| bar.inc(advanced / NS_PER_MS);
    let started = std::time::Instant::now();
    let results: Result<Vec<SimResult>> = pool.install(|| {
        tasks
            .par_iter()
            .map(|&(v, r)| Simulation::new(model, v, r).run(&tick))
            .collect()
    });
    bar.finish_and_clear();
    let results = results?;
    let events = results.iter().map(|r| r.summary.events).sum();
    Ok(Outcome {
        results,
        wall_s: started.elapsed().as_secs_f64(),
        events,
    })
}

fn progress_bar(model: &Model, tasks: usize, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let total_ms = model.duration / NS_PER_MS * tasks as u64;
    let bar = ProgressBar::with_draw_target(Some(total_ms), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} simulating {bar:40} {percent:>3}% of simulated time, eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
