//! The promotion state machine: idle → draining (planned) → switching → idle, a forced
//! request or an escalation going straight to switching (SPEC §3 "Promotion").
//!
//! Owns: the promotion in progress (its id, target, kind, request time and record
//! index), the count of promotions started, the last forced cut (what writes whose
//! commit completes after it are lost against), the longest promotion so far and which
//! failback timer (`[policy] failback`) is the live one.
//!
//! Must not touch: the log, the secondaries, the queue, the metrics. Each transition is
//! a method that returns what the engine must do (`engine/sim/promote.rs` does it:
//! schedule the switch, cut the log, count the losses, repoint DNS), and refuses a
//! transition the current state does not allow, so a stale `Escalate` or `SwitchDone`
//! cannot act. The transitions are unit-tested below without a simulation.

use crate::model::{Nanos, PromoteKind};

/// A promotion in progress: the namespace is read-only until it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Promotion {
    pub id: u32,
    /// The node being promoted.
    pub target: usize,
    /// Forced from the start, or once escalated.
    pub kind: PromoteKind,
    pub requested_at: Nanos,
    /// Index of its record in the recorder.
    pub record: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Idle,
    /// A planned promotion waits for its drain (SPEC §3).
    Draining(Promotion),
    /// The role switch runs to its end (`switch` after the drain or the forced cut).
    Switching(Promotion),
}

/// What a forced promotion needs to account writes whose commit completes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loss {
    pub record: usize,
    /// t_accept of the newest write that survived on the target.
    pub survived_accept: Nanos,
}

#[derive(Debug, Clone)]
pub(crate) struct Promotions {
    phase: Phase,
    started: u32,
    /// The last forced cut.
    last_loss: Option<Loss>,
    /// The longest promotion completed (request to completion).
    longest: Option<Nanos>,
    /// Failback timers started so far; only the last may act.
    failback_timers: u32,
}

/// What a request asks the engine to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Request {
    /// Nothing: a promotion is already switching, or a planned one is asked again.
    Ignored,
    /// A forced request during a planned drain expedites it (the reference: "it is
    /// possible to do a forced promotion at any time after a planned promotion has been
    /// initiated"): force the promotion in progress.
    Expedite,
    /// Start a new promotion: pick its target.
    Start,
}

impl Promotions {
    pub fn new() -> Promotions {
        Promotions {
            phase: Phase::Idle,
            started: 0,
            last_loss: None,
            longest: None,
            failback_timers: 0,
        }
    }

    /// The failback region became ready, or reachable again while ready: a new failback
    /// timer starts and every earlier one is void. Returns its id.
    pub fn start_failback_timer(&mut self) -> u32 {
        self.failback_timers += 1;
        self.failback_timers
    }

    /// May failback timer `timer` act: it is the last one started (so the region has
    /// not come back from a spell out of reach since) and no promotion is in progress.
    pub fn failback_due(&self, timer: u32) -> bool {
        timer == self.failback_timers && self.phase == Phase::Idle
    }

    /// The promotion in progress, draining or switching.
    #[inline]
    pub fn current(&self) -> Option<Promotion> {
        match self.phase {
            Phase::Idle => None,
            Phase::Draining(p) | Phase::Switching(p) => Some(p),
        }
    }

    /// A planned promotion waiting for its drain.
    #[inline]
    pub fn draining(&self) -> Option<Promotion> {
        match self.phase {
            Phase::Draining(p) => Some(p),
            _ => None,
        }
    }

    pub fn last_loss(&self) -> Option<Loss> {
        self.last_loss
    }

    pub fn longest(&self) -> Option<Nanos> {
        self.longest
    }

    /// A request of `kind` arrives.
    pub fn request(&self, kind: PromoteKind) -> Request {
        match self.phase {
            Phase::Idle => Request::Start,
            Phase::Draining(_) if kind == PromoteKind::Forced => Request::Expedite,
            Phase::Draining(_) | Phase::Switching(_) => Request::Ignored,
        }
    }

    /// Starts a promotion towards `target` (after `request` said `Start`): a planned
    /// one drains, a forced one is to be cut at once (`force`). Returns its id.
    pub fn start(
        &mut self,
        target: usize,
        kind: PromoteKind,
        now: Nanos,
        record: usize,
    ) -> Promotion {
        debug_assert_eq!(self.phase, Phase::Idle);
        self.started += 1;
        let p = Promotion {
            id: self.started,
            target,
            kind,
            requested_at: now,
            record,
        };
        self.phase = Phase::Draining(p);
        p
    }

