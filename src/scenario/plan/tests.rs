//! `geosim check`'s plan: what it estimates and lists, on small scenarios.

use super::*;

/// 100 writes/s for 1000 s, one secondary, one async variant.
const BASE: &str = r#"
[simulation]
duration = "1000s"
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
[[variant]]
name = "a"
mode = "async"
"#;

/// 100 writes/s for 1000 s, one secondary: 100,000 writes of 6 events (async) and
/// of 7 (sync).
#[test]
fn plan_estimates_events_and_wall_time() {
    let text = format!("{BASE}[[variant]]\nname = \"s\"\nmode = \"sync\"\n");
    let m = crate::scenario::parse(&text, "t.toml", "t").expect("valid scenario");
    let p = plan(&m);
    assert!(
        p.contains("expected engine events: about 650 k per simulation, 1.3 M in total"),
        "{p}"
    );
    assert!(
        p.contains("rough wall time: under a second on one core"),
        "{p}"
    );
}

/// The same run with the primary down for half of it: each write offered then
/// makes 4 attempts of 2 events (its deadline and the retry; the request never
/// arrives) instead of its 5-event path (100/s × 500 s × (8 − 5) = 150 k more), and
/// `[[failure]]` adds the year of failures, its episode length read as people
/// read it (lead-in 1 min, mean repair 60 min, a tail of 4 attempts of 61 s, no
/// promotion to wait for, and a lead-in: 66.1 min).
#[test]
fn plan_estimates_retries_and_the_year() {
    let base = BASE;
    let outage =
        format!("{base}[[outage]]\ntarget = \"westeurope\"\nstart = \"0s\"\nduration = \"500s\"\n");
    let m = crate::scenario::parse(&outage, "t.toml", "t").expect("valid scenario");
    let p = plan(&m);
    // 600 k of the failure-free run plus 150 k of retries.
    assert!(p.contains("about 750 k per simulation"), "{p}");
    let year = format!(
        "{base}[[failure]]\ntarget = \"westeurope\"\nmtbf = \"30d\"\nmttr = {{ dist = \"exponential\", mean = \"1h\" }}\n"
    );
    let m = crate::scenario::parse(&year, "t.toml", "t").expect("valid scenario");
    let p = plan(&m);
    assert!(
        p.contains("expected engine events of the year of failures"),
        "{p}"
    );
    assert!(p.contains("episodes of up to about 66.1 min,"), "{p}");
    assert!(!p.contains("ns,"), "{p}");
}

/// SPEC §10: check lists each variant's objectives, and says which cannot apply.
#[test]
fn plan_lists_objectives_and_those_that_cannot_apply() {
    let text = format!(
        "{BASE}[objectives]\nrpo = \"5s\"\nrto = \"30m\"\navailability = 0.999\n\
         latency_p99 = \"50ms\"\nstale_read_share = 0.01\ncost_month = 5000\n\
         [[variant]]\nname = \"s\"\nmode = \"sync\"\nobjectives = {{ rpo = \"0s\" }}\n"
    );
    let m = crate::scenario::parse(&text, "t.toml", "t").expect("valid scenario");
    let p = plan(&m);
    assert!(
        p.contains(
            "    objectives: rpo <= 0s, rto <= 30m, availability >= 99.9%, \
             first-try latency p99 <= 50ms, stale reads <= 1%, cost <= 5000 a month\n\
             \x20   cannot apply, so neither met nor missed: rto (no outage of the primary \
             or a secondary is scheduled); stale_read_share (no [reads]); cost_month (no [cost])\n"
        ),
        "{p}"
    );
    assert!(p.contains("    objectives: rpo <= 5s,"), "{p}");
    // An outage of the primary gives rto something to judge.
    let text = text.replace(
        "[objectives]",
        "[[outage]]\ntarget = \"westeurope\"\nstart = \"1s\"\nduration = \"5s\"\n[objectives]",
    );
    let m = crate::scenario::parse(&text, "t.toml", "t").expect("valid scenario");
    assert!(!plan(&m).contains("rto (no outage"), "{}", plan(&m));
    // Without objectives, no line.
    let m = crate::scenario::parse(BASE, "t.toml", "t").expect("valid scenario");
    assert!(!plan(&m).contains("objectives"));
}

#[test]
fn plan_shows_the_readers_and_where_each_variant_reads() {
    let text = r#"
[simulation]
duration = "10m"
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
[reads]
rate = 500
from = "eastus"
at = "nearest"
[[variant]]
name = "a"
mode = "async"
[[variant]]
name = "p"
mode = "async"
reads = { at = "primary" }
"#;
    let m = crate::scenario::parse(text, "t.toml", "t").expect("valid scenario");
    let p = plan(&m);
    assert!(p.contains("reads\n  readers in eastus: 500/s\n"), "{p}");
    assert!(
        p.contains("nearest region of the replication set: eastus (round trip 1ms)"),
        "{p}"
    );
    assert!(
        p.contains("  a: mode async, max_lag 5m, promote as requested, reads at nearest"),
        "{p}"
    );
    assert!(
        p.contains("  p: mode async, max_lag 5m, promote as requested, reads at primary"),
        "{p}"
    );
    // 2 events per read: 500/s × 600 s × 2 on top of 100/s × 600 s × 6.
    assert!(p.contains("about 960 k per simulation"), "{p}");
}

#[test]
fn counts_and_seconds_read_well() {
    assert_eq!(fmt_count(950.0), "950");
    assert_eq!(fmt_count(36e6), "36 M");
    assert_eq!(fmt_count(1.25e9), "1.2 G");
    assert_eq!(fmt_seconds(90.0), "90 s");
    assert_eq!(fmt_seconds(600.0), "10 min");
    assert_eq!(fmt_seconds(9000.0), "2.5 h");
}
