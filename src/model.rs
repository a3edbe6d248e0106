//! The validated, immutable scenario the engine sees.
//!
//! Everything here has been checked by `scenario::validate`: regions are indices
//! (`RegionId`), times are integer nanoseconds, distributions are ready to sample.
//! No strings decide behaviour; names are kept only to label output.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto, Uniform};

use crate::time::secs;

// Time's units belong to `time`, which converts them; the model names them too, so that
// scenario, engine and report code reads `model::Nanos` where it reads the model.
pub use crate::time::{Nanos, NS_PER_MS, NS_PER_S, NS_PER_US};

/// Index of a region in `Model::regions`.
pub type RegionId = usize;

/// A distribution of non-negative values in a base unit (nanoseconds for
/// latencies, bytes for sizes). Built once by validation.
#[derive(Debug, Clone)]
pub enum Dist {
    Constant(f64),
    Uniform(Uniform<f64>),
    /// Negative draws are redrawn (SPEC §2.1).
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Exponential(Exp<f64>),
    Pareto(Pareto<f64>),
}

impl Dist {
    /// One draw, in the base unit; never negative, never NaN.
    ///
    /// Inlined into each caller: the match on the distribution is then a branch of
    /// its own at every call site (an RTT's is always normal, a commit's lognormal),
    /// where one out-of-line copy made every draw of a run share one indirect jump
    /// (issues 12 and 15: 4% of a jittered quorum run, 5% of a sync one).
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self {
            Dist::Constant(v) => *v,
            Dist::Uniform(d) => d.sample(rng),
            Dist::Normal(d) => loop {
                let v = d.sample(rng);
                if v >= 0.0 {
                    break v;
                }
            },
            Dist::LogNormal(d) => d.sample(rng),
            Dist::Exponential(d) => d.sample(rng),
            Dist::Pareto(d) => d.sample(rng),
        };
        if x.is_finite() && x > 0.0 {
            x
        } else if x.is_infinite() {
            f64::MAX
        } else {
            0.0
        }
    }
}

/// A latency or size distribution together with its mean (finite or +inf),
/// which validation computes from the parameters it parsed.
#[derive(Debug, Clone)]
pub struct Sampled {
    pub dist: Dist,
    /// Mean in the base unit; `f64::INFINITY` for a Pareto with shape ≤ 1.
    pub mean: f64,
}

impl Sampled {
    pub fn constant(v: f64) -> Sampled {
        Sampled {
            dist: Dist::Constant(v),
            mean: v,
        }
    }

    /// One draw rounded to an integer count of the base unit, saturating.
    pub fn sample_u64<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let v = self.dist.sample(rng).round();
        if v >= u64::MAX as f64 {
            u64::MAX
        } else {
            v as u64
        }
    }
}

#[derive(Debug, Clone)]
pub struct Region {
    pub name: String,
    /// Local durable-commit latency (ns).
    pub commit: Sampled,
    /// Round trip between co-located clients and this region (ns).
    pub local_rtt: Sampled,
}

#[derive(Debug, Clone)]
pub struct Link {
    /// Round-trip time (ns); a one-way message takes a sample / 2.
    pub rtt: Sampled,
    /// Replication throughput in bytes per second; `None` = unlimited.
    pub bandwidth_bytes_per_s: Option<f64>,
}

/// A rate change of the open-loop Poisson workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    pub at: Nanos,
    /// Writes per second (≥ 0).
    pub rate: f64,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub client_region: RegionId,
    /// Sorted by `at`; the first phase starts at 0.
    pub phases: Vec<Phase>,
    /// Bytes per write.
    pub size: Sampled,
    pub timeout: Nanos,
    pub retries: u32,
    pub backoff: Nanos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Region(RegionId),
    /// A link, with the smaller region id first.
    Link(RegionId, RegionId),
}

