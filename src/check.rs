//! Invariant checkers, apart from the model (SPEC §5).
//!
//! The engine reports what happens through [`Observer`] (off by default: a branch on
//! `None` per hook); [`Checker`] keeps its own books from those reports and compares
//! them with what the run claims at the end. It never reads the engine's state, so a
//! bookkeeping bug in the engine shows up as a disagreement instead of hiding in both.
//! [`csv_totals`] checks the written `summary.csv` against `timeseries.csv`.
//!
//! What is checked:
//! - time never goes backwards;
//! - every offered write is acknowledged, failed, or still in flight at the end (and
//!   then only if its last attempt could not have ended yet); none is acknowledged
//!   twice, none both acknowledged and failed;
//! - a secondary applies writes in log order, never before they were accepted;
//! - a planned promotion whose drain completed loses no acknowledged write, and a
//!   forced one to a ready target loses no acknowledged *sync* write;
//! - the summary's counts agree with the checker's and with the time series.
//!
//! Long because every invariant above is checked here, each from its own books, so that
//! they can be read against SPEC §5 in one place.

use std::collections::HashMap;

use crate::engine::event::WriteRef;
use crate::engine::observer::Observer;
use crate::model::{Model, Nanos, RegionId};
use crate::results::SimResult;
use crate::time::secs;

/// Violations kept per run: the first few say enough, and a broken run must not
/// fill memory with reports.
const MAX_VIOLATIONS: usize = 20;

#[derive(Debug, Clone, Copy)]
struct Open {
    issued_at: Nanos,
    counted: bool,
}

/// After a promotion away from `old`: commits `old` still completes for its old log
/// must be of entries the target had applied (`bound`), if the promotion promised
/// to lose nothing (`sync_only`: the promise covers sync writes only).
#[derive(Debug, Clone, Copy)]
struct Guard {
    old: RegionId,
    target: RegionId,
    bound: Option<u64>,
    sync_only: bool,
}

/// Checks one simulation (variant × run) from outside.
pub struct Checker {
    now: Nanos,
    open: HashMap<(u32, u32), Open>,
    offered: u64,
    acked: u64,
    failed: u64,
    primary: RegionId,
    promoting: bool,
    any_forced: bool,
    /// Per region: the highest log entry it applied as a secondary.
    applied_max: Vec<Option<u64>>,
    /// Per region: the highest entry it committed as primary, all / sync only.
    committed_max: Vec<Option<u64>>,
    committed_sync_max: Vec<Option<u64>>,
    guard: Option<Guard>,
    violations: Vec<String>,
    dropped: usize,
}

impl Checker {
    pub fn new(model: &Model) -> Checker {
        let n = model.regions.len();
        Checker {
            now: 0,
            open: HashMap::new(),
            offered: 0,
            acked: 0,
            failed: 0,
            primary: model.primary,
            promoting: false,
            any_forced: false,
            applied_max: vec![None; n],
            committed_max: vec![None; n],
            committed_sync_max: vec![None; n],
            guard: None,
            violations: Vec::new(),
            dropped: 0,
        }
    }

