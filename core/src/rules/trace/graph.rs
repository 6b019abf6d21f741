//! The batch graph: parties as indices in key order, documents as movement indices grouped into
//! edges, adjacency lists in tree order, and the walks over them. [`build`](super::build) makes
//! it.

use super::{CounterpartyKey, DocumentRef, EdgeKind, RecordedBy};
use crate::model::{TransactionId, TransactionKind};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;

/// Depth of a node the walk did not reach.
pub(super) const UNSEEN: u32 = u32::MAX;

/// The receiver of a 成品入库, which has none.
pub(super) const PRODUCTION: u32 = u32::MAX;

/// What the trace keeps of a movement: all the output needs, in one cache line, so that the
/// sorting passes move whole lines and the output is copied in order, never reading a movement
/// again.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
pub(super) struct Rec<'a> {
    pub id: TransactionId,
    pub number: &'a str,
    /// The movement's quantity; a document given in several movements has their sum once it is
    /// in the graph.
    pub qty: u64,
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub from: u32,
    /// [`PRODUCTION`] for a 成品入库.
    pub to: u32,
    /// [`day_key`] while the movements are read; after the build, the day's rank from the first
    /// day of the batch (an order-preserving number small enough to count by).
    pub day: u32,
    /// The sender recorded the document (not the receiver or producer): [`recorded_by`].
    pub by_sender: bool,
    /// A return rather than a sale or production: [`is_return`].
    pub ret: bool,
}

impl Rec<'_> {
    /// The party the movement names as its counterparty, unless it is a 成品入库 or names its
    /// holder.
    pub(super) fn named(&self) -> Option<u32> {
        if self.to == PRODUCTION || self.from == self.to {
            None
        } else if self.by_sender {
            Some(self.to)
        } else {
            Some(self.from)
        }
    }

    /// Which end recorded the document.
    pub(super) fn recorded_by(&self) -> RecordedBy {
        if self.by_sender {
            RecordedBy::Sender
        } else {
            RecordedBy::Receiver
        }
    }

    /// The order of documents on an edge, before their number: sales first, then by day.
    pub(super) fn edge_order(&self) -> u64 {
        u64::from(self.ret) << 32 | u64::from(self.day)
    }
}

/// Which end records a document of this kind.
pub(super) fn recorded_by(kind: TransactionKind) -> RecordedBy {
    match kind {
        TransactionKind::SalesOutbound | TransactionKind::PurchaseReturn => RecordedBy::Sender,
        _ => RecordedBy::Receiver,
    }
}

pub(super) fn is_return(kind: TransactionKind) -> bool {
    matches!(
        kind,
        TransactionKind::PurchaseReturn | TransactionKind::SalesReturn
    )
}

/// A date as a nonzero integer with the same order. Unlike a day count, it only takes the
/// year and day of year as `NaiveDate` stores them, so it costs two shifts.
pub(super) fn day_key(date: NaiveDate) -> u32 {
    // chrono's years lie in -2^18..2^18, so the key fits 28 bits; day of year is at least 1.
    (((date.year() + (1 << 18)) as u32) << 9) | date.ordinal()
}

/// All documents between two parties of one kind.
#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub from: u32,
    pub to: u32,
    pub kind: EdgeKind,
    pub sent: u64,
    pub received: u64,
    /// The first document's day (see [`Rec::day`]), which orders the tree.
    pub first: u32,
    /// The edge's documents are `Graph::docs[start..end]`.
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Flows {
    /// Whether the party has outgoing and incoming sale edges.
    pub sells: bool,
    pub buys: bool,
    pub produced: u64,
    pub received: u64,
    pub passed_on: u64,
    pub returned_out: u64,
    pub returns_in: u64,
}

/// Where a walk starts: `roots` all at depth 0, then each of `rest` not reached by then.
#[derive(Debug, Clone, Default)]
pub(super) struct Seeds {
    pub roots: Vec<u32>,
    pub rest: Vec<u32>,
}

impl Seeds {
    pub(super) fn single(node: u32) -> Seeds {
        Seeds {
            roots: vec![node],
            rest: Vec::new(),
        }
    }
}

pub(super) struct Graph<'a> {
    /// The edge documents, by edge then date; one per document.
    pub docs: Vec<Rec<'a>>,
    /// The 成品入库, by node then date; `prod_start` indexes them by node.
    pub prod: Vec<Rec<'a>>,
    pub prod_start: Vec<u32>,
    /// Node keys, sorted, so node indices do not depend on the order of the movements.
    pub keys: Vec<CounterpartyKey<'a>>,
    /// The latest name others wrote for the party.
    pub names: Vec<Option<&'a str>>,
    pub flows: Vec<Flows>,
    /// Producers and externals: a backward walk ends there.
    pub origin: Vec<bool>,
    /// Sorted by (from, to, kind).
    pub edges: Vec<Edge>,
    pub out_start: Vec<u32>,
    pub out: Vec<u32>,
    pub in_start: Vec<u32>,
    pub inn: Vec<u32>,
}

