//! SPEC §6.6: the published claims of `docs/validation.md`, recomputed. Each row runs its
//! scenario in `scenarios/validation/`, derives geosim's figure, checks that the claim
//! holds, and checks that the document quotes that figure — so the table cannot drift
//! from what geosim computes, and a change that breaks a claim fails here.

use std::path::Path;

use geosim::engine::Simulation;
use geosim::results::SimResult;

use crate::common::check_invariants;

/// The model of a shipped validation scenario.
fn load(file: &str) -> geosim::model::Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/validation")
        .join(file);
    geosim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs every variant of a shipped validation scenario (run 1), by variant name.
fn run(file: &str) -> Vec<(String, SimResult)> {
    let model = load(file);
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

/// Last bucket start (s) with a throttled attempt.
fn last_throttled(r: &SimResult) -> Option<f64> {
    r.timeseries
        .iter()
        .rev()
        .find(|b| b.throttled > 0)
        .map(|b| b.t_s)
}

/// The buckets that start in [from_s, to_s).
fn window(r: &SimResult, from_s: f64, to_s: f64) -> impl Iterator<Item = &geosim::results::Bucket> {
    r.timeseries
        .iter()
        .filter(move |b| b.t_s >= from_s && b.t_s < to_s)
}

/// Every bucket of the window acknowledged something, each with p99 latency `want_ms`
/// (the histogram keeps 3 significant digits: within 0.1%).
fn p99_is(r: &SimResult, from_s: f64, to_s: f64, want_ms: f64) -> bool {
    window(r, from_s, to_s)
        .all(|b| b.acked > 0 && (b.latency_p99_ms - want_ms).abs() <= want_ms * 1e-3)
}

fn ms(ns: f64) -> f64 {
    ns / 1e6
}

#[test]
fn postgres_any_k_waits_for_the_k_th_nearest_standby() {
    let model = load("postgres-any-k.toml");
    let p = model.primary;
    // Constant delays: local RTT + the k-th smallest standby RTT + the standby's commit
    // + the primary's commit (every region commits in the same 1 ms here).
    let mut rtts: Vec<f64> = model
        .secondaries
        .iter()
        .map(|&s| ms(model.link(p, s).rtt.mean))
        .collect();
    rtts.sort_by(f64::total_cmp);
    let fixed = ms(model.regions[p].local_rtt.mean) + 2.0 * ms(model.regions[p].commit.mean);
    let closed = |k: usize| fixed + rtts[k - 1];
    let runs = run("postgres-any-k.toml");
    let names = ["any-1", "any-2", "any-3"];
    // Before the outage (2 min): every bucket's p99 is the closed form.
    let before: Vec<f64> = names
        .iter()
        .map(|n| {
            let r = variant(&runs, n);
            window(r, 0.0, 120.0)
                .map(|b| b.latency_p99_ms)
                .fold(0.0, f64::max)
        })
        .collect();
    let latency_holds = names
        .iter()
        .enumerate()
        .all(|(i, n)| p99_is(variant(&runs, n), 0.0, 120.0, closed(i + 1)));
    // UK South and North Europe down from 120 s to 150 s: ANY 2 and ANY 3 acknowledge
    // nothing in between (the bucket at 120 s still holds earlier writes' answers), and
    // neither throttles nor gives up; ANY 1 carries on at East US's distance.
    let (a1, a2, a3) = (
        variant(&runs, "any-1"),
        variant(&runs, "any-2"),
        variant(&runs, "any-3"),
    );
    let stalled = |r: &SimResult| window(r, 121.0, 150.0).all(|b| b.acked == 0);
    let no_give_up = [a1, a2, a3].iter().all(|r| {
        r.summary.writes_failed == 0
            && r.summary.attempts_throttled == 0
            && r.summary.attempts_timed_out == 0
    });
    let a1_p99 = window(a1, 121.0, 150.0)
        .map(|b| b.latency_p99_ms)
        .fold(0.0, f64::max);
    let rows = [
        Row {
            id: "pg-any-k",
            figure: format!(
                "ANY 1 {:.1} ms, ANY 2 {:.1} ms, ANY 3 {:.1} ms (closed form {:.1}, {:.1}, {:.1})",
                before[0],
                before[1],
                before[2],
                closed(1),
                closed(2),
                closed(3)
            ),
            holds: latency_holds,
        },
        Row {
            id: "pg-any-k-blocks",
            figure: format!(
                "ANY 2, ANY 3: 0 acknowledged in 121–150 s, 0 failed or throttled; ANY 1: p99 {a1_p99:.1} ms"
            ),
            holds: stalled(a2)
                && stalled(a3)
                && no_give_up
                && p99_is(a1, 121.0, 150.0, closed(3)),
        },
    ];
    confirm(&rows);
}

#[test]
fn mysql_semi_sync_falls_back_after_the_timeout_and_returns_after_catching_up() {
    let model = load("mysql-semi-sync.toml");
    let v = &model.variants[0];
    let timeout_s = v.semi_sync_timeout as f64 / 1e9;
    let p = model.primary;
    let s = model.secondaries[0];
    let local = ms(model.regions[p].local_rtt.mean);
    let commit = ms(model.regions[p].commit.mean);
    let semi_ms = local + ms(model.link(p, s).rtt.mean) + 2.0 * commit;
    let async_ms = local + commit;
    let runs = run("mysql-semi-sync.toml");
    let r = variant(&runs, "semi-sync");
    let sm = &r.summary;
    // The replica is down from 60 s to 120 s. The writes accepted from about 60 s wait
    // for an acknowledgement; the first bucket after 61 s that acknowledges anything is
    // the fallback, which answers every waiting write at once.
    let fallback_at = window(r, 61.0, 120.0)
        .find(|b| b.acked > 0)
        .map(|b| b.t_s)
        .expect("the source falls back");
    let waited = window(r, 61.0, fallback_at).all(|b| b.acked == 0);
    // The longest wait: half the clients' round trip, the timeout, the commit (started at
    // the fallback), the other half of the round trip.
    let max_wait = local + timeout_s * 1e3 + commit;
    let rows = [
        Row {
            id: "mysql-fallback",
            figure: format!(
                "fallbacks {}; no acknowledgement from 61 s to {fallback_at:.0} s; latency_max {:.1} ms",
                sm.fallbacks.unwrap_or(0),
                sm.latency_max_ms
            ),
            holds: sm.fallbacks == Some(1)
                && waited
                && fallback_at == 60.0 + timeout_s
                && (sm.latency_max_ms - max_wait).abs() <= 0.01,
        },
        Row {
            id: "mysql-resume",
            figure: format!(
                "fallback_s {:.1}; p99 {async_ms:.1} ms while async, {semi_ms:.1} ms from 121 s",
                sm.fallback_s.unwrap_or(0.0)
            ),
            // Back at 120 s, caught up one one-way delay and a commit later: the
            // fallback lasts from about 70 s to 120.01 s.
            holds: sm
                .fallback_s
                .is_some_and(|f| (f - (120.0 - fallback_at)).abs() < 0.1)
                && p99_is(r, fallback_at + 1.0, 120.0, async_ms)
                && p99_is(r, 121.0, 240.0, semi_ms),
        },
    ];
    confirm(&rows);
}

#[test]
fn cosmos_bounded_staleness_throttles_at_k_or_t_whichever_comes_first() {
    let model = load("cosmos-bounded-staleness.toml");
    let rate = model.workload.phases[0].rate;
    let out = &model.outages[0];
    let (start, end) = (
        out.start as f64 / 1e9,
        (out.start + out.duration) as f64 / 1e9,
    );
    let runs = run("cosmos-bounded-staleness.toml");
    let k = variant(&runs, "k-first");
    let t = variant(&runs, "t-first");
    let (k_from, k_to) = (first_throttled(k, 0.0).unwrap_or(-1.0), last_throttled(k));
    let (t_from, t_to) = (first_throttled(t, 0.0).unwrap_or(-1.0), last_throttled(t));
    // K: the (K+1)-th write accepted after East US's first lack (about 300 s): Gamma,
    // mean (K+1)/rate = 250 s, sd √K/rate = 0.8 s; ±4 s is 5 sd.
    let kk = k.summary.max_lag_writes.expect("K") as f64;
    let k_expect = start + (kk + 1.0) / rate;
    // T: 300 s after the first lack, which precedes the outage by under 50 ms.
    let t_expect = start + 300.0;
    let rows = [Row {
        id: "cosmos-kt",
        figure: format!(
            "K = 100,000: throttled from {k_from:.0} s (backlog_max {}); K = 200,000: from {t_from:.0} s (T); both until {:.0} s",
            k.summary.backlog_max,
            k_to.unwrap_or(-1.0)
        ),
        holds: (k_from - k_expect).abs() <= 4.0
            && (t_from == t_expect.floor() || t_from == t_expect.floor() - 1.0)
            && k.summary.backlog_max == kk as u64 + 1
            && k_to == Some(end)
            && t_to == Some(end),
    }];
    confirm(&rows);
}

#[test]
fn aurora_lag_is_under_a_second_and_a_switchover_loses_nothing() {
    let runs = run("aurora-global.toml");
    let r = variant(&runs, "switchover");
    let s = &r.summary;
    let p = &r.promotions[0];
    let rows = [
        Row {
            id: "aurora-lag",
            figure: format!(
                "repl_delay_p99 {:.1} ms, lag_max {:.3} s",
                s.repl_delay_p99_ms, s.lag_max_s
            ),
            holds: s.repl_delay_p99_ms < 1000.0 && s.lag_max_s < 1.0,
        },
        Row {
            id: "aurora-switchover",
            figure: format!("writes_lost {}, rpo_s {:.3}", s.writes_lost, s.rpo_s),
            holds: p.kind == "planned"
                && p.completed_s.is_some()
                && s.writes_lost == 0
                && s.rpo_s == 0.0,
        },
    ];
    confirm(&rows);
}

#[test]
fn aurora_blocks_commits_only_while_no_secondary_is_within_the_rpo() {
    let runs = run("aurora-rpo.toml");
    let r = variant(&runs, "rpo-20s");
    // us-west-2 down 300–900 s, us-east-2 down 480–600 s, RPO 20 s: throttled from
    // us-east-2's first lack (480 s less a one-way delay and a commit) + 20 s, until it
    // is back and caught up at 600 s plus a one-way delay and a commit.
    let from = first_throttled(r, 0.0).unwrap_or(-1.0);
    let to = last_throttled(r);
    let alone = window(r, 300.0, 499.0).all(|b| b.throttled == 0);
    let rows = [Row {
        id: "aurora-rpo",
        figure: format!(
            "none throttled while us-west-2 alone is down; throttled from {from:.0} s to {:.0} s while both are (throttled_s {:.1})",
            to.unwrap_or(-1.0),
            r.summary.throttled_s
        ),
        holds: alone
            && from == 499.0
            && to == Some(600.0)
            && (r.summary.throttled_s - 100.0).abs() < 0.5,
    }];
    confirm(&rows);
}

#[test]
fn aurora_managed_rpo_bounds_the_loss_of_a_failover() {
    let runs = run("aurora-failover.toml");
    let (m, n) = (
        &variant(&runs, "rpo-20s").summary,
        &variant(&runs, "no-managed-rpo").summary,
    );
    // us-east-2 (the target) lacks what was accepted from about 300 s; the primary
    // refused writes from 320 s with the RPO, and failed at 360 s either way. Within
    // one inter-arrival gap (10 ms on average) of 20 s and 60 s.
    let rows = [Row {
        id: "aurora-failover",
        figure: format!(
            "rds.global_db_rpo 20 s: rpo_s {:.1} ({} writes lost); none: rpo_s {:.1} ({} lost)",
            m.rpo_s, m.writes_lost, n.rpo_s, n.writes_lost
        ),
        holds: m.rpo_s <= 20.0 + 0.1
            && m.rpo_s > 19.5
            && (n.rpo_s - 60.0).abs() < 0.2
            && m.writes_lost > 0,
    }];
    confirm(&rows);
}

/// Every preset of `geosim presets` is exercised by a validation scenario that a row of
/// docs/validation.md names and that holds.
#[test]
fn every_preset_has_a_validation_row() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("scenarios/validation")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("readable"),
            )
        })
        .collect();
    files.sort();
    let doc = doc();
    let rows: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("| `") && l.ends_with("| holds |"))
        .collect();
    for name in geosim::scenario::presets::names() {
        let used = files.iter().any(|(file, text)| {
            text.contains(&format!("preset = \"{name}\""))
                && rows.iter().any(|r| r.contains(&format!("`{file}`")))
        });
        assert!(
            used,
            "preset {name}: no scenario in scenarios/validation uses it with a row in docs/validation.md"
        );
    }
}
