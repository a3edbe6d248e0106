//! `geosim sweep`: from arguments to files.
//!
//! As for `run`, everything is validated before anything runs (every grid point, also
//! those of other shards, so a bad point fails every shard at once rather than one after
//! hours), and nothing is written unless the whole sweep succeeded.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Table;

use super::{print, VERSION};
use crate::error::{ErrorKind, GeoError, Result};
use crate::limits;
use crate::model::Model;
use crate::output;
use crate::output::file;
use crate::report::json::scenario_hash;
use crate::report::{sweep_charts, sweep_csv, sweep_html};
use crate::scenario::{self, raw::RawSweep};
use crate::sweep::args::{RenderArgs, SweepArgs};
use crate::sweep::data::{SweepData, SweepHeader};
use crate::sweep::grid::{self, Grid};
use crate::sweep::{exec, figures, shard, table};

/// Only the `[sweep]` table of a scenario, in file order (validation has checked it).
#[derive(Deserialize)]
struct SweepOnly {
    sweep: Option<RawSweep>,
}

/// Where a sweep writes: one shard file, or a whole sweep's directory.
enum Dest {
    Shard(usize, usize),
    Whole(output::Staging),
}

pub fn sweep(args: &SweepArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let (base, source) = scenario::load_source(&args.scenario)?;
    let (file, text, stem) = (source.label, source.text, source.stem);
    let charts = chart_figures(&args.render)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    crate::export::check_paths(&args.exports)?;
    if shard.is_some() && !args.exports.is_empty() {
        return Err(
            GeoError::invalid("--export needs the whole sweep, and --shard runs a slice")
                .with_key("--export")
                .with_help("export from `geosim merge SHARDS... --export FILE` instead"),
        );
    }
    let jobs = super::jobs(args.jobs)?;
    let (grid, doc) = grid(&text, &file, &args.sets)?;
    if args.seed.is_some() && grid.axes.iter().any(|a| a.key() == "simulation.seed") {
        return Err(
            GeoError::invalid("--seed would override the swept key simulation.seed")
                .with_key("--seed")
                .with_help("drop --seed, or stop sweeping simulation.seed"),
        );
    }
    let mut points = Vec::new();
    let mut shape = Vec::with_capacity(grid.len());
    // Every point's limits, shard or not, so that every shard's header agrees.
    let mut lines: Option<Vec<(crate::objectives::Key, f64)>> = None;
    for k in 0..grid.len() {
        let mut model = point_model(&grid, &doc, k, &file, &stem)?;
        if let Some(seed) = args.seed {
            model.seed = seed;
        }
        let all: Vec<usize> = (0..model.variants.len()).collect();
        limits::check_events(&model, &all).map_err(|e| {
            let at = format!("sweep point {k} ({})", grid.label(k));
            GeoError {
                message: format!("{at}: {}", e.message),
                ..e
            }
        })?;
        shape.push((model.variants.len(), model.runs));
        let here = crate::sweep::data::shared_lines(&model);
        lines = Some(match lines {
            None => here,
            Some(before) => before.into_iter().filter(|l| here.contains(l)).collect(),
        });
        if shard.is_none_or(|(i, n)| k % n == i) {
            points.push((k, model));
        }
    }
    let header = SweepHeader {
        version: VERSION.to_string(),
        scenario: base.name.clone(),
        scenario_hash: scenario_hash(text.as_bytes()),
        seed: args.seed.unwrap_or(base.seed),
        description: crate::sweep::description(&text),
        grid,
        shape,
        lines: lines.unwrap_or_default(),
    };
    let path = [base.name.as_str(), "sweep"];
    // Checked before the sweep runs: where it writes, and that it can.
    let dest = match shard {
        Some((index, count)) => {
            let name = shard::file_name(index, count);
            output::prepare_one(&args.out, &path, &name, shard::is_shard)?;
            Dest::Shard(index, count)
        }
        None => Dest::Whole(output::Staging::new(&args.out, &path, output::Kind::Sweep)?),
    };
    let rows = exec::execute(&points, jobs, !args.quiet).map_err(|e| {
        if e.kind == ErrorKind::Interrupted {
            GeoError::interrupted(format!(
                "interrupted: the sweep stopped before its {} grid points finished; nothing was written",
                points.len()
            ))
        } else {
            e
        }
    })?;
    let dir = match dest {
        Dest::Shard(index, count) => {
            let s = shard::Shard {
                header,
                index,
                count,
                rows,
            };
            let name = shard::file_name(index, count);
            output::write_one(
                &args.out,
                &path,
                &name,
                &shard::to_bytes(&s)?,
                shard::is_shard,
            )?;
            args.out.join(path[0]).join(path[1])
        }
        Dest::Whole(staging) => {
            let data = SweepData { header, rows };
            let files = render(&data, &charts)?;
            let dir = write(staging, &files)?;
            export(&args.exports, &data.header, &files)?;
            print(&terminal_summary(&data));
            dir
        }
    };
    if !args.quiet {
        eprintln!(
            "wrote {} ({} grid points, {:.2} s)",
            dir.display(),
            points.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// What a sweep prints: the table of its figures, then (with objectives) where every
/// objective holds, the sentence the report concludes with.
pub(super) fn terminal_summary(data: &SweepData) -> String {
    let mut out = table::summary_table(data);
    if let Some(s) = crate::report::sweep_sentences::objectives_conclusion(data) {
        out.push('\n');
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// `--export` of a whole sweep: sweep.csv as rendered, with the sweep's header.
pub(super) fn export(
    paths: &[std::path::PathBuf],
    header: &SweepHeader,
    files: &[(String, Vec<u8>)],
) -> Result<()> {
    use crate::export::{Export, Table, TableKind};
    use crate::json_value::Json;
    let find = |n: &str| {
        files
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, b)| b.as_slice())
    };
    let Some(csv) = find(file::SWEEP).filter(|_| !paths.is_empty()) else {
        return Ok(());
    };
    let axes: Vec<_> = header
        .grid
        .axes
        .iter()
        .map(|a| {
            Json::obj([
                ("key", Json::str(a.key())),
                ("values", Json::strs(a.values.iter().map(grid::display))),
            ])
        })
        .collect();
    let e = Export {
        command: "sweep",
        meta: vec![
            ("geosim_version", Json::str(&header.version)),
            ("scenario", Json::str(&header.scenario)),
            ("scenario_hash", Json::str(&header.scenario_hash)),
            ("seed", Json::Int(header.seed as i64)),
            ("axes", Json::Arr(axes)),
        ],
        tables: vec![Table {
            name: "sweep",
            kind: TableKind::Sweep,
            csv,
        }],
    };
    crate::export::write_all(paths, &e)
}

/// Every file of a whole sweep, as (name, bytes).
pub(super) fn render(data: &SweepData, charts: &[usize]) -> Result<Vec<(String, Vec<u8>)>> {
    let whole = shard::Shard {
        header: data.header.clone(),
        index: 0,
        count: 1,
        rows: data.rows.clone(),
    };
    let mut files = vec![
        (file::SWEEP.to_string(), sweep_csv::sweep_csv(data)?),
        // The exact per-run figures, in the shard format: a one-shard merge input.
        (file::RUNS.to_string(), shard::to_bytes(&whole)?),
    ];
    let drawn = sweep_charts::render_charts(data, charts)?;
    files.push((
        file::REPORT.to_string(),
        sweep_html::render_html(data, &drawn)?.into_bytes(),
    ));
    for chart in drawn {
        files.push((format!("{}.png", chart.stem), chart.png));
        files.push((format!("{}.svg", chart.stem), chart.svg.into_bytes()));
    }
    Ok(files)
}

/// Writes `files` into `staging` and swaps it in; returns the directory.
pub(super) fn write(mut staging: output::Staging, files: &[(String, Vec<u8>)]) -> Result<PathBuf> {
    for (name, bytes) in files {
        staging.write(name, bytes)?;
    }
    staging.commit()
}

/// The grid from the file's `[sweep]` and `--set`, and the document without `[sweep]`.
fn grid(text: &str, file: &str, sets: &[String]) -> Result<(Grid, Table)> {
    let invalid = |e: toml::de::Error| GeoError::invalid(e.to_string()).with_file(file);
    let mut doc: Table = text.parse().map_err(invalid)?;
    doc.remove(scenario::keys::SWEEP_TABLE);
    let only: SweepOnly = toml::from_str(text).map_err(invalid)?;
    let mut raw = only.sweep.map(|s| s.0).unwrap_or_default();
    // The deserializer hands keys over sorted; the file's order is that of their spans.
    raw.sort_by_key(|(k, _)| k.span().start);
    let entries: Vec<(String, toml::Value)> = raw
        .into_iter()
        .map(|(k, v)| (k.into_inner(), v.into_inner()))
        .collect();
    let file_axes = grid::file_axes(&entries).map_err(|e| e.with_file(file))?;
    let set_axes = sets
        .iter()
        .map(|s| grid::parse_set(s))
        .collect::<Result<Vec<_>>>()?;
    Ok((Grid::new(grid::combine(file_axes, set_axes)?)?, doc))
}

/// Grid point `k` validated like a hand-written file; errors name the point.
fn point_model(grid: &Grid, doc: &Table, k: usize, file: &str, stem: &str) -> Result<Model> {
    let label = format!("{file} (sweep point {k}: {})", grid.label(k));
    let point = grid.apply(doc, k).map_err(|e| e.with_file(&label))?;
    let text = toml::to_string(&point).map_err(|e| {
        GeoError::invalid(format!("cannot write the scenario of this point: {e}")).with_file(&label)
    })?;
    scenario::parse(&text, &label, stem)
}

/// `I/N` with 0 ≤ I < N.
fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let err = || {
        GeoError::invalid(format!("--shard {text}: expected I/N with 0 <= I < N"))
            .with_key("--shard")
            .with_help("shards count from 0: --shard 0/4 … --shard 3/4 run the four slices")
    };
    let (i, n) = text.split_once('/').ok_or_else(err)?;
    let i: usize = i.trim().parse().map_err(|_| err())?;
    let n: usize = n.trim().parse().map_err(|_| err())?;
    if i >= n {
        return Err(err());
    }
    Ok((i, n))
}

/// Indices into `FIGURES` of the figures to chart.
pub(super) fn chart_figures(render: &RenderArgs) -> Result<Vec<usize>> {
    render
        .charts
        .iter()
        .map(|name| {
            figures::index(name.trim()).ok_or_else(|| {
                GeoError::invalid(format!("--charts: no figure \"{name}\""))
                    .with_key("--charts")
                    .with_help(format!("the figures are: {}", figures::names().join(", ")))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_argument() {
        assert_eq!(parse_shard("0/3").unwrap(), (0, 3));
        assert_eq!(parse_shard("2/3").unwrap(), (2, 3));
        for bad in ["3/3", "1", "a/2", "1/0", "-1/2"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
