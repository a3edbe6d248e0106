//! `aggregate.csv` of `geosim run`: per variant, each figure of `summary.csv` as mean,
//! standard deviation and 95% confidence half-width over the runs (the same statistics
//! as a sweep's, from `crate::stats`).

use super::sweep_csv::{csv_error, fixed, identity, mean};
use crate::error::Result;
use crate::results::SimResult;
use crate::sweep::data;
use crate::sweep::figures::FIGURES;

pub fn aggregate_csv(results: &[SimResult]) -> Result<Vec<u8>> {
    let rows = data::rows_of_run(results);
    let mut header: Vec<String> = ["variant", "mode", "max_lag_s", "runs"]
        .map(String::from)
        .to_vec();
    for f in &FIGURES {
        for stat in ["mean", "sd", "ci95"] {
            header.push(format!("{}_{stat}", f.name));
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(csv_error)?;
    for g in data::groups(&rows) {
        let mut record = identity(&g).to_vec();
        for (f, s) in FIGURES.iter().zip(&g.stats) {
            record.push(mean(s, f.decimals));
            record.push(fixed(s.and_then(|s| s.sd), f.decimals));
            record.push(fixed(s.and_then(|s| s.ci95), f.decimals));
        }
        w.write_record(&record).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}
