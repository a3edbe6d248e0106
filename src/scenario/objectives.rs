//! `[objectives]` and a variant's `objectives = { ... }` → `model::Objectives` (SPEC §8),
//! checked like every other table (key path, line:column, a fix). A variant's keys
//! override the base table's key by key. What the limits mean for a run lives in
//! `crate::objectives`.

use toml::Spanned;

use super::context::Ctx;
use super::raw::RawObjectives;
use crate::error::GeoError;
use crate::model::Objectives;

/// The objectives of `raw` (at key path `at`) laid over `base`.
pub fn objectives(
    ctx: &Ctx,
    raw: &Spanned<RawObjectives>,
    at: &str,
    base: Objectives,
) -> Result<Objectives, GeoError> {
    let r = raw.get_ref();
    let key = |name: &str| format!("{at}.{name}");
    let mut o = base;
    if let Some(v) = &r.rpo {
        o.rpo = Some(ctx.duration(v, &key("rpo"))?);
    }
    if let Some(v) = &r.rto {
        o.rto = Some(ctx.duration(v, &key("rto"))?);
    }
    if let Some(v) = &r.latency_p99 {
        let k = key("latency_p99");
        let limit = ctx.duration(v, &k)?;
        if limit == 0 {
            return Err(ctx
                .error(
                    v.span(),
                    &k,
                    "latency_p99 = 0 can never be met: a write takes time",
                )
                .with_help("the first-try p99 write latency the service needs, e.g. latency_p99 = \"50ms\""));
        }
        o.latency_p99 = Some(limit);
    }
    if let Some(v) = &r.availability {
        o.availability = Some(share(ctx, v, &key("availability"), "availability = 0.999")?);
    }
    if let Some(v) = &r.stale_read_share {
        o.stale_read_share = Some(share(
            ctx,
            v,
            &key("stale_read_share"),
            "stale_read_share = 0.01",
        )?);
    }
    if let Some(v) = &r.cost_month {
        let x = *v.get_ref();
        if !(x.is_finite() && x >= 0.0) {
            return Err(ctx
                .error(
                    v.span(),
                    &key("cost_month"),
                    format!(
                        "cost_month = {x} is not an amount: it must be a finite number, 0 or more"
                    ),
                )
                .with_help("the monthly budget in [cost]'s currency, e.g. cost_month = 5000"));
        }
        o.cost_month = Some(x);
    }
    Ok(o)
}

/// A share in [0, 1]; a value in (1, 100] is almost surely a percentage.
fn share(ctx: &Ctx, v: &Spanned<f64>, key: &str, example: &str) -> Result<f64, GeoError> {
    let x = *v.get_ref();
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        return Ok(x);
    }
    let name = key.rsplit('.').next().unwrap_or(key);
    let help = if x > 1.0 && x <= 100.0 {
        format!(
            "it is a fraction, not a percentage: {name} = {} for {x}%",
            trimmed(x / 100.0)
        )
    } else {
        format!("a fraction from 0 to 1, e.g. {example}")
    };
    Err(ctx
        .error(
            v.span(),
            key,
            format!("{name} = {x} is out of range: it must be from 0 to 1"),
        )
        .with_help(help))
}

/// `x` with at most 8 decimals and no trailing zeros (`0.999`, not `0.9990000000000001`).
fn trimmed(x: f64) -> String {
    let s = format!("{x:.8}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use crate::model::{NS_PER_MS, NS_PER_S};

    use crate::scenario::tests::MINIMAL as BASE;

    #[test]
    fn a_variant_overrides_the_base_key_by_key() {
        let text = format!(
            "{BASE}[objectives]\nrpo = \"5s\"\navailability = 0.999\n\
             [[variant]]\nname = \"sync\"\nmode = \"sync\"\nobjectives = {{ rpo = \"0s\", latency_p99 = \"120ms\" }}\n\
             [[variant]]\nname = \"async\"\n"
        );
        let m = crate::scenario::parse(&text, "t.toml", "t").unwrap();
        let (sync, asy) = (m.variants[0].objectives, m.variants[1].objectives);
        assert_eq!(sync.rpo, Some(0));
        assert_eq!(sync.availability, Some(0.999));
        assert_eq!(sync.latency_p99, Some(120 * NS_PER_MS));
        assert_eq!(asy.rpo, Some(5 * NS_PER_S));
        assert_eq!(asy.latency_p99, None);
    }

    #[test]
    fn the_standard_matrix_takes_the_base_objectives() {
        let text = format!("{BASE}[objectives]\nrto = \"30m\"\n");
        let m = crate::scenario::parse(&text, "t.toml", "t").unwrap();
        assert_eq!(m.variants.len(), 4);
        assert!(m
            .variants
            .iter()
            .all(|v| v.objectives.rto == Some(1800 * NS_PER_S)));
        let none = crate::scenario::parse(BASE, "t.toml", "t").unwrap();
        assert!(none.variants.iter().all(|v| v.objectives.is_empty()));
    }

    #[test]
    fn shares_out_of_range_are_refused() {
        for bad in [
            "stale_read_share = -0.1",
            "availability = 1.5",
            "cost_month = -1",
        ] {
            let text = format!("{BASE}[objectives]\n{bad}\n");
            let e = crate::scenario::parse(&text, "t.toml", "t").unwrap_err();
            assert!(e.to_string().contains("objectives."), "{bad}: {e}");
        }
    }
}
