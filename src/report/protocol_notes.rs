//! The sentences on the protocols of Part II that the report writes under the lag chart
//! and the terminal summary ends with: whose lag a `lag_quorum` variant counts, how
//! often and how long semi-sync fell back to async and what a promotion requested
//! meanwhile lost, and what a snapshot-mode variant's recovery points were and what a
//! failover restored. Each says only what the figures of the shown run (run 1 of each
//! variant) show; plain text, escaping is the page's job.

use crate::format::{fmt_count, TimeUnit};
use crate::model::{Model, Quorum};
use crate::report::charts;
use crate::report::verdict::join;
use crate::results::{SimResult, Summary};

/// The sentences on semi-sync fallbacks and recovery points, for the lag chart and the
/// end of the terminal summary (from the shown run of each variant); empty when no
/// variant ran semi-sync or snapshot mode.
pub fn protocol_notes(model: &Model, results: &[SimResult]) -> Vec<String> {
    let shown: Vec<&SimResult> = charts::shown_runs(model, results)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let unit = super::time_unit(model);
    mode_notes(model, &shown, unit)
}

pub(super) fn mode_notes(model: &Model, shown: &[&SimResult], unit: TimeUnit) -> Vec<String> {
    let mut notes: Vec<String> = quorum_lag_sentence(model, shown, unit)
        .into_iter()
        .collect();
    notes.extend(fallback_sentence(shown, unit));
    notes.extend(
        shown
            .iter()
            .filter(|r| r.summary.mode == "snapshot")
            .map(|r| snapshot_sentence(model, r, unit)),
    );
    notes
}

/// The variants whose lag counts over fewer than all ready secondaries (`lag_quorum`):
/// the lag they plot and throttle on is that of their k-th least behind one.
fn quorum_lag_sentence(model: &Model, shown: &[&SimResult], unit: TimeUnit) -> Option<String> {
    let parts: Vec<String> = shown
        .iter()
        .filter_map(|r| {
            let v = model.variants.iter().find(|v| v.name == r.summary.variant)?;
            let Quorum::Count(k) = v.lag_quorum else {
                return None;
            };
            if k as usize >= model.secondaries.len() {
                return None; // k of k: the largest lag, as "all"
            }
            let which = match k {
                1 => "its least behind ready secondary".to_string(),
                2 => "its second least behind ready secondary".to_string(),
                3 => "its third least behind ready secondary".to_string(),
                k => format!("its {k}th least behind ready secondary"),
            };
            Some(format!(
                "{}\u{2019}s lag is that of {which} (lag_quorum = {k}), so a lagging secondary beyond those does not raise it: it peaked at {}",
                r.summary.variant,
                unit.fmt(r.summary.lag_max_s)
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
}

/// How often and how long the semi-sync variants ran async, and what the promotions
/// requested meanwhile lost (the RPO only when every loss of the variant was one of them).
fn fallback_sentence(shown: &[&SimResult], unit: TimeUnit) -> Option<String> {
    let semi: Vec<&Summary> = shown
        .iter()
        .map(|r| &r.summary)
        .filter(|x| x.fallbacks.is_some())
        .collect();
    if semi.is_empty() {
        return None;
    }
    let never: Vec<&str> = semi
        .iter()
        .filter(|x| x.fallbacks == Some(0))
        .map(|x| x.variant.as_str())
        .collect();
    let mut parts: Vec<String> = semi
        .iter()
        .filter(|x| x.fallbacks.unwrap_or(0) > 0 || x.fallback_s.unwrap_or(0.0) > 0.0)
        .map(|x| {
            let n = x.fallbacks.unwrap_or(0);
            let lost = x.fallback_writes_lost.unwrap_or(0);
            let asked = x.fallback_promotions.unwrap_or(0);
            let which = match asked {
                1 => "a promotion requested while it was async".to_string(),
                k => format!("the {k} promotions requested while it was async"),
            };
            let cost = if asked == 0 {
                "no promotion was requested while it was async".to_string()
            } else if lost == x.writes_lost && lost > 0 {
                format!(
                    "{which} lost {}, an RPO of {}",
                    lost_phrase(lost),
                    unit.fmt(x.rpo_s)
                )
            } else {
                format!("{which} lost {}", lost_phrase(lost))
            };
            let spent = unit.fmt(x.fallback_s.unwrap_or(0.0));
            match n {
                0 => format!(
                    "{} fell back from semi-sync to async before warm-up and ran async for {spent} after it: {cost}",
                    x.variant
                ),
                1 => format!(
                    "{} fell back from semi-sync to async once, for {spent}: {cost}",
                    x.variant
                ),
                n => format!(
                    "{} fell back from semi-sync to async {} times, for {spent} in all: {cost}",
                    x.variant,
                    fmt_count(n)
                ),
            }
        })
        .collect();
    if !never.is_empty() {
        parts.push(format!("{} never fell back to async", join(&never)));
    }
    let mut sentence = parts.join("; ");
    sentence.push('.');
    Some(sentence)
}

/// What a snapshot-mode variant's recovery points were, and what a promotion restored.
fn snapshot_sentence(model: &Model, r: &SimResult, unit: TimeUnit) -> String {
    let x = &r.summary;
    let interval = model
        .variants
        .iter()
        .find(|v| v.name == x.variant)
        .map_or(String::new(), |v| {
            format!(
                ", one every {}",
                unit.fmt(crate::time::secs(v.snapshot_interval))
            )
        });
    let on = match r.promotions.last() {
        Some(p) => p.to.clone(),
        None => model
            .secondaries
            .first()
            .map_or(String::new(), |&s| model.regions[s].name.clone()),
    };
    let points = x.recovery_points.unwrap_or(0);
    let mut sentence = format!(
        "{} replicates by recovery points{interval}: {} completed on {on}",
        x.variant,
        fmt_count(points)
    );
    let failover = match r.promotions.as_slice() {
        [] => "; it did not fail over, so no point was restored.".to_string(),
        [p] if p.kind == "planned" && p.escalated_s.is_none() => format!(
            "; its planned promotion at {} shipped a final point of every acknowledged write and lost {}.",
            unit.fmt(p.requested_s),
            lost_phrase(x.writes_lost)
        ),
        [p] => format!(
            "; its forced promotion at {} restored the latest complete point and lost {}.",
            unit.fmt(p.escalated_s.unwrap_or(p.requested_s)),
            lost_with_rpo(x, unit)
        ),
        ps => format!(
            "; its {} promotions lost {} in all.",
            ps.len(),
            lost_with_rpo(x, unit)
        ),
    };
    sentence.push_str(&failover);
    sentence
}

fn lost_phrase(n: u64) -> String {
    match n {
        0 => "no acknowledged write".to_string(),
        1 => "1 acknowledged write".to_string(),
        n => format!("{} acknowledged writes", fmt_count(n)),
    }
}

fn lost_with_rpo(x: &Summary, unit: TimeUnit) -> String {
    if x.writes_lost == 0 {
        lost_phrase(0)
    } else {
        format!(
            "{}, an RPO of {}",
            lost_phrase(x.writes_lost),
            unit.fmt(x.rpo_s)
        )
    }
}
