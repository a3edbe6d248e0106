//! One simulation: a variant × run of a scenario, from t = 0 to `duration`.
//!
//! Owns: the clock and the event loop, the random streams, and the rooms of state,
//! each a field with one owner: the clients' writes (`engine/writes.rs`), the
//! replication log (`engine/log.rs`), the secondaries (`engine/secondary.rs`), the
//! promotion state machine (`engine/promotion.rs`), the write-path configuration
//! (`Config`, with the seams of `engine/seams`) and the recorder (`metrics`).
//!
//! The loop takes the next event and dispatches it (`dispatch`) to a handler in one of
//! the child modules: `client.rs` (the write path, SPEC §3 rules 1–5),
//! `replication.rs` (shipping, apply, acks, readiness, lag), `promote.rs` (promotion,
//! DNS, losses), `network.rs` (delays and delivery), `schedule.rs` (which event is
//! next) and `throttled.rs` (throttled writes settled without their events). They are
//! `impl Simulation` blocks over the state defined here and import nothing from each
//! other; none of them may reach into another's room except through the room's own
//! methods.
//!
//! Adding an event kind: a variant in `engine/event.rs`, a handler in the child module
//! of the room it changes, and one arm in `dispatch`.

mod client;
mod network;
mod promote;
mod reads;
mod replication;
mod schedule;
mod snapshot;
mod throttled;

pub use replication::CAUGHT_UP;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use super::availability::{Availability, Transition};
use super::draw::Constants;
use super::event::{Event, WriteRef};
use super::log::ReplicationLog;
use super::points::RecoveryPoints;
use super::promotion::Promotions;
use super::queue::EventQueue;
use super::reads::Readers;
use super::rng::{stream, Purpose, SimRng};
use super::seams::{CommitRule, LagRule, ShipUnit};
use super::secondary::Secondary;
use super::writes::Writes;
use crate::engine::observer::Observer;
use crate::error::{GeoError, Result};
use crate::metrics::Recorder;
use crate::model::{ActionKind, AutoPromote, Mode, Model, Nanos, Quorum, RegionId, Target};
use crate::results::{OutageRecord, SimResult, Summary};
use crate::time::secs;

/// The namespace's write-path configuration that actions change during a run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub mode: Mode,
    /// Rule 4's lag limit; `None`: the lag never throttles (SPEC §6.3 `max_lag = "none"`).
    pub max_lag: Option<Nanos>,
    /// Rule 4's backlog limit (SPEC §6.3 `max_lag_writes`).
    pub max_lag_writes: Option<u64>,
    /// async → sync (or semi-sync) requested: switch to `switch_to` once every ready
    /// secondary has applied every write with seq below this.
    pub sync_after_seq: Option<u64>,
    pub switch_to: Mode,
    /// Which acks a sync write needs (SPEC §3: every ready secondary; §6.1).
    pub sync_rule: CommitRule,
    /// Which acks a semi-sync write needs (SPEC §6.2: `sync_acks`, default 1).
    pub semi_rule: CommitRule,
    /// Semi-sync's wait limit (`semi_sync_timeout`).
    pub semi_timeout: Nanos,
    /// Semi-sync fell back to async at this time and has not returned (SPEC §6.2).
    pub fallback: Option<Nanos>,
    /// It returns once `sync_acks` ready secondaries have applied every write below this
    /// (those accepted before the fallback).
    pub resume_after_seq: u64,
    /// A `SemiSyncTimer` event is pending.
    pub semi_timer_armed: bool,
    /// Which secondaries the namespace lag counts (SPEC §3: all; §6.3).
    pub lag_rule: LagRule,
    /// What a channel ships (SPEC §3: one write; §6.4).
    pub ship_unit: ShipUnit,
}

/// Where clients' DNS view points during a repoint window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Repoint {
    pub old_region: RegionId,
    pub start: Nanos,
    pub end: Nanos,
}

impl Repoint {
    /// The share of clients whose view names the new primary at `now`; `None` once the
    /// window is over (every view names it).
    pub(crate) fn new_share(&self, now: Nanos) -> Option<f64> {
        (now < self.end).then(|| (now - self.start) as f64 / (self.end - self.start) as f64)
    }
}

