//! The report's and the terminal's sentences on semi-sync fallbacks and recovery points
//! (`report::protocol_notes`), on real runs: each sentence must print the
//! figures of the summary it describes, and say a fallback cost what the promotion
//! requested during it lost — no more.

use geosim::format::fmt_count;
use geosim::model::Model;
use geosim::report::protocol_notes::protocol_notes;
use geosim::results::SimResult;

use crate::common::run_all;

/// A duration as the report writes it: in the report's one time unit.
fn secs(model: &Model, v: f64) -> String {
    geosim::report::time_unit(model).fmt(v)
}

fn scenario(replication: &str, events: &str) -> Model {
    let text = format!(
        r#"
[simulation]
duration = "200s"
seed = 5

[[region]]
name = "westeurope"

[[region]]
name = "northeurope"

[[link]]
between = ["westeurope", "northeurope"]
rtt = "20ms"

[workload]
client_region = "westeurope"
rate = 100
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["northeurope"]
{replication}

{events}
"#
    );
    geosim::scenario::parse(&text, "notes.toml", "notes").unwrap_or_else(|e| panic!("{e}"))
}

fn summary<'a>(results: &'a [SimResult], name: &str) -> &'a geosim::results::Summary {
    &results
        .iter()
        .find(|r| r.summary.variant == name)
        .expect("variant")
        .summary
}

// North Europe down from 30 s to 65 s; West Europe fails at 60 s; a forced failover at
// 70 s to North Europe, which lacks what was accepted from about 30 s.
const FAILOVER_IN_FALLBACK: &str = r#"
[[outage]]
target = "northeurope"
start = "30s"
duration = "35s"

[[outage]]
target = "westeurope"
start = "60s"
duration = "1h"

[[action]]
at = "70s"
promote = "forced"
"#;

#[test]
fn a_fallback_is_told_with_what_the_promotion_during_it_lost() {
    let model = scenario(
        "",
        &format!(
            "{FAILOVER_IN_FALLBACK}\n[[variant]]\nname = \"semi\"\nmode = \"semi-sync\"\n\n[[variant]]\nname = \"sync\"\nmode = \"sync\"\nmax_lag = \"none\"\n"
        ),
    );
    let results = run_all(&model, 1);
    let s = summary(&results, "semi");
    // The fallback began 10 s after the first write the replica lacked (≈ 40 s) and
    // lasted until the promotion completed (70 s + the 30 s switch): the primary died
    // before the replica could catch up.
    assert_eq!(s.fallbacks, Some(1));
    let f = s.fallback_s.expect("semi-sync figures");
    assert!((f - 60.0).abs() < 0.1, "fallback_s {f}");
    // The promotion at 70 s was requested in the fallback and lost every acknowledged
    // write accepted from about 30 s to the primary's failure at 60 s.
    assert_eq!(s.fallback_promotions, Some(1));
    assert_eq!(s.fallback_writes_lost, Some(s.writes_lost));
    assert!(s.writes_lost > 2000, "writes_lost {}", s.writes_lost);
    assert!((s.rpo_s - 30.0).abs() < 0.5, "rpo_s {}", s.rpo_s);
    // sync waited instead: the same failover lost nothing, and it has no fallback.
    assert_eq!(summary(&results, "sync").writes_lost, 0);
    assert_eq!(summary(&results, "sync").fallbacks, None);
    let expected = format!(
        "semi fell back from semi-sync to async once, for {}: a promotion requested while it was async lost {} acknowledged writes, an RPO of {}.",
        secs(&model, f),
        fmt_count(s.writes_lost),
        secs(&model, s.rpo_s)
    );
    assert_eq!(protocol_notes(&model, &results), vec![expected.clone()]);
    // The terminal summary ends with the same sentence; the report says it under the
    // lag chart.
    let table = geosim::commands::run::summary_table(&model, &results);
    assert!(table.ends_with(&format!("{expected}\n")), "{table}");
    let lag = geosim::report::sentences::chart_notes(&model, &results)
        .into_iter()
        .find(|(k, _)| *k == geosim::report::charts::ChartKind::Lag)
        .expect("lag notes")
        .1;
    assert!(lag.contains(&expected), "{lag:?}");
}

