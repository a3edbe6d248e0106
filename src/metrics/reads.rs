//! Streaming recorders for readable secondaries (SPEC §7): read outcomes and latency,
//! stale reads and their staleness, and the visibility of acknowledged writes at the
//! read region (the t-visibility curve of PBS, Bailis et al., VLDB 2012).
//!
//! Memory is constant: counters and histograms, never a list of reads or writes. The
//! engine decides what a read saw and when a write became visible; this module only
//! counts and summarises.

use hdrhistogram::Histogram;

use crate::model::{Nanos, NS_PER_MS, NS_PER_US};
use crate::results::ReadSummary;

/// Staleness and visibility can last as long as an outage: the histograms reach 30 days
/// (in µs) and saturate beyond; the exact extremes are kept beside them.
const SPAN_MAX_US: u64 = 30 * 86_400 * 1_000_000;

/// A streaming distribution of non-negative durations: exact zeros counted apart (a fresh
/// read, a write visible before its acknowledgement: the values the curves start from),
/// the others in an HDR histogram of µs (3 significant digits), the exact extremes and sum
/// kept so that percentiles are clamped to what was recorded (SPEC §9).
#[derive(Debug, Clone)]
pub struct Spread {
    zeros: u64,
    positive: Histogram<u64>,
    /// Smallest value above zero (the zeros are exact already).
    min_positive_ns: Nanos,
    max_ns: Nanos,
    sum_ns: u128,
    /// A run of equal positive values (µs) not yet in `positive`: with constant
    /// delays every read records the same latency, and one histogram call per run
    /// instead of per read keeps reads cheap beside writes.
    run_us: u64,
    run_len: u64,
}

impl Default for Spread {
    fn default() -> Spread {
        Spread::new()
    }
}

impl Spread {
    pub fn new() -> Spread {
        Spread {
            zeros: 0,
            positive: Histogram::new_with_bounds(1, SPAN_MAX_US, 3)
                .expect("static histogram bounds are valid"),
            min_positive_ns: Nanos::MAX,
            max_ns: 0,
            sum_ns: 0,
            run_us: 0,
            run_len: 0,
        }
    }

    pub fn record(&mut self, ns: Nanos) {
        self.max_ns = self.max_ns.max(ns);
        self.sum_ns += u128::from(ns);
        if ns == 0 {
            self.zeros += 1;
        } else {
            self.min_positive_ns = self.min_positive_ns.min(ns);
            // Below 1 µs still counts as more than nothing.
            let us = (ns / NS_PER_US).clamp(1, SPAN_MAX_US);
            if us != self.run_us {
                self.flush();
                self.run_us = us;
            }
            self.run_len += 1;
        }
    }

    /// Puts the pending run into the histogram; call before reading it.
    pub fn flush(&mut self) {
        if self.run_len > 0 {
            self.positive.saturating_record_n(self.run_us, self.run_len);
            self.run_len = 0;
        }
    }

    pub fn count(&self) -> u64 {
        self.zeros + self.positive.len() + self.run_len
    }

    /// Mean in ms; 0 when empty. (No summary column shows it: the tests' check of
    /// the recorded values.)
    #[cfg(test)]
    pub fn mean_ms(&self) -> f64 {
        match self.count() {
            0 => 0.0,
            n => self.sum_ns as f64 / n as f64 / NS_PER_MS as f64,
        }
    }

