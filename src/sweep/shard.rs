//! The shard file: the per-run figures of one slice of a sweep, with a header saying
//! which sweep and which slice, so `geosim merge` can check and combine shards.
//!
//! Format: `#`-prefixed lines holding a TOML header, then CSV with a header row. Figures
//! are written with Rust's shortest round-trip formatting, not fixed decimals: merging
//! recomputes means and intervals from them, and only exact values make the merged files
//! byte-identical to a single-machine sweep's. This module only (de)serialises.
//!
//! Long because shard files are untrusted input: the reader checks every header key,
//! column and figure (with its message) next to the writer that produced them.

use toml::{Table, Value};

use super::data::{RunRow, SweepHeader};
use super::figures::{self, FIGURES};
use super::grid::{Axis, Grid};
use crate::error::{GeoError, Result};
use crate::objectives::Key;
use crate::scenario::keys::KeyPath;

/// Bumped whenever the layout changes, so an old shard is refused, not misread.
const FORMAT: i64 = 4;
const KIND: &str = "geosim sweep shard";
const FIXED_COLUMNS: [&str; 7] = [
    "point",
    "variant_index",
    "variant",
    "run",
    "mode",
    "max_lag_s",
    "promotion",
];
/// After the figures: the run's verdict, as `summary.csv` writes it.
const VERDICT_COLUMNS: [&str; 2] = ["objectives_met", "objectives_missed"];

/// Every column of a shard's CSV, in order.
fn columns() -> Vec<&'static str> {
    FIXED_COLUMNS
        .into_iter()
        .chain(figures::names())
        .chain(VERDICT_COLUMNS)
        .collect()
}

/// A slice of a sweep: the points k with k mod `count` = `index`.
#[derive(Debug, Clone, PartialEq)]
pub struct Shard {
    pub header: SweepHeader,
    pub index: usize,
    pub count: usize,
    pub rows: Vec<RunRow>,
}

/// Whether `text` is (the start of) a shard file geosim wrote.
pub fn is_shard(text: &str) -> bool {
    text.starts_with(&format!("# kind = \"{KIND}\"\n"))
}

/// `shard-I-of-N.csv`.
pub fn file_name(index: usize, count: usize) -> String {
    format!("shard-{index}-of-{count}.csv")
}

