//! Same scenario + seed ⇒ byte-identical summary.csv and timeseries.csv, whatever
//! the thread count and whatever other variants run beside it.

use crate::common::*;
use geosim::model::*;
use geosim::report::csv::{summary_csv, timeseries_csv};
use geosim::results::SimResult;
use geosim::runner::{run, RunOptions};

fn busy_model() -> Model {
    let mut m = regions_model(&["p", "s", "t"], 80.0, 300.0, 200 * S);
    m.links[0][2].as_mut().unwrap().rtt = Sampled {
        dist: Dist::LogNormal(rand_distr::LogNormal::new((30.0 * MS as f64).ln(), 0.3).unwrap()),
        mean: 31.4 * MS as f64,
    };
    m.links[2][0] = m.links[0][2].clone();
    m.runs = 2;
    m.outages = vec![
        down(Target::Region(1), 20 * S, 60 * S),
        down(Target::Region(0), 120 * S, 40 * S),
    ];
    m.policy.auto_promote = Some(AutoPromote {
        after: 10 * S,
        kind: PromoteKind::Forced,
        escalate_after: None,
    });
    m.variants = vec![
        variant("sync", Mode::Sync, 10 * S),
        variant("async-30s", Mode::Async, 30 * S),
        variant("async-5m", Mode::Async, 300 * S),
    ];
    m
}

fn csvs(model: &Model, variants: Vec<usize>, jobs: usize) -> (Vec<u8>, Vec<u8>) {
    let results = run_checked(model, variants, jobs);
    (
        summary_csv(&results).unwrap(),
        timeseries_csv(&results).unwrap(),
    )
}

#[test]
fn identical_bytes_across_repeats_and_thread_counts() {
    let model = busy_model();
    let a = csvs(&model, vec![0, 1, 2], 1);
    let b = csvs(&model, vec![0, 1, 2], 1);
    let c = csvs(&model, vec![0, 1, 2], 2);
    assert_eq!(a, b);
    assert_eq!(a, c);
    // The run did something worth comparing.
    let summary = String::from_utf8(a.0).unwrap();
    assert_eq!(summary.lines().count(), 1 + 3 * 2);
    assert!(summary.contains(",forced,"));
}

#[test]
fn adding_a_variant_changes_no_other_variant() {
    let model = busy_model();
    let (alone, alone_ts) = csvs(&model, vec![1], 2);
    let (all, all_ts) = csvs(&model, vec![0, 1, 2], 2);
    let rows = |s: &[u8]| -> Vec<String> {
        String::from_utf8(s.to_vec())
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("async-30s,"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows(&alone), rows(&all));
    assert_eq!(rows(&alone_ts), rows(&all_ts));
    assert!(!rows(&alone_ts).is_empty());
}

#[test]
fn runs_differ_and_each_run_is_its_own_seed() {
    let model = busy_model();
    let r1 = simulate(&model, 1, 1);
    let r2 = simulate(&model, 1, 2);
    assert_ne!(r1.summary.writes_offered, r2.summary.writes_offered);
    let mut other = model.clone();
    other.seed = 2;
    assert_ne!(
        simulate(&other, 1, 1).summary.writes_offered,
        r1.summary.writes_offered
    );
}

/// The engine takes a first-try ack without its answer event when no later event could
/// tell the difference (`ack_needs_no_event` in src/engine/sim/client.rs); an observer,
/// such as `--check`'s checker, turns that off. Both ways give the same bytes and the
/// same event count: with the clients beside the primary, and with them in a third
/// region behind a jittered link and a timeout near the sync latency, so that deadlines,
/// retries and answers crossing a promotion fall close to the acks.
#[test]
fn taking_acks_without_their_event_changes_no_figure() {
    let mut far = busy_model();
    far.workload.client_region = 2;
    far.workload.timeout = 150 * MS;
    for model in [busy_model(), far] {
        same_with_and_without_the_checker(&model);
    }
}

/// Runs every variant of `model` plainly and with the checker (an observer turns the
/// engine's event shortcuts off), asserts the same summary.csv, timeseries.csv and
/// event counts, and returns the plain summary.csv.
fn same_with_and_without_the_checker(model: &Model) -> String {
    let variants: Vec<usize> = (0..model.variants.len()).collect();
    let plain = run(
        model,
        &RunOptions {
            variants: variants.clone(),
            jobs: 2,
            progress: false,
            check: false,
            stop: None,
        },
    )
    .unwrap()
    .results;
    let checked = run_checked(model, variants, 2);
    let summary = String::from_utf8(summary_csv(&plain).unwrap()).unwrap();
    assert_eq!(
        summary,
        String::from_utf8(summary_csv(&checked).unwrap()).unwrap()
    );
    assert_eq!(
        timeseries_csv(&plain).unwrap(),
        timeseries_csv(&checked).unwrap()
    );
    let events = |r: &[SimResult]| r.iter().map(|r| r.summary.events).collect::<Vec<_>>();
    assert_eq!(events(&plain), events(&checked));
    summary
}

/// `[[region]]` tables named `names`, each committing lognormally (median 2 ms, p99
/// 8 ms): the regions of the jittered models below.
fn lognormal_regions(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| {
            format!(
                "[[region]]\nname = \"{n}\"\n\
                 commit = {{ dist = \"lognormal\", median = \"2ms\", p99 = \"8ms\" }}\n"
            )
        })
        .collect()
}

