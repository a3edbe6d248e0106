//! The pending-event set, ordered by (time, sequence of scheduling).
//!
//! Equal times keep the order in which events were scheduled, so a run never depends on
//! the heap's internal layout. Nothing may be scheduled in the past.
//!
//! Most events of a write are scheduled with a delay that is constant or nearly so (a
//! co-located round trip, a commit latency, a jittered one-way delay), so they come
//! due in about the order they were scheduled. Such an event goes to its kind's
//! *lane*, a vector kept sorted by (time, sequence): appended when it is not earlier
//! than the lane's last event, else inserted among the lane's last `REORDER` events
//! (issue 15: a lognormal commit or a normal one-way delay lands a few places before
//! the end), else, if earlier still, put in the heap. Only the lanes' heads compete
//! with the heap's top. The order of events is exactly the heap-only order; the heap
//! just stays small (a heap pop was half the run time with constant delays, and 22%
//! of it with jittered ones when only in-order events could use a lane). A lane is
//! contiguous and slides with time, so it stays in cache where a calendar of time
//! buckets did not (fewer instructions, but slower on a shared machine).
//! Other FIFO sources outside this queue (engine/lane.rs, the attempt deadlines) take
//! their sequence numbers from here (`reserve_seq`) for the same reason.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::sliding::Sliding;
use crate::model::Nanos;

/// (time, sequence): the order of events.
pub type Key = (Nanos, u64);

/// A key as one integer (time in the high half): the heap's order.
fn pack(time: Nanos, seq: u64) -> u128 {
    (u128::from(time) << 64) | u128::from(seq)
}

/// The key of a source with nothing pending: after every real key.
const EMPTY: u128 = u128::MAX;

/// Bits of a head's key that name its source (below the sequence number, which is
/// unique, so they never decide the order).
const SOURCE_BITS: u32 = 12;
const SOURCES: usize = 1 << SOURCE_BITS;

/// The key of source `source`'s head event (time, seq): the earliest head is then the
/// smallest of a few integers, and names its own source (a branch-free scan).
#[inline]
fn head_key(time: Nanos, seq: u64, source: usize) -> u128 {
    debug_assert!(seq < 1 << (64 - SOURCE_BITS) && source < SOURCES);
    (u128::from(time) << 64) | u128::from(seq << SOURCE_BITS) | source as u128
}

/// How far before a lane's end an event may be inserted; an event that belongs
/// further forward goes to the heap. Inserting moves the events after it.
const REORDER: usize = 32;

/// How many of `events` are later than `time`.
#[inline]
fn count_later<E>(events: &[Entry<E>], time: Nanos) -> usize {
    events.iter().map(|e| usize::from(e.time > time)).sum()
}

#[derive(Clone, Copy)]
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
    /// The keys of the heap's events that were scheduled there (`push`,
    /// `push_reserved`), not sent there by a lane: `next_pushed_time`.
    pushed: BinaryHeap<Reverse<u128>>,
    lanes: Vec<Sliding<Entry<E>>>,
    /// `head_key`s of the heads, each source at its `position` (the heap's top at
    /// 0); `EMPTY` where nothing is pending.
    heads: Vec<u128>,
    /// Where in `heads` each source's head is: the heap (source 0), each lane (1 +
    /// lane), each external source (1 + lanes + j). Cold lanes are placed last. A
    /// head's key names its source, not its position.
    position: Vec<usize>,
    /// `peek` scans `heads[..live]`: the positions after it have never held an
    /// event (cold lanes not used yet in this run).
    live: usize,
    next_seq: u64,
    now: Nanos,
}

impl<E: Copy> EventQueue<E> {
    /// A queue with `lanes` FIFO lanes beside its heap, and `externals` sources
    /// that the caller keeps; both numbered from 0.
    #[cfg(test)]
    pub fn new(lanes: usize, externals: usize) -> Self {
        Self::with_cold_lanes(lanes, externals, &[])
    }

