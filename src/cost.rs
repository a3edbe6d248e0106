//! What a namespace costs, in the structure of Service Bus Premium pricing
//! (reference/service-bus-geo-replication.txt): every region of the namespace runs the
//! primary's messaging units, billed per unit-hour, and replication is billed per GB of
//! published data times the number of secondaries.
//!
//! The price list is model data (`model::Prices`, from `[cost]`, validated by
//! `scenario`); this module owns the arithmetic, applied to a run's results after the
//! engine is done. It knows nothing of how the bytes were counted.

use crate::model::{Model, Nanos, Prices, NS_PER_S};
use crate::results::{Bill, Summary};

/// Bytes in a billed GB: SI, as cloud bandwidth is billed and as SPEC's "1GB" is read.
pub const BYTES_PER_GB: f64 = 1e9;

/// The month `cost_month` scales to: 30 days, as monthly price lists assume.
pub const MONTH: Nanos = 30 * 24 * 3600 * NS_PER_S;

impl Prices {
    /// The bill for running `secondaries` secondaries for `window` while the primaries
    /// accepted `bytes_accepted` bytes: units are billed for every region, replication
    /// once per secondary (each one receives every accepted byte).
    pub fn bill(&self, secondaries: usize, window: Nanos, bytes_accepted: u64) -> Bill {
        let hours = window as f64 / (3600 * NS_PER_S) as f64;
        let n = secondaries as f64;
        let unit_rate = f64::from(self.units) * (self.unit_hour + n * self.secondary_unit_hour);
        let replication = bytes_accepted as f64 / BYTES_PER_GB * n * self.replicated_gb;
        let cost = unit_rate * hours + replication;
        let cost_month = if window == 0 {
            0.0
        } else {
            cost * (MONTH as f64 / window as f64)
        };
        Bill { cost, cost_month }
    }
}

/// The bill of one run of `model`, over the window the figures of `summary.csv` cover
/// ([warmup, duration]); `None` without `[cost]`.
pub fn of_run(model: &Model, bytes_accepted: u64) -> Option<Bill> {
    let prices = model.cost.as_ref()?;
    let window = model.duration.saturating_sub(model.warmup);
    Some(prices.bill(model.secondaries.len(), window, bytes_accepted))
}

/// Fills the `cost` columns of a finished run from the bytes its primaries accepted.
pub fn bill_run(model: &Model, summary: &mut Summary) {
    summary.cost = of_run(model, summary.bytes_accepted);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices() -> Prices {
        Prices {
            units: 2,
            unit_hour: 0.928,
            secondary_unit_hour: 1.0,
            replicated_gb: 0.09,
            currency: "USD".into(),
        }
    }

    /// Worked by hand: 2 units × (0.928 + 2 × 1.0) per hour × 10 h = 58.56;
    /// 5 GB accepted × 2 secondaries × 0.09 = 0.90; total 59.46 for 10 hours,
    /// × 72 (30 days / 10 h) = 4281.12 a month.
    #[test]
    fn hand_computed_bill() {
        let b = prices().bill(2, 10 * 3600 * NS_PER_S, 5_000_000_000);
        assert!((b.cost - 59.46).abs() < 1e-9, "{}", b.cost);
        assert!((b.cost_month - 4281.12).abs() < 1e-6, "{}", b.cost_month);
    }

    /// Without secondaries nothing is replicated and only the primary's units are billed.
    #[test]
    fn no_secondary_pays_only_the_primary() {
        let b = prices().bill(0, 3600 * NS_PER_S, 1_000_000_000_000);
        assert!((b.cost - 1.856).abs() < 1e-12, "{}", b.cost);
    }
}
