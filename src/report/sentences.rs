//! The sentences `report.html` writes under each chart: two or three per chart,
//! generated from the figures of this run. A pure function of the model and the
//! results, kept apart from the markup so it can be snapshot-tested on its own
//! (tests/report/sentences.rs). It returns plain text; escaping is the page's job.
//!
//! A sentence is a claim: "best" or "lowest" is said only of a variant at least as good
//! as every other on each figure named, figures that print the same are said as ties,
//! and an RPO of 0 without a promotion reads "no failover happened" (nothing was put to
//! the test). Time points and durations of the run (lag, throttled time, RPO, RTO) are
//! all in the report's one time unit (the charts' axis unit, [`super::time_unit`]);
//! write latency is in ms.

use crate::format::{fmt_count, fmt_ms, fmt_pct, TimeUnit};
use crate::model::Model;
use crate::report::charts::{self, ChartKind};
use crate::report::protocol_notes;
use crate::results::{SimResult, Summary};

/// Two or three sentences per chart, from the figures of the shown run of each
/// variant (run 1), in [`ChartKind::ALL`] order. Plain text, not yet escaped.
pub fn chart_notes(model: &Model, results: &[SimResult]) -> Vec<(ChartKind, Vec<String>)> {
    let shown: Vec<&SimResult> = charts::shown_runs(model, results)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let s: Vec<&Summary> = shown.iter().map(|r| &r.summary).collect();
    let unit = super::time_unit(model);
    ChartKind::ALL
        .iter()
        .map(|&kind| {
            let notes = if s.is_empty() {
                vec!["There are no results to describe.".to_string()]
            } else {
                match kind {
                    ChartKind::LatencyCdf => latency_notes(&s),
                    ChartKind::Lag => {
                        let mut notes = lag_notes(&shown, unit);
                        notes.extend(protocol_notes::mode_notes(model, &shown, unit));
                        notes
                    }
                    ChartKind::Availability => availability_notes(&shown, unit),
                    ChartKind::RpoRto => rpo_rto_notes(&s, unit),
                    ChartKind::Tradeoff => tradeoff_notes(&s, unit),
                }
            };
            (kind, notes)
        })
        .collect()
}

fn ms(v: f64) -> String {
    fmt_ms(v)
}

use crate::report::verdict::join;

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
            if ms(tail.latency_p99_ms) != ms(best.latency_p99_ms) {
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

fn lag_notes(shown: &[&SimResult], unit: TimeUnit) -> Vec<String> {
    let secs = |v: f64| unit.fmt(v);
    let s: Vec<&Summary> = shown.iter().map(|r| &r.summary).collect();
    let mut notes = Vec::new();
    let high = pick(&s, true, |x| x.lag_max_s);
    let low = pick(&s, false, |x| x.lag_max_s);
    notes.push(if secs(high.lag_max_s) == secs(low.lag_max_s) {
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
            let why = match (x.max_lag_s, x.max_lag_writes) {
                (Some(l), None) => format!("with its lag above its max_lag of {}", secs(l)),
                (None, Some(k)) => format!("with its backlog above its max_lag_writes of {k}"),
                (Some(l), Some(k)) => format!(
                    "with its lag above its max_lag of {} or its backlog above its max_lag_writes of {k}",
                    secs(l)
                ),
                (None, None) => "in rule 4".to_string(),
            };
            format!(
                "{} spent {} {why}, throttling writes",
                x.variant,
                secs(x.throttled_s),
            )
        })
        .collect();
    notes.push(if throttled.is_empty() {
        "No variant's lag went above its max_lag, so no write was throttled.".to_string()
    } else {
        format!("{}.", throttled.join("; "))
    });
    notes.push(outage_sentence(shown, unit));
    notes
}

fn outage_sentence(shown: &[&SimResult], unit: TimeUnit) -> String {
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
                unit.number(o.start_s),
                unit.fmt(o.end_s)
            )
        })
        .collect();
    match parts.len() {
        0 => "The run had no outage.".to_string(),
        1 => format!("The run had one outage: {}.", parts[0]),
        n => format!("The run had {n} outages: {}.", parts.join("; ")),
    }
}

