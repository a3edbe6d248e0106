//! What each command does, from parsed arguments to files and an exit code.
//!
//! Order matters for the contract: everything is validated before anything runs,
//! and nothing is written unless the whole run succeeded.

use std::io::Write;
use std::path::Path;

use crate::cli::{Cli, Command, Format};
use crate::error::{GeoError, Result};
use crate::model::Model;
use crate::report::json::{run_json, scenario_hash, RunInfo};
use crate::results::SimResult;
use crate::runner::{self, RunOptions};
use crate::scenario;
use crate::{output, report};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Runs the command line `args` (without the program name) and returns the exit code.
pub fn main_with(cli: Cli) -> i32 {
    match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}

fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Check { scenario } => {
            let model = scenario::load(&scenario)?;
            print(&scenario::plan(&model));
            Ok(())
        }
        Command::Regions { from } => {
            print(&scenario::catalog::listing(from.as_deref())?);
            Ok(())
        }
        Command::Run {
            scenario,
            out,
            seed,
            jobs,
            variants,
            quiet,
            format,
            no_charts,
        } => {
            let text = std::fs::read(&scenario).unwrap_or_default();
            let mut model = scenario::load(&scenario)?;
            if let Some(seed) = seed {
                model.seed = seed;
            }
            let selected = select_variants(&model, &variants)?;
            let jobs = match jobs {
                Some(0) => {
                    return Err(GeoError::invalid("--jobs must be at least 1")
                        .with_help("omit --jobs to use every core"))
                }
                Some(n) => n,
                None => std::thread::available_parallelism().map_or(1, |n| n.get()),
            };
            let outcome = runner::run(
                &model,
                &RunOptions {
                    variants: selected,
                    jobs,
                    progress: !quiet,
                },
            )?;
            let dir = out.join(&model.name);
            let info = RunInfo {
                version: VERSION,
                scenario_file: &scenario.display().to_string(),
                scenario_hash: &scenario_hash(&text),
                seed: model.seed,
                wall_s: outcome.wall_s,
                events: outcome.events,
                variants: outcome
                    .results
                    .iter()
                    .map(|r| r.summary.variant.as_str())
                    .collect(),
            };
            let charts = (!no_charts).then_some(format);
            write_outputs(&dir, &model, &outcome.results, &info, charts)?;
            print(&summary_table(&outcome.results));
            if !quiet {
                eprintln!(
                    "wrote {} ({} events in {:.2} s)",
                    dir.display(),
                    outcome.events,
                    outcome.wall_s
                );
            }
            Ok(())
        }
    }
}

/// Prints to stdout; a closed pipe (`geosim … | head`) is not an error.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
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
                .with_help(format!("the variants of this scenario are: {}", known.join(", "))));
        }
    }
    Ok((0..model.variants.len())
        .filter(|&i| names.iter().any(|n| n == &model.variants[i].name))
        .collect())
}

fn write_outputs(
    dir: &Path,
    model: &Model,
    results: &[SimResult],
    info: &RunInfo,
    charts: Option<Format>,
) -> Result<()> {
    // Everything is rendered before the first file is written.
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("summary.csv".into(), report::csv::summary_csv(results)?),
        ("timeseries.csv".into(), report::csv::timeseries_csv(results)?),
        ("run.json".into(), run_json(model, info).into_bytes()),
    ];
    if let Some(format) = charts {
        files.extend(report::render(model, results, format, info)?);
    }
    output::create_dir(dir)?;
    for (name, bytes) in &files {
        output::write_atomic(dir, name, bytes)?;
    }
    Ok(())
}

/// The short human summary printed at the end of a run.
pub fn summary_table(results: &[SimResult]) -> String {
    let mut rows = vec![[
        "variant".to_string(),
        "run".into(),
        "avail".into(),
        "p50 ms".into(),
        "p99 ms".into(),
        "lag max s".into(),
        "throttled s".into(),
        "lost".into(),
        "rpo s".into(),
        "rto s".into(),
        "promotion".into(),
    ]];
    for r in results {
        let s = &r.summary;
        rows.push([
            s.variant.clone(),
            s.run.to_string(),
            format!("{:.4}", s.availability),
            format!("{:.1}", s.latency_p50_ms),
            format!("{:.1}", s.latency_p99_ms),
            format!("{:.1}", s.lag_max_s),
            format!("{:.1}", s.throttled_s),
            s.writes_lost.to_string(),
            format!("{:.2}", s.rpo_s),
            s.rto_s.map_or("-".into(), |x| format!("{x:.1}")),
            s.promotion.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
