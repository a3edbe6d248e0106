//! Random streams: one named, portable generator (xoshiro256++) per purpose,
//! derived from (seed, run index, purpose).
//!
//! Every variant of a run derives the same streams, so all variants see the same
//! arrivals, sizes and outages (common random numbers), and one purpose drawing more
//! numbers never shifts another's.

use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

pub type SimRng = Xoshiro256PlusPlus;

/// What a stream is used for; the discriminant is part of the derivation, so
/// it must never change for an existing purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Arrivals = 1,
    Sizes = 2,
    /// Client ↔ region message delays.
    Network = 3,
    Commits = 4,
    Failures = 5,
    /// Which region a client's DNS view names during a repoint window.
    Routing = 6,
    /// Replication channel and ack delays.
    Replication = 7,
    /// `year`: the seeds of the steady-state and episode simulations of a year.
    Year = 8,
    /// Read arrivals, their region during a DNS window and their network delays
    /// (SPEC §7): apart, so that adding `[reads]` changes no write's draws.
    Reads = 9,
}

/// SplitMix64 finaliser: a bijective mix with good avalanche, used only to derive seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for `purpose` in run `run` (counting from 1) of `seed`.
pub fn stream(seed: u64, run: u32, purpose: Purpose) -> SimRng {
    let derived = mix(mix(mix(seed) ^ u64::from(run)) ^ purpose as u64);
    SimRng::seed_from_u64(derived)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a1 = stream(42, 1, Purpose::Arrivals).next_u64();
        let a2 = stream(42, 1, Purpose::Arrivals).next_u64();
        let b = stream(42, 1, Purpose::Sizes).next_u64();
        let c = stream(42, 2, Purpose::Arrivals).next_u64();
        let d = stream(43, 1, Purpose::Arrivals).next_u64();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, c);
        assert_ne!(a1, d);
    }

    /// Pins the algorithm: a change of generator or derivation would change every
    /// published result, so it must be deliberate.
    #[test]
    fn derivation_is_pinned() {
        let mut r = stream(1, 1, Purpose::Arrivals);
        let first = r.next_u64();
        let mut again = stream(1, 1, Purpose::Arrivals);
        assert_eq!(first, again.next_u64());
        assert_eq!(mix(0), 0xE220_A839_7B1D_CDAF);
    }

    /// The generator's actual output, pinned: a change of the named generator, of its
    /// seeding or of the stream derivation changes every figure geosim prints, so it
    /// must be deliberate (and re-bless the goldens).
    #[test]
    fn output_values_are_pinned() {
        let mut r = stream(1, 1, Purpose::Arrivals);
        assert_eq!(r.next_u64(), 0x2375_0FBC_AC67_8986);
        assert_eq!(r.next_u64(), 0x76EA_D923_FA9A_29B5);
        assert_eq!(r.next_u64(), 0xE80D_060D_309F_8191);
        let mut other = stream(20_261_201, 7, Purpose::Replication);
        assert_eq!(other.next_u64(), 0x8635_AE5D_17F6_F4B5);
    }
}
