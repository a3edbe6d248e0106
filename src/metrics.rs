//! Streaming recorders: counters, latency histograms, the lag integral and the time
//! series. Memory is bounded by the number of time buckets, never by the number of
//! writes.
//!
//! The engine tells the recorder what happened and when; the recorder knows nothing
//! of the model's mechanics.
//!
//! Long because one recorder streams every figure of `summary.csv` that accumulates over
//! a run (latency, the lag, throttling and backlog of SPEC §6.3, semi-sync fallbacks,
//! RTO) and its unit tests sit here; the reads recorder is already apart (`reads.rs`).

pub mod reads;

use std::collections::VecDeque;

use hdrhistogram::Histogram;

use crate::model::{Nanos, NS_PER_MS, NS_PER_US};
use crate::results::{Bucket, BucketReads, PromotionRecord, Summary};
use crate::time::secs;

/// Attempt outcomes as the client saw them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Throttled,
    ReadOnly,
    Unavailable,
    TimedOut,
}

impl AttemptOutcome {
    fn field(self, c: &mut Counts) -> &mut u64 {
        match self {
            AttemptOutcome::Throttled => &mut c.throttled,
            AttemptOutcome::ReadOnly => &mut c.readonly,
            AttemptOutcome::Unavailable => &mut c.unavailable,
            AttemptOutcome::TimedOut => &mut c.timed_out,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    offered: u64,
    acked: u64,
    throttled: u64,
    readonly: u64,
    unavailable: u64,
    timed_out: u64,
}

/// How many buckets ahead `Recorder::attempt_failed_at` counts (a retry chain longer
/// than that is left to its events).
const AHEAD_MAX: usize = 64;

/// Latencies are recorded in microseconds, up to an hour (larger values saturate).
const HIST_MAX_US: u64 = 3_600_000_000;

fn histogram(sigfig: u8) -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_US, sigfig).expect("static histogram bounds are valid")
}

/// An HDR histogram of durations (µs, 3 significant digits) that records a run of
/// equal values with one call — with constant latencies (the defaults) every write
/// records the same value, and three `saturating_record` calls per write were about 5%
/// of a run — and keeps the exact extremes, to which every quantile is clamped (SPEC §9:
/// a percentile never exceeds the maximum it comes from, and a constant reads exactly).
struct Hist {
    h: Histogram<u64>,
    value: u64,
    /// Recordings of `value` not yet in `h`.
    count: u64,
    min_ns: Nanos,
    max_ns: Nanos,
}

impl Hist {
    fn new() -> Hist {
        Hist {
            h: histogram(3),
            value: 0,
            count: 0,
            min_ns: Nanos::MAX,
            max_ns: 0,
        }
    }

    #[inline]
    fn record(&mut self, ns: Nanos) {
        self.min_ns = self.min_ns.min(ns);
        self.max_ns = self.max_ns.max(ns);
        let value = to_us(ns);
        if value == self.value {
            self.count += 1;
        } else {
            self.flush();
            self.value = value;
            self.count = 1;
        }
    }

    fn flush(&mut self) {
        if self.count > 0 {
            self.h.saturating_record_n(self.value, self.count);
            self.count = 0;
        }
    }

    /// Every recording of `a` and of `b` (both flushed), as if made into one.
    fn merged(a: &Hist, b: &Hist) -> Hist {
        let mut h = a.flushed().clone();
        for v in b.flushed().iter_recorded() {
            // The bucket's highest value lands in the same bucket: counts unchanged.
            h.saturating_record_n(v.value_iterated_to(), v.count_at_value());
        }
        Hist {
            h,
            value: 0,
            count: 0,
            min_ns: a.min_ns.min(b.min_ns),
            max_ns: a.max_ns.max(b.max_ns),
        }
    }

    /// The histogram, once `flush` has put every recording in it.
    fn flushed(&self) -> &Histogram<u64> {
        debug_assert_eq!(self.count, 0, "histogram read before flush");
        &self.h
    }

    /// Empties it for the next time bucket (flushed already).
    fn reset(&mut self) {
        if !self.h.is_empty() {
            self.h.reset();
        }
        self.min_ns = Nanos::MAX;
        self.max_ns = 0;
    }

