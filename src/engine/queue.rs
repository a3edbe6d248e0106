//! The pending-event set: a binary heap ordered by (time, sequence of scheduling).
//!
//! Equal times keep the order in which events were scheduled, so a run never depends on
//! the heap's internal layout. Nothing may be scheduled in the past.
//!
//! Events that come in FIFO order (a replication channel's applies, the attempt
//! deadlines) wait outside the heap, in lanes that only show their head (see
//! `engine/lane.rs`); they take their sequence number from here (`reserve_seq`) so
//! that the overall order is exactly what it would be with every event in the heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::model::Nanos;

struct Entry<E> {
    time: Nanos,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: Nanos,
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            next_seq: 0,
            now: 0,
        }
    }

    /// The time of the event popped last.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Schedules `event` at `time` (not before now).
    pub fn push(&mut self, time: Nanos, event: E) {
        let seq = self.reserve_seq();
        self.push_reserved(time, seq, event);
    }

    /// The sequence number the next scheduling gets, taken now for an event kept
    /// outside the heap: its place among simultaneous events is fixed at this moment.
    pub fn reserve_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Schedules `event` at `time` with a sequence number from `reserve_seq`.
    pub fn push_reserved(&mut self, time: Nanos, seq: u64, event: E) {
        debug_assert!(time >= self.now, "event scheduled in the past");
        let time = time.max(self.now);
        self.heap.push(Entry { time, seq, event });
    }

    /// (time, sequence) of the earliest event in the heap.
    pub fn peek_key(&self) -> Option<(Nanos, u64)> {
        self.heap.peek().map(|e| (e.time, e.seq))
    }

    pub fn pop(&mut self) -> Option<(Nanos, E)> {
        let entry = self.heap.pop()?;
        self.now = entry.time;
        Some((entry.time, entry.event))
    }

    /// An event kept outside the heap, due at `time`, is being handled.
    pub fn advance_to(&mut self, time: Nanos) {
        debug_assert!(time >= self.now, "event handled out of order");
        self.now = time;
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.push(5, 'a');
        q.push(3, 'b');
        q.push(5, 'c');
        q.push(3, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
    }
}