    /// The q-quantile in ms (the value below which a share q of the recordings lie),
    /// clamped to the recorded extremes; 0 when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).max(1);
        if rank <= self.zeros {
            return 0.0;
        }
        debug_assert_eq!(self.run_len, 0, "read before flush");
        let positives = self.positive.len();
        let within = (rank - self.zeros) as f64 / positives as f64;
        let us = self
            .positive
            .median_equivalent(self.positive.value_at_quantile(within.min(1.0)));
        let ns = self.clamp(us);
        ns as f64 / NS_PER_MS as f64
    }

    /// A histogram value (µs) in ns, within the recorded positive extremes.
    fn clamp(&self, us: u64) -> Nanos {
        us.saturating_mul(NS_PER_US)
            .clamp(self.min_positive_ns, self.max_ns.max(self.min_positive_ns))
    }

    #[cfg(test)]
    pub fn max_ms(&self) -> f64 {
        self.max_ns as f64 / NS_PER_MS as f64
    }

    /// The cumulative distribution as (ms, share of recordings at or below), ascending,
    /// starting with (0, share of zeros), thinned to at most about `max_points` points.
    pub fn cdf(&self, max_points: usize) -> Vec<(f64, f64)> {
        let n = self.count();
        if n == 0 {
            return Vec::new();
        }
        debug_assert_eq!(self.run_len, 0, "read before flush");
        let mut points = vec![(0.0, self.zeros as f64 / n as f64)];
        let mut seen = self.zeros;
        for v in self.positive.iter_recorded() {
            seen += v.count_since_last_iteration();
            let us = self.positive.highest_equivalent(v.value_iterated_to());
            let ns = self.clamp(us);
            points.push((ns as f64 / NS_PER_MS as f64, seen as f64 / n as f64));
        }
        let step = points.len().div_ceil(max_points.max(2)).max(1);
        let last = points.last().copied();
        let mut out: Vec<(f64, f64)> = points.into_iter().step_by(step).collect();
        if let Some(last) = last.filter(|l| out.last() != Some(l)) {
            out.push(last);
        }
        out
    }
}

/// What became of the reads issued after warmup, and what the acknowledged writes'
/// visibility was at the read region.
#[derive(Debug, Clone, Default)]
pub struct ReadRecorder {
    offered: u64,
    failed: u64,
    stale: u64,
    /// Issue → answer received, over answered reads.
    latency: Spread,
    /// Over answered reads; a fresh read counts 0.
    staleness: Spread,
    /// Acknowledgement → applied at the read region, per acknowledged write.
    visibility: Spread,
    bucket_reads: u64,
    bucket_stale: u64,
}

impl ReadRecorder {
    pub fn new() -> ReadRecorder {
        ReadRecorder::default()
    }

    /// A read was issued (after warmup).
    pub fn issued(&mut self) {
        self.offered += 1;
        self.bucket_reads += 1;
    }

    /// A read could not be answered (region or link down, or not the primary).
    pub fn failed(&mut self) {
        self.failed += 1;
    }

    /// A read was answered: its round trip, and its staleness (`None`: fresh).
    pub fn answered(&mut self, latency: Nanos, staleness: Option<Nanos>) {
        self.latency.record(latency);
        match staleness {
            Some(s) => {
                self.stale += 1;
                self.bucket_stale += 1;
                self.staleness.record(s);
            }
            None => self.staleness.record(0),
        }
    }

    /// An acknowledged write became visible at the read region `delay` after its
    /// acknowledgement (0: it was there before).
    pub fn visibility(&mut self, delay: Nanos) {
        self.visibility.record(delay);
    }

    /// Puts every pending recording into the histograms: at the end of the run,
    /// before `summary` and `visibility_curve`.
    pub fn finish(&mut self) {
        self.latency.flush();
        self.staleness.flush();
        self.visibility.flush();
    }

    /// The `reads` and `stale_reads` of the bucket being closed; starts the next one.
    pub fn take_bucket(&mut self) -> (u64, u64) {
        let out = (self.bucket_reads, self.bucket_stale);
        self.bucket_reads = 0;
        self.bucket_stale = 0;
        out
    }

    pub fn summary(&self) -> ReadSummary {
        let ok = self.latency.count();
        ReadSummary {
            reads_offered: self.offered,
            reads_ok: ok,
            reads_failed: self.failed,
            read_latency_p50_ms: self.latency.quantile_ms(0.5),
            read_latency_p99_ms: self.latency.quantile_ms(0.99),
            stale_read_share: if ok == 0 {
                0.0
            } else {
                self.stale as f64 / ok as f64
            },
            read_staleness_p99_ms: self.staleness.quantile_ms(0.99),
            visibility_p50_ms: self.visibility.quantile_ms(0.5),
            visibility_p99_ms: self.visibility.quantile_ms(0.99),
        }
    }

