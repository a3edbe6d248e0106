//! Replication (SPEC §3): accepting a write into the log, the primary's commit, one
//! FIFO shipping channel per secondary, in-order apply, cumulative acks for sync
//! writes, readiness and resync, reachability and removal, lag and mode changes.
//!
//! Owns the behaviour of the log (`engine/log.rs`) and the secondaries
//! (`engine/secondary.rs`) during a run, and reads the seams (`engine/seams`): the
//! commit rule when a write is accepted and an ack arrives, the lag rule in
//! `oldest_pending`, the ship unit in `pump`. Must not touch the clients' state beyond
//! the reference counts of the writes it holds, nor the promotion state machine (it
//! asks `promote.rs` for `check_drain` and `count_lost`).
//!
//! The log is shared by all channels: each secondary keeps cursors (`applied`,
//! `next_send`) into it, and an entry leaves memory once every secondary has applied
//! it. Memory therefore grows with the replication backlog, not with the number of
//! writes simulated.
//!
//! Adding a per-secondary state: a variant of `Standing` (or a field of `Secondary`),
//! its meaning in `Standing`'s methods, and its transitions here.
//!
//! Long because the handlers of one room share its state transitions: split, each file
//! would have to know the others' invariants.

use super::Simulation;
use crate::engine::event::{Event, Fifo, Outcome, WriteRef};
use crate::engine::log::{Entry, EntryState};
use crate::engine::seams::{CommitRule, LagRule, ShipUnit};
use crate::engine::secondary::{Secondary, Shipping, Standing};
use crate::model::{Mode, Nanos, RegionId, Target, NS_PER_S};

/// A resyncing secondary this close behind the primary counts as caught up (SPEC §3.1
/// "Ready after a resync"), or within `max_lag` if that is smaller.
pub const CAUGHT_UP: Nanos = NS_PER_S;

impl<'m> Simulation<'m> {
    /// The non-primary nodes that count for lag, throttling and sync acks.
    #[inline]
    fn is_active_secondary(&self, i: usize) -> bool {
        i != self.primary && self.nodes[i].standing.is_ready()
    }

    /// The ready secondaries.
    fn active_secondaries(&self) -> impl Iterator<Item = usize> + Clone + use<'_, 'm> {
        (0..self.nodes.len()).filter(|&i| self.is_active_secondary(i))
    }

    /// Has every secondary the sync write `seq` counted on acknowledged it (SPEC §6.1:
    /// the promise "sync loses no acknowledged write" of a promotion to any ready target
    /// covers such writes only; a quorum write may lack on the target)?
    fn acked_by_all(&self, seq: u64, target: Option<usize>) -> bool {
        sync_acked(
            &self.nodes,
            self.primary,
            CommitRule::All,
            self.log.cut_below(),
            target,
            seq,
        )
    }

    /// t_accept the namespace lag runs from: each ready secondary's oldest write not
    /// yet applied, taken by the lag rule. None once a forced cut stopped replication
    /// from the log (no lag counts the writes it cut).
    fn oldest_pending(&self) -> Option<Nanos> {
        if self.log.is_cut() {
            return None;
        }
        let pending = self.lag_inputs().map(|(p, _)| p);
        self.config.lag_rule.namespace_oldest(pending)
    }

    /// Each ready secondary's oldest write not yet applied (its t_accept; `None`: it
    /// lacks nothing) and its count of writes accepted and not yet applied there.
    fn lag_inputs(&self) -> impl Iterator<Item = (Option<Nanos>, u64)> + Clone + use<'_, 'm> {
        let next = self.log.next_seq();
        self.active_secondaries().map(move |i| {
            let applied = self.nodes[i].applied;
            (
                self.log.get(applied).map(|e| e.t_accept),
                next.saturating_sub(applied),
            )
        })
    }

    /// The namespace lag now (SPEC §3).
    pub(crate) fn namespace_lag(&self) -> Nanos {
        self.oldest_pending()
            .map_or(0, |a| self.now.saturating_sub(a))
    }

