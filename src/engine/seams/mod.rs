//! The seams Part II fills in (SPEC §6): which acks a sync write needs, which
//! secondaries the namespace lag counts, and what a channel ships. Each is data (a
//! small enum) read in one place of the engine, with today's behaviour as one setting
//! of each, so a new protocol is a new variant and its match arms here, not new flags
//! spread over the engine.
//!
//! Owns: the rules and their arithmetic. Must not touch: any engine state; callers
//! pass in what a rule needs.

pub(crate) mod commit;
pub(crate) mod lag;
pub(crate) mod ship;

pub(crate) use commit::CommitRule;
pub(crate) use lag::LagRule;
pub(crate) use ship::ShipUnit;