    /// The t-visibility curve: (Δ ms, share of acknowledged writes visible Δ after
    /// their acknowledgement), starting at Δ = 0.
    pub fn visibility_curve(&self) -> Vec<(f64, f64)> {
        self.visibility.cdf(400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Nanos = NS_PER_MS;

    #[test]
    fn zeros_are_exact_and_quantiles_clamp_to_extremes() {
        let mut s = Spread::new();
        for _ in 0..60 {
            s.record(0);
        }
        for _ in 0..40 {
            s.record(42 * MS + 317);
        }
        s.flush();
        assert_eq!(s.count(), 100);
        assert_eq!(s.quantile_ms(0.5), 0.0);
        assert_eq!(s.quantile_ms(0.6), 0.0);
        // One value only among the positives: clamped to it exactly, not to its bucket.
        assert_eq!(s.quantile_ms(0.61), 42.000317);
        assert_eq!(s.quantile_ms(0.99), 42.000317);
        assert!((s.mean_ms() - 0.4 * 42.000317).abs() < 1e-9);
    }

    #[test]
    fn quantiles_of_a_spread_within_three_digits() {
        let mut s = Spread::new();
        for i in 1..=1000u64 {
            s.record(i * MS);
        }
        s.flush();
        let p50 = s.quantile_ms(0.5);
        let p99 = s.quantile_ms(0.99);
        assert!((p50 - 500.0).abs() <= 0.5, "{p50}");
        assert!((p99 - 990.0).abs() <= 1.0, "{p99}");
        assert!(s.quantile_ms(1.0) <= s.max_ms());
        assert_eq!(Spread::new().quantile_ms(0.99), 0.0);
    }

    #[test]
    fn cdf_starts_at_the_zero_share_and_ends_at_one() {
        let mut s = Spread::new();
        s.record(0);
        s.record(10 * MS);
        s.record(10 * MS);
        s.record(30 * MS);
        s.flush();
        let cdf = s.cdf(400);
        assert_eq!(cdf.first(), Some(&(0.0, 0.25)));
        assert_eq!(cdf.last(), Some(&(30.0, 1.0)));
        assert!(cdf.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        // Within the histogram's 3 significant digits.
        let ten = cdf
            .iter()
            .find(|p| (p.0 - 10.0).abs() <= 0.01)
            .expect("a point at 10 ms");
        assert_eq!(ten.1, 0.75);
    }

    #[test]
    fn cdf_is_thinned_but_keeps_its_ends() {
        let mut s = Spread::new();
        for i in 0..100_000u64 {
            s.record(i * 37 * NS_PER_US);
        }
        s.flush();
        let cdf = s.cdf(400);
        assert!(cdf.len() <= 402, "{}", cdf.len());
        assert_eq!(cdf[0].0, 0.0);
        assert_eq!(cdf.last().unwrap().1, 1.0);
    }

    #[test]
    fn read_summary_counts_and_shares() {
        let mut r = ReadRecorder::new();
        for _ in 0..10 {
            r.issued();
        }
        r.failed();
        r.failed();
        for i in 0..8 {
            let stale = (i < 2).then_some(5 * MS);
            r.answered(2 * MS, stale);
        }
        r.visibility(0);
        r.visibility(40 * MS);
        r.finish();
        let s = r.summary();
        assert_eq!((s.reads_offered, s.reads_ok, s.reads_failed), (10, 8, 2));
        assert_eq!(s.stale_read_share, 0.25);
        assert_eq!(s.read_latency_p50_ms, 2.0);
        assert_eq!(s.read_latency_p99_ms, 2.0);
        // Staleness over answered reads, fresh ones at 0: p99 is the stale value.
        assert_eq!(s.read_staleness_p99_ms, 5.0);
        assert_eq!(s.visibility_p50_ms, 0.0);
        assert_eq!(s.visibility_p99_ms, 40.0);
        assert_eq!(r.take_bucket(), (10, 2));
        assert_eq!(r.take_bucket(), (0, 0));
        assert_eq!(r.visibility_curve(), vec![(0.0, 0.5), (40.0, 1.0)]);
    }
}
