//! A FIFO that also takes insertions near its end: the event queue's lanes.
//!
//! A vector read from `head` on. Popping moves `head`; the read part is dropped when
//! the FIFO empties, or when it is at least as long as the rest (so each item is moved
//! at most once more, and the vector holds at most about twice the pending items).
//! Unlike a ring buffer's, the pending items are one slice: an insertion near the end
//! is one shift, and counting over the last items one pass (issue 15: a ring's insert
//! and its wrapped halves were ~3% of a jittered run).

/// Below this many popped items the FIFO is not compacted (a small move's fixed cost).
pub(crate) const COMPACT_MIN: usize = 256;

pub(crate) struct Sliding<T> {
    items: Vec<T>,
    head: usize,
}

impl<T: Copy> Sliding<T> {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Sliding {
            items: Vec::with_capacity(n),
            head: 0,
        }
    }

    /// The items not popped yet, oldest first.
    #[inline]
    pub(crate) fn pending(&self) -> &[T] {
        &self.items[self.head..]
    }

    /// Items held, popped ones not yet dropped included (memory, for tests).
    #[cfg(test)]
    pub(crate) fn stored(&self) -> usize {
        self.items.len()
    }

    #[inline]
    pub(crate) fn front(&self) -> Option<&T> {
        self.items.get(self.head)
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let e = *self.items.get(self.head)?;
        self.head += 1;
        self.restart_if_empty();
        Some(e)
    }

    /// Nothing pending: the popped part goes, and the vector is read from 0 again.
    #[inline]
    fn restart_if_empty(&mut self) {
        if self.head == self.items.len() {
            self.items.clear();
            self.head = 0;
        }
    }

    #[inline]
    pub(crate) fn push_back(&mut self, e: T) {
        if self.head >= COMPACT_MIN && 2 * self.head >= self.items.len() {
            self.items.drain(..self.head);
            self.head = 0;
        }
        self.items.push(e);
    }

    /// Drops the newest pending item, if any.
    #[inline]
    pub(crate) fn pop_back(&mut self) {
        if self.items.len() > self.head {
            self.items.pop();
        }
        self.restart_if_empty();
    }

    /// Inserts `e` with `later` pending items after it.
    #[inline]
    pub(crate) fn insert_before_last(&mut self, later: usize, e: T) {
        let at = self.items.len() - later;
        self.items.insert(at, e);
    }
}