    /// The namespace backlog now (SPEC §6.3): each ready secondary's count of writes
    /// accepted and not yet applied there, taken by the lag rule; 0 once a forced cut
    /// stopped replication from the log.
    pub(crate) fn namespace_backlog(&self) -> u64 {
        if self.log.is_cut() {
            return 0;
        }
        let backlogs = self.lag_inputs().map(|(_, b)| b);
        self.config.lag_rule.namespace_backlog(backlogs)
    }

    /// Rule 4 (SPEC §6.3): the namespace lag exceeds `max_lag`, or the namespace
    /// backlog exceeds `max_lag_writes`.
    pub(crate) fn throttles(&self) -> bool {
        self.config
            .max_lag
            .is_some_and(|m| self.namespace_lag() > m)
            || self
                .config
                .max_lag_writes
                .is_some_and(|k| self.namespace_backlog() > k)
    }

    /// Tells the recorder the lag's reference point and the backlog after anything
    /// that may move them.
    pub(crate) fn refresh_lag(&mut self) {
        let (oldest, backlog) = if self.log.is_cut() {
            (None, 0)
        } else {
            self.lag_and_backlog()
        };
        self.metrics.lag_changed(self.now, oldest);
        self.metrics.backlog_changed(self.now, backlog);
    }

    /// The namespace's (oldest pending t_accept, backlog) by the lag rule. Under `All`
    /// both come from the ready secondary that has applied least: t_accept grows with
    /// the sequence number (a write is stamped `now` as it is appended), so its oldest
    /// pending write is the oldest of all, and its backlog the largest. One log lookup
    /// instead of one per secondary (issue 12: this runs after every accept and apply).
    fn lag_and_backlog(&self) -> (Option<Nanos>, u64) {
        if self.config.lag_rule == LagRule::All {
            let next = self.log.next_seq();
            let least = self
                .active_secondaries()
                .map(|i| self.nodes[i].applied)
                .min();
            match least {
                None => return (None, 0),
                Some(m) if m >= next => {
                    debug_assert_eq!((None, 0), self.lag_and_backlog_of_each());
                    return (None, 0);
                }
                Some(m) => {
                    if let Some(e) = self.log.get(m) {
                        let fast = (Some(e.t_accept), next - m);
                        debug_assert_eq!(fast, self.lag_and_backlog_of_each());
                        return fast;
                    }
                }
            }
        }
        self.lag_and_backlog_of_each()
    }

    /// `lag_and_backlog` from every ready secondary's figures, by the lag rule.
    fn lag_and_backlog_of_each(&self) -> (Option<Nanos>, u64) {
        self.config
            .lag_rule
            .namespace_oldest_and_backlog(self.lag_inputs())
    }

    /// The commit rule of a write accepted now: sync writes follow the variant's
    /// rule, semi-sync ones its semi-sync rule unless it has fallen back, async ones
    /// need no ack.
    pub(crate) fn commit_rule(&self) -> CommitRule {
        match self.config.mode {
            Mode::Sync => self.config.sync_rule,
            Mode::SemiSync if self.config.fallback.is_none() => self.config.semi_rule,
            Mode::SemiSync | Mode::Async | Mode::Snapshot => CommitRule::None,
        }
    }

    /// The rule the writes waiting for acks now are held to.
    fn ack_rule(&self) -> CommitRule {
        match self.config.mode {
            Mode::SemiSync => self.config.semi_rule,
            Mode::Sync | Mode::Async | Mode::Snapshot => self.config.sync_rule,
        }
    }

