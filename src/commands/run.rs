//! `geosim run`: one scenario's variants × runs, then the year of failures, rendered
//! and written to `DIR/<scenario>/` as one set.

use std::path::Path;
use std::sync::atomic::Ordering;

use super::{print, STOP, VERSION};
use crate::check;
use crate::error::{ErrorKind, GeoError, Result};
use crate::limits;
use crate::model::Model;
use crate::output::file;
use crate::report::charts::ChartFormat;
use crate::report::json::{run_json, scenario_hash, RunInfo};
use crate::results::SimResult;
use crate::runner::{self, RunOptions, Violation};
use crate::{output, report};

/// `geosim run`, its arguments parsed and the scenario loaded.
pub struct RunRequest<'a> {
    pub scenario: &'a Path,
    pub text: &'a [u8],
    pub out: &'a Path,
    pub seed: Option<u64>,
    pub jobs: Option<usize>,
    pub variants: &'a [String],
    pub quiet: bool,
    pub charts: Option<ChartFormat>,
    pub check: bool,
    /// `--set KEY=VALUE`s applied to the scenario, as echoed (`crate::overrides`).
    pub sets: &'a [String],
    /// `--export FILE`s (`crate::export`).
    pub exports: &'a [std::path::PathBuf],
}

pub fn run_command(mut model: Model, req: &RunRequest) -> Result<()> {
    let started = std::time::Instant::now();
    // Everything a user can get wrong is checked before anything runs or is written.
    if let Some(seed) = req.seed {
        model.seed = seed;
    }
    let selected = select_variants(&model, req.variants)?;
    let jobs = super::jobs(req.jobs)?;
    limits::check_memory(&model, selected.len(), jobs, limits::available_memory())?;
    limits::check_events(&model, &selected)?;
    crate::year::check(&model, &selected, jobs, limits::available_memory())?;
    // Made before the run, so an unwritable --out fails now, not after the run.
    let mut staging = output::Staging::new(req.out, &[&model.name], output::Kind::Run)?;
    let outcome = runner::run(
        &model,
        &RunOptions {
            variants: selected.clone(),
            jobs,
            progress: !req.quiet,
            check: req.check,
            stop: Some(&STOP),
        },
    )?;
    let mut interrupted = outcome.interrupted || STOP.load(Ordering::Relaxed);
    if outcome.results.is_empty() {
        return Err(interrupted_error(&model, &selected, &outcome.results, None));
    }
    // The year of failures is an estimate over every selected variant: skipped when
    // the run was interrupted (it would cover variants that were not written).
    let year_started = std::time::Instant::now();
    let (year, year_events) = if interrupted {
        (None, 0)
    } else {
        match crate::year::run(&model, &selected, jobs, !req.quiet) {
            Err(e) if e.kind == ErrorKind::Interrupted => (None, 0),
            other => other?.map_or((None, 0), |(y, events)| (Some(y), events)),
        }
    };
    let year_s = year_started.elapsed().as_secs_f64();
    interrupted |= STOP.load(Ordering::Relaxed);
    let info = RunInfo {
        version: VERSION,
        scenario_file: &req.scenario.display().to_string(),
        scenario_hash: &scenario_hash(req.text),
        seed: model.seed,
        wall_s: outcome.wall_s,
        events: outcome.events,
        variants: outcome
            .results
            .iter()
            .map(|r| r.summary.variant.as_str())
            .collect(),
        sets: req.sets,
    };
    let files = render_outputs(&model, &outcome.results, &info, req.charts, year.as_ref())?;
    let mut violations = outcome.violations;
    if req.check {
        violations.extend(csv_violations(&model, &files));
    }
    for (name, bytes) in &files {
        staging.write(name, bytes)?;
    }
    let dir = staging.commit()?;
    if !req.exports.is_empty() {
        crate::export::write_all(req.exports, &run_export(&model, &info, req.sets, &files))?;
    }
    let year_rows = match &year {
        Some(crate::year::Year::Figures(rows)) => Some(rows.as_slice()),
        _ => None,
    };
    print(&summary_table_with_year(
        &model,
        &outcome.results,
        year_rows,
    ));
    if let Some(year) = &year {
        let unit = report::time_unit(&model);
        print(&report::year_section::terminal(year, unit));
    }
    if let Some(line) = verdict_line(&model, &outcome.results, year_rows) {
        print(&line);
    }
    if interrupted {
        return Err(interrupted_error(
            &model,
            &selected,
            &outcome.results,
            Some(&dir),
        ));
    }
    if !violations.is_empty() {
        return Err(check_error(&model, &violations, &dir));
    }
    if !req.quiet {
        let phases = Phases {
            run_events: outcome.events,
            run_s: outcome.wall_s,
            year: year.as_ref().map(|_| (year_events, year_s)),
            total_s: started.elapsed().as_secs_f64(),
        };
        eprintln!("wrote {} ({})", dir.display(), phases.line());
    }
    Ok(())
}