impl Target {
    pub fn link(a: RegionId, b: RegionId) -> Target {
        if a <= b {
            Target::Link(a, b)
        } else {
            Target::Link(b, a)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutageKind {
    Down,
    /// Latencies of the target are multiplied by this factor (> 0).
    Slow(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outage {
    pub target: Target,
    pub start: Nanos,
    pub duration: Nanos,
    pub kind: OutageKind,
}

/// Random outages: exponential time between failures, `mttr` repair time.
#[derive(Debug, Clone)]
pub struct Failure {
    pub target: Target,
    pub mtbf: Nanos,
    pub mttr: Sampled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Sync,
    Async,
    /// SPEC §6.2: sync with `sync_acks` (default 1), falling back to async when a write
    /// has waited `semi_sync_timeout`.
    SemiSync,
    /// SPEC §6.4: recovery points instead of a log; writes are answered as async.
    Snapshot,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sync => "sync",
            Mode::Async => "async",
            Mode::SemiSync => "semi-sync",
            Mode::Snapshot => "snapshot",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PromoteKind {
    Planned,
    Forced,
}

impl PromoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PromoteKind::Planned => "planned",
            PromoteKind::Forced => "forced",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActionKind {
    Promote {
        kind: PromoteKind,
        /// `None`: the first ready secondary at the time of the request.
        target: Option<RegionId>,
        escalate_after: Option<Nanos>,
    },
    SetMode(Mode),
    SetMaxLag(Nanos),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Action {
    pub at: Nanos,
    pub kind: ActionKind,
}

/// `[policy] auto_promote`: the operator's automation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoPromote {
    /// Promote once the primary region has been down this long.
    pub after: Nanos,
    pub kind: PromoteKind,
    /// A planned auto-promotion turns forced this long after its request.
    pub escalate_after: Option<Nanos>,
}

/// `[policy] failback`: the runbook's "fail over, repair, fail back".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failback {
    /// Promote `to` back once it has been ready this long after a promotion away.
    pub after: Nanos,
    pub kind: PromoteKind,
    /// The region failed back to: the scenario's `replication.primary` (kept when the
    /// year of failures starts an episode with another primary).
    pub to: RegionId,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Policy {
    pub auto_promote: Option<AutoPromote>,
    /// Drop a secondary unreachable from the primary this long.
    pub remove_secondary_after: Option<Nanos>,
    pub failback: Option<Failback>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PromotionTiming {
    pub switch: Nanos,
    pub dns: Nanos,
}

/// How many secondaries a rule counts: SPEC §6.1 `sync_acks` (acks a write needs) and
/// §6.3 `lag_quorum` (which smallest lag the namespace lag is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// Every ready secondary (§3's rule).
    All,
    /// Any k of them (1 ≤ k ≤ the number of secondaries; validation checks it).
    Count(u32),
}

impl Quorum {
    /// `"all"` or the count, as a scenario writes it.
    pub fn label(self) -> String {
        match self {
            Quorum::All => "all".into(),
            Quorum::Count(k) => k.to_string(),
        }
    }
}

/// MySQL's `rpl_semi_sync_source_timeout` default (SPEC §6.2).
pub const DEFAULT_SEMI_SYNC_TIMEOUT: Nanos = 10 * NS_PER_S;

/// SPEC §6.4: one recovery point every 5 minutes unless the scenario says otherwise.
pub const DEFAULT_SNAPSHOT_INTERVAL: Nanos = 300 * NS_PER_S;

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub mode: Mode,
    /// Rule 4's lag limit; `None`: `max_lag = "none"`, the lag never throttles (SPEC §6.3).
    pub max_lag: Option<Nanos>,
    /// Overrides the kind of every promotion of this variant.
    pub promote: Option<PromoteKind>,
    /// Snapshot mode: a recovery point at every multiple of this (SPEC §6.4; default 5m).
    pub snapshot_interval: Nanos,
    /// Where this variant's readers read, when the scenario has `[reads]`.
    pub read_at: ReadAt,
    /// SPEC §6.1 `sync_acks` as the scenario set it; `None`: the default of the mode the
    /// variant is in at the time (see `Variant::acks`), since `set_mode` can change it.
    pub sync_acks: Option<Quorum>,
    /// SPEC §6.2: a semi-sync write that waited this long since its accept falls back.
    pub semi_sync_timeout: Nanos,
    /// SPEC §6.3: the lag and backlog are the `lag_quorum`-th smallest over the ready
    /// secondaries.
    pub lag_quorum: Quorum,
    /// SPEC §6.3: throttle while the namespace backlog exceeds this many writes.
    pub max_lag_writes: Option<u64>,
    /// SPEC §6.5: the preset whose defaults and ranges the variant follows (its name).
    pub preset: Option<&'static str>,
    /// The variant's own `[policy] auto_promote` when its preset supplies one and the
    /// scenario sets none (the Microsoft-managed failover of a SQL failover group);
    /// `None`: the model's `policy` applies.
    pub auto_promote: Option<AutoPromote>,
    /// `[objectives]` with this variant's own `objectives` over them (SPEC §8).
    pub objectives: Objectives,
}

/// Where a read goes (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAt {
    /// Where the client's DNS view sends a write; a region that is not the primary
    /// answers "unavailable".
    Primary,
    /// The up region of the replication set (primary or ready secondary) with the
    /// smallest mean round trip from the readers, chosen when the read is issued.
    Nearest,
}

impl ReadAt {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadAt::Primary => "primary",
            ReadAt::Nearest => "nearest",
        }
    }
}

/// `[reads]`: an open-loop Poisson stream of reads (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reads {
    /// Reads per second (≥ 0).
    pub rate: f64,
    /// Where the readers are.
    pub from: RegionId,
}

/// What a variant must meet (SPEC §8): each limit `None` when not set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Objectives {
    /// `rpo_s` at most this.
    pub rpo: Option<Nanos>,
    /// `rto_s` at most this, where the primary had an outage.
    pub rto: Option<Nanos>,
    /// `availability` (a fraction) at least this.
    pub availability: Option<f64>,
    /// `first_try_latency_p99_ms` at most this.
    pub latency_p99: Option<Nanos>,
    /// Stale reads at most this share (with `[reads]`).
    pub stale_read_share: Option<f64>,
    /// `cost_month` at most this (with `[cost]`).
    pub cost_month: Option<f64>,
}

