//! `summary.csv` and `timeseries.csv` as bytes (SPEC §4): columns in contract order,
//! numbers with a fixed number of decimals so equal runs give equal bytes.

use crate::error::{GeoError, Result};
use crate::results::{ReadSummary, SimResult, Summary};

pub const SUMMARY_COLUMNS: [&str; 50] = [
    "variant",
    "run",
    "seed",
    "mode",
    "max_lag_s",
    "promotion",
    "writes_offered",
    "writes_acked",
    "writes_failed",
    "writes_lost",
    "writes_duplicated",
    "attempts_throttled",
    "attempts_readonly",
    "attempts_unavailable",
    "attempts_timed_out",
    "availability",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_p999_ms",
    "latency_max_ms",
    "repl_delay_mean_ms",
    "repl_delay_p99_ms",
    "lag_max_s",
    "throttled_s",
    "rpo_s",
    "rto_s",
    "promotion_s",
    "events",
    // geosim additions, after the SPEC's columns (SPEC §4 allows adding, not reordering).
    "cost",
    "cost_month",
    // SPEC §9's order: cost, first-try latency, then the protocol and reads columns,
    // then the objectives.
    "first_try_latency_p50_ms",
    "first_try_latency_p99_ms",
    "backlog_max",
    "fallbacks",
    "fallback_s",
    "recovery_points",
    "reads_offered",
    "reads_ok",
    "reads_failed",
    "read_latency_p50_ms",
    "read_latency_p99_ms",
    "stale_read_share",
    "read_staleness_p99_ms",
    "visibility_p50_ms",
    "visibility_p99_ms",
    "objectives_met",
    "objectives_missed",
    // geosim additions after SPEC §9's columns.
    "writes_in_flight",
    "failbacks",
];

pub const TIMESERIES_COLUMNS: [&str; 14] = [
    "variant",
    "run",
    "t_s",
    "offered",
    "acked",
    "throttled",
    "readonly",
    "unavailable",
    "timed_out",
    "lag_s",
    "latency_p99_ms",
    "primary",
    "reads",
    "stale_reads",
];

/// Milliseconds and seconds with 3 decimals (µs and ms resolution).
fn d3(x: f64) -> String {
    format!("{x:.3}")
}

/// Money with 4 decimals: a hundredth of a cent, below any price list's rounding.
fn money(x: f64) -> String {
    format!("{x:.4}")
}

/// `max_lag_s`: empty for `max_lag = "none"` (infinite; SPEC §10).
pub fn lag_cell(max_lag_s: f64) -> String {
    if max_lag_s.is_finite() {
        d3(max_lag_s)
    } else {
        String::new()
    }
}

fn opt_d3(x: Option<f64>) -> String {
    x.map(d3).unwrap_or_default()
}

fn csv_error(e: impl std::fmt::Display) -> GeoError {
    GeoError::invalid(format!("cannot format CSV: {e}"))
}

/// The cells of a `summary.csv` row, in `SUMMARY_COLUMNS` order (the HTML report's
/// table shows the same strings).
pub fn summary_cells(s: &Summary) -> [String; SUMMARY_COLUMNS.len()] {
    [
        s.variant.clone(),
        s.run.to_string(),
        s.seed.to_string(),
        s.mode.clone(),
        opt_d3(s.max_lag_s),
        s.promotion.clone(),
        s.writes_offered.to_string(),
        s.writes_acked.to_string(),
        s.writes_failed.to_string(),
        s.writes_lost.to_string(),
        s.writes_duplicated.to_string(),
        s.attempts_throttled.to_string(),
        s.attempts_readonly.to_string(),
        s.attempts_unavailable.to_string(),
        s.attempts_timed_out.to_string(),
        format!("{:.6}", s.availability),
        d3(s.latency_mean_ms),
        d3(s.latency_p50_ms),
        d3(s.latency_p99_ms),
        d3(s.latency_p999_ms),
        d3(s.latency_max_ms),
        d3(s.repl_delay_mean_ms),
        d3(s.repl_delay_p99_ms),
        d3(s.lag_max_s),
        d3(s.throttled_s),
        d3(s.rpo_s),
        opt_d3(s.rto_s),
        opt_d3(s.promotion_s),
        s.events.to_string(),
        s.cost.map(|b| money(b.cost)).unwrap_or_default(),
        s.cost.map(|b| money(b.cost_month)).unwrap_or_default(),
        d3(s.first_try_latency_p50_ms),
        d3(s.first_try_latency_p99_ms),
        s.backlog_max.to_string(),
        s.fallbacks.map(|n| n.to_string()).unwrap_or_default(),
        opt_d3(s.fallback_s),
        s.recovery_points.map(|n| n.to_string()).unwrap_or_default(),
        read_cell(s, |r| r.reads_offered.to_string()),
        read_cell(s, |r| r.reads_ok.to_string()),
        read_cell(s, |r| r.reads_failed.to_string()),
        read_cell(s, |r| d3(r.read_latency_p50_ms)),
        read_cell(s, |r| d3(r.read_latency_p99_ms)),
        read_cell(s, |r| format!("{:.6}", r.stale_read_share)),
        read_cell(s, |r| d3(r.read_staleness_p99_ms)),
        read_cell(s, |r| d3(r.visibility_p50_ms)),
        read_cell(s, |r| d3(r.visibility_p99_ms)),
        s.objectives_met.map(|m| m.to_string()).unwrap_or_default(),
        s.objectives_missed.join(";"),
        s.writes_in_flight.to_string(),
        s.failbacks.to_string(),
    ]
}

/// A reads column: empty without `[reads]` (SPEC §9: a column that does not apply).
fn read_cell(s: &Summary, cell: impl Fn(&ReadSummary) -> String) -> String {
    s.reads.as_ref().map(cell).unwrap_or_default()
}

pub fn summary_csv(results: &[SimResult]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SUMMARY_COLUMNS).map_err(csv_error)?;
    for r in results {
        w.write_record(summary_cells(&r.summary))
            .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

pub fn timeseries_csv(results: &[SimResult]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(TIMESERIES_COLUMNS).map_err(csv_error)?;
    for r in results {
        let (variant, run) = (&r.summary.variant, r.summary.run.to_string());
        for b in &r.timeseries {
            w.write_record([
                variant.as_str(),
                run.as_str(),
                &d3(b.t_s),
                &b.offered.to_string(),
                &b.acked.to_string(),
                &b.throttled.to_string(),
                &b.readonly.to_string(),
                &b.unavailable.to_string(),
                &b.timed_out.to_string(),
                &d3(b.lag_s),
                &d3(b.latency_p99_ms),
                &b.primary,
                &b.reads.map(|r| r.reads.to_string()).unwrap_or_default(),
                &b.reads
                    .map(|r| r.stale_reads.to_string())
                    .unwrap_or_default(),
            ])
            .map_err(csv_error)?;
        }
    }
    w.into_inner().map_err(csv_error)
}
