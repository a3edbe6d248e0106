//! Replication: the primary's log, one FIFO shipping channel per secondary, in-order
//! apply, cumulative acks for sync writes, readiness and resync, lag and throttling.
//!
//! The log is shared by all channels: each secondary keeps a cursor (`applied`,
//! `next_send`) into it, and an entry leaves memory once every secondary has applied
//! it. Memory therefore grows with the replication backlog, not with the number of
//! writes simulated.

use crate::engine::client::to_nanos;
use crate::engine::event::{Event, Fifo, Outcome, WriteRef};
use crate::engine::lane::Lane;
use crate::engine::sim::Simulation;
use crate::model::{Mode, Nanos, RegionId, Target, NS_PER_S};

/// A resyncing secondary this close behind the primary counts as caught up.
const CAUGHT_UP: Nanos = NS_PER_S;

/// Log capacity (entries) above which a mostly empty log is shrunk.
const LOG_SHRINK_ABOVE: usize = 1 << 16;

/// Where a log entry stands at the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryState {
    /// Sync write waiting for the acks of every ready secondary.
    WaitingAcks,
    /// The primary's commit is in progress.
    Committing,
    Committed,
    /// The primary went down before committing it: it never happened.
    Void,
}

/// A write in the replication log (32 bytes).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub t_accept: Nanos,
    pub w: WriteRef,
    pub attempt: u32,
    pub size: u32,
    pub state: EntryState,
    /// Accepted in sync mode: shipped to ready secondaries before the primary commits.
    pub sync: bool,
    /// Issued after warmup (counted in the figures).
    pub counted: bool,
}

/// A region of the replication set, seen as a secondary of the current primary.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub region: RegionId,
    /// False once `remove_secondary_after` dropped it (until it is reachable again).
    pub in_set: bool,
    pub ready: bool,
    /// Ready and taking part in sync writes, but still applying sync writes that were
    /// acknowledged without it (before it joined): not yet a safe promotion target.
    pub joining: bool,
    /// Resyncing: ready once `applied` reaches this sequence number (while `joining`:
    /// done joining).
    pub resync_target: Option<u64>,
    /// Resyncing, waiting to become reachable to fix its t0.
    pub resync_pending: bool,
    pub reachable: bool,
    /// Changes whenever reachability changes (identifies an unreachable spell).
    pub reach_epoch: u32,
    /// Every entry with a lower sequence number is applied (or void).
    pub applied: u64,
    /// t_accept of the last write applied here.
    pub last_applied_accept: Option<Nanos>,
    /// Next entry to put on the channel.
    pub next_send: u64,
    /// Serialising the entry at `next_send` (bandwidth-limited link).
    pub sending: bool,
    /// Changes when the channel stalls: a stale `ChannelSent` is recognised by it.
    pub send_epoch: u32,
    /// A send failed (an outage will cut it off): wait for the next recovery.
    pub blocked: bool,
    /// Apply time of the last write scheduled to apply (in-order apply).
    pub last_apply_at: Nanos,
    /// Cumulative ack the primary has received from this secondary.
    pub acked: u64,
    /// Applies scheduled on this node, in order (outside the event heap).
    pub lane: Lane,
}

impl Node {
    pub fn new(region: RegionId) -> Node {
        Node {
            region,
            in_set: true,
            ready: true,
            joining: false,
            resync_target: None,
            resync_pending: false,
            reachable: true,
            reach_epoch: 0,
            applied: 0,
            last_applied_accept: None,
            next_send: 0,
            sending: false,
            send_epoch: 0,
            blocked: false,
            last_apply_at: 0,
            acked: 0,
            lane: Lane::default(),
        }
    }
}