    /// Rule 5: the primary accepts the write.
    pub(crate) fn accept(&mut self, w: WriteRef, attempt: u32) {
        let now = self.now;
        let Some(write) = self.writes.get_mut(w) else {
            return;
        };
        write.refs += 1;
        write.accepted_at = now;
        let (size, counted) = (write.size, write.counted);
        if counted {
            self.metrics.bytes_accepted += u64::from(size);
        }
        let sync = self.commit_rule().waits(self.active_secondaries().count());
        let seq = self.log.push(Entry {
            t_accept: now,
            w,
            attempt,
            size,
            state: if sync {
                EntryState::WaitingAcks
            } else {
                EntryState::Committing
            },
            sync,
            counted,
        });
        let log_epoch = self.log.epoch();
        if let Some(write) = self.writes.get_mut(w) {
            write.seq = seq;
            write.log_epoch = log_epoch;
        }
        if sync {
            self.pump_all();
            if self.config.mode == Mode::SemiSync {
                self.arm_semi_sync_timer(now);
            }
        } else {
            self.start_primary_commit(seq);
        }
        self.refresh_lag();
    }

    /// Semi-sync (SPEC §6.2): one timer at a time, due when the oldest write waiting for
    /// acks (accepted at `oldest`) will have waited `semi_sync_timeout`.
    fn arm_semi_sync_timer(&mut self, oldest: Nanos) {
        if !self.config.semi_timer_armed {
            self.config.semi_timer_armed = true;
            let due = oldest.saturating_add(self.config.semi_timeout);
            self.queue.push(due, Event::SemiSyncTimer);
        }
    }

    /// The timer is due: if the oldest write still waiting has waited the timeout, the
    /// namespace falls back to async; otherwise the timer is set for the write that is
    /// now the oldest waiting one.
    #[cold]
    #[inline(never)]
    pub(crate) fn on_semi_sync_timer(&mut self) {
        self.config.semi_timer_armed = false;
        if self.config.mode != Mode::SemiSync || self.config.fallback.is_some() {
            return;
        }
        let Some(oldest) = self.log.oldest_waiting() else {
            return;
        };
        if oldest.saturating_add(self.config.semi_timeout) > self.now {
            self.arm_semi_sync_timer(oldest);
            return;
        }
        if self.log.is_cut() {
            // A forced promotion stopped replication from this log: its waiting writes
            // are lost, not committed now.
            return;
        }
        // Fall back: commit every write waiting for acks, in accept order (each is
        // answered after its own commit), and accept later writes as async.
        self.config.fallback = Some(self.now);
        self.config.resume_after_seq = self.log.next_seq();
        self.metrics.fallback_started(self.now);
        for seq in self.log.release_sync_waits() {
            self.start_primary_commit(seq);
        }
        self.trim_log();
        self.check_mode_switch();
    }

    /// Semi-sync returns from a fallback once `sync_acks` ready secondaries (every ready
    /// one, when fewer are ready) have caught up since it began (SPEC §6.2, §10).
    fn check_resume(&mut self) {
        if self.config.fallback.is_none() {
            return;
        }
        let target = self.config.resume_after_seq;
        let (mut ready, mut caught_up) = (0, 0);
        for i in self.active_secondaries() {
            ready += 1;
            caught_up += usize::from(self.nodes[i].applied >= target);
        }
        if self.config.semi_rule.satisfied(caught_up, ready) {
            self.end_fallback();
        }
    }

    fn end_fallback(&mut self) {
        if self.config.fallback.take().is_some() {
            self.metrics.fallback_ended(self.now);
        }
    }

    /// Starts the primary's durable commit of `seq`. Scheduled only if the primary
    /// stays up until it completes; otherwise the outage voids it.
    fn start_primary_commit(&mut self, seq: u64) {
        let now = self.now;
        let region = self.primary_region();
        let done = now.saturating_add(self.commit_delay(region, now));
        let Some(e) = self.log.get_mut(seq) else {
            return;
        };
        e.state = EntryState::Committing;
        let (w, attempt) = (e.w, e.attempt);
        if !self.avail.down_during(Target::Region(region), now, done) {
            self.queue.push_fifo(
                Fifo::PrimaryCommit as usize,
                done,
                Event::PrimaryCommit {
                    w,
                    attempt,
                    seq,
                    region: region as u32,
                },
            );
        }
    }

