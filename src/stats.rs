//! Statistics over independent runs: mean, sample standard deviation and the 95%
//! confidence half-width of the mean (Student's t), shared by `aggregate.csv` and sweeps.
//!
//! The t quantile is computed here rather than taken from a crate: for integer degrees of
//! freedom the t distribution function is a finite trigonometric sum (Abramowitz & Stegun
//! 26.7.3–4), which bisection inverts to full precision; past `EXACT_DF_LIMIT` the
//! Cornish–Fisher expansion around the normal quantile (A&S 26.7.5) is exact to f64
//! rounding and avoids the sum's cost. Knows nothing of what the numbers measure.

/// Above this many degrees of freedom the expansion replaces the exact sum.
const EXACT_DF_LIMIT: u64 = 1000;

/// Two-sided confidence level of every interval geosim reports.
pub const CONFIDENCE: f64 = 0.95;

/// What `describe` says about a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator); `None` for one value.
    pub sd: Option<f64>,
    /// Half-width of the 95% confidence interval of the mean; `None` for one value.
    pub ci95: Option<f64>,
}

/// Mean, standard deviation and 95% confidence half-width of `values`; `None` if empty.
///
/// Sums run in slice order, so equal inputs in equal order give equal bits.
pub fn describe(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Some(Stats {
            n,
            mean,
            sd: None,
            ci95: None,
        });
    }
    // Two passes: the deviations are small when the values are large and close, which
    // a one-pass sum of squares would lose to cancellation.
    let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    let t = t_quantile(0.5 + CONFIDENCE / 2.0, (n - 1) as u64);
    Some(Stats {
        n,
        mean,
        sd: Some(sd),
        ci95: Some(t * sd / (n as f64).sqrt()),
    })
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom.
///
/// `p` must lie in (0, 1) and `df` be at least 1; other inputs give NaN.
pub fn t_quantile(p: f64, df: u64) -> f64 {
    if !(p > 0.0 && p < 1.0) || df == 0 {
        return f64::NAN;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    if df > EXACT_DF_LIMIT {
        return cornish_fisher(normal_quantile(p), df as f64);
    }
    // P(|T| ≤ t) = 2p − 1 is increasing in t: bracket, then bisect to the last bit.
    let target = 2.0 * p - 1.0;
    let mut hi = 1.0;
    while t_central(hi, df) < target && hi < 1e300 {
        hi *= 2.0;
    }
    bisect(0.0, hi, |t| t_central(t, df) < target)
}

/// P(|T| ≤ t) for t ≥ 0 and integer `df` (A&S 26.7.3 for odd, 26.7.4 for even df).
fn t_central(t: f64, df: u64) -> f64 {
    let theta = (t / (df as f64).sqrt()).atan();
    let c2 = theta.cos() * theta.cos();
    if df.is_multiple_of(2) {
        // sinθ · (1 + ½c² + (1·3)/(2·4)c⁴ + … up to c^(df−2)).
        let (mut term, mut sum) = (1.0, 1.0);
        for k in 1..df / 2 {
            term *= (2 * k - 1) as f64 / (2 * k) as f64 * c2;
            sum += term;
        }
        theta.sin() * sum
    } else {
        // (2/π)(θ + sinθ cosθ (1 + (2/3)c² + (2·4)/(3·5)c⁴ + … up to c^(df−3))).
        let mut series = 0.0;
        if df > 1 {
            let (mut term, mut sum) = (1.0, 1.0);
            for k in 1..(df - 1) / 2 {
                term *= (2 * k) as f64 / (2 * k + 1) as f64 * c2;
                sum += term;
            }
            series = theta.sin() * theta.cos() * sum;
        }
        std::f64::consts::FRAC_2_PI * (theta + series)
    }
}

/// A&S 26.7.5: the t quantile from the normal quantile `z`, in powers of 1/df.
fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

/// The `p` quantile of the standard normal distribution, for 0.5 ≤ p < 1.
fn normal_quantile(p: f64) -> f64 {
    let mut hi = 1.0;
    while normal_cdf(hi) < p && hi < 40.0 {
        hi *= 2.0;
    }
    bisect(0.0, hi, |x| normal_cdf(x) < p)
}

/// Φ(x) for x ≥ 0, from erf(x/√2) = (2/√π) e^(−u²) Σ 2ⁿ u^(2n+1) / (1·3···(2n+1)), u = x/√2:
/// every term is positive, so the sum loses nothing to cancellation.
fn normal_cdf(x: f64) -> f64 {
    let u = x / std::f64::consts::SQRT_2;
    let (mut term, mut sum, mut n) = (u, u, 0.0);
    while term > sum * 1e-17 {
        n += 1.0;
        term *= 2.0 * u * u / (2.0 * n + 1.0);
        sum += term;
    }
    let erf = std::f64::consts::FRAC_2_SQRT_PI * (-u * u).exp() * sum;
    0.5 * (1.0 + erf.min(1.0))
}

/// The boundary in [lo, hi] where `below` turns false, to the last representable bit.
fn bisect(mut lo: f64, mut hi: f64, below: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp, Normal};

    fn close(got: f64, want: f64, tol: f64) {
        assert!((got - want).abs() <= tol, "got {got}, want {want} ± {tol}");
    }

    #[test]
    fn t_quantiles_match_published_tables() {
        // Two-sided 95% (p = 0.975) critical values, as printed in statistics tables.
        let table = [
            (1, 12.706_204_7),
            (2, 4.302_652_7),
            (3, 3.182_446_3),
            (4, 2.776_445_1),
            (5, 2.570_581_8),
            (9, 2.262_157_2),
            (10, 2.228_138_9),
            (19, 2.093_024_1),
            (29, 2.045_229_6),
            (30, 2.042_272_5),
            (100, 1.983_971_5),
            (1000, 1.962_339_1),
        ];
        for (df, want) in table {
            close(t_quantile(0.975, df), want, 1e-6);
        }
        close(t_quantile(0.95, 10), 1.812_461_1, 1e-6);
        close(t_quantile(0.995, 5), 4.032_142_8, 1e-6);
        close(t_quantile(0.025, 4), -2.776_445_1, 1e-6);
        close(t_quantile(0.5, 7), 0.0, 1e-12);
    }

    #[test]
    fn large_df_tends_to_the_normal_quantile() {
        close(normal_quantile(0.975), 1.959_963_985, 1e-9);
        close(normal_quantile(0.995), 2.575_829_304, 1e-9);
        // Both methods at the limit where they hand over agree to far below the
        // decimals any report prints.
        close(
            cornish_fisher(normal_quantile(0.975), 1000.0),
            t_quantile(0.975, 1000),
            1e-9,
        );
        close(t_quantile(0.975, 10_000), 1.960_201_2, 1e-6);
        close(t_quantile(0.975, 1_000_000_000), 1.959_963_985, 1e-8);
    }

    #[test]
    fn degenerate_inputs() {
        assert!(t_quantile(0.0, 3).is_nan());
        assert!(t_quantile(1.0, 3).is_nan());
        assert!(t_quantile(0.9, 0).is_nan());
        assert_eq!(describe(&[]), None);
        let one = describe(&[4.0]).unwrap();
        assert_eq!((one.n, one.mean, one.sd, one.ci95), (1, 4.0, None, None));
    }

    #[test]
    fn describe_by_hand() {
        // mean 5, squared deviations 9+1+1+9 = 20, sd = √(20/3), ci = t(0.975, 3)·sd/2.
        let s = describe(&[2.0, 4.0, 6.0, 8.0]).unwrap();
        close(s.mean, 5.0, 1e-12);
        close(s.sd.unwrap(), (20.0f64 / 3.0).sqrt(), 1e-12);
        close(
            s.ci95.unwrap(),
            3.182_446_3 * (20.0f64 / 3.0).sqrt() / 2.0,
            1e-6,
        );
    }

    /// Share of `experiments` samples of size `n` whose 95% interval covers `mean`.
    fn coverage(n: usize, mean: f64, draw: impl Fn(&mut Xoshiro256PlusPlus) -> f64) -> f64 {
        let experiments = 2000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(20_240_611);
        let mut covered = 0;
        for _ in 0..experiments {
            let sample: Vec<f64> = (0..n).map(|_| draw(&mut rng)).collect();
            let s = describe(&sample).unwrap();
            if (s.mean - mean).abs() <= s.ci95.unwrap() {
                covered += 1;
            }
        }
        covered as f64 / experiments as f64
    }

    #[test]
    fn intervals_cover_the_true_mean_95_percent_of_the_time() {
        // With n = 5 a normal-quantile interval would cover only ~88%: this checks
        // the t quantile, not just the arithmetic. The band is ±4 binomial standard
        // errors of a 2000-experiment proportion.
        let normal = Normal::new(10.0, 3.0).unwrap();
        let c = coverage(5, 10.0, |r| normal.sample(r));
        assert!((0.93..=0.97).contains(&c), "normal n=5: coverage {c}");
        let c = coverage(20, 10.0, |r| normal.sample(r));
        assert!((0.93..=0.97).contains(&c), "normal n=20: coverage {c}");
        // A skewed distribution needs more runs for the interval to be right.
        let exp = Exp::new(0.5).unwrap();
        let c = coverage(100, 2.0, |r| exp.sample(r));
        assert!(
            (0.93..=0.97).contains(&c),
            "exponential n=100: coverage {c}"
        );
    }

    #[test]
    fn normal_quantile_interval_would_fail_the_coverage_test() {
        // The test above can fail: z instead of t at n = 5 falls below the band.
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let z = normal_quantile(0.975);
        let mut covered = 0;
        for _ in 0..2000 {
            let sample: Vec<f64> = (0..5).map(|_| normal.sample(&mut rng)).collect();
            let s = describe(&sample).unwrap();
            if s.mean.abs() <= z * s.sd.unwrap() / 5f64.sqrt() {
                covered += 1;
            }
        }
        assert!((covered as f64 / 2000.0) < 0.93);
    }
}
