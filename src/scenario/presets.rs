//! SPEC §6.5 presets: the defaults and documented ranges of real systems, as data.
//!
//! A preset says what it *sets* (the value a key takes when the scenario leaves it out)
//! and what it *refuses* (a rule with the sentence of the system's own documentation that
//! states it, and where that sentence is). `scenario::protocol` applies them while it
//! resolves a variant's keys; `geosim presets` prints them (`describe`). Every number here
//! was checked against the cited page; where the documentation and SPEC §6.5 differ, the
//! documentation wins and `notes` says so. Nothing here knows the engine.
//!
//! Long because it is data: every preset's rules, ranges and the quoted sentences of
//! the documentation they come from.

use std::fmt::Write as _;

use crate::model::{AutoPromote, Nanos, PromoteKind, Quorum, NS_PER_S};

const MIN: Nanos = 60 * NS_PER_S;
const HOUR: Nanos = 3_600 * NS_PER_S;
const DAY: Nanos = 86_400 * NS_PER_S;
/// The largest 32-bit signed integer: the API limit of several of the ranges below.
const I32_MAX: u64 = 2_147_483_647;

/// Where a rule or default comes from: a page and the sentence on it that states it.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub url: &'static str,
    pub quote: &'static str,
}

/// `max_lag` as a preset sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lag {
    /// The lag never throttles (`max_lag = "none"`).
    Off,
    At(Nanos),
}

/// What a preset sets; `None` leaves the key to the defaults of SPEC §2.2 and §6.
#[derive(Debug, Clone, Copy)]
pub struct Sets {
    /// A replication mode as a scenario writes it (`"async"`, `"semi-sync"`, …).
    pub mode: &'static str,
    pub max_lag: Option<Lag>,
    pub lag_quorum: Option<Quorum>,
    pub sync_acks: Option<Quorum>,
    pub semi_sync_timeout: Option<Nanos>,
    pub max_lag_writes: Option<u64>,
    /// `[policy] auto_promote` when the scenario sets none.
    pub auto_promote: Option<AutoPromote>,
    pub snapshot_interval: Option<Nanos>,
}

const SETS: Sets = Sets {
    mode: "async",
    max_lag: None,
    lag_quorum: None,
    sync_acks: None,
    semi_sync_timeout: None,
    max_lag_writes: None,
    auto_promote: None,
    snapshot_interval: None,
};

/// A documented limit a variant under the preset must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// At most this many secondaries.
    MaxSecondaries(usize),
    /// The system has this mode only (`"async"`).
    ModeOnly(&'static str),
    /// A `max_lag` duration in [min, max]; `required`: `"none"` is refused too;
    /// `async_only`: the range applies to async variants only.
    MaxLag {
        min: Nanos,
        max: Nanos,
        required: bool,
        async_only: bool,
    },
    /// `max_lag_writes` set, in [min, max].
    MaxLagWrites { min: u64, max: u64 },
    /// `lag_quorum` must be this.
    LagQuorum(Quorum),
    /// `[policy] auto_promote.after` at least this.
    AutoPromoteAfter(Nanos),
    /// `snapshot_interval` must be exactly this.
    SnapshotInterval(Nanos),
}

/// A rule and the documentation that states it.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub rule: Rule,
    pub sources: &'static [Source],
}

#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    /// The system and configuration it models.
    pub system: &'static str,
    pub sets: Sets,
    /// Where the defaults come from.
    pub sources: &'static [Source],
    pub refuses: &'static [Check],
    /// What the model simplifies, and where the documentation says more than SPEC §6.5.
    pub notes: &'static [&'static str],
    /// Service Bus: `max_lag = "0"` means sync (SPEC §10).
    pub zero_lag_means_sync: bool,
}

