//! The shard file: the per-run figures of one slice of a sweep, with a header saying
//! which sweep and which slice, so `geosim merge` can check and combine shards.
//!
//! Format: `#`-prefixed lines holding a TOML header, then CSV with a header row. Figures
//! are written with Rust's shortest round-trip formatting, not fixed decimals: merging
//! recomputes means and intervals from them, and only exact values make the merged files
//! byte-identical to a single-machine sweep's. This module only (de)serialises.

use toml::{Table, Value};

use super::data::{RunRow, SweepHeader};
use super::figures::{self, FIGURES};
use super::grid::{Axis, Grid};
use crate::error::{GeoError, Result};
use crate::scenario::keys::KeyPath;

/// Bumped whenever the layout changes, so an old shard is refused, not misread.
const FORMAT: i64 = 1;
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

/// A slice of a sweep: the points k with k mod `count` = `index`.
#[derive(Debug, Clone, PartialEq)]
pub struct Shard {
    pub header: SweepHeader,
    pub index: usize,
    pub count: usize,
    pub rows: Vec<RunRow>,
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
    let columns: Vec<&str> = FIXED_COLUMNS.into_iter().chain(figures::names()).collect();
    w.write_record(&columns).map_err(csv_error)?;
    for r in &shard.rows {
        let mut record = vec![
            r.point.to_string(),
            r.variant_index.to_string(),
            r.variant.clone(),
            r.run.to_string(),
            r.mode.clone(),
            r.max_lag_s.to_string(),
            r.promotion.clone(),
        ];
        record.extend(
            r.figures
                .iter()
                .map(|v| v.map(|x| x.to_string()).unwrap_or_default()),
        );
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
    put("points", (h.grid.len() as i64).into());
    put("shard", (shard.index as i64).into());
    put("shards", (shard.count as i64).into());
    put("rows", (shard.rows.len() as i64).into());
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
    toml::to_string(&t)
        .map_err(|e| GeoError::invalid(format!("cannot write the shard header: {e}")))
}

/// Reads a shard file; `file` labels errors.
pub fn parse(text: &str, file: &str) -> Result<Shard> {
    let bad = |what: String| {
        GeoError::invalid(what)
            .with_file(file)
            .with_help("pass files written by geosim sweep --shard I/N")
    };
    let header_len: usize = text
        .split_inclusive('\n')
        .take_while(|l| l.starts_with('#'))
        .map(str::len)
        .sum();
    let toml_text: String = text[..header_len]
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(&l[1..]))
        .collect::<Vec<_>>()
        .join("\n");
    let t: Table = toml_text.parse().map_err(|e| {
        bad(format!(
            "not a geosim sweep shard: its header does not parse ({e})"
        ))
    })?;
    if t.get("kind").and_then(Value::as_str) != Some(KIND) {
        return Err(bad("not a geosim sweep shard".into()));
    }
    let format = t.get("format").and_then(Value::as_integer);
    if format != Some(FORMAT) {
        return Err(bad(format!(
            "shard format {format:?} is not the format {FORMAT} this geosim reads"
        )));
    }
    let (header, index, count, rows) = header(&t).map_err(|e| bad(format!("shard header: {e}")))?;
    let rows_read = rows_from_csv(&text[header_len..], &header, index, count)
        .map_err(|e| bad(format!("shard rows: {e}")))?;
    if rows_read.len() != rows {
        return Err(bad(format!(
            "the header promises {rows} rows but the file has {}: it is incomplete",
            rows_read.len()
        )));
    }
    Ok(Shard {
        header,
        index,
        count,
        rows: rows_read,
    })
}

fn header(t: &Table) -> std::result::Result<(SweepHeader, usize, usize, usize), String> {
    let text = |k: &str| {
        t.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(format!("missing {k}"))
    };
    let count = |k: &str| {
        t.get(k)
            .and_then(Value::as_integer)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or(format!("missing {k}"))
    };
    let seed = text("seed")?.parse().map_err(|_| "bad seed".to_string())?;
    let mut axes = Vec::new();
    for a in t
        .get("axis")
        .and_then(Value::as_array)
        .ok_or("missing axis")?
    {
        let key = a
            .get("key")
            .and_then(Value::as_str)
            .ok_or("axis without key")?;
        let path = KeyPath::parse(key).map_err(|e| format!("axis {key}: {}", e.message))?;
        let values = a
            .get("values")
            .and_then(Value::as_array)
            .filter(|v| !v.is_empty())
            .ok_or(format!("axis {key} without values"))?;
        axes.push(Axis {
            path,
            values: values.clone(),
        });
    }
    let grid = Grid::new(axes).map_err(|e| e.message)?;
    if grid.len() != count("points")? {
        return Err("the axes do not make the promised number of points".into());
    }
    let (index, shards) = (count("shard")?, count("shards")?);
    if index >= shards {
        return Err(format!("shard {index} of {shards} is out of range"));
    }
    let header = SweepHeader {
        version: text("geosim_version")?,
        scenario: text("scenario")?,
        scenario_hash: text("scenario_hash")?,
        seed,
        grid,
    };
    Ok((header, index, shards, count("rows")?))
}

