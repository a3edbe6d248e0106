//! Raw scenario → validated `Model`: defaults, cross-references and every check, with
//! errors that name the file, line:column, key path and fix (SPEC §1).
//!
//! Sections are checked independently where they can be, and the error reported is the
//! first one in the file, so fixing errors top to bottom works. Regions, links, events and
//! distributions live in their own modules; this one owns the file, `[simulation]`,
//! `[workload]`, `[replication]`, `[[variant]]` and the assembly of the `Model`.
//!
//! Long because the sections it owns are checked in file order, one function each, and
//! the assembly of the `Model` needs all of them.

use std::io::Read;
use std::path::Path;

use toml::Spanned;

use super::context::Ctx;
use super::network::{self, Names};
use super::raw::{RawAction, RawReplication, RawScenario, RawSimulation, RawVariant, RawWorkload};
use super::{dist, events, keys, locate, objectives, prices, protocol, reads};
use crate::error::GeoError;
use crate::limits::{
    DEFAULT_MAX_DURATION, MAX_BUCKETS, MAX_FAILURES, MAX_NESTING, MAX_PHASES, MAX_RATE,
    MAX_REGIONS, MAX_RETRIES, MAX_RUNS, MAX_SCENARIO_BYTES,
};
use crate::model::{
    AutoPromote, Mode, Model, Nanos, Phase, PromoteKind, ReadAt, RegionId, Variant, Workload,
    NS_PER_S,
};

/// A scenario file as read, once: what labels its errors, its text and the default
/// scenario name.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given, or `<stdin>`.
    pub label: String,
    pub text: String,
    /// The file's stem (`stdin` for standard input): the name when `[simulation]`
    /// gives none.
    pub stem: String,
}

/// Reads a scenario file (`-` for standard input) once, whatever it is — a pipe or
/// `<(…)` can only be read once, and a device such as /dev/zero never ends — and
/// refuses more than `MAX_SCENARIO_BYTES`.
pub fn read(path: &Path) -> Result<Source, GeoError> {
    let stdin = path.as_os_str() == "-";
    let label = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    let limit = MAX_SCENARIO_BYTES + 1;
    let read = if stdin {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        if path.is_dir() {
            return Err(GeoError::io(&label, "is a directory, not a scenario file")
                .with_help("pass the path of a .toml scenario file"));
        }
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        let err = GeoError::io(&label, format!("cannot read the scenario: {e}"));
        match e.kind() {
            std::io::ErrorKind::NotFound => err.with_help(
                "check the path; scenarios are TOML files such as scenarios/cross-continent.toml",
            ),
            _ => err,
        }
    })?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(GeoError::invalid(format!(
            "the file is larger than {} MiB, the limit for a scenario: it is not one (a scenario is a few KiB of TOML)",
            MAX_SCENARIO_BYTES >> 20
        ))
        .with_file(&label)
        .with_help("pass a scenario file; a grid of many runs belongs in [sweep], not in a generated file"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        GeoError::invalid("the file is not valid UTF-8 text")
            .at(&prefix, valid)
            .with_file(&label)
            .with_help("save the scenario as UTF-8")
    })?;
    let stem = if stdin {
        "stdin".to_string()
    } else {
        path.file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    };
    Ok(Source { label, text, stem })
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Model, GeoError> {
    Ok(load_source(path)?.0)
}

/// Reads and validates a scenario file, and returns what was read with the model.
pub fn load_source(path: &Path) -> Result<(Model, Source), GeoError> {
    let source = read(path)?;
    let model = parse(&source.text, &source.label, &source.stem)?;
    Ok((model, source))
}

