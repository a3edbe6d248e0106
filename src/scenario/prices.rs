//! `[cost]` → `model::Prices`: the price list, checked like every other table (key
//! paths, line:column, a fix). What the prices mean lives in `crate::cost`.

use toml::Spanned;

use super::context::Ctx;
use super::raw::RawCost;
use crate::error::GeoError;
use crate::model::Prices;

/// Service Bus Premium sells 1, 2, 4, 8 or 16 units per namespace; a larger count is
/// accepted for other products, but not one that can only be a typo.
const MAX_UNITS: i64 = 10_000;
const MAX_CURRENCY_CHARS: usize = 16;
/// A price per unit-hour or per GB: Service Bus Premium is about 0.93 per unit-hour;
/// a million times that keeps every bill (≤ 10,000 units, 400 days, any traffic) far
/// from overflowing to inf.
const MAX_PRICE: f64 = 1e6;

pub fn prices(ctx: &Ctx, c: &Spanned<RawCost>) -> Result<Prices, GeoError> {
    let raw = c.get_ref();
    let units = match &raw.units {
        None => 1,
        Some(u) => {
            let x = *u.get_ref();
            if !(1..=MAX_UNITS).contains(&x) {
                return Err(ctx
                    .error(
                        u.span(),
                        "cost.units",
                        format!("units = {x} is out of range: it must be from 1 to {MAX_UNITS}"),
                    )
                    .with_help("the primary's messaging units, e.g. units = 1"));
            }
            x as u32
        }
    };
    let u = ctx.require(
        &raw.unit_hour,
        c.span(),
        "cost.unit_hour",
        "unit_hour = 0.928",
    )?;
    let unit_hour = price(ctx, u, "cost.unit_hour")?;
    let secondary_unit_hour = match &raw.secondary_unit_hour {
        Some(v) => price(ctx, v, "cost.secondary_unit_hour")?,
        None => unit_hour,
    };
    let replicated_gb = match &raw.replicated_gb {
        Some(v) => price(ctx, v, "cost.replicated_gb")?,
        None => 0.0,
    };
    let currency = match &raw.currency {
        None => "USD".to_string(),
        Some(v) => {
            let s = v.get_ref().trim();
            if s.is_empty()
                || s.chars().count() > MAX_CURRENCY_CHARS
                || s.chars().any(char::is_control)
            {
                return Err(ctx
                    .error(
                        v.span(),
                        "cost.currency",
                        format!("\"{}\" is not a currency label", v.get_ref().escape_debug()),
                    )
                    .with_help(
                        "a short label such as currency = \"USD\" (no conversion is made)",
                    ));
            }
            s.to_string()
        }
    };
    Ok(Prices {
        units,
        unit_hour,
        secondary_unit_hour,
        replicated_gb,
        currency,
    })
}

/// A price: a finite number, 0 or more.
fn price(ctx: &Ctx, v: &Spanned<f64>, key: &str) -> Result<f64, GeoError> {
    let x = *v.get_ref();
    let name = key.rsplit('.').next().unwrap_or(key);
    if x.is_finite() && x > MAX_PRICE {
        // Times units, hours and gigabytes, a larger price can overflow to inf.
        return Err(ctx
            .error(
                v.span(),
                key,
                format!("{name} = {x} is above the limit of {MAX_PRICE:e} per unit-hour or GB"),
            )
            .with_help(format!(
                "e.g. {name} = 0.928 (in the currency of `currency`)"
            )));
    }
    if x.is_finite() && x >= 0.0 {
        return Ok(x);
    }
    Err(ctx
        .error(
            v.span(),
            key,
            format!("{name} = {x} is not a price: it must be a finite number, 0 or more"),
        )
        .with_help(format!(
            "e.g. {name} = 0.928 (in the currency of `currency`)"
        )))
}
