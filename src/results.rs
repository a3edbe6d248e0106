//! What one simulation (variant × run) hands to the report writers.
//!
//! Plain data: the engine and metrics fill it, `report` turns it into bytes.
//! Field names carry their units, as the CSV columns do.

/// One row of `summary.csv` (SPEC §4), one per variant and run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub variant: String,
    /// Counts from 1.
    pub run: u32,
    pub seed: u64,
    /// "sync" or "async": the variant's mode at the start.
    pub mode: String,
    /// `None`: `max_lag = "none"` (SPEC §10: the column is empty).
    pub max_lag_s: Option<f64>,
    /// The variant's `max_lag_writes` (not a column: for the sentences that explain
    /// `throttled_s`).
    pub max_lag_writes: Option<u64>,
    /// `none`, `planned`, `forced` or `planned>forced`.
    pub promotion: String,
    pub writes_offered: u64,
    pub writes_acked: u64,
    pub writes_failed: u64,
    pub writes_lost: u64,
    pub writes_duplicated: u64,
    pub attempts_throttled: u64,
    pub attempts_readonly: u64,
    pub attempts_unavailable: u64,
    pub attempts_timed_out: u64,
    /// writes_acked / writes_offered (0 when nothing was offered).
    pub availability: f64,
    pub latency_mean_ms: f64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_p999_ms: f64,
    pub latency_max_ms: f64,
    pub repl_delay_mean_ms: f64,
    pub repl_delay_p99_ms: f64,
    pub lag_max_s: f64,
    pub throttled_s: f64,
    pub rpo_s: f64,
    /// `None` when the primary had no outage.
    pub rto_s: Option<f64>,
    /// `None` when there was no promotion.
    pub promotion_s: Option<f64>,
    pub events: u64,
    /// Bytes of the attempts the primaries accepted (writes issued after warmup).
    pub bytes_accepted: u64,
    /// `cost`, `cost_month`: `None` without `[cost]`.
    pub cost: Option<Bill>,
    /// Latency of the writes acknowledged on their first attempt (SPEC §8); 0 when none.
    pub first_try_latency_p50_ms: f64,
    pub first_try_latency_p99_ms: f64,
    /// The largest namespace backlog after warmup, in writes (SPEC §6.3, §10).
    pub backlog_max: u64,
    /// Semi-sync fallbacks started after warmup, and the time spent in fallback after
    /// warmup (SPEC §6.2, §10); `None` for a variant that never ran semi-sync.
    pub fallbacks: Option<u64>,
    pub fallback_s: Option<f64>,
    /// Promotions requested while in fallback, and the acknowledged writes they lost
    /// (part of `writes_lost`); `None` as the fallback columns. Not columns: what the
    /// report's sentence on fallbacks says they cost.
    pub fallback_promotions: Option<u64>,
    pub fallback_writes_lost: Option<u64>,
    /// Writes issued after warmup, neither acknowledged nor failed when the run stopped:
    /// they count against `availability` (acked / offered) without having failed.
    pub writes_in_flight: u64,
    /// Failbacks completed (`[policy] failback`).
    pub failbacks: u64,
    /// Recovery points completed over the run (SPEC §6.4, §10); `None` unless the
    /// variant is in snapshot mode.
    pub recovery_points: Option<u64>,
    /// The reads columns; `None` without `[reads]`.
    pub reads: Option<ReadSummary>,
    /// Every objective that applies is met; `None` without objectives (or none applies).
    pub objectives_met: Option<bool>,
    /// The missed objective keys, in SPEC §8's order.
    pub objectives_missed: Vec<&'static str>,
}

/// The reads columns of `summary.csv` (SPEC §7), for a scenario with `[reads]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReadSummary {
    /// Reads issued after warmup.
    pub reads_offered: u64,
    /// Answered.
    pub reads_ok: u64,
    /// Not answered: region or link down, or "unavailable" (not the primary).
    pub reads_failed: u64,
    /// Issue → answer, over answered reads.
    pub read_latency_p50_ms: f64,
    pub read_latency_p99_ms: f64,
    /// Stale reads / answered reads.
    pub stale_read_share: f64,
    /// Over answered reads, a fresh one counting 0.
    pub read_staleness_p99_ms: f64,
    /// Acknowledgement → applied at the read region, over acknowledged writes.
    pub visibility_p50_ms: f64,
    pub visibility_p99_ms: f64,
}

/// One row of `timeseries.csv`: a time bucket of one variant and run.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// Start of the bucket, seconds since the start of the run.
    pub t_s: f64,
    /// Writes issued in the bucket.
    pub offered: u64,
    /// Acknowledgements received in the bucket.
    pub acked: u64,
    pub throttled: u64,
    pub readonly: u64,
    pub unavailable: u64,
    pub timed_out: u64,
    /// Largest namespace lag in the bucket.
    pub lag_s: f64,
    /// p99 of the latencies of writes acknowledged in the bucket; 0 when none.
    pub latency_p99_ms: f64,
    /// Name of the primary region at the end of the bucket.
    pub primary: String,
    /// `reads,stale_reads`; `None` without `[reads]`.
    pub reads: Option<BucketReads>,
}

/// The reads of a time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BucketReads {
    /// Reads issued in the bucket.
    pub reads: u64,
    /// Stale answers received in the bucket.
    pub stale_reads: u64,
}

/// A promotion as it happened, for charts and the report.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionRecord {
    pub requested_s: f64,
    /// When it turned forced (escalation), if it did.
    pub escalated_s: Option<f64>,
    /// `None` if the run ended first.
    pub completed_s: Option<f64>,
    /// `planned`, `forced` or `planned>forced`.
    pub kind: String,
    pub from: String,
    pub to: String,
    /// Acknowledged writes lost (issued after warmup).
    pub writes_lost: u64,
    /// A failback (`[policy] failback`): back to the scenario's primary.
    pub failback: bool,
}

/// An outage window as it happened in this run (scheduled or drawn from `[[failure]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutageRecord {
    /// A region name, or `a<->b` for a link.
    pub target: String,
    pub start_s: f64,
    pub end_s: f64,
    /// `down`, or `slow xF`.
    pub kind: String,
}

/// Everything one simulation produced.
#[derive(Debug, Clone, PartialEq)]
pub struct SimResult {
    pub summary: Summary,
    pub timeseries: Vec<Bucket>,
    /// Acknowledged-write latency CDF: (latency ms, cumulative fraction), ascending.
    pub latency_cdf: Vec<(f64, f64)>,
    /// The same over the writes acknowledged on their first attempt (SPEC §8).
    pub first_try_cdf: Vec<(f64, f64)>,
    pub promotions: Vec<PromotionRecord>,
    pub outages: Vec<OutageRecord>,
    /// The t-visibility curve at the read region: (Δ ms, share of acknowledged writes
    /// visible Δ after their acknowledgement), from Δ = 0; empty without `[reads]`.
    pub visibility_curve: Vec<(f64, f64)>,
}

/// The bill of one simulated window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bill {
    /// Cost of the window itself.
    pub cost: f64,
    /// The same rate of spending over `cost::MONTH` (30 days).
    pub cost_month: f64,
}
