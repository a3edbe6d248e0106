//! The key table: the one place where a scenario key is described — its type, unit,
//! default, allowed range, which variant key overrides it, and what it means.
//! Long because it is one table with a row per key of the scenario file.
//!
//! `docs/scenario-reference.md` (`reference`) and the JSON Schema (`crate::schema`) are
//! both generated from this table, and tests keep them equal to the checked-in files.
//! Which keys exist is not decided here but by the `raw` structs (`keys::tree`): a test
//! fails, naming the key and this file, when a key has no row or a row has no key. Other
//! tests check that the documented defaults, ranges and examples are what validation does.
//!
//! To add a key: add it to `raw` (and validate it), add its row to `KEYS` below (in the
//! section it belongs to), put it in that section's example, then run
//! `GEOSIM_BLESS=1 cargo test --test it reference` to regenerate the two files.

/// What a key holds. Sections (`Table`, `Array`) hold keys; the rest are values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A table (`[simulation]`, or an inline table such as `auto_promote = { ... }`).
    Table,
    /// An array of tables (`[[outage]]`).
    Array,
    /// A duration string: `"250us"`, `"2ms"`, `"1.5s"`, `"5m"`, `"2h"`, `"1d"`; 0 allowed.
    Duration,
    /// A duration string that must be more than 0.
    PositiveDuration,
    /// A latency: a duration string or a distribution table of durations.
    Latency,
    /// A size in bytes: a size string (`"1KiB"`) or a distribution table of sizes.
    Size,
    /// A bandwidth string: `"100Mbit/s"`, `"50MB/s"`, `"50MiB/s"`.
    Bandwidth,
    /// A TOML integer in `min..=max`.
    Integer { min: i64, max: i64 },
    /// A finite number (TOML integer or float) of at least `min` (more than `min` when
    /// `exclusive`).
    Number { min: f64, exclusive: bool },
    /// A fraction from 0 to 1 (TOML integer or float): `0.999` is 99.9%.
    Share,
    /// Free text, optionally matching a regular expression (JSON Schema `pattern`).
    Text { pattern: Option<&'static str> },
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// The name of a declared `[[region]]`.
    Region,
    /// A list of declared region names; `exactly` fixes its length.
    Regions { exactly: Option<usize> },
    /// A declared region, or a link between two: `"westeurope<->eastus"`.
    Target,
    /// `true` or `false`.
    Bool,
    /// A table of key paths and lists of values (`[sweep]`).
    Sweep,
    /// Any one of these kinds (e.g. a duration or `"none"`).
    AnyOf(&'static [Kind]),
}

/// What happens when a key is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// Validation refuses the file without it.
    Required,
    /// As if this TOML value were written (a test checks that it is).
    Value(&'static str),
    /// What leaving it out means, when that is not one fixed value.
    Means(&'static str),
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct KeyDoc {
    /// The key path without indices: `workload.phase.at`.
    pub path: &'static str,
    pub kind: Kind,
    pub absent: Absent,
    /// The unit of a number (`writes/s`); durations, sizes and bandwidths carry their own.
    pub unit: &'static str,
    /// Limits beyond what `kind` says (`less than duration`), in words.
    pub limits: &'static str,
    /// For a `[[variant]]` key: the base keys it overrides in that variant.
    pub overrides: &'static [&'static str],
    /// What the key means (one or two sentences; the schema's description).
    pub doc: &'static str,
    /// A top-level section: a TOML snippet that uses every key of the section. A test
    /// validates it inside a minimal scenario, and the reference takes each key's example
    /// from it. A key: its own example value, only when it cannot be in its section's
    /// example (it needs another section's keys, e.g. a snapshot variant).
    pub example: &'static str,
}

const fn key(path: &'static str, kind: Kind, absent: Absent, doc: &'static str) -> KeyDoc {
    KeyDoc {
        path,
        kind,
        absent,
        unit: "",
        limits: "",
        overrides: &[],
        doc,
        example: "",
    }
}

impl KeyDoc {
    const fn unit(mut self, unit: &'static str) -> KeyDoc {
        self.unit = unit;
        self
    }
    const fn limits(mut self, limits: &'static str) -> KeyDoc {
        self.limits = limits;
        self
    }
    const fn overrides(mut self, keys: &'static [&'static str]) -> KeyDoc {
        self.overrides = keys;
        self
    }
    const fn example(mut self, toml: &'static str) -> KeyDoc {
        self.example = toml;
        self
    }

    /// Whether this row is a table or an array of tables.
    pub fn is_section(&self) -> bool {
        matches!(self.kind, Kind::Table | Kind::Array)
    }

    /// The variant keys that override this base key, as paths (`variant.mode`).
    pub fn overridden_by(&self) -> Vec<&'static str> {
        KEYS.iter()
            .filter(|k| k.overrides.contains(&self.path))
            .map(|k| k.path)
            .collect()
    }
}

