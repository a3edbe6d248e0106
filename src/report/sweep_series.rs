//! What the sweep charts and the sweep's sentences show, before anything is drawn: the
//! axis the charts run along, one series per variant (and per value of the other swept
//! keys) of a per-group value, and how each figure reads (its title, unit and scale).
//! `sweep_charts` draws these; `sweep_sentences` words them.

use super::palette::{self, VariantStyle};
use crate::sweep::data::{self, SweepData};
use crate::sweep::figures::FIGURES;
use crate::sweep::grid::display;

/// A point of a series: x, mean, 95% half-width (0 when there is one run).
pub(crate) type Point = (f64, f64, f64);

pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) style: VariantStyle,
    /// In the chart's units (shares as percentages), sorted by x.
    pub(crate) points: Vec<Point>,
}

/// What every chart of one sweep shares: the x axis and who the series are.
pub(crate) struct Layout {
    pub(crate) x_title: String,
    /// Category labels when x is not numeric.
    pub(crate) categories: Option<Vec<String>>,
    pub(crate) subtitle: String,
}

/// How a figure reads on a chart and in the sweep's sentences: its name with its unit,
/// the factor from its `summary.csv` unit to the axis's (shares become percentages),
/// and the top of its physical range (every figure is at least 0).
pub struct Look {
    pub title: String,
    pub scale: f64,
    pub upper: Option<f64>,
}

impl Look {
    /// The unit as a value is written with it: "%" for a share, " s" or " ms" from the
    /// title, "" for a count.
    pub fn unit(&self) -> String {
        if self.scale == 100.0 {
            return "%".into();
        }
        self.title
            .rsplit_once(" (")
            .map(|(_, u)| format!(" {}", u.trim_end_matches(')')))
            .unwrap_or_default()
    }
}

/// The look of the figure called `name` (a `summary.csv` column).
pub fn look(name: &str) -> Look {
    let named = |t: &str| Look {
        title: t.to_string(),
        scale: 1.0,
        upper: None,
    };
    let share = |t: &str| Look {
        title: t.to_string(),
        scale: 100.0,
        upper: Some(100.0),
    };
    match name {
        "availability" => share("availability (%)"),
        "stale_read_share" => share("stale-read share (%)"),
        "latency_mean_ms" => named("mean write latency (ms)"),
        "latency_p50_ms" => named("median write latency (ms)"),
        "latency_p99_ms" => named("p99 write latency (ms)"),
        "latency_p999_ms" => named("p99.9 write latency (ms)"),
        "latency_max_ms" => named("largest write latency (ms)"),
        "first_try_latency_p50_ms" => named("first-try median write latency (ms)"),
        "first_try_latency_p99_ms" => named("first-try p99 write latency (ms)"),
        "repl_delay_mean_ms" => named("mean replication delay (ms)"),
        "repl_delay_p99_ms" => named("p99 replication delay (ms)"),
        "lag_max_s" => named("largest replication lag (s)"),
        "throttled_s" => named("time throttled (s)"),
        "rpo_s" => named("RPO: data lost at a forced promotion (s)"),
        "rto_s" => named("RTO (s)"),
        "promotion_s" => named("promotion time (s)"),
        "writes_lost" => named("acknowledged writes lost"),
        "writes_failed" => named("writes failed"),
        "writes_in_flight" => named("writes in flight at the end"),
        "backlog_max" => named("largest backlog (writes)"),
        "cost_month" => named("cost per month"),
        other => {
            let (base, unit) = if let Some(b) = other.strip_suffix("_ms") {
                (b, " (ms)")
            } else if let Some(b) = other.strip_suffix("_s") {
                (b, " (s)")
            } else {
                (other, "")
            };
            named(&format!("{}{unit}", base.replace('_', " ")))
        }
    }
}

