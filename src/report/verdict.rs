//! What a reader needs first: the key figures per variant and, with `[objectives]`, the
//! verdict (SPEC §8) — a table of variant × objective and one sentence. Plain text cells
//! and sentences, shared by report.html and the terminal summary so both say the same
//! thing in the same units; escaping is the page's job.
//!
//! Every claim is computed from the same [`crate::objectives::Check`]s that fill the
//! `objectives_met` / `objectives_missed` columns. "Best" is said only of a variant at
//! least as good as every other on the figure named, and equal figures are said as ties.
//!
//! Long because the verdict's table and sentence, the key figures and the availability
//! line are one vocabulary (units, "n/a", ties) that must stay together to stay equal.

use crate::format::{fmt_count, fmt_ms, fmt_num, fmt_pct, TimeUnit};
use crate::model::Model;
use crate::objectives::{self, Check, Key};
use crate::report::charts::shown_runs;
use crate::results::{SimResult, Summary};
use crate::year::YearFigures;

/// A table of plain-text cells: a header and rows of the same width.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One variant over its runs, as the verdict sees it.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    pub variant: &'a str,
    /// Per objective set, the worst run's check (the smallest slack).
    pub checks: Vec<Check>,
    /// Any run promoted a secondary (so the RPO was put to the test).
    pub promoted: bool,
    pub runs: usize,
    /// With a year of failures (`geosim::year`): the availability objective against
    /// the year's availability, judged beside the run's own.
    pub year: Option<Check>,
    /// With a year of failures: (promotions a year, the largest loss of one incident),
    /// what the year says about an RPO the run did not test.
    pub year_failovers: Option<(f64, u64)>,
}

/// One objective as the verdict judges it: a check, and whether it is over the year
/// of failures rather than the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub check: Check,
    pub over_year: bool,
}

impl Item {
    /// Where two items are the same column of the verdict table.
    fn slot(&self) -> (Key, bool) {
        (self.check.key, self.over_year)
    }
}

impl Judged<'_> {
    /// Every objective that applies is met (in every run, and over the year); `None`:
    /// none applies.
    pub fn met(&self) -> Option<bool> {
        let judged: Vec<bool> = self.items().iter().filter_map(|i| i.check.met()).collect();
        (!judged.is_empty()).then(|| judged.iter().all(|&m| m))
    }

    /// The run's checks in SPEC §8 order, then the year's.
    pub fn items(&self) -> Vec<Item> {
        let run = self.checks.iter().map(|&check| Item {
            check,
            over_year: false,
        });
        let year = self.year.map(|check| Item {
            check,
            over_year: true,
        });
        run.chain(year).collect()
    }
}

/// The variants in report order, each with all its runs.
fn by_variant<'a>(model: &Model, results: &'a [SimResult]) -> Vec<(usize, Vec<&'a Summary>)> {
    shown_runs(model, results)
        .into_iter()
        .map(|(index, shown)| {
            let runs = results
                .iter()
                .filter(|r| r.summary.variant == shown.summary.variant)
                .map(|r| &r.summary)
                .collect();
            (index, runs)
        })
        .collect()
}

/// The variants judged against their objectives; empty when no variant has any.
pub fn judged<'a>(model: &Model, results: &'a [SimResult]) -> Vec<Judged<'a>> {
    judged_with_year(model, results, None)
}

/// As [`judged`], and with the figures of a year of failures, each variant's
/// availability objective also against its availability over the year: a run too
/// short to draw a failure must not pass for a year without one.
pub fn judged_with_year<'a>(
    model: &Model,
    results: &'a [SimResult],
    year: Option<&[YearFigures]>,
) -> Vec<Judged<'a>> {
    let mut out = Vec::new();
    for (index, runs) in by_variant(model, results) {
        let Some(v) = model.variants.get(index) else {
            continue;
        };
        if v.objectives.is_empty() {
            continue;
        }
        let mut j = judge_runs(&v.objectives, &runs);
        let row = year.and_then(|rows| rows.iter().find(|r| r.variant == j.variant));
        j.year_failovers = row.map(|r| (r.promotions_per_year, r.loss_max));
        if let (Some(row), Some(limit)) = (row, v.objectives.availability) {
            j.year = Some(Check {
                key: Key::Availability,
                limit,
                figure: Some(row.availability),
            });
        }
        out.push(j);
    }
    out
}

