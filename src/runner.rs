//! Runs every selected variant × run of a scenario in parallel and returns the
//! results in input order (variant order, then run order), whatever the thread count.

use std::sync::atomic::AtomicBool;

use crate::check::Checker;
use crate::engine::Simulation;
use crate::error::{ErrorKind, Result};
use crate::model::{Model, Nanos, NS_PER_MS};
use crate::parallel::{in_task_order, progress_bar};
use crate::results::{SimResult, Summary};

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
    let bar = progress_bar(
        model.duration / NS_PER_MS * tasks.len() as u64,
        "{spinner} simulating {bar:40} {percent:>3}% of simulated time, eta {eta}",
        options.progress,
    );
    let tick = |advanced: Nanos| bar.inc(advanced / NS_PER_MS);
    let started = std::time::Instant::now();
    let done = in_task_order(
        options.jobs,
        &tasks,
        |&(v, _)| model.expected_events(v),
        |&(v, r)| simulate(model, v, r, options, &tick),
    )?;
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
    let (mut result, found) = if options.check {
        let mut checker = Checker::new(model);
        let result = sim.observed(&mut checker).run(tick)?;
        let found = checker.finish(model, &result);
        (result, found)
    } else {
        (sim.run(tick)?, Vec::new())
    };
    settle(model, v, &mut result.summary);
    Ok((result, found))
}

/// The figures of a finished run that come from its results, not from the engine: its
/// bill, then the verdict on its objectives (`cost_month` is one of them). Every path
/// that runs a variant for its figures (run, sweep) calls this once per run.
pub(crate) fn settle(model: &Model, v: usize, summary: &mut Summary) {
    crate::cost::bill_run(model, summary);
    crate::objectives::judge(&model.variants[v].objectives, summary);
}
