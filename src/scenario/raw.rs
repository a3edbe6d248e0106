//! The scenario file exactly as written: serde structs mirroring SPEC §2.2.
//!
//! Nothing here is checked beyond TOML types; `validate` turns a `RawScenario` into a
//! `Model`. Every table denies unknown keys so a typo is an error, not a silent default.
//! Every key is optional at this level so that a missing key gets a message from
//! `validate` that names it, rather than serde's. Values are `Spanned` so errors can point
//! at them; quantities with units stay text until `validate` parses them.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: Option<S<RawSimulation>>,
    pub region: Option<Vec<S<RawRegion>>>,
    pub link: Option<Vec<S<RawLink>>>,
    pub workload: Option<S<RawWorkload>>,
    pub replication: Option<S<RawReplication>>,
    pub outage: Option<Vec<S<RawOutage>>>,
    pub failure: Option<Vec<S<RawFailure>>>,
    pub action: Option<Vec<S<RawAction>>>,
    pub policy: Option<S<RawPolicy>>,
    pub promotion: Option<S<RawPromotion>>,
    pub variant: Option<Vec<S<RawVariant>>>,
    /// geosim addition: the price list (`crate::cost`).
    pub cost: Option<S<RawCost>>,
    /// Readers and where they read (SPEC §7).
    pub reads: Option<S<RawReads>>,
    /// SPEC §8: what every variant must meet.
    pub objectives: Option<S<RawObjectives>>,
    /// geosim addition: parameter sweeps, `"key.path" = [values]`, read by `geosim sweep`.
    pub sweep: Option<S<RawSweep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub name: Option<S<String>>,
    pub duration: Option<S<Duration>>,
    pub warmup: Option<S<Duration>>,
    pub seed: Option<S<i64>>,
    pub runs: Option<S<i64>>,
    pub bucket: Option<S<Duration>>,
    pub max_events: Option<S<i64>>,
    pub max_backlog: Option<S<i64>>,
    pub max_duration: Option<S<Duration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub name: Option<S<String>>,
    pub commit: Option<S<Quantity>>,
    pub local_rtt: Option<S<Quantity>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub between: Option<S<Vec<S<String>>>>,
    pub rtt: Option<S<Quantity>>,
    pub bandwidth: Option<S<Bandwidth>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub client_region: Option<S<String>>,
    pub rate: Option<S<f64>>,
    pub size: Option<S<Quantity>>,
    pub timeout: Option<S<Duration>>,
    pub retries: Option<S<i64>>,
    pub backoff: Option<S<Duration>>,
    pub phase: Option<Vec<S<RawPhase>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPhase {
    pub at: Option<S<Duration>>,
    pub rate: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplication {
    pub primary: Option<S<String>>,
    pub secondaries: Option<S<Vec<S<String>>>>,
    pub mode: Option<S<String>>,
    pub max_lag: Option<S<Duration>>,
    /// Snapshot mode: one recovery point every this long (SPEC §6.4).
    pub snapshot_interval: Option<S<Duration>>,
    /// SPEC §6.1: acks needed from this many ready secondaries (or "all").
    pub sync_acks: Option<S<Count>>,
    /// SPEC §6.2: semi-sync falls back to async after a write waited this long.
    pub semi_sync_timeout: Option<S<Duration>>,
    /// SPEC §6.3: lag and backlog count over the k-th smallest ready secondary (or "all").
    pub lag_quorum: Option<S<Count>>,
    /// SPEC §6.3: also throttle while more writes than this are not applied (or "none").
    pub max_lag_writes: Option<S<Count>>,
    /// SPEC §6.5: a real system's defaults and documented ranges.
    pub preset: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutage {
    pub target: Option<S<String>>,
    pub start: Option<S<Duration>>,
    pub duration: Option<S<Duration>>,
    pub kind: Option<S<String>>,
    pub factor: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailure {
    pub target: Option<S<String>>,
    pub mtbf: Option<S<Duration>>,
    pub mttr: Option<S<Quantity>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub at: Option<S<Duration>>,
    pub promote: Option<S<String>>,
    pub target: Option<S<String>>,
    pub escalate_after: Option<S<Duration>>,
    pub set_mode: Option<S<String>>,
    pub set_max_lag: Option<S<Duration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub auto_promote: Option<S<RawAutoPromote>>,
    pub remove_secondary_after: Option<S<Duration>>,
    /// geosim addition: promote the scenario's primary back once it is ready again.
    pub failback: Option<S<RawFailback>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailback {
    pub after: Option<S<Duration>>,
    pub kind: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoPromote {
    pub after: Option<S<Duration>>,
    pub kind: Option<S<String>>,
    /// geosim addition: a planned auto-promotion turns forced after this.
    pub escalate_after: Option<S<Duration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPromotion {
    pub switch: Option<S<Duration>>,
    pub dns: Option<S<Duration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub name: Option<S<String>>,
    pub mode: Option<S<String>>,
    pub max_lag: Option<S<Duration>>,
    pub promote: Option<S<String>>,
    pub snapshot_interval: Option<S<Duration>>,
    /// Where this variant's readers read (SPEC §10): only `at` may differ per variant.
    pub reads: Option<S<RawVariantReads>>,
    /// SPEC §6.1: acks needed from this many ready secondaries (or "all").
    pub sync_acks: Option<S<Count>>,
    /// SPEC §6.2: semi-sync falls back to async after a write waited this long.
    pub semi_sync_timeout: Option<S<Duration>>,
    /// SPEC §6.3: lag and backlog count over the k-th smallest ready secondary (or "all").
    pub lag_quorum: Option<S<Count>>,
    /// SPEC §6.3: also throttle while more writes than this are not applied (or "none").
    pub max_lag_writes: Option<S<Count>>,
    /// SPEC §6.5: a real system's defaults and documented ranges.
    pub preset: Option<S<String>>,
    /// This variant's objectives, key by key over `[objectives]`.
    pub objectives: Option<S<RawObjectives>>,
}

/// `[reads]` (SPEC §7): Poisson reads from a region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReads {
    pub rate: Option<S<f64>>,
    pub from: Option<S<String>>,
    pub at: Option<S<String>>,
}

/// A variant's `reads = { at = "primary" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariantReads {
    pub at: Option<S<String>>,
}

/// `[objectives]` (SPEC §8), also `objectives = { ... }` in a `[[variant]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObjectives {
    pub rpo: Option<S<Duration>>,
    pub rto: Option<S<Duration>>,
    pub availability: Option<S<f64>>,
    pub latency_p99: Option<S<Duration>>,
    pub stale_read_share: Option<S<f64>>,
    pub cost_month: Option<S<f64>>,
}

/// `[cost]`, in the structure of Service Bus Premium pricing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub units: Option<S<i64>>,
    pub unit_hour: Option<S<f64>>,
    pub secondary_unit_hour: Option<S<f64>>,
    pub replicated_gb: Option<S<f64>>,
    pub currency: Option<S<String>>,
}

/// A string whose TOML type error should say what kind of text is expected
/// (serde's "expected a string" does not tell the user to write `"2h"`).
macro_rules! unit_text {
    ($name:ident, $expecting:literal) => {
        #[doc = concat!("The text of ", $expecting, ".")]
        #[derive(Debug, Clone)]
        pub struct $name(pub String);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name(v.to_string()))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

unit_text!(
    Duration,
    "a duration string with a unit, such as \"250us\", \"2ms\", \"1.5s\", \"5m\" or \"2h\""
);
unit_text!(
    Bandwidth,
    "a bandwidth string with a unit, such as \"100Mbit/s\" or \"50MB/s\""
);

/// A count that may also be a word: `sync_acks = 2` or `"all"`, `max_lag_writes =
/// 100000` or `"none"`. Validation decides which words a key takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Count {
    Number(i64),
    Word(String),
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number such as 2, or a word such as \"all\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                Ok(Count::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Count, E> {
                Ok(Count::Word(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A latency or a size: a constant (`"2ms"`, `"1KiB"`) or a distribution table
/// (`{ dist = "lognormal", median = "2ms", p99 = "9ms" }`, SPEC §2.1). The table is kept as
/// spanned key/value pairs in file order so each parameter can be checked and pointed at.
#[derive(Debug, Clone)]
pub enum Quantity {
    Constant(String),
    Dist(Vec<(S<String>, S<toml::Value>)>),
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a constant with a unit, such as \"2ms\" or \"1KiB\", or a distribution table such as { dist = \"lognormal\", median = \"2ms\", p99 = \"9ms\" }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity::Constant(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Quantity, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<S<String>>()? {
                    let value = map.next_value::<S<toml::Value>>()?;
                    entries.push((key, value));
                }
                Ok(Quantity::Dist(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `[sweep]` table: key paths and their lists of values. The keys keep their spans:
/// their file order decides the order of the grid's axes.
#[derive(Debug, Clone, Default)]
pub struct RawSweep(pub Vec<(S<String>, S<toml::Value>)>);

impl<'de> Deserialize<'de> for RawSweep {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSweep;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of key paths and lists of values, such as \"workload.rate\" = [500, 1000]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSweep, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<S<String>>()? {
                    entries.push((key, map.next_value::<S<toml::Value>>()?));
                }
                Ok(RawSweep(entries))
            }
        }
        d.deserialize_map(V)
    }
}
