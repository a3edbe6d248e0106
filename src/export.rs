//! `--export FILE` (run, sweep, merge): the figures in a file for a notebook (`.json`,
//! `.csv`) or a wiki page or pull request (`.md`), the format chosen by the extension.
//!
//! An export is made from the CSV files the command has already rendered (summary.csv
//! and year.csv for `run`, sweep.csv for a sweep), so its figures are those files' figures
//! to the digit, and a column added to them appears in every export. The JSON shape is
//! versioned ([`FORMAT_VERSION`]) and documented in docs/export.md.

use std::path::{Path, PathBuf};

use crate::json_value::Json;

use crate::error::{GeoError, Result};

/// The version of the JSON shape: raised when a field is renamed or changes meaning
/// (adding a field or a column does not raise it).
pub const FORMAT_VERSION: u32 = 1;

/// Columns that hold names, never numbers, whatever they look like.
const TEXT_COLUMNS: [&str; 5] = [
    "variant",
    "mode",
    "promotion",
    "objectives_missed",
    "primary",
];

/// The key figures of the Markdown table of each kind of table, in this order; columns a
/// table does not have are left out.
const RUN_KEY_FIGURES: [&str; 18] = [
    "variant",
    "run",
    "first_try_latency_p50_ms",
    "first_try_latency_p99_ms",
    "availability",
    "writes_failed",
    "writes_in_flight",
    "lag_max_s",
    "throttled_s",
    "writes_lost",
    "rpo_s",
    "rto_s",
    "promotion",
    "read_latency_p99_ms",
    "stale_read_share",
    "cost_month",
    "objectives_met",
    "objectives_missed",
];
const YEAR_KEY_FIGURES: [&str; 8] = [
    "variant",
    "incidents_per_year",
    "promotions_per_year",
    "failbacks_per_year",
    "downtime_min_per_year",
    "writes_lost_per_year",
    "availability",
    "loss_per_incident_p99",
];
/// Of a sweep: the figures it charts by default (the questions capacity planning asks
/// first), each as `mean ± ci95`.
const SWEEP_KEY_FIGURES: [&str; 6] = crate::sweep::args::DEFAULT_CHARTS;

/// The format of an export file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Markdown,
    Csv,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Ok(Format::Json),
            Some("md") | Some("markdown") => Ok(Format::Markdown),
            Some("csv") => Ok(Format::Csv),
            _ => Err(GeoError::invalid(format!(
                "--export {}: the format is chosen by the extension, and this one has {}",
                path.display(),
                match path.extension() {
                    Some(e) => format!("\".{}\"", e.to_string_lossy()),
                    None => "none".into(),
                }
            ))
            .with_key("--export")
            .with_help("end the file name with .json, .md or .csv")),
        }
    }
}

/// Checks `--export` paths before anything runs: known extensions, not a directory.
pub fn check_paths(paths: &[PathBuf]) -> Result<()> {
    for (i, path) in paths.iter().enumerate() {
        Format::of(path)?;
        if path.is_dir() {
            return Err(
                GeoError::invalid(format!("--export {} is a directory", path.display()))
                    .with_key("--export")
                    .with_help("give a file name such as figures.json"),
            );
        }
        if paths[..i].contains(path) {
            return Err(
                GeoError::invalid(format!("--export {} is given twice", path.display()))
                    .with_key("--export"),
            );
        }
    }
    Ok(())
}

/// What kind of table: decides the Markdown key figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// summary.csv: a row per variant and run.
    Summary,
    /// year.csv: a row per variant.
    Year,
    /// sweep.csv: a row per grid point and variant.
    Sweep,
}

/// A CSV table the command rendered.
pub struct Table<'a> {
    /// Its name in the JSON (`summary`, `year`, `sweep`).
    pub name: &'static str,
    pub kind: TableKind,
    pub csv: &'a [u8],
}

/// Everything an export holds.
pub struct Export<'a> {
    /// `run` or `sweep`.
    pub command: &'static str,
    /// The run's metadata in order: geosim_version, scenario, scenario_hash, seed, ...
    pub meta: Vec<(&'static str, Json)>,
    /// The main table first (its rows are the CSV export's rows).
    pub tables: Vec<Table<'a>>,
}

/// Renders and writes every `--export` file (after the command's own files).
pub fn write_all(paths: &[PathBuf], export: &Export) -> Result<()> {
    for path in paths {
        let bytes = render(export, Format::of(path)?)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                GeoError::invalid(format!("--export {}: no file name", path.display()))
            })?;
        write_atomic(&dir, &name, &bytes)?;
    }
    Ok(())
}

