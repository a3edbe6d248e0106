//! The sentences `report.html` writes under each chart: two or three per chart,
//! generated from the figures of this run. A pure function of the model and the
//! results, kept apart from the markup so it can be snapshot-tested on its own
//! (tests/report_sentences.rs). It returns plain text; escaping is the page's job.

use crate::model::Model;
use crate::report::charts::{self, fmt_pct, fmt_sig, ChartKind};
use crate::results::{SimResult, Summary};

/// Two or three sentences per chart, from the figures of the shown run of each
/// variant (run 1), in [`ChartKind::ALL`] order. Plain text, not yet escaped.
pub fn chart_notes(model: &Model, results: &[SimResult]) -> Vec<(ChartKind, Vec<String>)> {
    let shown: Vec<&SimResult> = charts::shown_runs(model, results)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let s: Vec<&Summary> = shown.iter().map(|r| &r.summary).collect();
    ChartKind::ALL
        .iter()
        .map(|&kind| {
            let notes = if s.is_empty() {
                vec!["There are no results to describe.".to_string()]
            } else {
                match kind {
                    ChartKind::LatencyCdf => latency_notes(&s),
                    ChartKind::Lag => lag_notes(&shown),
                    ChartKind::Availability => availability_notes(&shown),
                    ChartKind::RpoRto => rpo_rto_notes(&s),
                    ChartKind::Tradeoff => tradeoff_notes(&s),
                }
            };
            (kind, notes)
        })
        .collect()
}

fn ms(v: f64) -> String {
    format!("{} ms", fmt_sig(v))
}

fn secs(v: f64) -> String {
    format!("{} s", fmt_sig(v))
}

/// "a", "a and b", "a, b and c".
fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// First summary with the smallest (or, with `largest`, the largest) key: ties keep
/// variant order, so sentences are stable.
fn pick<'a>(s: &[&'a Summary], largest: bool, key: impl Fn(&Summary) -> f64) -> &'a Summary {
    pick_by(s, largest, |x| [key(x), 0.0])
}

/// As [`pick`], with a second key to break ties on the first.
fn pick_by<'a>(
    s: &[&'a Summary],
    largest: bool,
    key: impl Fn(&Summary) -> [f64; 2],
) -> &'a Summary {
    let mut best = s[0];
    for &x in &s[1..] {
        let (k, b) = (key(x), key(best));
        let order = k[0].total_cmp(&b[0]).then(k[1].total_cmp(&b[1]));
        let better = if largest {
            order.is_gt()
        } else {
            order.is_lt()
        };
        if better {
            best = x;
        }
    }
    best
}

fn latency_notes(s: &[&Summary]) -> Vec<String> {
    let acked: Vec<&Summary> = s.iter().copied().filter(|x| x.writes_acked > 0).collect();
    let mut notes = Vec::new();
    match acked.as_slice() {
        [] => notes.push("No variant acknowledged a write, so there is no latency to show.".into()),
        [one] => notes.push(format!(
            "The median acknowledged write of {} takes {}; the p99 is {}.",
            one.variant,
            ms(one.latency_p50_ms),
            ms(one.latency_p99_ms)
        )),
        _ => {
            let fast = pick(&acked, false, |x| x.latency_p50_ms);
            let slow = pick(&acked, true, |x| x.latency_p50_ms);
            let diff = slow.latency_p50_ms - fast.latency_p50_ms;
            notes.push(if diff > 0.0 {
                format!(
                    "{} adds {} to the median write compared with {} ({} against {}).",
                    slow.variant,
                    ms(diff),
                    fast.variant,
                    ms(slow.latency_p50_ms),
                    ms(fast.latency_p50_ms)
                )
            } else {
                format!(
                    "Every variant has the same median write latency, {}.",
                    ms(fast.latency_p50_ms)
                )
            });
            let tail = pick(&acked, true, |x| x.latency_p99_ms);
            let best = pick(&acked, false, |x| x.latency_p99_ms);
            if tail.variant != best.variant {
                notes.push(format!(
                    "The slowest 1% of writes take {} or more under {}, against {} under {}.",
                    ms(tail.latency_p99_ms),
                    tail.variant,
                    ms(best.latency_p99_ms),
                    best.variant
                ));
            }
        }
    }
    let silent: Vec<&str> = s
        .iter()
        .filter(|x| x.writes_acked == 0)
        .map(|x| x.variant.as_str())
        .collect();
    if !silent.is_empty() && !acked.is_empty() {
        notes.push(format!(
            "{} acknowledged no write, so it has no curve.",
            join(&silent)
        ));
    }
    notes
}