/// Validates scenario `text`; `file_name` labels errors, `file_stem` is the default name.
pub fn parse(text: &str, file_name: &str, file_stem: &str) -> Result<Model, GeoError> {
    check_nesting(text, file_name)?;
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| locate::toml_error(text, file_name, &e))?;
    let mut ctx = Ctx::new(text, file_name);
    let regions = raw.region.as_deref().unwrap_or_default();
    if let Some(r) = regions.get(MAX_REGIONS) {
        return Err(ctx
            .error(
                r.span(),
                &format!("region[{MAX_REGIONS}]"),
                format!(
                    "{} regions, more than the limit of {MAX_REGIONS}: every pair of regions is a link held in memory",
                    regions.len()
                ),
            )
            .with_help("simulate the regions that take part in replication; Azure has about 60"));
    }
    let names = Names::new(regions);

    let sim = simulation(&mut ctx, raw.simulation.as_ref(), file_stem);
    let run = sim.as_ref().map(|s| s.duration);
    let net = network::network(
        &mut ctx,
        regions,
        raw.link.as_deref().unwrap_or_default(),
        &names,
    );
    let workload = workload(&mut ctx, raw.workload.as_ref(), &names, run);
    let repl = replication(&mut ctx, raw.replication.as_ref(), &names);
    let outages = each(&mut ctx, &raw.outage, |c, i, o| {
        events::outage(c, i, o, &names, run)
    });
    let failures = each(&mut ctx, &raw.failure, |c, i, f| {
        let failure = events::failure(c, i, f, &names)?;
        failure_count(c, i, f, &failure, run)?;
        Ok(failure)
    });
    let secondaries = repl.as_ref().map(|r| r.secondaries.as_slice());
    let actions = each(&mut ctx, &raw.action, |c, i, a| {
        events::action(c, i, a, &names, run, secondaries)
    });
    let policy = ctx.ok(events::policy(
        &ctx,
        raw.policy.as_ref(),
        repl.as_ref().map(|r| r.primary),
    ));
    let promotion = ctx.ok(events::promotion(&ctx, raw.promotion.as_ref()));
    let client_region = workload.as_ref().map(|w| w.client_region);
    let reads = raw
        .reads
        .as_ref()
        .map(|r| ctx.ok(reads::reads(&ctx, r, &names, client_region)));
    let base_at = reads.map(|r| r.map_or(ReadAt::Primary, |(_, at)| at));
    let written_auto_promote = policy.and_then(|p| p.auto_promote).map(|a| {
        let span = raw
            .policy
            .as_ref()
            .and_then(|p| p.get_ref().auto_promote.as_ref())
            .map(|ap| {
                ap.get_ref()
                    .after
                    .as_ref()
                    .map_or(ap.span(), |after| after.span())
            })
            .unwrap_or(0..0);
        (a, span)
    });
    let variants = variants(
        &mut ctx,
        raw.variant.as_deref(),
        raw.replication.as_ref(),
        repl.as_ref(),
        written_auto_promote,
        base_at,
    );
    let variants = variants.map(|mut vs| {
        with_objectives(&mut ctx, &raw, &mut vs);
        vs
    });
    let cost = raw.cost.as_ref().map(|c| ctx.ok(prices::prices(&ctx, c)));
    let _ = ctx.ok(keys::check_sweep(&ctx, raw.sweep.as_ref()));
    if let (Some(r), Some(vs)) = (&raw.replication, &variants) {
        let own: Vec<bool> = (0..vs.len())
            .map(|i| {
                raw.variant
                    .as_deref()
                    .and_then(|v| v.get(i))
                    .is_some_and(|v| v.get_ref().snapshot_interval.is_some())
            })
            .collect();
        let _ = ctx.ok(snapshot_interval_used(&ctx, r, vs, &own));
        let _ = ctx.ok(set_mode_in_snapshot(&ctx, raw.action.as_deref(), vs));
    }
    ctx.finish()?;

    let (
        Some(sim),
        Some((regions, links)),
        Some(workload),
        Some(repl),
        Some(outages),
        Some(failures),
        Some(mut actions),
        Some(policy),
        Some(promotion),
        Some(variants),
    ) = (
        sim, net, workload, repl, outages, failures, actions, policy, promotion, variants,
    )
    else {
        // Every `None` above comes with a noted error, which `finish` returned.
        return Err(
            GeoError::invalid("internal error: a section failed without an error")
                .with_file(file_name),
        );
    };
    // Stable: actions at the same time keep file order.
    actions.sort_by_key(|a| a.at);
    Ok(Model {
        name: sim.name,
        duration: sim.duration,
        warmup: sim.warmup,
        seed: sim.seed,
        runs: sim.runs,
        bucket: sim.bucket,
        max_events: sim.max_events,
        max_backlog: sim.max_backlog,
        regions,
        links,
        workload,
        primary: repl.primary,
        secondaries: repl.secondaries,
        outages,
        failures,
        actions,
        policy,
        promotion,
        variants,
        // A `None` inside was noted and returned by `finish`.
        cost: cost.flatten(),
        reads: reads.flatten().map(|(r, _)| r),
    })
}