const SB_LAG: Source = Source {
    url: "https://learn.microsoft.com/dotnet/api/azure.resourcemanager.servicebus.models.geodatareplicationproperties.maxreplicationlagdurationinseconds",
    quote: "The maximum acceptable lag for data replication operations from the primary replica to a quorum of secondary replicas. When the lag exceeds the configured amount, operations on the primary replica will be failed. The allowed values are 0 and 5 minutes to 1 day.",
};
const SB_ONE: Source = Source {
    url: "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-geo-replication",
    quote: "Currently only a single secondary is supported.",
};
const SB_THROTTLE: Source = Source {
    url: "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-geo-replication",
    quote: "If the lag for an active secondary grows beyond user configuration, the primary starts throttling incoming requests.",
};
const SQL_ASYNC: Source = Source {
    url: "https://learn.microsoft.com/azure/azure-sql/database/failover-group-sql-db",
    quote: "Because data is replicated to the secondary using asynchronous replication, forced failover of groups with Microsoft managed failover policies can result in data loss.",
};
const SQL_GRACE: Source = Source {
    url: "https://learn.microsoft.com/azure/azure-sql/database/failover-group-sql-db#microsoft-managed",
    quote: "Because verifying the scale of, and mitigating, the outage depends on human actions, the grace period can't be set below one hour.",
};
const SQL_GRACE_DEFAULT: Source = Source {
    url: "https://learn.microsoft.com/powershell/module/az.sql/new-azsqldatabasefailovergroup",
    quote: "Only values greater than or equal to 1 hour are supported for the '-GracePeriodWithDataLossHours' parameter.",
};
const SQL_TWO: Source = Source {
    url: "https://learn.microsoft.com/azure/azure-sql/database/failover-group-sql-db",
    quote: "One or many failover groups can be created between two servers in different regions (primary and secondary servers).",
};
const COSMOS_MIN: Source = Source {
    url: "https://learn.microsoft.com/azure/cosmos-db/consistency-levels#consistency-levels-and-data-durability",
    quote: "For multi-region accounts the minimum value of K and T is 100,000 write operations or 300 seconds.",
};
const COSMOS_K_API: Source = Source {
    url: "https://learn.microsoft.com/javascript/api/@azure/arm-cosmosdb/consistencypolicy",
    quote: "maxStalenessPrefix: When used with the Bounded Staleness consistency level, this value represents the number of stale requests tolerated. Accepted range for this value is 1 – 2,147,483,647.",
};
const COSMOS_T_API: Source = Source {
    url: "https://learn.microsoft.com/javascript/api/@azure/arm-cosmosdb/consistencypolicy",
    quote: "maxIntervalInSeconds: When used with the Bounded Staleness consistency level, this value represents the time amount of staleness (in seconds) tolerated. Accepted range for this value is 5 - 86400.",
};
const COSMOS_THROTTLE: Source = Source {
    url: "https://learn.microsoft.com/azure/cosmos-db/consistency-levels#bounded-staleness-consistency",
    quote: "If the data lag in a region (determined per physical partition) exceeds the configured staleness value, writes for that partition are throttled until staleness is back within the configured upper bound.",
};
const COSMOS_LOCAL: Source = Source {
    url: "https://learn.microsoft.com/azure/cosmos-db/consistency-levels#consistency-levels-and-throughput",
    quote: "For strong consistency, changes need to be committed in every region (global majority) while for all other consistency levels, local majority (three replicas in a four replica set) is being used.",
};
const AURORA_RPO: Source = Source {
    url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery",
    quote: "Valid values are from 20 seconds up to the maximum integer value of 2,147,483,647 (68 years).",
};
const AURORA_ONE: Source = Source {
    url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery",
    quote: "Aurora PostgreSQL blocks transaction commits if there is no secondary DB cluster that has an RPO lag time less than the RPO time.",
};
const AURORA_TEN: Source = Source {
    url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html",
    quote: "At least one secondary AWS Region is required, but an Aurora global database can have up to 10 secondary AWS Regions.",
};
const AURORA_ASYNC: Source = Source {
    url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html",
    quote: "This data loss is usually due to asynchronous replication lag.",
};
const MYSQL_TIMEOUT: Source = Source {
    url: "https://dev.mysql.com/doc/refman/8.4/en/replication-semisync-interface.html",
    quote: "A value in milliseconds that controls how long the source waits on a commit for acknowledgment from a replica before timing out and reverting to asynchronous replication. The default value is 10000 (10 seconds).",
};
const MYSQL_COUNT: Source = Source {
    url: "https://dev.mysql.com/doc/refman/8.4/en/replication-semisync-interface.html",
    quote: "The default is 1, meaning that the source only waits for one replica to acknowledge receipt of the transaction's events.",
};
const MYSQL_RETURN: Source = Source {
    url: "https://dev.mysql.com/doc/refman/8.4/en/replication-semisync.html",
    quote: "If a timeout occurs without any replica having acknowledged the transaction, the source reverts to asynchronous replication. When at least one semisynchronous replica catches up, the source returns to semisynchronous replication.",
};
const PG_ANY: Source = Source {
    url: "https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-SYNCHRONOUS-STANDBY-NAMES",
    quote: "The keyword ANY, coupled with num_sync, specifies a quorum-based synchronous replication and makes transaction commits wait until their WAL records are replicated to at least num_sync listed standbys.",
};
const PG_BLOCK: Source = Source {
    url: "https://www.postgresql.org/docs/current/warm-standby.html#SYNCHRONOUS-REPLICATION-HA",
    quote: "Commits made when synchronous_commit is set to on or remote_write will wait until the synchronous standby responds. The response may never occur if the last, or only, standby should crash.",
};
const ASR_FIVE: Source = Source {
    url: "https://learn.microsoft.com/azure/site-recovery/azure-to-azure-architecture#crash-consistent",
    quote: "Site Recovery creates crash-consistent recovery points every five minutes by default. This setting can't be modified.",
};
const GRS_ASYNC: Source = Source {
    url: "https://learn.microsoft.com/azure/storage/common/last-sync-time-get",
    quote: "Geo-redundant storage (GRS) and geo-zone-redundant storage (GZRS) both replicate your data asynchronously to a secondary region.",
};
const GRS_ONE: Source = Source {
    url: "https://learn.microsoft.com/azure/storage/common/storage-redundancy",
    quote: "It then copies your data asynchronously to a single physical location in the secondary region.",
};
const GRS_FAILOVER: Source = Source {
    url: "https://learn.microsoft.com/azure/storage/common/storage-initiate-account-failover",
    quote: "To help minimize downtime, Azure Storage supports customer-managed failover to keep your data available during both partial and complete outages.",
};