    /// The q-quantile in ms: the middle of the histogram's equivalence range of the
    /// value at q, clamped to the exact extremes recorded; 0 when empty.
    fn quantile_ms(&self, q: f64) -> f64 {
        let h = self.flushed();
        if h.is_empty() {
            return 0.0;
        }
        let ns = h
            .median_equivalent(h.value_at_quantile(q))
            .saturating_mul(NS_PER_US)
            .clamp(self.min_ns, self.max_ns);
        ns as f64 / NS_PER_MS as f64
    }
}

fn to_us(ns: Nanos) -> u64 {
    (ns / NS_PER_US).max(1)
}

pub struct Recorder {
    warmup: Nanos,
    duration: Nanos,
    bucket_width: Nanos,

    totals: Counts,
    pub writes_failed: u64,
    pub writes_lost: u64,
    pub writes_duplicated: u64,
    /// Bytes of the attempts the primaries accepted, of writes issued after warmup
    /// (duplicates too: each is replicated again). What replication is billed on.
    pub bytes_accepted: u64,

    /// Every acknowledged write's latency: `first_try` and `retried` merged when the
    /// run finishes (recording each write once instead of twice).
    latency: Hist,
    latency_sum_ns: u128,
    latency_max_ns: Nanos,
    /// Writes acknowledged on their first attempt (SPEC §8): the normal-path price.
    first_try: Hist,
    /// Writes acknowledged on a later attempt.
    retried: Hist,
    repl_delay: Hist,
    repl_delay_sum_ns: u128,

    // Namespace lag: t − `oldest` since `lag_since` (no lag when `oldest` is None).
    lag_since: Nanos,
    oldest: Option<Nanos>,
    /// Rule 4's lag limit (`None`: "none", SPEC §6.3).
    max_lag: Option<Nanos>,
    /// Rule 4's backlog limit (SPEC §6.3 `max_lag_writes`).
    pub max_lag_writes: Option<u64>,
    lag_max_ns: Nanos,
    throttled_ns: Nanos,
    /// The variant ran semi-sync at some point (SPEC §10: else its fallback columns are
    /// empty).
    pub ran_semi_sync: bool,
    fallbacks: u64,
    fallback_since: Option<Nanos>,
    fallback_ns: Nanos,
    /// The promotions requested while in fallback (indices into `promotions`; the
    /// current fallback's from `fallback_mark`): what the report says a fallback cost.
    fallback_mark: usize,
    fallback_requests: Vec<usize>,
    // Namespace backlog (SPEC §6.3) since `lag_since`, and its largest value after warmup.
    backlog: u64,
    backlog_max: u64,

    // The bucket being filled.
    bucket_start: Nanos,
    bucket: Counts,
    bucket_lag_ns: Nanos,
    bucket_latency: Hist,
    /// Failed attempts counted ahead of their time (`attempt_failed_at`): the counts
    /// of the buckets after the current one, the next bucket first.
    ahead: VecDeque<Counts>,
    first_bucket: Nanos,
    pub buckets: Vec<Bucket>,

    // RTO: starts of primary outages still waiting for a write issued after them to be acked.
    rto_open: Vec<Nanos>,
    rto_max_ns: Option<Nanos>,
    rpo_max_ns: Nanos,
    pub promotions: Vec<PromotionRecord>,
    /// Reads and visibility (SPEC §7); `None` without `[reads]`.
    pub reads: Option<reads::ReadRecorder>,
}