/// Checks every entry of an array of tables, noting the first error; `None` if any failed.
fn each<R, T>(
    ctx: &mut Ctx,
    items: &Option<Vec<Spanned<R>>>,
    mut check: impl FnMut(&Ctx, usize, &Spanned<R>) -> Result<T, GeoError>,
) -> Option<Vec<T>> {
    let items = items.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let r = check(ctx, i, item);
        out.push(ctx.ok(r));
    }
    out.into_iter().collect()
}

/// Refuses an `mtbf` so short that the run would draw millions of outages (almost
/// always a unit mistake, and memory the run cannot have).
fn failure_count(
    ctx: &Ctx,
    i: usize,
    f: &Spanned<super::raw::RawFailure>,
    failure: &crate::model::Failure,
    run: Option<Nanos>,
) -> Result<(), GeoError> {
    let Some(run) = run else { return Ok(()) };
    let expected = run / failure.mtbf.max(1);
    if expected <= MAX_FAILURES {
        return Ok(());
    }
    let span = f.get_ref().mtbf.as_ref().map_or(f.span(), |m| m.span());
    Err(ctx
        .error(
            span,
            &format!("failure[{i}].mtbf"),
            format!(
                "mtbf = {} would draw about {expected} failures in one run; the limit is {MAX_FAILURES}",
                crate::time::fmt_duration(failure.mtbf)
            ),
        )
        .with_help("mtbf is the mean time between failures: e.g. mtbf = \"30d\""))
}

struct Sim {
    name: String,
    duration: Nanos,
    warmup: Nanos,
    seed: u64,
    runs: u32,
    bucket: Nanos,
    max_events: u64,
    max_backlog: u64,
}

fn simulation(ctx: &mut Ctx, s: Option<&Spanned<RawSimulation>>, stem: &str) -> Option<Sim> {
    let Some(s) = s else {
        let err = ctx
            .error(0..0, "simulation", "missing table [simulation]")
            .with_help("add [simulation] with at least duration = \"1h\"");
        ctx.note(err);
        return None;
    };
    let r = simulation_table(ctx, s, stem);
    ctx.ok(r)
}