    fn violation(&mut self, message: String) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations
                .push(format!("t = {:.9} s: {message}", secs(self.now)));
        } else {
            self.dropped += 1;
        }
    }

    /// Ends the run: compares the checker's books with `result` and returns every
    /// violation found (empty: the run kept its invariants).
    pub fn finish(mut self, model: &Model, result: &SimResult) -> Vec<String> {
        self.now = model.duration;
        let s = &result.summary;
        for (what, mine, claimed) in [
            ("writes_offered", self.offered, s.writes_offered),
            ("writes_acked", self.acked, s.writes_acked),
            ("writes_failed", self.failed, s.writes_failed),
        ] {
            if mine != claimed {
                self.violation(format!(
                    "summary {what} = {claimed}, but the client saw {mine}"
                ));
            }
        }
        self.check_in_flight(model);
        if !self.any_forced && s.writes_lost > 0 {
            self.violation(format!(
                "{} writes lost without any forced promotion",
                s.writes_lost
            ));
        }
        for v in result_consistency(result) {
            self.violation(v);
        }
        if self.dropped > 0 {
            let dropped = self.dropped;
            self.violations
                .push(format!("… and {dropped} more violations"));
        }
        self.violations
    }

    /// A write may be in flight at the end only if its last attempt's deadline is
    /// not yet past: every attempt ends by its timeout, and there are 1 + retries.
    fn check_in_flight(&mut self, model: &Model) {
        let w = &model.workload;
        let span = w
            .timeout
            .saturating_mul(u64::from(w.retries) + 1)
            .saturating_add(w.backoff.saturating_mul(u64::from(w.retries)));
        let mut stuck: Vec<Nanos> = self
            .open
            .values()
            .filter(|o| o.issued_at.saturating_add(span) < model.duration)
            .map(|o| o.issued_at)
            .collect();
        stuck.sort_unstable();
        if let Some(&first) = stuck.first() {
            self.violation(format!(
                "{} writes still in flight at the end although their last attempt timed out \
                 (the first issued at {:.6} s; every attempt ends within {:.3} s)",
                stuck.len(),
                secs(first),
                secs(span)
            ));
        }
    }

    fn resolve(&mut self, w: WriteRef, what: &str) -> Option<Open> {
        let open = self.open.remove(&(w.slot, w.gen));
        if open.is_none() {
            self.violation(format!(
                "write {}/{} {what}, but it is not in flight (never offered, or already \
                 acknowledged or failed)",
                w.slot, w.gen
            ));
        }
        open
    }

    /// The no-loss promise of a promotion away from `old` to `target`, checked now
    /// for what `old` has committed and kept for its later commits.
    fn promise(&mut self, old: RegionId, target: RegionId, sync_only: bool) {
        let bound = self.applied_max[target];
        let committed = if sync_only {
            self.committed_sync_max[old]
        } else {
            self.committed_max[old]
        };
        if let Some(c) = committed.filter(|&c| bound.is_none_or(|b| c > b)) {
            let kind = if sync_only {
                "forced promotion to a ready target (sync writes)"
            } else {
                "planned promotion"
            };
            self.violation(format!(
                "{kind} from region {old} to {target} loses entry {c}, committed by the old \
                 primary but not applied on the target (applied up to {bound:?})"
            ));
        }
        self.guard = Some(Guard {
            old,
            target,
            bound,
            sync_only,
        });
    }
}

impl Observer for Checker {
    fn event(&mut self, t: Nanos) {
        if t < self.now {
            self.violation(format!(
                "time went backwards: an event at {:.9} s after one at {:.9} s",
                secs(t),
                secs(self.now)
            ));
        }
        self.now = t;
    }

    fn offered(&mut self, t: Nanos, w: WriteRef, counted: bool) {
        let open = Open {
            issued_at: t,
            counted,
        };
        if self.open.insert((w.slot, w.gen), open).is_some() {
            self.violation(format!(
                "write {}/{} offered while a write with the same id is in flight",
                w.slot, w.gen
            ));
        }
        self.offered += u64::from(counted);
    }

    fn acked(&mut self, _t: Nanos, w: WriteRef) {
        if let Some(o) = self.resolve(w, "acknowledged") {
            self.acked += u64::from(o.counted);
        }
    }

    fn failed(&mut self, _t: Nanos, w: WriteRef) {
        if let Some(o) = self.resolve(w, "failed") {
            self.failed += u64::from(o.counted);
        }
    }

    fn committed(&mut self, _t: Nanos, region: RegionId, seq: u64, sync: Option<bool>) {
        let late = self.promoting || region != self.primary;
        if let Some(g) = self.guard.filter(|g| late && g.old == region) {
            let promised = !g.sync_only || sync == Some(true);
            if promised && g.bound.is_none_or(|b| seq > b) {
                self.violation(format!(
                    "entry {seq} committed by the old primary (region {}) after a promotion \
                     that promised to lose it not, but the target (region {}) had applied \
                     only up to {:?}",
                    g.old, g.target, g.bound
                ));
            }
        }
        let max = &mut self.committed_max[region];
        *max = Some(max.map_or(seq, |m| m.max(seq)));
        if sync == Some(true) {
            let max = &mut self.committed_sync_max[region];
            *max = Some(max.map_or(seq, |m| m.max(seq)));
        }
    }