pub fn to_bytes(shard: &Shard) -> Result<Vec<u8>> {
    // The kind first, so `head` shows what the file is (the table sorts its keys).
    let mut out = format!("# kind = \"{KIND}\"\n");
    for line in header_toml(shard)?.lines() {
        out.push_str(if line.is_empty() { "#" } else { "# " });
        out.push_str(line);
        out.push('\n');
    }
    let mut w = csv::Writer::from_writer(out.into_bytes());
    w.write_record(columns()).map_err(csv_error)?;
    for r in &shard.rows {
        let mut record = vec![
            r.point.to_string(),
            r.variant_index.to_string(),
            r.variant.clone(),
            r.run.to_string(),
            r.mode.clone(),
            r.max_lag_s.map(|x| x.to_string()).unwrap_or_default(),
            r.promotion.clone(),
        ];
        record.extend(
            r.figures
                .iter()
                .map(|v| v.map(|x| x.to_string()).unwrap_or_default()),
        );
        record.push(r.objectives_met.map(|m| m.to_string()).unwrap_or_default());
        record.push(r.objectives_missed.join(";"));
        w.write_record(&record).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

fn csv_error(e: impl std::fmt::Display) -> GeoError {
    GeoError::invalid(format!("cannot format the shard CSV: {e}"))
}

fn header_toml(shard: &Shard) -> Result<String> {
    let h = &shard.header;
    let mut t = Table::new();
    let mut put = |k: &str, v: Value| t.insert(k.to_string(), v);
    put("format", FORMAT.into());
    put("geosim_version", h.version.clone().into());
    put("scenario", h.scenario.clone().into());
    put("scenario_hash", h.scenario_hash.clone().into());
    // As text: a u64 seed need not fit TOML's i64.
    put("seed", h.seed.to_string().into());
    if !h.description.is_empty() {
        put("description", h.description.clone().into());
    }
    put("points", (h.grid.len() as i64).into());
    put("shard", (shard.index as i64).into());
    put("shards", (shard.count as i64).into());
    put("rows", (shard.rows.len() as i64).into());
    let counts = |f: &dyn Fn(&(usize, u32)) -> i64| {
        Value::Array(h.shape.iter().map(|s| Value::Integer(f(s))).collect())
    };
    t.insert("variants".into(), counts(&|s| s.0 as i64));
    t.insert("runs".into(), counts(&|s| i64::from(s.1)));
    let axes = h
        .grid
        .axes
        .iter()
        .map(|a| {
            let mut at = Table::new();
            at.insert("key".into(), a.key().into());
            at.insert("values".into(), Value::Array(a.values.clone()));
            Value::Table(at)
        })
        .collect();
    t.insert("axis".into(), Value::Array(axes));
    // Optional, so that a sweep without objectives writes the header it always did.
    if !h.lines.is_empty() {
        let lines = h
            .lines
            .iter()
            .map(|&(key, limit)| {
                let mut lt = Table::new();
                lt.insert("key".into(), key.name().into());
                lt.insert("limit".into(), limit.into());
                Value::Table(lt)
            })
            .collect();
        t.insert("objective".into(), Value::Array(lines));
    }
    toml::to_string(&t)
        .map_err(|e| GeoError::invalid(format!("cannot write the shard header: {e}")))
}

/// Reads a shard file; `file` labels errors. A shard is untrusted input (it may come
/// from another machine, be truncated, or be edited by hand): everything is checked,
/// and an error names the file, line and column of what is wrong.
pub fn parse(text: &str, file: &str) -> Result<Shard> {
    let help = "pass the files written by geosim sweep --shard I/N, unchanged";
    let bad = |offset: usize, what: String| {
        GeoError::invalid(what)
            .with_file(file)
            .at(text, offset)
            .with_help(help)
    };
    if text.is_empty() {
        return Err(bad(0, "not a geosim sweep shard: the file is empty".into()));
    }
    if !text.ends_with('\n') {
        return Err(bad(
            text.len(),
            "the file does not end with a newline: it is incomplete (truncated while it was written or copied)".into(),
        ));
    }
    let head = Header::read(text);
    let t: Table = head.toml.parse().map_err(|e: toml::de::Error| {
        let at = e.span().map_or(0, |s| head.offset(s.start));
        bad(
            at,
            format!(
                "not a geosim sweep shard: its header does not parse ({})",
                e.message()
            ),
        )
    })?;
    if t.get("kind").and_then(Value::as_str) != Some(KIND) {
        return Err(bad(0, "not a geosim sweep shard".into()));
    }
    let format = t.get("format").and_then(Value::as_integer);
    if format != Some(FORMAT) {
        return Err(bad(
            head.key_offset("format"),
            format!(
                "shard format {} is not the format {FORMAT} this geosim reads",
                format.map_or("(none)".into(), |f| f.to_string())
            ),
        ));
    }
    let (header, index, count, rows) = header(&t)
        .map_err(|(key, what)| bad(head.key_offset(key), format!("shard header: {what}")))?;
    let body = &text[head.len..];
    let rows_read = rows_from_csv(body, &header, index, count)
        .map_err(|(at, what)| bad(head.len + at, format!("shard rows: {what}")))?;
    let expected: usize = (0..header.grid.len())
        .filter(|p| p % count == index)
        .map(|p| header.shape[p].0 * header.shape[p].1 as usize)
        .sum();
    if rows_read.len() != rows || rows != expected {
        return Err(bad(
            head.key_offset("rows"),
            format!(
                "the shard's points need {expected} rows (variants × runs of each), the header says {rows} and the file has {}: it is incomplete or altered",
                rows_read.len()
            ),
        ));
    }
    Ok(Shard {
        header,
        index,
        count,
        rows: rows_read,
    })
}

/// The `#` lines at the top of a shard, as TOML text, with the way back to offsets in
/// the file.
struct Header {
    toml: String,
    /// Bytes of the header in the file.
    len: usize,
    /// Per header line: (its start in `toml`, its start in the file + prefix length).
    lines: Vec<(usize, usize)>,
    file_lines: Vec<(usize, String)>,
}

impl Header {
    fn read(text: &str) -> Header {
        let mut h = Header {
            toml: String::new(),
            len: 0,
            lines: Vec::new(),
            file_lines: Vec::new(),
        };
        for line in text.split_inclusive('\n') {
            if !line.starts_with('#') {
                break;
            }
            let prefix = if line.starts_with("# ") { 2 } else { 1 };
            let content = line[prefix..].trim_end_matches('\n');
            h.lines.push((h.toml.len(), h.len + prefix));
            h.file_lines.push((h.len + prefix, content.to_string()));
            h.toml.push_str(content);
            h.toml.push('\n');
            h.len += line.len();
        }
        h
    }

    /// The file offset of byte `at` of the TOML text.
    fn offset(&self, at: usize) -> usize {
        let i = self.lines.partition_point(|&(start, _)| start <= at).max(1) - 1;
        self.lines
            .get(i)
            .map_or(0, |&(start, file)| file + (at - start))
    }

    /// Where `key = …` is written in the header (its value), or the file's start.
    fn key_offset(&self, key: &str) -> usize {
        self.file_lines
            .iter()
            .find_map(|(at, line)| {
                let rest = line.trim_start().strip_prefix(key)?.trim_start();
                let value = rest.strip_prefix('=')?;
                Some(at + line.len() - value.trim_start().len())
            })
            .unwrap_or(0)
    }
}

/// Figures of a geosim run are never negative, and none comes near this: a shard
/// value above it (or `inf`, `NaN`) was not written by geosim, and would overflow the
/// arithmetic of statistics and chart axes.
pub const MAX_FIGURE: f64 = 1e15;

/// Errors of the header: (the key they are about, what is wrong).
type HeaderError = (&'static str, String);

fn header(t: &Table) -> std::result::Result<(SweepHeader, usize, usize, usize), HeaderError> {
    let text = |k: &'static str| {
        t.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or((k, format!("missing {k} (a string)")))
    };
    let count = |k: &'static str| {
        t.get(k)
            .and_then(Value::as_integer)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or((k, format!("missing {k} (a count, 0 or more)")))
    };
    let seed = text("seed")?.parse().map_err(|_| {
        (
            "seed",
            "the seed is not a whole number from 0 to 2^64-1".to_string(),
        )
    })?;
    let scenario = text("scenario")?;
    if !crate::limits::is_safe_name(&scenario) {
        return Err((
            "scenario",
            format!(
                "\"{scenario}\" is not a scenario name (letters, digits, '.', '_' and '-', not starting with '.'): it names the output directory"
            ),
        ));
    }
    let mut axes = Vec::new();
    for a in t
        .get("axis")
        .and_then(Value::as_array)
        .ok_or(("axis", "missing axis".to_string()))?
    {
        let key = a
            .get("key")
            .and_then(Value::as_str)
            .ok_or(("key", "an axis without key".to_string()))?;
        let path =
            KeyPath::parse(key).map_err(|e| ("key", format!("axis {key}: {}", e.message)))?;
        let values = a
            .get("values")
            .and_then(Value::as_array)
            .filter(|v| !v.is_empty())
            .ok_or(("values", format!("axis {key} without values")))?;
        if let Some(v) = values.iter().find(|v| !plain_value(v)) {
            return Err((
                "values",
                format!("axis {key}: the value {v} is not one a sweep can have"),
            ));
        }
        axes.push(Axis {
            path,
            values: values.clone(),
        });
    }
    let grid = Grid::new(axes).map_err(|e| ("axis", e.message))?;
    if grid.len() != count("points")? {
        return Err((
            "points",
            "the axes do not make the promised number of points".into(),
        ));
    }
    let (index, shards) = (count("shard")?, count("shards")?);
    if index >= shards {
        return Err((
            "shard",
            format!("shard {index} of {shards} is out of range"),
        ));
    }
    let shape = shape(t, grid.len())?;
    let lines = lines(t)?;
    let header = SweepHeader {
        version: text("geosim_version")?,
        scenario,
        scenario_hash: text("scenario_hash")?,
        seed,
        // Optional: shards written before it existed have none.
        description: t
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        grid,
        shape,
        lines,
    };
    Ok((header, index, shards, count("rows")?))
}

/// `[[objective]]`: the objectives every variant shares, `key` and `limit` each, keys
/// known and in SPEC §8 order, limits finite figures.
fn lines(t: &Table) -> std::result::Result<Vec<(Key, f64)>, HeaderError> {
    let Some(list) = t.get("objective") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or(("objective", "objective is not a list of tables".to_string()))?;
    let mut out: Vec<(Key, f64)> = Vec::new();
    for entry in list {
        let name = entry.get("key").and_then(Value::as_str).unwrap_or("");
        let key = Key::from_name(name).ok_or((
            "key",
            format!("objective \"{name}\" is not a key of [objectives]"),
        ))?;
        let limit = entry
            .get("limit")
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            .filter(|x| x.is_finite() && (0.0..=MAX_FIGURE).contains(x))
            .ok_or((
                "limit",
                format!("objective {name}: the limit is not a figure geosim writes (finite, from 0 to {MAX_FIGURE:e})"),
            ))?;
        if out.last().is_some_and(|&(last, _)| last >= key) {
            return Err((
                "key",
                format!("objective {name} is repeated or out of order"),
            ));
        }
        out.push((key, limit));
    }
    Ok(out)
}

/// A TOML value a sweep axis can hold: finite numbers of a sane size, text, booleans,
/// lists of those (a nested list or table is not a swept value).
fn plain_value(v: &Value) -> bool {
    match v {
        Value::Integer(i) => (*i as f64).abs() <= MAX_FIGURE,
        Value::Float(f) => f.is_finite() && f.abs() <= MAX_FIGURE,
        Value::String(s) => s.len() <= 1024,
        Value::Boolean(_) => true,
        Value::Array(items) => items.iter().all(|i| !i.is_array() && plain_value(i)),
        _ => false,
    }
}

/// `variants` and `runs`: per grid point, how many variants and runs it has.
fn shape(t: &Table, points: usize) -> std::result::Result<Vec<(usize, u32)>, HeaderError> {
    let list = |k: &'static str, max: i64| {
        let values = t
            .get(k)
            .and_then(Value::as_array)
            .ok_or((k, format!("missing {k} (one count per grid point)")))?;
        if values.len() != points {
            return Err((
                k,
                format!("{k} has {} entries for {points} grid points", values.len()),
            ));
        }
        values
            .iter()
            .map(|v| {
                v.as_integer()
                    .filter(|&n| (1..=max).contains(&n))
                    .ok_or((k, format!("{k}: {v} is not a count from 1 to {max}")))
            })
            .collect::<std::result::Result<Vec<i64>, HeaderError>>()
    };
    let variants = list("variants", 10_000)?;
    let runs = list("runs", crate::limits::MAX_RUNS)?;
    Ok(variants
        .into_iter()
        .zip(runs)
        .map(|(v, r)| (v as usize, r as u32))
        .collect())
}