/// One variant's runs against `o`: per key, the run with the least slack.
pub fn judge_runs<'a>(o: &crate::model::Objectives, runs: &[&'a Summary]) -> Judged<'a> {
    let mut checks: Vec<Check> = Vec::new();
    for s in runs {
        for c in objectives::checks(o, s) {
            match checks.iter_mut().find(|k| k.key == c.key) {
                None => checks.push(c),
                Some(k) => {
                    let worse = match (c.slack(), k.slack()) {
                        (Some(a), Some(b)) => a < b,
                        (Some(_), None) => true,
                        _ => false,
                    };
                    if worse {
                        *k = c;
                    }
                }
            }
        }
    }
    Judged {
        variant: runs.first().map_or("", |s| s.variant.as_str()),
        checks,
        promoted: runs.iter().any(|s| s.promotion != "none"),
        runs: runs.len(),
        year: None,
        year_failovers: None,
    }
}

/// How a report writes its figures: the scenario's currency and the report's one time
/// unit ([`crate::report::time_unit`]) for every duration of the run.
#[derive(Debug, Clone, Copy)]
pub struct Units<'a> {
    pub currency: &'a str,
    pub time: TimeUnit,
}

impl<'a> Units<'a> {
    pub fn of(model: &'a Model) -> Units<'a> {
        Units {
            currency: model.cost.as_ref().map_or("", |c| c.currency.as_str()),
            time: crate::report::time_unit(model),
        }
    }
}

/// A figure of objective `key` as people read it: durations in the report's time unit,
/// write latency in ms, shares as percentages.
pub fn fmt_figure(key: Key, v: f64, u: Units) -> String {
    match key {
        Key::Rpo | Key::Rto => u.time.fmt(v),
        Key::Availability | Key::StaleReadShare => fmt_pct(v),
        Key::LatencyP99 => fmt_ms(v),
        Key::CostMonth => format!("{} {}", fmt_num(v), u.currency),
    }
}

/// "RPO at most 5 s", "availability at least 99.9%".
pub fn describe(key: Key, limit: f64, u: Units) -> String {
    let what = match key {
        Key::Rpo => "RPO",
        Key::Rto => "RTO",
        Key::Availability => "availability",
        Key::LatencyP99 => "first-try p99 latency",
        Key::StaleReadShare => "stale-read share",
        Key::CostMonth => "cost per month",
    };
    let bound = if key.at_most() { "at most" } else { "at least" };
    format!("{what} {bound} {}", fmt_figure(key, limit, u))
}

/// [`describe`] of an item: "availability over a year of failures at least 99.9%".
fn describe_item(item: &Item, u: Units) -> String {
    let d = describe(item.check.key, item.check.limit, u);
    if item.over_year {
        d.replacen("availability", "availability over a year of failures", 1)
    } else {
        d
    }
}

/// The objective's name in a list of misses: `rpo`, `availability over a year`.
fn item_name(item: &Item) -> String {
    if item.over_year {
        format!("{} over a year", item.check.key.name())
    } else {
        item.check.key.name().to_string()
    }
}

/// The verdict table: a row per variant, a column per objective (figure and ✓ / ✗, or
/// "n/a" where it cannot apply), and whether it meets them all.
pub fn verdict_table(model: &Model, judged: &[Judged]) -> Table {
    let cur = Units::of(model);
    // The columns: each objective of the run, then those over the year, each with the
    // first limit met (per-variant limits can differ: a cell whose own limit differs
    // says so).
    let mut slots: Vec<Item> = Vec::new();
    for j in judged {
        for item in j.items() {
            if !slots.iter().any(|s| s.slot() == item.slot()) {
                slots.push(item);
            }
        }
    }
    slots.sort_by_key(|i| (i.over_year, Key::ALL.iter().position(|a| *a == i.check.key)));
    let mut header = vec!["variant".to_string()];
    for slot in &slots {
        header.push(describe_item(slot, cur));
    }
    header.push("every objective".to_string());
    let rows = judged
        .iter()
        .map(|j| {
            let mut row = vec![j.variant.to_string()];
            let items = j.items();
            for slot in &slots {
                let (k, limit) = (slot.check.key, slot.check.limit);
                row.push(match items.iter().find(|i| i.slot() == slot.slot()) {
                    None => "not set".to_string(),
                    Some(Item { check: c, .. }) => {
                        let own = if c.limit != limit {
                            format!(" (limit {})", fmt_figure(k, c.limit, cur))
                        } else {
                            String::new()
                        };
                        match (c.figure, c.met()) {
                            (Some(f), Some(true)) => format!("{} ✓{own}", fmt_figure(k, f, cur)),
                            (Some(f), _) => format!("{} ✗{own}", fmt_figure(k, f, cur)),
                            (None, _) => not_applicable(k).to_string(),
                        }
                    }
                });
            }
            row.push(match j.met() {
                Some(true) => "met".to_string(),
                Some(false) => "missed".to_string(),
                None => "nothing to judge".to_string(),
            });
            row
        })
        .collect();
    Table { header, rows }
}

fn not_applicable(key: Key) -> &'static str {
    match key {
        Key::Rto => "n/a: no primary outage",
        Key::StaleReadShare => "n/a: no read answered",
        Key::CostMonth => "n/a: no [cost]",
        Key::LatencyP99 => "n/a: no write acknowledged",
        Key::Rpo | Key::Availability => "n/a",
    }
}