impl<'a> Graph<'a> {
    /// The node of `key`, if the movements mention it.
    pub(super) fn find(&self, key: CounterpartyKey<'_>) -> Option<u32> {
        self.keys.binary_search(&key).ok().map(|i| i as u32)
    }

    /// Outgoing (`forward`) or incoming edges of `node`, in tree order.
    pub(super) fn adjacent(&self, node: u32, forward: bool) -> &[u32] {
        let i = node as usize;
        if forward {
            &self.out[self.out_start[i] as usize..self.out_start[i + 1] as usize]
        } else {
            &self.inn[self.in_start[i] as usize..self.in_start[i + 1] as usize]
        }
    }

    /// The documents of an edge, by date.
    pub(super) fn edge_docs(&self, e: &Edge) -> &[Rec<'a>] {
        &self.docs[e.start as usize..e.end as usize]
    }

    /// The 成品入库 of a node, by date.
    pub(super) fn production(&self, node: usize) -> &[Rec<'a>] {
        &self.prod[self.prod_start[node] as usize..self.prod_start[node + 1] as usize]
    }

    /// The document of a record.
    pub(super) fn document(r: &Rec<'a>) -> DocumentRef<'a> {
        DocumentRef {
            id: r.id,
            number: Cow::Borrowed(r.number),
            kind: r.kind,
            date: r.date,
            quantity: r.qty,
            recorded_by: r.recorded_by(),
        }
    }

    /// Seeds of a whole-network walk. Forward: the roots (producers, and parties nobody sold the
    /// batch to), by date. Backward: the ends (parties that sold none of it on), by date. Then,
    /// so that sale cycles without a root still show, every party with edges, by date.
    pub(super) fn whole_seeds(&self, forward: bool) -> Seeds {
        let mut roots = Vec::new();
        let mut rest = Vec::new();
        for node in 0..self.keys.len() as u32 {
            let first = self
                .adjacent(node, forward)
                .first()
                .map(|&e| self.edges[e as usize].first);
            let own = self.production(node as usize).first().map(|r| r.day);
            let f = &self.flows[node as usize];
            let is_root = if forward {
                own.is_some() || !f.buys
            } else {
                !f.sells
            };
            if is_root {
                let date = match (own.filter(|_| forward), first) {
                    (Some(a), Some(b)) => a.min(b),
                    (a, b) => a.or(b).unwrap_or(u32::MAX),
                };
                roots.push((date, node));
            }
            if let Some(date) = first
                && (forward || !self.origin[node as usize])
            {
                rest.push((date, node));
            }
        }
        roots.sort_unstable();
        rest.sort_unstable();
        Seeds {
            roots: roots.into_iter().map(|(_, n)| n).collect(),
            rest: rest.into_iter().map(|(_, n)| n).collect(),
        }
    }

    /// Breadth-first sale-step distances from the seeds; backward walks do not pass an origin.
    pub(super) fn bfs(&self, seeds: &Seeds, forward: bool) -> Vec<u32> {
        let mut depth = vec![UNSEEN; self.keys.len()];
        let mut queue: Vec<u32> = Vec::new();
        let mut head = 0;
        let run = |queue: &mut Vec<u32>, head: &mut usize, depth: &mut Vec<u32>| {
            while let Some(&u) = queue.get(*head) {
                *head += 1;
                if !forward && self.origin[u as usize] {
                    continue;
                }
                for &e in self.adjacent(u, forward) {
                    let e = &self.edges[e as usize];
                    let v = if forward { e.to } else { e.from } as usize;
                    if e.kind == EdgeKind::Sale && depth[v] == UNSEEN {
                        depth[v] = depth[u as usize] + 1;
                        queue.push(v as u32);
                    }
                }
            }
        };
        for &s in &seeds.roots {
            if depth[s as usize] == UNSEEN {
                depth[s as usize] = 0;
                queue.push(s);
            }
        }
        run(&mut queue, &mut head, &mut depth);
        for &s in &seeds.rest {
            if depth[s as usize] == UNSEEN {
                depth[s as usize] = 0;
                queue.push(s);
                run(&mut queue, &mut head, &mut depth);
            }
        }
        depth
    }
}
