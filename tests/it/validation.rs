//! SPEC §6.6: the published claims of `docs/validation.md`, recomputed. Each row runs its
//! scenario in `scenarios/validation/`, derives geosim's figure, checks that the claim
//! holds, and checks that the document quotes that figure — so the table cannot drift
//! from what geosim computes, and a change that breaks a claim fails here.

use std::path::Path;

use geosim::engine::Simulation;
use geosim::results::SimResult;

use crate::common::check_invariants;

/// Runs every variant of a shipped validation scenario (run 1), by variant name.
fn run(file: &str) -> Vec<(String, SimResult)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/validation")
        .join(file);
    let model = geosim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    (0..model.variants.len())
        .map(|v| {
            let r = Simulation::new(&model, v, 1)
                .run(&|_| {})
                .expect("simulation within limits");
            check_invariants(&r);
            (model.variants[v].name.clone(), r)
        })
        .collect()
}

fn variant<'a>(runs: &'a [(String, SimResult)], name: &str) -> &'a SimResult {
    &runs.iter().find(|(n, _)| n == name).expect("variant").1
}

/// One row: its id, geosim's figure as the document prints it, and whether it holds.
struct Row {
    id: &'static str,
    figure: String,
    holds: bool,
}

fn doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md"))
        .expect("docs/validation.md")
}

/// The row must hold, and the document must print its figure and "holds" in its line.
fn confirm(rows: &[Row]) {
    let doc = doc();
    for r in rows {
        assert!(
            r.holds,
            "{}: the claim no longer holds (geosim: {})",
            r.id, r.figure
        );
        let line = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", r.id)))
            .unwrap_or_else(|| panic!("docs/validation.md has no row `{}`", r.id));
        assert!(
            line.contains(&format!("| {} | holds |", r.figure)),
            "docs/validation.md row `{}` should show `{} | holds`:\n{line}",
            r.id,
            r.figure
        );
    }
}

/// First bucket start (s) at or after `from_s` with a throttled attempt.
fn first_throttled(r: &SimResult, from_s: f64) -> Option<f64> {
    r.timeseries
        .iter()
        .find(|b| b.t_s >= from_s && b.throttled > 0)
        .map(|b| b.t_s)
}

#[test]
fn service_bus_claims_hold() {
    let runs = run("service-bus.toml");
    let (sync, asy) = (variant(&runs, "sync"), variant(&runs, "async-5m"));
    // North Europe is down from 300 s; max_lag 5m (async), 10s (sync).
    let t_async = first_throttled(asy, 0.0).expect("async throttles");
    let t_sync = first_throttled(sync, 0.0).expect("sync throttles");
    let rows = [
        Row {
            id: "sb-async-throttle",
            figure: format!("throttled from {t_async:.0} s"),
            holds: t_async == 600.0,
        },
        Row {
            id: "sb-sync-throttle",
            figure: format!("throttled from {t_sync:.0} s"),
            holds: t_sync == 310.0,
        },
        Row {
            id: "sb-sync-rpo",
            figure: format!(
                "writes_lost {}, rpo_s {:.3}",
                sync.summary.writes_lost, sync.summary.rpo_s
            ),
            holds: sync.summary.writes_lost == 0 && sync.summary.rpo_s == 0.0,
        },
        Row {
            id: "sb-async-rpo",
            figure: format!(
                "writes_lost {}, rpo_s {:.1}",
                asy.summary.writes_lost, asy.summary.rpo_s
            ),
            // Within the configured lag, up to one inter-arrival gap (1/50 s on average).
            holds: asy.summary.writes_lost > 0 && asy.summary.rpo_s <= 301.0,
        },
    ];
    confirm(&rows);
}

#[test]
fn service_bus_is_read_only_while_promoting() {
    let runs = run("service-bus-planned.toml");
    let r = variant(&runs, "async-5m");
    let p = &r.promotions[0];
    let done = p.completed_s.expect("the planned promotion completes");
    // Every read-only rejection falls in [request, completion] (1 s buckets).
    let inside = r
        .timeseries
        .iter()
        .filter(|b| b.readonly > 0)
        .all(|b| b.t_s >= p.requested_s.floor() && b.t_s <= done.ceil());
    // With no retries, one rejection per write issued in the window: rate × duration,
    // within 5 standard deviations of the Poisson count.
    let expected = 50.0 * (done - p.requested_s);
    let n = r.summary.attempts_readonly as f64;
    let rows = [Row {
        id: "sb-readonly",
        figure: format!(
            "{} read-only rejections in {:.1} s",
            r.summary.attempts_readonly,
            done - p.requested_s
        ),
        holds: inside && (n - expected).abs() <= 5.0 * expected.sqrt(),
    }];
    confirm(&rows);
}

