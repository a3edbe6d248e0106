//! What happens during a run: `[[outage]]`, `[[failure]]`, `[[action]]`, and the
//! operator's `[policy]` and `[promotion]` timings.
//!
//! Times are checked against the run (`[simulation] duration`) when that is known; an
//! outage may run past the end (the engine clamps it) but must start within the run.

use toml::Spanned;

use super::context::Ctx;
use super::dist;
use super::network::Names;
use super::raw::{RawAction, RawFailure, RawOutage, RawPolicy, RawPromotion};
use crate::error::GeoError;
use crate::model::{
    Action, ActionKind, AutoPromote, Failback, Failure, Mode, Nanos, Outage, OutageKind, Policy,
    PromoteKind, PromotionTiming, RegionId, NS_PER_S,
};

/// A replication mode (SPEC §2.2, §6); see `protocol::mode`.
pub fn mode(ctx: &Ctx, v: &Spanned<String>, key: &str) -> Result<Mode, GeoError> {
    super::protocol::mode(ctx, v, key)
}

/// `"planned"` or `"forced"`.
pub fn promote_kind(ctx: &Ctx, v: &Spanned<String>, key: &str) -> Result<PromoteKind, GeoError> {
    match v.get_ref().as_str() {
        "planned" => Ok(PromoteKind::Planned),
        "forced" => Ok(PromoteKind::Forced),
        other => Err(ctx
            .error(v.span(), key, format!("unknown promotion kind \"{other}\""))
            .with_help("use \"planned\" or \"forced\"")),
    }
}

pub fn outage(
    ctx: &Ctx,
    i: usize,
    o: &Spanned<RawOutage>,
    names: &Names,
    run: Option<Nanos>,
) -> Result<Outage, GeoError> {
    let key = format!("outage[{i}]");
    let raw = o.get_ref();
    let t = ctx.require(
        &raw.target,
        o.span(),
        &format!("{key}.target"),
        "target = \"eastus\"",
    )?;
    let target = names.target(ctx, t, &format!("{key}.target"))?;
    let s = ctx.require(
        &raw.start,
        o.span(),
        &format!("{key}.start"),
        "start = \"20m\"",
    )?;
    let start = ctx.within_run(s, &format!("{key}.start"), run)?;
    let d = ctx.require(
        &raw.duration,
        o.span(),
        &format!("{key}.duration"),
        "duration = \"15m\"",
    )?;
    let duration = ctx.positive_duration(d, &format!("{key}.duration"))?;
    if start.checked_add(duration).is_none() {
        return Err(ctx
            .error(d.span(), &format!("{key}.duration"), "start + duration is beyond the clock's range (about 584 years)")
            .with_help("an outage that lasts past the end of the run is cut at the end: a duration up to the run's length is enough"));
    }
    let kind_key = format!("{key}.kind");
    let kind = match raw.kind.as_ref().map(|k| (k.get_ref().as_str(), k.span())) {
        None | Some(("down", _)) => {
            if let Some(f) = &raw.factor {
                return Err(ctx
                    .error(
                        f.span(),
                        &format!("{key}.factor"),
                        "`factor` applies only to kind = \"slow\"",
                    )
                    .with_help("remove `factor`, or set kind = \"slow\""));
            }
            OutageKind::Down
        }
        Some(("slow", span)) => {
            let Some(f) = &raw.factor else {
                return Err(ctx
                    .error(span, &kind_key, "a \"slow\" outage needs `factor`")
                    .with_help("add e.g. factor = 5 (latencies of the target multiplied by 5)"));
            };
            let x = *f.get_ref();
            if !(x.is_finite() && x > 0.0) {
                return Err(ctx
                    .error(
                        f.span(),
                        &format!("{key}.factor"),
                        format!("factor must be a finite number more than 0, not {x}"),
                    )
                    .with_help("e.g. factor = 5"));
            }
            OutageKind::Slow(x)
        }
        Some((other, span)) => {
            return Err(ctx
                .error(span, &kind_key, format!("unknown outage kind \"{other}\""))
                .with_help("use \"down\" or \"slow\""))
        }
    };
    Ok(Outage {
        target,
        start,
        duration,
        kind,
    })
}

