//! The expanded plan `geosim check` prints: what a validated model will run, with every
//! default filled in, so a user can see what the file means before spending CPU on it.

use crate::time::{fmt_duration, secs};
use std::fmt::Write as _;

use crate::model::{
    ActionKind, Dist, Mode, Model, Nanos, OutageKind, PromoteKind, Quorum, Sampled, Target,
    Variant, NS_PER_MS,
};

fn fmt_ms(ns: f64) -> String {
    let ms = ns / NS_PER_MS as f64;
    if ms >= 100.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{ms:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
            + "ms"
    }
}

fn fmt_bytes(b: f64) -> String {
    const KIB: f64 = 1024.0;
    if b >= KIB * KIB && (b / (KIB * KIB)).fract() == 0.0 {
        format!("{}MiB", b / (KIB * KIB))
    } else if b >= KIB && (b / KIB).fract() == 0.0 {
        format!("{}KiB", b / KIB)
    } else {
        format!("{b:.0}B")
    }
}

/// "constant 2ms" or "lognormal, mean 3.1ms": the parameters are not kept in the model,
/// the kind and mean are what a reader checks.
fn fmt_sampled(s: &Sampled, unit: fn(f64) -> String) -> String {
    let kind = match s.dist {
        Dist::Constant(_) => return unit(s.mean),
        Dist::Uniform(_) => "uniform",
        Dist::Normal(_) => "normal",
        Dist::LogNormal(_) => "lognormal",
        Dist::Exponential(_) => "exponential",
        Dist::Pareto(_) => "pareto",
    };
    format!("{kind}, mean {}", unit(s.mean))
}

fn fmt_rate(r: f64) -> String {
    format!("{}/s", fmt_number(r))
}

fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn fmt_bandwidth(b: Option<f64>) -> String {
    match b {
        None => "unlimited".into(),
        Some(bytes) => format!("{}Mbit/s", fmt_number(bytes * 8.0 / 1e6)),
    }
}

/// What `geosim check` prints for a valid scenario.
pub fn plan(m: &Model) -> String {
    let mut o = String::new();
    let name = |id: usize| m.region_name(id);
    let target = |t: Target| match t {
        Target::Region(r) => name(r).to_string(),
        Target::Link(a, b) => format!("{}<->{}", name(a), name(b)),
    };
    let _ = writeln!(o, "scenario {}", m.name);
    let _ = writeln!(
        o,
        "  duration {}, warmup {}, seed {}, runs {}, bucket {}",
        fmt_duration(m.duration),
        fmt_duration(m.warmup),
        m.seed,
        m.runs,
        fmt_duration(m.bucket)
    );
    network(&mut o, m);
    let w = &m.workload;
    let phases: Vec<String> = w
        .phases
        .iter()
        .map(|p| format!("{} from {}", fmt_rate(p.rate), fmt_duration(p.at)))
        .collect();
    let _ = writeln!(o, "workload");
    let _ = writeln!(
        o,
        "  writers in {}: {}",
        name(w.client_region),
        phases.join(", ")
    );
    let _ = writeln!(
        o,
        "  size {}, timeout {}, retries {}, backoff {}",
        fmt_sampled(&w.size, fmt_bytes),
        fmt_duration(w.timeout),
        w.retries,
        fmt_duration(w.backoff)
    );
    reads(&mut o, m);
    events(&mut o, m, &target);
    let _ = writeln!(o, "variants");
    for v in &m.variants {
        let reads_at = match m.reads {
            Some(_) => format!(", reads at {}", v.read_at.as_str()),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "  {}: mode {}, max_lag {}, promote {}{}{reads_at}",
            v.name,
            v.mode.as_str(),
            v.max_lag.map_or_else(|| "none".to_string(), fmt_duration),
            v.promote.map_or("as requested", PromoteKind::as_str),
            protocol(v)
        );
        objectives(&mut o, m, &v.objectives);
    }
    let per = m.expected_writes();
    let sims = m.variants.len() as f64 * f64::from(m.runs);
    let _ = writeln!(
        o,
        "expected writes: {} per simulation, {} in total ({} x {})",
        fmt_number(per.round()),
        fmt_number((per * sims).round()),
        plural(m.variants.len() as u64, "variant"),
        plural(u64::from(m.runs), "run")
    );
    work(&mut o, m, sims);
    o
}