#[test]
fn sql_failover_group_claims_hold() {
    let runs = run("sql-failover-group.toml");
    let s = &variant(&runs, "fog").summary;
    let rto = s.rto_s.expect("the primary had an outage");
    let rows = [
        Row {
            id: "sql-rto",
            figure: format!("rto_s {rto:.1}"),
            // Grace period 3600 s + switch 30 s, then the first acknowledgement during
            // the DNS window.
            holds: (3630.0..3640.0).contains(&rto),
        },
        Row {
            id: "sql-rpo",
            figure: format!("rpo_s {:.3}", s.rpo_s),
            holds: s.rpo_s <= 5.0,
        },
    ];
    confirm(&rows);
}

#[test]
fn cosmos_strong_latency_is_within_the_published_bound() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/cosmos-strong.toml");
    let model = geosim::scenario::load(&path).unwrap();
    // The farthest pair of the account's regions, by mean RTT.
    let regions = [model.primary, model.secondaries[0], model.secondaries[1]];
    let mut farthest: f64 = 0.0;
    for (i, &a) in regions.iter().enumerate() {
        for &b in &regions[i + 1..] {
            farthest = farthest.max(model.link(a, b).rtt.mean / 1e6);
        }
    }
    let runs = run("cosmos-strong.toml");
    let p99 = variant(&runs, "strong").summary.latency_p99_ms;
    let bound = 2.0 * farthest + 10.0;
    let rows = [Row {
        id: "cosmos-strong",
        figure: format!("p99 {p99:.1} ms (bound {bound:.1} ms)"),
        holds: p99 <= bound,
    }];
    confirm(&rows);
}

#[test]
fn sync_latency_is_the_closed_form() {
    let runs = run("sync-latency-oracle.toml");
    let s = &variant(&runs, "sync").summary;
    let rows = [Row {
        id: "oracle-sync",
        figure: format!(
            "p50 {:.1} ms, p99 {:.1} ms",
            s.latency_p50_ms, s.latency_p99_ms
        ),
        // The histogram keeps 3 significant digits (85.0 ms ± 0.1%).
        holds: (s.latency_p50_ms - 85.0).abs() <= 0.085 && (s.latency_p99_ms - 85.0).abs() <= 0.085,
    }];
    confirm(&rows);
}

#[test]
fn grs_unplanned_failover_loses_what_followed_the_last_sync() {
    let runs = run("storage-grs.toml");
    let s = &variant(&runs, "grs").summary;
    // Last sync ≈ 300 s (the secondary became unreachable); the primary failed at 840 s.
    let rows = [Row {
        id: "grs-unplanned",
        figure: format!("writes_lost {}, rpo_s {:.1}", s.writes_lost, s.rpo_s),
        holds: (539.0..=541.0).contains(&s.rpo_s) && s.writes_lost > 0,
    }];
    confirm(&rows);
}

#[test]
fn site_recovery_rpo_is_at_most_one_interval_plus_a_transfer() {
    let runs = run("azure-site-recovery.toml");
    let s = &variant(&runs, "asr").summary;
    // 100 writes/s × 300 s × 4 KiB over 40 Mbit/s (5 MB/s), then 8.5 ms and a commit.
    let transfer = 100.0 * 300.0 * 4096.0 / 5e6 + 0.0085 + 0.002;
    let bound = 300.0 + transfer;
    let rows = [Row {
        id: "asr-rpo",
        figure: format!("rpo_s {:.1} (bound {bound:.1})", s.rpo_s),
        // The failover falls 10 s after a cut whose point is still in transfer: the
        // target restores the point before it, one interval and those 10 s old.
        holds: s.rpo_s <= bound && s.rpo_s > 300.0 && s.recovery_points == Some(2),
    }];
    confirm(&rows);
}

#[test]
fn visibility_curves_follow_their_closed_forms() {
    let runs = run("visibility.toml");
    // Acknowledged at t_a + 2.5 ms; applied in East US 42.5 + 2 ms after the primary's
    // commit (async) or after the next cut (snapshot, uniform over the minute).
    let d0 = 44.0;
    let a = variant(&runs, "async");
    let ar = a.summary.reads.expect("reads");
    let step = ar.visibility_p50_ms == d0
        && ar.visibility_p99_ms == d0
        && a.visibility_curve
            .iter()
            .all(|&(ms, share)| ms >= d0 || share == 0.0);
    let s = variant(&runs, "snapshot-1m");
    let uniform = |ms: f64| ((ms - d0) / 60_000.0).clamp(0.0, 1.0);
    // Largest distance between the curve and the uniform CDF (Kolmogorov–Smirnov):
    // ~87,000 writes give a sampling distance near 0.005; the curve's points are
    // histogram buckets (0.1 %).
    let ks = s
        .visibility_curve
        .iter()
        .map(|&(ms, share)| (share - uniform(ms)).abs())
        .fold(0.0, f64::max);
    let rows = [Row {
        id: "pbs-visibility",
        figure: format!(
            "async p50 = p99 = {:.1} ms; snapshot-1m within {:.3} of uniform",
            ar.visibility_p50_ms, ks
        ),
        holds: step && ks < 0.02 && s.visibility_curve.len() > 50,
    }];
    confirm(&rows);
}