fn rows_from_csv(
    body: &str,
    header: &SweepHeader,
    index: usize,
    count: usize,
) -> std::result::Result<Vec<RunRow>, String> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let expected: Vec<&str> = FIXED_COLUMNS.into_iter().chain(figures::names()).collect();
    let columns = reader.headers().map_err(|e| e.to_string())?;
    if columns.iter().ne(expected.iter().copied()) {
        return Err("the columns are not those this geosim writes".into());
    }
    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        let row = row(&record).map_err(|e| format!("row {}: {e}", line + 1))?;
        if row.point >= header.grid.len() || row.point % count != index {
            return Err(format!(
                "row {}: point {} does not belong to shard {index} of {count}",
                line + 1,
                row.point
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}

fn row(r: &csv::StringRecord) -> std::result::Result<RunRow, String> {
    let cell = |i: usize| r.get(i).unwrap_or("");
    let num = |i: usize| -> std::result::Result<f64, String> {
        cell(i)
            .parse()
            .map_err(|_| format!("\"{}\" is not a number", cell(i)))
    };
    let int = |i: usize| -> std::result::Result<usize, String> {
        cell(i)
            .parse()
            .map_err(|_| format!("\"{}\" is not a count", cell(i)))
    };
    let mut figures = Vec::with_capacity(FIGURES.len());
    for i in FIXED_COLUMNS.len()..FIXED_COLUMNS.len() + FIGURES.len() {
        figures.push(if cell(i).is_empty() {
            None
        } else {
            Some(num(i)?)
        });
    }
    Ok(RunRow {
        point: int(0)?,
        variant_index: int(1)?,
        variant: cell(2).to_string(),
        run: u32::try_from(int(3)?).map_err(|_| "run out of range".to_string())?,
        mode: cell(4).to_string(),
        max_lag_s: num(5)?,
        promotion: cell(6).to_string(),
        figures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::grid::parse_set;

    fn sample() -> Shard {
        let grid = Grid::new(vec![
            parse_set("workload.rate=500,1.5").unwrap(),
            parse_set("replication.secondaries=eastus|a+b").unwrap(),
        ])
        .unwrap();
        let mut figures = vec![Some(0.1 + 0.2); FIGURES.len()];
        figures[figures::index("rto_s").unwrap()] = None;
        figures[0] = Some(1e-300);
        Shard {
            header: SweepHeader {
                version: "0.1.0".into(),
                scenario: "study, \"quoted\"".into(),
                scenario_hash: "0123456789abcdef".into(),
                seed: u64::MAX,
                grid,
            },
            index: 1,
            count: 2,
            rows: vec![RunRow {
                point: 3,
                variant_index: 1,
                variant: "async,5m".into(),
                run: 2,
                mode: "async".into(),
                max_lag_s: 300.0,
                promotion: "planned>forced".into(),
                figures,
            }],
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let shard = sample();
        let bytes = to_bytes(&shard).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("# kind = \"geosim sweep shard\"\n"),
            "{text}"
        );
        assert_eq!(parse(&text, "s.csv").unwrap(), shard);
    }

    #[test]
    fn damaged_shards_are_refused() {
        let text = String::from_utf8(to_bytes(&sample()).unwrap()).unwrap();
        let err = |t: &str| parse(t, "s.csv").unwrap_err().to_string();
        let last_row = text.trim_end().rfind('\n').unwrap();
        assert!(err(&text[..=last_row]).contains("promises 1 rows but the file has 0"));
        assert!(err("point,run\n1,2\n").contains("not a geosim sweep shard"));
        assert!(err(&text.replace("format = 1", "format = 9")).contains("format Some(9)"));
        assert!(err(&text.replace("\n3,1,", "\n2,1,"))
            .contains("point 2 does not belong to shard 1 of 2"));
    }
}
