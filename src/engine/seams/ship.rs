//! The unit a replication channel ships.
//!
//! Today (Part I): one write at a time, in log order ([`ShipUnit::Write`]): an entry is
//! eligible once the primary has committed it, or at once if it is a sync write and the
//! secondary is ready. The engine asks [`ShipUnit::eligible`] in one place, the
//! channel's pump (`engine/sim/replication.rs`), which then serialises the unit
//! (size / bandwidth), sends it one one-way delay and applies it after the secondary's
//! commit.
//!
//! How Part II uses it:
//! - §6.4 snapshot: [`ShipUnit::RecoveryPoint`] — every write committed at the cut, its
//!   bytes those committed since the previous point sent; eligible once cut; applied
//!   as a whole (every write in it counts as applied when the point completes). The
//!   pump's match on the unit decides what the next unit is and its size
//!   (`engine/sim/snapshot.rs` `point_unit`); the lane keeps one apply per unit.
//! - §6.1–§6.3 ship writes as today.

use crate::engine::log::{Entry, EntryState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShipUnit {
    /// One log entry.
    Write,
    /// SPEC §6.4: the recovery point that holds the next entry (`engine/points.rs`),
    /// its bytes those of its writes not yet sent; applied as a whole.
    RecoveryPoint,
}

impl ShipUnit {
    /// May the entry `e` leave now for a secondary that is (`ready`) or is not ready?
    #[inline]
    pub fn eligible(self, e: &Entry, ready: bool) -> bool {
        match self {
            ShipUnit::Write => e.state == EntryState::Committed || (e.sync && ready),
            // A point holds only committed writes; the pump also needs a point cut
            // that holds this one.
            ShipUnit::RecoveryPoint => e.state == EntryState::Committed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::WriteRef;

    /// An async entry whose primary commit is under way.
    fn committing() -> Entry {
        Entry {
            t_accept: 0,
            w: WriteRef { slot: 0, gen: 0 },
            attempt: 0,
            size: 1,
            state: EntryState::Committing,
            sync: false,
            counted: true,
        }
    }

    #[test]
    fn a_write_ships_once_committed_or_at_once_if_sync_to_a_ready_secondary() {
        let mut e = committing();
        assert!(!ShipUnit::Write.eligible(&e, true));
        e.state = EntryState::Committed;
        assert!(ShipUnit::Write.eligible(&e, false));
        e.state = EntryState::WaitingAcks;
        e.sync = true;
        assert!(ShipUnit::Write.eligible(&e, true));
        assert!(!ShipUnit::Write.eligible(&e, false));
    }

    #[test]
    fn a_point_holds_committed_writes_only() {
        let mut e = committing();
        assert!(!ShipUnit::RecoveryPoint.eligible(&e, true));
        e.state = EntryState::Committed;
        assert!(ShipUnit::RecoveryPoint.eligible(&e, false));
    }
}