#[test]
fn a_fallback_without_a_promotion_says_so_and_a_steady_variant_never_fell_back() {
    // North Europe down from 30 s to 65 s, no failover; "steady" has a timeout longer
    // than the outage, so it waits instead of falling back.
    let model = scenario(
        "",
        r#"
[[outage]]
target = "northeurope"
start = "30s"
duration = "35s"

[[variant]]
name = "semi"
mode = "semi-sync"

[[variant]]
name = "steady"
mode = "semi-sync"
semi_sync_timeout = "1m"
"#,
    );
    let results = run_all(&model, 1);
    let s = summary(&results, "semi");
    assert_eq!(s.fallbacks, Some(1));
    assert_eq!(summary(&results, "steady").fallbacks, Some(0));
    assert_eq!(s.fallback_promotions, Some(0));
    assert_eq!(
        protocol_notes(&model, &results),
        vec![format!(
            "semi fell back from semi-sync to async once, for {}: no promotion was requested while it was async; steady never fell back to async.",
            secs(&model, s.fallback_s.unwrap())
        )]
    );
}

#[test]
fn recovery_points_are_told_with_what_a_failover_restored() {
    // Points every minute; West Europe fails at 150 s and the failover is forced at
    // once: North Europe restores the point cut at 120 s (complete 12 ms later), so the
    // failover loses the writes acknowledged from 120 s on: an RPO of about 30 s.
    let model = scenario(
        "mode = \"snapshot\"\nsnapshot_interval = \"1m\"",
        r#"
[[outage]]
target = "westeurope"
start = "150s"
duration = "1h"

[[action]]
at = "150s"
promote = "forced"

[[variant]]
name = "points"
"#,
    );
    let results = run_all(&model, 1);
    let s = summary(&results, "points");
    assert_eq!(s.recovery_points, Some(2));
    assert!((s.rpo_s - 30.0).abs() < 0.1, "rpo_s {}", s.rpo_s);
    assert_eq!(
        protocol_notes(&model, &results),
        vec![format!(
            "points replicates by recovery points, one every 60 s: 2 completed on northeurope; its forced promotion at 150 s restored the latest complete point and lost {} acknowledged writes, an RPO of {}.",
            fmt_count(s.writes_lost),
            secs(&model, s.rpo_s)
        )]
    );
}

#[test]
fn recovery_points_without_a_failover_and_with_a_planned_one() {
    let quiet = scenario(
        "mode = \"snapshot\"\nsnapshot_interval = \"1m\"",
        "[[variant]]\nname = \"snapshot\"\n",
    );
    let results = run_all(&quiet, 1);
    assert_eq!(
        protocol_notes(&quiet, &results),
        vec!["snapshot replicates by recovery points, one every 60 s: 3 completed on northeurope; it did not fail over, so no point was restored.".to_string()]
    );
    let planned = scenario(
        "mode = \"snapshot\"\nsnapshot_interval = \"1m\"",
        "[[action]]\nat = \"150s\"\npromote = \"planned\"\n\n[[variant]]\nname = \"points\"\n",
    );
    let results = run_all(&planned, 1);
    assert_eq!(summary(&results, "points").writes_lost, 0);
    let notes = protocol_notes(&planned, &results);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].ends_with(
            "its planned promotion at 150 s shipped a final point of every acknowledged write and lost no acknowledged write."
        ),
        "{notes:?}"
    );
    // No sentence for a variant in neither mode.
    let plain = scenario("mode = \"async\"", "[[variant]]\nname = \"async\"\n");
    assert!(protocol_notes(&plain, &run_all(&plain, 1)).is_empty());
}

#[test]
fn a_lag_quorum_variant_is_told_whose_lag_it_counts() {
    let text = r#"
[simulation]
duration = "200s"
seed = 6

[[region]]
name = "westeurope"

[[region]]
name = "northeurope"

[[region]]
name = "eastus"

[workload]
client_region = "westeurope"
rate = 100
size = "1KiB"

[replication]
primary = "westeurope"
secondaries = ["northeurope", "eastus"]
mode = "async"
max_lag = "none"

[[outage]]
target = "eastus"
start = "30s"
duration = "100s"

[[variant]]
name = "nearest"
lag_quorum = 1

[[variant]]
name = "every"
"#;
    let model = geosim::scenario::parse(text, "q.toml", "q").unwrap_or_else(|e| panic!("{e}"));
    let results = run_all(&model, 1);
    let (near, every) = (summary(&results, "nearest"), summary(&results, "every"));
    // East US's 100 s outage shows in the lag of "every", not in that of "nearest",
    // whose lag is North Europe's: a one-way delay and a commit.
    assert!((every.lag_max_s - 100.0).abs() < 0.5, "{}", every.lag_max_s);
    assert!(near.lag_max_s < 0.1, "{}", near.lag_max_s);
    assert_eq!(
        protocol_notes(&model, &results),
        vec![format!(
            "nearest\u{2019}s lag is that of its least behind ready secondary (lag_quorum = 1), so a lagging secondary beyond those does not raise it: it peaked at {}.",
            secs(&model, near.lag_max_s)
        )]
    );
}
