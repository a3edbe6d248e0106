//! Draws of the model's latency and size distributions, with constants answered from
//! a table: most scenarios keep the defaults (constant commit and local round trip,
//! catalogue links with a constant RTT), and an out-of-line `Dist::sample` call per
//! draw was about 5% of a run. A constant consumes no random numbers either way, so
//! the streams, and every result, are the same.

use super::rng::SimRng;
use crate::model::{Dist, Model, RegionId, Sampled};

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
}

impl Constants {
    pub fn new(model: &Model) -> Constants {
        // Never drawn from: constants do not touch the generator.
        let mut rng = super::rng::stream(0, 0, super::rng::Purpose::Arrivals);
        let n = model.regions.len();
        let rtt = (0..n * n)
            .map(|i| {
                let (a, b) = (i / n, i % n);
                model.links[a][b]
                    .as_ref()
                    .and_then(|l| constant(&l.rtt, &mut rng))
            })
            .collect();
        Constants {
            n,
            commit: model
                .regions
                .iter()
                .map(|r| constant(&r.commit, &mut rng))
                .collect(),
            local_rtt: model
                .regions
                .iter()
                .map(|r| constant(&r.local_rtt, &mut rng))
                .collect(),
            rtt,
            size: matches!(model.workload.size.dist, Dist::Constant(_))
                .then(|| model.workload.size.sample_u64(&mut rng)),
        }
    }
}

/// One draw of each kind, from the table when constant, else from `rng`.
impl Constants {
    #[inline]
    pub fn commit(&self, model: &Model, r: RegionId, rng: &mut SimRng) -> f64 {
        match self.commit[r] {
            Some(v) => v,
            None => model.regions[r].commit.dist.sample(rng),
        }
    }

    /// A round trip between a and b: their link's, or `local_rtt` when a == b.
    #[inline]
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

    #[inline]
    pub fn size(&self, model: &Model, rng: &mut SimRng) -> u64 {
        match self.size {
            Some(v) => v,
            None => model.workload.size.sample_u64(rng),
        }
    }
}
