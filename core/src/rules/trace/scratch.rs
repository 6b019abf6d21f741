//! The trace's largest working buffers, kept by each thread between traces.
//!
//! A trace of a long history needs several megabytes of scratch space. Fresh memory is faulted
//! in page by page (about 0.45 ms per MB on the benchmark's 2-core VM), and the allocator hands
//! large blocks back to the system when they are freed, so without reuse a trace of 100,000
//! movements spent several milliseconds on its scratch memory alone. A thread keeps its buffers
//! unless they grew past [`KEEP_BYTES`].

use super::Movement;
use super::graph::{Doc, Edge};
use std::cell::RefCell;

/// Buffers larger than this are freed after the trace rather than kept.
const KEEP_BYTES: usize = 64 << 20;

#[derive(Default)]
pub(super) struct Scratch {
    /// The movements [`super::trace_batch`] makes of the documents.
    pub movements: Vec<Movement<'static>>,
    pub docs: Vec<Doc<'static>>,
    pub ends: Vec<(u32, u32)>,
    pub edges: Vec<Edge>,
    pub out_keys: Vec<u128>,
    pub in_keys: Vec<u128>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

impl Scratch {
    /// This thread's buffers, empty; the thread has none until they are given back.
    pub(super) fn take() -> Scratch {
        SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }

    /// Keeps the buffers for the thread's next trace.
    pub(super) fn give_back(mut self) {
        keep(&mut self.movements);
        keep(&mut self.docs);
        keep(&mut self.ends);
        keep(&mut self.edges);
        keep(&mut self.out_keys);
        keep(&mut self.in_keys);
        SCRATCH.with(|s| *s.borrow_mut() = self);
    }

    /// This thread's buffer of movements, empty.
    pub(super) fn take_movements<'b>() -> Vec<Movement<'b>> {
        recycle_movements(SCRATCH.with(|s| std::mem::take(&mut s.borrow_mut().movements)))
    }

    /// Keeps a buffer of movements for the thread's next trace.
    pub(super) fn keep_movements(movements: Vec<Movement<'_>>) {
        let mut movements = recycle_movements(movements);
        keep(&mut movements);
        SCRATCH.with(|s| s.borrow_mut().movements = movements);
    }
}

/// Empties a buffer, and frees it if it is too large to keep.
fn keep<T>(v: &mut Vec<T>) {
    v.clear();
    if v.capacity() * size_of::<T>() > KEEP_BYTES {
        *v = Vec::new();
    }
}

/// An emptied vector of documents with another lifetime, in the same allocation: what lets a
/// buffer of borrowed documents outlive the borrow. The standard library collects a vector's
/// own iterator into its allocation when the item layouts match (were it not to, the buffer
/// would merely not be reused).
pub(super) fn recycle<'b>(mut docs: Vec<Doc<'_>>) -> Vec<Doc<'b>> {
    docs.clear();
    docs.into_iter()
        .map(|_| -> Doc<'b> { unreachable!("the vector is empty") })
        .collect()
}

/// [`recycle`] for movements.
pub(super) fn recycle_movements<'b>(mut movements: Vec<Movement<'_>>) -> Vec<Movement<'b>> {
    movements.clear();
    movements
        .into_iter()
        .map(|_| -> Movement<'b> { unreachable!("the vector is empty") })
        .collect()
}
