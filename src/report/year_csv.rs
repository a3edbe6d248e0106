//! `year.csv`: a row per variant of the year of random failures (`crate::year`),
//! numbers with a fixed number of decimals so equal runs give equal bytes.

use crate::error::{GeoError, Result};
use crate::year::YearFigures;

pub const YEAR_COLUMNS: [&str; 14] = [
    "variant",
    "years",
    "incidents_per_year",
    "promotions_per_year",
    "failbacks_per_year",
    "downtime_min_per_year",
    "writes_lost_per_year",
    "availability",
    "loss_per_incident_p50",
    "loss_per_incident_p90",
    "loss_per_incident_p99",
    "loss_per_incident_max",
    "episode_h_per_year",
    "unsettled_episodes",
];

fn csv_error(e: impl std::fmt::Display) -> GeoError {
    GeoError::invalid(format!("cannot format CSV: {e}"))
}

pub fn year_csv(rows: &[YearFigures]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(YEAR_COLUMNS).map_err(csv_error)?;
    for r in rows {
        w.write_record([
            r.variant.clone(),
            r.years.to_string(),
            format!("{:.3}", r.incidents_per_year),
            format!("{:.3}", r.promotions_per_year),
            format!("{:.3}", r.failbacks_per_year),
            format!("{:.3}", r.downtime_min_per_year),
            format!("{:.3}", r.writes_lost_per_year),
            format!("{:.8}", r.availability),
            r.loss_p50.to_string(),
            r.loss_p90.to_string(),
            r.loss_p99.to_string(),
            r.loss_max.to_string(),
            format!("{:.3}", r.episode_h_per_year),
            r.unsettled.to_string(),
        ])
        .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals_in_column_order() {
        let row = YearFigures {
            variant: "async".into(),
            years: 2,
            incidents_per_year: 12.5,
            promotions_per_year: 3.0,
            failbacks_per_year: 2.0,
            downtime_min_per_year: 61.25,
            writes_lost_per_year: 1234.0,
            availability: 0.99988,
            loss_p50: 0,
            loss_p90: 400,
            loss_p99: 900,
            loss_max: 950,
            episode_h_per_year: 20.0,
            unsettled: 0,
        };
        let text = String::from_utf8(year_csv(&[row]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), YEAR_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "async,2,12.500,3.000,2.000,61.250,1234.000,0.99988000,0,400,900,950,20.000,0"
        );
    }
}