/// Rows errors: (offset in the CSV body, what is wrong).
type RowError = (usize, String);

fn rows_from_csv(
    body: &str,
    header: &SweepHeader,
    index: usize,
    count: usize,
) -> std::result::Result<Vec<RunRow>, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let expected = columns();
    let columns = reader.headers().map_err(|e| (0, e.to_string()))?;
    if columns.iter().ne(expected.iter().copied()) {
        return Err((
            0,
            format!(
                "the columns are not those this geosim writes ({})",
                expected.join(",")
            ),
        ));
    }
    let mut rows: Vec<RunRow> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err((at, format!("not CSV: {e}"))),
        }
        let starts = cell_starts(&body[at..]);
        let cell_at = |i: usize| at + starts.get(i).copied().unwrap_or(0);
        if record.len() != expected.len() {
            return Err((
                at,
                format!(
                    "{} cells where {} columns are",
                    record.len(),
                    expected.len()
                ),
            ));
        }
        let row =
            row(&record).map_err(|(i, what)| (cell_at(i), format!("{}: {what}", expected[i])))?;
        if row.point >= header.grid.len() || row.point % count != index {
            return Err((
                cell_at(0),
                format!(
                    "point {} does not belong to shard {index} of {count} of a {}-point grid",
                    row.point,
                    header.grid.len()
                ),
            ));
        }
        let (variants, runs) = header.shape[row.point];
        if row.variant_index >= variants {
            return Err((
                cell_at(1),
                format!(
                    "variant {} of point {} is past its {variants} variants",
                    row.variant_index, row.point
                ),
            ));
        }
        if row.run == 0 || row.run > runs {
            return Err((
                cell_at(3),
                format!(
                    "run {} of point {} is not one of its runs 1..={runs}",
                    row.run, row.point
                ),
            ));
        }
        if let Some(prev) = rows.last() {
            if prev.order() >= row.order() {
                return Err((
                    cell_at(0),
                    "rows are out of order or repeated (point, variant_index, run must increase)"
                        .into(),
                ));
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The byte offset of each cell of the CSV line at the start of `line`.
fn cell_starts(line: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => starts.push(i + 1),
            '\n' if !quoted => break,
            _ => {}
        }
    }
    starts
}