/// Every preset, in the order `geosim presets` lists them.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "azure-service-bus",
        system: "Azure Service Bus geo-replication (Premium namespace)",
        sets: Sets {
            mode: "async",
            max_lag: Some(Lag::At(5 * MIN)),
            lag_quorum: Some(Quorum::All),
            ..SETS
        },
        sources: &[SB_THROTTLE, SB_LAG],
        refuses: &[
            Check {
                rule: Rule::MaxSecondaries(1),
                sources: &[SB_ONE],
            },
            Check {
                rule: Rule::MaxLag {
                    min: 5 * MIN,
                    max: DAY,
                    required: false,
                    async_only: true,
                },
                sources: &[SB_LAG],
            },
        ],
        notes: &[
            "max_lag = \"0\" means sync, as maxReplicationLagDurationInSeconds = 0 does; such a variant throttles as a sync variant does (max_lag 10s).",
            "No default lag is documented; 5m, the smallest allowed value, is geosim's.",
        ],
        zero_lag_means_sync: true,
    },
    Preset {
        name: "azure-sql-failover-group",
        system: "Azure SQL Database failover group (Microsoft-managed failover policy)",
        sets: Sets {
            mode: "async",
            max_lag: Some(Lag::Off),
            auto_promote: Some(AutoPromote {
                after: HOUR,
                kind: PromoteKind::Forced,
                escalate_after: None,
            }),
            ..SETS
        },
        sources: &[SQL_ASYNC, SQL_GRACE_DEFAULT],
        refuses: &[
            Check {
                rule: Rule::ModeOnly("async"),
                sources: &[SQL_ASYNC],
            },
            Check {
                rule: Rule::AutoPromoteAfter(HOUR),
                sources: &[SQL_GRACE],
            },
            Check {
                rule: Rule::MaxSecondaries(1),
                sources: &[SQL_TWO],
            },
        ],
        notes: &[
            "[policy] auto_promote stands for the Microsoft-managed failover policy (GracePeriodWithDataLossHours); a customer-managed failover is an [[action]].",
            "The documentation adds that Microsoft starts the forced failover some time after the grace period expires (\"the actual time for the forced failover can vary significantly\") and only for a region-wide outage; geosim promotes at the grace period.",
        ],
        zero_lag_means_sync: false,
    },
    Preset {
        name: "cosmos-bounded-staleness",
        system: "Azure Cosmos DB, bounded staleness, one write region, multi-region account",
        sets: Sets {
            mode: "async",
            max_lag: Some(Lag::At(5 * MIN)),
            max_lag_writes: Some(100_000),
            ..SETS
        },
        sources: &[COSMOS_THROTTLE, COSMOS_MIN],
        refuses: &[
            Check {
                rule: Rule::ModeOnly("async"),
                sources: &[COSMOS_LOCAL],
            },
            Check {
                rule: Rule::MaxLagWrites {
                    min: 100_000,
                    max: I32_MAX,
                },
                sources: &[COSMOS_MIN, COSMOS_K_API],
            },
            Check {
                rule: Rule::MaxLag {
                    min: 300 * NS_PER_S,
                    max: DAY,
                    required: true,
                    async_only: false,
                },
                sources: &[COSMOS_MIN, COSMOS_T_API],
            },
        ],
        notes: &[
            "Cosmos DB counts K in versions of an item and checks staleness per physical partition; geosim counts the namespace backlog in writes (one partition).",
            "T's API maximum is 86,400 s (1 day), K's is 2,147,483,647.",
        ],
        zero_lag_means_sync: false,
    },
    Preset {
        name: "aurora-global",
        system: "Amazon Aurora global database (Aurora PostgreSQL, managed RPO with rds.global_db_rpo)",
        sets: Sets {
            mode: "async",
            max_lag: Some(Lag::Off),
            lag_quorum: Some(Quorum::Count(1)),
            ..SETS
        },
        sources: &[AURORA_ASYNC, AURORA_ONE],
        refuses: &[
            Check {
                rule: Rule::ModeOnly("async"),
                sources: &[AURORA_ASYNC],
            },
            Check {
                rule: Rule::MaxLag {
                    min: 20 * NS_PER_S,
                    max: I32_MAX * NS_PER_S,
                    required: false,
                    async_only: false,
                },
                sources: &[AURORA_RPO],
            },
            Check {
                rule: Rule::MaxSecondaries(10),
                sources: &[AURORA_TEN],
            },
            Check {
                rule: Rule::LagQuorum(Quorum::Count(1)),
                sources: &[AURORA_ONE],
            },
        ],
        notes: &[
            "max_lag is rds.global_db_rpo; unset (\"none\") means no managed RPO: commits never block on lag.",
            "The documented maximum of secondary regions is 10 (older versions of the page said 5).",
            "Managing the RPO is documented for Aurora PostgreSQL only.",
        ],
        zero_lag_means_sync: false,
    },
    Preset {
        name: "mysql-semi-sync",
        system: "MySQL semisynchronous replication (rpl_semi_sync_source_*, 8.0.26 and later)",
        sets: Sets {
            mode: "semi-sync",
            sync_acks: Some(Quorum::Count(1)),
            semi_sync_timeout: Some(10 * NS_PER_S),
            max_lag: Some(Lag::Off),
            ..SETS
        },
        sources: &[MYSQL_TIMEOUT, MYSQL_COUNT, MYSQL_RETURN],
        refuses: &[],
        notes: &[
            "A replica acknowledges once the events are in its relay log; geosim acknowledges after the replica's `commit`, which then stands for that flush.",
            "MySQL returns to semi-sync when at least one replica catches up; with sync_acks = k geosim waits for k (SPEC §10), the same for the default k = 1.",
        ],
        zero_lag_means_sync: false,
    },
    Preset {
        name: "postgres-sync",
        system: "PostgreSQL synchronous replication (synchronous_standby_names, synchronous_commit = on)",
        sets: Sets {
            mode: "sync",
            sync_acks: Some(Quorum::All),
            max_lag: Some(Lag::Off),
            ..SETS
        },
        sources: &[PG_ANY, PG_BLOCK],
        refuses: &[],
        notes: &[
            "sync_acks = k is ANY k (...); \"all\" lists every secondary with num_sync equal to their number.",
            "Commits wait with no timeout and no throttling: max_lag is \"none\".",
        ],
        zero_lag_means_sync: false,
    },
    Preset {
        name: "azure-site-recovery",
        system: "Azure Site Recovery, Azure-to-Azure VM replication (crash-consistent recovery points)",
        sets: Sets {
            mode: "snapshot",
            snapshot_interval: Some(5 * MIN),
            max_lag: Some(Lag::Off),
            ..SETS
        },
        sources: &[ASR_FIVE],
        refuses: &[Check {
            rule: Rule::SnapshotInterval(5 * MIN),
            sources: &[ASR_FIVE],
        }],
        notes: &["App-consistent points (VSS) are not modelled."],
        zero_lag_means_sync: false,
    },
    Preset {
        name: "azure-storage-grs",
        system: "Azure Storage GRS/GZRS with customer-managed (planned and unplanned) failover",
        sets: Sets {
            mode: "async",
            max_lag: Some(Lag::Off),
            ..SETS
        },
        sources: &[GRS_ASYNC, GRS_FAILOVER],
        refuses: &[
            Check {
                rule: Rule::ModeOnly("async"),
                sources: &[GRS_ASYNC],
            },
            Check {
                rule: Rule::MaxSecondaries(1),
                sources: &[GRS_ONE],
            },
        ],
        notes: &["GRS copies to one secondary region (the documentation says so; SPEC §6.5 lists only the refusal of sync)."],
        zero_lag_means_sync: false,
    },
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The names of every preset, for help texts.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// A duration as a scenario writes it, in the largest whole unit.
pub(super) fn duration(ns: Nanos) -> String {
    crate::time::fmt_duration(ns)
}

