//! `run.json`: what reproduces and characterises a run (version, scenario hash,
//! seed, wall time, events).

use crate::model::Model;

pub struct RunInfo<'a> {
    pub version: &'a str,
    pub scenario_file: &'a str,
    pub scenario_hash: &'a str,
    pub seed: u64,
    pub wall_s: f64,
    pub events: u64,
    pub variants: Vec<&'a str>,
    /// `run --set KEY=VALUE`s applied to the scenario file (`crate::overrides`).
    pub sets: &'a [String],
}

/// A JSON string literal (quotes, backslashes and control characters escaped).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn run_json(model: &Model, info: &RunInfo) -> String {
    let events_per_s = if info.wall_s > 0.0 {
        info.events as f64 / info.wall_s
    } else {
        0.0
    };
    let variants: Vec<String> = info.variants.iter().map(|v| quote(v)).collect();
    let sets: Vec<String> = info.sets.iter().map(|s| quote(s)).collect();
    format!(
        "{{\n  \"geosim_version\": {},\n  \"scenario\": {},\n  \"scenario_file\": {},\n  \"set\": [{}],\n  \"scenario_hash\": {},\n  \"seed\": {},\n  \"runs\": {},\n  \"variants\": [{}],\n  \"wall_s\": {:.3},\n  \"events\": {},\n  \"events_per_s\": {:.0}\n}}\n",
        quote(info.version),
        quote(&model.name),
        quote(info.scenario_file),
        sets.join(", "),
        quote(info.scenario_hash),
        info.seed,
        model.runs,
        variants.join(", "),
        info.wall_s,
        info.events,
        events_per_s
    )
}

/// FNV-1a 64-bit hash of the scenario text: a short, stable fingerprint.
pub fn scenario_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }

    #[test]
    fn fnv_known_value() {
        assert_eq!(scenario_hash(b""), "cbf29ce484222325");
        assert_eq!(scenario_hash(b"a"), "af63dc4c8601ec8c");
    }
}