    fn applied(&mut self, t: Nanos, region: RegionId, seq: u64, t_accept: Nanos) {
        if t_accept > t {
            self.violation(format!(
                "region {region} applied entry {seq} before it was accepted (negative lag)"
            ));
        }
        if let Some(prev) = self.applied_max[region].filter(|&p| seq <= p) {
            self.violation(format!(
                "region {region} applied entry {seq} after entry {prev}: out of log order"
            ));
        }
        self.applied_max[region] = Some(seq);
    }

    fn drained(&mut self, _t: Nanos, old: RegionId, target: RegionId) {
        self.promoting = true;
        self.promise(old, target, false);
    }

    fn promotion_forced(&mut self, _t: Nanos, old: RegionId, target: RegionId, ready: bool) {
        self.promoting = true;
        self.any_forced = true;
        if ready {
            self.promise(old, target, true);
        } else {
            // A target that is not ready may lack anything: no promise to keep.
            self.guard = None;
        }
    }

    fn promoted(&mut self, _t: Nanos, region: RegionId) {
        self.promoting = false;
        self.primary = region;
        // A new tenure: what this region committed as primary before belongs to a log
        // that an earlier promotion settled.
        self.committed_max[region] = None;
        self.committed_sync_max[region] = None;
    }
}

/// Figures of one result that must agree with each other.
pub fn result_consistency(r: &SimResult) -> Vec<String> {
    let s = &r.summary;
    let mut out = Vec::new();
    if s.writes_acked + s.writes_failed > s.writes_offered {
        out.push(format!(
            "writes_acked {} + writes_failed {} > writes_offered {}",
            s.writes_acked, s.writes_failed, s.writes_offered
        ));
    }
    let sums = [
        (
            "offered",
            s.writes_offered,
            r.timeseries.iter().map(|b| b.offered).sum::<u64>(),
        ),
        (
            "acked",
            s.writes_acked,
            r.timeseries.iter().map(|b| b.acked).sum(),
        ),
        (
            "throttled",
            s.attempts_throttled,
            r.timeseries.iter().map(|b| b.throttled).sum(),
        ),
        (
            "readonly",
            s.attempts_readonly,
            r.timeseries.iter().map(|b| b.readonly).sum(),
        ),
        (
            "unavailable",
            s.attempts_unavailable,
            r.timeseries.iter().map(|b| b.unavailable).sum(),
        ),
        (
            "timed_out",
            s.attempts_timed_out,
            r.timeseries.iter().map(|b| b.timed_out).sum(),
        ),
    ];
    for (what, total, series) in sums {
        if total != series {
            out.push(format!(
                "summary {what} = {total}, time series total = {series}"
            ));
        }
    }
    // NaN fails both tests: a lag must be a finite number, zero or more.
    let valid = |l: f64| l.is_finite() && l >= 0.0;
    if !valid(s.lag_max_s) || r.timeseries.iter().any(|b| !valid(b.lag_s)) {
        out.push(format!(
            "a negative or non-finite lag (lag_max_s = {})",
            s.lag_max_s
        ));
    }
    out
}

/// Checks the written `summary.csv` against `timeseries.csv`: for every variant and
/// run, the summary's counts equal the sums of the time series' columns, and its
/// `lag_max_s` is not below any bucket's lag (within the printed precision).
pub fn csv_totals(summary_csv: &[u8], timeseries_csv: &[u8]) -> Vec<String> {
    match csv_totals_inner(summary_csv, timeseries_csv) {
        Ok(v) => v,
        Err(e) => vec![format!("cannot read the CSV files back: {e}")],
    }
}

