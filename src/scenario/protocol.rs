//! The replication-protocol keys of a variant (SPEC §6.1–§6.3, §6.5): `mode`, `max_lag`,
//! `sync_acks`, `semi_sync_timeout`, `lag_quorum`, `max_lag_writes` and `preset`, resolved
//! from the variant, then `[replication]`, then the preset, then SPEC's defaults, and
//! checked — each value against the scenario, then against the preset's documented ranges.
//!
//! Every value remembers where it came from (`Origin`), so an error points at the key the
//! user wrote, or at `preset` when the preset supplied it. `presets` holds the data; this
//! module applies it. It knows nothing of the engine.
//!
//! Long because each protocol key is resolved across four layers (variant, table,
//! preset, default) with its origin, and checked against the preset's ranges.

use std::ops::Range;

use toml::Spanned;

use super::context::Ctx;
use super::presets::{self, Lag, Preset, Rule};
use super::raw::{Count, Duration, RawReplication, RawVariant};
use super::suggest;
use crate::error::GeoError;
use crate::model::{
    AutoPromote, Mode, Nanos, Quorum, DEFAULT_SEMI_SYNC_TIMEOUT, DEFAULT_SNAPSHOT_INTERVAL,
    NS_PER_S,
};

/// The protocol keys of one table, `[replication]` or a `[[variant]]`.
#[derive(Clone, Copy)]
pub(super) struct Keys<'a> {
    /// The key path of the table: `replication` or `variant[2]`.
    pub table: &'a str,
    pub mode: Option<&'a Spanned<String>>,
    pub max_lag: Option<&'a Spanned<Duration>>,
    pub sync_acks: Option<&'a Spanned<Count>>,
    pub semi_sync_timeout: Option<&'a Spanned<Duration>>,
    pub lag_quorum: Option<&'a Spanned<Count>>,
    pub max_lag_writes: Option<&'a Spanned<Count>>,
    pub preset: Option<&'a Spanned<String>>,
    pub snapshot_interval: Option<&'a Spanned<Duration>>,
}

impl<'a> Keys<'a> {
    pub fn replication(r: &'a RawReplication) -> Keys<'a> {
        Keys {
            table: "replication",
            mode: r.mode.as_ref(),
            max_lag: r.max_lag.as_ref(),
            sync_acks: r.sync_acks.as_ref(),
            semi_sync_timeout: r.semi_sync_timeout.as_ref(),
            lag_quorum: r.lag_quorum.as_ref(),
            max_lag_writes: r.max_lag_writes.as_ref(),
            preset: r.preset.as_ref(),
            snapshot_interval: r.snapshot_interval.as_ref(),
        }
    }

    pub fn variant(table: &'a str, v: &'a RawVariant) -> Keys<'a> {
        Keys {
            table,
            mode: v.mode.as_ref(),
            max_lag: v.max_lag.as_ref(),
            sync_acks: v.sync_acks.as_ref(),
            semi_sync_timeout: v.semi_sync_timeout.as_ref(),
            lag_quorum: v.lag_quorum.as_ref(),
            max_lag_writes: v.max_lag_writes.as_ref(),
            preset: v.preset.as_ref(),
            snapshot_interval: v.snapshot_interval.as_ref(),
        }
    }
}

/// Where a resolved value came from.
#[derive(Debug, Clone)]
struct Origin {
    key: String,
    span: Range<usize>,
    /// The user wrote the key (not a preset, not a default).
    written: bool,
}

/// The scenario-wide facts a variant's keys are checked against.
pub(super) struct Context<'a> {
    pub secondaries: usize,
    /// Where `secondaries` is written, for errors about their number.
    pub secondaries_span: Range<usize>,
    /// `[policy] auto_promote` as written, and where.
    pub auto_promote: Option<(AutoPromote, Range<usize>)>,
    /// The span of `[replication]`, for defaults that have no key.
    pub table_span: Range<usize>,
    pub base: Keys<'a>,
}

/// A variant's resolved protocol settings.
#[derive(Debug, Clone)]
pub(super) struct Protocol {
    pub mode: Mode,
    /// `None`: `max_lag = "none"` (SPEC §6.3).
    pub max_lag: Option<Nanos>,
    pub sync_acks: Option<Quorum>,
    pub semi_sync_timeout: Nanos,
    pub lag_quorum: Quorum,
    pub max_lag_writes: Option<u64>,
    pub preset: Option<&'static Preset>,
    pub auto_promote: Option<AutoPromote>,
    /// SPEC §6.4: a recovery point every this long (snapshot mode; default 5 min).
    pub snapshot_interval: Nanos,
}