    pub(crate) fn on_primary_commit(
        &mut self,
        w: WriteRef,
        attempt: u32,
        seq: u64,
        region: RegionId,
    ) {
        // The entry may be gone (a promotion replaced the log): the old primary still
        // answers the client.
        let mut committed_here = false;
        let mut sync = None;
        if let Some(e) = self.log.get_mut(seq) {
            if e.w == w && e.state == EntryState::Committing {
                e.state = EntryState::Committed;
                committed_here = true;
                sync = Some(e.sync);
            }
        }
        if self.observer.is_some() {
            self.observe_commit(region, seq, sync);
        }
        if committed_here {
            self.kick_channels_waiting_on(seq);
            if self.points.is_some() {
                // A planned drain's final point waits for the last commit (SPEC §10).
                self.check_drain();
            }
        }
        let Some(write) = self.writes.get_mut(w) else {
            return;
        };
        write.refs -= 1;
        write.committed_times += 1;
        let duplicate = write.committed_times > 1;
        let counted = write.counted;
        let lost = std::mem::take(&mut write.lost);
        let accepted_at = write.accepted_at;
        if counted && duplicate {
            self.metrics.writes_duplicated += 1;
        }
        if lost {
            // Its commit completed after a forced cut it did not survive.
            self.count_lost(counted, accepted_at);
        }
        self.answer(region, w, attempt, Outcome::Acked);
        self.writes.release_if_done(w);
    }

    /// Tells the checker of the primary commit of `seq` (out of line: checks are off
    /// in every run but `--check`'s).
    #[inline(never)]
    fn observe_commit(&mut self, region: RegionId, seq: u64, sync: Option<bool>) {
        // A sync write whose acks a mode change made unnecessary was not confirmed, nor
        // one a quorum committed without every ready secondary's ack; after a cut, one
        // the target confirmed was.
        let target = self.promotions.current().map(|p| p.target);
        let confirmed = sync.map(|s| s && self.acked_by_all(seq, target));
        let now = self.now;
        self.observe(|o| o.committed(now, region, seq, confirmed));
    }

    /// Channels whose next entry is `seq` may now send it.
    fn kick_channels_waiting_on(&mut self, seq: u64) {
        for i in 0..self.nodes.len() {
            if i != self.primary && self.nodes[i].next_send == seq {
                self.pump(i);
            }
        }
    }

    pub(crate) fn pump_all(&mut self) {
        for i in 0..self.nodes.len() {
            if i != self.primary {
                self.pump(i);
            }
        }
    }

    /// Puts entries on node `i`'s channel while it can send.
    pub(crate) fn pump(&mut self, i: usize) {
        loop {
            let n = &self.nodes[i];
            if !n.can_ship() || self.log.is_cut() {
                return;
            }
            let from = n.next_send;
            let seq = self.log.skip_void(from.max(n.applied));
            if seq > from {
                // Void entries it never received (SPEC §3.1 duplicates: not a copy).
                self.nodes[i].record_skip(from, seq);
            }
            self.nodes[i].next_send = seq;
            let Some(&e) = self.log.get(seq) else {
                return;
            };
            let ready = self.nodes[i].standing.is_ready();
            if !self.config.ship_unit.eligible(&e, ready) {
                return;
            }
            // The unit: this entry, or the recovery point that holds it (SPEC §6.4).
            let (end, size) = match self.config.ship_unit {
                ShipUnit::Write => (seq + 1, u64::from(e.size)),
                ShipUnit::RecoveryPoint => match self.point_unit(seq) {
                    Some(unit) => unit,
                    None => return,
                },
            };
            let (primary, region) = (self.primary_region(), self.nodes[i].region);
            if let Some(bw) = self.model.link(primary, region).bandwidth_bytes_per_s {
                let serialise = self.constants.serialise(primary, region, size, bw);
                self.nodes[i].shipping = Shipping::Sending;
                let send_epoch = self.nodes[i].send_epoch;
                self.queue.push_fifo(
                    Fifo::ChannelSent as usize,
                    self.now.saturating_add(serialise),
                    Event::ChannelSent {
                        node: i as u32,
                        send_epoch,
                    },
                );
                return;
            }
            if !self.depart(i, end) {
                return;
            }
        }
    }