fn simulation_table(ctx: &Ctx, s: &Spanned<RawSimulation>, stem: &str) -> Result<Sim, GeoError> {
    let raw = s.get_ref();
    let d = ctx.require(
        &raw.duration,
        s.span(),
        "simulation.duration",
        "duration = \"1h\"",
    )?;
    let duration = ctx.positive_duration(d, "simulation.duration")?;
    let max_duration = ctx.duration_or(
        &raw.max_duration,
        "simulation.max_duration",
        DEFAULT_MAX_DURATION,
    )?;
    if duration > max_duration {
        return Err(ctx
            .error(
                d.span(),
                "simulation.duration",
                format!(
                    "duration = {} is longer than the limit [simulation] max_duration = {}",
                    d.get_ref().0,
                    crate::time::fmt_duration(max_duration)
                ),
            )
            .with_help(format!(
                "check the unit; if you mean it, raise the limit: max_duration = \"{}\"",
                d.get_ref().0
            )));
    }
    let warmup = ctx.duration_or(&raw.warmup, "simulation.warmup", 0)?;
    if let (Some(w), true) = (&raw.warmup, warmup >= duration) {
        return Err(ctx
            .error(
                w.span(),
                "simulation.warmup",
                format!(
                    "warmup ({}) is not shorter than the run (duration = {})",
                    w.get_ref().0,
                    d.get_ref().0
                ),
            )
            .with_help("nothing would be measured: make warmup shorter than duration"));
    }
    let bucket = ctx.duration_or(&raw.bucket, "simulation.bucket", NS_PER_S)?;
    if let Some(b) = &raw.bucket {
        if bucket == 0 || bucket > duration {
            return Err(ctx
                .error(
                    b.span(),
                    "simulation.bucket",
                    "the time-series bucket must be more than 0 and at most the run's duration",
                )
                .with_help("e.g. bucket = \"1s\""));
        }
    }
    if duration / bucket > MAX_BUCKETS {
        let span = raw.bucket.as_ref().map_or(d.span(), |b| b.span());
        let key = if raw.bucket.is_some() {
            "simulation.bucket"
        } else {
            "simulation.duration"
        };
        return Err(ctx
            .error(
                span,
                key,
                format!(
                    "the time series would have {} buckets per variant and run (duration / bucket); the limit is {MAX_BUCKETS}",
                    duration / bucket
                ),
            )
            .with_help(format!(
                "set a larger [simulation] bucket, e.g. bucket = \"{}\"",
                crate::time::fmt_duration((duration / MAX_BUCKETS + 1).next_multiple_of(NS_PER_S))
            )));
    }
    let name = match &raw.name {
        Some(n) => {
            let v = n.get_ref();
            // The name becomes a directory under the output folder.
            if !crate::limits::is_safe_name(v) {
                return Err(ctx
                    .error(
                        n.span(),
                        "simulation.name",
                        format!("\"{v}\" is not a usable scenario name"),
                    )
                    .with_help(
                        "use letters, digits, '.', '_' and '-' (it names the output directory)",
                    ));
            }
            v.clone()
        }
        None if crate::limits::is_safe_name(stem) => stem.to_string(),
        None => {
            return Err(ctx
                .error(
                    0..0,
                    "simulation.name",
                    format!(
                        "the file name gives the scenario name \"{stem}\", which cannot name an output directory"
                    ),
                )
                .with_help(
                    "add [simulation] name = \"…\" of letters, digits, '.', '_' and '-' (not starting with '.'), or rename the file",
                ))
        }
    };
    Ok(Sim {
        name,
        duration,
        warmup,
        seed: integer(ctx, &raw.seed, "simulation.seed", 1, 0, i64::MAX)?,
        runs: integer(ctx, &raw.runs, "simulation.runs", 1, 1, MAX_RUNS)? as u32,
        bucket,
        max_events: integer(
            ctx,
            &raw.max_events,
            "simulation.max_events",
            2_000_000_000,
            1,
            i64::MAX,
        )?,
        max_backlog: integer(
            ctx,
            &raw.max_backlog,
            "simulation.max_backlog",
            100_000_000,
            1,
            i64::MAX,
        )?,
    })
}

/// An optional integer in [min, max] (TOML integers are i64).
fn integer(
    ctx: &Ctx,
    v: &Option<Spanned<i64>>,
    key: &str,
    default: u64,
    min: i64,
    max: i64,
) -> Result<u64, GeoError> {
    let Some(v) = v else { return Ok(default) };
    let x = *v.get_ref();
    if x < min || x > max {
        let name = key.rsplit('.').next().unwrap_or(key);
        let range = if max == i64::MAX {
            format!("at least {min}")
        } else {
            format!("from {min} to {max}")
        };
        return Err(ctx
            .error(
                v.span(),
                key,
                format!("{name} = {x} is out of range: it must be {range}"),
            )
            .with_help(format!("e.g. {name} = {}", default.max(min as u64))));
    }
    // In [min ≥ 0, max]: the conversion cannot fail.
    Ok(u64::try_from(x).unwrap_or(default))
}

/// A rate in writes per second: finite and not negative.
fn rate(ctx: &Ctx, v: &Spanned<f64>, key: &str) -> Result<f64, GeoError> {
    let x = *v.get_ref();
    if x.is_finite() && x > MAX_RATE {
        Err(ctx
            .error(
                v.span(),
                key,
                format!(
                    "rate = {x} is above the limit of {MAX_RATE:e} writes per second: the simulated clock counts whole nanoseconds, and gaps of a few nanoseconds would offer more writes than the rate says"
                ),
            )
            .with_help("simulate a share of the writers: e.g. rate = 1000000 and scale the figures"))
    } else if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(ctx
            .error(v.span(), key, format!("rate = {x} is not a rate: it must be a finite number of writes per second, 0 or more"))
            .with_help("e.g. rate = 500"))
    }
}