pub struct Simulation<'m> {
    pub(crate) model: &'m Model,
    pub(crate) variant: usize,
    pub(crate) run: u32,
    pub(crate) queue: EventQueue<Event>,
    pub(crate) now: Nanos,
    pub(crate) events: u64,
    pub(crate) avail: Availability,
    transitions: Vec<Transition>,
    next_transition: usize,
    next_action: usize,
    /// Each region's count of down transitions so far (identifies an outage).
    pub(crate) down_epoch: Vec<u32>,

    pub(crate) constants: Constants,
    pub(crate) rng_arrivals: SimRng,
    pub(crate) rng_sizes: SimRng,
    pub(crate) rng_network: SimRng,
    pub(crate) rng_commits: SimRng,
    pub(crate) rng_routing: SimRng,
    pub(crate) rng_replication: SimRng,
    pub(crate) rng_reads: SimRng,

    // Client side.
    pub(crate) writes: Writes,
    /// Attempt deadlines in send order: (deadline, write, attempt).
    pub(crate) deadlines: VecDeque<(Nanos, WriteRef, u32)>,
    pub(crate) phase: usize,
    pub(crate) dns: Option<Repoint>,

    // Service side.
    pub(crate) config: Config,
    /// Every region of the replication set: the primary and its secondaries.
    pub(crate) nodes: Vec<Secondary>,
    pub(crate) primary: usize,
    pub(crate) log: ReplicationLog,
    pub(crate) promotions: Promotions,
    /// `[reads]`; `None` without it.
    pub(crate) readers: Option<Readers>,
    /// Snapshot mode's recovery points (SPEC §6.4); `None` in every other mode.
    pub(crate) points: Option<RecoveryPoints>,

    pub(crate) metrics: Recorder,

    /// An outside observer (the invariant checker), off by default.
    pub(crate) observer: Option<&'m mut dyn Observer>,
    /// Set from outside (Ctrl-C) to stop the run early; polled now and then.
    stop: Option<&'m AtomicBool>,
}