impl Recorder {
    pub fn new(
        warmup: Nanos,
        duration: Nanos,
        bucket_width: Nanos,
        max_lag: Option<Nanos>,
    ) -> Recorder {
        let first_bucket = warmup / bucket_width * bucket_width;
        Recorder {
            warmup,
            duration,
            bucket_width,
            totals: Counts::default(),
            writes_failed: 0,
            writes_lost: 0,
            writes_duplicated: 0,
            bytes_accepted: 0,
            latency: Hist::new(),
            latency_sum_ns: 0,
            latency_max_ns: 0,
            first_try: Hist::new(),
            retried: Hist::new(),
            repl_delay: Hist::new(),
            repl_delay_sum_ns: 0,
            lag_since: 0,
            oldest: None,
            max_lag,
            max_lag_writes: None,
            lag_max_ns: 0,
            throttled_ns: 0,
            backlog: 0,
            backlog_max: 0,
            ran_semi_sync: false,
            fallbacks: 0,
            fallback_since: None,
            fallback_ns: 0,
            fallback_mark: 0,
            fallback_requests: Vec::new(),
            bucket_start: 0,
            bucket: Counts::default(),
            bucket_lag_ns: 0,
            bucket_latency: Hist::new(),
            ahead: VecDeque::new(),
            first_bucket,
            buckets: Vec::new(),
            rto_open: Vec::new(),
            rto_max_ns: None,
            rpo_max_ns: 0,
            promotions: Vec::new(),
            reads: None,
        }
    }

    /// Does an event at `now` close a bucket (`advance_to` has work to do)? A cheap
    /// test the event loop makes before it looks up the primary's name.
    #[inline]
    pub fn bucket_ends_by(&self, now: Nanos) -> bool {
        now >= self.bucket_start + self.bucket_width
    }

    /// Closes every bucket that ends at or before `now`. Call before handling an
    /// event at `now`; `primary` names the primary region during the closed buckets.
    pub fn advance_to(&mut self, now: Nanos, primary: &str) {
        while now >= self.bucket_start + self.bucket_width
            && self.bucket_start + self.bucket_width <= self.duration
        {
            let end = self.bucket_start + self.bucket_width;
            self.close_bucket(end, primary);
        }
    }

    /// Closes the last (possibly partial) bucket at the end of the run.
    pub fn finish(&mut self, primary: &str) {
        self.advance_to(self.duration, primary);
        if self.bucket_start < self.duration {
            self.close_bucket(self.duration, primary);
        }
        self.lag_segment(self.duration);
        self.fallback_ended(self.duration);
        for &start in &self.rto_open {
            let rto = self.duration.saturating_sub(start);
            self.rto_max_ns = Some(self.rto_max_ns.map_or(rto, |m| m.max(rto)));
        }
        self.rto_open.clear();
        self.first_try.flush();
        self.retried.flush();
        self.latency = Hist::merged(&self.first_try, &self.retried);
        self.repl_delay.flush();
        if let Some(r) = self.reads.as_mut() {
            r.finish();
        }
    }

    fn close_bucket(&mut self, end: Nanos, primary: &str) {
        self.bucket_latency.flush();
        self.lag_segment(end);
        if self.bucket_start >= self.first_bucket {
            self.buckets.push(Bucket {
                t_s: secs(self.bucket_start),
                offered: self.bucket.offered,
                acked: self.bucket.acked,
                throttled: self.bucket.throttled,
                readonly: self.bucket.readonly,
                unavailable: self.bucket.unavailable,
                timed_out: self.bucket.timed_out,
                lag_s: secs(self.bucket_lag_ns),
                latency_p99_ms: self.bucket_latency.quantile_ms(0.99),
                primary: primary.to_string(),
                reads: self.reads.as_mut().map(|r| {
                    let (reads, stale_reads) = r.take_bucket();
                    BucketReads { reads, stale_reads }
                }),
            });
        } else if let Some(r) = self.reads.as_mut() {
            // A bucket before warmup is not shown: its reads were not counted either.
            r.take_bucket();
        }
        self.bucket = self.ahead.pop_front().unwrap_or_default();
        self.bucket_latency.reset();
        // The lag rises within a segment, so a bucket's maximum is found at the end
        // of its segments; the new bucket starts from nothing.
        self.bucket_lag_ns = 0;
        self.bucket_start = end;
    }

    fn current_lag(&self, t: Nanos) -> Nanos {
        self.oldest.map_or(0, |a| t.saturating_sub(a))
    }

