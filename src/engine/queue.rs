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

/// A key as one integer (time in the high half), so that finding the earliest of
/// the heap's top and the lanes' heads is a scan of a few integers.
fn pack(time: Nanos, seq: u64) -> u128 {
    (u128::from(time) << 64) | u128::from(seq)
}

/// The key of a source with nothing pending: after every real key.
const EMPTY: u128 = u128::MAX;

struct Entry<E> {
    time: Nanos,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    fn key(&self) -> u128 {
        pack(self.time, self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
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
        other.key().cmp(&self.key())
    }
}

/// Where the earliest event waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Heap,
    Lane(usize),
    /// A source the caller keeps (it reports its head with `set_external`).
    External(usize),
}

pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    lanes: Vec<VecDeque<Entry<E>>>,
    /// Packed keys of the heads: the heap's top, then each lane's, then each
    /// external source's; `EMPTY` where nothing is pending.
    heads: Vec<u128>,
    next_seq: u64,
    now: Nanos,
}

impl<E> EventQueue<E> {
    /// A queue with `lanes` FIFO lanes beside its heap, and `externals` sources
    /// that the caller keeps; both numbered from 0.
    pub fn new(lanes: usize, externals: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            lanes: (0..lanes).map(|_| VecDeque::with_capacity(256)).collect(),
            heads: vec![EMPTY; 1 + lanes + externals],
            next_seq: 0,
            now: 0,
        }
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
        match l.back() {
            None => {
                self.heads[1 + lane] = pack(time, seq);
                l.push_back(Entry { time, seq, event });
            }
            Some(last) if last.time <= time => l.push_back(Entry { time, seq, event }),
            Some(_) => self.heap_push(Entry { time, seq, event }),
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
        self.heap_push(Entry { time, seq, event });
    }

    #[inline]
    fn heap_push(&mut self, entry: Entry<E>) {
        self.heads[0] = self.heads[0].min(entry.key());
        self.heap.push(entry);
    }

    /// External source `j` now has its earliest event at `key` (None: nothing).
    #[inline]
    pub fn set_external(&mut self, j: usize, key: Option<Key>) {
        let at = 1 + self.lanes.len() + j;
        self.heads[at] = key.map_or(EMPTY, |(t, s)| pack(t, s));
    }

    /// Where the earliest event waits, or None when nothing is pending.
    #[inline]
    pub fn peek(&self) -> Option<Slot> {
        let mut best = 0;
        let mut best_key = self.heads[0];
        for (i, &k) in self.heads.iter().enumerate().skip(1) {
            if k < best_key {
                best_key = k;
                best = i;
            }
        }
        if best_key == EMPTY {
            return None;
        }
        let lanes = self.lanes.len();
        Some(match best {
            0 => Slot::Heap,
            i if i <= lanes => Slot::Lane(i - 1),
            i => Slot::External(i - 1 - lanes),
        })
    }

    /// Removes the event at `slot` (as returned by `peek`; not an external one).
    #[inline]
    pub fn pop_from(&mut self, slot: Slot) -> Option<(Nanos, E)> {
        let entry = match slot {
            Slot::Heap => {
                let e = self.heap.pop();
                self.heads[0] = self.heap.peek().map_or(EMPTY, Entry::key);
                e
            }
            Slot::Lane(i) => {
                let e = self.lanes[i].pop_front();
                self.heads[1 + i] = self.lanes[i].front().map_or(EMPTY, Entry::key);
                e
            }
            Slot::External(_) => None,
        }?;
        self.now = entry.time;
        Some((entry.time, entry.event))
    }

    /// Removes the earliest event (external sources must be empty).
    #[cfg(test)]
    pub fn pop(&mut self) -> Option<(Nanos, E)> {
        self.pop_from(self.peek()?)
    }

    /// An event of an external source, due at `time`, is being handled.
    #[inline]
    pub fn advance_to(&mut self, time: Nanos) {
        debug_assert!(time >= self.now, "event handled out of order");
        self.now = time;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_scheduling_order() {
        let mut q = EventQueue::new(0, 0);
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
        let mut q = EventQueue::new(2, 0);
        let mut plain = EventQueue::new(0, 0);
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
