//! Models built in code for engine tests (the scenario parser has its own tests).

use geosim::engine::Simulation;
use geosim::model::*;
use geosim::results::SimResult;
use geosim::runner::{run, RunOptions};

pub const MS: Nanos = NS_PER_MS;
pub const S: Nanos = NS_PER_S;

pub fn ms(x: f64) -> Sampled {
    Sampled::constant(x * MS as f64)
}

/// Two regions, "p" (primary, clients co-located) and "s" (secondary), with a
/// constant RTT between them, constant 1 KiB writes and one async variant.
pub fn two_regions(rtt_ms: f64, rate: f64, duration: Nanos) -> Model {
    regions_model(&["p", "s"], rtt_ms, rate, duration)
}

/// Regions named `names`; the first is primary and hosts the clients, the others
/// are secondaries; every link has RTT `rtt_ms`.
pub fn regions_model(names: &[&str], rtt_ms: f64, rate: f64, duration: Nanos) -> Model {
    let n = names.len();
    let regions = names
        .iter()
        .map(|name| Region {
            name: name.to_string(),
            commit: ms(1.0),
            local_rtt: ms(1.0),
        })
        .collect();
    let links = (0..n)
        .map(|a| {
            (0..n)
                .map(|b| {
                    (a != b).then(|| Link {
                        rtt: ms(rtt_ms),
                        bandwidth_bytes_per_s: None,
                    })
                })
                .collect()
        })
        .collect();
    Model {
        name: "test".into(),
        duration,
        warmup: 0,
        seed: 1,
        runs: 1,
        bucket: S,
        max_events: u64::MAX,
        max_backlog: u64::MAX,
        regions,
        links,
        workload: Workload {
            client_region: 0,
            phases: vec![Phase { at: 0, rate }],
            size: Sampled::constant(1024.0),
            timeout: 60 * S,
            retries: 3,
            backoff: S,
        },
        primary: 0,
        secondaries: (1..n).collect(),
        outages: vec![],
        failures: vec![],
        actions: vec![],
        policy: Policy::default(),
        promotion: PromotionTiming {
            switch: 30 * S,
            dns: 120 * S,
        },
        variants: vec![variant("async", Mode::Async, 300 * S)],
        cost: None,
        reads: None,
    }
}

pub fn variant(name: &str, mode: Mode, max_lag: Nanos) -> Variant {
    Variant::new(name, mode, max_lag)
}

pub fn down(target: Target, start: Nanos, duration: Nanos) -> Outage {
    Outage {
        target,
        start,
        duration,
        kind: OutageKind::Down,
    }
}

/// Runs `variants` of `model` (every run of each) on `jobs` threads through the runner,
/// as `geosim run` does, with the invariant checker on; fails on any violation.
pub fn run_checked(model: &Model, variants: Vec<usize>, jobs: usize) -> Vec<SimResult> {
    let out = run(
        model,
        &RunOptions {
            variants,
            jobs,
            progress: false,
            check: true,
            stop: None,
        },
    )
    .unwrap();
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    out.results
}

/// Every variant of `model`, as `run_checked` runs them.
pub fn run_all(model: &Model, jobs: usize) -> Vec<SimResult> {
    run_checked(model, (0..model.variants.len()).collect(), jobs)
}

/// Runs variant `v`, run `run` of `model`, and checks the run's invariants.
pub fn simulate(model: &Model, v: usize, run: u32) -> SimResult {
    let mut r = Simulation::new(model, v, run)
        .run(&|_| {})
        .expect("simulation within limits");
    geosim::cost::bill_run(model, &mut r.summary);
    check_invariants(&r);
    r
}

/// SPEC §5 invariants visible in the figures.
pub fn check_invariants(r: &SimResult) {
    let s = &r.summary;
    assert!(
        s.writes_acked + s.writes_failed <= s.writes_offered,
        "acked {} + failed {} > offered {}",
        s.writes_acked,
        s.writes_failed,
        s.writes_offered
    );
    assert!(s.lag_max_s >= 0.0);
    let ts_offered: u64 = r.timeseries.iter().map(|b| b.offered).sum();
    let ts_acked: u64 = r.timeseries.iter().map(|b| b.acked).sum();
    assert_eq!(ts_offered, s.writes_offered, "timeseries offered total");
    assert_eq!(ts_acked, s.writes_acked, "timeseries acked total");
    let ts_throttled: u64 = r.timeseries.iter().map(|b| b.throttled).sum();
    assert_eq!(ts_throttled, s.attempts_throttled);
    let ts_timed_out: u64 = r.timeseries.iter().map(|b| b.timed_out).sum();
    assert_eq!(ts_timed_out, s.attempts_timed_out);
    let lag_max = r.timeseries.iter().map(|b| b.lag_s).fold(0.0, f64::max);
    assert!(
        (lag_max - s.lag_max_s).abs() < 1e-6 || lag_max >= s.lag_max_s,
        "timeseries lag max {lag_max} vs summary {}",
        s.lag_max_s
    );
}