pub fn failure(
    ctx: &Ctx,
    i: usize,
    f: &Spanned<RawFailure>,
    names: &Names,
) -> Result<Failure, GeoError> {
    let key = format!("failure[{i}]");
    let raw = f.get_ref();
    let t = ctx.require(
        &raw.target,
        f.span(),
        &format!("{key}.target"),
        "target = \"westeurope\"",
    )?;
    let target = names.target(ctx, t, &format!("{key}.target"))?;
    let m = ctx.require(
        &raw.mtbf,
        f.span(),
        &format!("{key}.mtbf"),
        "mtbf = \"30d\"",
    )?;
    let mtbf = ctx.positive_duration(m, &format!("{key}.mtbf"))?;
    let r = ctx.require(
        &raw.mttr,
        f.span(),
        &format!("{key}.mttr"),
        "mttr = \"45m\"",
    )?;
    let mttr = dist::latency(ctx, r, &format!("{key}.mttr"))?;
    if mttr.mean <= 0.0 {
        return Err(ctx.error(r.span(), &format!("{key}.mttr"), "mttr must be more than 0"));
    }
    Ok(Failure { target, mtbf, mttr })
}

/// One `[[action]]`. `secondaries` is `None` when `[replication]` itself was invalid
/// (that error is reported; a promote target is then not checked against it).
pub fn action(
    ctx: &Ctx,
    i: usize,
    a: &Spanned<RawAction>,
    names: &Names,
    run: Option<Nanos>,
    secondaries: Option<&[RegionId]>,
) -> Result<Action, GeoError> {
    let key = format!("action[{i}]");
    let raw = a.get_ref();
    let at_v = ctx.require(&raw.at, a.span(), &format!("{key}.at"), "at = \"60m\"")?;
    let at = ctx.within_run(at_v, &format!("{key}.at"), run)?;
    one_kind(ctx, a, &key)?;
    let kind = if let Some(p) = &raw.promote {
        promote(ctx, raw, p, &key, at, names, secondaries)?
    } else if let Some(m) = &raw.set_mode {
        if m.get_ref() == "snapshot" {
            return Err(ctx
                .error(
                    m.span(),
                    &format!("{key}.set_mode"),
                    "set_mode cannot enter snapshot mode: recovery points replace the log for the whole run (SPEC §6.4)",
                )
                .with_help("give the variant mode = \"snapshot\" from the start, or compare it with a [[variant]] of its own"));
        }
        ActionKind::SetMode(mode(ctx, m, &format!("{key}.set_mode"))?)
    } else if let Some(l) = &raw.set_max_lag {
        ActionKind::SetMaxLag(ctx.duration(l, &format!("{key}.set_max_lag"))?)
    } else {
        // `one_kind` has ruled this out; an error is still better than a panic.
        return Err(ctx.error(
            a.span(),
            &key,
            "an action needs one of `promote`, `set_mode` or `set_max_lag`",
        ));
    };
    Ok(Action { at, kind })
}