/// A mode as written: the model's, or one of SPEC §6's the engine does not run yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModeName {
    Run(Mode),
}

fn mode_name(text: &str) -> Option<ModeName> {
    match text {
        "sync" => Some(ModeName::Run(Mode::Sync)),
        "async" => Some(ModeName::Run(Mode::Async)),
        "semi-sync" => Some(ModeName::Run(Mode::SemiSync)),
        "snapshot" => Some(ModeName::Run(Mode::Snapshot)),
        _ => None,
    }
}

/// A `mode` or `set_mode` value: `"sync"`, `"async"`, `"semi-sync"` or `"snapshot"`
/// (`set_mode` refuses `"snapshot"` itself: SPEC §6.4).
pub(super) fn mode(ctx: &Ctx, v: &Spanned<String>, key: &str) -> Result<Mode, GeoError> {
    match mode_name(v.get_ref()) {
        Some(ModeName::Run(m)) => Ok(m),
        None => Err(ctx
            .error(
                v.span(),
                key,
                format!("unknown replication mode \"{}\"", v.get_ref()),
            )
            .with_help("use \"sync\", \"async\", \"semi-sync\" or \"snapshot\"")),
    }
}

/// The first of the variant's and the base table's value of a key, with its origin.
fn pick<'a, T>(
    var: Option<&Keys<'a>>,
    base: &Keys<'a>,
    get: impl Fn(&Keys<'a>) -> Option<&'a Spanned<T>>,
    name: &str,
) -> Option<(&'a Spanned<T>, Origin)> {
    let tables = var.into_iter().chain(std::iter::once(base));
    for t in tables {
        if let Some(v) = get(t) {
            let origin = Origin {
                key: format!("{}.{name}", t.table),
                span: v.span(),
                written: true,
            };
            return Some((v, origin));
        }
    }
    None
}

