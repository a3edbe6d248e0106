//! Runs every selected variant × run of a scenario in parallel and returns the
//! results in input order (variant order, then run order), whatever the thread count.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::check::Checker;
use crate::engine::Simulation;
use crate::error::{ErrorKind, GeoError, Result};
use crate::model::{Mode, Model, Nanos, NS_PER_MS};
use crate::results::SimResult;

pub struct RunOptions {
    /// Indices into `model.variants` to run, in output order.
    pub variants: Vec<usize>,
    /// Worker threads; 0 = all cores.
    pub jobs: usize,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Run the invariant checker on every simulation (`--check`).
    pub check: bool,
    /// Set (by Ctrl-C) to stop early: the variants that finished are returned.
    pub stop: Option<&'static AtomicBool>,
}

/// A violation the checker found, with what reproduces it.
#[derive(Debug, Clone)]
pub struct Violation {
    pub variant: String,
    pub run: u32,
    pub seed: u64,
    pub message: String,
}

/// What a whole run produced, plus the work it took.
pub struct Outcome {
    /// Complete variants only: every run of a variant, or none of them.
    pub results: Vec<SimResult>,
    pub wall_s: f64,
    pub events: u64,
    /// Stopped early by `stop`: some selected variants are missing from `results`.
    pub interrupted: bool,
    pub violations: Vec<Violation>,
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
    let done = pool.install(|| {
        longest_first(model, &tasks, |&(v, r)| {
            simulate(model, v, r, options, &tick)
        })
    });
    bar.finish_and_clear();
    let mut interrupted = false;
    let mut violations = Vec::new();
    let mut finished: Vec<Option<SimResult>> = Vec::with_capacity(done.len());
    for (&(v, run), d) in tasks.iter().zip(done) {
        match d {
            Ok((result, found)) => {
                violations.extend(found.into_iter().map(|message| Violation {
                    variant: model.variants[v].name.clone(),
                    run,
                    seed: model.seed,
                    message,
                }));
                finished.push(Some(result));
            }
            Err(e) if e.kind == ErrorKind::Interrupted => {
                interrupted = true;
                finished.push(None);
            }
            Err(e) => return Err(e),
        }
    }
    // Tasks are in variant order, a variant's runs contiguous: keep whole variants.
    let mut results = Vec::with_capacity(finished.len());
    for runs in finished.chunks_mut(model.runs.max(1) as usize) {
        if runs.iter().all(Option::is_some) {
            results.extend(runs.iter_mut().filter_map(Option::take));
        }
    }
    let events = results.iter().map(|r| r.summary.events).sum();
    Ok(Outcome {
        results,
        wall_s: started.elapsed().as_secs_f64(),
        events,
        interrupted,
        violations,
    })
}

/// Runs `work` on every task on the current pool's threads and returns the results in
/// task order. Each worker takes the next task from a shared counter, in decreasing
/// order of expected cost, so the longest simulations start first and the last ones to
/// finish are short (a static split of variants over threads left one idle for long).
fn longest_first<R, F>(model: &Model, tasks: &[(usize, u32)], work: F) -> Vec<R>
where
    R: Send,
    F: Fn(&(usize, u32)) -> R + Sync,
{
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    let cost = |i: &usize| {
        let (v, _) = tasks[*i];
        // Engine events per write: 5 + k for async, 5 + 2k for sync (k secondaries).
        let k = model.secondaries.len() as u64;
        match model.variants[v].mode {
            Mode::Sync => 5 + 2 * k,
            Mode::Async => 5 + k,
        }
    };
    order.sort_by_key(|i| std::cmp::Reverse(cost(i)));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = tasks.iter().map(|_| Mutex::new(None)).collect();
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(n) else { break };
                let result = work(&tasks[i]);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// One variant × run, with the checker when asked for.
fn simulate(
    model: &Model,
    v: usize,
    r: u32,
    options: &RunOptions,
    tick: &(dyn Fn(Nanos) + Sync),
) -> Result<(SimResult, Vec<String>)> {
    let mut sim = Simulation::new(model, v, r);
    if let Some(flag) = options.stop {
        sim = sim.stop_on(flag);
    }
    if !options.check {
        return Ok((sim.run(tick)?, Vec::new()));
    }
    let mut checker = Checker::new(model);
    let result = sim.observed(&mut checker).run(tick)?;
    let found = checker.finish(model, &result);
    Ok((result, found))
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
