//! Promotion, actions and policies (SPEC §3): what is lost, when, and for how long.

use crate::common::*;
use geosim::engine::availability::Availability;
use geosim::model::*;

fn promote_at(at: Nanos, kind: PromoteKind, escalate_after: Option<Nanos>) -> Action {
    Action {
        at,
        kind: ActionKind::Promote {
            kind,
            target: None,
            escalate_after,
        },
    }
}

/// A jittery cross-region model, so losses and timings differ between seeds.
fn jittery(rate: f64, duration: Nanos) -> Model {
    let mut m = two_regions(80.0, rate, duration);
    let rtt = Sampled {
        dist: Dist::Normal(rand_distr::Normal::new(80.0 * MS as f64, 5.0 * MS as f64).unwrap()),
        mean: 80.0 * MS as f64,
    };
    for (a, b) in [(0, 1), (1, 0)] {
        m.links[a][b].as_mut().unwrap().rtt = rtt.clone();
    }
    m.regions[1].commit = Sampled {
        dist: Dist::Exponential(rand_distr::Exp::new(1.0 / (2.0 * MS as f64)).unwrap()),
        mean: 2.0 * MS as f64,
    };
    m
}

#[test]
fn planned_promotion_loses_no_acknowledged_write_on_any_seed() {
    let mut model = jittery(300.0, 120 * S);
    model.variants = vec![
        variant("async", Mode::Async, 300 * S),
        variant("sync", Mode::Sync, 10 * S),
    ];
    model.actions = vec![promote_at(40 * S, PromoteKind::Planned, None)];
    for seed in 1..=50 {
        model.seed = seed;
        for v in 0..2 {
            let r = simulate(&model, v, 1);
            assert_eq!(r.summary.promotion, "planned");
            assert_eq!(r.summary.writes_lost, 0, "seed {seed} variant {v}");
            assert_eq!(r.summary.rpo_s, 0.0);
            assert!(r.summary.promotion_s.is_some());
            assert_eq!(r.timeseries.last().unwrap().primary, "s");
        }
    }
}