/// Resolves and checks the protocol keys of one variant. `fixed_mode` is the mode of a
/// standard-matrix variant (which has no table of its own).
pub(super) fn resolve(
    ctx: &Ctx,
    c: &Context,
    var: Option<&Keys>,
    fixed_mode: Option<Mode>,
) -> Result<Protocol, GeoError> {
    let preset = preset(ctx, var, &c.base)?;
    let from_preset = |name: &str| match &preset {
        Some((_, o)) => Origin {
            key: o.key.clone(),
            span: o.span.clone(),
            written: false,
        },
        None => Origin {
            key: format!("{}.{name}", c.base.table),
            span: c.table_span.clone(),
            written: false,
        },
    };
    let p = preset.as_ref().map(|(p, _)| *p);

    let written_lag = match pick(var, &c.base, |k| k.max_lag, "max_lag") {
        Some((v, o)) => {
            let zero_ok = p.is_some_and(|p| p.zero_lag_means_sync);
            Some((lag(ctx, v, &o.key, zero_ok)?, o))
        }
        None => None,
    };
    let (mut mode, mode_origin) = match (fixed_mode, pick(var, &c.base, |k| k.mode, "mode")) {
        (Some(m), _) => (ModeName::Run(m), from_preset("mode")),
        (None, Some((v, o))) => {
            let m = mode_name(v.get_ref()).ok_or_else(|| {
                ctx.error(
                    v.span(),
                    &o.key,
                    format!("unknown replication mode \"{}\"", v.get_ref()),
                )
                .with_help("use \"sync\", \"async\" or \"semi-sync\"")
            })?;
            (m, o)
        }
        (None, None) => match p {
            Some(p) => (
                mode_name(p.sets.mode).unwrap_or(ModeName::Run(Mode::Async)),
                from_preset("mode"),
            ),
            None => (ModeName::Run(Mode::Async), from_preset("mode")),
        },
    };
    // SPEC §10: with azure-service-bus, max_lag = "0" means sync.
    let mut zero_means_sync = false;
    if let (Some(p), Some((Lag::At(0), o))) = (p, &written_lag) {
        if p.zero_lag_means_sync {
            if mode_origin.written && mode == ModeName::Run(Mode::Async) {
                return Err(ctx
                    .error(
                        o.span.clone(),
                        &o.key,
                        format!("with preset \"{}\", max_lag = \"0\" means sync, but this variant's mode is \"async\"", p.name),
                    )
                    .with_help("set an async max_lag from \"5m\" to \"1d\", or mode = \"sync\""));
            }
            mode = ModeName::Run(Mode::Sync);
            zero_means_sync = true;
        }
    }
    let ModeName::Run(run_mode) = mode;
    let (max_lag, lag_origin) = match (&written_lag, p.and_then(|p| p.sets.max_lag)) {
        (Some((_, o)), _) if zero_means_sync => (default_lag(run_mode), o.clone()),
        (Some((l, o)), _) => (*l, o.clone()),
        (None, Some(l)) => (l, from_preset("max_lag")),
        (None, None) => (default_lag(run_mode), from_preset("max_lag")),
    };

    let (sync_acks, _) = match pick(var, &c.base, |k| k.sync_acks, "sync_acks") {
        Some((v, o)) => (
            Some(quorum(
                ctx,
                v,
                &o.key,
                c.secondaries,
                "a sync write needs at least one ack",
            )?),
            o,
        ),
        None => (p.and_then(|p| p.sets.sync_acks), from_preset("sync_acks")),
    };
    let semi_sync_timeout = match pick(var, &c.base, |k| k.semi_sync_timeout, "semi_sync_timeout") {
        Some((v, o)) => ctx.positive_duration(v, &o.key)?,
        None => p
            .and_then(|p| p.sets.semi_sync_timeout)
            .unwrap_or(DEFAULT_SEMI_SYNC_TIMEOUT),
    };
    let (lag_quorum, quorum_origin) = match pick(var, &c.base, |k| k.lag_quorum, "lag_quorum") {
        Some((v, o)) => (
            quorum(
                ctx,
                v,
                &o.key,
                c.secondaries,
                "the lag counts at least one secondary",
            )?,
            o,
        ),
        None => (
            p.and_then(|p| p.sets.lag_quorum).unwrap_or(Quorum::All),
            from_preset("lag_quorum"),
        ),
    };
    let (max_lag_writes, writes_origin) =
        match pick(var, &c.base, |k| k.max_lag_writes, "max_lag_writes") {
            Some((v, o)) => (writes(ctx, v, &o.key)?, o),
            None => (
                p.and_then(|p| p.sets.max_lag_writes),
                from_preset("max_lag_writes"),
            ),
        };
    let (snapshot_interval, interval_origin) =
        match pick(var, &c.base, |k| k.snapshot_interval, "snapshot_interval") {
            Some((v, o)) => (ctx.positive_duration(v, &o.key)?, o),
            None => (
                p.and_then(|p| p.sets.snapshot_interval)
                    .unwrap_or(DEFAULT_SNAPSHOT_INTERVAL),
                from_preset("snapshot_interval"),
            ),
        };
    // A variant's own interval outside snapshot mode would silently do nothing (the
    // base table's is checked against every variant by the caller).
    if let Some(v) = var.and_then(|k| k.snapshot_interval) {
        if run_mode != Mode::Snapshot {
            return Err(ctx
                .error(
                    v.span(),
                    &interval_origin.key,
                    format!(
                        "snapshot_interval applies only in snapshot mode, and this variant's mode is \"{}\"",
                        run_mode.as_str()
                    ),
                )
                .with_help("set mode = \"snapshot\" in this variant, or remove snapshot_interval"));
        }
    }
    // The preset's failover policy applies when the scenario writes none.
    let auto_promote = match (&c.auto_promote, p.and_then(|p| p.sets.auto_promote)) {
        (None, Some(a)) => Some(a),
        _ => None,
    };

    let resolved = Protocol {
        mode: run_mode,
        max_lag: match max_lag {
            Lag::At(ns) => Some(ns),
            Lag::Off => None,
        },
        sync_acks,
        semi_sync_timeout,
        lag_quorum,
        max_lag_writes,
        preset: p,
        auto_promote,
        snapshot_interval,
    };
    if let Some((p, _)) = &preset {
        let at = Origins {
            mode: &mode_origin,
            max_lag: &lag_origin,
            lag_quorum: &quorum_origin,
            max_lag_writes: &writes_origin,
            snapshot_interval: &interval_origin,
            preset: &from_preset("preset"),
        };
        check_preset(ctx, c, p, &resolved, max_lag, &at)?;
    }
    Ok(resolved)
}