fn availability_notes(shown: &[&SimResult], unit: TimeUnit) -> Vec<String> {
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
            fmt_count(worst.attempts_throttled),
            fmt_count(worst.attempts_readonly),
            fmt_count(worst.attempts_unavailable),
            fmt_count(worst.attempts_timed_out)
        ));
    }
    notes.push(promotion_sentence(shown, unit));
    notes
}

fn promotion_sentence(shown: &[&SimResult], unit: TimeUnit) -> String {
    let promoting: Vec<&SimResult> = shown
        .iter()
        .copied()
        .filter(|r| !r.promotions.is_empty())
        .collect();
    let Some(first) = promoting.first() else {
        return "No variant promoted a secondary.".to_string();
    };
    let p = &first.promotions[0];
    let outcome_of = |p: &crate::results::PromotionRecord| match p.completed_s {
        Some(done) => format!("completed after {}", unit.fmt(done - p.requested_s)),
        None => "not completed when the run ended".to_string(),
    };
    let outcome = outcome_of(p);
    // `[policy] failback`: the first return to the scenario's primary, if any.
    let back = first
        .promotions
        .iter()
        .find(|r| r.failback)
        .map(|b| {
            format!(
                " It failed back to {} ({}): requested at {} and {}.",
                b.to,
                b.kind,
                unit.fmt(b.requested_s),
                outcome_of(b)
            )
        })
        .unwrap_or_default();
    let who = if promoting.len() == shown.len() && shown.len() > 1 {
        "Every variant promoted".to_string()
    } else {
        format!("{} of {} variants promoted", promoting.len(), shown.len())
    };
    format!(
        "{who}; under {} the {} promotion of {} to {} was requested at {} and {outcome}.{back}",
        first.summary.variant,
        p.kind,
        p.from,
        p.to,
        unit.fmt(p.requested_s)
    )
}

