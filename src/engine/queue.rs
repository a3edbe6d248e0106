//! The pending-event set, ordered by (time, sequence of scheduling).
//!
//! Equal times keep the order in which events were scheduled, so a run never depends on
//! the heap's internal layout. Nothing may be scheduled in the past.
//!
//! Most events of a write are scheduled with a delay that is usually constant (a
//! co-located round trip, a commit latency), so they come due in the order they were
//! scheduled. Such an event goes to a FIFO *lane* when it is not earlier than the
//! lane's last event, else to the heap; each lane is then sorted by (time, sequence)
//! and only its head competes with the heap's top. The order of events is exactly the
//! heap-only order; the heap just stays small (a heap pop was half the run time).
//! Other FIFO sources outside this queue (engine/lane.rs, the attempt deadlines) take
//! their sequence numbers from here (`reserve_seq`) for the same reason.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::model::Nanos;

/// (time, sequence): the order of events.
pub type Key = (Nanos, u64);

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

/// Where the earliest event of the queue waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Heap,
    Lane(usize),
}

pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    lanes: Vec<VecDeque<Entry<E>>>,
    next_seq: u64,
    now: Nanos,
}

impl<E> EventQueue<E> {
    /// A queue with `lanes` FIFO lanes (numbered from 0) beside its heap.
    pub fn new(lanes: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            lanes: (0..lanes).map(|_| VecDeque::with_capacity(256)).collect(),
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

    /// Schedules `event` at `time` in lane `lane` if it keeps the lane in order,
    /// else in the heap; either way it pops in the same place.
    #[inline]
    pub fn push_fifo(&mut self, lane: usize, time: Nanos, event: E) {
        let seq = self.reserve_seq();
        debug_assert!(time >= self.now, "event scheduled in the past");
        let time = time.max(self.now);
        let l = &mut self.lanes[lane];
        if l.back().is_none_or(|last| last.time <= time) {
            l.push_back(Entry { time, seq, event });
        } else {
            self.heap.push(Entry { time, seq, event });
        }
    }

    /// The sequence number the next scheduling gets, taken now for an event kept
    /// outside the queue: its place among simultaneous events is fixed at this moment.
    #[inline]
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

    /// The key of the earliest event and where it waits.
    #[inline]
    pub fn peek(&self) -> Option<(Key, Slot)> {
        let mut best = self.heap.peek().map(|e| ((e.time, e.seq), Slot::Heap));
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(e) = lane.front() {
                let key = (e.time, e.seq);
                if best.is_none_or(|(b, _)| key < b) {
                    best = Some((key, Slot::Lane(i)));
                }
            }
        }
        best
    }

    /// Removes the event at `slot` (as returned by `peek`).
    #[inline]
    pub fn pop_from(&mut self, slot: Slot) -> Option<(Nanos, E)> {
        let entry = match slot {
            Slot::Heap => self.heap.pop(),
            Slot::Lane(i) => self.lanes[i].pop_front(),
        }?;
        self.now = entry.time;
        Some((entry.time, entry.event))
    }

    /// Removes the earliest event.
    pub fn pop(&mut self) -> Option<(Nanos, E)> {
        let (_, slot) = self.peek()?;
        self.pop_from(slot)
    }

    /// An event kept outside the queue, due at `time`, is being handled.
    #[inline]
    pub fn advance_to(&mut self, time: Nanos) {
        debug_assert!(time >= self.now, "event handled out of order");
        self.now = time;
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let mut q = EventQueue::new(0);
        q.push(5, 'a');
        q.push(3, 'b');
        q.push(5, 'c');
        q.push(3, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
    }

    /// Lanes change where events wait, never the order they pop in.
    #[test]
    fn lanes_keep_the_heap_order() {
        let mut q = EventQueue::new(2);
        let mut plain = EventQueue::new(0);
        let times = [5u64, 7, 7, 3, 9, 9, 8, 12, 12, 4, 20, 15];
        for (i, &t) in times.iter().enumerate() {
            q.push_fifo(i % 2, t, i);
            plain.push(t, i);
        }
        let a: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        let b: Vec<_> = std::iter::from_fn(|| plain.pop()).collect();
        assert_eq!(a, b);
    }
}
