//! Simulated time: conversions between the engine's integer nanoseconds and the floats
//! that distributions draw and reports print.
//!
//! Owns the units (`Nanos`, `NS_PER_*`) and the conversions, and imports nothing of the
//! crate, so every module may use it; the clock itself is the engine's.

/// Simulated time and durations, in integer nanoseconds.
pub type Nanos = u64;

pub const NS_PER_US: Nanos = 1_000;
pub const NS_PER_MS: Nanos = 1_000_000;
pub const NS_PER_S: Nanos = 1_000_000_000;

/// Nanoseconds from a non-negative float, rounded half away from zero (as
/// `f64::round`), saturating (samples are already clamped).
#[inline]
pub fn to_nanos(x: f64) -> Nanos {
    // Below 2^63 the signed conversions are single instructions on x86-64 (the
    // unsigned ones are not); the rounding argument is the one below.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x > 0.0 && x < TWO_63 {
        let t = x as i64;
        return (t + i64::from(x - t as f64 >= 0.5)) as Nanos;
    }
    if x >= Nanos::MAX as f64 {
        Nanos::MAX
    } else if x > 0.0 {
        // `f64::round` is a libm call on baseline x86-64 (about 7% of a run); this is
        // the same function: truncation is exact, and so is `x - t` (below 2^53 the
        // two are within a factor of 2, or t = 0; above it x is an integer).
        let t = x as Nanos;
        if x - t as f64 >= 0.5 {
            t + 1
        } else {
            t
        }
    } else {
        0
    }
}

/// Seconds from nanoseconds, for figures and reports (exact below 2^53 ns, 104 days;
/// within one part in 2^53 above).
#[inline]
pub fn secs(ns: Nanos) -> f64 {
    secs_f64(ns as f64)
}

/// Nanoseconds from seconds drawn as a float (an inter-arrival gap, a transfer time),
/// rounded as [`to_nanos`] rounds.
#[inline]
pub fn from_secs(s: f64) -> Nanos {
    to_nanos(s * NS_PER_S as f64)
}

/// Seconds from a float of nanoseconds: a distribution's mean, which may be infinite
/// (a Pareto tail without one) and stays so.
#[inline]
pub fn secs_f64(ns: f64) -> f64 {
    ns / NS_PER_S as f64
}

/// A duration in the largest unit that shows it exactly ("2h", "90s", "1.5s" as "1500ms").
/// (The spelling of a scenario file's durations, so a message can suggest a value to
/// paste back: `5m`, `90s`, `250ms`. Durations people read go through
/// `format::fmt_duration_s`: `5 min`.)
pub fn fmt_duration(ns: Nanos) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let units = [
        (86_400 * NS_PER_S, "d"),
        (3_600 * NS_PER_S, "h"),
        (60 * NS_PER_S, "m"),
        (NS_PER_S, "s"),
        (NS_PER_MS, "ms"),
        (NS_PER_US, "us"),
    ];
    for (size, unit) in units {
        if ns.is_multiple_of(size) {
            return format!("{}{unit}", ns / size);
        }
    }
    format!("{ns}ns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_nanos_rounds_like_f64_round() {
        let mut xs = vec![
            0.5,
            1.5,
            2.5,
            0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            9_007_199_254_740_993.0,
            1.8e19,
            9.3e18,
            9_223_372_036_854_774_784.0,
            1e-300,
            0.0,
            -1.0,
        ];
        let mut x = 0.37_f64;
        for _ in 0..10_000 {
            x = (x * 1.618_033_988_7 + 0.123_456_789) % 1e12;
            xs.push(x);
            xs.push(x.floor() + 0.5);
        }
        for x in xs {
            assert_eq!(to_nanos(x), x.max(0.0).round() as Nanos, "{x}");
        }
    }
}