use Absent::{Means, Required, Value};
use Kind::*;

const MODES: &[&str] = &["sync", "async", "semi-sync", "snapshot"];
const MODE_LIMITS: &str = "set_mode cannot enter or leave \"snapshot\"";
/// What `scenario/protocol.rs` refuses of a key that is otherwise accepted.
const LAG_WORDS: &str =
    "\"0\" only with a preset where it means sync (azure-service-bus); \"none\": the lag never throttles";
const AT_MOST_SECONDARIES: &str = "at most the number of secondaries";
const READ_AT: &[&str] = &["primary", "nearest"];
const SNAPSHOT_ONLY: &str =
    "snapshot mode only; in [replication], only when some snapshot variant takes it; azure-site-recovery: 5m";
const KINDS: &[&str] = &["planned", "forced"];
/// A name that becomes a directory or labels CSV rows: letters, digits, `.`, `_`, `-`.
const LABEL: Option<&str> = Some("^[A-Za-z0-9_-][A-Za-z0-9._-]*$");

/// Every section and key, in file order within each section.
pub static KEYS: &[KeyDoc] = &[
    // [simulation]
    key("simulation", Table, Required, "How long to simulate, and the seed and limits of the run.")
        .example(
            r#"[simulation]
name = "cross-continent"
duration = "2h"
warmup = "1m"
seed = 42
runs = 3
bucket = "1s"
max_events = 2000000000
max_backlog = 100000000
max_duration = "400d"
"#,
        ),
    key("simulation.name", Text { pattern: LABEL }, Means("the file name without .toml"),
        "The scenario's name: it names the output directory DIR/<name>/.")
        .limits("letters, digits, `.`, `_`, `-`; not starting with `.`"),
    key("simulation.duration", PositiveDuration, Required, "Simulated time of each run.")
        .limits("at most `max_duration`"),
    key("simulation.warmup", Duration, Value(r#""0s""#),
        "Writes issued before this are not counted in any figure.")
        .limits("less than `duration`"),
    key("simulation.seed", Integer { min: 0, max: i64::MAX }, Value("1"),
        "Seed of every random stream; run r's streams derive from (seed, r). `--seed` overrides it."),
    key("simulation.runs", Integer { min: 1, max: 1_000_000 }, Value("1"),
        "Independent runs per variant, each with its own derived seeds."),
    key("simulation.bucket", PositiveDuration, Value(r#""1s""#),
        "Width of a timeseries.csv bucket.")
        .limits("at most `duration`; at most 10^7 buckets per run"),
    key("simulation.max_events", Integer { min: 1, max: i64::MAX }, Value("2000000000"),
        "Engine events one simulation may process before it stops with an error naming this key."),
    key("simulation.max_backlog", Integer { min: 1, max: i64::MAX }, Value("100000000"),
        "Writes one simulation may hold for replication before it stops with an error naming this key."),
    key("simulation.max_duration", Duration, Value(r#""400d""#),
        "A longer `duration` is refused as a likely unit mistake; raise this if you mean it."),
    // [[region]]
    key("region", Array, Required,
        "The regions: the primary, its secondaries, and any other region a link or outage names. \
Pairs of catalogue regions (`geosim regions`) get the catalogue's median RTT without a [[link]].")
        .example(
            r#"[[region]]
name = "westeurope"
commit = { dist = "lognormal", median = "2ms", p99 = "8ms" }
local_rtt = "1ms"

[[region]]
name = "eastus"
"#,
        ),
    key("region.name", Text { pattern: Some("^[a-z0-9-]+$") }, Required,
        "The region's name; a catalogue name (`geosim regions`) brings the catalogue's RTTs.")
        .limits("a-z, 0-9 and `-`; each name once"),
    key("region.commit", Latency, Value(r#""1ms""#),
        "Local durable-commit latency of a write in this region (a delay, not a server: commits overlap)."),
    key("region.local_rtt", Latency, Value(r#""1ms""#),
        "Round trip between this region and clients co-located with it."),
    // [[link]]
    key("link", Array, Means("catalogue pairs use the catalogue's median RTT, unlimited bandwidth"),
        "The network between two regions. Needed for a pair with a region outside the catalogue; \
for a catalogue pair it overrides the RTT or adds a bandwidth.")
        .example(
            r#"[[link]]
between = ["westeurope", "eastus"]
rtt = { dist = "normal", mean = "85ms", stddev = "3ms" }
bandwidth = "200Mbit/s"
"#,
        ),
    key("link.between", Regions { exactly: Some(2) }, Required, "The two regions the link joins.")
        .limits("two different declared regions; one [[link]] per pair"),
    key("link.rtt", Latency, Means("the catalogue's median RTT for a catalogue pair; required otherwise"),
        "Round-trip time; a message takes one sample / 2 one way."),
    key("link.bandwidth", Bandwidth, Means("unlimited"),
        "Replication throughput: each write takes size / bandwidth to send, one at a time per channel.")
        .limits("more than 0"),
    // [workload]
    key("workload", Table, Required, "The writers: where they are, how often they write, how big a write is, how they retry.")
        .example(
            r#"[workload]
client_region = "westeurope"
rate = 500
size = "1KiB"
timeout = "60s"
retries = 3
backoff = "1s"

[[workload.phase]]
at = "30m"
rate = 2000
"#,
        ),
    key("workload.client_region", Region, Required,
        "Where the writers are; they reach every region over its link and are never down."),
    key("workload.rate", Number { min: 0.0, exclusive: false }, Required,
        "Writes per second, Poisson arrivals (open loop), from the start of the run.")
        .unit("writes/s"),
    key("workload.size", Size, Required, "Bytes per write: a constant or a distribution of sizes.")
        .limits("more than 0 bytes"),
    key("workload.timeout", PositiveDuration, Value(r#""60s""#),
        "A client gives up on an attempt after this."),
    key("workload.retries", Integer { min: 0, max: 1_000 }, Value("3"),
        "Extra attempts after a failed one (same write id)."),
    key("workload.backoff", Duration, Value(r#""1s""#), "Wait after a failed attempt before the next."),
    key("workload.phase", Array, Means("the rate stays `workload.rate`"),
        "Rate changes over time: from `at` on, the rate is this phase's `rate`."),
    key("workload.phase.at", Duration, Required, "When the phase starts.")
        .limits("within the run; phases in ascending order, none at 0"),
    key("workload.phase.rate", Number { min: 0.0, exclusive: false }, Required,
        "Writes per second from `at` on.")
        .unit("writes/s"),
    // [replication]
    key("replication", Table, Required, "The namespace's primary, its secondaries and the base replication mode.")
        .example(
            r#"[replication]
primary = "westeurope"
secondaries = ["eastus"]
mode = "async"
max_lag = "5m"
sync_acks = "all"
semi_sync_timeout = "10s"
lag_quorum = "all"
max_lag_writes = 100000
preset = "azure-service-bus"
"#,
        ),
    key("replication.primary", Region, Required, "The region that accepts writes at the start."),
    key("replication.secondaries", Regions { exactly: None }, Required,
        "The regions that receive the replication log; a promotion targets one of them.")
        .limits("at least one; not the primary; each once"),
    key("replication.mode", Choice(MODES), Value(r#""async""#),
        "sync: a write is acknowledged once every ready secondary has applied it; async: once the primary has committed it.")
        .limits(MODE_LIMITS),
    key("replication.max_lag", AnyOf(&[Duration, Choice(&["none", "0"])]), Means(r#""5m" for an async variant, "10s" for a sync one"#),
        "Writes are throttled while the namespace lag (the oldest write not yet applied on a ready secondary) exceeds this.")
        .limits(LAG_WORDS),
    key("replication.sync_acks", AnyOf(&[Integer { min: 1, max: i64::MAX }, Choice(&["all"])]), Means(r#""all" for sync, 1 for semi-sync"#),
        "Sync and semi-sync: commit once this many ready secondaries (any of them) acknowledged.")
        .limits(AT_MOST_SECONDARIES),
    key("replication.semi_sync_timeout", PositiveDuration, Means(r#""10s" in semi-sync mode"#),
        "Semi-sync: fall back to async after a write waited this long for its acks.")
        .limits("used only in semi-sync mode"),
    key("replication.lag_quorum", AnyOf(&[Integer { min: 1, max: i64::MAX }, Choice(&["all"])]), Means(r#""all""#),
        "The lag is the lag_quorum-th smallest over the ready secondaries.")
        .limits(AT_MOST_SECONDARIES),
    key("replication.max_lag_writes", AnyOf(&[Integer { min: 1, max: i64::MAX }, Choice(&["none"])]), Means("no limit"),
        "Also throttle while more writes than this are not applied.")
        .limits("\"none\": no backlog limit"),
    key("replication.preset", Text { pattern: None }, Means("no preset"),
        "A real system's defaults and documented ranges (`geosim presets` lists them).")
        .limits("one of `geosim presets`; each value the preset documents must be in its range"),
    key("replication.snapshot_interval", PositiveDuration, Means(r#""5m" in snapshot mode"#),
        "Snapshot mode: the primary cuts one recovery point every this long.")
        .limits(SNAPSHOT_ONLY)
        // In [replication] it needs a snapshot variant, which the section cannot show.
        .example(r#""15m""#),
    // [[outage]]
    key("outage", Array, Means("no scheduled outage"), "Scheduled outages of a region or a link.")
        .example(
            r#"[[outage]]
target = "eastus"
start = "20m"
duration = "15m"
kind = "down"

[[outage]]
target = "westeurope<->eastus"
start = "40m"
duration = "5m"
kind = "slow"
factor = 5
"#,
        ),
    key("outage.target", Target, Required, "The region, or the link `\"a<->b\"`, that fails."),
    key("outage.start", Duration, Required, "When it starts.").limits("within the run"),
    key("outage.duration", PositiveDuration, Required, "How long it lasts (cut at the end of the run)."),
    key("outage.kind", Choice(&["down", "slow"]), Value(r#""down""#),
        "down: nothing gets through; slow: latencies of the target are multiplied by `factor`."),
    key("outage.factor", Number { min: 0.0, exclusive: true }, Means("required with kind = \"slow\"; refused otherwise"),
        "With kind = \"slow\": the target's commit and round trips (a region) or RTT (a link) are multiplied by this.")
        .unit("×"),
    // [[failure]]
    key("failure", Array, Means("no random failure"),
        "Random outages drawn per run (the same draws for every variant); with them `run` also estimates a year of failures.")
        .example(
            r#"[[failure]]
target = "westeurope"
mtbf = "30d"
mttr = { dist = "lognormal", median = "45m", p99 = "6h" }
"#,
        ),
    key("failure.target", Target, Required, "The region, or the link `\"a<->b\"`, that fails."),
    key("failure.mtbf", PositiveDuration, Required, "Mean time between failures (exponential).")
        .limits("at most 10^6 failures expected per run"),
    key("failure.mttr", Latency, Required, "Time to repair: a duration or a distribution of durations.")
        .limits("mean more than 0"),
    // [[action]]
    key("action", Array, Means("no operator action"),
        "Operator actions at a time; each does one thing: `promote`, `set_mode` or `set_max_lag`.")
        .example(
            r#"[[action]]
at = "30m"
promote = "planned"
target = "eastus"
escalate_after = "10m"

[[action]]
at = "40m"
set_mode = "sync"

[[action]]
at = "50m"
set_max_lag = "30s"
"#,
        ),
    key("action.at", Duration, Required, "When the operator acts.").limits("within the run"),
    key("action.promote", Choice(KINDS), Means("not a promotion"),
        "Promote a secondary: planned drains first and loses nothing; forced cuts replication at once.")
        .limits("exactly one of promote, set_mode, set_max_lag per action"),
    key("action.target", Region, Means("the default promotion target: the first ready secondary"),
        "With `promote`: the secondary to promote.")
        .limits("one of `replication.secondaries`; only with `promote`"),
    key("action.escalate_after", PositiveDuration, Means("a planned promotion waits for its drain however long"),
        "With `promote = \"planned\"`: turn forced if the drain has not finished this long after `at`.")
        .limits("only with `promote`"),
    key("action.set_mode", Choice(MODES), Means("not a mode change"),
        "Switch the replication mode; async → sync takes effect once every ready secondary has caught up."),
    key("action.set_max_lag", Duration, Means("not a max_lag change"), "Set `max_lag` from now on."),
    // [policy]
    key("policy", Table, Means("no automatic promotion, removal or failback"), "What the operator's automation does.")
        .example(
            r#"[policy]
auto_promote = { after = "15m", kind = "planned", escalate_after = "10m" }
remove_secondary_after = "30m"
failback = { after = "1h", kind = "planned" }
"#,
        ),
    key("policy.auto_promote", Table, Means("no automatic promotion"),
        "Promote when the primary region has been down this long (a link outage alone does not trigger it)."),
    key("policy.auto_promote.after", PositiveDuration, Required, "How long the primary region must have been down."),
    key("policy.auto_promote.kind", Choice(KINDS), Required, "The kind of the automatic promotion."),
    key("policy.auto_promote.escalate_after", PositiveDuration, Means("a planned promotion waits for its drain however long"),
        "A planned auto-promotion turns forced if not complete this long after its request."),
    key("policy.remove_secondary_after", PositiveDuration, Means("secondaries are never removed"),
        "Drop a secondary unreachable this long from the replication set (ends its throttling); it resyncs when back."),
    key("policy.failback", Table, Means("no failback: after a promotion the old primary stays a secondary"),
        "Fail over, repair, fail back: once the scenario's primary (`replication.primary`) has been ready this long after a promotion away from it, promote it back (read-only window, drain if planned, switch, DNS, as any promotion)."),
    key("policy.failback.after", PositiveDuration, Required,
        "How long the old primary must have been ready (caught up and reachable) without a break."),
    key("policy.failback.kind", Choice(KINDS), Value(r#""planned""#), "The kind of the failback promotion."),
    // [promotion]
    key("promotion", Table, Means("switch = \"30s\", dns = \"2m\""), "How long the steps of every promotion take.")
        .example(
            r#"[promotion]
switch = "30s"
dns = "2m"
"#,
        ),
    key("promotion.switch", Duration, Value(r#""30s""#), "Role switch once a promotion may complete."),
    key("promotion.dns", Duration, Value(r#""2m""#),
        "Hostname repoint: clients move to the new primary over this window."),
    // [[variant]]
    key("variant", Array, Means("sync-planned, sync-forced, async-planned, async-forced"),
        "The variants run side by side on the same random draws; each overrides some base keys.")
        .example(
            r#"[[variant]]
name = "sync"
mode = "sync"

[[variant]]
name = "async-5m-forced"
mode = "async"
max_lag = "5m"
promote = "forced"
sync_acks = "all"
semi_sync_timeout = "5s"
lag_quorum = "all"
preset = "azure-service-bus"
objectives = { rpo = "10s", rto = "30m", availability = 0.999, latency_p99 = "50ms", stale_read_share = 0.01, cost_month = 5000 }
reads = { at = "primary" }
max_lag_writes = "none"

[[variant]]
name = "points-15m"
mode = "snapshot"
snapshot_interval = "15m"
"#,
        ),
    key("variant.name", Text { pattern: LABEL }, Required, "The variant's label in CSV rows and charts.")
        .limits("letters, digits, `.`, `_`, `-`; each name once"),
    key("variant.mode", Choice(MODES), Means("`replication.mode`"), "This variant's replication mode.")
        .overrides(&["replication.mode"])
        .limits(MODE_LIMITS),
    key("variant.max_lag", AnyOf(&[Duration, Choice(&["none", "0"])]), Means("`replication.max_lag`, else its default for this variant's mode"),
        "This variant's throttle threshold.")
        .overrides(&["replication.max_lag"])
        .limits(LAG_WORDS),
    key("variant.promote", Choice(KINDS), Means("each promotion keeps its own kind"),
        "Every promotion of this variant (actions and policy) is of this kind.")
        .overrides(&["action.promote", "policy.auto_promote.kind", "policy.failback.kind"]),
    key("variant.sync_acks", AnyOf(&[Integer { min: 1, max: i64::MAX }, Choice(&["all"])]), Means("`replication.sync_acks`"),
        "This variant's quorum.").overrides(&["replication.sync_acks"]).limits(AT_MOST_SECONDARIES),
    key("variant.semi_sync_timeout", PositiveDuration, Means("`replication.semi_sync_timeout`"),
        "This variant's semi-sync timeout.").overrides(&["replication.semi_sync_timeout"]),
    key("variant.lag_quorum", AnyOf(&[Integer { min: 1, max: i64::MAX }, Choice(&["all"])]), Means("`replication.lag_quorum`"),
        "This variant's lag quorum.").overrides(&["replication.lag_quorum"]).limits(AT_MOST_SECONDARIES),
    key("variant.max_lag_writes", AnyOf(&[Integer { min: 1, max: i64::MAX }, Choice(&["none"])]), Means("`replication.max_lag_writes`"),
        "This variant's backlog limit.").overrides(&["replication.max_lag_writes"]),
    key("variant.preset", Text { pattern: None }, Means("`replication.preset`"),
        "This variant's preset.").overrides(&["replication.preset"]),
    key("variant.snapshot_interval", PositiveDuration, Means("`replication.snapshot_interval`"),
        "This variant's recovery-point interval in snapshot mode.")
        .overrides(&["replication.snapshot_interval"])
        .limits(SNAPSHOT_ONLY),
    key("variant.reads", Table, Means("the variant reads as `[reads]` says"),
        "Where this variant's readers read, to compare read placements side by side (needs `[reads]`)."),
    key("variant.reads.at", Choice(READ_AT), Required, "This variant's read placement.")
        .overrides(&["reads.at"]),
    key("variant.objectives", Table, Means("the base `[objectives]`"),
        "This variant's own limits, key by key over `[objectives]`."),
    key("variant.objectives.rpo", Duration, Means("`objectives.rpo`"), "This variant's RPO limit.")
        .overrides(&["objectives.rpo"]),
    key("variant.objectives.rto", Duration, Means("`objectives.rto`"), "This variant's RTO limit.")
        .overrides(&["objectives.rto"]),
    key("variant.objectives.availability", Share, Means("`objectives.availability`"), "This variant's availability floor.")
        .overrides(&["objectives.availability"]),
    key("variant.objectives.latency_p99", PositiveDuration, Means("`objectives.latency_p99`"), "This variant's write latency limit.")
        .overrides(&["objectives.latency_p99"]),
    key("variant.objectives.stale_read_share", Share, Means("`objectives.stale_read_share`"), "This variant's stale-read limit.")
        .overrides(&["objectives.stale_read_share"]),
    key("variant.objectives.cost_month", Number { min: 0.0, exclusive: false }, Means("`objectives.cost_month`"), "This variant's monthly budget.")
        .unit("currency/month")
        .overrides(&["objectives.cost_month"]),
    // [cost]
    key("cost", Table, Means("no cost columns (they are empty)"),
        "A price list in the structure of Service Bus Premium: unit-hours per region and replicated GB per secondary.")
        .example(
            r#"[cost]
units = 1
unit_hour = 0.928
secondary_unit_hour = 0.928
replicated_gb = 0.09
currency = "USD"
"#,
        ),
    key("cost.units", Integer { min: 1, max: 10_000 }, Value("1"),
        "Messaging units of the primary; each secondary runs as many."),
    key("cost.unit_hour", Number { min: 0.0, exclusive: false }, Required, "Price of one unit-hour.")
        .unit("currency/unit-hour"),
    key("cost.secondary_unit_hour", Number { min: 0.0, exclusive: false }, Means("`unit_hour`"),
        "Price of a secondary's unit-hour.")
        .unit("currency/unit-hour"),
    key("cost.replicated_gb", Number { min: 0.0, exclusive: false }, Value("0.0"),
        "Price per GB (10^9 bytes) accepted, charged per secondary.")
        .unit("currency/GB"),
    key("cost.currency", Text { pattern: None }, Value(r#""USD""#), "A label for the prices; nothing is converted.")
        .limits("1 to 16 characters"),
    // [reads]
    key("reads", Table, Means("no reads are simulated"),
        "Readers: Poisson reads from a region, answered by the primary or the nearest up region of the replication set.")
        .example(
            r#"[reads]
rate = 2000
from = "westeurope"
at = "nearest"
"#,
        ),
    key("reads.rate", Number { min: 0.0, exclusive: false }, Required, "Reads per second, Poisson arrivals (open loop).")
        .unit("reads/s"),
    key("reads.from", Region, Means("`workload.client_region`"), "Where the readers are."),
    key("reads.at", Choice(READ_AT), Value(r#""primary""#),
        "primary: where the client's DNS view sends a write; nearest: the up region of the replication set with the smallest mean RTT from `from`."),
    // [objectives]
    key("objectives", Table, Means("no verdict; objectives_met and objectives_missed are empty"),
        "What the service must meet; report.html and the terminal summary open with the verdict: which variants meet every objective.")
        .example(
            r#"[objectives]
rpo = "5s"
rto = "30m"
availability = 0.999
latency_p99 = "50ms"
stale_read_share = 0.01
cost_month = 5000
"#,
        ),
    key("objectives.rpo", Duration, Means("no RPO objective"), "rpo_s at most this."),
    key("objectives.rto", Duration, Means("no RTO objective"),
        "rto_s at most this; it applies only to a run where the primary had an outage."),
    key("objectives.availability", Share, Means("no availability objective"),
        "availability at least this (a fraction: 0.999 is 99.9%)."),
    key("objectives.latency_p99", PositiveDuration, Means("no latency objective"),
        "first_try_latency_p99_ms at most this."),
    key("objectives.stale_read_share", Share, Means("no stale-read objective"),
        "stale_read_share at most this; it applies once a read was answered (needs `[reads]`)."),
    key("objectives.cost_month", Number { min: 0.0, exclusive: false }, Means("no budget"),
        "cost_month at most this; it applies only with `[cost]`.")
        .unit("currency/month"),
    // [sweep]
    key("sweep", Sweep, Means("`geosim sweep` needs --set"),
        "Parameter sweeps for `geosim sweep`: a key path and the list of its values; the grid is their product.")
        .limits("each key a settable key path, each value a non-empty list")
        .example(
            r#"[sweep]
"workload.rate" = [500, 1000, 2000]
"replication.max_lag" = ["1m", "5m"]
"#,
        ),
];

/// The row of `path` (names without indices).
pub fn find(path: &str) -> Option<&'static KeyDoc> {
    KEYS.iter().find(|k| k.path == path)
}

/// The top-level section `path` belongs to (`workload` for `workload.phase.at`).
pub fn section_of(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Rows whose path has no key in the scenario, and keys that have no row, as messages for
/// whoever changed one without the other.
pub fn drift() -> Vec<String> {
    drift_of(KEYS, &super::keys::tree())
}

fn drift_of(rows: &[KeyDoc], tree: &[(String, super::keys::Node)]) -> Vec<String> {
    use super::keys::Node;
    let find = |path: &str| rows.iter().find(|k| k.path == path);
    let mut problems = Vec::new();
    for (path, node) in tree {
        match find(path) {
            None => problems.push(format!(
                "scenario key `{path}` (declared in src/scenario/raw.rs) has no row in the key table: \
add one to KEYS in src/scenario/key_table.rs (type, default, range, what it means; in a [[variant]] \
the base keys it overrides), use it in its section's example, then regenerate the reference and \
schema with `GEOSIM_BLESS=1 cargo test --test it reference`"
            )),
            Some(row) => {
                let expected = match node {
                    Node::Table => row.kind == Kind::Table,
                    Node::Array => row.kind == Kind::Array,
                    Node::Value => !row.is_section(),
                };
                if !expected {
                    problems.push(format!(
                        "`{path}` is a {node:?} in src/scenario/raw.rs but its row in src/scenario/key_table.rs has kind {:?}",
                        row.kind
                    ));
                }
            }
        }
    }
    for row in rows {
        if !tree.iter().any(|(p, _)| p == row.path) {
            problems.push(format!(
                "src/scenario/key_table.rs has a row for `{}`, which is not a scenario key (src/scenario/raw.rs): remove or rename the row",
                row.path
            ));
        }
        for base in row.overrides {
            if find(base).is_none() {
                problems.push(format!(
                    "`{}` in src/scenario/key_table.rs overrides `{base}`, which has no row",
                    row.path
                ));
            }
        }
        let top = !row.path.contains('.');
        if top && row.example.is_empty() {
            problems.push(format!(
                "section `{}` in src/scenario/key_table.rs has no example: give it a TOML snippet using every key",
                row.path
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_row_and_every_row_a_key() {
        let problems = drift();
        assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    }

    #[test]
    fn drift_names_a_missing_key_and_the_file_to_edit() {
        // What a helper adding a key to `raw` without a row would see.
        let mut tree = crate::scenario::keys::tree();
        tree.push((
            "workload.not_a_key".into(),
            crate::scenario::keys::Node::Value,
        ));
        let problems = drift_of(KEYS, &tree);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("scenario key `workload.not_a_key` (declared in src/scenario/raw.rs) has no row in the key table: add one to KEYS in src/scenario/key_table.rs"), "{}", problems[0]);
        // And a row left behind by a renamed key.
        let tree: Vec<_> = crate::scenario::keys::tree()
            .into_iter()
            .filter(|(p, _)| p != "promotion.dns")
            .collect();
        let problems = drift_of(KEYS, &tree);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("a row for `promotion.dns`, which is not a scenario key"));
        let row = find("workload.rate").unwrap();
        assert_eq!(section_of(row.path), "workload");
        assert_eq!(
            find("replication.mode").unwrap().overridden_by(),
            ["variant.mode"]
        );
        assert_eq!(
            find("policy.auto_promote.kind").unwrap().overridden_by(),
            ["variant.promote"]
        );
        assert_eq!(
            find("policy.failback.kind").unwrap().overridden_by(),
            ["variant.promote"]
        );
    }

    #[test]
    fn rows_are_in_file_order_of_sections() {
        // Rows of a section are together, so the reference lists each section once.
        let mut seen: Vec<&str> = Vec::new();
        for row in KEYS {
            let s = section_of(row.path);
            if seen.last() != Some(&s) {
                assert!(!seen.contains(&s), "rows of [{s}] are split in KEYS");
                seen.push(s);
            }
        }
    }
}