    /// The drain of a planned promotion completed: its switch starts. Returns it.
    pub fn drained(&mut self) -> Option<Promotion> {
        let p = self.draining().filter(|p| p.kind == PromoteKind::Planned)?;
        self.phase = Phase::Switching(p);
        Some(p)
    }

    /// May escalation `id` act (its promotion still draining)?
    pub fn escalation_due(&self, id: u32) -> bool {
        self.draining().is_some_and(|p| p.id == id)
    }

    /// The promotion in progress turns forced (a forced start, an escalation, an
    /// expedite): its switch starts now, and writes not on the target are lost
    /// against `survived_accept`. Returns the promotion and whether it was planned
    /// (escalated); None if nothing is draining.
    pub fn force(&mut self, survived_accept: Nanos) -> Option<(Promotion, bool)> {
        let mut p = self.draining()?;
        let escalated = p.kind == PromoteKind::Planned;
        p.kind = PromoteKind::Forced;
        self.phase = Phase::Switching(p);
        self.last_loss = Some(Loss {
            record: p.record,
            survived_accept,
        });
        Some((p, escalated))
    }

    /// The switch of promotion `id` completes at `now`: back to idle. None if `id` is
    /// not the promotion switching (a stale event).
    pub fn complete(&mut self, id: u32, now: Nanos) -> Option<Promotion> {
        let p = match self.phase {
            Phase::Switching(p) if p.id == id => p,
            _ => return None,
        };
        self.phase = Phase::Idle;
        let took = now - p.requested_at;
        self.longest = Some(self.longest.map_or(took, |m| m.max(took)));
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planned_promotion_drains_then_switches_then_completes() {
        let mut m = Promotions::new();
        assert_eq!(m.request(PromoteKind::Planned), Request::Start);
        let p = m.start(1, PromoteKind::Planned, 10, 0);
        assert_eq!(m.draining(), Some(p));
        assert_eq!(m.request(PromoteKind::Planned), Request::Ignored);
        assert_eq!(m.drained(), Some(p));
        assert_eq!(m.draining(), None);
        assert!(
            !m.escalation_due(p.id),
            "an escalation after the drain is stale"
        );
        assert_eq!(m.request(PromoteKind::Forced), Request::Ignored);
        assert_eq!(m.complete(p.id + 1, 50), None);
        assert_eq!(m.complete(p.id, 50), Some(p));
        assert_eq!(m.current(), None);
        assert_eq!(m.longest(), Some(40));
        assert_eq!(m.last_loss(), None);
    }

    #[test]
    fn forcing_cuts_at_once_and_records_the_loss_reference() {
        let mut m = Promotions::new();
        let p = m.start(2, PromoteKind::Forced, 5, 3);
        let (forced, escalated) = m.force(4).unwrap();
        assert!(!escalated);
        assert_eq!(forced.id, p.id);
        assert_eq!(
            m.last_loss(),
            Some(Loss {
                record: 3,
                survived_accept: 4
            })
        );
        assert_eq!(m.force(4), None, "already switching");
        assert_eq!(m.drained(), None);
    }

    #[test]
    fn only_the_last_failback_timer_acts_and_only_when_idle() {
        let mut m = Promotions::new();
        let first = m.start_failback_timer();
        assert!(m.failback_due(first));
        let second = m.start_failback_timer();
        assert!(!m.failback_due(first), "a later timer voids it");
        assert!(m.failback_due(second));
        let p = m.start(0, PromoteKind::Planned, 0, 0);
        assert!(!m.failback_due(second), "a promotion is in progress");
        m.drained().unwrap();
        m.complete(p.id, 1).unwrap();
        assert!(m.failback_due(second));
    }

    #[test]
    fn escalation_and_expedite_turn_a_drain_forced() {
        let mut m = Promotions::new();
        let p = m.start(1, PromoteKind::Planned, 0, 0);
        assert!(m.escalation_due(p.id));
        assert_eq!(m.request(PromoteKind::Forced), Request::Expedite);
        let (forced, escalated) = m.force(0).unwrap();
        assert!(escalated);
        assert_eq!(forced.kind, PromoteKind::Forced);
        assert!(!m.escalation_due(p.id));
        m.complete(p.id, 7).unwrap();
        let q = m.start(0, PromoteKind::Planned, 10, 1);
        assert_eq!(q.id, p.id + 1);
        m.force(0).unwrap();
        m.complete(q.id, 12).unwrap();
        assert_eq!(m.longest(), Some(7));
    }
}