/// A row's cells; an error names the cell (its column index) and what is wrong.
fn row(r: &csv::StringRecord) -> std::result::Result<RunRow, (usize, String)> {
    let cell = |i: usize| r.get(i).unwrap_or("");
    let num = |i: usize| -> std::result::Result<f64, (usize, String)> {
        let x: f64 = cell(i)
            .parse()
            .map_err(|_| (i, format!("\"{}\" is not a number", cell(i))))?;
        if !x.is_finite() || !(0.0..=MAX_FIGURE).contains(&x) {
            return Err((
                i,
                format!(
                    "{} is not a figure geosim writes (finite, from 0 to {MAX_FIGURE:e})",
                    cell(i)
                ),
            ));
        }
        Ok(x)
    };
    let int = |i: usize| -> std::result::Result<usize, (usize, String)> {
        cell(i)
            .parse()
            .map_err(|_| (i, format!("\"{}\" is not a count", cell(i))))
    };
    let text = |i: usize| -> std::result::Result<String, (usize, String)> {
        let t = cell(i);
        if t.is_empty() || t.len() > 256 || t.chars().any(char::is_control) {
            return Err((i, format!("\"{t}\" is not a name geosim writes")));
        }
        Ok(t.to_string())
    };
    let mut figures = Vec::with_capacity(FIGURES.len());
    for i in FIXED_COLUMNS.len()..FIXED_COLUMNS.len() + FIGURES.len() {
        figures.push(if cell(i).is_empty() {
            None
        } else {
            Some(num(i)?)
        });
    }
    let mode = text(4)?;
    let (objectives_met, objectives_missed) = verdict(r, FIXED_COLUMNS.len() + FIGURES.len())?;
    Ok(RunRow {
        point: int(0)?,
        variant_index: int(1)?,
        variant: text(2)?,
        run: u32::try_from(int(3)?).map_err(|_| (3, "run out of range".to_string()))?,
        mode,
        max_lag_s: if text(5)?.is_empty() {
            None
        } else {
            Some(num(5)?)
        },
        promotion: text(6)?,
        figures,
        objectives_met,
        objectives_missed,
    })
}