impl Rule {
    /// What the rule allows, in words ("max_lag from 5m to 1d for an async variant").
    pub fn range(&self) -> String {
        match *self {
            Rule::MaxSecondaries(1) => "one secondary".into(),
            Rule::MaxSecondaries(n) => format!("at most {n} secondaries"),
            Rule::ModeOnly(m) => format!("mode = \"{m}\""),
            Rule::MaxLag {
                min,
                max,
                required,
                async_only,
            } => format!(
                "max_lag from {} to {}{}{}",
                duration(min),
                duration(max),
                if async_only {
                    " for an async variant"
                } else {
                    ""
                },
                if required { " (not \"none\")" } else { "" }
            ),
            Rule::MaxLagWrites { min, max } => {
                format!(
                    "max_lag_writes from {} to {}",
                    thousands(min),
                    thousands(max)
                )
            }
            Rule::LagQuorum(q) => format!("lag_quorum = {}", quoted(q)),
            Rule::AutoPromoteAfter(min) => {
                format!("[policy] auto_promote.after at least {}", duration(min))
            }
            Rule::SnapshotInterval(i) => format!("snapshot_interval = {}", duration(i)),
        }
    }
}

/// A quorum as a scenario writes it: `"all"` or `2`.
pub(super) fn quoted(q: Quorum) -> String {
    match q {
        Quorum::All => "\"all\"".into(),
        Quorum::Count(k) => k.to_string(),
    }
}

