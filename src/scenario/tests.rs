//! Valid scenarios produce the model they mean: defaults, catalogue RTTs, link overrides,
//! the variant matrix and the max_lag rule. (Invalid inputs: `tests/bad_inputs.rs`.)

use super::*;
use crate::model::{
    ActionKind, AutoPromote, Dist, Mode, Model, OutageKind, Phase, PromoteKind, Target, NS_PER_MS,
    NS_PER_S,
};

/// The smallest valid scenario (two catalogue regions, one secondary, 1 h); other
/// modules' tests of the scenario build on it.
pub(crate) const MINIMAL: &str = r#"
[simulation]
duration = "1h"

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
"#;

fn ok(text: &str) -> Model {
    match parse(text, "t.toml", "t") {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn defaults_fill_everything_left_out() {
    let m = ok(MINIMAL);
    assert_eq!(m.name, "t");
    assert_eq!(m.duration, 3_600 * NS_PER_S);
    assert_eq!((m.warmup, m.seed, m.runs, m.bucket), (0, 1, 1, NS_PER_S));
    assert_eq!((m.max_events, m.max_backlog), (2_000_000_000, 100_000_000));
    let r = &m.regions[0];
    assert_eq!((r.commit.mean, r.local_rtt.mean), (1e6, 1e6));
    let w = &m.workload;
    assert_eq!(w.phases, vec![Phase { at: 0, rate: 100.0 }]);
    assert_eq!(w.size.mean, 1024.0);
    assert_eq!(
        (w.timeout, w.retries, w.backoff),
        (60 * NS_PER_S, 3, NS_PER_S)
    );
    assert_eq!(
        (m.promotion.switch, m.promotion.dns),
        (30 * NS_PER_S, 120 * NS_PER_S)
    );
    assert_eq!((m.primary, m.secondaries.clone()), (0, vec![1]));
    assert!(m.outages.is_empty() && m.failures.is_empty() && m.actions.is_empty());
    assert_eq!(m.policy, crate::model::Policy::default());
}

#[test]
fn catalogue_regions_get_the_mean_median_rtt() {
    let m = ok(MINIMAL);
    // westeurope→eastus 85 ms, eastus→westeurope 83 ms in the published table.
    let l = m.link(0, 1);
    assert!(matches!(l.rtt.dist, Dist::Constant(v) if v == 84.0 * NS_PER_MS as f64));
    assert_eq!(l.bandwidth_bytes_per_s, None);
    assert!(m.links[0][0].is_none() && m.links[1][1].is_none());
    assert_eq!(m.link(1, 0).rtt.mean, 84e6);
}

#[test]
fn a_link_overrides_the_catalogue_and_links_custom_regions() {
    let text = MINIMAL.replace(
        "[workload]",
        r#"[[region]]
name = "onprem-1"
commit = { dist = "lognormal", median = "2ms", p99 = "9ms" }

[[link]]
between = ["eastus", "westeurope"]
rtt = { dist = "normal", mean = "85ms", stddev = "3ms" }
bandwidth = "200Mbit/s"

[[link]]
between = ["onprem-1", "westeurope"]
rtt = "10ms"

[[link]]
between = ["onprem-1", "eastus"]
rtt = { dist = "uniform", min = "90ms", max = "100ms" }

[workload]"#,
    );
    let m = ok(&text);
    let l = m.link(0, 1);
    assert!(matches!(l.rtt.dist, Dist::Normal(_)));
    assert_eq!(l.rtt.mean, 85e6);
    assert_eq!(l.bandwidth_bytes_per_s, Some(25e6));
    assert_eq!(m.link(2, 0).rtt.mean, 10e6);
    assert_eq!(m.link(1, 2).rtt.mean, 95e6);
    // Lognormal mean = exp(mu + sigma²/2), sigma = ln(p99/median)/z99.
    let sigma = (9.0f64 / 2.0).ln() / 2.326_347_874_040_840_8;
    let want = (2e6f64.ln() + sigma * sigma / 2.0).exp();
    assert!((m.regions[2].commit.mean - want).abs() < 1e-6);
}

#[test]
fn a_link_with_only_a_bandwidth_keeps_the_catalogue_rtt() {
    let text = MINIMAL.replace(
        "[workload]",
        "[[link]]\nbetween = [\"westeurope\", \"eastus\"]\nbandwidth = \"50Mbit/s\"\n\n[workload]",
    );
    let m = ok(&text);
    let l = m.link(1, 0);
    assert!(matches!(l.rtt.dist, Dist::Constant(v) if v == 84.0 * NS_PER_MS as f64));
    assert_eq!(l.bandwidth_bytes_per_s, Some(50e6 / 8.0));
}

#[test]
fn standard_variant_matrix_and_max_lag_defaults() {
    let m = ok(MINIMAL);
    let got: Vec<_> = m
        .variants
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.mode,
                v.max_lag.unwrap() / NS_PER_S,
                v.promote,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("sync-planned", Mode::Sync, 10, Some(PromoteKind::Planned)),
            ("sync-forced", Mode::Sync, 10, Some(PromoteKind::Forced)),
            (
                "async-planned",
                Mode::Async,
                300,
                Some(PromoteKind::Planned)
            ),
            ("async-forced", Mode::Async, 300, Some(PromoteKind::Forced)),
        ]
    );
    // A base max_lag applies to every variant that does not set its own.
    let m = ok(&MINIMAL.replace(
        "secondaries = [\"eastus\"]",
        "secondaries = [\"eastus\"]\nmax_lag = \"0s\"",
    ));
    assert!(m.variants.iter().all(|v| v.max_lag == Some(0)));
}