/// Writes `dir/name` whole: to a temporary name beside it, then renamed, so a reader
/// never sees half a file. The user named the file, so an existing one is replaced.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let io = |what: &str, e: std::io::Error| {
        GeoError::io(
            dir.join(name).display().to_string(),
            format!("cannot {what}: {e}"),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create its directory", e))?;
    let tmp = dir.join(format!(".{name}.geosim-{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| io("write", e))?;
    std::fs::rename(&tmp, dir.join(name)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("rename into place", e)
    })
}

/// One export file's bytes.
pub fn render(export: &Export, format: Format) -> Result<Vec<u8>> {
    let tables: Vec<(&Table, Parsed)> = export
        .tables
        .iter()
        .map(|t| Ok((t, parse(t.csv)?)))
        .collect::<Result<_>>()?;
    Ok(match format {
        Format::Json => json_bytes(export, &tables),
        Format::Markdown => markdown(export, &tables).into_bytes(),
        Format::Csv => flat_csv(&tables)?,
    })
}

struct Parsed {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn parse(csv: &[u8]) -> Result<Parsed> {
    let bad = |e: csv::Error| GeoError::invalid(format!("cannot read a rendered table: {e}"));
    let mut r = csv::Reader::from_reader(csv);
    let columns = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.map(|rec| rec.iter().map(str::to_string).collect()))
        .collect::<std::result::Result<_, _>>()
        .map_err(bad)?;
    Ok(Parsed { columns, rows })
}

/// A CSV cell as JSON: empty is null, a number is a number (except in name columns).
fn cell(column: &str, text: &str) -> Json {
    if text.is_empty() {
        return Json::Null;
    }
    if !TEXT_COLUMNS.contains(&column) {
        if let Ok(i) = text.parse::<i64>() {
            return Json::Int(i);
        }
        if let Ok(x) = text.parse::<f64>() {
            if x.is_finite() {
                return Json::Num(x);
            }
        }
        match text {
            "true" => return Json::Bool(true),
            "false" => return Json::Bool(false),
            _ => {}
        }
    }
    Json::str(text)
}

fn json_bytes(export: &Export, tables: &[(&Table, Parsed)]) -> Vec<u8> {
    let mut root = vec![
        (
            "geosim_export".to_string(),
            Json::Int(i64::from(FORMAT_VERSION)),
        ),
        ("command".to_string(), Json::str(export.command)),
    ];
    for (k, v) in &export.meta {
        root.push((k.to_string(), v.clone()));
    }
    let out_tables = tables.iter().map(|(t, p)| {
        let rows: Vec<Json> = p
            .rows
            .iter()
            .map(|row| {
                Json::obj(
                    p.columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.clone(), cell(c, v))),
                )
            })
            .collect();
        (
            t.name.to_string(),
            Json::obj([
                ("columns", Json::strs(&p.columns)),
                ("rows", Json::Arr(rows)),
            ]),
        )
    });
    root.push(("tables".to_string(), Json::obj(out_tables)));
    Json::Obj(root).pretty().into_bytes()
}

