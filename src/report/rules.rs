//! How the report names a variant's replication rules (issue 12 item 6): its commit
//! rule (`sync_acks`: all, any k of n, none) and its lag rule (`max_lag`,
//! `max_lag_writes`, `lag_quorum`), with durations as the scenario file writes them.
//! Shared by the Variants table of report.html and the lag chart's legend, so both name
//! a rule the same way.

use crate::format::{fmt_count, fmt_sig};
use crate::model::{ActionKind, Mode, Model, Nanos, Quorum, Variant, NS_PER_S};
use crate::time;

/// A duration the way a scenario file would write it: the largest unit that holds it
/// whole (`2 h`, `5 min`, `400 s`), else seconds or below with three digits.
pub(crate) fn fmt_ns(ns: Nanos) -> String {
    const MIN: Nanos = 60 * NS_PER_S;
    const HOUR: Nanos = 60 * MIN;
    let s = time::secs(ns);
    if ns == 0 {
        "0 s".to_string()
    } else if ns.is_multiple_of(HOUR) {
        format!("{} h", ns / HOUR)
    } else if ns.is_multiple_of(MIN) {
        format!("{} min", ns / MIN)
    } else if s >= 1.0 {
        format!("{} s", fmt_sig(s))
    } else if s >= 1e-3 {
        format!("{} ms", fmt_sig(s * 1e3))
    } else {
        format!("{} µs", fmt_sig(s * 1e6))
    }
}

/// The acks a write waits for in `mode`: "all", "any 2 of 3", "none" (async and
/// snapshot acknowledge at the primary), semi-sync with its fallback timeout.
fn commit_in(model: &Model, v: &Variant, mode: Mode) -> String {
    let n = model.secondaries.len();
    let acks = |q: Quorum| match q {
        Quorum::All => "all".to_string(),
        Quorum::Count(k) if k as usize >= n => format!("all ({k} of {n})"),
        Quorum::Count(k) => format!("any {k} of {n}"),
    };
    match mode {
        Mode::Async | Mode::Snapshot => "none".to_string(),
        Mode::Sync => acks(v.acks(Mode::Sync)),
        Mode::SemiSync => format!(
            "{}, async after {} waiting",
            acks(v.acks(Mode::SemiSync)),
            fmt_ns(v.semi_sync_timeout)
        ),
    }
}

/// The variant's commit rule (`sync_acks`) in its mode, then in each mode a
/// `set_mode` action of the scenario switches it to: "none; all from 7.5 min".
pub fn commit_rule(model: &Model, v: &Variant) -> String {
    let mut out = commit_in(model, v, v.mode);
    let mut current = v.mode;
    for a in &model.actions {
        if let ActionKind::SetMode(m) = a.kind {
            if m != current {
                out.push_str(&format!(
                    "; {} from {}",
                    commit_in(model, v, m),
                    fmt_ns(a.at)
                ));
                current = m;
            }
        }
    }
    out
}

/// The variant's lag rule: "max_lag 5 min, lag_quorum 1", "max_lag_writes 100,000",
/// "no lag limit". `lag_quorum` is named only where it counts fewer than every
/// secondary (k of k is the largest lag, the default).
pub fn lag_rule(model: &Model, v: &Variant) -> String {
    let mut parts = Vec::new();
    if let Some(l) = v.max_lag {
        parts.push(format!("max_lag {}", fmt_ns(l)));
    }
    if let Some(k) = v.max_lag_writes {
        parts.push(format!("max_lag_writes {}", fmt_count(k)));
    }
    if parts.is_empty() {
        parts.push("no lag limit".to_string());
    }
    if let Quorum::Count(k) = v.lag_quorum {
        if (k as usize) < model.secondaries.len() {
            parts.push(format!("lag_quorum {k}"));
        }
    }
    let changes: Vec<String> = model
        .actions
        .iter()
        .filter_map(|a| match a.kind {
            ActionKind::SetMaxLag(l) => Some(format!("{} from {}", fmt_ns(l), fmt_ns(a.at))),
            _ => None,
        })
        .collect();
    if !changes.is_empty() {
        parts.push(format!("then max_lag {}", changes.join(", ")));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_scenario() {
        assert_eq!(fmt_ns(2 * 3600 * NS_PER_S), "2 h");
        assert_eq!(fmt_ns(300 * NS_PER_S), "5 min");
        assert_eq!(fmt_ns(30 * NS_PER_S), "30 s");
        assert_eq!(fmt_ns(2_000_000), "2 ms");
        assert_eq!(fmt_ns(400 * NS_PER_S), "400 s");
        assert_eq!(fmt_ns(90 * 60 * NS_PER_S), "90 min");
    }

    fn model(variants: &str) -> Model {
        let text = format!(
            "[simulation]\nduration = \"20m\"\n\
             [[region]]\nname = \"westeurope\"\n[[region]]\nname = \"eastus\"\n[[region]]\nname = \"northeurope\"\n\
             [workload]\nclient_region = \"westeurope\"\nrate = 10\nsize = \"1KiB\"\n\
             [replication]\nprimary = \"westeurope\"\nsecondaries = [\"eastus\", \"northeurope\"]\n{variants}"
        );
        crate::scenario::parse(&text, "t.toml", "t").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn commit_rules() {
        let m = model(
            "[[variant]]\nname = \"s\"\nmode = \"sync\"\n\
             [[variant]]\nname = \"q\"\nmode = \"sync\"\nsync_acks = 1\n\
             [[variant]]\nname = \"a\"\nmode = \"async\"\n\
             [[variant]]\nname = \"semi\"\nmode = \"semi-sync\"\nsemi_sync_timeout = \"2s\"\n",
        );
        let rules: Vec<String> = m.variants.iter().map(|v| commit_rule(&m, v)).collect();
        assert_eq!(
            rules,
            [
                "all",
                "any 1 of 2",
                "none",
                "any 1 of 2, async after 2 s waiting"
            ]
        );
    }

    #[test]
    fn rules_follow_set_mode_and_set_max_lag() {
        let m = model(
            "[[action]]\nat = \"5m\"\nset_mode = \"sync\"\n\
             [[action]]\nat = \"10m\"\nset_max_lag = \"30s\"\n\
             [[variant]]\nname = \"a\"\nmode = \"async\"\nmax_lag = \"5m\"\n",
        );
        let v = &m.variants[0];
        assert_eq!(commit_rule(&m, v), "none; all from 5 min");
        assert_eq!(
            lag_rule(&m, v),
            "max_lag 5 min, then max_lag 30 s from 10 min"
        );
    }

    #[test]
    fn lag_rules() {
        let m = model(
            "[[variant]]\nname = \"q\"\nmax_lag = \"5m\"\nlag_quorum = 1\n\
             [[variant]]\nname = \"k\"\nmax_lag = \"none\"\nmax_lag_writes = 100000\n\
             [[variant]]\nname = \"n\"\nmax_lag = \"none\"\n\
             [[variant]]\nname = \"all\"\nmax_lag = \"1m\"\nlag_quorum = 2\n",
        );
        let rules: Vec<String> = m.variants.iter().map(|v| lag_rule(&m, v)).collect();
        assert_eq!(
            rules,
            [
                "max_lag 5 min, lag_quorum 1",
                "max_lag_writes 100,000",
                "no lag limit",
                "max_lag 1 min"
            ]
        );
    }
}