/// SPEC §2.2: 5m for async, 10s for sync; §6.2: "none" for semi-sync.
fn default_lag(mode: Mode) -> Lag {
    match mode {
        Mode::Async => Lag::At(300 * NS_PER_S),
        Mode::Sync => Lag::At(10 * NS_PER_S),
        Mode::SemiSync => Lag::Off,
        // SPEC §6.4: recovery points never throttle by default.
        Mode::Snapshot => Lag::Off,
    }
}

/// The variant's preset, else the base table's.
fn preset(
    ctx: &Ctx,
    var: Option<&Keys>,
    base: &Keys,
) -> Result<Option<(&'static Preset, Origin)>, GeoError> {
    let Some((v, o)) = pick(var, base, |k| k.preset, "preset") else {
        return Ok(None);
    };
    match presets::find(v.get_ref()) {
        Some(p) => Ok(Some((p, o))),
        None => {
            let names = presets::names();
            let list = names.join(", ");
            let help = match suggest::closest(v.get_ref(), names.iter().copied()) {
                Some(close) => format!("did you mean \"{close}\"? the presets are: {list} (`geosim presets` describes them)"),
                None => format!("the presets are: {list} (`geosim presets` describes them)"),
            };
            Err(ctx
                .error(
                    v.span(),
                    &o.key,
                    format!("unknown preset \"{}\"", v.get_ref()),
                )
                .with_help(help))
        }
    }
}

/// A `max_lag` value: a duration or `"none"`; `zero_ok`: also a bare `"0"`, which is how
/// Service Bus writes sync (maxReplicationLagDurationInSeconds = 0).
fn lag(ctx: &Ctx, v: &Spanned<Duration>, key: &str, zero_ok: bool) -> Result<Lag, GeoError> {
    match v.get_ref().0.as_str() {
        "none" => return Ok(Lag::Off),
        "0" if zero_ok => return Ok(Lag::At(0)),
        _ => {}
    }
    Ok(Lag::At(ctx.duration(v, key)?))
}