fn lag_notes(shown: &[&SimResult]) -> Vec<String> {
    let s: Vec<&Summary> = shown.iter().map(|r| &r.summary).collect();
    let mut notes = Vec::new();
    let high = pick(&s, true, |x| x.lag_max_s);
    let low = pick(&s, false, |x| x.lag_max_s);
    notes.push(if high.lag_max_s == low.lag_max_s {
        format!(
            "The namespace lag peaked at {} in every variant.",
            secs(high.lag_max_s)
        )
    } else {
        format!(
            "The namespace lag peaked at {} under {}; the lowest peak was {} under {}.",
            secs(high.lag_max_s),
            high.variant,
            secs(low.lag_max_s),
            low.variant
        )
    });
    let throttled: Vec<String> = s
        .iter()
        .filter(|x| x.throttled_s > 0.0)
        .map(|x| {
            format!(
                "{} spent {} with its lag above its max_lag of {}, throttling writes",
                x.variant,
                secs(x.throttled_s),
                secs(x.max_lag_s)
            )
        })
        .collect();
    notes.push(if throttled.is_empty() {
        "No variant's lag went above its max_lag, so no write was throttled.".to_string()
    } else {
        format!("{}.", throttled.join("; "))
    });
    notes.push(outage_sentence(shown));
    notes
}

fn outage_sentence(shown: &[&SimResult]) -> String {
    let mut seen = Vec::new();
    for r in shown {
        for o in &r.outages {
            if !seen.contains(&o) {
                seen.push(o);
            }
        }
    }
    seen.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let parts: Vec<String> = seen
        .iter()
        .map(|o| {
            format!(
                "{} {} from {} to {}",
                o.target,
                o.kind,
                secs(o.start_s),
                secs(o.end_s)
            )
        })
        .collect();
    match parts.len() {
        0 => "The run had no outage.".to_string(),
        1 => format!("The run had one outage: {}.", parts[0]),
        n => format!("The run had {n} outages: {}.", parts.join("; ")),
    }
}

fn availability_notes(shown: &[&SimResult]) -> Vec<String> {
    let s: Vec<&Summary> = shown.iter().map(|r| &r.summary).collect();
    let mut notes = Vec::new();
    let best = pick(&s, true, |x| x.availability);
    let worst = pick(&s, false, |x| x.availability);
    notes.push(
        if fmt_pct(best.availability) == fmt_pct(worst.availability) {
            format!(
                "Every variant acknowledged {} of the writes offered after warm-up.",
                fmt_pct(best.availability)
            )
        } else {
            format!(
                "{} acknowledged {} of the writes offered after warm-up, {} only {}.",
                best.variant,
                fmt_pct(best.availability),
                worst.variant,
                fmt_pct(worst.availability)
            )
        },
    );
    let refused = worst.attempts_throttled
        + worst.attempts_readonly
        + worst.attempts_unavailable
        + worst.attempts_timed_out;
    if refused > 0 {
        notes.push(format!(
            "Failed attempts under {}: {} throttled, {} read-only, {} unavailable, {} timed out.",
            worst.variant,
            worst.attempts_throttled,
            worst.attempts_readonly,
            worst.attempts_unavailable,
            worst.attempts_timed_out
        ));
    }
    notes.push(promotion_sentence(shown));
    notes
}

fn promotion_sentence(shown: &[&SimResult]) -> String {
    let promoting: Vec<&SimResult> = shown
        .iter()
        .copied()
        .filter(|r| !r.promotions.is_empty())
        .collect();
    let Some(first) = promoting.first() else {
        return "No variant promoted a secondary.".to_string();
    };
    let p = &first.promotions[0];
    let outcome = match p.completed_s {
        Some(done) => format!("completed after {}", secs(done - p.requested_s)),
        None => "not completed when the run ended".to_string(),
    };
    let who = if promoting.len() == shown.len() && shown.len() > 1 {
        "Every variant promoted".to_string()
    } else {
        format!("{} of {} variants promoted", promoting.len(), shown.len())
    };
    format!(
        "{who}; under {} the {} promotion of {} to {} was requested at {} and {outcome}.",
        first.summary.variant,
        p.kind,
        p.from,
        p.to,
        secs(p.requested_s)
    )
}