    /// Accounts the lag from `lag_since` to `t` (the lag rises with slope 1 while
    /// something is pending, so its maximum is at the end of the segment), and the time
    /// rule 4 throttles (SPEC §10 `throttled_s`): the whole segment while the backlog,
    /// constant over it, exceeds `max_lag_writes`; else from the moment the lag exceeds
    /// `max_lag`.
    fn lag_segment(&mut self, t: Nanos) {
        if t <= self.lag_since {
            return;
        }
        // Like the counts, the bucket that straddles warmup shows only what happened
        // after it.
        if t > self.warmup {
            let start = self.lag_since.max(self.warmup);
            self.backlog_max = self.backlog_max.max(self.backlog);
            let lag_from = match (self.oldest, self.max_lag) {
                (Some(a), Some(m)) => Some(a.saturating_add(m).saturating_add(1)),
                _ => None,
            };
            if let Some(a) = self.oldest {
                let lag_end = t.saturating_sub(a);
                self.bucket_lag_ns = self.bucket_lag_ns.max(lag_end);
                self.lag_max_ns = self.lag_max_ns.max(lag_end);
            }
            let from = if self.backlog_over() {
                Some(start)
            } else {
                lag_from.map(|f| f.max(start))
            };
            if let Some(from) = from.filter(|&f| t > f) {
                self.throttled_ns += t - from;
            }
        }
        self.lag_since = t;
    }

    fn backlog_over(&self) -> bool {
        self.max_lag_writes.is_some_and(|k| self.backlog > k)
    }

    /// The namespace lag changed at `now`: it is now `now − oldest` (None: no lag).
    pub fn lag_changed(&mut self, now: Nanos, oldest: Option<Nanos>) {
        if oldest == self.oldest {
            return;
        }
        self.lag_segment(now);
        self.oldest = oldest;
        // The lag can jump up (a secondary turns ready behind): count the jump in the
        // summary as in the bucket, even if the lag drops again at the same instant.
        if now > self.warmup {
            let lag = self.current_lag(now);
            self.bucket_lag_ns = self.bucket_lag_ns.max(lag);
            self.lag_max_ns = self.lag_max_ns.max(lag);
        }
    }

    /// Semi-sync fell back to async at `now` (SPEC §6.2).
    pub fn fallback_started(&mut self, now: Nanos) {
        if now >= self.warmup && now <= self.duration {
            self.fallbacks += 1;
        }
        self.fallback_since = Some(now);
        self.fallback_mark = self.promotions.len();
    }

    /// Semi-sync returned from its fallback at `now`.
    pub fn fallback_ended(&mut self, now: Nanos) {
        if let Some(since) = self.fallback_since.take() {
            let (from, to) = (since.max(self.warmup), now.min(self.duration));
            self.fallback_ns += to.saturating_sub(from);
            self.fallback_requests
                .extend(self.fallback_mark..self.promotions.len());
        }
    }

    /// The namespace backlog is `backlog` from `now` on (SPEC §6.3).
    pub fn backlog_changed(&mut self, now: Nanos, backlog: u64) {
        if backlog == self.backlog {
            return;
        }
        if self
            .max_lag_writes
            .is_some_and(|k| (self.backlog > k) != (backlog > k))
        {
            // The throttled state changes here: close the segment under the old backlog.
            self.lag_segment(now);
        }
        self.backlog = backlog;
        if now >= self.warmup {
            self.backlog_max = self.backlog_max.max(backlog);
        }
    }

    /// `set_max_lag` took effect at `now`.
    pub fn max_lag_changed(&mut self, now: Nanos, max_lag: Option<Nanos>) {
        self.lag_segment(now);
        self.max_lag = max_lag;
    }

    pub fn offered(&mut self) {
        self.totals.offered += 1;
        self.bucket.offered += 1;
    }

    /// A counted write was acknowledged `latency` after its first attempt was sent;
    /// `first_try`: on that first attempt (no retry).
    pub fn acked(&mut self, latency: Nanos, first_try: bool) {
        self.totals.acked += 1;
        self.bucket.acked += 1;
        self.bucket_latency.record(latency);
        self.latency_sum_ns += u128::from(latency);
        self.latency_max_ns = self.latency_max_ns.max(latency);
        if first_try {
            self.first_try.record(latency);
        } else {
            self.retried.record(latency);
        }
    }

    pub fn attempt_failed(&mut self, outcome: AttemptOutcome) {
        *outcome.field(&mut self.totals) += 1;
        *outcome.field(&mut self.bucket) += 1;
    }

