//! Hand-made models and results for the report tests, standing in for the engine.
//!
//! Each test binary uses a different subset of these builders.
#![allow(dead_code)]

use geosim::model::*;
use geosim::results::*;

/// The outage every "normal" fixture run has: the primary down from 200 s to 320 s.
pub const OUTAGE: (f64, f64) = (200.0, 320.0);

/// A two-region (plus a client-only third) scenario of 600 s with the given variants.
pub fn model(name: &str, variants: &[(&str, Mode, f64)], runs: u32) -> Model {
    let ms = |v: f64| Sampled::constant(v * NS_PER_MS as f64);
    let region = |name: &str, commit: f64| Region {
        name: name.to_string(),
        commit: ms(commit),
        local_rtt: ms(1.0),
    };
    let rtts = [[0.0, 85.0, 12.0], [85.0, 0.0, 90.0], [12.0, 90.0, 0.0]];
    let links = (0..3)
        .map(|a| {
            (0..3)
                .map(|b| {
                    (a != b).then(|| Link {
                        rtt: ms(rtts[a][b]),
                        bandwidth_bytes_per_s: None,
                    })
                })
                .collect()
        })
        .collect();
    Model {
        name: name.to_string(),
        duration: 600 * NS_PER_S,
        warmup: 10 * NS_PER_S,
        seed: 42,
        runs,
        bucket: NS_PER_S,
        max_events: 1_000_000_000,
        max_backlog: 10_000_000,
        regions: vec![
            region("westeurope", 2.0),
            region("eastus", 2.0),
            region("northeurope", 1.0),
        ],
        links,
        workload: Workload {
            client_region: 2,
            phases: vec![
                Phase { at: 0, rate: 500.0 },
                Phase {
                    at: 400 * NS_PER_S,
                    rate: 800.0,
                },
            ],
            size: Sampled::constant(1024.0),
            timeout: 60 * NS_PER_S,
            retries: 3,
            backoff: NS_PER_S,
        },
        primary: 0,
        secondaries: vec![1],
        outages: vec![Outage {
            target: Target::Region(0),
            start: 200 * NS_PER_S,
            duration: 120 * NS_PER_S,
            kind: OutageKind::Down,
        }],
        failures: vec![],
        actions: vec![
            Action {
                at: 260 * NS_PER_S,
                kind: ActionKind::Promote {
                    kind: PromoteKind::Forced,
                    target: Some(1),
                    escalate_after: None,
                },
            },
            Action {
                at: 450 * NS_PER_S,
                kind: ActionKind::SetMode(Mode::Sync),
            },
        ],
        policy: Policy::default(),
        promotion: PromotionTiming {
            switch: 30 * NS_PER_S,
            dns: 120 * NS_PER_S,
        },
        variants: variants
            .iter()
            .map(|(n, mode, max_lag_s)| {
                Variant::new(n, *mode, (*max_lag_s * NS_PER_S as f64) as u64)
            })
            .collect(),
        cost: None,
        reads: None,
    }
}

