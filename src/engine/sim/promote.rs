//! Promotion (SPEC §3): requests from actions, `auto_promote` and `failback`, the drain
//! of a planned promotion, escalation, the forced cut and its losses, the role switch
//! and the DNS repoint window that follows it.
//!
//! Drives the state machine of `engine/promotion.rs` (which decides which transitions
//! are allowed) and does what each transition requires. Owns the accounting of lost
//! writes (`count_lost`: every `writes_lost` and `rpo_s` figure comes from here) and
//! the DNS window (`Repoint`, read by `client.rs`). Must not touch a secondary's
//! cursors or the log's entries except through their own methods.

use super::{Repoint, Simulation};
use crate::engine::event::Event;
use crate::engine::log::EntryState;
use crate::engine::promotion::{Promotion, Request};
use crate::engine::secondary::{Shipping, Standing};
use crate::model::{Nanos, PromoteKind, RegionId, Target};
use crate::results::PromotionRecord;
use crate::time::secs;

impl Simulation<'_> {
    /// A promotion request from an action or the policy. `target` None: the default
    /// target of SPEC §6.1 (`default_target`).
    pub(crate) fn request_promotion(
        &mut self,
        kind: PromoteKind,
        target: Option<RegionId>,
        escalate_after: Option<Nanos>,
    ) {
        let kind = self.model.variants[self.variant].promote.unwrap_or(kind);
        match self.promotions.request(kind) {
            Request::Ignored => return,
            Request::Expedite => return self.force(),
            Request::Start => {}
        }
        let candidate = |i: usize| i != self.primary && self.nodes[i].standing.in_set();
        let node = match target {
            Some(r) => (0..self.nodes.len()).find(|&i| candidate(i) && self.nodes[i].region == r),
            None => self.default_target(),
        };
        let Some(node) = node else {
            return; // nothing to promote to: the request has no effect
        };
        let record = self.metrics.promotions.len();
        self.metrics.promotions.push(PromotionRecord {
            requested_s: secs(self.now),
            escalated_s: None,
            completed_s: None,
            kind: kind.as_str().to_string(),
            from: self.model.regions[self.primary_region()].name.clone(),
            to: self.model.regions[self.nodes[node].region].name.clone(),
            writes_lost: 0,
            failback: false,
        });
        let p = self.promotions.start(node, kind, self.now, record);
        match kind {
            PromoteKind::Forced => self.force(),
            PromoteKind::Planned => {
                if let Some(after) = escalate_after {
                    self.queue.push(
                        self.now.saturating_add(after),
                        Event::Escalate { promotion: p.id },
                    );
                }
                self.check_drain();
            }
        }
    }

    /// A planned promotion's drain is complete when the target has applied every
    /// write the old primary accepted and the old primary, the link and the target
    /// are all up; then the switch starts.
    /// SPEC §6.1 default promotion target (every mode): the ready secondary whose region
    /// is up now and that has applied the most writes, ties in `secondaries` order (the
    /// nodes' order); if none is up, the first ready secondary — one that has every
    /// acknowledged write before one still joining.
    fn default_target(&self) -> Option<usize> {
        let ready = |i: usize| {
            i != self.primary
                && self.nodes[i].standing.in_set()
                && self.nodes[i].standing.is_ready()
        };
        let up = |i: usize| {
            !self
                .avail
                .is_down(Target::Region(self.nodes[i].region), self.now)
        };
        let mut best: Option<usize> = None;
        for i in (0..self.nodes.len()).filter(|&i| ready(i) && up(i)) {
            if best.is_none_or(|b| self.nodes[i].applied > self.nodes[b].applied) {
                best = Some(i);
            }
        }
        best.or_else(|| {
            (0..self.nodes.len())
                .find(|&i| ready(i) && self.nodes[i].standing == Standing::Ready)
                .or_else(|| (0..self.nodes.len()).find(|&i| ready(i)))
        })
    }

    #[inline]
    pub(crate) fn check_drain(&mut self) {
        if let Some(p) = self.promotions.draining() {
            self.check_drain_now(p);
        }
    }

    /// `check_drain` while promotion `p` drains (out of line: every apply asks).
    #[inline(never)]
    fn check_drain_now(&mut self, p: Promotion) {
        if p.kind != PromoteKind::Planned {
            return;
        }
        // Snapshot mode: the drain ships a final point (SPEC §6.4).
        self.cut_final_point();
        let t = &self.nodes[p.target];
        if t.reachable && t.applied >= self.log.next_seq() {
            let (now, old, new) = (self.now, self.primary_region(), t.region);
            self.observe(|o| o.drained(now, old, new));
            if let Some(p) = self.promotions.drained() {
                self.schedule_switch(p.id);
            }
        }
    }

    fn schedule_switch(&mut self, id: u32) {
        self.queue.push(
            self.now.saturating_add(self.model.promotion.switch),
            Event::SwitchDone { promotion: id },
        );
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn on_escalate(&mut self, id: u32) {
        if self.promotions.escalation_due(id) {
            self.force();
        }
    }

    /// Forced promotion (or escalation): replication to the target stops now; what
    /// it has not applied is lost, and no lag counts it any more.
    fn force(&mut self) {
        let now = self.now;
        let Some(p) = self.promotions.draining() else {
            return;
        };
        let target = &self.nodes[p.target];
        let survived_accept = target.last_applied_accept.unwrap_or(0);
        let from = target.applied;
        let Some((p, escalated)) = self.promotions.force(survived_accept) else {
            return;
        };
        if escalated {
            self.metrics.promotions[p.record].escalated_s = Some(secs(now));
            self.metrics.promotions[p.record].kind = "planned>forced".to_string();
        }
        let (old, new, ready) = (
            self.primary_region(),
            self.nodes[p.target].region,
            self.nodes[p.target].standing == Standing::Ready,
        );
        self.observe(|o| o.promotion_forced(now, old, new, ready));
        let mut lost = Vec::new();
        let mut late = Vec::new();
        for (_, e) in self.log.entries_from(from) {
            match e.state {
                EntryState::Committed => lost.push((e.counted, e.t_accept)),
                // Its commit completes after now: it is acknowledged then, and lost.
                EntryState::Committing => late.push(e.w),
                EntryState::WaitingAcks | EntryState::Void => {}
            }
        }
        for (counted, t_accept) in lost {
            self.count_lost(counted, t_accept);
        }
        for w in late {
            if let Some(write) = self.writes.get_mut(w) {
                write.lost = true;
            }
        }
        // Shipping stops; acks the target sent before now still count (SPEC §3.1).
        self.log.cut(from);
        self.read_log_replaced();
        for n in self.nodes.iter_mut() {
            n.send_epoch = n.send_epoch.wrapping_add(1);
            if n.shipping == Shipping::Sending {
                n.shipping = Shipping::Idle;
            }
        }
        self.schedule_switch(p.id);
        self.refresh_lag();
    }

    /// An acknowledged write accepted at `accepted_at` was lost by the last forced
    /// promotion: the one place `writes_lost` and `rpo_s` are counted.
    pub(crate) fn count_lost(&mut self, counted: bool, accepted_at: Nanos) {
        let Some(loss) = self.promotions.last_loss() else {
            return;
        };
        if counted {
            self.metrics.writes_lost += 1;
            self.metrics.promotions[loss.record].writes_lost += 1;
            self.metrics
                .rpo(accepted_at.saturating_sub(loss.survived_accept));
        }
    }

    /// The target of a completed promotion becomes the primary with every entry it
    /// holds: one the old primary never committed (voided by its crash, or still
    /// waiting for acks) is a committed copy of its write now, and a duplicate if the
    /// write was committed before (SPEC §3.1 "Duplicates"); its retries are duplicates
    /// then (`on_primary_commit`). An entry the old primary committed, or is committing,
    /// is the same copy.
    fn count_copies_on(&mut self, target: usize) {
        let t = &self.nodes[target];
        let copies: Vec<_> = self
            .log
            .entries_from(0)
            .filter(|&(seq, e)| {
                matches!(e.state, EntryState::Void | EntryState::WaitingAcks) && t.holds(seq)
            })
            .map(|(_, e)| e.w)
            .collect();
        for w in copies {
            if let Some(write) = self.writes.get_mut(w) {
                write.committed_times += 1;
                if write.committed_times > 1 && write.counted {
                    self.metrics.writes_duplicated += 1;
                }
            }
        }
    }

    /// The switch completes: the target is the primary, read-only ends, every other
    /// region resyncs from the new primary, and clients repoint over `dns`.
    #[cold]
    #[inline(never)]
    pub(crate) fn on_switch_done(&mut self, id: u32) {
        let now = self.now;
        let Some(p) = self.promotions.complete(id, now) else {
            return;
        };
        let old_region = self.primary_region();
        self.count_copies_on(p.target);
        // Sync writes still waiting for acks at the old primary are never committed.
        for w in self.log.replace() {
            self.writes.unref(w);
        }
        self.primary = p.target;
        let new_primary = self.primary_region();
        self.observe(|o| o.promoted(now, new_primary));
        let next = self.log.next_seq();
        for n in self.nodes.iter_mut() {
            n.follow_new_primary(next, now);
        }
        self.read_log_replaced();
        self.points_log_replaced(next);
        if self.config.sync_after_seq.is_some() {
            self.config.sync_after_seq = Some(next);
        }
        if self.model.promotion.dns > 0 {
            self.dns = Some(Repoint {
                old_region,
                start: now,
                end: now.saturating_add(self.model.promotion.dns),
            });
        }
        self.metrics.promotions[p.record].completed_s = Some(secs(now));
        self.reset_reachability();
        self.check_mode_switch();
        self.refresh_lag();
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn on_auto_promote(&mut self, region: RegionId, down_epoch: u32) {
        let Some(auto) = self.auto_promote() else {
            return;
        };
        let still_down = self.down_epoch[region] == down_epoch
            && self.avail.is_down(Target::Region(region), self.now);
        if still_down && region == self.primary_region() && self.promotions.current().is_none() {
            self.request_promotion(auto.kind, None, auto.escalate_after);
        }
    }

    /// Node `i` became ready (or reachable again while ready). If it is the failback
    /// region and not the primary, a failback timer starts: `failback.after` from now
    /// it is promoted back if no later timer started meanwhile (every spell out of
    /// reach ends in a new one) and it is ready then (`on_failback`).
    pub(crate) fn arm_failback(&mut self, i: usize) {
        let Some(f) = self.model.policy.failback else {
            return;
        };
        let n = &self.nodes[i];
        if i == self.primary || n.region != f.to || !n.reachable || !n.standing.is_ready() {
            return;
        }
        let timer = self.promotions.start_failback_timer();
        self.queue.push(
            self.now.saturating_add(f.after),
            Event::Failback {
                node: i as u32,
                timer,
            },
        );
    }

    /// A failback timer is due: the scenario's primary has been ready `after` since a
    /// promotion away from it; promote it back like any promotion (read-only window,
    /// drain if planned, switch, DNS). A promotion still in progress voids the timer;
    /// its completion starts the next one (the old primary is ready again then).
    #[cold]
    #[inline(never)]
    pub(crate) fn on_failback(&mut self, i: usize, timer: u32) {
        let Some(f) = self.model.policy.failback else {
            return;
        };
        let n = &self.nodes[i];
        let ready = n.reachable && n.standing.is_ready();
        if i == self.primary || !ready || !self.promotions.failback_due(timer) {
            return;
        }
        let record = self.metrics.promotions.len();
        self.request_promotion(f.kind, Some(n.region), None);
        if let Some(r) = self.metrics.promotions.get_mut(record) {
            r.failback = true;
        }
    }

    /// The `promotion` column: the kind of the first promotion, `none` without one.
    pub(crate) fn promotion_label(&self) -> String {
        self.metrics
            .promotions
            .first()
            .map_or_else(|| "none".to_string(), |r| r.kind.clone())
    }
}
