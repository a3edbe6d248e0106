//! The `cost` columns: bytes counted by the engine, billed by `cost::bill_run` from `model::Prices`.

use geosim::model::Prices;

use crate::common::*;

/// One hour measured (after a 1-minute warmup), 1 KiB writes, two secondaries, by hand:
/// units 2 × (1.0 + 2 × 0.5) per hour = 4.00 for the hour; replication is
/// bytes / 1e9 × 2 secondaries × 0.10.
#[test]
fn cost_columns_bill_units_and_replicated_bytes() {
    let mut model = regions_model(&["p", "s1", "s2"], 20.0, 50.0, 61 * 60 * S);
    model.warmup = 60 * S;
    model.cost = Some(Prices {
        units: 2,
        unit_hour: 1.0,
        secondary_unit_hour: 0.5,
        replicated_gb: 0.10,
        currency: "USD".into(),
    });
    let r = simulate(&model, 0, 1);
    let s = &r.summary;
    // No outage: every write after warmup is accepted once, except those still on
    // their way to the primary when the run stops.
    let accepted = s.bytes_accepted / 1024;
    assert_eq!(s.bytes_accepted % 1024, 0);
    assert!(accepted <= s.writes_offered && accepted + 5 >= s.writes_offered);
    let bill = s.cost.expect("[cost] given");
    let replication = s.bytes_accepted as f64 / 1e9 * 2.0 * 0.10;
    assert!(
        (bill.cost - (4.0 + replication)).abs() < 1e-9,
        "{}",
        bill.cost
    );
    assert!((bill.cost_month - bill.cost * 720.0).abs() < 1e-6);
    // ~180 000 writes of 1 KiB: about 0.0369 for replication.
    assert!((0.035..0.039).contains(&replication), "{replication}");

    model.cost = None;
    assert_eq!(simulate(&model, 0, 1).summary.cost, None);
}