/// A run's `objectives_met` and `objectives_missed`.
type RunVerdict = (Option<bool>, Vec<&'static str>);

/// `objectives_met,objectives_missed` at cells `at`, `at + 1`: `true`, `false` or empty,
/// and the missed keys of `[objectives]` in SPEC §8 order, each once — present exactly
/// when the run is `false`, as geosim writes them.
fn verdict(r: &csv::StringRecord, at: usize) -> std::result::Result<RunVerdict, (usize, String)> {
    let met = match r.get(at).unwrap_or("") {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        other => return Err((at, format!("\"{other}\" is not true, false or empty"))),
    };
    let text = r.get(at + 1).unwrap_or("");
    let mut missed: Vec<Key> = Vec::new();
    for name in text.split(';').filter(|_| !text.is_empty()) {
        let known: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
        let key = Key::from_name(name).ok_or_else(|| {
            (
                at + 1,
                format!(
                    "\"{name}\" is not an objective (one of {}, separated by ';')",
                    known.join(", ")
                ),
            )
        })?;
        if missed.last().is_some_and(|&last| last >= key) {
            return Err((
                at + 1,
                format!(
                    "\"{text}\": the keys are repeated or not in the order geosim writes them ({})",
                    known.join(";")
                ),
            ));
        }
        missed.push(key);
    }
    if (met == Some(false)) == missed.is_empty() {
        return Err((
            at + 1,
            format!(
                "\"{text}\" does not go with objectives_met = \"{}\": a run misses keys exactly when it is false",
                r.get(at).unwrap_or("")
            ),
        ));
    }
    Ok((met, missed.into_iter().map(Key::name).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::grid::parse_set;

    /// Shard 1 of 2 of a 4-point grid: points 1 and 3, two variants, two runs each.
    fn sample() -> Shard {
        let grid = Grid::new(vec![
            parse_set("workload.rate=500,1.5").unwrap(),
            parse_set("replication.secondaries=eastus|a+b").unwrap(),
        ])
        .unwrap();
        let mut figures = vec![Some(0.1 + 0.2); FIGURES.len()];
        figures[figures::index("rto_s").unwrap()] = None;
        figures[0] = Some(1e-300);
        let mut rows = Vec::new();
        for point in [1, 3] {
            for variant_index in 0..2 {
                for run in 1..=2 {
                    rows.push(RunRow {
                        point,
                        variant_index,
                        variant: ["sync", "async,5m"][variant_index].into(),
                        run,
                        mode: "async".into(),
                        max_lag_s: Some(300.0),
                        promotion: "planned>forced".into(),
                        figures: figures.clone(),
                        objectives_met: [Some(false), None][variant_index],
                        objectives_missed: [vec!["rpo", "availability"], vec![]][variant_index]
                            .clone(),
                    });
                }
            }
        }
        Shard {
            header: SweepHeader {
                version: "0.1.0".into(),
                scenario: "study".into(),
                scenario_hash: "0123456789abcdef".into(),
                seed: u64::MAX,
                description: "A study: \"quoted\", and # not a comment.".into(),
                grid,
                shape: vec![(2, 2); 4],
                lines: vec![(Key::Rpo, 0.1 + 0.2), (Key::Availability, 0.999)],
            },
            index: 1,
            count: 2,
            rows,
        }
    }

    fn text() -> String {
        String::from_utf8(to_bytes(&sample()).unwrap()).unwrap()
    }

    fn err(t: &str) -> String {
        parse(t, "s.csv").unwrap_err().to_string()
    }

    #[test]
    fn round_trip_is_exact() {
        let shard = sample();
        let text = text();
        assert!(
            text.starts_with("# kind = \"geosim sweep shard\"\n"),
            "{text}"
        );
        assert_eq!(parse(&text, "s.csv").unwrap(), shard);
    }

    #[test]
    fn damaged_shards_are_refused_with_their_location() {
        let text = text();
        let last_row = text.trim_end().rfind('\n').unwrap();
        let e = err(&text[..=last_row]);
        assert!(
            e.contains("need 8 rows") && e.contains("the file has 7"),
            "{e}"
        );
        // A deleted row with `rows` adjusted is still short of what the points need.
        let e = err(&text[..=last_row].replace("rows = 8", "rows = 7"));
        assert!(e.contains("need 8 rows"), "{e}");
        assert!(err("point,run\n1,2\n").contains("not a geosim sweep shard"));
        assert!(err("").contains("the file is empty"));
        let e = err(&text.replace("format = 4", "format = 9"));
        assert!(e.contains("s.csv:") && e.contains("format 9"), "{e}");
        assert!(err(&text.replace("\n3,1,", "\n2,1,")).contains("point 2 does not belong"));
        // A truncated last number: the file no longer ends with its newline.
        let e = err(text.trim_end());
        assert!(e.contains("does not end with a newline"), "{e}");
        // A run past the point's runs.
        let e = err(&text.replace("\n3,1,\"async,5m\",2,", "\n3,1,\"async,5m\",3,"));
        assert!(
            e.contains("run 3 of point 3 is not one of its runs 1..=2"),
            "{e}"
        );
    }

    #[test]
    fn a_scenario_name_that_is_not_one_path_component_is_refused() {
        let text = text();
        for bad in ["../x", "..", "/etc", "a/b", ".hidden", ""] {
            let e = err(&text.replace("scenario = \"study\"", &format!("scenario = \"{bad}\"")));
            assert!(e.contains("is not a scenario name"), "{bad}: {e}");
            // Located on the header line that names it.
            assert!(e.contains("s.csv:"), "{e}");
        }
    }

    #[test]
    fn non_finite_and_huge_figures_are_refused_at_their_cell() {
        let text = text();
        let first_row = text.find("\n1,0,sync,1,").unwrap() + 1;
        let line_no = text[..first_row].matches('\n').count() + 1;
        for bad in ["NaN", "inf", "-inf", "1e308", "-1", "1e16"] {
            let row_end = first_row + text[first_row..].find('\n').unwrap();
            let row = &text[first_row..row_end];
            // The last cell is a figure (cost_month is empty: take writes_offered).
            let cells: Vec<&str> = row.split(',').collect();
            let mut changed = cells.clone();
            changed[7] = bad;
            let t = format!(
                "{}{}{}",
                &text[..first_row],
                changed.join(","),
                &text[row_end..]
            );
            let e = err(&t);
            assert!(e.contains(&format!("s.csv:{line_no}:")), "{bad}: {e}");
            assert!(e.contains("writes_offered"), "{bad}: {e}");
        }
        let e = err(&text.replace("values = [500, 1.5]", "values = [500, nan]"));
        assert!(e.contains("not one a sweep can have"), "{e}");
    }

    #[test]
    fn corrupted_objective_lines_are_refused() {
        let text = text();
        assert!(
            text.contains("# key = \"rpo\"\n# limit = 0.30000000000000004\n"),
            "{text}"
        );
        for (from, to, says) in [
            (
                "# key = \"rpo\"",
                "# key = \"rto2\"",
                "\"rto2\" is not a key of [objectives]",
            ),
            (
                "# limit = 0.999",
                "# limit = inf",
                "not a figure geosim writes",
            ),
            (
                "# limit = 0.999",
                "# limit = -1.0",
                "not a figure geosim writes",
            ),
            (
                "# key = \"availability\"",
                "# key = \"rpo\"",
                "repeated or out of order",
            ),
        ] {
            assert!(text.contains(from), "{from}");
            let e = err(&text.replacen(from, to, 1));
            assert!(e.contains(says) && e.contains("s.csv:"), "{to}: {e}");
        }
    }

    #[test]
    fn corrupted_objectives_are_refused_at_their_cell() {
        let text = text();
        // The rows of variant 0 end with their verdict: `false,rpo;availability`.
        let ok = ",false,rpo;availability\n";
        assert!(text.contains(ok), "{text}");
        let line_no = text[..text.find(ok).unwrap()].matches('\n').count() + 1;
        for (bad, says) in [
            (
                ",maybe,rpo;availability\n",
                "\"maybe\" is not true, false or empty",
            ),
            (",false,rpo;latency\n", "\"latency\" is not an objective"),
            (
                ",false,availability;rpo\n",
                "not in the order geosim writes them",
            ),
            (",false,rpo;rpo\n", "repeated"),
            (",false,\n", "a run misses keys exactly when it is false"),
            (
                ",true,rpo;availability\n",
                "a run misses keys exactly when it is false",
            ),
            (",,rpo\n", "a run misses keys exactly when it is false"),
        ] {
            let e = err(&text.replacen(ok, bad, 1));
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains(&format!("s.csv:{line_no}:")), "{bad}: {e}");
            assert!(e.contains("objectives_m"), "{bad}: {e}");
        }
    }
}
