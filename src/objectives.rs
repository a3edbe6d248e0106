//! Objectives against a run's figures (SPEC §8, §10): which apply, which are met, and by
//! how much (the relative slack). A pure function of a variant's [`Objectives`] and a
//! [`Summary`]; the runners call [`judge`] once per simulation to fill the
//! `objectives_met` / `objectives_missed` columns, and the report and the sweep read the
//! same [`Check`]s, so a table and a sentence cannot disagree with the CSV.

use crate::model::{Objectives, NS_PER_MS};
use crate::results::Summary;
use crate::time::secs;

/// An objective key, in SPEC §8's order (the order of `objectives_missed`, and of `Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Rpo,
    Rto,
    Availability,
    LatencyP99,
    StaleReadShare,
    CostMonth,
}

impl Key {
    pub const ALL: [Key; 6] = [
        Key::Rpo,
        Key::Rto,
        Key::Availability,
        Key::LatencyP99,
        Key::StaleReadShare,
        Key::CostMonth,
    ];

    /// The key as `[objectives]` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Key::Rpo => "rpo",
            Key::Rto => "rto",
            Key::Availability => "availability",
            Key::LatencyP99 => "latency_p99",
            Key::StaleReadShare => "stale_read_share",
            Key::CostMonth => "cost_month",
        }
    }

    /// The key `[objectives]` spells `name`.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The figure is bounded from above (at most the limit) — all but availability.
    pub fn at_most(self) -> bool {
        self != Key::Availability
    }

    /// The `summary.csv` column the objective bounds.
    pub fn figure_name(self) -> &'static str {
        match self {
            Key::Rpo => "rpo_s",
            Key::Rto => "rto_s",
            Key::Availability => "availability",
            Key::LatencyP99 => "first_try_latency_p99_ms",
            Key::StaleReadShare => "stale_read_share",
            Key::CostMonth => "cost_month",
        }
    }

    /// The limit in the figure's unit (s, fraction, ms, share, money); `None`: not set.
    pub fn limit(self, o: &Objectives) -> Option<f64> {
        match self {
            Key::Rpo => o.rpo.map(secs),
            Key::Rto => o.rto.map(secs),
            Key::Availability => o.availability,
            Key::LatencyP99 => o.latency_p99.map(|ns| ns as f64 / NS_PER_MS as f64),
            Key::StaleReadShare => o.stale_read_share,
            Key::CostMonth => o.cost_month,
        }
    }

    /// The run's figure; `None` where the objective cannot apply to the run (SPEC §10:
    /// no primary outage for `rto`, no `[reads]`, no `[cost]`).
    fn figure(self, s: &Summary) -> Option<f64> {
        match self {
            Key::Rpo => Some(s.rpo_s),
            Key::Rto => s.rto_s,
            Key::Availability => Some(s.availability),
            Key::LatencyP99 => (s.writes_acked > 0).then_some(s.first_try_latency_p99_ms),
            // SPEC §7: a share of answered reads; none answered (or no `[reads]`) leaves
            // nothing to judge.
            Key::StaleReadShare => s
                .reads
                .filter(|r| r.reads_ok > 0)
                .map(|r| r.stale_read_share),
            Key::CostMonth => s.cost.map(|b| b.cost_month),
        }
    }
}

/// One objective set for a variant, against one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    pub key: Key,
    pub limit: f64,
    /// `None`: the objective cannot apply to this run (neither met nor missed).
    pub figure: Option<f64>,
}

impl Check {
    /// Met, missed, or `None` when it does not apply.
    pub fn met(&self) -> Option<bool> {
        let f = self.figure?;
        Some(if self.key.at_most() {
            f <= self.limit
        } else {
            f >= self.limit
        })
    }

    /// Relative slack (SPEC §10): (limit − figure) / limit for an upper bound, (figure −
    /// limit) / limit for availability; negative when missed. A limit of 0 (rpo = "0s")
    /// gives 0 when met exactly and −∞ when missed.
    pub fn slack(&self) -> Option<f64> {
        let f = self.figure?;
        let margin = if self.key.at_most() {
            self.limit - f
        } else {
            f - self.limit
        };
        Some(if self.limit > 0.0 {
            margin / self.limit
        } else if margin >= 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        })
    }
}

