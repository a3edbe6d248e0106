//! Quantities with units as a scenario writes them: durations (`"1.5s"`), sizes
//! (`"4MiB"`) and bandwidths (`"100Mbit/s"`).
//!
//! Each parser takes the text of one TOML string and returns the value in the model's base
//! unit (integer nanoseconds, bytes, bytes per second) or a message for the user that says
//! which forms are accepted. This module knows nothing of keys or files; `validate` adds
//! where the text came from.

use crate::model::Nanos;

const DURATION_FORMS: &str =
    "a number and a unit: ns, us, ms, s, m, h or d (e.g. \"250us\", \"2ms\", \"1.5s\", \"5m\", \"2h\", \"1d\")";
const SIZE_FORMS: &str = "a number and a unit: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000), e.g. \"512B\", \"4MiB\", \"1KB\"";
const BANDWIDTH_FORMS: &str = "a number and a unit: bit/s, kbit/s, Mbit/s, Gbit/s (bits), B/s, KB/s, MB/s, GB/s (powers of 1000) or KiB/s, MiB/s, GiB/s (powers of 1024), e.g. \"100Mbit/s\", \"50MB/s\"";

/// The spellings of each kind of unit and the base units (nanoseconds, bytes, bytes per
/// second) in one of them. The parsers and the JSON Schema's patterns (`schema.rs`) both
/// read these tables, so a spelling accepted by one is accepted by the other.
pub(crate) const DURATION_UNITS: &[(&str, f64)] = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("μs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3_600e9),
    ("d", 86_400e9),
];

const KIB: f64 = 1024.0;

pub(crate) const SIZE_UNITS: &[(&str, f64)] = &[
    ("B", 1.0),
    ("KB", 1e3),
    ("kB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("KiB", KIB),
    ("MiB", KIB * KIB),
    ("GiB", KIB * KIB * KIB),
    ("TiB", KIB * KIB * KIB * KIB),
];

pub(crate) const BANDWIDTH_UNITS: &[(&str, f64)] = &[
    ("bit/s", 1.0 / 8.0),
    ("bps", 1.0 / 8.0),
    ("kbit/s", 1e3 / 8.0),
    ("Kbit/s", 1e3 / 8.0),
    ("kbps", 1e3 / 8.0),
    ("Mbit/s", 1e6 / 8.0),
    ("Mbps", 1e6 / 8.0),
    ("Gbit/s", 1e9 / 8.0),
    ("Gbps", 1e9 / 8.0),
    ("B/s", 1.0),
    ("KB/s", 1e3),
    ("kB/s", 1e3),
    ("MB/s", 1e6),
    ("GB/s", 1e9),
    ("KiB/s", KIB),
    ("MiB/s", KIB * KIB),
    ("GiB/s", KIB * KIB * KIB),
];

/// The base units in one `unit` of `table`; `None` for a spelling it does not have.
fn factor(table: &[(&str, f64)], unit: &str) -> Option<f64> {
    table
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, f)| f)
}

/// Largest duration that fits the clock: u64 nanoseconds, about 584 years. As an f64 this
/// is 2^64 exactly, so anything at or above it overflows.
const CLOCK_LIMIT_NS: f64 = 18_446_744_073_709_551_616.0;

/// Splits `"1.5ms"` into `(1.5, "ms")`. The unit is the trailing run of letters (and `/`,
/// `µ`), so the number may use an exponent (`"1e30d"`) and may be followed by a space.
fn split_quantity<'a>(text: &'a str, what: &str, forms: &str) -> Result<(f64, &'a str), String> {
    let trimmed = text.trim();
    let unit_start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphabetic() || *c == '/' || *c == 'µ' || *c == 'μ')
        .last()
        .map_or(trimmed.len(), |(i, _)| i);
    let (number, unit) = trimmed.split_at(unit_start);
    let number = number.trim_end();
    if number.is_empty() {
        return Err(format!("\"{text}\" is not a {what}: expected {forms}"));
    }
    if unit.is_empty() {
        return Err(format!("\"{text}\" has no unit: expected {forms}"));
    }
    // f64::from_str also takes "inf" and "nan"; those cannot reach here because letters
    // other than an exponent's `e` end up in the unit. The character check keeps out
    // anything else `from_str` would not expect either.
    let plausible = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    let value: f64 = match number.parse() {
        Ok(v) if plausible => v,
        _ => {
            return Err(format!(
                "\"{text}\" is not a {what}: \"{number}\" is not a number; expected {forms}"
            ))
        }
    };
    if value.is_nan() {
        return Err(format!("\"{text}\" is not a number"));
    }
    if value < 0.0 {
        return Err(format!("\"{text}\": a {what} cannot be negative"));
    }
    if value.is_infinite() {
        return Err(format!("\"{text}\": the number is too large"));
    }
    Ok((value, unit))
}