/// The engine drops a cumulative ack that a later ack of its node overtook, when
/// nothing but acks could change which writes may commit before it is due
/// (`schedule_ack` in src/engine/sim/schedule.rs); an observer, such as `--check`'s
/// checker, turns that off. Both ways give the same bytes and the same event count,
/// under jitter (most acks are overtaken) with what would make a dropped ack matter
/// if the argument were wrong: quorum and all-secondaries rules, semi-sync fallbacks,
/// a secondary's outage, resync and removal, a slow link, a mode switch, a forced
/// promotion.
#[test]
fn dropping_overtaken_acks_changes_no_figure() {
    let text = lognormal_regions(&["westeurope", "northeurope", "eastus", "eastus2"])
        + r#"
[simulation]
duration = "8m"
warmup = "20s"
seed = 5
runs = 1

[[link]]
between = ["westeurope", "northeurope"]
rtt = { dist = "normal", mean = "18ms", stddev = "3ms" }
[[link]]
between = ["westeurope", "eastus"]
rtt = { dist = "normal", mean = "84ms", stddev = "3ms" }
bandwidth = "20Mbit/s"
[[link]]
between = ["westeurope", "eastus2"]
rtt = { dist = "normal", mean = "88ms", stddev = "6ms" }

[workload]
client_region = "westeurope"
rate = 800
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["northeurope", "eastus", "eastus2"]

[policy]
remove_secondary_after = "40s"
auto_promote = { after = "20s", kind = "forced" }

[[outage]]
target = "eastus"
start = "1m"
duration = "90s"
[[outage]]
target = "westeurope<->eastus2"
start = "3m"
duration = "20s"
[[outage]]
target = "westeurope<->northeurope"
kind = "slow"
factor = 4
start = "4m"
duration = "30s"
[[outage]]
target = "westeurope"
start = "390s"
duration = "1m"

[[action]]
at = "2m"
set_mode = "sync"

[[variant]]
name = "any-2"
mode = "sync"
sync_acks = 2
max_lag = "10s"
[[variant]]
name = "all"
mode = "sync"
max_lag = "10s"
[[variant]]
name = "semi-sync"
mode = "semi-sync"
semi_sync_timeout = "30ms"
max_lag = "1m"
[[variant]]
name = "async-to-sync"
mode = "async"
max_lag = "1m"
"#;
    let model =
        geosim::scenario::parse(&text, "acks.toml", "acks").unwrap_or_else(|e| panic!("{e}"));
    let summary = same_with_and_without_the_checker(&model);
    // The run did what it is for: a forced promotion happened, and semi-sync fell back.
    assert!(summary.contains(",forced,"), "{summary}");
    let mut lines = summary.lines().map(|l| l.split(',').collect::<Vec<_>>());
    let header = lines.next().unwrap();
    let fallbacks = header.iter().position(|&c| c == "fallbacks").unwrap();
    assert!(lines.any(|row| row[0] == "semi-sync" && row[fallbacks].parse::<u64>().unwrap() > 0));
}