#[test]
fn declared_variants_inherit_the_base_mode() {
    let text = format!(
        "{MINIMAL}mode = \"sync\"\n\n{}",
        r#"[[variant]]
name = "base"

[[variant]]
name = "async-1m"
mode = "async"
max_lag = "1m"
promote = "forced"

[[variant]]
name = "async.default"
mode = "async"
"#
    );
    let m = ok(&text);
    let v = &m.variants;
    assert_eq!(
        (v[0].mode, v[0].max_lag, v[0].promote),
        (Mode::Sync, Some(10 * NS_PER_S), None)
    );
    assert_eq!(
        (v[1].mode, v[1].max_lag, v[1].promote),
        (Mode::Async, Some(60 * NS_PER_S), Some(PromoteKind::Forced))
    );
    assert_eq!(
        (v[2].mode, v[2].max_lag),
        (Mode::Async, Some(300 * NS_PER_S))
    );
}

#[test]
fn events_phases_and_policy() {
    // TOML lets [[workload.phase]] come after other tables.
    let text = format!(
        "{MINIMAL}{}",
        r#"
[[workload.phase]]
at = "30m"
rate = 2000.5

[[outage]]
target = "eastus"
start = "20m"
duration = "2h"

[[outage]]
target = "westeurope<->eastus"
start = "0s"
duration = "1m"
kind = "slow"
factor = 5

[[failure]]
target = "westeurope"
mtbf = "30d"
mttr = { dist = "pareto", scale = "10m", shape = 3 }

[[action]]
at = "50m"
set_mode = "sync"

[[action]]
at = "40m"
promote = "planned"
target = "eastus"
escalate_after = "10m"

[[action]]
at = "40m"
set_max_lag = "30s"

[policy]
auto_promote = { after = "15m", kind = "forced" }
remove_secondary_after = "30m"

[promotion]
switch = "0s"
dns = "5m"
"#
    );
    let m = ok(&text);
    assert_eq!(
        m.workload.phases[1],
        Phase {
            at: 1_800 * NS_PER_S,
            rate: 2000.5
        }
    );
    // An outage past the end keeps its duration: clamping is the engine's job.
    assert_eq!(m.outages[0].duration, 7_200 * NS_PER_S);
    assert_eq!(m.outages[1].target, Target::Link(0, 1));
    assert_eq!(m.outages[1].kind, OutageKind::Slow(5.0));
    assert_eq!(m.failures[0].mttr.mean, 3.0 * 600e9 / 2.0);
    let ats: Vec<u64> = m.actions.iter().map(|a| a.at / NS_PER_S / 60).collect();
    assert_eq!(ats, vec![40, 40, 50]);
    assert!(matches!(
        m.actions[0].kind,
        ActionKind::Promote {
            kind: PromoteKind::Planned,
            target: Some(1),
            escalate_after: Some(_)
        }
    ));
    assert!(matches!(m.actions[1].kind, ActionKind::SetMaxLag(_)));
    assert_eq!(
        m.policy.auto_promote,
        Some(AutoPromote {
            after: 900 * NS_PER_S,
            kind: PromoteKind::Forced,
            escalate_after: None
        })
    );
    assert_eq!(m.promotion.switch, 0);
    let p = plan(&m);
    assert!(p.contains("westeurope <-> eastus: rtt 84ms"), "{p}");
    assert!(
        p.contains("async-forced: mode async, max_lag 5m, promote forced"),
        "{p}"
    );
}

#[test]
fn plan_counts_expected_writes() {
    let m = ok(MINIMAL);
    let p = plan(&m);
    assert!(
        p.contains("expected writes: 360000 per simulation, 1440000 in total (4 variants x 1 run)"),
        "{p}"
    );
}