fn workload(
    ctx: &mut Ctx,
    w: Option<&Spanned<RawWorkload>>,
    names: &Names,
    run: Option<Nanos>,
) -> Option<Workload> {
    let Some(w) = w else {
        let err = ctx
            .error(0..0, "workload", "missing table [workload]")
            .with_help("add [workload] with client_region, rate and size");
        ctx.note(err);
        return None;
    };
    let r = workload_table(ctx, w, names, run);
    ctx.ok(r)
}

fn workload_table(
    ctx: &Ctx,
    w: &Spanned<RawWorkload>,
    names: &Names,
    run: Option<Nanos>,
) -> Result<Workload, GeoError> {
    let raw = w.get_ref();
    let c = ctx.require(
        &raw.client_region,
        w.span(),
        "workload.client_region",
        "client_region = \"westeurope\"",
    )?;
    let client_region = names.resolve(ctx, c, "workload.client_region")?;
    let r = ctx.require(&raw.rate, w.span(), "workload.rate", "rate = 500")?;
    let mut phases = vec![Phase {
        at: 0,
        rate: rate(ctx, r, "workload.rate")?,
    }];
    let raw_phases = raw.phase.as_deref().unwrap_or_default();
    if let Some(p) = raw_phases.get(MAX_PHASES) {
        return Err(ctx
            .error(
                p.span(),
                &format!("workload.phase[{MAX_PHASES}]"),
                format!(
                    "{} phases, more than the limit of {MAX_PHASES}",
                    raw_phases.len()
                ),
            )
            .with_help("describe the load in fewer, longer phases"));
    }
    for (i, p) in raw_phases.iter().enumerate() {
        let key = format!("workload.phase[{i}]");
        let at_v = ctx.require(
            &p.get_ref().at,
            p.span(),
            &format!("{key}.at"),
            "at = \"30m\"",
        )?;
        let at = ctx.within_run(at_v, &format!("{key}.at"), run)?;
        // `phases` always holds the base phase at 0, so a phase at 0 is rejected too.
        if let Some(prev) = phases.last().filter(|prev| at <= prev.at) {
            return Err(ctx
                .error(
                    at_v.span(),
                    &format!("{key}.at"),
                    format!(
                        "phases must be in ascending order of `at`, each after the one before ({})",
                        crate::time::fmt_duration(prev.at)
                    ),
                )
                .with_help(
                    "the base `rate` applies from 0; list [[workload.phase]] entries in time order",
                ));
        }
        let pr = ctx.require(
            &p.get_ref().rate,
            p.span(),
            &format!("{key}.rate"),
            "rate = 2000",
        )?;
        phases.push(Phase {
            at,
            rate: rate(ctx, pr, &format!("{key}.rate"))?,
        });
    }
    let s = ctx.require(&raw.size, w.span(), "workload.size", "size = \"1KiB\"")?;
    let size = dist::size(ctx, s, "workload.size")?;
    let timeout = ctx.duration_or(&raw.timeout, "workload.timeout", 60 * NS_PER_S)?;
    if let (Some(t), 0) = (&raw.timeout, timeout) {
        return Err(ctx
            .error(t.span(), "workload.timeout", "timeout must be more than 0")
            .with_help("e.g. timeout = \"60s\""));
    }
    let retries = integer(ctx, &raw.retries, "workload.retries", 3, 0, MAX_RETRIES)? as u32;
    let backoff = ctx.duration_or(&raw.backoff, "workload.backoff", NS_PER_S)?;
    Ok(Workload {
        client_region,
        phases,
        size,
        timeout,
        retries,
        backoff,
    })
}

struct Repl {
    primary: RegionId,
    secondaries: Vec<RegionId>,
    /// Where `secondaries` is written, for errors about their number.
    secondaries_span: std::ops::Range<usize>,
}