    /// The end of the unit that starts at entry `seq` (SPEC §6.4: a point's boundary).
    fn unit_end(&self, seq: u64) -> u64 {
        match self.config.ship_unit {
            ShipUnit::Write => seq + 1,
            ShipUnit::RecoveryPoint => self.point_unit(seq).map_or(seq + 1, |(end, _)| end),
        }
    }

    pub(crate) fn on_channel_sent(&mut self, i: usize, send_epoch: u32) {
        let n = &mut self.nodes[i];
        if n.send_epoch != send_epoch || n.shipping != Shipping::Sending {
            return;
        }
        n.shipping = Shipping::Idle;
        let seq = n.next_send;
        let end = self.unit_end(seq);
        if self.depart(i, end) {
            self.pump(i);
        }
    }

    /// The unit at the channel's head, entries up to `end`, leaves the primary for node
    /// `i` now: decides its arrival and apply time, and schedules the apply (of its last
    /// entry) if it will happen. Returns whether it did.
    fn depart(&mut self, i: usize, end: u64) -> bool {
        let now = self.now;
        let node_region = self.nodes[i].region;
        let delay = self.one_way(self.primary_region(), node_region, true);
        let arrival = now.saturating_add(delay);
        let apply_at = arrival
            .saturating_add(self.commit_delay(node_region, arrival))
            .max(self.nodes[i].last_apply_at);
        let ok = self.delivered(self.primary_region(), node_region, arrival)
            && !self
                .avail
                .down_during(Target::Region(node_region), arrival, apply_at);
        let n = &mut self.nodes[i];
        if ok {
            n.last_apply_at = apply_at;
            n.next_send = end;
            let log_epoch = self.log.epoch();
            self.schedule_apply(i, apply_at, end - 1, log_epoch);
        } else {
            n.shipping = Shipping::Blocked;
        }
        ok
    }

    pub(crate) fn on_applied(&mut self, i: usize, seq: u64, log_epoch: u32) {
        if !self.log.applies(log_epoch) {
            return;
        }
        let now = self.now;
        if self.log.get(seq).is_none() {
            return;
        }
        // A write, or every write of a recovery point (its last entry is `seq`).
        let point = self.config.ship_unit == ShipUnit::RecoveryPoint;
        let first = if point {
            self.nodes[i].applied.min(seq)
        } else {
            seq
        };
        let active = self.is_active_secondary(i);
        let region = self.nodes[i].region;
        for s in first..=seq {
            let Some(&e) = self.log.get(s) else {
                continue;
            };
            if point && e.state == EntryState::Void {
                // Never committed: not in the point, and not a copy (SPEC §3.1).
                self.nodes[i].record_skip(s, s + 1);
                continue;
            }
            self.observe(|o| o.applied(now, region, s, e.t_accept));
            self.nodes[i].record_apply(s, e.t_accept);
            if active && e.t_accept >= self.model.warmup {
                self.metrics.repl_delay(now - e.t_accept);
            }
        }
        let n = &mut self.nodes[i];
        n.applied = self.log.skip_void(n.applied.max(seq + 1));
        if point {
            self.point_completed(i);
        }
        self.read_applied(i);
        if self.log.sync_pending() {
            self.send_ack(i);
        }
        self.check_ready(i);
        self.check_drain();
        self.check_mode_switch();
        self.trim_log();
        self.refresh_lag();
    }

    /// Drops log entries every secondary has applied and whose sync wait is over.
    fn trim_log(&mut self) {
        // Under quorum commit most applies find every entry below the sync cursor gone
        // already (the cursor trails by a round trip, the applies by a one-way delay).
        if !self.log.trimmable() {
            return;
        }
        let applied_everywhere = (0..self.nodes.len())
            .filter(|&i| i != self.primary)
            .map(|i| self.nodes[i].applied)
            .min()
            .unwrap_or(self.log.next_seq());
        self.log.trim(applied_everywhere);
        let base = self.log.base();
        for n in self.nodes.iter_mut().filter(|n| !n.skipped.is_empty()) {
            n.forget_skips_below(base);
        }
    }

