//! `[reads]` (SPEC §7) and a variant's `reads = { at = … }` (SPEC §10): who reads, how
//! often, and where each variant's reads go.

use toml::Spanned;

use super::context::Ctx;
use super::network::Names;
use super::raw::{RawReads, RawVariantReads};
use crate::error::GeoError;
use crate::model::{ReadAt, Reads, RegionId};

/// `[reads]`, with the base `at` (default `"primary"`: a reader that does not ask for a
/// secondary reads where writes go). `client_region` is the default `from`; `None` when
/// `[workload]` was invalid (its error is reported).
pub fn reads(
    ctx: &Ctx,
    r: &Spanned<RawReads>,
    names: &Names,
    client_region: Option<RegionId>,
) -> Result<(Reads, ReadAt), GeoError> {
    let raw = r.get_ref();
    let rate_v = ctx.require(&raw.rate, r.span(), "reads.rate", "rate = 2000")?;
    let rate = *rate_v.get_ref();
    if !(rate.is_finite() && rate >= 0.0) {
        return Err(ctx
            .error(
                rate_v.span(),
                "reads.rate",
                format!("rate = {rate} is not a rate: it must be a finite number of reads per second, 0 or more"),
            )
            .with_help("e.g. rate = 2000"));
    }
    let from = match (&raw.from, client_region) {
        (Some(f), _) => names.resolve(ctx, f, "reads.from")?,
        (None, Some(c)) => c,
        (None, None) => {
            return Err(ctx
                .error(
                    r.span(),
                    "reads.from",
                    "missing key `from`, and [workload] gives no client_region to default to",
                )
                .with_help("add `from = \"westeurope\"`"))
        }
    };
    let at = match &raw.at {
        Some(a) => read_at(ctx, a, "reads.at")?,
        None => ReadAt::Primary,
    };
    Ok((Reads { rate, from }, at))
}

/// A variant's own `reads = { at = … }`; it needs the scenario's `[reads]` (`base_at`).
pub fn variant_reads(
    ctx: &Ctx,
    key: &str,
    r: &Spanned<RawVariantReads>,
    base_at: Option<ReadAt>,
) -> Result<ReadAt, GeoError> {
    let key = format!("{key}.reads");
    if base_at.is_none() {
        return Err(ctx
            .error(
                r.span(),
                &key,
                "this variant says where it reads, but the scenario has no [reads] table",
            )
            .with_help("add [reads] with rate (and from), e.g. [reads] rate = 2000"));
    }
    let a = ctx.require(
        &r.get_ref().at,
        r.span(),
        &format!("{key}.at"),
        "at = \"primary\"",
    )?;
    read_at(ctx, a, &format!("{key}.at"))
}

fn read_at(ctx: &Ctx, v: &Spanned<String>, key: &str) -> Result<ReadAt, GeoError> {
    match v.get_ref().as_str() {
        "primary" => Ok(ReadAt::Primary),
        "nearest" => Ok(ReadAt::Nearest),
        other => Err(ctx
            .error(v.span(), key, format!("unknown read placement \"{other}\""))
            .with_help("use \"primary\" (where writes go) or \"nearest\" (the closest up region of the replication set)")),
    }
}