fn replication(ctx: &mut Ctx, r: Option<&Spanned<RawReplication>>, names: &Names) -> Option<Repl> {
    let Some(r) = r else {
        let err = ctx
            .error(0..0, "replication", "missing table [replication]")
            .with_help("add [replication] with primary and secondaries");
        ctx.note(err);
        return None;
    };
    let out = replication_table(ctx, r, names);
    ctx.ok(out)
}

fn replication_table(
    ctx: &Ctx,
    r: &Spanned<RawReplication>,
    names: &Names,
) -> Result<Repl, GeoError> {
    let raw = r.get_ref();
    let p = ctx.require(
        &raw.primary,
        r.span(),
        "replication.primary",
        "primary = \"westeurope\"",
    )?;
    let primary = names.resolve(ctx, p, "replication.primary")?;
    let s = ctx.require(
        &raw.secondaries,
        r.span(),
        "replication.secondaries",
        "secondaries = [\"eastus\"]",
    )?;
    if s.get_ref().is_empty() {
        return Err(ctx
            .error(
                s.span(),
                "replication.secondaries",
                "no secondaries: geo-replication needs at least one",
            )
            .with_help("e.g. secondaries = [\"eastus\"]"));
    }
    let mut secondaries = Vec::with_capacity(s.get_ref().len());
    for (i, name) in s.get_ref().iter().enumerate() {
        let key = format!("replication.secondaries[{i}]");
        let id = names.resolve(ctx, name, &key)?;
        if id == primary {
            return Err(ctx
                .error(name.span(), &key, "the primary cannot be its own secondary")
                .with_help(format!("remove \"{}\" from secondaries", name.get_ref())));
        }
        if secondaries.contains(&id) {
            return Err(ctx
                .error(
                    name.span(),
                    &key,
                    format!("\"{}\" is listed twice", name.get_ref()),
                )
                .with_help("list each secondary once"));
        }
        secondaries.push(id);
    }
    // The standard matrix sets its own modes; the base mode must still be a mode.
    if let Some(m) = &raw.mode {
        protocol::mode(ctx, m, "replication.mode")?;
    }
    Ok(Repl {
        primary,
        secondaries,
        secondaries_span: s.span(),
    })
}

/// Sets each variant's objectives (SPEC §8): `[objectives]`, with a variant's own
/// `objectives = { ... }` over it key by key; errors are noted in `ctx`.
fn with_objectives(ctx: &mut Ctx, raw: &RawScenario, variants: &mut [Variant]) {
    let base = raw.objectives.as_ref().and_then(|o| {
        let r = objectives::objectives(ctx, o, "objectives", Default::default());
        ctx.ok(r)
    });
    let base = base.unwrap_or_default();
    let raw_variants = raw.variant.as_deref().unwrap_or_default();
    for (i, v) in variants.iter_mut().enumerate() {
        v.objectives = base;
        let own = raw_variants
            .get(i)
            .and_then(|r| r.get_ref().objectives.as_ref());
        if let Some(o) = own {
            let r = objectives::objectives(ctx, o, &format!("variant[{i}].objectives"), base);
            if let Some(merged) = ctx.ok(r) {
                v.objectives = merged;
            }
        }
    }
}

