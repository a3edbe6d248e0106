//! Capacity planning over many runs: parameter sweeps over a grid of scenario keys,
//! statistics over independent runs (shared with `aggregate.csv`), and sweeps split into
//! shards across machines and merged back.
//!
//! ```text
//! scenario text + [sweep] + --set ─▶ grid (apply each point to the TOML document)
//!   ─▶ scenario::parse per point ─▶ exec (points × variants × runs, one rayon task list)
//!   ─▶ data (one row per run) ─▶ shard file  ─┐
//!                              └─────────────┴─▶ merge ─▶ report::sweep_* (csv, charts, html)
//! ```
//!
//! The engine is used as `geosim run` uses it; nothing here changes what a run computes.

pub mod args;
pub mod data;
pub mod exec;
pub mod figures;
pub mod grid;
pub mod merge;
pub mod shard;
pub mod table;

/// What a scenario is about: the comment that opens its file (its first paragraph,
/// up to a bare `#` line; directives such as `#:schema` skipped), on one line, without
/// the "Run it with …" instructions that close it.
pub fn description(text: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('#') else {
            break;
        };
        if rest.starts_with(':') {
            continue;
        }
        if rest.trim().is_empty() {
            if words.is_empty() {
                continue;
            }
            break;
        }
        words.extend(rest.split_whitespace());
    }
    let joined = words.join(" ");
    match joined.find(" Run it with") {
        Some(at) => joined[..at].to_string(),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn description_is_the_opening_comment() {
        let text = "#:schema ./x.json\n# Covers: a study.\n# Scenario: two\n#   regions. Run it with\n#     geosim sweep x\n#\n#   a ── b\n[simulation]\n";
        assert_eq!(
            super::description(text),
            "Covers: a study. Scenario: two regions."
        );
        assert_eq!(super::description("[simulation]\n# late\n"), "");
    }
}
