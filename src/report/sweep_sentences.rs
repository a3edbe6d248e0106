//! The sweep report's conclusion: per charted figure, one sentence from the means of
//! the grid (`sweep_charts`' series, in the charts' units), plain text.
//!
//! As everywhere in the report, figures that print the same are ties, and a sentence
//! says only what the means say: where a figure is 0 at the lowest setting and first
//! leaves 0 (the threshold a capacity study looks for), and its lowest and highest.
//!
//! With `[objectives]`, one more sentence says where every objective holds in every run,
//! per series, along the charts' axis: "up to 293 writes/s", "from 300 s", "at every
//! setting", or the settings themselves — computed by [`where_objectives_hold`], which a
//! property test checks against the runs.

use super::sweep_series::{layout, look, series, series_of, Layout, Series};
use crate::format::{fmt_num, fmt_pct, fmt_sig};
use crate::sweep::data::SweepData;
use crate::sweep::figures::FIGURES;

/// The x value of a point as the axis labels it.
fn x_label(layout: &Layout, x: f64) -> String {
    match &layout.categories {
        Some(c) => c.get(x.round() as usize).cloned().unwrap_or_default(),
        None => fmt_sig(x),
    }
}

/// "a", "a and b", "a, b and 3 more".
fn some(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    if refs.len() > 3 {
        format!("{}, {} and {} more", refs[0], refs[1], refs.len() - 2)
    } else {
        crate::report::verdict::join(&refs)
    }
}

/// "a", "a and b", "a, b and c": every name, for the objectives sentence, where each
/// name is an answer.
fn all(names: &[String]) -> String {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::report::verdict::join(&refs)
}

/// One sentence per figure in `figures` (indices into `FIGURES`).
pub fn conclusions(data: &SweepData, figures: &[usize]) -> Vec<String> {
    let layout = layout(data);
    figures
        .iter()
        .filter_map(|&f| conclusion(&layout, &series(data, f), f))
        .collect()
}

fn conclusion(layout: &Layout, series: &[Series], f: usize) -> Option<String> {
    let lk = look(FIGURES[f].name);
    // The name without its unit or gloss: "RPO", "p99 write latency".
    let title = lk
        .title
        .split([':', '('])
        .next()
        .unwrap_or(&lk.title)
        .trim()
        .to_string();
    let unit = lk.unit();
    // A share as a percentage the way every table prints it (99.9997% must not read
    // as 100%); other figures with three significant digits and their unit.
    let shown = |v: f64| {
        if lk.scale == 100.0 {
            fmt_pct(v / 100.0)
        } else {
            format!("{}{unit}", fmt_num(v))
        }
    };
    let all: Vec<(&Series, f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().map(move |p| (s, p.0, p.1)))
        .collect();
    let (first, _, _) = all.first()?;
    let first_shown = shown(all[0].2);
    if all.iter().all(|p| shown(p.2) == first_shown) {
        let who = if series.len() > 1 {
            "for every series"
        } else {
            first.label.as_str()
        };
        return Some(format!("{title}: {first_shown} at every setting ({who})."));
    }
    // Thresholds along a numeric axis: 0 at the lowest setting, then not.
    if layout.categories.is_none() {
        let zero = shown(0.0);
        let mut parts = Vec::new();
        let mut never = Vec::new();
        for s in series {
            let Some(k) = s.points.iter().position(|p| shown(p.1) != zero) else {
                never.push(s.label.clone());
                continue;
            };
            if k == 0 {
                continue;
            }
            let (x0, x1, v) = (s.points[k - 1].0, s.points[k].0, s.points[k].1);
            parts.push(format!(
                "{} up to {}, {} at {}",
                s.label,
                x_label(layout, x0),
                shown(v),
                x_label(layout, x1)
            ));
        }
        if !parts.is_empty() {
            let never = if never.is_empty() {
                String::new()
            } else {
                format!("; it stays 0 throughout for {}", some(&never))
            };
            return Some(format!(
                "{title} stays 0 along {} for {}{never}.",
                layout.x_title,
                parts.join("; ")
            ));
        }
    }
    // Per series, its range over the axis: the comparison the sweep was made for.
    let parts: Vec<String> = series
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| {
            let (lo, hi) = s
                .points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                    (l.min(p.1), h.max(p.1))
                });
            let at_value = |v: f64| -> Vec<String> {
                s.points
                    .iter()
                    .filter(|p| shown(p.1) == shown(v))
                    .map(|p| x_label(layout, p.0))
                    .collect()
            };
            if shown(lo) == shown(hi) {
                format!("{} {} at every setting", s.label, shown(lo))
            } else {
                format!(
                    "{} from {} ({}) to {} ({})",
                    s.label,
                    shown(lo),
                    some(&at_value(lo)),
                    shown(hi),
                    some(&at_value(hi))
                )
            }
        })
        .collect();
    Some(format!("{title}: {}.", parts.join("; ")))
}