    /// An attempt whose failure the client learns at `at` (not before the current
    /// bucket), counted now in the bucket `at` falls in: the engine settles a throttled
    /// write's remaining attempts at once when each is sure to be throttled
    /// (engine/sim/throttled.rs). None at or after the end of the run, which handles no
    /// event there. The caller keeps `at` within `counts_ahead_to`.
    pub fn attempt_failed_at(&mut self, at: Nanos, outcome: AttemptOutcome) {
        if at >= self.duration {
            return;
        }
        let Some(k) = self.buckets_after_current(at).checked_sub(1) else {
            self.attempt_failed(outcome);
            return;
        };
        let k = k as usize;
        if self.ahead.len() <= k {
            self.ahead.resize(k + 1, Counts::default());
        }
        *outcome.field(&mut self.totals) += 1;
        *outcome.field(&mut self.ahead[k]) += 1;
    }

    /// Does a failure at `at` fall within `AHEAD_MAX` buckets of the current one (what
    /// `attempt_failed_at` keeps memory for)?
    pub fn counts_ahead_to(&self, at: Nanos) -> bool {
        self.buckets_after_current(at) <= AHEAD_MAX as u64
    }

    /// Which bucket `at` (not before the current bucket) falls in: 0 the current one,
    /// 1 the next, and so on.
    fn buckets_after_current(&self, at: Nanos) -> u64 {
        let end = self.bucket_start + self.bucket_width;
        if at < end {
            0
        } else {
            1 + (at - end) / self.bucket_width
        }
    }

    pub fn repl_delay(&mut self, delay: Nanos) {
        self.repl_delay.record(delay);
        self.repl_delay_sum_ns += u128::from(delay);
    }

    /// Would an acknowledgement recorded now, for a write the client answers at `at`,
    /// leave every figure as one recorded at `at`? Yes when `at` falls in the current
    /// time bucket and no primary outage waits for its first ack now. (An outage that
    /// opens before `at` is the caller's to rule out: the engine's does, for writes
    /// issued before now.)
    #[inline]
    pub fn records_ack_at_as_now(&self, at: Nanos) -> bool {
        self.rto_open.is_empty() && at < self.bucket_start + self.bucket_width
    }

    /// The primary region went down at `start`.
    pub fn primary_outage(&mut self, start: Nanos) {
        self.rto_open.push(start);
    }

    /// A write issued at `issued` was acknowledged at `now`: closes the RTO of every
    /// primary outage that started at or before `issued`.
    pub fn first_ack_after_outage(&mut self, issued: Nanos, now: Nanos) {
        if self.rto_open.is_empty() {
            return;
        }
        let mut worst = self.rto_max_ns;
        self.rto_open.retain(|&start| {
            if start <= issued {
                let rto = now - start;
                worst = Some(worst.map_or(rto, |m| m.max(rto)));
                false
            } else {
                true
            }
        });
        self.rto_max_ns = worst;
    }

    pub fn rpo(&mut self, window: Nanos) {
        self.rpo_max_ns = self.rpo_max_ns.max(window);
    }

    #[cfg(test)]
    pub fn has_open_rto(&self) -> bool {
        !self.rto_open.is_empty()
    }

