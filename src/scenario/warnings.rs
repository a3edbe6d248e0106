//! Warnings about a valid scenario: what runs, but is likely not what was meant. `check`
//! and `run` print them on stderr; they never stop a run.

use crate::model::Model;

/// A link whose offered replication traffic is above this share of its bandwidth queues
/// heavily (M/D/1 waiting grows as ρ / (1 − ρ): 9 service times at ρ = 0.9).
const LOAD_WARNING: f64 = 0.9;

/// Every warning for `model`, in a stable order (secondaries in `[replication]` order).
pub fn warnings(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let size = model.workload.size.mean;
    let Some(peak) = model
        .workload
        .phases
        .iter()
        .max_by(|a, b| a.rate.total_cmp(&b.rate))
    else {
        return out;
    };
    if !size.is_finite() || peak.rate <= 0.0 {
        return out;
    }
    let offered = peak.rate * size; // bytes per second
    for &s in &model.secondaries {
        let link = model.link(model.primary, s);
        let Some(bandwidth) = link.bandwidth_bytes_per_s else {
            continue;
        };
        let load = offered / bandwidth;
        if load <= LOAD_WARNING {
            continue;
        }
        let when = if peak.at == 0 {
            format!("{} writes/s", trim(peak.rate))
        } else {
            format!(
                "{} writes/s from {}",
                trim(peak.rate),
                crate::time::fmt_duration(peak.at)
            )
        };
        let pair = format!(
            "{}<->{}",
            model.regions[model.primary].name, model.regions[s].name
        );
        let consequence = if load > 1.0 {
            "the lag will grow without bound (until throttling at max_lag caps the writes)"
                .to_string()
        } else {
            format!(
                "{:.0}% of it: replication queues, and the lag is long and variable",
                load * 100.0
            )
        };
        out.push(format!(
            "{pair} carries {} of writes over {} (at {when}): {consequence}",
            mbit(offered),
            mbit(bandwidth)
        ));
    }
    out
}

/// Bytes per second as Mbit/s, with a decimal below 10.
fn mbit(bytes_per_s: f64) -> String {
    let m = bytes_per_s * 8.0 / 1e6;
    if m >= 10.0 {
        format!("{m:.0} Mbit/s")
    } else {
        format!("{m:.1} Mbit/s")
    }
}

fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse;

    fn scenario(rate: &str, bandwidth: &str, phase: &str) -> String {
        format!(
            r#"
[simulation]
duration = "1h"
[[region]]
name = "westeurope"
[[region]]
name = "eastus"
[[link]]
between = ["westeurope", "eastus"]
bandwidth = "{bandwidth}"
[workload]
client_region = "westeurope"
rate = {rate}
size = "1KB"
{phase}
[replication]
primary = "westeurope"
secondaries = ["eastus"]
"#
        )
    }

    fn warnings(text: &str) -> Vec<String> {
        super::warnings(&parse(text, "t.toml", "t").unwrap())
    }

    #[test]
    fn overload_and_near_capacity() {
        // 10250 writes/s × 1000 B × 8 = 82 Mbit/s over 50 Mbit/s.
        assert_eq!(
            warnings(&scenario("10250", "50Mbit/s", "")),
            ["westeurope<->eastus carries 82 Mbit/s of writes over 50 Mbit/s (at 10250 writes/s): the lag will grow without bound (until throttling at max_lag caps the writes)"]
        );
        // 5750/s: 46 Mbit/s, 92 %.
        assert_eq!(
            warnings(&scenario("5750", "50Mbit/s", "")),
            ["westeurope<->eastus carries 46 Mbit/s of writes over 50 Mbit/s (at 5750 writes/s): 92% of it: replication queues, and the lag is long and variable"]
        );
        // 5000/s: 40 Mbit/s, 80 %: no warning.
        assert!(warnings(&scenario("5000", "50Mbit/s", "")).is_empty());
    }

    #[test]
    fn the_peak_phase_counts() {
        let phase = "[[workload.phase]]\nat = \"30m\"\nrate = 7000\n";
        let w = warnings(&scenario("100", "50Mbit/s", phase));
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("56 Mbit/s") && w[0].contains("(at 7000 writes/s from 30m)"),
            "{}",
            w[0]
        );
    }
}