/// A swept key as an axis title: a readable name and the values' unit.
fn key_title(key: &str, unit: &str) -> String {
    let name = match key {
        "workload.rate" => "write rate",
        "replication.max_lag" => "max_lag (lag limit)",
        "replication.secondaries" => "secondary region",
        "replication.mode" => "replication mode",
        "workload.size" => "write size",
        other => other,
    };
    let unit = match (key, unit) {
        ("workload.rate", "") => "writes/s",
        (_, u) => u,
    };
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// The axis the charts run along: the first numeric key with several values, else the
/// first key with several values (as categories), else the first key.
fn x_axis(data: &SweepData) -> usize {
    let axes = &data.header.grid.axes;
    let varies = |i: &usize| axes[*i].values.len() > 1;
    (0..axes.len())
        .filter(varies)
        .find(|&i| axes[i].numeric().is_some())
        .or_else(|| (0..axes.len()).find(varies))
        .unwrap_or(0)
}

pub(crate) fn layout(data: &SweepData) -> Layout {
    let axis = &data.header.grid.axes[x_axis(data)];
    let key = axis.key();
    let (x_title, categories) = match axis.numeric() {
        Some((_, unit)) => (key_title(&key, unit), None),
        None => (
            key_title(&key, ""),
            Some(axis.values.iter().map(display).collect()),
        ),
    };
    let runs = data::groups(&data.rows)
        .iter()
        .map(|g| g.runs)
        .max()
        .unwrap_or(0);
    Layout {
        x_title,
        categories,
        subtitle: format!(
            "scenario \u{201c}{}\u{201d} · mean of {runs} runs per point · shaded or barred: 95% confidence interval of the mean",
            data.header.scenario
        ),
    }
}

/// The series of figure `f`: one per variant and combination of the other axes' values.
pub(crate) fn series(data: &SweepData, f: usize) -> Vec<Series> {
    let scale = look(FIGURES[f].name).scale;
    series_of(data, |g| {
        g.stats[f].map(|s| (s.mean * scale, s.ci95.unwrap_or(0.0) * scale))
    })
}

/// The series of any per-group value (mean and half-width; `None`: no point there), laid
/// out as the charts lay out figures.
pub(crate) fn series_of(
    data: &SweepData,
    value: impl Fn(&data::Group) -> Option<(f64, f64)>,
) -> Vec<Series> {
    let grid = &data.header.grid;
    let xa = x_axis(data);
    let xs: Vec<f64> = match grid.axes[xa].numeric() {
        Some((xs, _)) => xs,
        None => (0..grid.axes[xa].values.len()).map(|i| i as f64).collect(),
    };
    let mut keyed: Vec<((Vec<usize>, usize), Series)> = Vec::new();
    for g in data::groups(&data.rows) {
        let mut coords = grid.coordinates(g.point);
        let x = xs[coords.remove(xa)];
        let key = (coords, g.variant_index);
        let Some((mean, ci)) = value(&g) else {
            continue;
        };
        let point = (x, mean, ci);
        match keyed.iter_mut().find(|(k, _)| *k == key) {
            Some((_, series)) => series.points.push(point),
            None => {
                let others: Vec<String> = grid
                    .axes
                    .iter()
                    .enumerate()
                    .zip(grid.point(g.point))
                    .filter(|&((i, a), _)| i != xa && a.values.len() > 1)
                    .map(|((_, a), v)| format!("{}={}", a.key(), display(v)))
                    .collect();
                let label = if others.is_empty() {
                    g.variant.to_string()
                } else {
                    format!("{} · {}", g.variant, others.join(", "))
                };
                keyed.push((
                    key,
                    Series {
                        label,
                        style: palette::variant_style(0),
                        points: vec![point],
                    },
                ));
            }
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    // One combination of the other axes: a variant keeps its main-chart colour.
    let single = keyed.iter().all(|((c, _), _)| *c == keyed[0].0 .0);
    keyed
        .into_iter()
        .enumerate()
        .map(|(i, ((_, v), mut s))| {
            s.style = palette::variant_style(if single { v } else { i });
            s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_with_units() {
        assert_eq!(look("availability").title, "availability (%)");
        assert_eq!(look("availability").scale, 100.0);
        assert_eq!(look("latency_p99_ms").title, "p99 write latency (ms)");
        assert_eq!(look("fallback_s").title, "fallback (s)");
        assert_eq!(key_title("workload.rate", ""), "write rate (writes/s)");
        assert_eq!(
            key_title("variant[1].max_lag", "s"),
            "variant[1].max_lag (s)"
        );
    }
}