/// What each phase of `geosim run` simulated, for its last line.
struct Phases {
    run_events: u64,
    run_s: f64,
    /// Events and seconds of the year of failures, when it ran.
    year: Option<(u64, f64)>,
    /// The whole command: validation, every phase, rendering and writing.
    total_s: f64,
}

impl Phases {
    fn line(&self) -> String {
        use crate::format::fmt_count;
        match self.year {
            None => format!(
                "{} events in {:.2} s",
                fmt_count(self.run_events),
                self.total_s
            ),
            Some((events, secs)) => format!(
                "{} events in {:.2} s: the run {} in {:.2} s, the year of failures {} in {:.2} s",
                fmt_count(self.run_events + events),
                self.total_s,
                fmt_count(self.run_events),
                self.run_s,
                fmt_count(events),
                secs
            ),
        }
    }
}

fn interrupted_error(
    model: &Model,
    selected: &[usize],
    results: &[SimResult],
    dir: Option<&Path>,
) -> GeoError {
    let mut finished: Vec<&str> = results.iter().map(|r| r.summary.variant.as_str()).collect();
    finished.dedup();
    let what = match dir {
        Some(dir) => format!(
            "interrupted: wrote the {} of {} variants that finished ({}) to {}",
            finished.len(),
            selected.len(),
            finished.join(", "),
            dir.display()
        ),
        None => format!(
            "interrupted before any of the {} variants finished: nothing was written",
            selected.len()
        ),
    };
    let rest: Vec<&str> = selected
        .iter()
        .map(|&i| model.variants[i].name.as_str())
        .filter(|n| !finished.contains(n))
        .collect();
    let err = GeoError::interrupted(what);
    if rest.is_empty() {
        err
    } else {
        err.with_help(format!(
            "run the rest with {}",
            rest.iter()
                .map(|n| format!("--variant {n}"))
                .collect::<Vec<_>>()
                .join(" ")
        ))
    }
}

/// `--check` on the files as written: summary.csv against timeseries.csv.
fn csv_violations(model: &Model, files: &[(String, Vec<u8>)]) -> Vec<Violation> {
    let find = |n: &str| files.iter().find(|(name, _)| name == n).map(|(_, b)| b);
    let (Some(summary), Some(series)) = (find(file::SUMMARY), find(file::TIMESERIES)) else {
        return Vec::new();
    };
    check::csv_totals(summary, series)
        .into_iter()
        .map(|message| Violation {
            variant: "(files)".into(),
            run: 0,
            seed: model.seed,
            message,
        })
        .collect()
}

fn check_error(model: &Model, violations: &[Violation], dir: &Path) -> GeoError {
    let lines: Vec<String> = violations
        .iter()
        .map(|v| {
            format!(
                "  variant \"{}\" run {} seed {}: {}",
                v.variant, v.run, v.seed, v.message
            )
        })
        .collect();
    GeoError {
        kind: ErrorKind::Check,
        ..GeoError::invalid(format!(
            "--check found {} invariant violations in {} (outputs written to {}):\n{}",
            violations.len(),
            model.name,
            dir.display(),
            lines.join("\n")
        ))
    }
    .with_help(format!(
        "this is a bug in geosim, not in the scenario: please report it with the scenario and --seed {}",
        model.seed
    ))
}