type Key = (String, String);

fn csv_totals_inner(summary: &[u8], series: &[u8]) -> Result<Vec<String>, String> {
    const PAIRS: [(&str, &str); 6] = [
        ("writes_offered", "offered"),
        ("writes_acked", "acked"),
        ("attempts_throttled", "throttled"),
        ("attempts_readonly", "readonly"),
        ("attempts_unavailable", "unavailable"),
        ("attempts_timed_out", "timed_out"),
    ];
    let (s_head, s_rows) = read_csv(summary)?;
    let (t_head, t_rows) = read_csv(series)?;
    let col = |head: &[String], name: &str| {
        head.iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no column {name}"))
    };
    let (sv, sr) = (col(&s_head, "variant")?, col(&s_head, "run")?);
    let (tv, tr) = (col(&t_head, "variant")?, col(&t_head, "run")?);
    let mut sums: HashMap<Key, ([f64; 6], f64)> = HashMap::new();
    for row in &t_rows {
        let entry = sums
            .entry((row[tv].clone(), row[tr].clone()))
            .or_insert(([0.0; 6], 0.0));
        for (i, (_, t)) in PAIRS.iter().enumerate() {
            entry.0[i] += number(&row[col(&t_head, t)?])?;
        }
        entry.1 = entry.1.max(number(&row[col(&t_head, "lag_s")?])?);
    }
    let mut out = Vec::new();
    for row in &s_rows {
        let key = (row[sv].clone(), row[sr].clone());
        let Some((totals, lag_max)) = sums.remove(&key) else {
            out.push(format!(
                "variant {} run {}: no rows in timeseries.csv",
                key.0, key.1
            ));
            continue;
        };
        for (i, (s, t)) in PAIRS.iter().enumerate() {
            let claimed = number(&row[col(&s_head, s)?])?;
            if claimed != totals[i] {
                out.push(format!(
                    "variant {} run {}: summary.csv {s} = {claimed}, timeseries.csv sums {t} to {}",
                    key.0, key.1, totals[i]
                ));
            }
        }
        let summary_lag = number(&row[col(&s_head, "lag_max_s")?])?;
        // Both are printed with a fixed number of decimals: allow for the rounding.
        if summary_lag + 0.01 < lag_max {
            out.push(format!(
                "variant {} run {}: summary.csv lag_max_s = {summary_lag} below a bucket's lag_s = {lag_max}",
                key.0, key.1
            ));
        }
    }
    for (v, r) in sums.keys() {
        out.push(format!(
            "variant {v} run {r}: in timeseries.csv but not in summary.csv"
        ));
    }
    out.sort();
    Ok(out)
}

fn read_csv(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut r = csv::Reader::from_reader(bytes);
    let head: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok((head, rows))
}

fn number(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .map_err(|_| format!("\"{s}\" is not a number"))
}

#[cfg(test)]
mod tests {
    //! The checker must catch what it claims to: each test feeds it a story with
    //! one broken invariant.

    use super::*;
    use crate::engine::Simulation;
    use crate::model::NS_PER_S;