/// `sync_acks` or `lag_quorum`: `"all"` or a count from 1 to the number of secondaries.
fn quorum(
    ctx: &Ctx,
    v: &Spanned<Count>,
    key: &str,
    secondaries: usize,
    why_not_zero: &str,
) -> Result<Quorum, GeoError> {
    let name = key.rsplit('.').next().unwrap_or(key);
    let range = if secondaries == 1 {
        "1 or \"all\"".to_string()
    } else {
        format!("1 to {secondaries}, or \"all\"")
    };
    match v.get_ref() {
        Count::Word(w) if w == "all" => Ok(Quorum::All),
        Count::Word(w) => Err(ctx
            .error(v.span(), key, format!("{name} = \"{w}\" is not a count"))
            .with_help(format!("write {range}"))),
        Count::Number(k) if *k < 1 => Err(ctx
            .error(
                v.span(),
                key,
                format!("{name} = {k} is invalid: {why_not_zero}"),
            )
            .with_help(format!("write {range}"))),
        Count::Number(k) if *k as u64 > secondaries as u64 => Err(ctx
            .error(
                v.span(),
                key,
                format!(
                    "{name} = {k} is more than the {} listed in replication.secondaries",
                    plural(secondaries, "secondary", "secondaries")
                ),
            )
            .with_help(format!("write {range}"))),
        Count::Number(k) => Ok(Quorum::Count(*k as u32)),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `max_lag_writes`: a count of writes (at least 1) or `"none"`.
fn writes(ctx: &Ctx, v: &Spanned<Count>, key: &str) -> Result<Option<u64>, GeoError> {
    match v.get_ref() {
        Count::Word(w) if w == "none" => Ok(None),
        Count::Number(k) if *k >= 1 => Ok(Some(*k as u64)),
        other => {
            let shown = match other {
                Count::Number(k) => k.to_string(),
                Count::Word(w) => format!("\"{w}\""),
            };
            Err(ctx
                .error(
                    v.span(),
                    key,
                    format!("max_lag_writes = {shown} is not a number of writes: it must be at least 1, or \"none\""),
                )
                .with_help("e.g. max_lag_writes = 100000 (throttle while more writes than that are not applied)"))
        }
    }
}

/// Where the values a preset rule looks at came from.
struct Origins<'o> {
    mode: &'o Origin,
    max_lag: &'o Origin,
    lag_quorum: &'o Origin,
    max_lag_writes: &'o Origin,
    snapshot_interval: &'o Origin,
    preset: &'o Origin,
}

/// Each of the preset's documented limits, against the resolved variant.
fn check_preset(
    ctx: &Ctx,
    c: &Context,
    p: &Preset,
    v: &Protocol,
    max_lag: Lag,
    at: &Origins,
) -> Result<(), GeoError> {
    for check in p.refuses {
        let broken: Option<(String, &Origin, String)> = match check.rule {
            Rule::MaxSecondaries(n) if c.secondaries > n => Some((
                plural(c.secondaries, "secondary", "secondaries"),
                &Origin {
                    key: "replication.secondaries".into(),
                    span: c.secondaries_span.clone(),
                    written: true,
                },
                format!("list at most {n} in replication.secondaries, or remove the preset"),
            )),
            Rule::ModeOnly(m) if v.mode.as_str() != m => Some((
                format!("mode = \"{}\"", v.mode.as_str()),
                at.mode,
                format!("use mode = \"{m}\", or remove the preset"),
            )),
            Rule::MaxLag {
                min,
                max,
                required,
                async_only,
            } if !async_only || v.mode == Mode::Async => match max_lag {
                Lag::Off if required => Some((
                    "max_lag = \"none\"".into(),
                    at.max_lag,
                    format!(
                        "set max_lag from \"{}\" to \"{}\"",
                        presets::duration(min),
                        presets::duration(max)
                    ),
                )),
                Lag::At(ns) if ns < min || ns > max => Some((
                    format!("max_lag = \"{}\"", presets::duration(ns)),
                    at.max_lag,
                    format!(
                        "set max_lag from \"{}\" to \"{}\"",
                        presets::duration(min),
                        presets::duration(max)
                    ),
                )),
                _ => None,
            },
            Rule::MaxLagWrites { min, max } => match v.max_lag_writes {
                Some(k) if k >= min && k <= max => None,
                got => Some((
                    got.map_or("max_lag_writes = \"none\"".into(), |k| {
                        format!("max_lag_writes = {k}")
                    }),
                    at.max_lag_writes,
                    format!("set max_lag_writes from {min} to {max}"),
                )),
            },
            Rule::LagQuorum(q) if v.lag_quorum != q => Some((
                format!("lag_quorum = {}", presets::quoted(v.lag_quorum)),
                at.lag_quorum,
                format!(
                    "set lag_quorum = {}, or remove the preset",
                    presets::quoted(q)
                ),
            )),
            Rule::AutoPromoteAfter(min) => match (&c.auto_promote, v.auto_promote) {
                (Some((a, span)), _) if a.after < min => Some((
                    format!("auto_promote.after = \"{}\"", presets::duration(a.after)),
                    &Origin {
                        key: "policy.auto_promote.after".into(),
                        span: span.clone(),
                        written: true,
                    },
                    format!(
                        "set after = \"{}\" or more (a customer-managed failover is an [[action]])",
                        presets::duration(min)
                    ),
                )),
                _ => None,
            },
            Rule::SnapshotInterval(i) if v.mode == Mode::Snapshot && v.snapshot_interval != i => {
                Some((
                    format!(
                        "snapshot_interval = \"{}\"",
                        presets::duration(v.snapshot_interval)
                    ),
                    at.snapshot_interval,
                    format!(
                        "set snapshot_interval = \"{}\", or remove the preset",
                        presets::duration(i)
                    ),
                ))
            }
            _ => None,
        };
        if let Some((what, origin, help)) = broken {
            let key = if origin.written {
                &origin.key
            } else {
                &at.preset.key
            };
            let span = if origin.written {
                origin.span.clone()
            } else {
                at.preset.span.clone()
            };
            return Err(ctx
                .error(
                    span,
                    key,
                    format!(
                        "preset \"{}\" requires {}, not {what} ({})",
                        p.name,
                        check.rule.range(),
                        presets::cite(check.sources)
                    ),
                )
                .with_help(help));
        }
    }
    Ok(())
}