    /// Node `i` acknowledges, cumulatively, everything it has applied.
    pub(crate) fn send_ack(&mut self, i: usize) {
        let node_region = self.nodes[i].region;
        let primary = self.primary_region();
        let arrival = self
            .now
            .saturating_add(self.one_way(node_region, primary, true));
        if self.delivered(node_region, primary, arrival) {
            let (upto, log_epoch) = (self.nodes[i].applied, self.log.epoch());
            self.schedule_ack(i, arrival, upto, log_epoch);
        }
    }

    pub(crate) fn on_ack(&mut self, i: usize, upto: u64, log_epoch: u32) {
        if !self.log.acks(log_epoch) {
            return;
        }
        let n = &mut self.nodes[i];
        n.acked = n.acked.max(upto);
        self.try_sync_commits();
    }

    /// Starts the primary commit of every sync write whose acks are in (`sync_acked`),
    /// in log order.
    pub(crate) fn try_sync_commits(&mut self) {
        let target = self.promotions.current().map(|p| p.target);
        loop {
            // The closure reads the secondaries while the log moves its cursor.
            let (nodes, primary, rule) = (&self.nodes, self.primary, self.ack_rule());
            let cut = self.log.cut_below();
            let done = self
                .log
                .next_sync_done(|seq| sync_acked(nodes, primary, rule, cut, target, seq));
            match done {
                Some(seq) => self.start_primary_commit(seq),
                None => break,
            }
        }
        self.trim_log();
    }

    /// Readiness of a resyncing node, exactly SPEC §3.1 "Ready after a resync": it is
    /// ready once it has caught up since t0 (applied every write the primary accepted
    /// before t0) *and* the oldest write it still lacks is less than 1 s old (or
    /// `max_lag`, if smaller), so that joining does not throttle the namespace at once;
    /// under sync it first *joins* (takes part in new sync writes) and becomes a
    /// lossless promotion target once it has applied what was acknowledged without it.
    /// While the second test fails, t0 moves to now and the catch-up goes on (each
    /// round is shorter than the last while the link outpaces the load).
    #[inline]
    fn check_ready(&mut self, i: usize) {
        if let Some(target) = self.nodes[i].standing.catch_up_target() {
            self.check_ready_now(i, target);
        }
    }

    /// `check_ready` of node `i`, catching up to `target` (out of line: every apply
    /// asks).
    #[inline(never)]
    fn check_ready_now(&mut self, i: usize, target: u64) {
        let standing = self.nodes[i].standing;
        if self.nodes[i].applied < target {
            return;
        }
        if let Standing::Joining { .. } = standing {
            // Everything acknowledged before it joined is now applied here too.
            self.nodes[i].standing = Standing::Ready;
            return;
        }
        let behind = self
            .log
            .get(self.nodes[i].applied)
            .map_or(0, |e| self.now.saturating_sub(e.t_accept));
        let sync = self.commit_rule() != CommitRule::None;
        let next_seq = self.log.next_seq();
        // Snapshot mode: ready once a point cut after t0 is complete (SPEC §6.4); it is
        // then one transfer behind, as every secondary is after a point.
        let snapshot = self.config.mode == Mode::Snapshot;
        let n = &mut self.nodes[i];
        // Ready only if the oldest write it lacks is less than 1 s old, or `max_lag` if
        // smaller (a `max_lag` of 0 counts as 1 ns: lacking nothing is ready).
        let limit = self
            .config
            .max_lag
            .map_or(CAUGHT_UP, |m| CAUGHT_UP.min(m.max(1)));
        if !snapshot && behind >= limit {
            n.standing = Standing::Resyncing {
                target: Some(next_seq),
            };
            return;
        }
        // Under sync, the writes still queued for it were acknowledged without it: from
        // now on sync writes wait for it (those accepted before do not: SPEC §3.1 "Whose
        // acks"), and once it has applied those too it is a promotion target that loses
        // no acknowledged write (SPEC §3.1 "Ready after a resync").
        n.acks_from = next_seq;
        n.standing = if sync && n.applied < next_seq {
            Standing::Joining { until: next_seq }
        } else {
            Standing::Ready
        };
        self.pump(i);
        self.refresh_lag();
        self.arm_failback(i);
    }