/// What a fixture run looks like; `Spec::new` gives a healthy async run.
#[derive(Clone)]
pub struct Spec {
    pub variant: String,
    pub run: u32,
    pub mode: Mode,
    pub max_lag_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub writes_lost: u64,
    pub rpo_s: f64,
    pub rto_s: Option<f64>,
    pub outage: bool,
    /// (requested, completed, kind)
    pub promotion: Option<(f64, Option<f64>, &'static str)>,
    pub all_failed: bool,
    pub throttled_s: f64,
    /// Lag grows by this many seconds per second of outage.
    pub lag_growth: f64,
}

impl Spec {
    pub fn new(variant: &str, mode: Mode, max_lag_s: f64) -> Spec {
        Spec {
            variant: variant.to_string(),
            run: 1,
            mode,
            max_lag_s,
            p50_ms: 15.0,
            p99_ms: 40.0,
            writes_lost: 0,
            rpo_s: 0.0,
            rto_s: Some(90.0),
            outage: true,
            promotion: Some((260.0, Some(290.0), "forced")),
            all_failed: false,
            throttled_s: 0.0,
            lag_growth: 1.0,
        }
    }
}

pub fn result(spec: &Spec) -> SimResult {
    let (down_from, down_to) = OUTAGE;
    let back_at = spec.promotion.and_then(|p| p.1).unwrap_or(down_to);
    let mut timeseries = Vec::new();
    let (mut offered_total, mut acked_total) = (0u64, 0u64);
    for t in 0..600u32 {
        let t_s = t as f64;
        let offered = 490 + (t as u64 * 7) % 20;
        let down = spec.outage && t_s >= down_from && t_s < back_at;
        let acked = if spec.all_failed || down { 0 } else { offered };
        let lag_s = if spec.outage && t_s >= down_from && t_s < back_at {
            ((t_s - down_from) * spec.lag_growth).min(spec.max_lag_s)
        } else if spec.mode == Mode::Sync {
            0.0
        } else {
            0.05
        };
        if t >= 10 {
            offered_total += offered;
            acked_total += acked;
        }
        timeseries.push(Bucket {
            t_s,
            offered,
            acked,
            throttled: 0,
            readonly: if down { offered } else { 0 },
            unavailable: 0,
            timed_out: 0,
            lag_s,
            latency_p99_ms: if acked > 0 { spec.p99_ms } else { 0.0 },
            primary: if t_s >= back_at && spec.promotion.is_some() {
                "eastus".to_string()
            } else {
                "westeurope".to_string()
            },
            reads: None,
        });
    }
    let latency_cdf = if spec.all_failed {
        vec![]
    } else {
        (1..=100)
            .map(|i| {
                let q = i as f64 / 100.0;
                // Log-linear between p50 and p99, so the two figures are what the CDF says.
                let k = (q - 0.5) / 0.49;
                (spec.p50_ms * (spec.p99_ms / spec.p50_ms).powf(k), q)
            })
            .collect()
    };
    let acked = if spec.all_failed { 0 } else { acked_total };
    let promotions = spec
        .promotion
        .iter()
        .map(|&(req, done, kind)| PromotionRecord {
            requested_s: req,
            escalated_s: None,
            completed_s: done,
            kind: kind.to_string(),
            from: "westeurope".to_string(),
            to: "eastus".to_string(),
            writes_lost: spec.writes_lost,
            failback: false,
        })
        .collect();
    let outages = if spec.outage {
        vec![OutageRecord {
            target: "westeurope".to_string(),
            start_s: down_from,
            end_s: down_to,
            kind: "down".to_string(),
        }]
    } else {
        vec![]
    };
    let latency = |v: f64| if spec.all_failed { 0.0 } else { v };
    SimResult {
        summary: Summary {
            variant: spec.variant.clone(),
            run: spec.run,
            seed: 42,
            mode: spec.mode.as_str().to_string(),
            max_lag_s: Some(spec.max_lag_s),
            max_lag_writes: None,
            promotion: spec.promotion.map_or("none", |p| p.2).to_string(),
            writes_offered: offered_total,
            writes_acked: acked,
            writes_failed: offered_total - acked,
            writes_lost: spec.writes_lost,
            writes_duplicated: 0,
            attempts_throttled: 120,
            attempts_readonly: 3000,
            attempts_unavailable: 40,
            attempts_timed_out: 2500,
            availability: if offered_total == 0 {
                0.0
            } else {
                acked as f64 / offered_total as f64
            },
            latency_mean_ms: latency(spec.p50_ms * 1.1),
            latency_p50_ms: latency(spec.p50_ms),
            latency_p99_ms: latency(spec.p99_ms),
            latency_p999_ms: latency(spec.p99_ms * 1.5),
            latency_max_ms: latency(spec.p99_ms * 3.0),
            repl_delay_mean_ms: 45.0,
            repl_delay_p99_ms: 60.0,
            lag_max_s: timeseries.iter().map(|b| b.lag_s).fold(0.0, f64::max),
            throttled_s: spec.throttled_s,
            rpo_s: spec.rpo_s,
            rto_s: if spec.outage { spec.rto_s } else { None },
            promotion_s: spec.promotion.and_then(|p| p.1.map(|c| c - p.0)),
            events: 1_234_567,
            bytes_accepted: 0,
            cost: None,
            // The fixtures' writes succeed on their first attempt or not at all.
            first_try_latency_p50_ms: latency(spec.p50_ms),
            first_try_latency_p99_ms: latency(spec.p99_ms),
            writes_in_flight: 0,
            backlog_max: 0,
            fallbacks: None,
            fallback_s: None,
            failbacks: 0,
            fallback_promotions: None,
            fallback_writes_lost: None,
            recovery_points: None,
            reads: None,
            objectives_met: None,
            objectives_missed: Vec::new(),
        },
        timeseries,
        // The fixtures' writes succeed on their first attempt or not at all.
        first_try_cdf: latency_cdf.clone(),
        latency_cdf,
        promotions,
        outages,
        visibility_curve: Vec::new(),
    }
}

/// The standard comparison: sync against two async limits, one run each.
pub fn three_variants() -> (Model, Vec<SimResult>) {
    let model = model(
        "cross-continent",
        &[
            ("sync", Mode::Sync, 10.0),
            ("async-5m", Mode::Async, 300.0),
            ("async-30s", Mode::Async, 30.0),
        ],
        1,
    );
    let mut sync = Spec::new("sync", Mode::Sync, 10.0);
    sync.p50_ms = 101.0;
    sync.p99_ms = 180.0;
    sync.rto_s = Some(90.0);
    sync.lag_growth = 0.0;
    let mut async5 = Spec::new("async-5m", Mode::Async, 300.0);
    async5.writes_lost = 412;
    async5.rpo_s = 1.9;
    async5.rto_s = Some(95.5);
    let mut async30 = Spec::new("async-30s", Mode::Async, 30.0);
    async30.writes_lost = 37;
    async30.rpo_s = 0.25;
    async30.throttled_s = 30.0;
    async30.p50_ms = 14.0;
    let results = [sync, async5, async30].iter().map(result).collect();
    (model, results)
}

/// `n` async variants named `v01`…, each with its own figures.
pub fn many_variants(n: usize) -> (Model, Vec<SimResult>) {
    let names: Vec<String> = (1..=n).map(|i| format!("variant-{i:02}")).collect();
    let defs: Vec<(&str, Mode, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), Mode::Async, 10.0 * (i + 1) as f64))
        .collect();
    let model = model("many", &defs, 1);
    let results = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut s = Spec::new(name, Mode::Async, 10.0 * (i + 1) as f64);
            s.p50_ms = 10.0 + i as f64;
            s.p99_ms = 30.0 + 3.0 * i as f64;
            s.rpo_s = 0.1 * i as f64;
            s.writes_lost = 10 * i as u64;
            s.lag_growth = 0.5 + 0.1 * i as f64;
            result(&s)
        })
        .collect();
    (model, results)
}