impl<'m> Simulation<'m> {
    pub fn new(model: &'m Model, variant: usize, run: u32) -> Simulation<'m> {
        let v = &model.variants[variant];
        let avail = Availability::for_run(model, run);
        let transitions = avail.transitions();
        let mut nodes = vec![Secondary::new(model.primary)];
        nodes.extend(model.secondaries.iter().map(|&r| Secondary::new(r)));
        let s = |p| stream(model.seed, run, p);
        let regions: Vec<RegionId> = nodes.iter().map(|n| n.region).collect();
        let nodes_len = nodes.len();
        let readers = Readers::new(model, variant, &regions);
        let mut metrics = Recorder::new(model.warmup, model.duration, model.bucket, v.max_lag);
        metrics.max_lag_writes = v.max_lag_writes;
        metrics.ran_semi_sync = v.mode == Mode::SemiSync;
        if readers.is_some() {
            metrics.reads = Some(crate::metrics::reads::ReadRecorder::new());
        }
        Simulation {
            model,
            variant,
            run,
            queue: Self::new_queue(nodes.len()),
            now: 0,
            events: 0,
            avail,
            transitions,
            next_transition: 0,
            next_action: 0,
            down_epoch: vec![0; model.regions.len()],
            constants: Constants::new(model),
            rng_arrivals: s(Purpose::Arrivals),
            rng_sizes: s(Purpose::Sizes),
            rng_network: s(Purpose::Network),
            rng_commits: s(Purpose::Commits),
            rng_routing: s(Purpose::Routing),
            rng_replication: s(Purpose::Replication),
            rng_reads: s(Purpose::Reads),
            writes: Writes::new(),
            deadlines: VecDeque::new(),
            phase: 0,
            dns: None,
            config: Config {
                mode: v.mode,
                max_lag: v.max_lag,
                max_lag_writes: v.max_lag_writes,
                sync_after_seq: None,
                switch_to: Mode::Sync,
                sync_rule: CommitRule::of(v.acks(Mode::Sync)),
                semi_rule: CommitRule::of(v.acks(Mode::SemiSync)),
                semi_timeout: v.semi_sync_timeout,
                fallback: None,
                resume_after_seq: 0,
                semi_timer_armed: false,
                lag_rule: match v.lag_quorum {
                    Quorum::All => LagRule::All,
                    Quorum::Count(k) => LagRule::KthSmallest(k),
                },
                ship_unit: match v.mode {
                    Mode::Snapshot => ShipUnit::RecoveryPoint,
                    Mode::Sync | Mode::Async | Mode::SemiSync => ShipUnit::Write,
                },
            },
            nodes,
            primary: 0,
            log: ReplicationLog::new(),
            promotions: Promotions::new(),
            readers,
            points: (v.mode == Mode::Snapshot)
                .then(|| RecoveryPoints::new(v.snapshot_interval, nodes_len)),
            metrics,
            observer: None,
            stop: None,
        }
    }

    /// Reports what happens in the run to `observer` (see `check`).
    pub fn observed(mut self, observer: &'m mut dyn Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Stops the run with an `Interrupted` error soon after `flag` is set.
    pub fn stop_on(mut self, flag: &'m AtomicBool) -> Self {
        self.stop = Some(flag);
        self
    }

    fn stop_requested(&self) -> bool {
        self.stop.is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// Calls the observer, if there is one; a branch on `None` when checks are off.
    #[inline]
    pub(crate) fn observe(&mut self, f: impl FnOnce(&mut dyn Observer)) {
        if let Some(o) = self.observer.as_deref_mut() {
            f(o);
        }
    }

    /// Runs to `duration`. `progress` is told how much simulated time has passed,
    /// now and then (for a progress bar).
    pub fn run(mut self, progress: &(dyn Fn(Nanos) + Sync)) -> Result<SimResult> {
        if self.stop_requested() {
            return Err(self.interrupted());
        }
        self.start();
        let mut reported: Nanos = 0;
        // Events dispatched (`events` also counts deadlines dropped unseen).
        let mut dispatched: u64 = 0;
        while let Some((t, event)) = self.next_event() {
            if t >= self.model.duration {
                break;
            }
            self.observe(|o| o.event(t));
            self.now = t;
            self.events += 1;
            if self.events > self.model.max_events {
                return Err(GeoError::limit(
                    format!(
                        "{} exceeded the limit of {} engine events",
                        self.whereabouts(),
                        self.model.max_events
                    ),
                    "raise [simulation] max_events, or shorten the run or lower the rate",
                ));
            }
            dispatched += 1;
            if dispatched & 0xFFFF == 0 {
                progress(t - reported);
                reported = t;
                if self.stop_requested() {
                    return Err(self.interrupted());
                }
            }
            if self.metrics.bucket_ends_by(t) {
                let primary_name = &self.model.regions[self.nodes[self.primary].region].name;
                self.metrics.advance_to(t, primary_name);
            }
            self.dispatch(event);
            if self.log.len() as u64 > self.model.max_backlog {
                return Err(GeoError::limit(
                    format!(
                        "{} holds more than {} writes in its replication backlog",
                        self.whereabouts(),
                        self.model.max_backlog
                    ),
                    "raise [simulation] max_backlog (about 40 bytes of memory per write)",
                ));
            }
        }
        progress(self.model.duration.saturating_sub(reported));
        Ok(self.finish())
    }

    fn interrupted(&self) -> GeoError {
        GeoError::interrupted(format!("{} interrupted", self.whereabouts()))
    }

    /// `variant "NAME" run R at t = T s`: where a run stopped, for its error message.
    fn whereabouts(&self) -> String {
        format!(
            "variant \"{}\" run {} at t = {:.3} s",
            self.model.variants[self.variant].name,
            self.run,
            secs(self.now)
        )
    }

    fn start(&mut self) {
        self.schedule_first_arrival();
        self.start_reads();
        self.start_points();
        if let Some(t) = self.transitions.first() {
            self.queue.push(t.time, Event::Transition);
        }
        if let Some(a) = self.model.actions.first() {
            self.queue.push(a.at, Event::Action);
        }
        // An episode of the year of failures may start away from the failback region,
        // which is then ready from t = 0.
        for i in 0..self.nodes.len() {
            self.arm_failback(i);
        }
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Arrival => self.on_arrival(),
            Event::Retry { w } => self.on_retry(w),
            Event::Request { w, attempt, region } => {
                self.on_request(w, attempt, region as RegionId)
            }
            Event::Answer {
                w,
                attempt,
                outcome,
            } => self.on_answer(w, attempt, outcome),
            Event::TimeoutDue => self.on_timeout_due(),
            Event::PrimaryCommit {
                w,
                attempt,
                seq,
                region,
            } => self.on_primary_commit(w, attempt, seq, region as RegionId),
            Event::ChannelSent { node, send_epoch } => {
                self.on_channel_sent(node as usize, send_epoch)
            }
            Event::Applied {
                node,
                seq,
                log_epoch,
            } => self.on_applied(node as usize, seq, log_epoch),
            Event::Ack {
                node,
                upto,
                log_epoch,
            } => self.on_ack(node as usize, upto, log_epoch),
            Event::Transition => self.on_transition(),
            Event::Action => self.on_action(),
            Event::AutoPromote { region, down_epoch } => {
                self.on_auto_promote(region as RegionId, down_epoch)
            }
            Event::RemoveSecondary { node, fault_epoch } => {
                self.on_remove_secondary(node as usize, fault_epoch)
            }
            Event::Escalate { promotion } => self.on_escalate(promotion),
            Event::SwitchDone { promotion } => self.on_switch_done(promotion),
            Event::Failback { node, timer } => self.on_failback(node as usize, timer),
            Event::ReadArrival => self.on_read_arrival(),
            Event::ReadAt { node, issued } => self.on_read_at(node as usize, issued),
            Event::SemiSyncTimer => self.on_semi_sync_timer(),
            Event::CutPoint => self.on_cut_point(),
        }
    }

    #[cold]
    #[inline(never)]
    fn on_transition(&mut self) {
        let t = self.transitions[self.next_transition];
        self.next_transition += 1;
        if let Some(next) = self.transitions.get(self.next_transition) {
            self.queue.push(next.time, Event::Transition);
        }
        if let (Target::Region(r), true) = (t.target, t.down) {
            self.down_epoch[r] += 1;
            if r == self.primary_region() {
                self.primary_went_down(r);
            }
        }
        self.update_reachability();
        if !t.down {
            self.check_drain();
        }
        self.refresh_lag();
    }

    #[cold]
    #[inline(never)]
    fn on_action(&mut self) {
        let action = self.model.actions[self.next_action];
        self.next_action += 1;
        if let Some(next) = self.model.actions.get(self.next_action) {
            self.queue.push(next.at, Event::Action);
        }
        match action.kind {
            ActionKind::Promote {
                kind,
                target,
                escalate_after,
            } => self.request_promotion(kind, target, escalate_after),
            ActionKind::SetMode(mode) => self.set_mode(mode),
            ActionKind::SetMaxLag(max_lag) => {
                self.config.max_lag = Some(max_lag);
                self.metrics.max_lag_changed(self.now, Some(max_lag));
            }
        }
    }

    /// The variant's own `auto_promote` (its preset's, SPEC §6.5: a SQL failover
    /// group's grace period), else the scenario's `[policy] auto_promote`.
    pub(crate) fn auto_promote(&self) -> Option<AutoPromote> {
        self.model.variants[self.variant]
            .auto_promote
            .or(self.model.policy.auto_promote)
    }

    pub(crate) fn primary_region(&self) -> RegionId {
        self.nodes[self.primary].region
    }

    #[cold]
    #[inline(never)]
    fn finish(mut self) -> SimResult {
        let model = self.model;
        let primary_name = &model.regions[self.primary_region()].name;
        self.metrics.finish(primary_name);
        let v = &model.variants[self.variant];
        let mut summary = Summary {
            variant: v.name.clone(),
            run: self.run,
            seed: model.seed,
            mode: v.mode.as_str().to_string(),
            max_lag_s: v.max_lag.map(secs),
            max_lag_writes: v.max_lag_writes,
            promotion: self.promotion_label(),
            promotion_s: self.promotions.longest().map(secs),
            events: self.events,
            recovery_points: self.recovery_points(),
            failbacks: self
                .metrics
                .promotions
                .iter()
                .filter(|p| p.failback && p.completed_s.is_some())
                .count() as u64,
            ..Summary::default()
        };
        self.metrics.fill(&mut summary);
        let outages = self
            .avail
            .windows()
            .iter()
            .map(|w| OutageRecord {
                target: model.target_name(w.target),
                start_s: secs(w.start),
                end_s: secs(w.end.min(model.duration)),
                kind: match w.kind {
                    crate::model::OutageKind::Down => "down".to_string(),
                    crate::model::OutageKind::Slow(f) => format!("slow x{f}"),
                },
            })
            .collect();
        SimResult {
            summary,
            latency_cdf: self.metrics.latency_cdf(),
            first_try_cdf: self.metrics.first_try_cdf(),
            timeseries: std::mem::take(&mut self.metrics.buckets),
            promotions: std::mem::take(&mut self.metrics.promotions),
            outages,
            visibility_curve: self
                .metrics
                .reads
                .as_ref()
                .map(|r| r.visibility_curve())
                .unwrap_or_default(),
        }
    }
}
