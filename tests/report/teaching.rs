//! The teaching lessons (scenarios/teaching, docs/teaching.md) still teach what they
//! say: each opens with its "Covers: / Scenario:" comment, runs, and shows its idea in
//! the figures the walkthrough quotes. Bounds are loose on purpose: a model change that
//! shifts a figure a little should only mean updating a quoted number, while one that
//! breaks a lesson's point fails here.

use std::path::Path;

use geosim::results::{SimResult, Summary};
use geosim::runner::{self, RunOptions};

const LESSONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching");

/// The results of every variant of lesson `file`, in variant order.
fn run_results(file: &str) -> Vec<SimResult> {
    let model = geosim::scenario::load(&Path::new(LESSONS).join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let options = RunOptions {
        variants: (0..model.variants.len()).collect(),
        jobs: 0,
        progress: false,
        check: false,
        stop: None,
    };
    runner::run(&model, &options)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .results
}

fn run(file: &str) -> Vec<Summary> {
    run_results(file).into_iter().map(|r| r.summary).collect()
}

fn variant<'a>(summaries: &'a [Summary], name: &str) -> &'a Summary {
    summaries
        .iter()
        .find(|s| s.variant == name)
        .unwrap_or_else(|| panic!("no variant {name}"))
}

fn near(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

#[test]
fn every_lesson_opens_with_covers_scenario_and_a_sketch() {
    let mut files: Vec<_> = std::fs::read_dir(LESSONS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "lessons: {files:?}");
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/teaching.md")).unwrap();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        assert!(
            header.iter().any(|l| l.starts_with("# Covers:"))
                && header.iter().any(|l| l.starts_with("# Scenario:")),
            "{name}: no Covers:/Scenario: comment"
        );
        assert!(
            header.iter().any(|l| l.contains("══")),
            "{name}: no sketch of the regions"
        );
        assert!(
            docs.contains(&*name),
            "docs/teaching.md does not cover {name}"
        );
    }
}

#[test]
fn lesson_1_sync_pays_the_round_trip_to_its_secondary() {
    let far = run("01a-sync-price-across-ocean.toml");
    let near_by = run("01b-sync-price-next-door.toml");
    let price =
        |s: &[Summary]| variant(s, "sync").latency_p50_ms - variant(s, "async").latency_p50_ms;
    // Link RTT plus the secondary's commit: ~84 + 2.4 and ~17 + 2.4 ms.
    assert!(near(price(&far), 86.5, 3.0), "far: {}", price(&far));
    assert!(
        near(price(&near_by), 19.5, 3.0),
        "near: {}",
        price(&near_by)
    );
}

#[test]
fn lesson_2_throttling_starts_at_max_lag_and_the_smaller_backlog_drains_first() {
    let r = run_results("02-async-lag-throttling.toml");
    let (tight, loose) = (&r[0].summary, &r[1].summary);
    assert_eq!(
        (tight.variant.as_str(), loose.variant.as_str()),
        ("async-3m", "async-30m")
    );
    for v in [tight, loose] {
        assert!(
            near(v.lag_max_s, 600.0, 2.0),
            "{}: lag {}",
            v.variant,
            v.lag_max_s
        );
    }
    // Throttled from 3 min into the outage until the 3-minute backlog has drained.
    assert!(
        near(tight.throttled_s, 494.0, 15.0),
        "{}",
        tight.throttled_s
    );
    assert!(tight.attempts_throttled > 0 && tight.availability < 0.7);
    assert_eq!(loose.throttled_s, 0.0);
    assert_eq!(loose.writes_acked, loose.writes_offered);
    // At 13.5 min, 90 s after East US returned, only the throttled variant is caught up.
    let lag_at = |i: usize, t_s: f64| {
        r[i].timeseries
            .iter()
            .find(|b| b.t_s >= t_s)
            .map(|b| b.lag_s)
            .unwrap()
    };
    assert!(lag_at(0, 810.0) < 1.0 && lag_at(1, 810.0) > 100.0);
}