/// 100000 as "100,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `source: URL ("sentence")`, the citation an error and `geosim presets` show.
pub fn cite(sources: &[Source]) -> String {
    let cited: Vec<String> = sources
        .iter()
        .map(|s| format!("{} (\"{}\")", s.url, s.quote))
        .collect();
    format!("source: {}", cited.join("; "))
}

impl Sets {
    /// The settings in scenario syntax, one `key = value` each.
    fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("mode = \"{}\"", self.mode)];
        if let Some(l) = self.max_lag {
            out.push(match l {
                Lag::Off => "max_lag = \"none\"".into(),
                Lag::At(ns) => format!("max_lag = \"{}\"", duration(ns)),
            });
        }
        let quorum = quoted;
        if let Some(q) = self.sync_acks {
            out.push(format!("sync_acks = {}", quorum(q)));
        }
        if let Some(t) = self.semi_sync_timeout {
            out.push(format!("semi_sync_timeout = \"{}\"", duration(t)));
        }
        if let Some(q) = self.lag_quorum {
            out.push(format!("lag_quorum = {}", quorum(q)));
        }
        if let Some(k) = self.max_lag_writes {
            out.push(format!("max_lag_writes = {k}"));
        }
        if let Some(i) = self.snapshot_interval {
            out.push(format!("snapshot_interval = \"{}\"", duration(i)));
        }
        if let Some(a) = self.auto_promote {
            out.push(format!(
                "[policy] auto_promote = {{ after = \"{}\", kind = \"{}\" }}",
                duration(a.after),
                a.kind.as_str()
            ));
        }
        out
    }
}