    /// Sets the figures of `summary.csv` that the recorder owns.
    pub fn fill(&self, s: &mut Summary) {
        let acked = self.totals.acked;
        let offered = self.totals.offered;
        let repl_n = self.repl_delay.flushed().len();
        s.writes_offered = offered;
        s.writes_acked = acked;
        s.writes_failed = self.writes_failed;
        s.writes_lost = self.writes_lost;
        s.writes_duplicated = self.writes_duplicated;
        s.attempts_throttled = self.totals.throttled;
        s.attempts_readonly = self.totals.readonly;
        s.attempts_unavailable = self.totals.unavailable;
        s.attempts_timed_out = self.totals.timed_out;
        s.availability = if offered == 0 {
            0.0
        } else {
            acked as f64 / offered as f64
        };
        s.latency_mean_ms = if acked == 0 {
            0.0
        } else {
            self.latency_sum_ns as f64 / acked as f64 / NS_PER_MS as f64
        };
        s.latency_p50_ms = self.latency.quantile_ms(0.5);
        s.latency_p99_ms = self.latency.quantile_ms(0.99);
        s.latency_p999_ms = self.latency.quantile_ms(0.999);
        s.latency_max_ms = self.latency_max_ns as f64 / NS_PER_MS as f64;
        s.repl_delay_mean_ms = if repl_n == 0 {
            0.0
        } else {
            self.repl_delay_sum_ns as f64 / repl_n as f64 / NS_PER_MS as f64
        };
        s.repl_delay_p99_ms = self.repl_delay.quantile_ms(0.99);
        s.lag_max_s = secs(self.lag_max_ns);
        s.throttled_s = secs(self.throttled_ns);
        s.backlog_max = self.backlog_max;
        if self.ran_semi_sync {
            s.fallbacks = Some(self.fallbacks);
            s.fallback_s = Some(secs(self.fallback_ns));
            let during = self.fallback_requests.iter().map(|&i| &self.promotions[i]);
            s.fallback_promotions = Some(self.fallback_requests.len() as u64);
            s.fallback_writes_lost = Some(during.map(|p| p.writes_lost).sum());
        }
        s.rpo_s = secs(self.rpo_max_ns);
        s.rto_s = self.rto_max_ns.map(secs);
        s.bytes_accepted = self.bytes_accepted;
        s.first_try_latency_p50_ms = self.first_try.quantile_ms(0.5);
        s.first_try_latency_p99_ms = self.first_try.quantile_ms(0.99);
        s.writes_in_flight = offered.saturating_sub(acked + self.writes_failed);
        s.reads = self.reads.as_ref().map(reads::ReadRecorder::summary);
    }

    /// The acknowledged-latency CDF as (ms, cumulative fraction), at most ~400 points.
    pub fn latency_cdf(&self) -> Vec<(f64, f64)> {
        cdf(&self.latency)
    }

    /// The same CDF over the writes acknowledged on their first attempt (SPEC §8's
    /// first-try latency, whose p50/p99 are `first_try_latency_p50_ms`/`_p99_ms`).
    pub fn first_try_cdf(&self) -> Vec<(f64, f64)> {
        cdf(&self.first_try)
    }
}