/// "a", "a and b", "a, b and c".
pub fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The verdict sentence (SPEC §8): the variants that meet every objective and, among
/// them, the best on the objective with the least slack; or, when none does, the
/// objective each comes closest to. `None` without objectives.
pub fn verdict_sentence(judged: &[Judged], units: Units) -> Option<String> {
    if judged.is_empty() {
        return None;
    }
    let meeting: Vec<&Judged> = judged.iter().filter(|j| j.met() == Some(true)).collect();
    let unjudged: Vec<&str> = judged
        .iter()
        .filter(|j| j.met().is_none())
        .map(|j| j.variant)
        .collect();
    let mut out = if meeting.is_empty() {
        none_meets(judged, units)
    } else {
        some_meet(judged, &meeting, units)
    };
    if !unjudged.is_empty() {
        out.push_str(&format!(
            " No objective applies to {} in this run.",
            join(&unjudged)
        ));
    }
    let rpo_untested = meeting
        .iter()
        .any(|j| !j.promoted && j.checks.iter().any(|c| c.key == Key::Rpo));
    if rpo_untested {
        let names: Vec<&str> = meeting
            .iter()
            .filter(|j| !j.promoted && j.checks.iter().any(|c| c.key == Key::Rpo))
            .map(|j| j.variant)
            .collect();
        let tested: Vec<&&Judged> = meeting
            .iter()
            .filter(|j| !j.promoted && j.checks.iter().any(|c| c.key == Key::Rpo))
            .filter(|j| j.year_failovers.is_some_and(|(p, _)| p > 0.0))
            .collect();
        out.push_str(&if !tested.is_empty() && tested.len() == names.len() {
            let lost = tested
                .iter()
                .filter_map(|j| j.year_failovers)
                .map(|(_, max)| max)
                .max()
                .unwrap_or(0);
            let per_year: Vec<String> = tested
                .iter()
                .filter_map(|j| j.year_failovers)
                .map(|(p, _)| fmt_num(p))
                .collect();
            let promotions = if per_year.iter().all(|p| *p == per_year[0]) {
                format!("{} times a year", per_year[0])
            } else {
                "several times a year".to_string()
            };
            let loss = if lost == 0 {
                "no acknowledged write is lost at any of those promotions".to_string()
            } else {
                format!(
                    "one promotion loses up to {} acknowledged writes",
                    fmt_count(lost)
                )
            };
            format!(
                " No failover happened in the run under {}; over a year of failures {} {promotions}, and {loss}.",
                join(&names),
                if names.len() > 1 { "they promote" } else { "it promotes" }
            )
        } else if names.len() > 1 {
            format!(
                " No failover happened under {}, so their RPO objectives were not put to the test.",
                join(&names)
            )
        } else {
            format!(
                " No failover happened under {}, so its RPO objective was not put to the test.",
                join(&names)
            )
        });
    }
    let rto_untested: Vec<&str> = judged
        .iter()
        .filter(|j| {
            j.checks
                .iter()
                .any(|c| c.key == Key::Rto && c.figure.is_none())
        })
        .map(|j| j.variant)
        .collect();
    if !rto_untested.is_empty() && rto_untested.len() == judged.len() {
        out.push_str(" The RTO objective did not apply: the primary had no outage.");
    }
    Some(out)
}