/// Every objective `o` sets, in SPEC §8 order, against the figures of `s`.
pub fn checks(o: &Objectives, s: &Summary) -> Vec<Check> {
    Key::ALL
        .iter()
        .filter_map(|&key| {
            key.limit(o).map(|limit| Check {
                key,
                limit,
                figure: key.figure(s),
            })
        })
        .collect()
}

/// Fills `objectives_met` and `objectives_missed` of `s`: empty without objectives, and
/// without any objective that applies to the run.
pub fn judge(o: &Objectives, s: &mut Summary) {
    let checks = checks(o, s);
    let judged: Vec<(Key, bool)> = checks
        .iter()
        .filter_map(|c| c.met().map(|m| (c.key, m)))
        .collect();
    s.objectives_missed = judged
        .iter()
        .filter(|(_, met)| !met)
        .map(|(k, _)| k.name())
        .collect();
    s.objectives_met = (!judged.is_empty()).then_some(s.objectives_missed.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NS_PER_S;

    fn summary() -> Summary {
        Summary {
            writes_acked: 10,
            availability: 0.9995,
            first_try_latency_p99_ms: 40.0,
            rpo_s: 2.0,
            ..Summary::default()
        }
    }

    #[test]
    fn met_missed_and_not_applicable() {
        let o = Objectives {
            rpo: Some(NS_PER_S),
            rto: Some(60 * NS_PER_S),
            availability: Some(0.999),
            latency_p99: Some(50 * NS_PER_MS),
            ..Objectives::default()
        };
        let mut s = summary();
        judge(&o, &mut s);
        // rpo 2 s > 1 s; rto: no primary outage, so it does not apply.
        assert_eq!(s.objectives_met, Some(false));
        assert_eq!(s.objectives_missed, vec!["rpo"]);
        let c = checks(&o, &s);
        assert_eq!(c[1].met(), None);
        assert!((c[3].slack().unwrap() - 0.2).abs() < 1e-12);
        assert!((c[0].slack().unwrap() + 1.0).abs() < 1e-12);
        s.rpo_s = 1.0;
        s.rto_s = Some(90.0);
        s.availability = 0.998;
        judge(&o, &mut s);
        assert_eq!(
            s.objectives_missed,
            vec!["rto", "availability"],
            "SPEC §8 order"
        );
    }

    #[test]
    fn stale_read_share_applies_once_a_read_was_answered() {
        let o = Objectives {
            stale_read_share: Some(0.01),
            ..Objectives::default()
        };
        let mut s = summary();
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, None, "no [reads]: nothing to judge");
        let reads = crate::results::ReadSummary {
            reads_offered: 100,
            reads_ok: 100,
            stale_read_share: 0.02,
            ..crate::results::ReadSummary::default()
        };
        s.reads = Some(reads);
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, Some(false));
        assert_eq!(s.objectives_missed, vec!["stale_read_share"]);
        s.reads = Some(crate::results::ReadSummary {
            stale_read_share: 0.005,
            ..reads
        });
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, Some(true));
        let c = checks(&o, &s);
        assert!((c[0].slack().unwrap() - 0.5).abs() < 1e-12);
        // Every read failed: no share to judge.
        s.reads = Some(crate::results::ReadSummary {
            reads_ok: 0,
            reads_failed: 100,
            stale_read_share: 0.0,
            ..reads
        });
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, None);
    }

    #[test]
    fn no_objectives_leave_the_columns_empty() {
        let mut s = summary();
        judge(&Objectives::default(), &mut s);
        assert_eq!(s.objectives_met, None);
        assert!(s.objectives_missed.is_empty());
        // Only an objective that cannot apply: nothing is judged either.
        let o = Objectives {
            cost_month: Some(100.0),
            ..Objectives::default()
        };
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, None);
    }

    #[test]
    fn a_zero_limit_is_met_only_exactly() {
        let o = Objectives {
            rpo: Some(0),
            ..Objectives::default()
        };
        let mut s = summary();
        s.rpo_s = 0.0;
        assert_eq!(checks(&o, &s)[0].slack(), Some(0.0));
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, Some(true));
        s.rpo_s = 0.001;
        judge(&o, &mut s);
        assert_eq!(s.objectives_met, Some(false));
    }
}