/// Exactly one of `promote`, `set_mode`, `set_max_lag`; `target` and `escalate_after`
/// only with `promote`.
fn one_kind(ctx: &Ctx, a: &Spanned<RawAction>, key: &str) -> Result<(), GeoError> {
    let raw = a.get_ref();
    let given: Vec<&str> = [
        raw.promote.as_ref().map(|_| "`promote`"),
        raw.set_mode.as_ref().map(|_| "`set_mode`"),
        raw.set_max_lag.as_ref().map(|_| "`set_max_lag`"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() != 1 {
        let msg = if given.is_empty() {
            "an action needs one of `promote`, `set_mode` or `set_max_lag`".to_string()
        } else {
            format!(
                "an action does one thing, but this one has {}",
                given.join(" and ")
            )
        };
        return Err(ctx
            .error(a.span(), key, msg)
            .with_help("write one [[action]] per change (they may share the same `at`)"));
    }
    if raw.promote.is_some() {
        return Ok(());
    }
    let stray = [
        ("target", raw.target.as_ref().map(|t| t.span())),
        (
            "escalate_after",
            raw.escalate_after.as_ref().map(|e| e.span()),
        ),
    ];
    match stray.into_iter().find_map(|(k, s)| s.map(|s| (k, s))) {
        Some((k, span)) => Err(ctx
            .error(
                span,
                &format!("{key}.{k}"),
                format!("`{k}` applies only to a `promote` action"),
            )
            .with_help(format!("remove `{k}`"))),
        None => Ok(()),
    }
}

fn promote(
    ctx: &Ctx,
    raw: &RawAction,
    p: &Spanned<String>,
    key: &str,
    at: Nanos,
    names: &Names,
    secondaries: Option<&[RegionId]>,
) -> Result<ActionKind, GeoError> {
    let kind = promote_kind(ctx, p, &format!("{key}.promote"))?;
    let target = match &raw.target {
        None => None,
        Some(t) => {
            let tkey = format!("{key}.target");
            let id = names.resolve(ctx, t, &tkey)?;
            if let Some(sec) = secondaries.filter(|s| !s.contains(&id)) {
                let list: Vec<String> = sec
                    .iter()
                    .map(|&s| format!("\"{}\"", names.name(s)))
                    .collect();
                return Err(ctx
                    .error(
                        t.span(),
                        &tkey,
                        format!("\"{}\" is not a secondary", t.get_ref()),
                    )
                    .with_help(format!(
                        "a promotion targets one of [replication] secondaries: {}",
                        list.join(", ")
                    )));
            }
            Some(id)
        }
    };
    let escalate_after = match &raw.escalate_after {
        None => None,
        Some(e) => {
            let ekey = format!("{key}.escalate_after");
            let ns = ctx.positive_duration(e, &ekey)?;
            if at.checked_add(ns).is_none() {
                return Err(ctx.error(
                    e.span(),
                    &ekey,
                    "at + escalate_after is beyond the clock's range (about 584 years)",
                ));
            }
            Some(ns)
        }
    };
    Ok(ActionKind::Promote {
        kind,
        target,
        escalate_after,
    })
}

/// `[policy]`; `primary` is the scenario's primary (what `failback` returns to), `None`
/// when `[replication]` was invalid (its error is reported).
pub fn policy(
    ctx: &Ctx,
    p: Option<&Spanned<RawPolicy>>,
    primary: Option<RegionId>,
) -> Result<Policy, GeoError> {
    let Some(p) = p else {
        return Ok(Policy::default());
    };
    let raw = p.get_ref();
    let auto_promote = match &raw.auto_promote {
        None => None,
        Some(ap) => {
            let k = "policy.auto_promote";
            let after = ctx.require(
                &ap.get_ref().after,
                ap.span(),
                &format!("{k}.after"),
                "after = \"15m\"",
            )?;
            let after = ctx.positive_duration(after, &format!("{k}.after"))?;
            let kind = ctx.require(
                &ap.get_ref().kind,
                ap.span(),
                &format!("{k}.kind"),
                "kind = \"forced\"",
            )?;
            let kind = promote_kind(ctx, kind, &format!("{k}.kind"))?;
            let escalate_after = match &ap.get_ref().escalate_after {
                None => None,
                Some(e) => Some(ctx.positive_duration(e, &format!("{k}.escalate_after"))?),
            };
            Some(AutoPromote {
                after,
                kind,
                escalate_after,
            })
        }
    };
    let remove_secondary_after = match &raw.remove_secondary_after {
        None => None,
        Some(r) => Some(ctx.positive_duration(r, "policy.remove_secondary_after")?),
    };
    let failback = match (&raw.failback, primary) {
        (Some(f), Some(to)) => {
            let k = "policy.failback";
            let after = ctx.require(
                &f.get_ref().after,
                f.span(),
                &format!("{k}.after"),
                "after = \"1h\"",
            )?;
            let after = ctx.positive_duration(after, &format!("{k}.after"))?;
            let kind = match &f.get_ref().kind {
                None => PromoteKind::Planned,
                Some(kind) => promote_kind(ctx, kind, &format!("{k}.kind"))?,
            };
            Some(Failback { after, kind, to })
        }
        _ => None,
    };
    Ok(Policy {
        auto_promote,
        remove_secondary_after,
        failback,
    })
}

pub fn promotion(
    ctx: &Ctx,
    p: Option<&Spanned<RawPromotion>>,
) -> Result<PromotionTiming, GeoError> {
    let (switch, dns) = p.map_or((&None, &None), |p| (&p.get_ref().switch, &p.get_ref().dns));
    // "0s" is valid for both: an instant role switch or hostname change.
    Ok(PromotionTiming {
        switch: ctx.duration_or(switch, "promotion.switch", 30 * NS_PER_S)?,
        dns: ctx.duration_or(dns, "promotion.dns", 120 * NS_PER_S)?,
    })
}
