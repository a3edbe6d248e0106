//! The numeric figures of a run, by name, as the statistics over runs see them.
//!
//! One list, in `summary.csv` column order, shared by `aggregate.csv`, `sweep.csv`, sweep
//! shards and charts. A new per-run figure (cost, downtime per year, …) becomes a column of
//! all of them by adding one entry here. Knows nothing of how figures are computed.

use crate::results::Summary;

/// A per-run number and how to print it.
pub struct Figure {
    /// Column name in `summary.csv`; statistics columns append `_mean`, `_sd`, `_ci95`.
    pub name: &'static str,
    /// Decimals of its statistics in the CSV files.
    pub decimals: usize,
    /// Its value in a run; `None` where `summary.csv` leaves the cell empty.
    pub value: fn(&Summary) -> Option<f64>,
}

macro_rules! figure {
    ($name:ident, $decimals:expr) => {
        Figure {
            name: stringify!($name),
            decimals: $decimals,
            value: |s| Some(s.$name as f64),
        }
    };
}

/// A reads column (SPEC §7): empty without `[reads]`.
macro_rules! read_figure {
    ($name:ident, $decimals:expr) => {
        Figure {
            name: stringify!($name),
            decimals: $decimals,
            value: |s| s.reads.map(|r| r.$name as f64),
        }
    };
}

/// Every numeric figure of `summary.csv` that varies between runs, in column order
/// (`max_lag_s` is a setting, not a figure; `run` and `seed` identify the row).
pub const FIGURES: [Figure; 42] = [
    figure!(writes_offered, 3),
    figure!(writes_acked, 3),
    figure!(writes_failed, 3),
    figure!(writes_lost, 3),
    figure!(writes_duplicated, 3),
    figure!(attempts_throttled, 3),
    figure!(attempts_readonly, 3),
    figure!(attempts_unavailable, 3),
    figure!(attempts_timed_out, 3),
    // Availabilities differ in the fourth nine, as summary.csv's 6 decimals allow.
    figure!(availability, 6),
    figure!(latency_mean_ms, 3),
    figure!(latency_p50_ms, 3),
    figure!(latency_p99_ms, 3),
    figure!(latency_p999_ms, 3),
    figure!(latency_max_ms, 3),
    figure!(repl_delay_mean_ms, 3),
    figure!(repl_delay_p99_ms, 3),
    figure!(lag_max_s, 3),
    figure!(throttled_s, 3),
    figure!(rpo_s, 3),
    Figure {
        name: "rto_s",
        decimals: 3,
        value: |s| s.rto_s,
    },
    Figure {
        name: "promotion_s",
        decimals: 3,
        value: |s| s.promotion_s,
    },
    figure!(events, 3),
    Figure {
        name: "cost",
        decimals: 4,
        value: |s| s.cost.map(|b| b.cost),
    },
    Figure {
        name: "cost_month",
        decimals: 4,
        value: |s| s.cost.map(|b| b.cost_month),
    },
    figure!(first_try_latency_p50_ms, 3),
    figure!(first_try_latency_p99_ms, 3),
    figure!(backlog_max, 3),
    Figure {
        name: "fallbacks",
        decimals: 3,
        value: |s| s.fallbacks.map(|n| n as f64),
    },
    Figure {
        name: "fallback_s",
        decimals: 3,
        value: |s| s.fallback_s,
    },
    Figure {
        name: "recovery_points",
        decimals: 3,
        value: |s| s.recovery_points.map(|n| n as f64),
    },
    read_figure!(reads_offered, 3),
    read_figure!(reads_ok, 3),
    read_figure!(reads_failed, 3),
    read_figure!(read_latency_p50_ms, 3),
    read_figure!(read_latency_p99_ms, 3),
    read_figure!(stale_read_share, 6),
    read_figure!(read_staleness_p99_ms, 3),
    read_figure!(visibility_p50_ms, 3),
    read_figure!(visibility_p99_ms, 3),
    // objectives_met / objectives_missed are words, not figures.
    figure!(writes_in_flight, 3),
    figure!(failbacks, 3),
];

/// The figures of `s`, in `FIGURES` order.
pub fn values(s: &Summary) -> Vec<Option<f64>> {
    FIGURES.iter().map(|f| (f.value)(s)).collect()
}

/// Index of the figure called `name`.
pub fn index(name: &str) -> Option<usize> {
    FIGURES.iter().position(|f| f.name == name)
}

/// Every figure name, for error messages.
pub fn names() -> Vec<&'static str> {
    FIGURES.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::csv::SUMMARY_COLUMNS;

    #[test]
    fn figures_are_the_numeric_summary_columns_in_order() {
        let numeric: Vec<&str> = SUMMARY_COLUMNS
            .iter()
            .copied()
            .skip_while(|c| *c != "writes_offered")
            .filter(|c| !c.starts_with("objectives_"))
            .collect();
        assert_eq!(names(), numeric);
    }
}