fn rpo_rto_notes(s: &[&Summary], unit: TimeUnit) -> Vec<String> {
    let secs = |v: f64| unit.fmt(v);
    let mut notes = Vec::new();
    let losers: Vec<&Summary> = s.iter().copied().filter(|x| x.writes_lost > 0).collect();
    let unpromoted: Vec<&str> = s
        .iter()
        .filter(|x| x.promotion == "none")
        .map(|x| x.variant.as_str())
        .collect();
    if unpromoted.len() == s.len() {
        notes.push(
            "No failover happened in this run, so no acknowledged write could be lost: \
             the RPO was not put to the test."
                .to_string(),
        );
    } else if losers.is_empty() {
        let promoted: Vec<&str> = s
            .iter()
            .filter(|x| x.promotion != "none")
            .map(|x| x.variant.as_str())
            .collect();
        notes.push(format!(
            "No acknowledged write was lost at a promotion: an RPO of {} under {}.",
            secs(0.0),
            join(&promoted)
        ));
    } else {
        let worst = pick(&losers, true, |x| x.writes_lost as f64);
        let at = match worst.promotion.as_str() {
            "planned>forced" => "the escalated (planned, then forced) promotion".to_string(),
            "none" => "a promotion".to_string(),
            kind => format!("the {kind} promotion"),
        };
        let most = losers
            .iter()
            .filter(|x| x.writes_lost == worst.writes_lost)
            .count();
        let who = if most > 1 {
            format!("{} variants, {} among them,", most, worst.variant)
        } else {
            worst.variant.clone()
        };
        notes.push(format!(
            "{who} lost {} acknowledged writes at {at}, an RPO of {}.",
            fmt_count(worst.writes_lost),
            secs(worst.rpo_s)
        ));
        let safe: Vec<&str> = s
            .iter()
            .filter(|x| x.writes_lost == 0 && x.promotion != "none")
            .map(|x| x.variant.as_str())
            .collect();
        if !safe.is_empty() {
            notes.push(format!("{} lost none at its promotion.", join(&safe)));
        }
    }
    if !unpromoted.is_empty() && unpromoted.len() < s.len() {
        notes.push(format!(
            "{} did not fail over, so an RPO of {} there is untested.",
            join(&unpromoted),
            secs(0.0)
        ));
    }
    let with_rto: Vec<&Summary> = s.iter().copied().filter(|x| x.rto_s.is_some()).collect();
    let rto = |x: &Summary| x.rto_s.unwrap_or(0.0);
    notes.push(if with_rto.is_empty() {
        "The primary had no outage in this run, so no variant has an RTO.".to_string()
    } else {
        let long = pick(&with_rto, true, rto);
        let short = pick(&with_rto, false, rto);
        if secs(rto(long)) == secs(rto(short)) {
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

/// The RPO of `x` as a sentence reads it: "no failover" where it was not tested.
fn rpo_phrase(x: &Summary, unit: TimeUnit) -> String {
    if x.promotion == "none" {
        "no failover".to_string()
    } else {
        format!("an RPO of {}", unit.fmt(x.rpo_s))
    }
}

/// The variants whose figure prints as the smallest one (ties as printed are ties).
fn lowest<'a>(
    s: &[&'a Summary],
    show: impl Fn(&Summary) -> String,
    key: impl Fn(&Summary) -> f64,
) -> Vec<&'a Summary> {
    let min = pick(s, false, &key);
    let shown = show(min);
    s.iter().copied().filter(|x| show(x) == shown).collect()
}

fn names(s: &[&Summary]) -> String {
    join(&s.iter().map(|x| x.variant.as_str()).collect::<Vec<_>>())
}

fn tradeoff_notes(s: &[&Summary], unit: TimeUnit) -> Vec<String> {
    let secs = |v: f64| unit.fmt(v);
    let acked: Vec<&Summary> = s.iter().copied().filter(|x| x.writes_acked > 0).collect();
    if acked.is_empty() {
        return vec![
            "No variant acknowledged a write, so there is no latency to trade against RPO."
                .to_string(),
        ];
    }
    let mut notes = Vec::new();
    let p99 = |x: &Summary| x.first_try_latency_p99_ms;
    if let [one] = acked.as_slice() {
        notes.push(format!(
            "{}: first-try p99 latency {}, {}, {} of writes acknowledged.",
            one.variant,
            ms(p99(one)),
            rpo_phrase(one, unit),
            fmt_pct(one.availability)
        ));
        return notes;
    }
    let fast = lowest(&acked, |x| ms(p99(x)), p99);
    let tested: Vec<&Summary> = acked
        .iter()
        .copied()
        .filter(|x| x.promotion != "none")
        .collect();
    if tested.is_empty() {
        notes.push(format!(
            "No failover happened, so only the latency side of the trade-off shows: {} {} the lowest first-try p99 ({}).",
            names(&fast),
            if fast.len() > 1 { "share" } else { "has" },
            ms(p99(fast[0]))
        ));
    } else {
        // Only variants that failed over have a tested RPO to rank.
        let safe = lowest(&tested, |x| secs(x.rpo_s), |x| x.rpo_s);
        let both: Vec<&Summary> = fast
            .iter()
            .copied()
            .filter(|x| safe.iter().any(|y| y.variant == x.variant))
            .collect();
        if !both.is_empty() && tested.len() == acked.len() {
            notes.push(if both.len() == 1 {
                format!(
                    "{} is at least as good as every other variant on both counts: a first-try p99 of {} and an RPO of {}.",
                    both[0].variant,
                    ms(p99(both[0])),
                    secs(both[0].rpo_s)
                )
            } else {
                format!(
                    "{} tie as best on both counts: a first-try p99 of {} and an RPO of {}.",
                    names(&both),
                    ms(p99(both[0])),
                    secs(both[0].rpo_s)
                )
            });
        } else {
            let verb = |v: &[&Summary]| if v.len() > 1 { "share" } else { "has" };
            // With one variant on a side, its other figure too; with a tie, the chart.
            let fast_rpo = match fast.as_slice() {
                [one] => format!(" but {}", rpo_phrase(one, unit)),
                _ => String::new(),
            };
            let safe_p99 = match safe.as_slice() {
                [one] => format!(", at a first-try p99 of {}", ms(p99(one))),
                _ => String::new(),
            };
            notes.push(format!(
                "{} {} the lowest first-try p99 ({}){fast_rpo}; among the variants that failed over, {} {} the lowest RPO ({}){safe_p99}.",
                names(&fast),
                verb(&fast),
                ms(p99(fast[0])),
                names(&safe),
                verb(&safe),
                secs(safe[0].rpo_s),
            ));
        }
    }
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