#[test]
fn degenerate_distributions_are_accepted() {
    for commit in [
        r#"{ dist = "uniform", min = "2ms", max = "2ms" }"#,
        r#"{ dist = "normal", mean = "2ms", stddev = "0s" }"#,
        r#"{ dist = "lognormal", median = "2ms", p99 = "2ms" }"#,
        r#"{ dist = "exponential", mean = "2ms" }"#,
        r#"{ dist = "pareto", scale = "1ms", shape = 2 }"#,
    ] {
        let m = ok(&MINIMAL.replace(
            "name = \"eastus\"",
            &format!("name = \"eastus\"\ncommit = {commit}"),
        ));
        assert!((m.regions[1].commit.mean - 2e6).abs() < 1e-3, "{commit}");
    }
}

#[test]
fn cost_defaults_secondary_price_to_the_primary_one() {
    let m = ok(&format!("{MINIMAL}\n[cost]\nunit_hour = 0.928\n"));
    let c = m.cost.expect("[cost] parsed");
    assert_eq!(
        (c.units, c.unit_hour, c.secondary_unit_hour),
        (1, 0.928, 0.928)
    );
    assert_eq!((c.replicated_gb, c.currency.as_str()), (0.0, "USD"));
    let m = ok(&format!(
        "{MINIMAL}\n[cost]\nunits = 4\nunit_hour = 1\nsecondary_unit_hour = 0.5\nreplicated_gb = 0.09\ncurrency = \"EUR\"\n"
    ));
    let c = m.cost.expect("[cost] parsed");
    assert_eq!((c.units, c.unit_hour, c.secondary_unit_hour), (4, 1.0, 0.5));
    assert_eq!((c.replicated_gb, c.currency.as_str()), (0.09, "EUR"));
    assert!(ok(MINIMAL).cost.is_none());
}

/// MINIMAL with `extra` appended to `[replication]` and `variants` after it.
fn with_replication(extra: &str, variants: &str) -> String {
    format!("{MINIMAL}{extra}\n{variants}")
}

#[test]
fn a_preset_sets_what_the_scenario_leaves_out() {
    let m = ok(&with_replication(
        "preset = \"azure-service-bus\"\n",
        "[[variant]]\nname = \"a\"\n\n[[variant]]\nname = \"b\"\nmax_lag = \"30m\"\n\n[[variant]]\nname = \"c\"\nmax_lag = \"0\"\n",
    ));
    let v = &m.variants;
    assert_eq!(
        (v[0].mode, v[0].max_lag),
        (Mode::Async, Some(300 * NS_PER_S))
    );
    assert_eq!(v[0].preset, Some("azure-service-bus"));
    // A key the user sets wins over the preset's default.
    assert_eq!(
        (v[1].mode, v[1].max_lag),
        (Mode::Async, Some(1_800 * NS_PER_S))
    );
    // SPEC §10: Service Bus's max_lag "0" is sync, which throttles as sync does.
    assert_eq!((v[2].mode, v[2].max_lag), (Mode::Sync, Some(10 * NS_PER_S)));
}

#[test]
fn a_base_preset_without_variants_runs_planned_and_forced() {
    let m = ok(&with_replication("preset = \"azure-service-bus\"\n", ""));
    let names: Vec<&str> = m.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["azure-service-bus-planned", "azure-service-bus-forced"]
    );
    assert_eq!(m.variants[1].promote, Some(PromoteKind::Forced));
    assert!(m.variants.iter().all(|v| v.mode == Mode::Async));
}

#[test]
fn a_variant_preset_overrides_the_base_one() {
    let m = ok(&with_replication(
        "preset = \"azure-service-bus\"\nmode = \"sync\"\n",
        "[[variant]]\nname = \"pg\"\npreset = \"postgres-sync\"\nmax_lag = \"1m\"\n",
    ));
    let v = &m.variants[0];
    assert_eq!(v.preset, Some("postgres-sync"));
    assert_eq!((v.mode, v.max_lag), (Mode::Sync, Some(60 * NS_PER_S)));
    assert_eq!(v.acks(Mode::Sync), crate::model::Quorum::All);
}

#[test]
fn protocol_keys_default_to_part_one() {
    let m = ok(MINIMAL);
    for v in &m.variants {
        assert_eq!(v.sync_acks, None);
        assert_eq!(v.acks(v.mode), crate::model::Quorum::All);
        assert_eq!(v.lag_quorum, crate::model::Quorum::All);
        assert_eq!(v.max_lag_writes, None);
        assert_eq!(v.semi_sync_timeout, 10 * NS_PER_S);
        assert_eq!((v.preset, v.auto_promote), (None, None));
    }
    // Every secondary is the same rule as "all" (SPEC §10), so it runs today.
    let m = ok(&with_replication("sync_acks = 1\nlag_quorum = 1\n", ""));
    assert_eq!(
        m.variants[0].sync_acks,
        Some(crate::model::Quorum::Count(1))
    );
    assert!(plan::plan(&m).contains(
        "sync-planned: mode sync, max_lag 10s, promote planned, sync_acks 1, lag_quorum 1"
    ));
}
