//! Latency and size distributions (SPEC §2.1): a constant, or a table with `dist` and
//! that distribution's parameters, turned into a ready-to-sample `Sampled`.
//!
//! Latencies are in nanoseconds, sizes in bytes; the parameters of a distribution are
//! written with the same units as a constant (`median = "2ms"`, `min = "1KiB"`), except
//! a Pareto `shape`, which is a plain number. The mean is computed here from the
//! parameters, because the engine and the oracles need it and cannot recover it.

use rand_distr::{Exp, LogNormal, Normal, Pareto, Uniform};
use toml::Spanned;

use super::context::Ctx;
use super::raw::Quantity;
use super::{suggest, units};
use crate::error::GeoError;
use crate::model::{Dist, Sampled};

/// z of the standard normal's 99th percentile: a lognormal's p99 is median·exp(σ·z).
const Z_P99: f64 = 2.326_347_874_040_840_8;

/// The distributions and their parameters (the JSON Schema lists them too).
pub(crate) const DISTS: [(&str, &[&str]); 5] = [
    ("uniform", &["min", "max"]),
    ("normal", &["mean", "stddev"]),
    ("lognormal", &["median", "p99"]),
    ("exponential", &["mean"]),
    ("pareto", &["scale", "shape"]),
];

/// What a quantity measures: decides the unit parser and whether zero is allowed.
#[derive(Clone, Copy)]
enum Unit {
    /// Nanoseconds; zero is a valid latency.
    Latency,
    /// Bytes; a write has at least one byte.
    Size,
}

impl Unit {
    fn parse(self, text: &str) -> Result<f64, String> {
        match self {
            // Nanos fit an f64 exactly up to 2^53 ns (104 days); beyond, rounding is harmless.
            Unit::Latency => units::parse_duration(text).map(|ns| ns as f64),
            Unit::Size => units::parse_size(text),
        }
    }

    fn example(self) -> &'static str {
        match self {
            Unit::Latency => "\"2ms\"",
            Unit::Size => "\"1KiB\"",
        }
    }
}

/// A latency: a duration string or a distribution of durations (nanoseconds).
pub fn latency(ctx: &Ctx, q: &Spanned<Quantity>, key: &str) -> Result<Sampled, GeoError> {
    quantity(ctx, q, key, Unit::Latency)
}

/// A write size: a size string or a distribution of sizes (bytes), more than zero.
pub fn size(ctx: &Ctx, q: &Spanned<Quantity>, key: &str) -> Result<Sampled, GeoError> {
    quantity(ctx, q, key, Unit::Size)
}

fn quantity(ctx: &Ctx, q: &Spanned<Quantity>, key: &str, unit: Unit) -> Result<Sampled, GeoError> {
    match q.get_ref() {
        Quantity::Constant(text) => {
            let v = unit.parse(text).map_err(|m| ctx.error(q.span(), key, m))?;
            positive_size(ctx, q.span(), key, unit, v)?;
            Ok(Sampled::constant(v))
        }
        Quantity::Dist(entries) => table(ctx, q, entries, key, unit),
    }
}

fn positive_size(
    ctx: &Ctx,
    span: std::ops::Range<usize>,
    key: &str,
    unit: Unit,
    v: f64,
) -> Result<(), GeoError> {
    if matches!(unit, Unit::Size) && v <= 0.0 {
        return Err(ctx
            .error(span, key, "a write size must be more than 0 bytes")
            .with_help("use at least \"1B\""));
    }
    Ok(())
}

type Entries = [(Spanned<String>, Spanned<toml::Value>)];

fn table(
    ctx: &Ctx,
    q: &Spanned<Quantity>,
    entries: &Entries,
    key: &str,
    unit: Unit,
) -> Result<Sampled, GeoError> {
    let names = || DISTS.iter().map(|(n, _)| *n);
    let all_names = names().collect::<Vec<_>>().join(", ");
    let Some((_, dist)) = entries.iter().find(|(k, _)| k.get_ref() == "dist") else {
        return Err(ctx
            .error(q.span(), key, "a distribution table needs `dist`")
            .with_help(format!(
                "add dist = one of {all_names}, or write a constant such as {}",
                unit.example()
            )));
    };
    let dist_key = format!("{key}.dist");
    let Some(name) = dist.get_ref().as_str() else {
        return Err(ctx
            .error(dist.span(), &dist_key, "`dist` must be a string")
            .with_help(format!("one of {all_names}")));
    };
    let Some((name, params)) = DISTS.iter().find(|(n, _)| *n == name) else {
        let help = match suggest::closest(name, names()) {
            Some(s) => format!("did you mean \"{s}\"? (accepted: {all_names})"),
            None => format!("accepted: {all_names}"),
        };
        return Err(ctx
            .error(
                dist.span(),
                &dist_key,
                format!("unknown distribution \"{name}\""),
            )
            .with_help(help));
    };
    let expected = params
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    for (k, _) in entries {
        if k.get_ref() != "dist" && !params.contains(&k.get_ref().as_str()) {
            return Err(ctx
                .error(
                    k.span(),
                    &format!("{key}.{}", k.get_ref()),
                    format!("unknown key `{}` for a {name} distribution", k.get_ref()),
                )
                .with_help(format!("a {name} distribution takes {expected}")));
        }
    }
    let mut values = Vec::with_capacity(params.len());
    for p in params.iter() {
        let Some((_, v)) = entries.iter().find(|(k, _)| k.get_ref() == p) else {
            return Err(ctx
                .error(q.span(), key, format!("a {name} distribution needs `{p}`"))
                .with_help(format!("a {name} distribution takes {expected}")));
        };
        values.push(param(ctx, v, &format!("{key}.{p}"), p, unit)?);
    }
    build(ctx, name, &values, q, key, unit)
}