/// Indices of the variants named by `--variant`, in scenario order (all if none).
fn select_variants(model: &Model, names: &[String]) -> Result<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..model.variants.len()).collect());
    }
    for name in names {
        if !model.variants.iter().any(|v| &v.name == name) {
            let known: Vec<&str> = model.variants.iter().map(|v| v.name.as_str()).collect();
            return Err(GeoError::invalid(format!("unknown variant \"{name}\""))
                .with_key("--variant")
                .with_help(format!(
                    "the variants of this scenario are: {}",
                    known.join(", ")
                )));
        }
    }
    Ok((0..model.variants.len())
        .filter(|&i| names.iter().any(|n| n == &model.variants[i].name))
        .collect())
}

/// Every output file as (name, bytes), rendered before the first one is written.
fn render_outputs(
    model: &Model,
    results: &[SimResult],
    info: &RunInfo,
    charts: Option<ChartFormat>,
    year: Option<&crate::year::Year>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (file::SUMMARY.into(), report::csv::summary_csv(results)?),
        (
            file::TIMESERIES.into(),
            report::csv::timeseries_csv(results)?,
        ),
        (
            file::AGGREGATE.into(),
            report::aggregate_csv::aggregate_csv(results)?,
        ),
    ];
    if let Some(crate::year::Year::Figures(rows)) = year {
        files.push((file::YEAR.into(), report::year_csv::year_csv(rows)?));
    }
    if let Some(format) = charts {
        files.extend(report::render(model, results, format, info, year)?);
    }
    files.push((file::RUN_JSON.into(), run_json(model, info).into_bytes()));
    Ok(files)
}

/// `--export` of a run: summary.csv and year.csv as rendered, with run.json's metadata.
fn run_export<'a>(
    model: &Model,
    info: &RunInfo,
    sets: &[String],
    files: &'a [(String, Vec<u8>)],
) -> crate::export::Export<'a> {
    use crate::export::{Export, Table, TableKind};
    use crate::json_value::Json;
    let find = |n: &str| {
        files
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, b)| b.as_slice())
    };
    let mut tables = Vec::new();
    if let Some(csv) = find(file::SUMMARY) {
        tables.push(Table {
            name: "summary",
            kind: TableKind::Summary,
            csv,
        });
    }
    if let Some(csv) = find(file::YEAR) {
        tables.push(Table {
            name: "year",
            kind: TableKind::Year,
            csv,
        });
    }
    Export {
        command: "run",
        meta: vec![
            ("geosim_version", Json::str(info.version)),
            ("scenario", Json::str(&model.name)),
            ("scenario_file", Json::str(info.scenario_file)),
            ("scenario_hash", Json::str(info.scenario_hash)),
            ("seed", Json::Int(info.seed as i64)),
            ("runs", Json::Int(i64::from(model.runs))),
            ("sets", Json::strs(sets)),
            ("variants", Json::strs(&info.variants)),
        ],
        tables,
    }
}

/// The terminal summary: the key figures of report.html in the same units and the line
/// on what lowers availability ([`verdict_line`] ends the output, SPEC §8).
pub fn summary_table(model: &Model, results: &[SimResult]) -> String {
    summary_table_with_year(model, results, None)
}

/// [`summary_table`], whose objectives column also counts the year of failures.
pub fn summary_table_with_year(
    model: &Model,
    results: &[SimResult],
    year: Option<&[crate::year::YearFigures]>,
) -> String {
    use report::verdict;
    let t = verdict::key_figures_with_year(model, results, year);
    let mut rows = vec![t.header];
    rows.extend(t.rows);
    let mut out = crate::text_table::render(&rows);
    let line = verdict::availability_line(model, results);
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    for note in report::protocol_notes::protocol_notes(model, results) {
        out.push_str(&note);
        out.push('\n');
    }
    out
}

/// The verdict sentence of report.html, for the end of the terminal summary; `None`
/// without objectives.
pub fn verdict_line(
    model: &Model,
    results: &[SimResult],
    year: Option<&[crate::year::YearFigures]>,
) -> Option<String> {
    let judged = report::verdict::judged_with_year(model, results, year);
    let units = report::verdict::Units::of(model);
    report::verdict::verdict_sentence(&judged, units).map(|s| format!("verdict: {s}\n"))
}