/// Where every objective held, for one series, along the axis.
#[derive(Debug, Clone, PartialEq)]
pub enum Where {
    Everywhere,
    Nowhere,
    /// At every setting up to this x (the lowest settings, along a numeric axis).
    UpTo(f64),
    /// At every setting from this x (the highest settings, along a numeric axis).
    From(f64),
    /// At these settings (their x), no simpler shape fitting them.
    At(Vec<f64>),
}

/// Per series with at least one judged point: its label, and the settings at which every
/// objective held in every run of every judged grid point there (points where no
/// objective applied are left out).
pub fn where_objectives_hold(data: &SweepData) -> Vec<(String, Where)> {
    let numeric = layout(data).categories.is_none();
    series_of(data, |g| {
        g.objectives
            .holds()
            .map(|h| (if h { 1.0 } else { 0.0 }, 0.0))
    })
    .into_iter()
    .filter(|s| !s.points.is_empty())
    .map(|s| {
        let holds: Vec<bool> = s.points.iter().map(|p| p.1 == 1.0).collect();
        let xs: Vec<f64> = s.points.iter().map(|p| p.0).collect();
        let n = holds.iter().filter(|&&h| h).count();
        // The settings where it holds form a run from the lowest (or to the highest) one.
        let prefix = holds.iter().take_while(|&&h| h).count();
        let suffix = holds.iter().rev().take_while(|&&h| h).count();
        let w = if n == holds.len() {
            Where::Everywhere
        } else if n == 0 {
            Where::Nowhere
        } else if numeric && prefix == n {
            Where::UpTo(xs[n - 1])
        } else if numeric && suffix == n {
            Where::From(xs[xs.len() - n])
        } else {
            Where::At(
                xs.iter()
                    .zip(&holds)
                    .filter(|(_, &h)| h)
                    .map(|(&x, _)| x)
                    .collect(),
            )
        };
        (s.label, w)
    })
    .collect()
}

/// The sweep's objectives sentence, e.g. "Every objective holds in every run at write
/// rate up to 293 writes/s for async · replication.max_lag=5m; at every setting for
/// sync." `None` without objectives.
pub fn objectives_conclusion(data: &SweepData) -> Option<String> {
    let layout = layout(data);
    let found = where_objectives_hold(data);
    if found.is_empty() {
        return None;
    }
    // "write rate (writes/s)" → ("write rate", " writes/s").
    let (name, unit) = match layout.x_title.rsplit_once(" (") {
        Some((n, u)) if layout.categories.is_none() => {
            (n.to_string(), format!(" {}", u.trim_end_matches(')')))
        }
        _ => (layout.x_title.clone(), String::new()),
    };
    let x = |v: f64| format!("{}{unit}", x_label(&layout, v));
    let phrase = |w: &Where| match w {
        Where::Everywhere => "at every setting".to_string(),
        Where::Nowhere => String::new(),
        Where::UpTo(v) => format!("at {name} up to {}", x(*v)),
        Where::From(v) => format!("at {name} from {}", x(*v)),
        Where::At(vs) => {
            let shown: Vec<String> = vs.iter().map(|&v| x_label(&layout, v)).collect();
            format!("at {name} {}{unit}", all(&shown))
        }
    };
    // Series that share an answer are named together, in the charts' order.
    let mut clauses: Vec<(String, Vec<String>)> = Vec::new();
    let mut nowhere: Vec<String> = Vec::new();
    for (label, w) in &found {
        if *w == Where::Nowhere {
            nowhere.push(label.clone());
            continue;
        }
        let p = phrase(w);
        match clauses.iter_mut().find(|(q, _)| *q == p) {
            Some((_, who)) => who.push(label.clone()),
            None => clauses.push((p, vec![label.clone()])),
        }
    }
    let mut out = String::new();
    if !clauses.is_empty() {
        // One answer for every series is said once, not by listing them all.
        let everyone = if found.iter().any(|(l, _)| l.contains(" · ")) {
            "every variant at every setting of the other swept keys"
        } else {
            "every variant"
        };
        let parts: Vec<String> = clauses
            .iter()
            .map(|(p, who)| {
                if who.len() == found.len() && who.len() > 1 {
                    format!("{p} for {everyone}")
                } else {
                    format!("{p} for {}", all(who))
                }
            })
            .collect();
        out = format!("Every objective holds in every run {}.", parts.join("; "));
    }
    if !nowhere.is_empty() {
        let missed = missed_most(data);
        if clauses.is_empty() {
            let who = if nowhere.len() > 1 {
                "any variant".to_string()
            } else {
                all(&nowhere)
            };
            out = format!("At no setting does {who} meet every objective in every run{missed}.");
        } else {
            out.push_str(&format!(
                " It holds at no setting for {}{missed}.",
                all(&nowhere)
            ));
        }
    }
    Some(out)
}

