//! The batch graph: parties as indices in key order, documents folded into edges, adjacency
//! lists in tree order, and the walks over them. [`build`](super::build) makes it.

use super::{CounterpartyKey, DocumentRef, EdgeKind, RecordedBy, TraceNode};
use crate::model::{TransactionId, TransactionKind};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;

/// Depth of a node the walk did not reach.
pub(super) const UNSEEN: u32 = u32::MAX;

/// One counted document as the graph keeps it: what the output needs, and its receiver. Copied
/// from the movement in order, so that nothing reads a movement out of order later.
#[derive(Debug, Clone, Copy)]
pub(super) struct Doc<'a> {
    pub id: TransactionId,
    pub number: &'a str,
    pub qty: u64,
    pub date: NaiveDate,
    /// The receiving node (the producer for a 成品入库).
    pub to: u32,
    pub kind: TransactionKind,
}

impl<'a> Doc<'a> {
    /// A placeholder for slots about to be overwritten.
    pub(super) const NONE: Doc<'static> = Doc {
        id: TransactionId(uuid::Uuid::nil()),
        number: "",
        qty: 0,
        date: NaiveDate::MIN,
        to: 0,
        kind: TransactionKind::FinishedGoodsInbound,
    };

    pub(super) fn to_ref(self) -> DocumentRef<'a> {
        DocumentRef {
            id: self.id,
            number: Cow::Borrowed(self.number),
            kind: self.kind,
            date: self.date,
            quantity: self.qty,
            recorded_by: recorded_by(self.kind),
        }
    }
}

/// Which end records a document of this kind.
pub(super) fn recorded_by(kind: TransactionKind) -> RecordedBy {
    match kind {
        TransactionKind::SalesOutbound | TransactionKind::PurchaseReturn => RecordedBy::Sender,
        _ => RecordedBy::Receiver,
    }
}

/// A date as an unsigned integer with the same order; 0 is below every date.
pub(super) fn day_key(date: NaiveDate) -> u32 {
    (date.num_days_from_ce() as u32) ^ 0x8000_0000
}

/// All documents between two parties of one kind.
#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub from: u32,
    pub to: u32,
    pub kind: EdgeKind,
    pub sent: u64,
    pub received: u64,
    /// [`day_key`] of the first document's date, which orders the tree.
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
    /// The edge documents, by sender; each edge's are a range of them, by date.
    pub docs: Vec<Doc<'a>>,
    /// The 成品入库, by node then date; `prod_start` indexes them by node.
    pub prod: Vec<Doc<'a>>,
    /// Node keys, sorted, so node indices do not depend on the order of the movements.
    pub keys: Vec<CounterpartyKey<'a>>,
    /// The latest name others wrote for the party.
    pub names: Vec<Option<&'a str>>,
    pub flows: Vec<Flows>,
    /// Producers and externals: a backward walk ends there.
    pub origin: Vec<bool>,
    pub prod_start: Vec<u32>,
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
    pub(super) fn edge_docs(&self, e: &Edge) -> &[Doc<'a>] {
        &self.docs[e.start as usize..e.end as usize]
    }

    fn production(&self, node: usize) -> &[Doc<'a>] {
        &self.prod[self.prod_start[node] as usize..self.prod_start[node + 1] as usize]
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
            let own = self
                .production(node as usize)
                .first()
                .map(|d| day_key(d.date));
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

    pub(super) fn node(&self, i: usize, fdepth: u32, bdepth: u32) -> TraceNode<'a> {
        let f = self.flows[i];
        let platform = self.keys[i].is_platform();
        let held = i128::from(f.produced) + i128::from(f.received) + i128::from(f.returns_in)
            - i128::from(f.passed_on)
            - i128::from(f.returned_out);
        let seen = |d: u32| (d != UNSEEN).then_some(d);
        TraceNode {
            party: self.keys[i].to_party(),
            name: self.names[i].map(Cow::Borrowed),
            produced: f.produced,
            received: f.received,
            passed_on: f.passed_on,
            returned_out: f.returned_out,
            returns_in: f.returns_in,
            held: platform.then(|| held.clamp(i64::MIN.into(), i64::MAX.into()) as i64),
            depth_forward: seen(fdepth),
            depth_backward: seen(bdepth),
            production: self.production(i).iter().map(|d| d.to_ref()).collect(),
        }
    }
}