/// The variants; `None` when `[replication]` was invalid (its error is reported).
fn variants(
    ctx: &mut Ctx,
    raw: Option<&[Spanned<RawVariant>]>,
    base: Option<&Spanned<RawReplication>>,
    repl: Option<&Repl>,
    auto_promote: Option<(AutoPromote, std::ops::Range<usize>)>,
    base_at: Option<ReadAt>,
) -> Option<Vec<Variant>> {
    let (repl, base) = (repl?, base?);
    let common = Common { base_at };
    let c = protocol::Context {
        secondaries: repl.secondaries.len(),
        secondaries_span: repl.secondaries_span.clone(),
        auto_promote,
        table_span: base.span(),
        base: protocol::Keys::replication(base.get_ref()),
    };
    let Some(raw) = raw.filter(|v| !v.is_empty()) else {
        let r = standard(ctx, &c, &common);
        return ctx.ok(r);
    };
    let mut out: Vec<Variant> = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (i, v) in raw.iter().enumerate() {
        let r = variant(ctx, i, v, &c, &common, &out);
        match ctx.ok(r) {
            Some(v) => out.push(v),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// With no `[[variant]]`: the standard matrix of SPEC §2.2, or, with a `preset` in
/// `[replication]`, that system planned and forced (the matrix's sync and async rows
/// would override the very modes a preset sets).
fn standard(ctx: &Ctx, c: &protocol::Context, common: &Common) -> Result<Vec<Variant>, GeoError> {
    let rows: Vec<(String, Option<Mode>, PromoteKind)> = match c.base.preset {
        Some(p) => [PromoteKind::Planned, PromoteKind::Forced]
            .into_iter()
            .map(|k| (format!("{}-{}", p.get_ref(), k.as_str()), None, k))
            .collect(),
        None => [
            ("sync-planned", Mode::Sync, PromoteKind::Planned),
            ("sync-forced", Mode::Sync, PromoteKind::Forced),
            ("async-planned", Mode::Async, PromoteKind::Planned),
            ("async-forced", Mode::Async, PromoteKind::Forced),
        ]
        .into_iter()
        .map(|(n, m, k)| (n.to_string(), Some(m), k))
        .collect(),
    };
    rows.into_iter()
        .map(|(name, mode, kind)| {
            let p = protocol::resolve(ctx, c, None, mode)?;
            Ok(build(
                name,
                p,
                Some(kind),
                common.base_at.unwrap_or(ReadAt::Primary),
            ))
        })
        .collect()
}

/// What every variant shares unless it sets its own: where reads go (SPEC §7, §10).
struct Common {
    base_at: Option<ReadAt>,
}

fn build(
    name: String,
    p: protocol::Protocol,
    promote: Option<PromoteKind>,
    read_at: ReadAt,
) -> Variant {
    Variant {
        name,
        mode: p.mode,
        max_lag: p.max_lag,
        promote,
        sync_acks: p.sync_acks,
        semi_sync_timeout: p.semi_sync_timeout,
        lag_quorum: p.lag_quorum,
        max_lag_writes: p.max_lag_writes,
        preset: p.preset.map(|p| p.name),
        auto_promote: p.auto_promote,
        snapshot_interval: p.snapshot_interval,
        read_at,
        // Set by `with_objectives` once every variant is built.
        objectives: Default::default(),
    }
}

fn variant(
    ctx: &Ctx,
    i: usize,
    v: &Spanned<RawVariant>,
    c: &protocol::Context,
    common: &Common,
    before: &[Variant],
) -> Result<Variant, GeoError> {
    let key = format!("variant[{i}]");
    let raw = v.get_ref();
    let n = ctx.require(
        &raw.name,
        v.span(),
        &format!("{key}.name"),
        "name = \"async-5m\"",
    )?;
    let name = n.get_ref();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(ctx
            .error(
                n.span(),
                &format!("{key}.name"),
                format!(
                    "variant name \"{name}\" may only contain letters, digits, '.', '_' and '-'"
                ),
            )
            .with_help("it labels CSV rows and charts, e.g. name = \"async-5m\""));
    }
    if let Some(first) = before.iter().position(|b| &b.name == name) {
        return Err(ctx
            .error(
                n.span(),
                &format!("{key}.name"),
                format!("variant \"{name}\" is declared twice (first as variant[{first}])"),
            )
            .with_help("give each variant its own name"));
    }
    let protocol = protocol::resolve(ctx, c, Some(&protocol::Keys::variant(&key, raw)), None)?;
    let promote = match &raw.promote {
        Some(p) => Some(events::promote_kind(ctx, p, &format!("{key}.promote"))?),
        None => None,
    };
    let read_at = match &raw.reads {
        Some(r) => reads::variant_reads(ctx, &key, r, common.base_at)?,
        None => common.base_at.unwrap_or(ReadAt::Primary),
    };
    Ok(build(name.clone(), protocol, promote, read_at))
}

/// A `[replication] snapshot_interval` that no variant uses would silently do nothing:
/// some snapshot variant must take it (`own[i]`: variant i sets its own).
fn snapshot_interval_used(
    ctx: &Ctx,
    r: &Spanned<RawReplication>,
    variants: &[Variant],
    own: &[bool],
) -> Result<(), GeoError> {
    let Some(i) = &r.get_ref().snapshot_interval else {
        return Ok(());
    };
    let snapshot = |v: &&Variant| v.mode == Mode::Snapshot;
    if variants
        .iter()
        .zip(own)
        .any(|(v, &own)| snapshot(&v) && !own)
    {
        return Ok(());
    }
    let why = if variants.iter().any(|v| snapshot(&v)) {
        "every snapshot variant sets its own snapshot_interval, so this one applies to none"
    } else {
        "snapshot_interval applies only in snapshot mode, and no variant has mode = \"snapshot\""
    };
    Err(ctx
        .error(i.span(), "replication.snapshot_interval", why)
        .with_help(
        "give a variant mode = \"snapshot\" without its own interval, or remove snapshot_interval",
    ))
}

/// SPEC §6.4: `set_mode` cannot leave snapshot mode (entering it is refused where the
/// action is read). Actions apply to every variant, so one in snapshot mode rules out
/// any `set_mode`.
fn set_mode_in_snapshot(
    ctx: &Ctx,
    actions: Option<&[Spanned<RawAction>]>,
    variants: &[Variant],
) -> Result<(), GeoError> {
    let Some(v) = variants.iter().find(|v| v.mode == Mode::Snapshot) else {
        return Ok(());
    };
    for (i, a) in actions.unwrap_or_default().iter().enumerate() {
        if let Some(m) = &a.get_ref().set_mode {
            return Err(ctx
                .error(
                    m.span(),
                    &format!("action[{i}].set_mode"),
                    format!(
                        "set_mode cannot leave snapshot mode, and variant \"{}\" is in snapshot mode: recovery points replace the log for the whole run (SPEC §6.4)",
                        v.name
                    ),
                )
                .with_help("compare modes with a [[variant]] each instead of switching, or drop the snapshot variant"));
        }
    }
    Ok(())
}

/// Refuses keys and values nested deeper than `MAX_NESTING` (dotted keys, tables,
/// arrays and inline tables together) before the TOML parser sees them: its own
/// recursion limit fails without a line or column.
fn check_nesting(text: &str, file: &str) -> Result<(), GeoError> {
    let b = text.as_bytes();
    // Open brackets, innermost last; `in_key`: before the `=` of a key/value pair.
    let mut open: Vec<u8> = Vec::new();
    let (mut in_key, mut dots) = (true, 0usize);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            q @ (b'"' | b'\'') => {
                i = string_end(b, i, q);
                continue;
            }
            c @ (b'[' | b'{') => {
                open.push(c);
                in_key = c == b'{' || open.len() == 1 && in_key;
            }
            b']' | b'}' => {
                open.pop();
            }
            b'=' => (in_key, dots) = (false, 0),
            b',' if open.last() == Some(&b'{') => (in_key, dots) = (true, 0),
            b'.' if in_key => dots += 1,
            b'\n' if open.is_empty() => (in_key, dots) = (true, 0),
            _ => {}
        }
        if open.len() + dots > MAX_NESTING {
            return Err(GeoError::invalid(format!(
                "keys and values are nested more than {MAX_NESTING} deep (dotted keys, tables and arrays together)"
            ))
            .with_file(file)
            .at(text, i)
            .with_help("a scenario needs a few levels: write the tables out, e.g. [workload] then rate = 500"));
        }
        i += 1;
    }
    Ok(())
}

/// The index after the string that starts at `b[i]` with quote `q` (basic or literal,
/// one line or three quotes); the end of the text if it is not closed.
fn string_end(b: &[u8], i: usize, q: u8) -> usize {
    let triple = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        if q == b'"' && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q && (!triple || (b.len() >= j + 3 && b[j + 1] == q && b[j + 2] == q)) {
            return j + if triple { 3 } else { 1 };
        }
        if !triple && b[j] == b'\n' {
            return j;
        }
        j += 1;
    }
    b.len()
}