/// A variant's objectives (SPEC §8) as limits, and those that cannot apply to any run of
/// this scenario (SPEC §10: neither met nor missed) with the reason.
fn objectives(o: &mut String, m: &Model, ob: &crate::model::Objectives) {
    use crate::format::fmt_sig;
    if ob.is_empty() {
        return;
    }
    let mut limits = Vec::new();
    let mut idle = Vec::new();
    if let Some(x) = ob.rpo {
        limits.push(format!("rpo <= {}", fmt_duration(x)));
    }
    if let Some(x) = ob.rto {
        limits.push(format!("rto <= {}", fmt_duration(x)));
        // Any outage of a region that holds the log may take the primary down (a
        // promotion moves it); with none, no run has an rto to judge.
        let holds_log = |r: usize| r == m.primary || m.secondaries.contains(&r);
        let may = m
            .outages
            .iter()
            .any(|x| matches!(x.target, Target::Region(r) if holds_log(r)))
            || !m.failures.is_empty();
        if !may {
            idle.push("rto (no outage of the primary or a secondary is scheduled)");
        }
    }
    if let Some(x) = ob.availability {
        limits.push(format!("availability >= {}%", fmt_sig(x * 100.0)));
    }
    if let Some(x) = ob.latency_p99 {
        limits.push(format!("first-try latency p99 <= {}", fmt_duration(x)));
    }
    if let Some(x) = ob.stale_read_share {
        limits.push(format!("stale reads <= {}%", fmt_sig(x * 100.0)));
        if m.reads.is_none() {
            idle.push("stale_read_share (no [reads])");
        }
    }
    if let Some(x) = ob.cost_month {
        limits.push(format!("cost <= {} a month", fmt_sig(x)));
        if m.cost.is_none() {
            idle.push("cost_month (no [cost])");
        }
    }
    let _ = writeln!(o, "    objectives: {}", limits.join(", "));
    if !idle.is_empty() {
        let _ = writeln!(
            o,
            "    cannot apply, so neither met nor missed: {}",
            idle.join("; ")
        );
    }
}

/// The Part II keys of a variant (SPEC §6), as `, key value` pieces: `sync_acks` where it
/// decides something (a sync variant, or one set explicitly), the rest where they differ
/// from Part I's behaviour.
fn protocol(v: &Variant) -> String {
    let mut o = String::new();
    if v.mode == Mode::Snapshot {
        let _ = write!(
            o,
            ", a recovery point every {}",
            fmt_duration(v.snapshot_interval)
        );
    }
    if v.mode != Mode::Async || v.sync_acks.is_some() {
        let mode = if v.mode == Mode::Async {
            Mode::Sync
        } else {
            v.mode
        };
        let _ = write!(o, ", sync_acks {}", v.acks(mode).label());
    }
    if v.mode == Mode::SemiSync {
        let _ = write!(
            o,
            ", semi_sync_timeout {}",
            fmt_duration(v.semi_sync_timeout)
        );
    }
    if v.lag_quorum != Quorum::All {
        let _ = write!(o, ", lag_quorum {}", v.lag_quorum.label());
    }
    if let Some(k) = v.max_lag_writes {
        let _ = write!(o, ", max_lag_writes {k}");
    }
    if let Some(a) = v.auto_promote {
        let _ = write!(
            o,
            ", auto-promote ({}) after the primary is down {}",
            a.kind.as_str(),
            fmt_duration(a.after)
        );
    }
    if let Some(p) = v.preset {
        let _ = write!(o, ", preset {p}");
    }
    o
}

/// Expected engine events (`limits::expected_events`: every phase, and the retries of
/// writes offered while the primary cannot answer), those of the year of failures,
/// and a rough wall time for all of it.
fn work(o: &mut String, m: &Model, sims: f64) {
    let total: f64 = (0..m.variants.len())
        .map(|v| crate::limits::expected_events(m, v) * f64::from(m.runs))
        .sum();
    let per_sim = total / sims.max(1.0);
    let _ = writeln!(
        o,
        "expected engine events: about {} per simulation, {} in total (limit {} per simulation)",
        fmt_count(per_sim),
        fmt_count(total),
        fmt_count(m.max_events as f64)
    );
    let all: Vec<usize> = (0..m.variants.len()).collect();
    let year = crate::year::estimate(m, &all);
    if let Some(y) = &year {
        let _ = writeln!(
            o,
            "expected engine events of the year of failures: about {} in total (episodes of up to about {}, {} per episode)",
            fmt_count(y.events),
            crate::format::fmt_duration_s(secs(y.episode)),
            fmt_count(y.episode_events)
        );
    }
    let all_events = total + year.map_or(0.0, |y| y.events);
    let _ = writeln!(
        o,
        "rough wall time: {} on one core, less on more (simulations run in parallel; estimated at ~{} events/s)",
        fmt_seconds(all_events / crate::limits::EVENTS_PER_S),
        fmt_count(crate::limits::EVENTS_PER_S)
    );
}

/// A large count with a unit suffix: "36 M", "1.2 G".
fn fmt_count(x: f64) -> String {
    let (v, unit) = if x >= 1e9 {
        (x / 1e9, " G")
    } else if x >= 1e6 {
        (x / 1e6, " M")
    } else if x >= 1e3 {
        (x / 1e3, " k")
    } else {
        (x, "")
    };
    if v >= 10.0 || unit.is_empty() {
        format!("{v:.0}{unit}")
    } else {
        format!("{v:.1}{unit}")
    }
}