/// ", missing rpo at 12 of 24 grid points × variants and availability at 3": the keys
/// missed, each with the number of judged groups where some run missed it.
fn missed_most(data: &SweepData) -> String {
    let groups = crate::sweep::data::groups(&data.rows);
    let judged = groups.iter().filter(|g| g.objectives.judged > 0).count();
    let mut counts: Vec<(&str, usize)> = crate::objectives::Key::ALL
        .iter()
        .map(|k| {
            let name = k.name();
            let n = groups
                .iter()
                .filter(|g| g.objectives.missed.contains(&name))
                .count();
            (name, n)
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    if counts.is_empty() {
        return String::new();
    }
    // Most often missed first; ties keep SPEC §8's order.
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let parts: Vec<String> = counts
        .iter()
        .enumerate()
        .map(|(i, (k, n))| {
            if i == 0 {
                format!("{k} at {n} of {judged} grid points × variants")
            } else {
                format!("{k} at {n}")
            }
        })
        .collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    format!(" (missed: {})", crate::report::verdict::join(&refs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::data::{RunRow, SweepHeader};
    use crate::sweep::grid::{parse_set, Grid};

    /// A sweep over `axes`, `variants` variants and `runs` runs, whose runs' verdicts
    /// come from `met(point, variant, run)`.
    fn sweep(
        axes: &[&str],
        variants: usize,
        runs: u32,
        met: impl Fn(usize, usize, u32) -> Option<bool>,
    ) -> SweepData {
        let grid = Grid::new(axes.iter().map(|a| parse_set(a).unwrap()).collect()).unwrap();
        let mut rows = Vec::new();
        for point in 0..grid.len() {
            for v in 0..variants {
                for run in 1..=runs {
                    let m = met(point, v, run);
                    rows.push(RunRow {
                        point,
                        variant_index: v,
                        variant: format!("v{v}"),
                        run,
                        mode: "async".into(),
                        max_lag_s: None,
                        promotion: "none".into(),
                        figures: vec![Some(1.0); FIGURES.len()],
                        objectives_met: m,
                        objectives_missed: if m == Some(false) {
                            vec!["rpo"]
                        } else {
                            vec![]
                        },
                    });
                }
            }
        }
        SweepData {
            header: SweepHeader {
                version: "0".into(),
                scenario: "s".into(),
                scenario_hash: "h".into(),
                seed: 1,
                description: String::new(),
                shape: vec![(variants, runs); grid.len()],
                lines: Vec::new(),
                grid,
            },
            rows,
        }
    }

    #[test]
    fn fixtures_of_each_shape() {
        let rates = "workload.rate=100,200,300,400";
        // v0 holds up to 200, v1 everywhere, v2 from 300, v3 nowhere.
        let d = sweep(&[rates], 4, 2, |p, v, _| {
            Some(match v {
                0 => p <= 1,
                1 => true,
                2 => p >= 2,
                _ => false,
            })
        });
        assert_eq!(
            objectives_conclusion(&d).unwrap(),
            "Every objective holds in every run at write rate up to 200 writes/s for v0; \
             at every setting for v1; at write rate from 300 writes/s for v2. \
             It holds at no setting for v3 (missed: rpo at 8 of 16 grid points × variants)."
        );
        // One run of four missing at a point is enough to lose that point; gaps are listed.
        let d = sweep(&[rates], 1, 4, |p, _, r| Some(!(p == 1 && r == 3)));
        assert_eq!(
            objectives_conclusion(&d).unwrap(),
            "Every objective holds in every run at write rate 100, 300 and 400 writes/s for v0."
        );
        // Categories: the settings by name; two variants with the same answer together.
        let d = sweep(
            &["replication.secondaries=eastus|westus2|uksouth"],
            2,
            1,
            |p, _, _| Some(p != 1),
        );
        assert_eq!(
            objectives_conclusion(&d).unwrap(),
            "Every objective holds in every run at secondary region eastus and uksouth for every variant."
        );
        let d = sweep(&[rates], 2, 1, |_, _, _| Some(false));
        assert_eq!(
            objectives_conclusion(&d).unwrap(),
            "At no setting does any variant meet every objective in every run \
             (missed: rpo at 8 of 8 grid points × variants)."
        );
        // No objective applied anywhere: no sentence; where one did not apply at a point,
        // the point is left out, not counted as met.
        assert_eq!(
            objectives_conclusion(&sweep(&[rates], 1, 1, |_, _, _| None)),
            None
        );
        let d = sweep(&[rates], 1, 1, |p, _, _| (p != 3).then_some(true));
        assert_eq!(
            where_objectives_hold(&d),
            vec![("v0".to_string(), Where::Everywhere)]
        );
    }

    /// A small fixed-seed generator (the test must reproduce: no clock seed).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// On random sweeps, every claim agrees with the runs themselves: a setting is said to
    /// hold exactly when every judged run of that point and series met every objective.
    #[test]
    fn claims_never_contradict_the_runs() {
        let mut rng = Lcg(17);
        for case in 0..500 {
            let rates = 2 + rng.below(5) as usize;
            let values: Vec<String> = (0..rates).map(|i| (100 * (i + 1)).to_string()).collect();
            let lags = 1 + rng.below(2) as usize;
            let lag_values = ["1m", "5m"][..lags].join(",");
            let (variants, runs) = (1 + rng.below(3) as usize, 1 + rng.below(3) as u32);
            let verdicts: Vec<Option<bool>> = (0..rates * lags * variants * runs as usize)
                .map(|_| match rng.below(5) {
                    0 => None,
                    1 => Some(false),
                    _ => Some(true),
                })
                .collect();
            let at = |p: usize, v: usize, r: u32| {
                verdicts[(p * variants + v) * runs as usize + r as usize - 1]
            };
            let axes = [
                format!("workload.rate={}", values.join(",")),
                format!("replication.max_lag={lag_values}"),
            ];
            let d = sweep(&[&axes[0], &axes[1]], variants, runs, at);
            let claims = where_objectives_hold(&d);
            let sentence = objectives_conclusion(&d);
            assert_eq!(claims.is_empty(), sentence.is_none(), "case {case}");
            // Brute force, from the rows: per (lag, variant), rate → holds.
            for lag in 0..lags {
                for v in 0..variants {
                    let truth: Vec<(f64, bool)> = (0..rates)
                        .filter_map(|r| {
                            let p = r * lags + lag;
                            let judged: Vec<bool> =
                                (1..=runs).filter_map(|run| at(p, v, run)).collect();
                            (!judged.is_empty())
                                .then(|| ((100 * (r + 1)) as f64, judged.iter().all(|&m| m)))
                        })
                        .collect();
                    let label = if lags > 1 {
                        format!("v{v} · replication.max_lag={}", ["1m", "5m"][lag])
                    } else {
                        format!("v{v}")
                    };
                    let claim = claims.iter().find(|(l, _)| *l == label);
                    if truth.is_empty() {
                        assert!(claim.is_none(), "case {case}: {label} was never judged");
                        continue;
                    }
                    let (_, w) =
                        claim.unwrap_or_else(|| panic!("case {case}: no claim for {label}"));
                    for &(x, holds) in &truth {
                        let said = match w {
                            Where::Everywhere => true,
                            Where::Nowhere => false,
                            Where::UpTo(top) => x <= *top,
                            Where::From(bottom) => x >= *bottom,
                            Where::At(xs) => xs.contains(&x),
                        };
                        assert_eq!(said, holds, "case {case}: {label} at {x}: {w:?}");
                    }
                    let sentence = sentence.as_deref().unwrap();
                    // Named, or covered by an answer said once for every series.
                    let shared = claims.iter().all(|(_, o)| o == w) && claims.len() > 1;
                    assert!(
                        sentence.contains(&label)
                            || (shared && sentence.contains(" for every variant"))
                            || (shared && sentence.starts_with("At no setting does any variant")),
                        "case {case}: {label}: {sentence}"
                    );
                }
            }
        }
    }
}
