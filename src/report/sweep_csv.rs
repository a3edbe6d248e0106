//! `sweep.csv`: one row per grid point × variant — the swept values (one column per key
//! path), the variant, then each figure's mean and 95% confidence half-width over the
//! runs, with fixed decimals so equal data give equal bytes; last, how many runs met every
//! objective and which keys any run missed (both empty without objectives).

use crate::error::{GeoError, Result};
use crate::stats::Stats;
use crate::sweep::data::{self, Group, SweepData};
use crate::sweep::figures::FIGURES;
use crate::sweep::grid::display;

pub fn sweep_csv(data: &SweepData) -> Result<Vec<u8>> {
    let grid = &data.header.grid;
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(grid.axes.iter().map(|a| a.key()));
    header.extend(["variant", "mode", "max_lag_s", "runs"].map(String::from));
    for f in &FIGURES {
        header.push(format!("{}_mean", f.name));
        header.push(format!("{}_ci95", f.name));
    }
    header.extend(["objectives_met_runs", "objectives_missed"].map(String::from));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(csv_error)?;
    for g in data::groups(&data.rows) {
        let mut record = vec![g.point.to_string()];
        record.extend(grid.point(g.point).into_iter().map(display));
        record.extend(identity(&g));
        for (f, s) in FIGURES.iter().zip(&g.stats) {
            record.push(mean(s, f.decimals));
            record.push(fixed(s.and_then(|s| s.ci95), f.decimals));
        }
        let v = &g.objectives;
        record.push(if v.judged > 0 {
            v.met.to_string()
        } else {
            String::new()
        });
        record.push(v.missed.join(";"));
        w.write_record(&record).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

/// `variant,mode,max_lag_s,runs` of a group.
pub fn identity(g: &Group) -> [String; 4] {
    [
        g.variant.to_string(),
        g.mode.to_string(),
        g.max_lag_s.map(|x| format!("{x:.3}")).unwrap_or_default(),
        g.runs.to_string(),
    ]
}

/// The mean, or an empty cell when no run had a value.
pub fn mean(s: &Option<Stats>, decimals: usize) -> String {
    fixed(s.map(|s| s.mean), decimals)
}

/// `x` with `decimals` decimals; empty when absent (a single run has no interval).
pub fn fixed(x: Option<f64>, decimals: usize) -> String {
    x.map(|x| format!("{x:.decimals$}")).unwrap_or_default()
}

pub fn csv_error(e: impl std::fmt::Display) -> GeoError {
    GeoError::invalid(format!("cannot format CSV: {e}"))
}
