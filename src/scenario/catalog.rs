//! The built-in Azure region catalogue: region names and the round-trip times between them.
//!
//! Source: Microsoft, "Azure network round-trip latency statistics",
//! learn.microsoft.com/azure/networking/azure-network-latency (MicrosoftDocs/azure-docs
//! `articles/networking/azure-network-latency.md`): median (P50) round-trip times in
//! milliseconds between 54 regions, over the 30 days ending 2026-07-30. The two CSV files
//! under `data/` are that table as published, embedded at build time.
//!
//! Modelling rules, stated here because the data does not decide them:
//! - The published matrix is asymmetric (by 1 ms typically, 18 ms at most). A link in the
//!   model is symmetric, so its RTT is the MEAN of the two directions; if only one direction
//!   were published, that one is used.
//! - Only medians are published, so a catalogue link has a constant RTT equal to that
//!   median. A scenario that wants jitter or tails declares a `[[link]]` with a distribution.
//!
//! This module knows nothing of scenario files beyond region names.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use super::suggest;
use crate::error::GeoError;

const REGIONS_CSV: &str = include_str!("data/azure-regions.csv");
const RTT_CSV: &str = include_str!("data/azure-rtt-p50.csv");

struct Catalog {
    /// slug → display name; a BTreeMap so iteration is sorted by slug.
    display: BTreeMap<&'static str, &'static str>,
    /// (source, destination) → published median RTT in ms, one entry per direction.
    directed_ms: BTreeMap<(&'static str, &'static str), f64>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The data is embedded and checked by the unit tests, so a malformed line can
        // only come from a bad edit of the files; it is skipped rather than panicking.
        let display = rows(REGIONS_CSV)
            .filter_map(|f| match f[..] {
                [slug, name] => Some((slug, name)),
                _ => None,
            })
            .collect();
        let directed_ms = rows(RTT_CSV)
            .filter_map(|f| match f[..] {
                [a, b, ms] => ms.parse::<f64>().ok().map(|ms| ((a, b), ms)),
                _ => None,
            })
            .collect();
        Catalog {
            display,
            directed_ms,
        }
    })
}

/// The data lines of an embedded CSV (header skipped), split on commas. Neither file
/// quotes fields or has commas inside one.
fn rows(csv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim_end_matches('\r').split(',').collect())
}

/// Every catalogue region slug, sorted.
pub fn names() -> Vec<&'static str> {
    catalog().display.keys().copied().collect()
}

/// Whether `slug` is a catalogue region.
pub fn contains(slug: &str) -> bool {
    catalog().display.contains_key(slug)
}

/// The display name ("East US 2") of a catalogue slug ("eastus2").
pub fn display_name(slug: &str) -> Option<&'static str> {
    catalog().display.get(slug).copied()
}

/// Symmetric median RTT in ms between two distinct catalogue regions: the mean of the two
/// published directions, or the one published direction.
pub fn rtt_ms(a: &str, b: &str) -> Option<f64> {
    let m = &catalog().directed_ms;
    let (a, b) = (find(a)?, find(b)?);
    match (m.get(&(a, b)), m.get(&(b, a))) {
        (Some(x), Some(y)) => Some((x + y) / 2.0),
        (Some(x), None) | (None, Some(x)) => Some(*x),
        (None, None) => None,
    }
}

fn find(slug: &str) -> Option<&'static str> {
    catalog().display.get_key_value(slug).map(|(k, _)| *k)
}

/// The catalogue region closest to `name`, when it is close enough to be a typo.
pub fn suggest(name: &str) -> Option<&'static str> {
    suggest::closest(name, names())
}

/// What `geosim regions [--from REGION]` prints. Without `from`: every region and its
/// display name. With `from`: every other region and its RTT from there, nearest first.
pub fn listing(from: Option<&str>) -> Result<String, GeoError> {
    let mut out = String::new();
    let width = names().iter().map(|n| n.len()).max().unwrap_or(0);
    let Some(from) = from else {
        let _ = writeln!(out, "{:width$}  DISPLAY NAME", "REGION");
        for (slug, name) in &catalog().display {
            let _ = writeln!(out, "{slug:width$}  {name}");
        }
        let _ = writeln!(
            out,
            "\n{} regions. Source: Microsoft, Azure network round-trip latency statistics (median RTTs, 30 days ending 2026-07-30).",
            catalog().display.len()
        );
        return Ok(out);
    };
    if !contains(from) {
        let err = GeoError::invalid(format!("unknown region \"{from}\""));
        return Err(match suggest(from) {
            Some(s) => err.with_help(format!("did you mean \"{s}\"?")),
            None => err.with_help("`geosim regions` lists the catalogue"),
        });
    }
    let mut rows: Vec<(f64, &str)> = names()
        .into_iter()
        .filter(|n| *n != from)
        .filter_map(|n| rtt_ms(from, n).map(|ms| (ms, n)))
        .collect();
    rows.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(y.1)));
    let _ = writeln!(out, "{:width$}  {:>8}  DISPLAY NAME", "REGION", "RTT_MS");
    for (ms, n) in rows {
        let _ = writeln!(
            out,
            "{n:width$}  {ms:>8.1}  {}",
            display_name(n).unwrap_or("")
        );
    }
    let _ = writeln!(
        out,
        "\nRound trips from {from}: median (P50), mean of both directions, Microsoft Azure network latency statistics (30 days ending 2026-07-30)."
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_and_every_ordered_pair_is_there() {
        assert_eq!(names().len(), 54);
        assert_eq!(catalog().directed_ms.len(), 54 * 53);
        assert!(names().windows(2).all(|w| w[0] < w[1]));
        assert_eq!(display_name("eastus2"), Some("East US 2"));
    }

    #[test]
    fn symmetric_rtt_is_the_mean_of_both_directions() {
        // The CSV says westeurope→eastus 85, eastus→westeurope 83.
        assert_eq!(rtt_ms("westeurope", "eastus"), Some(84.0));
        assert_eq!(rtt_ms("eastus", "westeurope"), Some(84.0));
        assert_eq!(rtt_ms("westeurope", "westeurope"), None);
        assert_eq!(rtt_ms("westeurope", "mars"), None);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("eastsu"), Some("eastus"));
        assert_eq!(suggest("westeurop"), Some("westeurope"));
        assert_eq!(suggest("atlantis-under-the-sea"), None);
    }

    #[test]
    fn listings() {
        let all = listing(None).unwrap();
        assert!(all.contains("eastus2") && all.contains("East US 2"));
        let from = listing(Some("westeurope")).unwrap();
        let first = from.lines().nth(1).unwrap();
        assert!(!from.contains("\nwesteurope "));
        // The nearest region comes first and RTTs ascend.
        let rtts: Vec<f64> = from
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(rtts.len(), 53);
        assert!(rtts.windows(2).all(|w| w[0] <= w[1]), "{first}");
        let err = listing(Some("eastsu")).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean \"eastus\"?"));
    }
}