/// What `geosim presets` prints: every preset with its settings, refusals and sources.
pub fn describe() -> String {
    let mut o = String::new();
    for (i, p) in PRESETS.iter().enumerate() {
        if i > 0 {
            o.push('\n');
        }
        let _ = writeln!(o, "{}: {}", p.name, p.system);
        let _ = writeln!(o, "  sets: {}", p.sets.lines().join(", "));
        for s in p.sources {
            let _ = writeln!(o, "    {}", cite(std::slice::from_ref(s)));
        }
        if p.refuses.is_empty() {
            let _ = writeln!(o, "  refuses: nothing beyond SPEC's own rules");
        }
        for c in p.refuses {
            let _ = writeln!(o, "  requires {}", c.rule.range());
            for s in c.sources {
                let _ = writeln!(o, "    {}", cite(std::slice::from_ref(s)));
            }
        }
        for n in p.notes {
            let _ = writeln!(o, "  note: {n}");
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for p in PRESETS {
            assert_eq!(find(p.name).map(|f| f.name), Some(p.name));
            assert_eq!(PRESETS.iter().filter(|q| q.name == p.name).count(), 1);
        }
        assert!(find("azure-servicebus").is_none());
    }

    #[test]
    fn every_rule_and_default_cites_a_page() {
        for p in PRESETS {
            assert!(!p.sources.is_empty(), "{}", p.name);
            for c in p.refuses {
                assert!(!c.sources.is_empty(), "{}: {:?}", p.name, c.rule);
            }
            for s in p
                .sources
                .iter()
                .chain(p.refuses.iter().flat_map(|c| c.sources))
            {
                assert!(s.url.starts_with("https://"), "{}", s.url);
                assert!(s.quote.len() > 20, "{}", s.quote);
            }
        }
    }

    #[test]
    fn the_documented_numbers() {
        let sb = find("azure-service-bus").unwrap();
        assert_eq!(
            sb.refuses[1].rule.range(),
            "max_lag from 5m to 1d for an async variant"
        );
        let cosmos = find("cosmos-bounded-staleness").unwrap();
        assert_eq!(
            cosmos.refuses[1].rule.range(),
            "max_lag_writes from 100,000 to 2,147,483,647"
        );
        assert_eq!(
            cosmos.refuses[2].rule.range(),
            "max_lag from 5m to 1d (not \"none\")"
        );
        let aurora = find("aurora-global").unwrap();
        assert_eq!(aurora.refuses[2].rule, Rule::MaxSecondaries(10));
        let mysql = find("mysql-semi-sync").unwrap();
        assert_eq!(mysql.sets.semi_sync_timeout, Some(10 * NS_PER_S));
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }

    #[test]
    fn describe_lists_every_preset_with_its_sources() {
        let d = describe();
        for p in PRESETS {
            assert!(d.contains(&format!("{}: {}", p.name, p.system)), "{d}");
        }
        assert!(
            d.contains("requires max_lag from 20s to 2147483647s"),
            "{d}"
        );
        assert!(d.contains("sets: mode = \"semi-sync\", max_lag = \"none\", sync_acks = 1, semi_sync_timeout = \"10s\""), "{d}");
    }
}