/// The main table, with the columns of a per-variant table (the year) joined to each row
/// by variant as `year_<column>`.
fn flat_csv(tables: &[(&Table, Parsed)]) -> Result<Vec<u8>> {
    let err = |e: csv::Error| GeoError::invalid(format!("cannot format CSV: {e}"));
    let Some(((_, main), rest)) = tables.split_first() else {
        return Ok(Vec::new());
    };
    let mut header = main.columns.clone();
    let variant_at = main.columns.iter().position(|c| c == "variant");
    let joined: Vec<(&Table, &Parsed, usize)> = rest
        .iter()
        .filter_map(|(t, p)| Some((*t, p, p.columns.iter().position(|c| c == "variant")?)))
        .collect();
    for (t, p, v) in &joined {
        for (i, c) in p.columns.iter().enumerate() {
            if i != *v {
                header.push(format!("{}_{c}", t.name));
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(err)?;
    for row in &main.rows {
        let mut record = row.clone();
        for (_, p, v) in &joined {
            let other = variant_at.and_then(|at| p.rows.iter().find(|r| r.get(*v) == row.get(at)));
            for i in 0..p.columns.len() {
                if i != *v {
                    record.push(other.and_then(|r| r.get(i)).cloned().unwrap_or_default());
                }
            }
        }
        w.write_record(&record).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| GeoError::invalid(format!("cannot format CSV: {e}")))
}

fn markdown(export: &Export, tables: &[(&Table, Parsed)]) -> String {
    let meta = |k: &str| {
        export
            .meta
            .iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| match v {
                Json::Str(s) => s.clone(),
                Json::Int(i) => i.to_string(),
                other => other.pretty().trim_end().to_string(),
            })
    };
    let mut out = format!(
        "### geosim {}: {}\n\n",
        export.command,
        meta("scenario").unwrap_or_default()
    );
    let mut facts = Vec::new();
    if let Some(v) = meta("geosim_version") {
        facts.push(format!("geosim {v}"));
    }
    if let Some(f) = meta("scenario_file") {
        facts.push(format!("`{f}`"));
    }
    if let Some(h) = meta("scenario_hash") {
        facts.push(format!("hash `{h}`"));
    }
    if let Some(s) = meta("seed") {
        facts.push(format!("seed {s}"));
    }
    if let Some(Json::Arr(sets)) = export
        .meta
        .iter()
        .find(|(k, _)| *k == "sets")
        .map(|(_, v)| v)
    {
        for s in sets {
            if let Json::Str(s) = s {
                facts.push(format!("`--set {s}`"));
            }
        }
    }
    out.push_str(&facts.join(" · "));
    out.push_str("\n\n");
    for (t, p) in tables {
        let (header, rows) = key_figures(t.kind, p);
        if t.kind == TableKind::Year {
            out.push_str("A year of random failures:\n\n");
        }
        out.push_str(&md_table(&header, &rows));
        out.push('\n');
    }
    out
}

/// The key-figure columns of a table, and its rows restricted to them.
fn key_figures(kind: TableKind, p: &Parsed) -> (Vec<String>, Vec<Vec<String>>) {
    let at = |name: &str| p.columns.iter().position(|c| c == name);
    match kind {
        TableKind::Summary | TableKind::Year => {
            let wanted: &[&str] = if kind == TableKind::Summary {
                &RUN_KEY_FIGURES
            } else {
                &YEAR_KEY_FIGURES
            };
            // A column empty in every row (cost without [cost]) says nothing.
            let cols: Vec<(usize, &str)> = wanted
                .iter()
                .filter_map(|c| Some((at(c)?, *c)))
                .filter(|(i, _)| p.rows.iter().any(|r| !r[*i].is_empty()))
                .collect();
            let header = cols.iter().map(|(_, c)| c.to_string()).collect();
            let rows = p
                .rows
                .iter()
                .map(|r| cols.iter().map(|(i, _)| r[*i].clone()).collect())
                .collect();
            (header, rows)
        }
        TableKind::Sweep => {
            // point, the swept keys, variant, then mean ± ci95 of each key figure.
            let variant = at("variant").unwrap_or(p.columns.len());
            let mut lead: Vec<usize> = (0..variant.min(p.columns.len())).collect();
            if variant < p.columns.len() {
                lead.push(variant);
            }
            let figures: Vec<(&str, Option<usize>, Option<usize>)> = SWEEP_KEY_FIGURES
                .iter()
                .filter_map(|f| {
                    let mean = at(&format!("{f}_mean"))?;
                    Some((*f, Some(mean), at(&format!("{f}_ci95"))))
                })
                .collect();
            let mut header: Vec<String> = lead.iter().map(|&i| p.columns[i].clone()).collect();
            header.extend(figures.iter().map(|(f, _, _)| f.to_string()));
            let rows = p
                .rows
                .iter()
                .map(|r| {
                    let mut row: Vec<String> = lead.iter().map(|&i| r[i].clone()).collect();
                    for (_, mean, ci) in &figures {
                        let m = mean.map(|i| r[i].clone()).unwrap_or_default();
                        let c = ci.map(|i| r[i].clone()).unwrap_or_default();
                        row.push(if c.is_empty() || m.is_empty() {
                            m
                        } else {
                            format!("{m} ± {c}")
                        });
                    }
                    row
                })
                .collect();
            (header, rows)
        }
    }
}

fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n|{}|\n",
        header
            .iter()
            .map(|h| esc(h))
            .collect::<Vec<_>>()
            .join(" | "),
        header
            .iter()
            .map(|h| if TEXT_COLUMNS.contains(&h.as_str()) {
                "---"
            } else {
                "---:"
            })
            .collect::<Vec<_>>()
            .join("|")
    );
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter()
                .map(|c| if c.is_empty() {
                    "—".to_string()
                } else {
                    esc(c)
                })
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &[u8] =
        b"variant,run,seed,mode,availability,first_try_latency_p50_ms,first_try_latency_p99_ms,rto_s,promotion\n\
sync,1,42,sync,0.99500000,85.1,90.2,,none\nasync,1,42,async,1.00000000,2.0,3.5,12.5,forced\n";
    const YEAR: &[u8] = b"variant,years,incidents_per_year,availability\nasync,2,4.500,0.9990\nsync,2,4.500,0.9980\n";

    fn export() -> Export<'static> {
        Export {
            command: "run",
            meta: vec![
                ("geosim_version", Json::str("0.1.0")),
                ("scenario", Json::str("x")),
                ("seed", Json::Int(42)),
                ("sets", Json::strs(["workload.rate=800"])),
            ],
            tables: vec![
                Table {
                    name: "summary",
                    kind: TableKind::Summary,
                    csv: SUMMARY,
                },
                Table {
                    name: "year",
                    kind: TableKind::Year,
                    csv: YEAR,
                },
            ],
        }
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(Format::of(Path::new("a/b.JSON")).unwrap(), Format::Json);
        assert_eq!(Format::of(Path::new("b.md")).unwrap(), Format::Markdown);
        assert_eq!(Format::of(Path::new("b.csv")).unwrap(), Format::Csv);
        let e = Format::of(Path::new("b.txt")).unwrap_err().to_string();
        assert!(
            e.contains("\".txt\"") && e.contains(".json, .md or .csv"),
            "{e}"
        );
        assert!(Format::of(Path::new("b")).is_err());
    }

    #[test]
    fn json_has_every_cell_typed() {
        let text = String::from_utf8(render(&export(), Format::Json).unwrap()).unwrap();
        assert!(text.starts_with("{\n  \"geosim_export\": 1,\n  \"command\": \"run\",\n  \"geosim_version\": \"0.1.0\","), "{text}");
        assert!(
            text.contains("\"sets\": [\n    \"workload.rate=800\"\n  ],"),
            "{text}"
        );
        // Typed cells: a number, an integer, null for an empty cell, names as strings.
        assert!(text.contains("\"variant\": \"sync\",\n          \"run\": 1,\n          \"seed\": 42,\n          \"mode\": \"sync\",\n          \"availability\": 0.995,"), "{text}");
        assert!(text.contains("\"rto_s\": null,"), "{text}");
        assert!(text.contains("\"rto_s\": 12.5,"), "{text}");
        assert!(text.contains("\"incidents_per_year\": 4.5,"), "{text}");
        assert_eq!(cell("variant", "2024"), Json::str("2024"));
        assert_eq!(cell("writes_lost", "7"), Json::Int(7));
        assert_eq!(cell("objectives_met", "true"), Json::Bool(true));
    }

    #[test]
    fn csv_joins_the_year_by_variant() {
        let text = String::from_utf8(render(&export(), Format::Csv).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "variant,run,seed,mode,availability,first_try_latency_p50_ms,first_try_latency_p99_ms,rto_s,promotion,year_years,year_incidents_per_year,year_availability"
        );
        assert_eq!(
            lines.next().unwrap(),
            "sync,1,42,sync,0.99500000,85.1,90.2,,none,2,4.500,0.9980"
        );
        assert_eq!(
            lines.next().unwrap(),
            "async,1,42,async,1.00000000,2.0,3.5,12.5,forced,2,4.500,0.9990"
        );
    }

    #[test]
    fn markdown_key_figures() {
        let text = String::from_utf8(render(&export(), Format::Markdown).unwrap()).unwrap();
        assert!(
            text.starts_with(
                "### geosim run: x\n\ngeosim 0.1.0 · seed 42 · `--set workload.rate=800`\n"
            ),
            "{text}"
        );
        assert!(text.contains("| variant | run | first_try_latency_p50_ms | first_try_latency_p99_ms | availability | rto_s | promotion |\n|---|---:|---:|---:|---:|---:|---|\n| sync | 1 | 85.1 | 90.2 | 0.99500000 | — | none |\n"), "{text}");
        assert!(
            text.contains(
                "A year of random failures:\n\n| variant | incidents_per_year | availability |"
            ),
            "{text}"
        );
    }
}
