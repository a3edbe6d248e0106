//! Which regions and links are down or slow, and when, for one run.
//!
//! Scheduled `[[outage]]`s and the random `[[failure]]`s drawn for the run are known
//! before the run starts, so "is this target up at time t" is a pure function. The
//! engine uses it to decide at send time whether a message will be delivered and
//! whether a commit will complete, and schedules only what will happen.

use rand_distr::{Distribution, Exp1};

use super::rng::{stream, Purpose};
use crate::model::{Model, Nanos, OutageKind, Target};
use crate::time::to_nanos;

/// Down windows `[start, end)` (sorted, merged) and slow windows of one target.
#[derive(Debug, Clone, Default)]
struct Windows {
    down: Vec<(Nanos, Nanos)>,
    slow: Vec<(Nanos, Nanos, f64)>,
}

/// A change of state the engine reacts to (stall, resend, promotion policy…).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition {
    pub time: Nanos,
    pub target: Target,
    pub down: bool,
}

/// One outage as it happens in this run, for reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub target: Target,
    pub start: Nanos,
    pub end: Nanos,
    pub kind: OutageKind,
}

#[derive(Debug, Clone)]
pub struct Availability {
    n_regions: usize,
    regions: Vec<Windows>,
    /// Indexed by `a * n + b` with `a < b`.
    links: Vec<Windows>,
    windows: Vec<Window>,
    /// Any slow window at all: without one (the usual case) `slow_factor`, asked
    /// for every message and commit, is 1 at once.
    any_slow: bool,
}

impl Availability {
    /// The outages of run `run`: the scheduled ones and the failures drawn from the
    /// run's own failure stream (the same for every variant of the run).
    pub fn for_run(model: &Model, run: u32) -> Availability {
        let n = model.regions.len();
        let mut av = Availability {
            n_regions: n,
            regions: vec![Windows::default(); n],
            links: vec![Windows::default(); n * n],
            windows: Vec::new(),
            any_slow: false,
        };
        for o in &model.outages {
            av.add(
                o.target,
                o.start,
                o.start.saturating_add(o.duration),
                o.kind,
            );
        }
        let mut rng = stream(model.seed, run, Purpose::Failures);
        for f in &model.failures {
            let mut t: Nanos = 0;
            loop {
                let gap: f64 = Exp1.sample(&mut rng);
                t = t.saturating_add(to_nanos(gap * f.mtbf as f64));
                if t >= model.duration {
                    break;
                }
                let repair = f.mttr.sample_u64(&mut rng).max(1);
                let end = t.saturating_add(repair);
                av.add(f.target, t, end, OutageKind::Down);
                t = end;
            }
        }
        for w in av.regions.iter_mut().chain(av.links.iter_mut()) {
            w.down = merge(std::mem::take(&mut w.down));
        }
        av.windows.sort_by_key(|w| (w.start, w.end, w.target));
        av
    }

    fn add(&mut self, target: Target, start: Nanos, end: Nanos, kind: OutageKind) {
        if end <= start {
            return;
        }
        self.windows.push(Window {
            target,
            start,
            end,
            kind,
        });
        let w = self.windows_mut(target);
        match kind {
            OutageKind::Down => w.down.push((start, end)),
            OutageKind::Slow(f) => {
                w.slow.push((start, end, f));
                self.any_slow = true;
            }
        }
    }

    fn index(&self, target: Target) -> Option<usize> {
        match target {
            Target::Region(r) => Some(r),
            Target::Link(a, b) if a == b => None,
            Target::Link(a, b) => Some(a.min(b) * self.n_regions + a.max(b)),
        }
    }

    fn windows_mut(&mut self, target: Target) -> &mut Windows {
        match (target, self.index(target)) {
            (Target::Region(r), _) => &mut self.regions[r],
            (_, Some(i)) => &mut self.links[i],
            (_, None) => unreachable!("validation forbids a link from a region to itself"),
        }
    }