fn some_meet(judged: &[Judged], meeting: &[&Judged], cur: Units) -> String {
    let names: Vec<&str> = meeting.iter().map(|j| j.variant).collect();
    let mut out = if meeting.len() == judged.len() && judged.len() > 1 {
        format!("Every variant meets every objective ({}).", join(&names))
    } else if meeting.len() == 1 {
        format!("Only {} meets every objective.", names[0])
    } else {
        format!("{} meet every objective.", join(&names))
    };
    // The objective with the least slack among the variants that meet everything;
    // ties keep the first found (SPEC §8 order, the run's before the year's).
    let mut tightest: Option<(Item, f64)> = None;
    for j in meeting {
        for item in j.items() {
            if let Some(slack) = item.check.slack() {
                if tightest.is_none_or(|(_, s)| slack < s) {
                    tightest = Some((item, slack));
                }
            }
        }
    }
    let Some((tight, _)) = tightest else {
        return out;
    };
    let key = tight.check.key;
    let on_key: Vec<(&str, f64, f64)> = meeting
        .iter()
        .filter_map(|j| {
            let item = j.items().into_iter().find(|i| i.slot() == tight.slot())?;
            Some((j.variant, item.check.figure?, item.check.slack()?))
        })
        .collect();
    let best_slack = on_key.iter().map(|x| x.2).fold(f64::NEG_INFINITY, f64::max);
    let best_fig = on_key
        .iter()
        .find(|x| x.2 == best_slack)
        .map_or(0.0, |x| x.1);
    let shown_best = fmt_figure(key, best_fig, cur);
    // Equal as printed is equal: a sentence must not rank figures the reader sees as one.
    let best: Vec<&str> = on_key
        .iter()
        .filter(|x| fmt_figure(key, x.1, cur) == shown_best)
        .map(|x| x.0)
        .collect();
    let others: Vec<String> = on_key
        .iter()
        .filter(|x| !best.contains(&x.0))
        .map(|x| format!("{} {}", x.0, fmt_figure(key, x.1, cur)))
        .collect();
    let what = describe_item(&tight, cur);
    if meeting.len() == 1 {
        out.push_str(&format!(
            " Its tightest objective is {what} ({shown_best})."
        ));
    } else if others.is_empty() {
        out.push_str(&format!(
            " The objective with the least slack is {what}, on which they tie at {shown_best}."
        ));
    } else if best.len() == 1 {
        out.push_str(&format!(
            " The objective with the least slack is {what}; {} is best on it with {shown_best} (against {}).",
            best[0],
            others.join(", ")
        ));
    } else {
        out.push_str(&format!(
            " The objective with the least slack is {what}; {} tie as best on it with {shown_best} (against {}).",
            join(&best),
            others.join(", ")
        ));
    }
    out
}

fn none_meets(judged: &[Judged], cur: Units) -> String {
    let parts: Vec<String> = judged
        .iter()
        .filter(|j| j.met() == Some(false))
        .map(|j| {
            let missed: Vec<Item> = j
                .items()
                .into_iter()
                .filter(|i| i.check.met() == Some(false))
                .collect();
            // The missed objective it comes closest to meeting: the largest slack.
            // Ties keep SPEC §8's order, the run's before the year's.
            let mut closest: Option<Item> = None;
            for i in &missed {
                let slack = i.check.slack().unwrap_or(f64::NEG_INFINITY);
                if closest.is_none_or(|b| slack > b.check.slack().unwrap_or(f64::NEG_INFINITY)) {
                    closest = Some(*i);
                }
            }
            let names: Vec<String> = missed.iter().map(item_name).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            match closest {
                Some(i) if missed.len() > 1 => format!(
                    "{} misses {}, closest on {} ({}, needs {})",
                    j.variant,
                    join(&names),
                    item_name(&i),
                    fmt_figure(i.check.key, i.check.figure.unwrap_or(0.0), cur),
                    bound_only(i.check.key, i.check.limit, cur)
                ),
                Some(i) => format!(
                    "{} misses only {} ({}, needs {})",
                    j.variant,
                    item_name(&i),
                    fmt_figure(i.check.key, i.check.figure.unwrap_or(0.0), cur),
                    bound_only(i.check.key, i.check.limit, cur)
                ),
                None => format!("{} misses nothing that applies", j.variant),
            }
        })
        .collect();
    format!("No variant meets every objective: {}.", parts.join("; "))
}

/// "at most 5 s", "at least 99.9%".
fn bound_only(key: Key, limit: f64, cur: Units) -> String {
    let bound = if key.at_most() { "at most" } else { "at least" };
    format!("{bound} {}", fmt_figure(key, limit, cur))
}

/// The key figures (SPEC §8, issue 17): per variant, the run the charts show (run 1),
/// numbers formatted for people; RPO and RTO in the report's time unit (that of its
/// charts and sentences), write latency in ms, availability as a percentage.
pub fn key_figures(model: &Model, results: &[SimResult]) -> Table {
    key_figures_with_year(model, results, None)
}