    /// The primary region went down: its commits in progress never happen.
    pub(crate) fn primary_went_down(&mut self, region: RegionId) {
        let now = self.now;
        self.metrics.primary_outage(now);
        if let Some(auto) = self.auto_promote() {
            self.queue.push(
                now.saturating_add(auto.after),
                Event::AutoPromote {
                    region: region as u32,
                    down_epoch: self.down_epoch[region],
                },
            );
        }
        for w in self.log.void_in_progress() {
            self.writes.unref(w);
        }
        for i in 0..self.nodes.len() {
            if i != self.primary {
                self.nodes[i].applied = self.log.skip_void(self.nodes[i].applied);
            }
        }
    }

    /// Is node `i` unreachable by its own fault now (its region, or its link to the
    /// primary, down)?
    fn at_fault(&self, i: usize) -> bool {
        let now = self.now;
        let p = self.primary_region();
        let r = self.nodes[i].region;
        self.avail.is_down(Target::Region(r), now) || self.avail.is_down(Target::link(p, r), now)
    }

    /// Can the primary reach node `i` now (both regions and their link up)?
    fn can_reach(&self, i: usize) -> bool {
        !self
            .avail
            .is_down(Target::Region(self.primary_region()), self.now)
            && !self.at_fault(i)
    }

    /// Recomputes which secondaries the primary can reach and reacts to changes:
    /// stall, resend, re-ack, resync start, removal timers.
    pub(crate) fn update_reachability(&mut self) {
        for i in 0..self.nodes.len() {
            if i == self.primary {
                continue;
            }
            let fault = self.at_fault(i);
            if fault != self.nodes[i].faulty {
                self.set_faulty(i, fault);
            }
            if self.can_reach(i) != self.nodes[i].reachable {
                self.set_reachable(i, !self.nodes[i].reachable);
            }
        }
    }

    /// After a change of primary: every secondary starts a new reachability spell.
    pub(crate) fn reset_reachability(&mut self) {
        for i in 0..self.nodes.len() {
            if i != self.primary {
                let fault = self.at_fault(i);
                self.set_faulty(i, fault);
                let reach = self.can_reach(i);
                self.set_reachable(i, reach);
            }
        }
    }

    /// A fault spell of node `i` starts or ends. `remove_secondary_after` times the
    /// spell: the primary's own outage is not the secondary's fault and starts no
    /// removal timer (SPEC §3.1 "Unreachable").
    fn set_faulty(&mut self, i: usize, fault: bool) {
        let fault_epoch = self.nodes[i].set_faulty(fault);
        if let (true, Some(after)) = (fault, self.model.policy.remove_secondary_after) {
            self.queue.push(
                self.now.saturating_add(after),
                Event::RemoveSecondary {
                    node: i as u32,
                    fault_epoch,
                },
            );
        }
    }

    fn set_reachable(&mut self, i: usize, reach: bool) {
        self.nodes[i].set_reachable(reach);
        if reach {
            self.became_reachable(i);
        }
    }

