//! The trace's working buffers, kept by each thread between traces.
//!
//! A trace of a long history needs several megabytes of scratch space. Fresh memory is faulted
//! in page by page (about 0.45 ms per MB on the benchmark's 2-core VM), and the allocator hands
//! large blocks back to the system when they are freed, so without reuse a trace of 100,000
//! movements spent several milliseconds on its scratch memory alone. A thread keeps its buffers
//! unless they grew past [`KEEP_BYTES`].

use super::graph::{Edge, Rec};
use super::{CounterpartyKey, Movement};
use foldhash::HashMap;
use std::cell::RefCell;

/// Buffers larger than this are freed after the trace rather than kept.
const KEEP_BYTES: usize = 64 << 20;

#[derive(Default)]
pub(super) struct Scratch {
    /// The movements [`super::trace_batch`] makes of the documents.
    pub movements: Vec<Movement<'static>>,
    /// The node of each enterprise, keyed by the id's halves.
    pub enterprises: HashMap<(u64, u64), u32>,
    pub keys: Vec<CounterpartyKey<'static>>,
    pub offers: Vec<(u32, u32, &'static str)>,
    /// The records, then the edge documents, which the second sorting pass writes there.
    pub rec: Vec<Rec<'static>>,
    /// The records between the two sorting passes.
    pub sorting: Vec<Rec<'static>>,
    /// Two buffers of movement indices for the sorting passes.
    pub pass: [Vec<u32>; 2],
    /// Counts and cursors of the sorting passes.
    pub counts: [Vec<u32>; 3],
    pub edges: Vec<Edge>,
    pub out: Vec<u32>,
    pub inn: Vec<u32>,
    /// The output edge of each graph edge.
    pub out_edge: Vec<u32>,
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
        self.enterprises.clear();
        if self.enterprises.capacity() * 32 > KEEP_BYTES {
            self.enterprises = HashMap::default();
        }
        keep(&mut self.keys);
        keep(&mut self.offers);
        keep(&mut self.rec);
        keep(&mut self.sorting);
        self.pass.iter_mut().for_each(keep);
        self.counts.iter_mut().for_each(keep);
        keep(&mut self.edges);
        keep(&mut self.out);
        keep(&mut self.inn);
        keep(&mut self.out_edge);
        SCRATCH.with(|s| *s.borrow_mut() = self);
    }

    /// This thread's buffer of movements, empty.
    pub(super) fn take_movements<'b>() -> Vec<Movement<'b>> {
        recycle(SCRATCH.with(|s| std::mem::take(&mut s.borrow_mut().movements)))
    }

    /// Keeps a buffer of movements for the thread's next trace.
    pub(super) fn keep_movements(movements: Vec<Movement<'_>>) {
        let mut movements = recycle(movements);
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

/// An emptied vector of another item type in the same allocation: what lets a buffer of
/// borrowed items outlive the borrow (`T` and `U` differ only in lifetimes). The standard
/// library collects a vector's own iterator into its allocation when the item layouts match
/// (were it not to, the buffer would merely not be reused).
pub(super) fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter()
        .map(|_| -> U { unreachable!("the vector is empty") })
        .collect()
}

/// A buffer of `len` zeros, reusing `v`'s allocation.
pub(super) fn zeroed(v: &mut Vec<u32>, len: usize) {
    v.clear();
    v.resize(len, 0);
}