/// The engine settles a throttled write's remaining attempts at once when each is sure
/// to be throttled too (src/engine/sim/throttled.rs); an observer, such as `--check`'s
/// checker, turns that off. Both ways give the same bytes and the same event count,
/// with what would make a settled attempt matter if the argument were wrong: outages of
/// a secondary (and of its link) that the lag rules wait for, and that they do not (a
/// quorum), a backlog limit, chains that cross time buckets and the end of the run, a
/// lag limit changed and a planned promotion requested while writes are throttled, a
/// forced promotion, reads, and clients in a third region behind a jittered link
/// (nothing settled there).
#[test]
fn settling_throttled_writes_at_once_changes_no_figure() {
    let text = lognormal_regions(&["westeurope", "northeurope", "eastus"])
        + r#"
[simulation]
duration = "6m"
warmup = "10s"
bucket = "2s"
seed = 11
runs = 2

[[link]]
between = ["westeurope", "eastus"]
rtt = { dist = "normal", mean = "84ms", stddev = "3ms" }
bandwidth = "20Mbit/s"

[workload]
client_region = "westeurope"
rate = 400
size = "1KiB"
retries = 4
backoff = "700ms"

[replication]
primary = "westeurope"
secondaries = ["northeurope", "eastus"]

[reads]
rate = 50
at = "nearest"

[policy]
auto_promote = { after = "20s", kind = "forced" }

[promotion]
dns = "5s"

[[outage]]
target = "eastus"
start = "30s"
duration = "80s"
[[outage]]
target = "northeurope<->eastus"
start = "150s"
duration = "40s"
[[outage]]
target = "westeurope"
start = "210s"
duration = "30s"
[[outage]]
target = "northeurope"
start = "260s"
duration = "40s"
[[outage]]
target = "eastus"
start = "320s"
duration = "1m"

[[action]]
at = "60s"
set_max_lag = "8s"
[[action]]
at = "80s"
promote = "planned"
target = "northeurope"

[[variant]]
name = "async-5s"
mode = "async"
max_lag = "5s"
[[variant]]
name = "quorum-lag"
mode = "async"
max_lag = "5s"
lag_quorum = 1
[[variant]]
name = "backlog"
mode = "async"
max_lag = "none"
max_lag_writes = 2000
[[variant]]
name = "sync-10s"
mode = "sync"
max_lag = "10s"
"#;
    let model = geosim::scenario::parse(&text, "throttled.toml", "throttled")
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = same_with_and_without_the_checker(&model);
    // The run did what it is for: every variant whose lag rule waits for the secondary
    // away throttled many attempts (the quorum's waits for the nearest only).
    let mut lines = summary.lines().map(|l| l.split(',').collect::<Vec<_>>());
    let header = lines.next().unwrap();
    let throttled = header
        .iter()
        .position(|&c| c == "attempts_throttled")
        .unwrap();
    for row in lines.filter(|row| row[0] != "quorum-lag") {
        let n: u64 = row[throttled].parse().unwrap();
        assert!(n > 1000, "{} throttled {n}", row[0]);
    }
    // A DNS window long enough to overlap throttling: clients that the window sends to
    // the old primary draw their routing, and the region refuses them.
    let mut long_dns = model.clone();
    long_dns.promotion.dns = 90 * S;
    same_with_and_without_the_checker(&long_dns);
    let mut far = model.clone();
    far.workload.client_region = 2;
    same_with_and_without_the_checker(&far);
}