/// [`key_figures`], whose objectives column also counts the availability objective
/// over a year of failures (as the verdict does).
pub fn key_figures_with_year(
    model: &Model,
    results: &[SimResult],
    year: Option<&[YearFigures]>,
) -> Table {
    let judged = judged_with_year(model, results, year);
    let year_missed = |variant: &str| {
        judged
            .iter()
            .find(|j| j.variant == variant)
            .and_then(|j| j.year)
            .is_some_and(|c| c.met() == Some(false))
    };
    let shown: Vec<&Summary> = shown_runs(model, results)
        .into_iter()
        .map(|(_, r)| &r.summary)
        .collect();
    let unit = crate::report::time_unit(model);
    let with_objectives = model.variants.iter().any(|v| !v.objectives.is_empty());
    let mut header: Vec<String> = [
        "variant",
        "first-try p50 (ms)",
        "first-try p99 (ms)",
        "availability",
        "failed",
        "in flight at end",
        "throttled",
        "read-only",
        "timed out",
        "lost",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.push(format!("RPO ({})", unit.label));
    header.push(format!("RTO ({})", unit.label));
    if let Some(c) = &model.cost {
        header.push(format!("cost/month ({})", c.currency));
    }
    if with_objectives {
        header.push("objectives".to_string());
    }
    let rows = shown
        .iter()
        .map(|s| {
            let mut row = vec![
                s.variant.clone(),
                first_try(s, s.first_try_latency_p50_ms),
                first_try(s, s.first_try_latency_p99_ms),
                fmt_pct(s.availability),
                fmt_count(s.writes_failed),
                fmt_count(s.writes_in_flight),
                fmt_count(s.attempts_throttled),
                fmt_count(s.attempts_readonly),
                fmt_count(s.attempts_timed_out),
                fmt_count(s.writes_lost),
                if s.promotion == "none" {
                    "no failover".to_string()
                } else {
                    unit.number(s.rpo_s)
                },
                s.rto_s
                    .map_or("no primary outage".to_string(), |v| unit.number(v)),
            ];
            if model.cost.is_some() {
                row.push(s.cost.map_or("n/a".to_string(), |b| fmt_num(b.cost_month)));
            }
            if with_objectives {
                let mut missed: Vec<&str> = s.objectives_missed.clone();
                if year_missed(&s.variant) {
                    missed.push("availability over a year");
                }
                row.push(match s.objectives_met {
                    _ if !missed.is_empty() => format!("missed: {}", missed.join(", ")),
                    Some(_) => "all met".to_string(),
                    None => "—".to_string(),
                });
            }
            row
        })
        .collect();
    Table { header, rows }
}

fn first_try(s: &Summary, v: f64) -> String {
    if s.writes_acked == 0 {
        "—".to_string()
    } else {
        fmt_num(v)
    }
}

/// One line on what keeps availability (acknowledged / offered) below 100 % in this
/// run, from the figures of the shown runs.
pub fn availability_line(model: &Model, results: &[SimResult]) -> String {
    let shown: Vec<&Summary> = shown_runs(model, results)
        .into_iter()
        .map(|(_, r)| &r.summary)
        .collect();
    let Some(worst) = shown
        .iter()
        .copied()
        .min_by(|a, b| a.availability.total_cmp(&b.availability))
    else {
        return String::new();
    };
    if shown.iter().all(|s| s.writes_offered == s.writes_acked) {
        return "Availability is writes acknowledged / writes offered after warm-up; every \
                offered write was acknowledged."
            .to_string();
    }
    let in_flight_max = shown.iter().map(|s| s.writes_in_flight).max().unwrap_or(0);
    let failed_any = shown.iter().any(|s| s.writes_failed > 0);
    let mut causes = Vec::new();
    if failed_any {
        let attempts = [
            (worst.attempts_throttled, "throttled"),
            (worst.attempts_readonly, "read-only"),
            (worst.attempts_unavailable, "unavailable"),
            (worst.attempts_timed_out, "timed out"),
        ];
        let refused: Vec<String> = attempts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{} {what}", fmt_count(*n)))
            .collect();
        causes.push(format!(
            "writes that failed after every retry ({} under {}, whose failed attempts were {})",
            fmt_count(worst.writes_failed),
            worst.variant,
            if refused.is_empty() {
                "none".to_string()
            } else {
                join(&refused.iter().map(String::as_str).collect::<Vec<_>>())
            }
        ));
    }
    if in_flight_max > 0 {
        causes.push(format!(
            "writes still in flight when the run stopped (up to {} per variant), which count as offered but not acknowledged",
            fmt_count(in_flight_max)
        ));
    }
    format!(
        "Availability is writes acknowledged / writes offered after warm-up; below 100% here because of {}.",
        causes.join(", and ")
    )
}
