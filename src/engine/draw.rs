//! Draws of the model's latency and size distributions, with constants answered from
//! a table: most scenarios keep the defaults (constant commit and local round trip,
//! catalogue links with a constant RTT), and an out-of-line `Dist::sample` call per
//! draw was about 5% of a run. A constant consumes no random numbers either way, so
//! the streams, and every result, are the same.

use super::rng::SimRng;
use crate::model::{Dist, Model, Nanos, RegionId, Sampled};
use crate::time::{from_secs, to_nanos};

/// The time `bytes` take at `bw` bytes per second.
fn serialise(bytes: u64, bw: f64) -> Nanos {
    from_secs(bytes as f64 / bw)
}

/// The value of `s` if it is a constant (clamped exactly as `Dist::sample` clamps it).
fn constant(s: &Sampled, rng: &mut SimRng) -> Option<f64> {
    matches!(s.dist, Dist::Constant(_)).then(|| s.dist.sample(rng))
}

#[derive(Debug, Clone)]
pub(crate) struct Constants {
    n: usize,
    commit: Vec<Option<f64>>,
    local_rtt: Vec<Option<f64>>,
    /// `rtt[a * n + b]` of the link between a and b (None for a == b).
    rtt: Vec<Option<f64>>,
    /// Bytes of a write, rounded as `Sampled::sample_u64` rounds.
    size: Option<u64>,
    /// Whole-nanosecond one-way delays and commits of the constants, exactly as the
    /// engine computes them when no slow outage scales them (a factor of 1).
    one_way_ns: Vec<Option<Nanos>>,
    commit_ns: Vec<Option<Nanos>>,
    /// `serialise_ns[a * n + b]`: a write of the constant size on the link between a
    /// and b, if it has a bandwidth (a division per write and secondary otherwise).
    serialise_ns: Vec<Option<Nanos>>,
}

impl Constants {
    pub fn new(model: &Model) -> Constants {
        // Never drawn from: constants do not touch the generator.
        let mut rng = super::rng::stream(0, 0, super::rng::Purpose::Arrivals);
        let n = model.regions.len();
        let rtt: Vec<Option<f64>> = (0..n * n)
            .map(|i| {
                let (a, b) = (i / n, i % n);
                model.links[a][b]
                    .as_ref()
                    .and_then(|l| constant(&l.rtt, &mut rng))
            })
            .collect();
        let local: Vec<Option<f64>> = model
            .regions
            .iter()
            .map(|r| constant(&r.local_rtt, &mut rng))
            .collect();
        let commit: Vec<Option<f64>> = model
            .regions
            .iter()
            .map(|r| constant(&r.commit, &mut rng))
            .collect();
        let one_way_ns = (0..n * n)
            .map(|i| {
                let v = if i / n == i % n { local[i / n] } else { rtt[i] };
                v.map(|v: f64| to_nanos(v / 2.0))
            })
            .collect();
        let size = matches!(model.workload.size.dist, Dist::Constant(_))
            .then(|| model.workload.size.sample_u64(&mut rng));
        let serialise_ns = (0..n * n)
            .map(|i| {
                let bw = model.links[i / n][i % n]
                    .as_ref()
                    .and_then(|l| l.bandwidth_bytes_per_s)?;
                Some(serialise(size?, bw))
            })
            .collect();
        Constants {
            n,
            serialise_ns,
            one_way_ns,
            commit_ns: commit.iter().map(|c| c.map(to_nanos)).collect(),
            commit,
            local_rtt: local,
            rtt,
            size,
        }
    }
}

/// One draw of each kind, from the table when constant, else from `rng`. Inlined
/// into their callers, with `Dist::sample`: with the draw inside, they were left as
/// calls.
impl Constants {
    #[inline(always)]
    pub fn commit(&self, model: &Model, r: RegionId, rng: &mut SimRng) -> f64 {
        match self.commit[r] {
            Some(v) => v,
            None => model.regions[r].commit.dist.sample(rng),
        }
    }

    /// A round trip between a and b: their link's, or `local_rtt` when a == b.
    #[inline(always)]
    pub fn rtt(&self, model: &Model, a: RegionId, b: RegionId, rng: &mut SimRng) -> f64 {
        if a == b {
            match self.local_rtt[a] {
                Some(v) => v,
                None => model.regions[a].local_rtt.dist.sample(rng),
            }
        } else {
            match self.rtt[a * self.n + b] {
                Some(v) => v,
                None => model.link(a, b).rtt.dist.sample(rng),
            }
        }
    }

    /// The one-way delay between a and b in ns, if constant and not slowed.
    #[inline]
    pub fn one_way_ns(&self, a: RegionId, b: RegionId) -> Option<Nanos> {
        self.one_way_ns[a * self.n + b]
    }

    /// Region r's commit in ns, if constant and not slowed.
    #[inline]
    pub fn commit_ns(&self, r: RegionId) -> Option<Nanos> {
        self.commit_ns[r]
    }

    /// How long `bytes` take on the link between a and b at its bandwidth `bw`
    /// (bytes/s), from the table when `bytes` is the constant write size.
    #[inline]
    pub fn serialise(&self, a: RegionId, b: RegionId, bytes: u64, bw: f64) -> Nanos {
        match self.serialise_ns[a * self.n + b] {
            Some(ns) if Some(bytes) == self.size => ns,
            _ => serialise(bytes, bw),
        }
    }

    #[inline]
    pub fn size(&self, model: &Model, rng: &mut SimRng) -> u64 {
        match self.size {
            Some(v) => v,
            None => model.workload.size.sample_u64(rng),
        }
    }
}