#[test]
fn lesson_3_planned_costs_time_forced_async_costs_data() {
    let s = run("03-planned-vs-forced.toml");
    let planned = variant(&s, "async-planned");
    let forced = variant(&s, "async-forced");
    let sync = variant(&s, "sync-forced");
    assert_eq!((planned.writes_lost, sync.writes_lost), (0, 0));
    // One minute of writes at 100/s never left West Europe.
    assert!(near(forced.rpo_s, 60.0, 1.0), "rpo {}", forced.rpo_s);
    assert!(near(forced.writes_lost as f64, 6000.0, 400.0));
    let rto = |v: &Summary| v.rto_s.expect("the primary had an outage");
    assert!(rto(planned) > 600.0 && rto(forced) < 200.0 && rto(sync) < 200.0);
    assert!(
        sync.throttled_s > 0.0,
        "sync throttles while the link is cut"
    );
}

#[test]
fn lesson_4_the_far_secondary_lags_by_seconds_the_near_one_by_milliseconds() {
    let near_lag = run("04a-lag-next-door.toml")[0].lag_max_s;
    let far_lag = run("04b-lag-across-ocean.toml")[0].lag_max_s;
    assert!(near_lag < 0.2, "near: {near_lag}");
    assert!(near(far_lag, 32.0, 5.0), "far: {far_lag}");
}

#[test]
fn lesson_5_the_dns_window_refuses_half_its_attempts() {
    let v = &run("05-dns-repoint.toml")[0];
    // 200/s over a 4-minute window in which the share reaching the old primary falls
    // linearly from 1 to 0: half of 48,000 attempts. Plus 30 s read-only.
    assert!(near(v.attempts_unavailable as f64, 24_000.0, 1_000.0));
    assert!(near(v.attempts_readonly as f64, 6_000.0, 400.0));
    assert_eq!(v.writes_lost, 0);
    assert!(near(v.promotion_s.unwrap(), 30.0, 0.5));
}

#[test]
fn lesson_6_sync_starts_only_once_the_secondary_is_back_and_caught_up() {
    let r = &run_results("06-async-to-sync-waits.toml")[0];
    assert!(
        near(r.summary.lag_max_s, 300.0, 2.0),
        "lag {}",
        r.summary.lag_max_s
    );
    assert_eq!(r.summary.throttled_s, 0.0);
    // Requested at 240 s, East US back at 420 s: per-second p99 stays at async
    // latency in between and is the transatlantic round trip after.
    let p99 = |from: f64, to: f64| {
        r.timeseries
            .iter()
            .filter(move |b| b.t_s >= from && b.t_s < to && b.acked > 0)
            .map(|b| b.latency_p99_ms)
    };
    assert!(p99(240.0, 419.0).all(|ms| ms < 30.0), "sync before 420 s");
    assert!(p99(425.0, 840.0).all(|ms| ms > 80.0), "async after 425 s");
}

#[test]
fn lesson_7_async_reads_miss_the_last_44_ms_sync_and_the_primary_never() {
    let s = run("07-how-stale-is-a-read.toml");
    let reads = |name: &str| variant(&s, name).reads.expect("[reads] columns");
    let a = reads("async");
    // Visible ½ rtt + commit − ½ local_rtt = 44 ms after the acknowledgement.
    assert_eq!((a.visibility_p50_ms, a.visibility_p99_ms), (44.0, 44.0));
    // Stale: a write acknowledged in the 43.5 ms before the read, writes at 20/s.
    let expected = 1.0 - (-20.0_f64 * 0.0435).exp();
    assert!(near(a.stale_read_share, expected, 0.03), "{a:?}");
    assert!(
        near(a.stale_read_share, 0.574, 0.0005),
        "docs quote 57.4%: {a:?}"
    );
    assert_eq!(a.read_latency_p99_ms, 1.0);
    let sync = reads("sync");
    assert_eq!((sync.stale_read_share, sync.visibility_p99_ms), (0.0, 0.0));
    assert!(variant(&s, "sync").latency_p50_ms > 85.0);
    let primary = reads("async-read-primary");
    assert_eq!(primary.stale_read_share, 0.0);
    assert_eq!(primary.read_latency_p50_ms, 85.0);
}