    fn windows_of(&self, target: Target) -> Option<&Windows> {
        match target {
            Target::Region(r) => self.regions.get(r),
            Target::Link(..) => self.index(target).and_then(|i| self.links.get(i)),
        }
    }

    /// Does any slow window exist in this run?
    #[inline]
    pub fn any_slow(&self) -> bool {
        self.any_slow
    }

    /// Is `target` down at `t`? A link from a region to itself (co-location) is never down.
    pub fn is_down(&self, target: Target, t: Nanos) -> bool {
        self.down_during(target, t, t)
    }

    /// Is `target` down at any moment of the closed interval [from, to]?
    pub fn down_during(&self, target: Target, from: Nanos, to: Nanos) -> bool {
        let Some(w) = self.windows_of(target) else {
            return false;
        };
        // First window ending after `from`; it overlaps iff it starts by `to`.
        let i = w.down.partition_point(|&(_, end)| end <= from);
        w.down.get(i).is_some_and(|&(start, _)| start <= to)
    }

    /// Product of the factors of the slow outages of `target` active at `t` (1 if none).
    #[inline]
    pub fn slow_factor(&self, target: Target, t: Nanos) -> f64 {
        if !self.any_slow {
            return 1.0;
        }
        self.slow_factor_of_windows(target, t)
    }

    /// `slow_factor` when the run has slow windows: out of line, so that every message
    /// of a run without any carries only the test (issue 15).
    #[inline(never)]
    fn slow_factor_of_windows(&self, target: Target, t: Nanos) -> f64 {
        self.windows_of(target).map_or(1.0, |w| {
            w.slow
                .iter()
                .filter(|&&(s, e, _)| s <= t && t < e)
                .map(|&(_, _, f)| f)
                .product()
        })
    }

    /// Every up/down change, in time order (downs before ups at equal times).
    pub fn transitions(&self) -> Vec<Transition> {
        let mut out = Vec::new();
        let targets = (0..self.n_regions).map(Target::Region).chain(
            (0..self.n_regions)
                .flat_map(|a| ((a + 1)..self.n_regions).map(move |b| Target::Link(a, b))),
        );
        for target in targets {
            if let Some(w) = self.windows_of(target) {
                for &(start, end) in &w.down {
                    out.push(Transition {
                        time: start,
                        target,
                        down: true,
                    });
                    out.push(Transition {
                        time: end,
                        target,
                        down: false,
                    });
                }
            }
        }
        out.sort_by_key(|t| (t.time, !t.down, t.target));
        out
    }

    /// Every outage window of the run (scheduled and drawn), sorted by start.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }
}

/// Sorts and merges overlapping or touching windows.
fn merge(mut w: Vec<(Nanos, Nanos)>) -> Vec<(Nanos, Nanos)> {
    w.sort_unstable();
    let mut out: Vec<(Nanos, Nanos)> = Vec::with_capacity(w.len());
    for (s, e) in w {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_joins_overlaps() {
        assert_eq!(
            merge(vec![(5, 9), (1, 3), (2, 4), (9, 10)]),
            vec![(1, 4), (5, 10)]
        );
    }

    #[test]
    fn down_during_checks_overlap() {
        let w = Windows {
            down: vec![(10, 20), (30, 40)],
            slow: vec![],
        };
        let av = Availability {
            n_regions: 1,
            regions: vec![w],
            links: vec![Windows::default()],
            windows: vec![],
            any_slow: false,
        };
        let r = Target::Region(0);
        assert!(!av.is_down(r, 9));
        assert!(av.is_down(r, 10));
        assert!(av.is_down(r, 19));
        assert!(!av.is_down(r, 20));
        assert!(av.down_during(r, 0, 10));
        assert!(!av.down_during(r, 20, 29));
        assert!(av.down_during(r, 25, 35));
        assert!(av.down_during(r, 12, 13));
        assert!(!av.down_during(r, 40, 1000));
    }
}