fn fmt_seconds(s: f64) -> String {
    if s < 1.0 {
        "under a second".into()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// Regions with their roles and latencies, and the links that the write path uses.
fn network(o: &mut String, m: &Model) {
    let name = |id: usize| m.region_name(id);
    let _ = writeln!(o, "regions");
    for (id, r) in m.regions.iter().enumerate() {
        let role = if id == m.primary {
            " (primary)"
        } else if m.secondaries.contains(&id) {
            " (secondary)"
        } else {
            ""
        };
        let client = if id == m.workload.client_region {
            " (clients)"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "  {}{role}{client}: commit {}, local_rtt {}",
            r.name,
            fmt_sampled(&r.commit, fmt_ms),
            fmt_sampled(&r.local_rtt, fmt_ms)
        );
    }
    let mut used: Vec<usize> = vec![m.primary];
    used.extend(&m.secondaries);
    if !used.contains(&m.workload.client_region) {
        used.push(m.workload.client_region);
    }
    let _ = writeln!(o, "links (round trip)");
    for (i, &a) in used.iter().enumerate() {
        for &b in &used[i + 1..] {
            if let Some(l) = m
                .links
                .get(a)
                .and_then(|row| row.get(b))
                .and_then(Option::as_ref)
            {
                let _ = writeln!(
                    o,
                    "  {} <-> {}: rtt {}, bandwidth {}",
                    name(a),
                    name(b),
                    fmt_sampled(&l.rtt, fmt_ms),
                    fmt_bandwidth(l.bandwidth_bytes_per_s)
                );
            }
        }
    }
}

/// `[reads]`: who reads, how often, and which region is nearest to them.
fn reads(o: &mut String, m: &Model) {
    let Some(r) = m.reads else { return };
    let name = |id: usize| m.region_name(id);
    let _ = writeln!(o, "reads");
    let _ = writeln!(o, "  readers in {}: {}", name(r.from), fmt_rate(r.rate));
    let mut set = vec![m.primary];
    set.extend(&m.secondaries);
    let nearest = set
        .iter()
        .map(|&id| (m.mean_rtt_ns(r.from, id), id))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((rtt, id)) = nearest {
        let _ = writeln!(
            o,
            "  nearest region of the replication set: {} (round trip {}); visibility is measured there for variants reading \"nearest\", at the primary for the others",
            name(id),
            fmt_ms(rtt)
        );
    }
}

fn events(o: &mut String, m: &Model, target: &dyn Fn(Target) -> String) {
    let name = |id: usize| m.region_name(id);
    if !m.outages.is_empty() {
        let _ = writeln!(o, "outages");
    }
    for out in &m.outages {
        let kind = match out.kind {
            OutageKind::Down => "down".to_string(),
            OutageKind::Slow(f) => format!("slow x{}", fmt_number(f)),
        };
        let _ = writeln!(
            o,
            "  {} {kind} at {} for {}",
            target(out.target),
            fmt_duration(out.start),
            fmt_duration(out.duration)
        );
    }
    if !m.failures.is_empty() {
        let _ = writeln!(o, "random failures");
    }
    for f in &m.failures {
        let _ = writeln!(
            o,
            "  {}: mtbf {}, mttr {}",
            target(f.target),
            fmt_duration(f.mtbf),
            fmt_sampled(&f.mttr, |ns| fmt_duration(ns.round() as Nanos))
        );
    }
    if !m.actions.is_empty() {
        let _ = writeln!(o, "actions");
    }
    for a in &m.actions {
        let what = match a.kind {
            ActionKind::Promote {
                kind,
                target,
                escalate_after,
            } => {
                let to = target.map_or("the first ready secondary".to_string(), |t| {
                    name(t).to_string()
                });
                let esc = escalate_after.map_or(String::new(), |e| {
                    format!(", forced after {}", fmt_duration(e))
                });
                format!("promote ({}) to {to}{esc}", kind.as_str())
            }
            ActionKind::SetMode(mode) => format!("set mode {}", mode.as_str()),
            ActionKind::SetMaxLag(l) => format!("set max_lag {}", fmt_duration(l)),
        };
        let _ = writeln!(o, "  at {}: {what}", fmt_duration(a.at));
    }
    if let Some(auto) = m.policy.auto_promote {
        let escalate = auto
            .escalate_after
            .map(|e| format!(", escalating to forced after {}", fmt_duration(e)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "policy: auto-promote ({}) after the primary is down {}{escalate}",
            auto.kind.as_str(),
            fmt_duration(auto.after)
        );
    }
    if let Some(r) = m.policy.remove_secondary_after {
        let _ = writeln!(
            o,
            "policy: remove a secondary unreachable for {}",
            fmt_duration(r)
        );
    }
    if let Some(f) = m.policy.failback {
        let _ = writeln!(
            o,
            "policy: fail back ({}) to {} once it has been ready {} after a promotion away",
            f.kind.as_str(),
            m.regions[f.to].name,
            fmt_duration(f.after)
        );
    }
    let _ = writeln!(
        o,
        "promotion: switch {}, dns {}",
        fmt_duration(m.promotion.switch),
        fmt_duration(m.promotion.dns)
    );
}

#[cfg(test)]
mod tests;