#[test]
fn lesson_8_recovery_points_lose_what_followed_the_last_complete_point() {
    let s = run("08-rpo-is-a-sawtooth.toml");
    let (a, p1, p5) = (
        variant(&s, "async"),
        variant(&s, "points-1m"),
        variant(&s, "points-5m"),
    );
    assert!(a.lag_max_s < 0.1 && a.rpo_s < 0.1, "{a:?}");
    // The failure at 17.5 min: 30 s after the 17-min point, 2.5 min after the 15-min one.
    assert!(near(p1.rpo_s, 30.0, 0.1), "{p1:?}");
    assert!(near(p5.rpo_s, 150.0, 0.1), "{p5:?}");
    assert!(near(p1.writes_lost as f64, 1500.0, 150.0), "{p1:?}");
    assert!(near(p5.writes_lost as f64, 7500.0, 400.0), "{p5:?}");
    // Teeth: one interval plus a transfer (4.9 s and 24.6 s) plus 8.5 ms and a commit.
    assert!(near(p1.lag_max_s, 65.0, 0.5), "{p1:?}");
    assert!(near(p5.lag_max_s, 324.6, 0.5), "{p5:?}");
    assert_eq!(
        (p1.recovery_points, p5.recovery_points),
        (Some(17), Some(3))
    );
    // The figures docs/teaching.md quotes.
    assert!(near(p5.repl_delay_mean_ms / 1000.0, 165.9, 0.05), "{p5:?}");
    assert!(near(p1.repl_delay_mean_ms / 1000.0, 34.9, 0.05), "{p1:?}");
}

#[test]
fn lesson_9_the_kth_nearest_secondary_sets_the_latency() {
    let s = run("09-kth-nearest-secondary.toml");
    // local RTT 1 + the k-th smallest of 11, 17, 84 ms + two 1 ms commits, every write.
    for (name, expected) in [("any-1", 14.0), ("any-2", 20.0), ("all", 87.0)] {
        let v = variant(&s, name);
        for ms in [v.first_try_latency_p50_ms, v.first_try_latency_p99_ms] {
            assert!(near(ms, expected, 0.01), "{name}: {v:?}");
        }
        assert_eq!((v.writes_lost, v.throttled_s), (0, 0.0), "{name}");
    }
    // The availabilities docs/teaching.md quotes (only the writes in flight at the end).
    let avail = |n: &str| (variant(&s, n).availability * 1e4).round() / 100.0;
    assert_eq!(
        (avail("any-1"), avail("any-2"), avail("all")),
        (99.99, 99.98, 99.94)
    );
}

#[test]
fn lesson_10_semi_sync_loses_what_async_loses_once_past_its_timeout() {
    let s = run("10-semi-sync-stalled-replica.toml");
    let (sync, semi, asy) = (
        variant(&s, "sync"),
        variant(&s, "semi-sync"),
        variant(&s, "async"),
    );
    // The link is cut 2:00–3:00, West Europe fails at 2:40: 40 s of writes at 100/s
    // never reached North Europe.
    for v in [semi, asy] {
        assert!(near(v.rpo_s, 40.0, 0.1), "{v:?}");
        assert_eq!(v.writes_lost, 4_163, "docs quote 4,163: {v:?}");
        assert_eq!(v.throttled_s, 0.0);
        assert!(near(v.availability, 0.972, 0.0005), "{v:?}");
    }
    assert_eq!((sync.writes_lost, sync.rpo_s), (0, 0.0));
    // Sync throttles from 10 s into the cut (its max_lag) until West Europe fails.
    assert!(near(sync.throttled_s, 30.0, 0.1), "{sync:?}");
    assert!(near(sync.availability, 0.876, 0.0005), "{sync:?}");
    assert_eq!(sync.writes_failed, 3_070);
    // One fallback, from 2:10 (10 s after the cut) to the end of the failover at 3:30.
    assert_eq!(semi.fallbacks, Some(1));
    assert!(near(semi.fallback_s.unwrap(), 80.0, 0.1), "{semi:?}");
    // Normal path: semi-sync pays sync's round trip (1 + 17 + 1 + 1 ms), async does not.
    assert!(near(sync.first_try_latency_p50_ms, 20.0, 0.01));
    assert!(near(asy.first_try_latency_p50_ms, 2.0, 0.01));
    assert!(
        near(semi.first_try_latency_p99_ms, 8_002.0, 1.0),
        "{semi:?}"
    );
    assert!(near(semi.first_try_latency_p50_ms, 18.0, 0.01), "{semi:?}");
}
