//! Promotion: planned and forced failover to a secondary, escalation, the role
//! switch, the DNS repoint window and the accounting of lost writes (SPEC §3).

use crate::engine::event::Event;
use crate::engine::sim::{Repoint, Simulation};
use crate::model::{Nanos, PromoteKind, RegionId, NS_PER_S};
use crate::replication::EntryState;
use crate::results::PromotionRecord;

/// A promotion in progress: the namespace is read-only until it completes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Promotion {
    pub id: u32,
    /// The node being promoted.
    pub target: usize,
    pub kind: PromoteKind,
    pub escalated: bool,
    pub requested_at: Nanos,
    /// The drain is over (or the promotion is forced): the switch is running.
    pub switching: bool,
    /// Index of its record in the recorder.
    pub record: usize,
}

/// What a forced promotion needs to account writes whose commit completes after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loss {
    pub record: usize,
    /// t_accept of the newest write that survived on the target.
    pub survived_accept: Nanos,
}

fn seconds(t: Nanos) -> f64 {
    t as f64 / NS_PER_S as f64
}

impl Simulation<'_> {
    /// A promotion request from an action or the policy. `target` None: the first
    /// ready secondary.
    pub(crate) fn request_promotion(
        &mut self,
        kind: PromoteKind,
        target: Option<RegionId>,
        escalate_after: Option<Nanos>,
    ) {
        let kind = self.model.variants[self.variant].promote.unwrap_or(kind);
        if let Some(p) = self.promotion {
            // A forced request during a planned drain expedites it (the reference:
            // "it is possible to do a forced promotion at any time after a planned
            // promotion has been initiated").
            if kind == PromoteKind::Forced && !p.switching {
                self.force();
            }
            return;
        }
        let candidate = |i: usize| i != self.primary && self.nodes[i].in_set;
        let node = match target {
            Some(r) => (0..self.nodes.len()).find(|&i| candidate(i) && self.nodes[i].region == r),
            // Prefer a secondary that has every acknowledged write; one still joining
            // is better than none.
            None => (0..self.nodes.len())
                .find(|&i| candidate(i) && self.nodes[i].ready && !self.nodes[i].joining)
                .or_else(|| (0..self.nodes.len()).find(|&i| candidate(i) && self.nodes[i].ready)),
        };
        let Some(node) = node else {
            return; // nothing to promote to: the request has no effect
        };
        self.promotions_started += 1;
        let id = self.promotions_started;
        let record = self.metrics.promotions.len();
        self.metrics.promotions.push(PromotionRecord {
            requested_s: seconds(self.now),
            escalated_s: None,
            completed_s: None,
            kind: kind.as_str().to_string(),
            from: self.model.regions[self.primary_region()].name.clone(),
            to: self.model.regions[self.nodes[node].region].name.clone(),
            writes_lost: 0,
        });
        self.promotion = Some(Promotion {
            id,
            target: node,
            kind,
            escalated: false,
            requested_at: self.now,
            switching: false,
            record,
        });
        match kind {
            PromoteKind::Forced => self.force(),
            PromoteKind::Planned => {
                if let Some(after) = escalate_after {
                    self.queue.push(
                        self.now.saturating_add(after),
                        Event::Escalate { promotion: id },
                    );
                }
                self.check_drain();
            }
        }
    }

    /// A planned promotion's drain is complete when the target has applied every
    /// write the old primary accepted and the old primary, the link and the target
    /// are all up; then the switch starts.
    pub(crate) fn check_drain(&mut self) {
        let Some(p) = self.promotion else { return };
        if p.switching || p.kind != PromoteKind::Planned {
            return;
        }
        let t = &self.nodes[p.target];
        if t.reachable && t.applied >= self.next_seq {
            let (now, old, new) = (self.now, self.primary_region(), t.region);
            self.observe(|o| o.drained(now, old, new));
            self.start_switch();
        }
    }

    fn start_switch(&mut self) {
        if let Some(p) = self.promotion.as_mut() {
            p.switching = true;
            let id = p.id;
            self.queue.push(
                self.now.saturating_add(self.model.promotion.switch),
                Event::SwitchDone { promotion: id },
            );
        }
    }

    pub(crate) fn on_escalate(&mut self, id: u32) {
        if self.promotion.is_some_and(|p| p.id == id && !p.switching) {
            self.force();
        }
    }

    /// Forced promotion (or escalation): replication to the target stops now; what
    /// it has not applied is lost, and no lag counts it any more.
    fn force(&mut self) {
        let now = self.now;
        let Some(p) = self.promotion.as_mut() else {
            return;
        };
        if p.kind == PromoteKind::Planned {
            p.escalated = true;
            self.metrics.promotions[p.record].escalated_s = Some(seconds(now));
            self.metrics.promotions[p.record].kind = "planned>forced".to_string();
        }
        p.kind = PromoteKind::Forced;
        let p = *p;
        let (old, new, ready) = (
            self.primary_region(),
            self.nodes[p.target].region,
            self.nodes[p.target].ready && !self.nodes[p.target].joining,
        );
        self.observe(|o| o.promotion_forced(now, old, new, ready));
        let target = &self.nodes[p.target];
        let loss = Loss {
            record: p.record,
            survived_accept: target.last_applied_accept.unwrap_or(0),
        };
        self.last_loss = Some(loss);
        let from = target.applied.max(self.log_base);
        let mut late = Vec::new();
        for seq in from..self.next_seq {
            let e = self.log[(seq - self.log_base) as usize];
            match e.state {
                EntryState::Committed => self.count_lost(e.counted, e.t_accept),
                // Its commit completes after now: it is acknowledged then, and lost.
                EntryState::Committing => late.push(e.w),
                EntryState::WaitingAcks | EntryState::Void => {}
            }
        }
        for w in late {
            if let Some(write) = self.write_mut(w) {
                write.lost = true;
            }
        }
        self.log_abandoned = true;
        self.log_epoch = self.log_epoch.wrapping_add(1);
        for n in self.nodes.iter_mut() {
            n.send_epoch = n.send_epoch.wrapping_add(1);
            n.sending = false;
        }
        self.start_switch();
        self.refresh_lag();
    }

    /// An acknowledged write accepted at `accepted_at` was lost by the last forced
    /// promotion.
    pub(crate) fn count_lost(&mut self, counted: bool, accepted_at: Nanos) {
        let Some(loss) = self.last_loss else { return };
        if counted {
            self.metrics.writes_lost += 1;
            self.metrics.promotions[loss.record].writes_lost += 1;
            self.metrics
                .rpo(accepted_at.saturating_sub(loss.survived_accept));
        }
    }

    /// The switch completes: the target is the primary, read-only ends, every other
    /// region resyncs from the new primary, and clients repoint over `dns`.
    pub(crate) fn on_switch_done(&mut self, id: u32) {
        let now = self.now;
        let Some(p) = self.promotion.filter(|p| p.id == id) else {
            return;
        };
        self.promotion = None;
        let old_region = self.primary_region();
        // Sync writes still waiting for acks at the old primary are never committed.
        let waiting: Vec<_> = self
            .log
            .iter()
            .filter(|e| e.state == EntryState::WaitingAcks)
            .map(|e| e.w)
            .collect();
        for w in waiting {
            if let Some(write) = self.write_mut(w) {
                write.refs -= 1;
            }
            self.release_if_done(w);
        }
        self.log.clear();
        self.log_base = self.next_seq;
        self.sync_cursor = self.next_seq;
        self.log_epoch = self.log_epoch.wrapping_add(1);
        self.log_abandoned = false;
        self.primary = p.target;
        let new_primary = self.primary_region();
        self.observe(|o| o.promoted(now, new_primary));
        let next = self.next_seq;
        for n in self.nodes.iter_mut() {
            n.in_set = true;
            n.ready = false;
            n.joining = false;
            n.resync_pending = true;
            n.resync_target = None;
            n.applied = next;
            n.next_send = next;
            n.acked = next;
            n.sending = false;
            n.blocked = false;
            n.last_apply_at = now;
            n.send_epoch = n.send_epoch.wrapping_add(1);
        }
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
        let record = &mut self.metrics.promotions[p.record];
        record.completed_s = Some(seconds(now));
        let took = now - p.requested_at;
        self.promotion_max_ns = Some(self.promotion_max_ns.map_or(took, |m| m.max(took)));
        self.reset_reachability();
        self.check_mode_switch();
        self.refresh_lag();
    }

    pub(crate) fn on_auto_promote(&mut self, region: RegionId, down_epoch: u32) {
        let Some(auto) = self.model.policy.auto_promote else {
            return;
        };
        let still_down = self.down_epoch[region] == down_epoch
            && self
                .avail
                .is_down(crate::model::Target::Region(region), self.now);
        if still_down && region == self.primary_region() && self.promotion.is_none() {
            self.request_promotion(auto.kind, None, auto.escalate_after);
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