    fn became_reachable(&mut self, i: usize) {
        // Added back (not ready, SPEC §3), or a resync fixing its t0: from now.
        let was_ready = self.nodes[i].standing.is_ready();
        let next_seq = self.log.next_seq();
        self.nodes[i].rejoin(next_seq);
        self.send_ack(i);
        self.check_ready(i);
        self.pump(i);
        if was_ready {
            // Ready again after a spell out of reach: its failback timer restarts.
            self.arm_failback(i);
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn on_remove_secondary(&mut self, i: usize, fault_epoch: u32) {
        let n = &mut self.nodes[i];
        if n.fault_epoch != fault_epoch || !n.faulty || !n.standing.in_set() || i == self.primary {
            return;
        }
        n.standing = Standing::Removed;
        self.try_sync_commits();
        self.check_drain();
        self.check_mode_switch();
        self.refresh_lag();
    }

    /// `set_mode`: to async at once; from async to sync or semi-sync once the ready
    /// secondaries have caught up since the request (SPEC §3; a semi-sync namespace in
    /// fallback is async for this); between sync and semi-sync at once.
    pub(crate) fn set_mode(&mut self, mode: Mode) {
        let current = self.config.mode;
        let effectively_async =
            current == Mode::Async || (current == Mode::SemiSync && self.config.fallback.is_some());
        if mode != Mode::Async && mode == current && !effectively_async {
            return;
        }
        if mode != Mode::SemiSync {
            self.end_fallback();
        }
        match mode {
            Mode::Async => {
                self.config.mode = Mode::Async;
                self.config.sync_after_seq = None;
                if self.log.is_cut() {
                    // A forced promotion stopped replication from this log: its
                    // writes waiting for acks are lost, not to be committed now.
                    return;
                }
                // Writes waiting for acks need them no more.
                for seq in self.log.release_sync_waits() {
                    self.start_primary_commit(seq);
                }
                self.trim_log();
            }
            Mode::Sync | Mode::SemiSync if effectively_async => {
                if mode == Mode::SemiSync && current == Mode::SemiSync {
                    // In fallback already: it returns by its own rule.
                    return;
                }
                self.config.mode = Mode::Async;
                self.config.switch_to = mode;
                if self.config.sync_after_seq.is_none() {
                    self.config.sync_after_seq = Some(self.log.next_seq());
                }
                self.check_mode_switch();
            }
            // Refused by the scenario (SPEC §6.4): a run never enters snapshot mode.
            Mode::Snapshot => {}
            Mode::Sync | Mode::SemiSync => {
                // Between sync and semi-sync: the writes waiting now keep waiting,
                // under the new mode's rule (and, for semi-sync, its timeout).
                self.enter(mode);
                self.try_sync_commits();
                if let Some(oldest) = self.log.oldest_waiting().filter(|_| mode == Mode::SemiSync) {
                    self.arm_semi_sync_timer(oldest);
                }
            }
        }
    }

    fn enter(&mut self, mode: Mode) {
        self.config.mode = mode;
        if mode == Mode::SemiSync {
            self.metrics.ran_semi_sync = true;
        }
    }

    #[inline]
    pub(crate) fn check_mode_switch(&mut self) {
        if self.config.fallback.is_some() || self.config.sync_after_seq.is_some() {
            self.check_mode_switch_now();
        }
    }

    /// `check_mode_switch` while a fallback or a switch to sync waits (out of line:
    /// every apply asks).
    #[inline(never)]
    fn check_mode_switch_now(&mut self) {
        self.check_resume();
        let Some(target) = self.config.sync_after_seq else {
            return;
        };
        let caught_up = self
            .active_secondaries()
            .all(|i| self.nodes[i].applied >= target);
        if caught_up {
            self.enter(self.config.switch_to);
            self.config.sync_after_seq = None;
        }
    }
}

/// The acks rule of `Simulation::sync_acked`, on the secondaries alone (so the log can
/// ask it while it moves its cursor).
fn sync_acked(
    nodes: &[Secondary],
    primary: usize,
    rule: CommitRule,
    cut: Option<u64>,
    target: Option<usize>,
    seq: u64,
) -> bool {
    if let Some(below) = cut {
        return seq < below && target.is_some_and(|t| nodes[t].acked > seq);
    }
    let (mut eligible, mut acked) = (0, 0);
    for (i, n) in nodes.iter().enumerate() {
        if i != primary && n.standing.is_ready() && seq >= n.acks_from {
            eligible += 1;
            acked += usize::from(n.acked > seq);
        }
    }
    rule.satisfied(acked, eligible)
}