#[test]
fn sync_loses_no_acknowledged_write_planned_or_forced() {
    let mut model = jittery(300.0, 300 * S);
    model.outages = vec![down(Target::Region(0), 100 * S, 150 * S)];
    model.policy.auto_promote = Some(AutoPromote {
        after: 30 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    let mut planned = variant("sync-planned", Mode::Sync, 10 * S);
    planned.promote = Some(PromoteKind::Planned);
    let mut forced = variant("sync-forced", Mode::Sync, 10 * S);
    forced.promote = Some(PromoteKind::Forced);
    model.variants = vec![planned, forced];
    for seed in 1..=50 {
        model.seed = seed;
        let p = simulate(&model, 0, 1);
        let f = simulate(&model, 1, 1);
        assert_eq!(f.summary.promotion, "forced");
        assert_eq!(p.summary.promotion, "planned");
        assert_eq!(f.summary.writes_lost, 0, "seed {seed}");
        assert_eq!(p.summary.writes_lost, 0, "seed {seed}");
    }
}

/// Forced promotion under async with Poisson writes at λ and a steady lag L: the
/// number lost is Poisson(λL) (oracles.md §3): mean λL, P(0) = e^(−λL).
#[test]
fn forced_promotion_loss_is_poisson_lambda_times_lag() {
    let rate = 10.0;
    let mut model = two_regions(400.0, rate, 40 * S);
    model.actions = vec![promote_at(20 * S, PromoteKind::Forced, None)];
    // A write is unreplicated from its accept until applied: primary commit 1 ms +
    // one way 200 ms + secondary commit 1 ms; all of those were (or will be) acked.
    let lag_s = 0.202;
    let expected_mean = rate * lag_s;
    let expected_p0 = (-expected_mean).exp();
    let n = 400;
    let losses: Vec<u64> = (1..=n)
        .map(|run| simulate(&model, 0, run).summary.writes_lost)
        .collect();
    let mean = losses.iter().sum::<u64>() as f64 / n as f64;
    let p0 = losses.iter().filter(|&&l| l == 0).count() as f64 / n as f64;
    let mean_tol = 4.0 * (expected_mean / n as f64).sqrt();
    let p0_tol = 4.0 * (expected_p0 * (1.0 - expected_p0) / n as f64).sqrt();
    assert!(
        (mean - expected_mean).abs() < mean_tol,
        "mean lost {mean} vs λL {expected_mean} ± {mean_tol}"
    );
    assert!(
        (p0 - expected_p0).abs() < p0_tol,
        "P(no loss) {p0} vs {expected_p0} ± {p0_tol}"
    );
}

#[test]
fn forced_promotion_rpo_is_the_window_of_lost_writes() {
    let mut model = two_regions(400.0, 100.0, 60 * S);
    model.actions = vec![promote_at(20 * S, PromoteKind::Forced, None)];
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    assert!(s.writes_lost > 5);
    // Lost writes span at most the replication delay (202 ms).
    assert!(s.rpo_s > 0.1 && s.rpo_s <= 0.202, "rpo {}", s.rpo_s);
    assert_eq!(s.promotion, "forced");
    assert!((s.promotion_s.unwrap() - 30.0).abs() < 1e-9);
}

#[test]
fn planned_promotion_takes_drain_plus_switch_and_is_read_only_from_the_request() {
    let mut model = two_regions(80.0, 100.0, 200 * S);
    model.actions = vec![promote_at(60 * S, PromoteKind::Planned, None)];
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    // Drain: the last write accepted before 60 s is applied ≤ 42 ms later.
    let p = s.promotion_s.unwrap();
    assert!((30.0..=30.043).contains(&p), "promotion_s {p}");
    let first_readonly = r.timeseries.iter().find(|b| b.readonly > 0).unwrap();
    assert_eq!(first_readonly.t_s, 60.0);
    assert_eq!(r.timeseries[59].readonly, 0);
    assert_eq!(r.timeseries[59].primary, "p");
    assert_eq!(r.timeseries[95].primary, "s");
    assert_eq!(s.writes_lost, 0);
}

#[test]
fn planned_promotion_stalls_while_the_primary_is_down_and_escalates() {
    let mut model = two_regions(80.0, 100.0, 400 * S);
    model.outages = vec![down(Target::Region(0), 100 * S, 200 * S)];
    model.actions = vec![promote_at(110 * S, PromoteKind::Planned, Some(60 * S))];
    let r = simulate(&model, 0, 1);
    let rec = &r.promotions[0];
    assert_eq!(rec.kind, "planned>forced");
    assert_eq!(rec.escalated_s, Some(170.0));
    assert_eq!(rec.completed_s, Some(200.0));
    assert_eq!(r.summary.promotion, "planned>forced");
    assert!((r.summary.promotion_s.unwrap() - 90.0).abs() < 1e-9);

    // Without escalation the planned promotion waits for the old primary to return.
    model.actions = vec![promote_at(110 * S, PromoteKind::Planned, None)];
    let r = simulate(&model, 0, 1);
    let rec = &r.promotions[0];
    assert_eq!(rec.kind, "planned");
    let done = rec.completed_s.unwrap();
    assert!((330.0..330.1).contains(&done), "completed {done}");
    assert_eq!(r.summary.writes_lost, 0);
}

#[test]
fn auto_promote_fires_after_the_primary_has_been_down_and_sets_rto() {
    let mut model = two_regions(80.0, 100.0, 400 * S);
    model.outages = vec![down(Target::Region(0), 100 * S, 250 * S)];
    model.policy.auto_promote = Some(AutoPromote {
        after: 60 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    let r = simulate(&model, 0, 1);
    let rec = &r.promotions[0];
    assert_eq!(rec.requested_s, 160.0);
    assert_eq!(rec.completed_s, Some(190.0));
    // RTO = after + switch + a share of the 120 s DNS window.
    let rto = r.summary.rto_s.unwrap();
    assert!(rto > 90.0 && rto < 100.0, "rto {rto}");
    // The DNS window: attempts reach the old primary (down: time out) less and less.
    assert_eq!(r.timeseries[300].primary, "s");

    // A link outage alone does not trigger it.
    model.outages = vec![down(Target::link(0, 1), 100 * S, 250 * S)];
    let r = simulate(&model, 0, 1);
    assert!(r.promotions.is_empty());
    assert_eq!(r.summary.rto_s, None);
    assert_eq!(r.summary.promotion_s, None);
    assert_eq!(r.summary.promotion, "none");
}

#[test]
fn async_to_sync_waits_until_the_secondaries_caught_up() {
    let mut model = two_regions(80.0, 100.0, 200 * S);
    model.outages = vec![down(Target::Region(1), 50 * S, 50 * S)];
    model.actions = vec![Action {
        at: 60 * S,
        kind: ActionKind::SetMode(Mode::Sync),
    }];
    let r = simulate(&model, 0, 1);
    // Still async (2 ms) while the secondary is down after the request…
    for b in &r.timeseries[61..99] {
        assert_eq!(b.latency_p99_ms, 2.0, "bucket {}", b.t_s);
    }
    // …sync (83 ms) once it has caught up.
    for b in &r.timeseries[102..199] {
        assert!((b.latency_p99_ms - 83.0).abs() < 1.0, "bucket {}", b.t_s);
    }
}

#[test]
fn remove_secondary_after_ends_throttling_and_the_secondary_resyncs() {
    let mut model = two_regions(80.0, 100.0, 500 * S);
    model.variants = vec![variant("async-60s", Mode::Async, 60 * S)];
    model.outages = vec![down(Target::Region(1), 100 * S, 300 * S)];
    model.policy.remove_secondary_after = Some(120 * S);
    let r = simulate(&model, 0, 1);
    let throttled: Vec<f64> = r
        .timeseries
        .iter()
        .filter(|b| b.throttled > 0)
        .map(|b| b.t_s)
        .collect();
    assert_eq!(throttled.first(), Some(&159.0));
    assert_eq!(throttled.last(), Some(&219.0));
    // Removed: no ready secondary, no lag; added back at 400 s, not ready until
    // it has caught up, then its lag counts again.
    assert!(r.timeseries[221..400].iter().all(|b| b.lag_s == 0.0));
    assert!(r.timeseries[402..499]
        .iter()
        .all(|b| b.lag_s > 0.0 && b.lag_s < 0.05));
    assert!((r.summary.throttled_s - 60.0).abs() < 0.1);
}

/// Clients in their own region "c"; primary "p"; secondary "s".
fn remote_clients() -> Model {
    let mut m = regions_model(&["p", "s", "c"], 10.0, 200.0, 300 * S);
    m.secondaries = vec![1];
    m.workload.client_region = 2;
    m
}

#[test]
fn duplicates_come_only_from_acknowledgements_lost_after_a_commit() {
    let mut model = remote_clients();
    let clean = simulate(&model, 0, 1);
    assert_eq!(clean.summary.writes_duplicated, 0);

    // The secondary's outage delays nothing the client sees under async.
    model.outages = vec![down(Target::Region(1), 100 * S, 30 * S)];
    assert_eq!(simulate(&model, 0, 1).summary.writes_duplicated, 0);

    // The clients' link to the primary fails for 0.5 s: acks of writes committed
    // just before are lost, the clients retry, and each retry commits again.
    model.outages = vec![down(Target::link(0, 2), 100 * S, S / 2)];
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    assert!(s.writes_duplicated > 0);
    // Each duplicate is a timed-out attempt whose write had committed: no more
    // duplicates than timeouts, and the requests lost on the way never commit.
    assert!(s.writes_duplicated <= s.attempts_timed_out);
    // Writes accepted in the ~6 ms before the outage (one-way 5 ms + commit 1 ms)
    // had their acks lost: about 200/s × 6 ms ≈ 1.2, far fewer than the ~100 lost requests.
    assert!(s.writes_duplicated < 10, "{}", s.writes_duplicated);
    assert!(s.attempts_timed_out > 50);
}

#[test]
fn failures_are_drawn_per_run_identically_for_every_variant() {
    let mut model = two_regions(80.0, 1.0, 1000 * 3600 * S);
    model.failures = vec![Failure {
        target: Target::Region(1),
        mtbf: 3600 * S,
        mttr: ms(1000.0),
    }];
    let a = Availability::for_run(&model, 1);
    let b = Availability::for_run(&model, 1);
    let c = Availability::for_run(&model, 2);
    assert_eq!(a.windows(), b.windows());
    assert_ne!(a.windows(), c.windows());
    // Over 1000 h with an mtbf of 1 h: about 1000 failures (Poisson, ± 4 σ).
    let n = a.windows().len() as f64;
    assert!((n - 1000.0).abs() < 4.0 * 1000f64.sqrt(), "{n} failures");

    let mut short = two_regions(80.0, 50.0, 600 * S);
    short.failures = vec![Failure {
        target: Target::Region(1),
        mtbf: 120 * S,
        mttr: ms(20_000.0),
    }];
    short.variants = vec![
        variant("async", Mode::Async, 300 * S),
        variant("sync", Mode::Sync, 10 * S),
    ];
    let v0 = simulate(&short, 0, 1);
    let v1 = simulate(&short, 1, 1);
    assert!(!v0.outages.is_empty());
    assert_eq!(v0.outages, v1.outages);
}

/// SPEC §3.1 "Ready after a resync": a resyncing secondary is ready once it has caught up
/// since t0 *and* the oldest write it still lacks is less than 1 s old (or `max_lag`, if
/// smaller); under sync it first *joins* (it takes part in new sync writes) and becomes a
/// lossless promotion target once it has applied what was acknowledged without it (by a
/// nearer secondary); until then it is not a target that loses nothing. Here an explicit forced
/// promotion lands in that window: it loses those writes, and the checker must not hold
/// it to the promise that sync loses nothing on a promotion to a ready target.
#[test]
fn a_secondary_joining_after_resync_is_not_yet_a_lossless_target() {
    // p (primary, clients), s1 10 ms away, s2 200 ms away.
    let mut model = regions_model(&["p", "s1", "s2"], 10.0, 1000.0, 80 * S);
    for (a, b) in [(0, 2), (2, 0), (1, 2), (2, 1)] {
        model.links[a][b].as_mut().unwrap().rtt = ms(200.0);
    }
    model.variants = vec![variant("sync", Mode::Sync, 10 * S)];
    // s2 is down 20–60 s and removed after 5 s unreachable; back at 60 s it resyncs:
    // its backlog is applied at 60.101 s, when it joins. The sync writes accepted
    // just before were acknowledged through s1 alone and reach s2 only by ~60.2 s.
    model.outages = vec![down(Target::Region(2), 20 * S, 40 * S)];
    model.policy.remove_secondary_after = Some(5 * S);
    model.actions = vec![Action {
        at: 60 * S + 150 * MS,
        kind: ActionKind::Promote {
            kind: PromoteKind::Forced,
            target: Some(2),
            escalate_after: None,
        },
    }];
    let results = run_checked(&model, vec![0], 1);
    let r = &results[0];
    assert_eq!(r.promotions.len(), 1);
    assert_eq!(r.promotions[0].to, "s2");
    assert!(
        r.summary.writes_lost > 0,
        "the promotion did not land while s2 was joining"
    );
}

/// A forced cut under async with a slow primary commit C: a write is unreplicated on the
/// target from its accept until its apply there, C + one way D + secondary commit c later
/// (it ships only once committed). At the cut, those accepted in the last C + D + c are
/// lost: the ones accepted more than C ago were already acknowledged, the ones accepted
/// in the last C are still committing; the old primary (up) finishes those commits and
/// answers them later, and each is counted lost then. Mean λ(C + D + c), Poisson; without
/// the late count it would be λ(D + c), and the RPO would be D + c instead of C + D + c.
#[test]
fn writes_whose_commit_completes_after_a_forced_cut_are_lost() {
    let rate = 100.0;
    let mut model = two_regions(20.0, rate, 40 * S);
    model.regions[0].commit = ms(1000.0);
    model.actions = vec![promote_at(20 * S, PromoteKind::Forced, None)];
    let window_s = 1.0 + 0.010 + 0.001;
    let expected = rate * window_s;
    let runs = 20;
    let mut total = 0;
    for run in 1..=runs {
        let r = simulate(&model, 0, run);
        total += r.summary.writes_lost;
        // The newest lost write was accepted just before the cut, the newest survivor
        // about C + D + c before it (give or take an interarrival gap, 10 ms on average).
        assert!(
            r.summary.rpo_s > 0.9 && r.summary.rpo_s < window_s + 0.1,
            "run {run}: rpo {}",
            r.summary.rpo_s
        );
        assert_eq!(r.promotions[0].writes_lost, r.summary.writes_lost);
    }
    let mean = total as f64 / f64::from(runs);
    let tol = 4.0 * (expected / f64::from(runs)).sqrt();
    assert!(
        (mean - expected).abs() < tol,
        "mean lost {mean} vs λ(C + D + c) = {expected} ± {tol}"
    );
}

/// DNS repoint (SPEC §3): for `dns` after a promotion completes, an attempt goes to the
/// new primary with probability (time since completion) / `dns`, else to the old one,
/// which (up, no longer primary) answers "unavailable". With one attempt per write, the
/// share of writes answered "unavailable" in each second of the window falls linearly
/// from 1 to 0: 1 − (t − completion) / dns, binomial in each slice of the window.
#[test]
fn dns_repoint_moves_attempts_to_the_new_primary_linearly() {
    let rate = 1000.0;
    let mut model = two_regions(2.0, rate, 300 * S);
    model.workload.retries = 0;
    model.actions = vec![promote_at(50 * S, PromoteKind::Planned, None)];
    model.promotion.switch = 10 * S;
    model.promotion.dns = 100 * S;
    let r = simulate(&model, 0, 1);
    let done = r.promotions[0].completed_s.unwrap();
    assert!((60.0..60.01).contains(&done), "completed {done}");
    // Ten slices of 10 s; skip the second in which the window opens.
    for slice in 0..10 {
        let buckets = &r.timeseries[61 + slice * 10..71 + slice * 10];
        let offered: u64 = buckets.iter().map(|b| b.offered).sum();
        let unavailable: u64 = buckets.iter().map(|b| b.unavailable).sum();
        let mid = 61.0 + slice as f64 * 10.0 + 5.0;
        let p = 1.0 - (mid - done) / 100.0;
        let share = unavailable as f64 / offered as f64;
        let tol = 4.0 * (p * (1.0 - p) / offered as f64).sqrt() + 0.002;
        assert!(
            (share - p).abs() < tol,
            "slice {slice}: {share} of attempts reached the old primary, expected {p} ± {tol}"
        );
    }
    // After the window every attempt reaches the new primary.
    assert!(r.timeseries[170..299].iter().all(|b| b.unavailable == 0));
}

/// Fail over, repair, fail back with constant delays: the primary is down
/// [600 s, 1800 s); auto-promotion (forced, after 300 s) at 900 s completes at 930 s.
/// The old primary is reachable again at 1800 s and ready once the backlog, shipped at
/// once over an unlimited link, has applied there: 1800 s + 40 ms (one way) + 1 ms
/// (commit). The failback is requested `after` = 1 h later, drains the writes in
/// flight (one way + commit, under 50 ms) and switches (30 s).
#[test]
fn failback_promotes_the_old_primary_back_once_it_has_been_ready_after() {
    let mut model = two_regions(80.0, 20.0, 7200 * S);
    model.outages = vec![down(Target::Region(0), 600 * S, 1200 * S)];
    model.policy.auto_promote = Some(AutoPromote {
        after: 300 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    let without = simulate(&model, 0, 1);
    model.policy.failback = Some(Failback {
        after: 3600 * S,
        kind: PromoteKind::Planned,
        to: 0,
    });
    let with = simulate(&model, 0, 1);

    assert_eq!(without.promotions.len(), 1);
    assert_eq!(without.summary.failbacks, 0);
    assert_eq!(without.timeseries.last().unwrap().primary, "s");

    assert_eq!(with.promotions.len(), 2, "{:?}", with.promotions);
    let (away, back) = (&with.promotions[0], &with.promotions[1]);
    assert_eq!(away, &without.promotions[0]);
    assert_eq!((away.requested_s, away.completed_s), (900.0, Some(930.0)));
    assert!(!away.failback);
    assert!(back.failback);
    assert_eq!((back.from.as_str(), back.to.as_str()), ("s", "p"));
    assert_eq!(back.kind, "planned");
    let ready = 1800.0 + 0.040 + 0.001;
    assert!(
        (back.requested_s - (ready + 3600.0)).abs() < 1e-6,
        "requested {}",
        back.requested_s
    );
    let took = back.completed_s.unwrap() - back.requested_s;
    assert!((30.0..30.05).contains(&took), "drain + switch {took}");
    assert_eq!(back.writes_lost, 0, "a planned failback loses nothing");
    assert_eq!(with.summary.failbacks, 1);
    assert_eq!(with.timeseries.last().unwrap().primary, "p");
    // Until the failback the two runs are the same run.
    assert_eq!(with.summary.rto_s, without.summary.rto_s);
    let before = (back.requested_s as usize).saturating_sub(1);
    assert_eq!(with.timeseries[..before], without.timeseries[..before]);
    // Its read-only window: every read-only rejection of the failback falls in
    // [requested, completed] (the attempts reach the region that is read-only).
    for b in &with.timeseries[before..] {
        if b.readonly > 0 {
            assert!(
                b.t_s + 1.0 >= back.requested_s && b.t_s <= back.completed_s.unwrap(),
                "read-only at {} s",
                b.t_s
            );
        }
    }
    let readonly = |r: &geosim::results::SimResult| r.summary.attempts_readonly;
    assert!(readonly(&with) > readonly(&without));
    // 20 writes/s read-only for about 30 s, each rejected on every attempt in it.
    let extra = readonly(&with) - readonly(&without);
    assert!(
        (400..=3000).contains(&extra),
        "extra read-only rejections {extra}"
    );
}

/// A timer is void when the old primary goes out of reach before `after` has passed:
/// the failback waits for a full `after` from its return (it stayed ready as the
/// engine counts it, so its timer restarts the moment it is reachable again).
#[test]
fn failback_waits_for_after_of_unbroken_readiness() {
    let mut model = two_regions(80.0, 20.0, 9000 * S);
    model.outages = vec![
        down(Target::Region(0), 600 * S, 1200 * S),
        // Out again 30 min after its return, for 10 min.
        down(Target::Region(0), 3600 * S, 600 * S),
    ];
    model.policy.auto_promote = Some(AutoPromote {
        after: 300 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    model.policy.failback = Some(Failback {
        after: 3600 * S,
        kind: PromoteKind::Planned,
        to: 0,
    });
    let r = simulate(&model, 0, 1);
    assert_eq!(r.promotions.len(), 2, "{:?}", r.promotions);
    let back = &r.promotions[1];
    assert!(back.failback);
    let ready = 4200.0;
    assert!(
        (back.requested_s - (ready + 3600.0)).abs() < 1e-6,
        "requested {}",
        back.requested_s
    );
}