    fn model() -> Model {
        crate::scenario::parse(
            r#"
[simulation]
duration = "10s"
[[region]]
name = "westeurope"
[[region]]
name = "eastus"
[workload]
client_region = "westeurope"
rate = 100
size = "1KiB"
[replication]
primary = "westeurope"
secondaries = ["eastus"]
"#,
            "t.toml",
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn w(slot: u32) -> WriteRef {
        WriteRef { slot, gen: 0 }
    }

    fn run_clean(m: &Model) -> (Checker, SimResult) {
        let mut c = Checker::new(m);
        let r = Simulation::new(m, 0, 1)
            .observed(&mut c)
            .run(&|_| {})
            .unwrap();
        (c, r)
    }

    #[test]
    fn a_real_run_keeps_every_invariant() {
        let m = model();
        let (c, r) = run_clean(&m);
        assert!(r.summary.writes_acked > 500);
        assert_eq!(c.finish(&m, &r), Vec::<String>::new());
    }

    #[test]
    fn an_extra_acknowledgement_is_caught_twice_over() {
        let m = model();
        let (mut c, r) = run_clean(&m);
        c.offered(1, w(999_999), true);
        c.acked(2, w(999_999));
        c.acked(3, w(999_999));
        let v = c.finish(&m, &r).join("\n");
        assert!(v.contains("not in flight"), "{v}");
        assert!(v.contains("writes_acked"), "{v}");
    }

    #[test]
    fn time_going_backwards_is_caught() {
        let m = model();
        let mut c = Checker::new(&m);
        c.event(5);
        c.event(4);
        assert!(c.violations[0].contains("backwards"));
    }

    #[test]
    fn a_write_stuck_in_flight_is_caught() {
        let m = model();
        let (mut c, r) = run_clean(&m);
        c.offered(0, w(999_999), false);
        // Issued at 0 with a 60 s timeout: in a 10 s run it may still be in flight.
        assert!(c.finish(&m, &r).is_empty());
        let mut short = m.clone();
        short.workload.timeout = NS_PER_S;
        short.workload.backoff = 0;
        let (mut c, r) = run_clean(&short);
        c.offered(0, w(999_999), false);
        let v = c.finish(&short, &r).join("\n");
        assert!(v.contains("still in flight"), "{v}");
    }

    #[test]
    fn a_planned_promotion_that_loses_a_commit_is_caught() {
        let m = model();
        let mut c = Checker::new(&m);
        c.committed(1, 0, 0, Some(false));
        c.committed(2, 0, 1, Some(false));
        c.applied(3, 1, 0, 1);
        c.drained(4, 0, 1);
        assert!(
            c.violations[0].contains("loses entry 1"),
            "{:?}",
            c.violations
        );
    }

    #[test]
    fn a_late_commit_after_a_forced_promotion_to_a_ready_target_is_caught() {
        let m = model();
        let mut c = Checker::new(&m);
        c.committed(1, 0, 0, Some(true));
        c.applied(2, 1, 0, 1);
        c.promotion_forced(3, 0, 1, true);
        assert!(c.violations.is_empty(), "{:?}", c.violations);
        // An async write's late commit is no broken promise; a sync one is.
        c.committed(4, 0, 1, Some(false));
        assert!(c.violations.is_empty(), "{:?}", c.violations);
        c.committed(5, 0, 2, Some(true));
        assert!(c.violations[0].contains("entry 2"), "{:?}", c.violations);
    }

    #[test]
    fn out_of_order_and_negative_lag_applies_are_caught() {
        let m = model();
        let mut c = Checker::new(&m);
        c.applied(10, 1, 5, 1);
        c.applied(11, 1, 4, 1);
        c.applied(12, 1, 6, 20);
        let v = c.violations.join("\n");
        assert!(v.contains("out of log order"), "{v}");
        assert!(v.contains("negative lag"), "{v}");
    }

    #[test]
    fn csv_totals_catch_a_disagreement() {
        let summary = b"variant,run,writes_offered,writes_acked,attempts_throttled,attempts_readonly,attempts_unavailable,attempts_timed_out,lag_max_s\n\
a,1,3,2,0,0,0,0,1.000\n";
        let good =
            b"variant,run,t_s,offered,acked,throttled,readonly,unavailable,timed_out,lag_s\n\
a,1,0,2,1,0,0,0,0,1.000\na,1,1,1,1,0,0,0,0,0.500\n";
        assert!(csv_totals(summary, good).is_empty());
        let bad = b"variant,run,t_s,offered,acked,throttled,readonly,unavailable,timed_out,lag_s\n\
a,1,0,2,1,0,0,0,0,1.000\na,1,1,1,0,0,0,0,0,2.500\n";
        let v = csv_totals(summary, bad).join("\n");
        assert!(v.contains("writes_acked = 2"), "{v}");
        assert!(v.contains("below a bucket's lag_s"), "{v}");
    }
}