impl Simulation<'_> {
    fn entry(&self, seq: u64) -> Option<&Entry> {
        seq.checked_sub(self.log_base)
            .and_then(|i| self.log.get(i as usize))
    }

    fn entry_mut(&mut self, seq: u64) -> Option<&mut Entry> {
        seq.checked_sub(self.log_base)
            .and_then(|i| self.log.get_mut(i as usize))
    }

    /// The non-primary nodes that count for lag, throttling and sync acks.
    fn is_active_secondary(&self, i: usize) -> bool {
        i != self.primary && self.nodes[i].in_set && self.nodes[i].ready
    }

    /// t_accept of the oldest write not yet applied on some ready secondary.
    fn oldest_pending(&self) -> Option<Nanos> {
        if self.log_abandoned {
            return None;
        }
        (0..self.nodes.len())
            .filter(|&i| self.is_active_secondary(i))
            .filter_map(|i| self.entry(self.nodes[i].applied).map(|e| e.t_accept))
            .min()
    }

    /// The namespace lag now (SPEC §3): the largest lag over the ready secondaries.
    pub(crate) fn namespace_lag(&self) -> Nanos {
        self.oldest_pending()
            .map_or(0, |a| self.now.saturating_sub(a))
    }

    /// Tells the recorder the lag's reference point after anything that may move it.
    pub(crate) fn refresh_lag(&mut self) {
        let oldest = self.oldest_pending();
        self.metrics.lag_changed(self.now, oldest);
    }

    /// Rule 5: the primary accepts the write.
    pub(crate) fn accept(&mut self, w: WriteRef, attempt: u32) {
        let now = self.now;
        let Some(write) = self.write_mut(w) else {
            return;
        };
        write.refs += 1;
        write.accepted_at = now;
        let (size, counted) = (write.size, write.counted);
        if counted {
            self.metrics.bytes_accepted += u64::from(size);
        }
        let has_ready = (0..self.nodes.len()).any(|i| self.is_active_secondary(i));
        let sync = self.config.mode == Mode::Sync && has_ready;
        let seq = self.next_seq;
        self.next_seq += 1;
        self.log.push_back(Entry {
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
        if sync {
            self.pump_all();
        } else {
            if self.sync_cursor == seq {
                self.sync_cursor = seq + 1;
            }
            self.start_primary_commit(seq);
        }
        self.refresh_lag();
    }

    /// Starts the primary's durable commit of `seq`. Scheduled only if the primary
    /// stays up until it completes; otherwise the outage voids it.
    fn start_primary_commit(&mut self, seq: u64) {
        let now = self.now;
        let region = self.primary_region();
        let done = now.saturating_add(self.commit_delay(region, now));
        let Some(e) = self.entry_mut(seq) else {
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
        if let Some(e) = self.entry_mut(seq) {
            if e.w == w && e.state == EntryState::Committing {
                e.state = EntryState::Committed;
                committed_here = true;
                sync = Some(e.sync);
            }
        }
        if self.observer.is_some() {
            // A sync write whose acks a mode change made unnecessary was not confirmed.
            let confirmed = sync.map(|s| {
                s && (0..self.nodes.len())
                    .filter(|&i| self.is_active_secondary(i))
                    .all(|i| self.nodes[i].acked > seq)
            });
            let now = self.now;
            self.observe(|o| o.committed(now, region, seq, confirmed));
        }
        if committed_here {
            self.kick_channels_waiting_on(seq);
        }
        let Some(write) = self.write_mut(w) else {
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
            self.count_lost(counted, accepted_at);
        }
        self.answer(region, w, attempt, Outcome::Acked);
        self.release_if_done(w);
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
            if !n.in_set || !n.reachable || n.sending || n.blocked || self.log_abandoned {
                return;
            }
            let mut seq = n.next_send.max(n.applied);
            while self.entry(seq).is_some_and(|e| e.state == EntryState::Void) {
                seq += 1;
            }
            self.nodes[i].next_send = seq;
            let Some(&e) = self.entry(seq) else {
                return;
            };
            let eligible = e.state == EntryState::Committed || (e.sync && self.nodes[i].ready);
            if !eligible {
                return;
            }
            let link = self.model.link(self.primary_region(), self.nodes[i].region);
            if let Some(bw) = link.bandwidth_bytes_per_s {
                let serialise = to_nanos(f64::from(e.size) / bw * NS_PER_S as f64);
                self.nodes[i].sending = true;
                let send_epoch = self.nodes[i].send_epoch;
                self.queue.push(
                    self.now.saturating_add(serialise),
                    Event::ChannelSent {
                        node: i as u32,
                        send_epoch,
                    },
                );
                return;
            }
            if !self.depart(i, seq) {
                return;
            }
        }
    }

    pub(crate) fn on_channel_sent(&mut self, i: usize, send_epoch: u32) {
        if self.nodes[i].send_epoch != send_epoch || !self.nodes[i].sending {
            return;
        }
        self.nodes[i].sending = false;
        let seq = self.nodes[i].next_send;
        if self.depart(i, seq) {
            self.pump(i);
        }
    }

    /// The entry `seq` leaves the primary for node `i` now: decides its arrival and
    /// apply time, and schedules the apply if it will happen. Returns whether it did.
    fn depart(&mut self, i: usize, seq: u64) -> bool {
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
            n.next_send = seq + 1;
            let log_epoch = self.log_epoch;
            self.schedule_apply(i, apply_at, seq, log_epoch);
        } else {
            n.blocked = true;
        }
        ok
    }

    pub(crate) fn on_applied(&mut self, i: usize, seq: u64, log_epoch: u32) {
        if log_epoch != self.log_epoch || self.log_abandoned {
            return;
        }
        let now = self.now;
        let Some(&e) = self.entry(seq) else {
            return;
        };
        let counts_delay = self.is_active_secondary(i) && e.t_accept >= self.model.warmup;
        let region = self.nodes[i].region;
        self.observe(|o| o.applied(now, region, seq, e.t_accept));
        let n = &mut self.nodes[i];
        n.applied = n.applied.max(seq + 1);
        n.last_applied_accept = Some(e.t_accept);
        self.skip_voids(i);
        if counts_delay {
            self.metrics.repl_delay(now - e.t_accept);
        }
        if self.sync_cursor < self.next_seq {
            self.send_ack(i);
        }
        self.check_ready(i);
        self.check_drain();
        self.check_mode_switch();
        self.trim_log();
        self.refresh_lag();
    }

    /// Moves node `i`'s applied cursor past entries that never happened.
    fn skip_voids(&mut self, i: usize) {
        let mut a = self.nodes[i].applied;
        while self.entry(a).is_some_and(|e| e.state == EntryState::Void) {
            a += 1;
        }
        self.nodes[i].applied = a;
    }

    /// Drops log entries every secondary has applied and whose sync wait is over.
    fn trim_log(&mut self) {
        let min_applied = (0..self.nodes.len())
            .filter(|&i| i != self.primary)
            .map(|i| self.nodes[i].applied)
            .min()
            .unwrap_or(self.next_seq)
            .min(self.sync_cursor);
        while self.log_base < min_applied && !self.log.is_empty() {
            self.log.pop_front();
            self.log_base += 1;
        }
        // A drained outage backlog gives its memory back (a steady log is far below
        // this size, so this costs nothing per write).
        let cap = self.log.capacity();
        if cap > LOG_SHRINK_ABOVE && self.log.len() < cap / 4 {
            self.log.shrink_to(self.log.len() * 2);
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
            let (upto, log_epoch) = (self.nodes[i].applied, self.log_epoch);
            self.queue.push_fifo(
                Fifo::Ack as usize,
                arrival,
                Event::Ack {
                    node: i as u32,
                    upto,
                    log_epoch,
                },
            );
        }
    }

    pub(crate) fn on_ack(&mut self, i: usize, upto: u64, log_epoch: u32) {
        if log_epoch != self.log_epoch || self.log_abandoned {
            return;
        }
        let n = &mut self.nodes[i];
        n.acked = n.acked.max(upto);
        self.try_sync_commits();
    }

    /// Starts the primary commit of every sync write all ready secondaries have acked,
    /// in log order.
    pub(crate) fn try_sync_commits(&mut self) {
        if self.log_abandoned {
            return;
        }
        while self.sync_cursor < self.next_seq {
            let seq = self.sync_cursor;
            let Some(e) = self.entry(seq) else {
                self.sync_cursor += 1;
                continue;
            };
            if e.state == EntryState::WaitingAcks {
                let all_acked = (0..self.nodes.len())
                    .filter(|&i| self.is_active_secondary(i))
                    .all(|i| self.nodes[i].acked > seq);
                if !all_acked {
                    break;
                }
                self.start_primary_commit(seq);
            }
            self.sync_cursor += 1;
        }
        self.trim_log();
    }

    /// Readiness of a resyncing node (SPEC §3 "Ready"): it has applied every write
    /// accepted before its t0. The writes accepted during that catch-up are still
    /// queued behind it; a secondary minutes behind is not "caught up", and joining
    /// with that lag would throttle the namespace at once. So while the oldest write
    /// still pending is more than `CAUGHT_UP` old, t0 moves to now and the catch-up
    /// goes on (each round is shorter than the last while the link outpaces the load).
    fn check_ready(&mut self, i: usize) {
        let Some(target) = self.nodes[i].resync_target else {
            return;
        };
        if self.nodes[i].applied < target {
            return;
        }
        if self.nodes[i].joining {
            // Everything acknowledged before it joined is now applied here too.
            self.nodes[i].joining = false;
            self.nodes[i].resync_target = None;
            return;
        }
        let behind = self
            .entry(self.nodes[i].applied)
            .map_or(0, |e| self.now.saturating_sub(e.t_accept));
        let sync = self.config.mode == Mode::Sync;
        let next_seq = self.next_seq;
        let n = &mut self.nodes[i];
        if behind > CAUGHT_UP.min(self.config.max_lag.max(1)) {
            n.resync_target = Some(next_seq);
            return;
        }
        n.ready = true;
        // Under sync, the writes still queued for it were acknowledged without it: from
        // now on sync writes wait for it, and once it has applied those too it is a
        // promotion target that loses no acknowledged write (SPEC §3).
        n.joining = sync && n.applied < next_seq;
        n.resync_target = n.joining.then_some(next_seq);
        self.pump(i);
        self.refresh_lag();
    }

    /// The primary region went down: its commits in progress never happen.
    pub(crate) fn primary_went_down(&mut self, region: RegionId) {
        let now = self.now;
        self.metrics.primary_outage(now);
        if let Some(auto) = self.model.policy.auto_promote {
            self.queue.push(
                now.saturating_add(auto.after),
                Event::AutoPromote {
                    region: region as u32,
                    down_epoch: self.down_epoch[region],
                },
            );
        }
        let mut released = Vec::new();
        for e in self.log.iter_mut() {
            if matches!(e.state, EntryState::Committing | EntryState::WaitingAcks) {
                e.state = EntryState::Void;
                released.push(e.w);
            }
        }
        for w in released {
            if let Some(write) = self.write_mut(w) {
                write.refs -= 1;
            }
            self.release_if_done(w);
        }
        for i in 0..self.nodes.len() {
            if i != self.primary {
                self.skip_voids(i);
            }
        }
    }

    /// Can the primary reach node `i` now (both regions and their link up)?
    fn can_reach(&self, i: usize) -> bool {
        let now = self.now;
        let p = self.primary_region();
        let r = self.nodes[i].region;
        !self.avail.is_down(Target::Region(p), now)
            && !self.avail.is_down(Target::Region(r), now)
            && !self.avail.is_down(Target::link(p, r), now)
    }

    /// Recomputes which secondaries the primary can reach and reacts to changes:
    /// stall, resend, re-ack, resync start, removal timers.
    pub(crate) fn update_reachability(&mut self) {
        for i in 0..self.nodes.len() {
            if i != self.primary && self.can_reach(i) != self.nodes[i].reachable {
                self.set_reachable(i, !self.nodes[i].reachable);
            }
        }
    }

    /// After a change of primary: every secondary starts a new reachability spell.
    pub(crate) fn reset_reachability(&mut self) {
        for i in 0..self.nodes.len() {
            if i != self.primary {
                let reach = self.can_reach(i);
                self.set_reachable(i, reach);
            }
        }
    }

    fn set_reachable(&mut self, i: usize, reach: bool) {
        let now = self.now;
        let n = &mut self.nodes[i];
        n.reachable = reach;
        n.reach_epoch = n.reach_epoch.wrapping_add(1);
        n.send_epoch = n.send_epoch.wrapping_add(1);
        n.sending = false;
        n.blocked = false;
        if reach {
            self.became_reachable(i);
        } else if let Some(after) = self.model.policy.remove_secondary_after {
            let reach_epoch = self.nodes[i].reach_epoch;
            self.queue.push(
                now.saturating_add(after),
                Event::RemoveSecondary {
                    node: i as u32,
                    reach_epoch,
                },
            );
        }
    }

    fn became_reachable(&mut self, i: usize) {
        let n = &mut self.nodes[i];
        if !n.in_set {
            // Added back: not ready, resyncs from now (SPEC §3).
            n.in_set = true;
            n.ready = false;
            n.joining = false;
            n.resync_pending = true;
        }
        if n.resync_pending {
            n.resync_pending = false;
            n.resync_target = Some(self.next_seq);
        }
        self.send_ack(i);
        self.check_ready(i);
        self.pump(i);
    }

    pub(crate) fn on_remove_secondary(&mut self, i: usize, reach_epoch: u32) {
        let n = &mut self.nodes[i];
        if n.reach_epoch != reach_epoch || n.reachable || !n.in_set || i == self.primary {
            return;
        }
        n.in_set = false;
        n.ready = false;
        n.joining = false;
        n.resync_target = None;
        self.try_sync_commits();
        self.check_drain();
        self.check_mode_switch();
        self.refresh_lag();
    }

    /// `set_mode`: sync → async at once; async → sync once the ready secondaries have
    /// caught up since the request.
    pub(crate) fn set_mode(&mut self, mode: Mode) {
        match mode {
            Mode::Async => {
                self.config.mode = Mode::Async;
                self.config.sync_after_seq = None;
                if self.log_abandoned {
                    // A forced promotion stopped replication from this log: its
                    // writes waiting for acks are lost, not to be committed now.
                    return;
                }
                // Writes waiting for acks need them no more.
                let pending: Vec<u64> = (self.sync_cursor..self.next_seq)
                    .filter(|&s| {
                        self.entry(s)
                            .is_some_and(|e| e.state == EntryState::WaitingAcks)
                    })
                    .collect();
                for seq in pending {
                    self.start_primary_commit(seq);
                }
                self.sync_cursor = self.next_seq;
                self.trim_log();
            }
            Mode::Sync if self.config.mode == Mode::Async => {
                if self.config.sync_after_seq.is_none() {
                    self.config.sync_after_seq = Some(self.next_seq);
                }
                self.check_mode_switch();
            }
            Mode::Sync => {}
        }
    }

    pub(crate) fn check_mode_switch(&mut self) {
        let Some(target) = self.config.sync_after_seq else {
            return;
        };
        let caught_up = (0..self.nodes.len())
            .filter(|&i| self.is_active_secondary(i))
            .all(|i| self.nodes[i].applied >= target);
        if caught_up {
            self.config.mode = Mode::Sync;
            self.config.sync_after_seq = None;
        }
    }
}
