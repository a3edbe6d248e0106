//! The validated, immutable scenario the engine sees.
//!
//! Everything here has been checked by `scenario::validate`: regions are indices
//! (`RegionId`), times are integer nanoseconds, distributions are ready to sample.
//! No strings decide behaviour; names are kept only to label output.

use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto, Uniform};

/// Simulated time and durations, in integer nanoseconds.
pub type Nanos = u64;

pub const NS_PER_US: Nanos = 1_000;
pub const NS_PER_MS: Nanos = 1_000_000;
pub const NS_PER_S: Nanos = 1_000_000_000;

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
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sync => "sync",
            Mode::Async => "async",
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

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Policy {
    pub auto_promote: Option<AutoPromote>,
    /// Drop a secondary unreachable from the primary this long.
    pub remove_secondary_after: Option<Nanos>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PromotionTiming {
    pub switch: Nanos,
    pub dns: Nanos,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub mode: Mode,
    pub max_lag: Nanos,
    /// Overrides the kind of every promotion of this variant.
    pub promote: Option<PromoteKind>,
    /// Snapshot mode: a recovery point at every multiple of this (SPEC §6.4; default 5m).
    pub snapshot_interval: Nanos,
    /// Where this variant's readers read, when the scenario has `[reads]`.
    pub read_at: ReadAt,
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
    pub cost: Option<crate::cost::Prices>,
    /// `[reads]`; `None` without the table (no reads are simulated).
    pub reads: Option<Reads>,
}

impl Model {
    pub fn link(&self, a: RegionId, b: RegionId) -> &Link {
        self.links[a][b]
            .as_ref()
            .expect("validation guarantees a link between every pair of regions")
    }

    /// Expected number of client writes issued in [warmup, duration].
    pub fn expected_writes(&self) -> f64 {
        self.writes_issued_from(self.warmup)
    }

    /// Expected number of client writes issued in [from, duration].
    fn writes_issued_from(&self, from: Nanos) -> f64 {
        let phases = &self.workload.phases;
        let mut total = 0.0;
        for (i, p) in phases.iter().enumerate() {
            let end = phases.get(i + 1).map_or(self.duration, |n| n.at);
            let start = p.at.max(from);
            if end > start {
                total += p.rate * (end - start) as f64 / NS_PER_S as f64;
            }
        }
        total
    }

    /// Expected engine events of one simulation of variant `v`. Each write issued
    /// (warmup included: the engine simulates those too) takes, besides retries, its
    /// arrival, the request, the primary commit, the answer and the attempt deadline,
    /// plus per secondary an apply and, in sync mode, an ack.
    pub fn expected_events(&self, v: usize) -> f64 {
        let k = self.secondaries.len() as f64;
        let per_write = match self.variants[v].mode {
            Mode::Async => 5.0 + k,
            Mode::Sync => 5.0 + 2.0 * k,
        };
        self.writes_issued_from(0) * per_write
    }
}
