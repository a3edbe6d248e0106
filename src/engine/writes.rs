//! The clients' writes in flight: a slot table with generations, so that a reference to
//! a write that finished (and whose slot was reused) is recognised as stale.
//!
//! Owns: each write's client-side state (attempt, awaiting, resolved, commit count, the
//! late-loss mark) and its reference count (requests in flight plus accepted attempts
//! not yet committed). Must not touch: the log, the queue, the metrics. A slot is
//! reused only once the client is done with the write and the service holds no
//! reference, so the table holds the writes in flight, not every write simulated.

use super::event::WriteRef;
use crate::model::Nanos;

/// A client write while it is in flight (or still referenced by the primary).
#[derive(Debug, Clone, Default)]
pub(crate) struct Write {
    pub gen: u32,
    pub issued_at: Nanos,
    pub size: u32,
    /// Current attempt, counting from 0.
    pub attempt: u32,
    /// The current attempt is still waiting for an answer or its deadline.
    pub awaiting: bool,
    /// Acked or failed, as far as the client is concerned.
    pub resolved: bool,
    /// Issued after warmup: counted in the figures.
    pub counted: bool,
    /// Was acknowledged, for duplicate counting (a later commit is a duplicate).
    pub committed_times: u32,
    /// Requests in flight to a region plus accepted attempts not yet committed:
    /// the slot cannot be reused while any remain.
    pub refs: u32,
    /// Accepted, its commit pending, and lost by a forced promotion.
    pub lost: bool,
    /// t_accept of its latest accepted attempt.
    pub accepted_at: Nanos,
    /// Log sequence number and log epoch of its latest accepted attempt (the readers
    /// track what each region lacks by them).
    pub seq: u64,
    pub log_epoch: u32,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Writes {
    slots: Vec<Write>,
    free: Vec<u32>,
}

impl Writes {
    pub fn new() -> Writes {
        Writes::default()
    }

    /// Stores a new write in a free slot (or a new one).
    pub fn alloc(&mut self, mut write: Write) -> WriteRef {
        if let Some(slot) = self.free.pop() {
            let entry = &mut self.slots[slot as usize];
            // `release_if_done` already moved the generation past the old write.
            write.gen = entry.gen;
            *entry = write;
            WriteRef {
                slot,
                gen: entry.gen,
            }
        } else {
            let slot = self.slots.len() as u32;
            self.slots.push(write);
            WriteRef { slot, gen: 0 }
        }
    }

    /// The write behind `w`, if `w` is not stale.
    #[inline]
    pub fn get(&self, w: WriteRef) -> Option<&Write> {
        self.slots.get(w.slot as usize).filter(|e| e.gen == w.gen)
    }

    /// The write behind `w`, if `w` is not stale.
    #[inline]
    pub fn get_mut(&mut self, w: WriteRef) -> Option<&mut Write> {
        self.slots
            .get_mut(w.slot as usize)
            .filter(|e| e.gen == w.gen)
    }

    /// Is attempt `attempt` of `w` still waiting for its answer or its deadline? Once
    /// false it stays false: attempts only count up, and a write, once resolved, stays
    /// resolved (a stale reference never becomes live again).
    #[inline]
    pub fn attempt_pending(&self, w: WriteRef, attempt: u32) -> bool {
        self.get(w)
            .is_some_and(|e| !e.resolved && e.awaiting && e.attempt == attempt)
    }

    /// Frees the slot once the client is done and the service holds no reference.
    #[inline]
    pub fn release_if_done(&mut self, w: WriteRef) {
        if let Some(write) = self.get_mut(w) {
            if write.resolved && write.refs == 0 {
                write.gen = write.gen.wrapping_add(1);
                self.free.push(w.slot);
            }
        }
    }

    /// Drops one service reference to `w` (a request arrived, a commit ended or will
    /// never happen) and frees the slot if that was the last one and the client is done.
    pub fn unref(&mut self, w: WriteRef) {
        if let Some(write) = self.get_mut(w) {
            write.refs -= 1;
        }
        self.release_if_done(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_reused_only_when_the_write_is_done_and_unreferenced() {
        let mut t = Writes::new();
        let a = t.alloc(Write::default());
        t.get_mut(a).unwrap().refs = 1;
        t.get_mut(a).unwrap().resolved = true;
        t.release_if_done(a);
        assert!(t.get_mut(a).is_some(), "still referenced");
        t.unref(a);
        assert!(t.get_mut(a).is_none(), "released: the reference is stale");
        let b = t.alloc(Write::default());
        assert_eq!(b.slot, a.slot);
        assert_ne!(b.gen, a.gen);
    }
}