/// One parameter: `shape` is a number; the others are quantities in the unit.
fn param(
    ctx: &Ctx,
    v: &Spanned<toml::Value>,
    key: &str,
    name: &str,
    unit: Unit,
) -> Result<(f64, std::ops::Range<usize>), GeoError> {
    let x = if name == "shape" {
        match v.get_ref() {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) if f.is_finite() => *f,
            _ => {
                return Err(ctx
                    .error(v.span(), key, "`shape` must be a finite number")
                    .with_help("e.g. shape = 2.5"))
            }
        }
    } else {
        let Some(text) = v.get_ref().as_str() else {
            return Err(ctx
                .error(
                    v.span(),
                    key,
                    format!("`{name}` must be a string with a unit"),
                )
                .with_help(format!("e.g. {name} = {}", unit.example())));
        };
        unit.parse(text).map_err(|m| ctx.error(v.span(), key, m))?
    };
    Ok((x, v.span()))
}

/// Checks the parameters of distribution `name` and builds it with its mean.
fn build(
    ctx: &Ctx,
    name: &str,
    values: &[(f64, std::ops::Range<usize>)],
    q: &Spanned<Quantity>,
    key: &str,
    unit: Unit,
) -> Result<Sampled, GeoError> {
    let bad = |i: usize, param: &str, msg: &str| {
        let span = values.get(i).map_or(q.span(), |v| v.1.clone());
        ctx.error(span, &format!("{key}.{param}"), msg)
    };
    let get = |i: usize| values.get(i).map_or(0.0, |v| v.0);
    let span = |i: usize| values.get(i).map_or(q.span(), |v| v.1.clone());
    let (a, b) = (get(0), get(1));
    let (dist, mean) = match name {
        "uniform" => {
            if a > b {
                return Err(bad(1, "max", "`max` is less than `min`")
                    .with_help("swap them, or make `max` at least `min`"));
            }
            positive_size(ctx, span(0), &format!("{key}.min"), unit, a)?;
            let d = Uniform::new_inclusive(a, b)
                .map_err(|e| bad(0, "min", &format!("invalid uniform distribution: {e}")))?;
            (Dist::Uniform(d), (a + b) / 2.0)
        }
        "normal" => {
            positive_size(ctx, span(0), &format!("{key}.mean"), unit, a)?;
            let d = Normal::new(a, b)
                .map_err(|e| bad(1, "stddev", &format!("invalid normal distribution: {e}")))?;
            (Dist::Normal(d), a)
        }
        "lognormal" => {
            if a <= 0.0 {
                return Err(bad(0, "median", "a lognormal `median` must be more than 0"));
            }
            if b < a {
                return Err(bad(1, "p99", "`p99` is less than `median`")
                    .with_help("the 99th percentile of a latency is at least its median; use p99 ≥ median (p99 = median for a constant)"));
            }
            let sigma = (b / a).ln() / Z_P99;
            let mu = a.ln();
            let d = LogNormal::new(mu, sigma)
                .map_err(|e| bad(1, "p99", &format!("invalid lognormal distribution: {e}")))?;
            (Dist::LogNormal(d), (mu + sigma * sigma / 2.0).exp())
        }
        "exponential" => {
            if a <= 0.0 {
                return Err(bad(0, "mean", "an exponential `mean` must be more than 0")
                    .with_help("for a fixed value write a constant instead"));
            }
            let d = Exp::new(1.0 / a)
                .map_err(|e| bad(0, "mean", &format!("invalid exponential distribution: {e}")))?;
            (Dist::Exponential(d), a)
        }
        _ => {
            if a <= 0.0 {
                return Err(bad(0, "scale", "a pareto `scale` must be more than 0"));
            }
            if b <= 1.0 {
                return Err(bad(
                    1,
                    "shape",
                    "a pareto `shape` of 1 or less has an infinite mean",
                )
                .with_help(
                    "use shape > 1 (e.g. 2.5); the smaller the shape, the heavier the tail",
                ));
            }
            let d = Pareto::new(a, b)
                .map_err(|e| bad(1, "shape", &format!("invalid pareto distribution: {e}")))?;
            (Dist::Pareto(d), b * a / (b - 1.0))
        }
    };
    if !mean.is_finite() {
        return Err(ctx.error(q.span(), key, "the mean of this distribution is too large"));
    }
    Ok(Sampled { dist, mean })
}