/// A duration in integer nanoseconds (rounded to the nearest nanosecond).
pub fn parse_duration(text: &str) -> Result<Nanos, String> {
    let (value, unit) = split_quantity(text, "duration", DURATION_FORMS)?;
    let Some(ns_per_unit) = factor(DURATION_UNITS, unit) else {
        return Err(format!(
            "\"{text}\": unknown duration unit \"{unit}\"; expected {DURATION_FORMS}"
        ));
    };
    let ns = (value * ns_per_unit).round();
    if !ns.is_finite() || ns >= CLOCK_LIMIT_NS {
        return Err(format!(
            "\"{text}\" is too long: the clock counts u64 nanoseconds, so durations must be under about 584 years (213503d)"
        ));
    }
    // In range and non-negative, so the conversion is exact up to f64 rounding.
    Ok(ns as Nanos)
}

/// A size in bytes (a float: a distribution of sizes is sampled as one).
pub fn parse_size(text: &str) -> Result<f64, String> {
    let (value, unit) = split_quantity(text, "size", SIZE_FORMS)?;
    let Some(bytes_per_unit) = factor(SIZE_UNITS, unit) else {
        return Err(format!(
            "\"{text}\": unknown size unit \"{unit}\"; expected {SIZE_FORMS}"
        ));
    };
    finite(text, value * bytes_per_unit)
}

/// A bandwidth in bytes per second.
pub fn parse_bandwidth(text: &str) -> Result<f64, String> {
    let (value, unit) = split_quantity(text, "bandwidth", BANDWIDTH_FORMS)?;
    let Some(bytes_per_s) = factor(BANDWIDTH_UNITS, unit) else {
        return Err(format!(
            "\"{text}\": unknown bandwidth unit \"{unit}\"; expected {BANDWIDTH_FORMS}"
        ));
    };
    finite(text, value * bytes_per_s)
}

fn finite(text: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("\"{text}\": the number is too large"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NS_PER_MS, NS_PER_S, NS_PER_US};

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("250us"), Ok(250 * NS_PER_US));
        assert_eq!(parse_duration("2ms"), Ok(2 * NS_PER_MS));
        assert_eq!(parse_duration("1.5s"), Ok(1_500 * NS_PER_MS));
        assert_eq!(parse_duration("5m"), Ok(300 * NS_PER_S));
        assert_eq!(parse_duration("2h"), Ok(7_200 * NS_PER_S));
        assert_eq!(parse_duration("1d"), Ok(86_400 * NS_PER_S));
        assert_eq!(parse_duration("7ns"), Ok(7));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration(" 3 ms "), Ok(3 * NS_PER_MS));
        assert_eq!(parse_duration("0.1s"), Ok(100 * NS_PER_MS));
        assert_eq!(parse_duration("2e3ms"), Ok(2 * NS_PER_S));
    }

    #[test]
    fn bad_durations_say_why() {
        let err = |t: &str| parse_duration(t).unwrap_err();
        assert!(err("-1s").contains("cannot be negative"));
        assert!(err("5").contains("has no unit"));
        assert!(err("5 sec").contains("unknown duration unit \"sec\""));
        assert!(err("1e30d").contains("too long"));
        assert!(err("1e400s").contains("too large"));
        assert!(err("NaN").contains("not a duration"));
        assert!(err("infs").contains("not a duration"));
        assert!(err("1.2.3s").contains("not a number"));
        assert!(err("").contains("not a duration"));
        assert!(err("0x10s").contains("not a number"));
        // Just below and just above 2^64 ns.
        assert!(parse_duration("213503d").is_ok());
        assert!(err("213504d").contains("584 years"));
    }

    #[test]
    fn sizes_binary_and_decimal() {
        assert_eq!(parse_size("512B"), Ok(512.0));
        assert_eq!(parse_size("1KiB"), Ok(1024.0));
        assert_eq!(parse_size("4MiB"), Ok(4.0 * 1024.0 * 1024.0));
        assert_eq!(parse_size("1GiB"), Ok(1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_size("1KB"), Ok(1e3));
        assert_eq!(parse_size("1MB"), Ok(1e6));
        assert_eq!(parse_size("1GB"), Ok(1e9));
        assert_eq!(parse_size("0.5KiB"), Ok(512.0));
        assert!(parse_size("1kib").unwrap_err().contains("KiB"));
        assert!(parse_size("-1B").unwrap_err().contains("negative"));
    }

    #[test]
    fn bandwidths_bits_and_bytes() {
        assert_eq!(parse_bandwidth("100Mbit/s"), Ok(12.5e6));
        assert_eq!(parse_bandwidth("8kbit/s"), Ok(1e3));
        assert_eq!(parse_bandwidth("1Gbit/s"), Ok(1.25e8));
        assert_eq!(parse_bandwidth("50MB/s"), Ok(50e6));
        assert_eq!(parse_bandwidth("2KB/s"), Ok(2e3));
        assert_eq!(parse_bandwidth("1GB/s"), Ok(1e9));
        assert_eq!(parse_bandwidth("10B/s"), Ok(10.0));
        assert_eq!(parse_bandwidth("1MiB/s"), Ok(1024.0 * 1024.0));
        assert!(parse_bandwidth("100Mb").unwrap_err().contains("Mbit/s"));
        assert!(parse_bandwidth("100").unwrap_err().contains("no unit"));
    }
}