    /// As `new`, with the lanes in `cold` (distinct; events most runs never have, e.g.
    /// retries) left out of `peek`'s scan until they first hold an event: every event
    /// pays for the scan of every head (issue 15).
    pub fn with_cold_lanes(lanes: usize, externals: usize, cold: &[usize]) -> Self {
        let sources = 1 + lanes + externals;
        assert!(sources < SOURCES, "too many event sources");
        assert!(
            cold.iter()
                .enumerate()
                .all(|(k, &l)| l < lanes && !cold[..k].contains(&l)),
            "cold lanes must be distinct lanes"
        );
        let is_cold = |source: usize| (1..=lanes).contains(&source) && cold.contains(&(source - 1));
        // Cold lanes in the order `cold` gives: a run that uses only the first of
        // them scans none of the others.
        let order: Vec<usize> = (0..sources)
            .filter(|&s| !is_cold(s))
            .chain(cold.iter().map(|&lane| 1 + lane))
            .collect();
        let mut position = vec![0; sources];
        for (p, &s) in order.iter().enumerate() {
            position[s] = p;
        }
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            pushed: BinaryHeap::new(),
            lanes: (0..lanes).map(|_| Sliding::with_capacity(256)).collect(),
            heads: vec![EMPTY; sources],
            live: sources - cold.len(),
            position,
            next_seq: 0,
            now: 0,
        }
    }

    /// Lane `lane`'s head is now (time, seq).
    #[inline]
    fn set_lane_head(&mut self, lane: usize, time: Nanos, seq: u64) {
        let p = self.position[1 + lane];
        self.heads[p] = head_key(time, seq, 1 + lane);
        self.live = self.live.max(p + 1);
    }

    /// Schedules `event` at `time` (not before now).
    pub fn push(&mut self, time: Nanos, event: E) {
        let seq = self.reserve_seq();
        self.push_reserved(time, seq, event);
    }

    /// Schedules `event` at `time` in lane `lane` if it keeps the lane in order,
    /// else in the heap; either way it pops in the same place. Inlined into its
    /// callers, as `Lane::push` is: as a call, the event was stored field by field and
    /// read back whole.
    #[inline(always)]
    pub fn push_fifo(&mut self, lane: usize, time: Nanos, event: E) {
        let seq = self.reserve_seq();
        debug_assert!(time >= self.now, "event scheduled in the past");
        let time = time.max(self.now);
        let l = &mut self.lanes[lane];
        let pending = l.pending();
        match pending.last() {
            None => {
                l.push_back(Entry { time, seq, event });
                self.set_lane_head(lane, time, seq);
            }
            Some(last) if last.time <= time => l.push_back(Entry { time, seq, event }),
            Some(_) => {
                // Its place: after every event not later than it (their sequence
                // numbers are all smaller), which is before the lane's `later` last
                // events. Counted over the last `REORDER` events without a branch
                // (issue 15): a binary search's branches mispredicted at every step.
                let len = pending.len();
                let window = len.min(REORDER);
                let later = count_later(&pending[len - window..], time);
                if later == window && window < len {
                    self.heap_push(Entry { time, seq, event });
                    return;
                }
                l.insert_before_last(later, Entry { time, seq, event });
                if later == len {
                    self.set_lane_head(lane, time, seq);
                }
            }
        }
    }

    /// Does lane `lane` hold no event (none of its events gone to the heap counted:
    /// see `heap_holds_only_pushed`)?
    #[inline]
    pub fn lane_is_empty(&self, lane: usize) -> bool {
        self.lanes[lane].pending().is_empty()
    }

    /// Does the heap hold only what `push` and `push_reserved` scheduled, no lane's
    /// event that went there out of its lane's order?
    #[inline]
    pub fn heap_holds_only_pushed(&self) -> bool {
        self.heap.len() == self.pushed.len()
    }

    /// The time of lane `lane`'s last event, if any.
    #[inline]
    pub fn lane_last_time(&self, lane: usize) -> Option<Nanos> {
        self.lanes[lane].pending().last().map(|e| e.time)
    }

    /// The time of the earliest event scheduled with `push` or `push_reserved` (the
    /// rare ones: transitions, actions, timers, restarted applies), if any; events that
    /// left a lane for the heap are not among them.
    #[inline]
    pub fn next_pushed_time(&self) -> Option<Nanos> {
        self.pushed.peek().map(|k| (k.0 >> 64) as Nanos)
    }

    /// Schedules `event` at `time` in lane `lane` in place of the lane's events later
    /// than it, which the caller knows it makes no-ops (a cumulative ack overtaking
    /// older ones); returns how many of those were due before `before`. The lane stays
    /// in order without an insertion, and the order of every other event is unchanged.
    pub fn push_superseding(&mut self, lane: usize, time: Nanos, event: E, before: Nanos) -> u64 {
        let seq = self.reserve_seq();
        debug_assert!(time >= self.now, "event scheduled in the past");
        let time = time.max(self.now);
        let l = &mut self.lanes[lane];
        let mut dropped = 0;
        while let Some(last) = l.pending().last().filter(|e| e.time > time) {
            dropped += u64::from(last.time < before);
            l.pop_back();
        }
        l.push_back(Entry { time, seq, event });
        if l.pending().len() == 1 {
            self.set_lane_head(lane, time, seq);
        }
        dropped
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
        self.pushed.push(Reverse(pack(time, seq)));
        self.heap_push(Entry { time, seq, event });
    }

    #[inline]
    fn heap_push(&mut self, entry: Entry<E>) {
        self.heads[0] = self.heads[0].min(head_key(entry.time, entry.seq, 0));
        self.heap.push(entry);
    }

    /// External source `j` now has its earliest event at `key` (None: nothing).
    #[inline]
    pub fn set_external(&mut self, j: usize, key: Option<Key>) {
        let source = 1 + self.lanes.len() + j;
        self.heads[self.position[source]] = key.map_or(EMPTY, |(t, s)| head_key(t, s, source));
    }

    /// Where the earliest event waits, or None when nothing is pending.
    #[inline]
    pub fn peek(&self) -> Option<Slot> {
        let best_key = self.heads[..self.live]
            .iter()
            .copied()
            .min()
            .unwrap_or(EMPTY);
        if best_key == EMPTY {
            return None;
        }
        let best = (best_key as usize) & (SOURCES - 1);
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
                if let Some(e) = &e {
                    if self.pushed.peek() == Some(&Reverse(e.key())) {
                        self.pushed.pop();
                    }
                }
                self.heads[0] = self
                    .heap
                    .peek()
                    .map_or(EMPTY, |e| head_key(e.time, e.seq, 0));
                e
            }
            Slot::Lane(i) => {
                let e = self.lanes[i].pop_front();
                self.heads[self.position[1 + i]] = self.lanes[i]
                    .front()
                    .map_or(EMPTY, |e| head_key(e.time, e.seq, 1 + i));
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
    use crate::engine::sliding::COMPACT_MIN;
    use std::collections::VecDeque;

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

    /// Lanes taking jittered events (inserted near their end, or sent to the heap when
    /// they belong further forward), the heap and an external FIFO source pop exactly
    /// in the order one plain binary heap of (time, sequence) pops: delays constant,
    /// jittered by a little or a lot, far (timers), zero; pushes between pops; seeds.
    #[test]
    fn jittered_lanes_keep_the_heap_order() {
        use std::cmp::Reverse;
        for seed in 1..=4u64 {
            // Even seeds: two of the lanes cold (first used at a random moment).
            let mut q = if seed % 2 == 0 {
                EventQueue::with_cold_lanes(3, 1, &[2, 0])
            } else {
                EventQueue::new(3, 1)
            };
            let mut external: VecDeque<(Nanos, u64)> = VecDeque::new();
            let mut reference: BinaryHeap<Reverse<(Nanos, u64)>> = BinaryHeap::new();
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let (mut now, mut popped, mut in_heap) = (0, 0, 0usize);
            for round in 0..50_000 {
                for _ in 0..next() % 4 {
                    let delay = match next() % 8 {
                        0 => 0,
                        1 => next() % 5_000_000_000,
                        2 => 42_000_000,
                        3 => next() % 1_000,
                        4 => 2_000_000 + next() % 50_000_000,
                        _ => 40_000_000 + next() % 4_000_000,
                    };
                    let t = now + delay;
                    let seq = q.next_seq;
                    match next() % 4 {
                        0 if external.back().is_none_or(|&(last, _)| last <= t) => {
                            let s = q.reserve_seq();
                            external.push_back((t, s));
                            q.set_external(0, external.front().copied());
                        }
                        1 => q.push(t, seq),
                        _ => q.push_fifo((next() % 3) as usize, t, seq),
                    }
                    reference.push(Reverse((t, seq)));
                }
                in_heap = in_heap.max(q.heap.len());
                if round % 5 != 0 {
                    let got = match q.peek() {
                        Some(Slot::External(0)) => {
                            let (t, s) = external.pop_front().unwrap();
                            q.set_external(0, external.front().copied());
                            q.advance_to(t);
                            Some((t, s))
                        }
                        Some(slot) => q.pop_from(slot),
                        None => None,
                    };
                    let want = reference.pop().map(|Reverse(k)| k);
                    assert_eq!(got, want, "seed {seed} round {round}");
                    if let Some((t, _)) = got {
                        now = t;
                        popped += 1;
                    }
                }
            }
            assert!(popped > 30_000);
            // Some events went to the heap, others were inserted into lanes.
            assert!(in_heap > 0);
        }
    }

    /// An event that supersedes the lane's later events replaces them: they never pop,
    /// the count says how many were due before the bound, and the rest keeps its order
    /// among the other sources.
    #[test]
    fn a_superseding_event_replaces_the_later_ones() {
        let mut q = EventQueue::new(2, 0);
        for (t, e) in [(10, 'a'), (20, 'b'), (30, 'c')] {
            q.push_fifo(0, t, e);
        }
        q.push_fifo(1, 12, 'x');
        assert_eq!(q.push_superseding(0, 15, 'd', 25), 1);
        assert_eq!(q.push_superseding(0, 40, 'e', 25), 0);
        assert_eq!(q.push_superseding(1, 5, 'y', 25), 1);
        let order: Vec<(Nanos, char)> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(5, 'y'), (10, 'a'), (15, 'd'), (40, 'e')]);
        // Into an empty lane: it is the head.
        assert_eq!(q.push_superseding(1, 50, 'z', 25), 0);
        assert_eq!(q.pop(), Some((50, 'z')));
        assert!(q.pop().is_none());
    }

    /// A lane that never empties still drops what it has popped: memory follows the
    /// pending events, not the events scheduled so far; the order stays the heap's.
    #[test]
    fn a_busy_lane_is_compacted_and_keeps_its_order() {
        let mut q = EventQueue::new(1, 0);
        let mut plain = EventQueue::new(0, 0);
        let mut x = 7u64;
        for i in 0..100_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // About 1,000 pending, each a little out of order.
            let t = 1_000 * i + (x >> 54) * 10;
            q.push_fifo(0, t, i);
            plain.push(t, i);
            if i >= 1_000 {
                assert_eq!(q.pop(), plain.pop(), "event {i}");
                let lane = &q.lanes[0];
                let pending = lane.pending().len();
                assert!(lane.stored() <= 2 * pending + COMPACT_MIN + 1, "event {i}");
            }
        }
        let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        let want: Vec<_> = std::iter::from_fn(|| plain.pop()).collect();
        assert_eq!(rest, want);
        assert_eq!(q.lanes[0].stored(), 0);
    }

    #[test]
    fn an_event_is_inserted_in_its_place_near_a_lanes_end() {
        let mut q = EventQueue::new(1, 0);
        for (t, e) in [
            (10, 'a'),
            (20, 'b'),
            (30, 'c'),
            (20, 'd'),
            (5, 'e'),
            (30, 'f'),
        ] {
            q.push_fifo(0, t, e);
        }
        assert!(q.heap.is_empty());
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['e', 'a', 'b', 'd', 'c', 'f']);
        // Deeper than REORDER from the end: to the heap, same order.
        let mut q = EventQueue::new(1, 0);
        for i in 0..(REORDER as u64 + 5) {
            q.push_fifo(0, 100 + i, i);
        }
        q.push_fifo(0, 101, 999);
        assert_eq!(q.heap.len(), 1);
        // Sent to the heap by its lane, not pushed there: not a pushed event.
        assert_eq!(q.next_pushed_time(), None);
        q.push(150, 1000);
        q.push(120, 1001);
        assert_eq!(q.next_pushed_time(), Some(120));
        let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(&order[..3], &[0, 1, 999]);
        assert_eq!(order.last(), Some(&1000));
        assert_eq!(order.iter().filter(|&&e| e == 1001).count(), 1);
        assert_eq!(q.next_pushed_time(), None);
    }
}
