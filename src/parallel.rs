//! Independent simulations on a pool of worker threads, for `run`, `sweep` and the
//! year of failures: results come back in task order whatever the thread count, so
//! outputs never depend on `--jobs`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{GeoError, Result};

/// Runs `work` on every task on `jobs` threads and returns the results in task order.
/// Each worker takes the next task from a shared counter in decreasing order of `cost`,
/// so the longest simulations start first and the last ones to finish are short (a
/// static split of six variants over two threads left one idle for long).
pub fn in_task_order<T, R>(
    jobs: usize,
    tasks: &[T],
    cost: impl Fn(&T) -> f64,
    work: impl Fn(&T) -> R + Sync,
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| GeoError::invalid(format!("cannot start {jobs} worker threads: {e}")))?;
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    // Stable: equal costs keep task order.
    order.sort_by(|&a, &b| cost(&tasks[b]).total_cmp(&cost(&tasks[a])));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = tasks.iter().map(|_| Mutex::new(None)).collect();
    pool.scope(|scope| {
        for _ in 0..pool.current_num_threads() {
            scope.spawn(|_| loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(n) else { break };
                let result = work(&tasks[i]);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            });
        }
    });
    Ok(slots
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect())
}

/// A progress bar on stderr (drawn only on a terminal) over `total` units, described
/// by `template` (indicatif syntax); hidden unless `show`.
pub fn progress_bar(total: u64, template: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_in_task_order_whatever_the_threads() {
        let tasks: Vec<u64> = (0..50).collect();
        for jobs in [1, 2, 4] {
            let out = in_task_order(jobs, &tasks, |&t| (t % 7) as f64, |&t| t * 10).unwrap();
            assert_eq!(out, tasks.iter().map(|t| t * 10).collect::<Vec<_>>());
        }
    }
}