fn rpo_rto_notes(s: &[&Summary]) -> Vec<String> {
    let mut notes = Vec::new();
    let losers: Vec<&Summary> = s.iter().copied().filter(|x| x.writes_lost > 0).collect();
    if losers.is_empty() {
        notes.push("No variant lost an acknowledged write: every RPO is 0 s.".to_string());
    } else {
        let worst = pick(&losers, true, |x| x.writes_lost as f64);
        let at = match worst.promotion.as_str() {
            "planned>forced" => "the escalated (planned, then forced) promotion".to_string(),
            "none" => "a promotion".to_string(),
            kind => format!("the {kind} promotion"),
        };
        notes.push(format!(
            "{} lost {} acknowledged writes at {at}, an RPO of {}.",
            worst.variant,
            worst.writes_lost,
            secs(worst.rpo_s)
        ));
        let safe: Vec<&str> = s
            .iter()
            .filter(|x| x.writes_lost == 0)
            .map(|x| x.variant.as_str())
            .collect();
        if !safe.is_empty() {
            notes.push(format!("{} lost none.", join(&safe)));
        }
    }
    let with_rto: Vec<&Summary> = s.iter().copied().filter(|x| x.rto_s.is_some()).collect();
    let rto = |x: &Summary| x.rto_s.unwrap_or(0.0);
    notes.push(if with_rto.is_empty() {
        "The primary had no outage in this run, so no variant has an RTO.".to_string()
    } else {
        let long = pick(&with_rto, true, rto);
        let short = pick(&with_rto, false, rto);
        if rto(long) == rto(short) {
            format!(
                "Writes were acknowledged again {} after the primary's outage began (RTO) in every variant that had one.",
                secs(rto(long))
            )
        } else {
            format!(
                "The RTO ranged from {} under {} to {} under {}.",
                secs(rto(short)),
                short.variant,
                secs(rto(long)),
                long.variant
            )
        }
    });
    notes
}

fn tradeoff_notes(s: &[&Summary]) -> Vec<String> {
    let acked: Vec<&Summary> = s.iter().copied().filter(|x| x.writes_acked > 0).collect();
    if acked.is_empty() {
        return vec![
            "No variant acknowledged a write, so there is no latency to trade against RPO."
                .to_string(),
        ];
    }
    let mut notes = Vec::new();
    if let [one] = acked.as_slice() {
        notes.push(format!(
            "{}: p99 latency {}, RPO {}, {} of writes acknowledged.",
            one.variant,
            ms(one.latency_p99_ms),
            secs(one.rpo_s),
            fmt_pct(one.availability)
        ));
        return notes;
    }
    let fast = pick_by(&acked, false, |x| [x.latency_p99_ms, x.rpo_s]);
    let safe = pick_by(&acked, false, |x| [x.rpo_s, x.latency_p99_ms]);
    notes.push(if fast.variant == safe.variant {
        format!(
            "{} is best on both counts: a p99 of {} and an RPO of {}.",
            fast.variant,
            ms(fast.latency_p99_ms),
            secs(fast.rpo_s)
        )
    } else {
        format!(
            "{} has the lowest p99 latency ({}) but an RPO of {}; {} has the lowest RPO ({}) at a p99 of {}.",
            fast.variant,
            ms(fast.latency_p99_ms),
            secs(fast.rpo_s),
            safe.variant,
            secs(safe.rpo_s),
            ms(safe.latency_p99_ms)
        )
    });
    let best = pick(s, true, |x| x.availability);
    let worst = pick(s, false, |x| x.availability);
    notes.push(
        if fmt_pct(best.availability) == fmt_pct(worst.availability) {
            format!(
                "All variants acknowledged {} of their writes.",
                fmt_pct(best.availability)
            )
        } else {
            format!(
                "Availability ranges from {} ({}) to {} ({}).",
                fmt_pct(worst.availability),
                worst.variant,
                fmt_pct(best.availability),
                best.variant
            )
        },
    );
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_names() {
        assert_eq!(join(&["a"]), "a");
        assert_eq!(join(&["a", "b"]), "a and b");
        assert_eq!(join(&["a", "b", "c"]), "a, b and c");
    }
}