impl Objectives {
    pub fn is_empty(&self) -> bool {
        *self == Objectives::default()
    }
}

impl Variant {
    /// A variant with every Part II key at its default (Part I's behaviour).
    pub fn new(name: &str, mode: Mode, max_lag: Nanos) -> Variant {
        Variant {
            name: name.to_string(),
            mode,
            max_lag: Some(max_lag),
            promote: None,
            sync_acks: None,
            semi_sync_timeout: DEFAULT_SEMI_SYNC_TIMEOUT,
            lag_quorum: Quorum::All,
            max_lag_writes: None,
            preset: None,
            auto_promote: None,
            snapshot_interval: DEFAULT_SNAPSHOT_INTERVAL,
            read_at: ReadAt::Primary,
            objectives: Objectives::default(),
        }
    }

    /// The acks a sync write needs while the variant is in `mode` (SPEC §6.1, §6.2: the
    /// scenario's `sync_acks`, else "all" for sync and 1 for semi-sync).
    pub fn acks(&self, mode: Mode) -> Quorum {
        self.sync_acks.unwrap_or(match mode {
            Mode::Sync | Mode::Async | Mode::Snapshot => Quorum::All,
            Mode::SemiSync => Quorum::Count(1),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub duration: Nanos,
    pub warmup: Nanos,
    pub seed: u64,
    pub runs: u32,
    /// Width of a `timeseries.csv` bucket.
    pub bucket: Nanos,
    /// Limit on engine events per simulation (variant × run).
    pub max_events: u64,
    /// Limit on writes held in the replication backlog at once.
    pub max_backlog: u64,
    pub regions: Vec<Region>,
    /// `links[a][b]` for every pair of distinct regions (symmetric);
    /// `links[a][a]` is unused (`None`).
    pub links: Vec<Vec<Option<Link>>>,
    pub workload: Workload,
    pub primary: RegionId,
    /// One or more, in the order the scenario lists them.
    pub secondaries: Vec<RegionId>,
    pub outages: Vec<Outage>,
    pub failures: Vec<Failure>,
    /// Sorted by `at` (stable: equal times keep file order).
    pub actions: Vec<Action>,
    pub policy: Policy,
    pub promotion: PromotionTiming,
    pub variants: Vec<Variant>,
    /// `[cost]`: prices for the `cost` columns and chart; `None` without the table.
    pub cost: Option<Prices>,
    /// `[reads]`; `None` without the table (no reads are simulated).
    pub reads: Option<Reads>,
}

impl Model {
    /// Mean round trip between clients in `from` and region `to`: the local round trip
    /// when co-located, else the link's. Decides the region `at = "nearest"` reads.
    pub fn mean_rtt_ns(&self, from: RegionId, to: RegionId) -> f64 {
        if from == to {
            self.regions[from].local_rtt.mean
        } else {
            self.link(from, to).rtt.mean
        }
    }

    pub fn link(&self, a: RegionId, b: RegionId) -> &Link {
        self.links[a][b]
            .as_ref()
            .expect("validation guarantees a link between every pair of regions")
    }

    /// Expected number of client writes issued in [warmup, duration].
    pub fn expected_writes(&self) -> f64 {
        self.writes_issued_from(self.warmup)
    }

    /// Expected number of client writes issued over the whole run, warmup included.
    pub fn writes_issued_from_start(&self) -> f64 {
        self.writes_issued_from(0)
    }

    /// Expected number of client writes issued in [from, duration].
    fn writes_issued_from(&self, from: Nanos) -> f64 {
        let phases = &self.workload.phases;
        let mut total = 0.0;
        for (i, p) in phases.iter().enumerate() {
            let end = phases.get(i + 1).map_or(self.duration, |n| n.at);
            let start = p.at.max(from);
            if end > start {
                total += p.rate * secs(end - start);
            }
        }
        total
    }

    /// Expected engine events of one simulation of variant `v`. Each write issued
    /// (warmup included: the engine simulates those too) takes, besides retries, its
    /// arrival, the request, the primary commit, the answer and the attempt deadline,
    /// plus per secondary an apply, the end of its serialisation on a link with a
    /// bandwidth, and, in sync mode, an ack.
    pub fn expected_events(&self, v: usize) -> f64 {
        let k = self.secondaries.len() as f64;
        let serialised = self
            .secondaries
            .iter()
            .filter(|&&s| self.link(self.primary, s).bandwidth_bytes_per_s.is_some())
            .count() as f64;
        let per_write = match self.variants[v].mode {
            Mode::Async => 5.0 + k + serialised,
            Mode::Sync | Mode::SemiSync => 5.0 + 2.0 * k + serialised,
            // Points, not writes, are applied: a few per interval.
            Mode::Snapshot => 5.0,
        };
        // A read is two events: its arrival, and its arrival at the region.
        let reads = self.reads.map_or(0.0, |r| r.rate * secs(self.duration));
        self.writes_issued_from(0) * per_write + 2.0 * reads
    }
}

impl Model {
    /// A region's name (`?` for an id the model does not have).
    pub fn region_name(&self, id: RegionId) -> &str {
        self.regions.get(id).map_or("?", |r| r.name.as_str())
    }

    /// A region's name, or `a<->b` for a link.
    pub fn target_name(&self, target: Target) -> String {
        match target {
            Target::Region(r) => self.region_name(r).to_string(),
            Target::Link(a, b) => format!("{}<->{}", self.region_name(a), self.region_name(b)),
        }
    }
}

/// `[cost]`: the price list of one namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Messaging units of the primary; every secondary runs the same number.
    pub units: u32,
    /// Price of one unit-hour in the primary region.
    pub unit_hour: f64,
    /// Price of one unit-hour in a secondary region (default: `unit_hour`).
    pub secondary_unit_hour: f64,
    /// Price of one GB replicated to one secondary.
    pub replicated_gb: f64,
    /// Label only: no conversion is made.
    pub currency: String,
}