/// A histogram's CDF as (ms, cumulative fraction), at most ~400 points (flushed).
fn cdf(hist: &Hist) -> Vec<(f64, f64)> {
    let latency = hist.flushed();
    let total = latency.len();
    if total == 0 {
        return Vec::new();
    }
    let points: Vec<(f64, f64)> = latency
        .iter_recorded()
        .map(|v| {
            (
                latency.median_equivalent(v.value_iterated_to()) as f64 / 1000.0,
                v.quantile_iterated_to(),
            )
        })
        .collect();
    let step = points.len().div_ceil(400).max(1);
    let mut out: Vec<(f64, f64)> = points.iter().step_by(step).copied().collect();
    if let Some(&last) = points.last() {
        if out.last() != Some(&last) {
            out.push(last);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NS_PER_S;

    const S: Nanos = NS_PER_S;

    #[test]
    fn lag_integral_and_throttled_time() {
        // max_lag 5 s; a write accepted at 10 s stays pending until 30 s.
        let mut r = Recorder::new(0, 60 * S, S, Some(5 * S));
        r.advance_to(10 * S, "p");
        r.lag_changed(10 * S, Some(10 * S));
        r.advance_to(30 * S, "p");
        r.lag_changed(30 * S, None);
        r.finish("p");
        let mut f = Summary::default();
        r.fill(&mut f);
        assert_eq!(f.lag_max_s, 20.0);
        // Lag exceeds 5 s from 15 s (+1 ns) to 30 s.
        assert!((f.throttled_s - 15.0).abs() < 1e-6);
        assert_eq!(r.buckets.len(), 60);
        assert_eq!(r.buckets[10].lag_s, 1.0);
        assert_eq!(r.buckets[29].lag_s, 20.0);
        assert_eq!(r.buckets[30].lag_s, 0.0);
    }

    /// Failures counted ahead land in the buckets of their times, as if counted then,
    /// and none at or after the end of the run (which handles no event there).
    #[test]
    fn failures_counted_ahead_land_in_their_buckets() {
        let mut ahead = Recorder::new(0, 10 * S + S / 2, S, None);
        let mut then = Recorder::new(0, 10 * S + S / 2, S, None);
        ahead.advance_to(2 * S + 100, "p");
        let times = [
            2 * S + 200,
            2 * S + 900,
            3 * S,
            5 * S + 1,
            10 * S + 1,
            10 * S + S / 2,
        ];
        for t in times {
            assert!(ahead.counts_ahead_to(t));
            ahead.attempt_failed_at(t, AttemptOutcome::Throttled);
        }
        for t in times.into_iter().filter(|&t| t < 10 * S + S / 2) {
            then.advance_to(t, "p");
            then.attempt_failed(AttemptOutcome::Throttled);
        }
        ahead.finish("p");
        then.finish("p");
        let throttled = |r: &Recorder| r.buckets.iter().map(|b| b.throttled).collect::<Vec<_>>();
        assert_eq!(throttled(&ahead), vec![0, 0, 2, 1, 0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(throttled(&ahead), throttled(&then));
        assert_eq!(ahead.totals.throttled, 5);
        assert!(!ahead.counts_ahead_to(AHEAD_MAX as Nanos * S + 20 * S));
    }

    #[test]
    fn rto_closes_on_first_ack_of_a_later_write() {
        let mut r = Recorder::new(0, 100 * S, S, Some(S));
        r.primary_outage(10 * S);
        r.first_ack_after_outage(9 * S, 11 * S); // issued before the outage: no
        assert!(r.has_open_rto());
        r.first_ack_after_outage(12 * S, 40 * S);
        r.finish("p");
        let mut f = Summary::default();
        r.fill(&mut f);
        assert_eq!(f.rto_s, Some(30.0));
    }

    #[test]
    fn first_try_latency_leaves_out_retried_writes() {
        let mut r = Recorder::new(0, 100 * S, S, Some(S));
        for _ in 0..98 {
            r.offered();
            r.acked(10 * NS_PER_MS, true);
        }
        // Two writes acknowledged only after retries through an outage.
        for _ in 0..2 {
            r.offered();
            r.acked(62 * S, false);
        }
        // One offered and failed, two still in flight at the end.
        r.offered();
        r.writes_failed += 1;
        r.offered();
        r.offered();
        r.finish("p");
        let mut f = Summary::default();
        r.fill(&mut f);
        assert!(
            f.latency_p99_ms > 60_000.0,
            "all acks: the retries dominate"
        );
        assert_eq!(f.first_try_latency_p50_ms, 10.0);
        assert_eq!(f.first_try_latency_p99_ms, 10.0);
        assert_eq!(f.writes_in_flight, 2);
        assert_eq!(f.writes_offered, f.writes_acked + f.writes_failed + 2);
        // The first-try CDF is that of the 98 first tries alone: all at 10 ms; the CDF
        // of every acknowledged write reaches 1 only at the retried writes' 62 s.
        let first = r.first_try_cdf();
        assert_eq!(first.len(), 1, "{first:?}");
        assert!(
            (first[0].0 - 10.0).abs() < 0.01 && first[0].1 == 1.0,
            "{first:?}"
        );
        let all = r.latency_cdf();
        assert!(
            (all[0].0 - 10.0).abs() < 0.01 && (all[0].1 - 0.98).abs() < 1e-9,
            "{all:?}"
        );
        let last = all.last().unwrap();
        assert!((last.0 - 62_000.0).abs() < 62.0 && last.1 == 1.0, "{all:?}");
    }

    #[test]
    fn first_try_percentiles_are_clamped_to_the_recorded_extremes() {
        let mut r = Recorder::new(0, 100 * S, S, Some(S));
        // 1.2345 ms: the histogram's middle of its bucket is not the value itself.
        r.offered();
        r.acked(1_234_567, true);
        r.finish("p");
        let mut f = Summary::default();
        r.fill(&mut f);
        assert!(f.first_try_latency_p99_ms <= 1.234_567 + 1e-12);
        assert!(f.first_try_latency_p50_ms >= 1.234_567 - 1e-12);
    }
}
