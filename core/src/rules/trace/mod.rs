//! Batch trace (来源可溯、去向可追): where one batch of one product came from and went to.
//!
//! The batch's movements (one row per counted document, as an index query returns them: see
//! [`Movement`]) are folded into a graph of parties. Both sides of a transfer (the seller's
//! 销售出库 and the buyer's 采购入库) land on the same edge, so nothing is counted twice and
//! `sent` versus `received` shows goods in transit or in dispute. On top of the graph the trace
//! walks forward (every downstream holder) and backward (every supplier up to the origin), and
//! lays the documents out as a date-ordered tree in the manner of Odoo's
//! `stock.traceability.report` and ERPNext's "Serial No and Batch Traceability".
//!
//! The result keeps each document once, in [`BatchTrace::documents`]; edges, nodes and tree rows
//! refer to it by index, so that a trace of a long history is a few large arrays rather than
//! copies of its documents in small ones.
//!
//! [`trace_movements`] is the trace; [`trace_batch`] runs it on whole documents through
//! [`movements_of`].

mod build;
mod graph;
mod movement;
mod report;
mod scratch;
mod tree;

#[cfg(test)]
mod tests;

use crate::model::{
    Counterparty, EnterpriseId, ProductId, Transaction, TransactionId, TransactionKind,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;

pub use movement::{CounterpartyKey, Movement, movements_of};

/// A party of the batch network: a platform enterprise, or an external counterparty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// A registered enterprise (its own documents are on the platform).
    Enterprise(EnterpriseId),
    /// An external counterparty known by its USCC (统一社会信用代码).
    Uscc(String),
    /// An external counterparty known only by its name; the empty name stands for documents
    /// without any counterparty.
    Name(String),
}

impl Party {
    /// The party a document's counterparty designates, with the same keying the trace uses.
    pub fn of_counterparty(counterparty: Option<&Counterparty>) -> Party {
        CounterpartyKey::of_counterparty(counterparty).to_party()
    }

    /// Whether this is a platform enterprise (whose stock we see).
    pub fn is_platform(&self) -> bool {
        matches!(self, Party::Enterprise(_))
    }
}

/// Where the trace starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceStart {
    /// The whole network of the batch.
    Whole,
    /// One party of the network.
    From(Party),
}

/// Which way the trace walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceDirection {
    /// Downstream: customers, their customers, and so on (去向可追).
    Forward,
    /// Upstream: suppliers up to the origin (来源可溯).
    Backward,
    /// Both ways.
    Both,
}

impl TraceDirection {
    /// Whether the downstream walk is wanted.
    pub fn forward(self) -> bool {
        self != TraceDirection::Backward
    }

    /// Whether the upstream walk is wanted.
    pub fn backward(self) -> bool {
        self != TraceDirection::Forward
    }
}

/// The kind of movement between two parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Goods sold downstream (销售出库 / 采购入库).
    Sale,
    /// Goods sent back upstream (采购退出 / 销售退入).
    Return,
}

/// Which end of an edge recorded a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordedBy {
    /// The party the goods left (its 销售出库 or 采购退出).
    Sender,
    /// The party the goods reached (its 采购入库 or 销售退入; also a producer's 成品入库).
    Receiver,
}

/// Which walk a tree row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowDirection {
    /// Downstream tree.
    Forward,
    /// Upstream tree.
    Backward,
}

/// One document's share of the batch: the sum of its lines of that product and batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef<'a> {
    /// The document.
    pub id: TransactionId,
    /// Its number (单号).
    pub number: Cow<'a, str>,
    /// Its type.
    pub kind: TransactionKind,
    /// Its date.
    pub date: NaiveDate,
    /// Quantity of the batch on it.
    pub quantity: u64,
    /// Which end recorded it.
    pub recorded_by: RecordedBy,
}

/// A party of the trace with its quantities of the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceNode<'a> {
    /// Who.
    pub party: Party,
    /// Display name: an external's name, or what others call a platform enterprise (if anyone does).
    pub name: Option<Cow<'a, str>>,
    /// From own production (成品入库).
    pub produced: u64,
    /// Received by purchase (Σ received of incoming sale edges).
    pub received: u64,
    /// Sold on (Σ sent of outgoing sale edges).
    pub passed_on: u64,
    /// Returned to suppliers (Σ sent of outgoing return edges).
    pub returned_out: u64,
    /// Taken back from customers (Σ received of incoming return edges).
    pub returns_in: u64,
    /// What a platform enterprise should still hold; negative signals a data problem; `None` for
    /// externals, whose stock we do not see.
    pub held: Option<i64>,
    /// Sale steps downstream of the start (or of the network's roots for a whole trace).
    pub depth_forward: Option<u32>,
    /// Sale steps upstream of the start (or of the network's ends for a whole trace).
    pub depth_backward: Option<u32>,
    /// The 成品入库 documents, by date: a range of [`BatchTrace::documents`] (see
    /// [`BatchTrace::production`]).
    pub production: Range<u32>,
}

/// Movements of the batch from one party to another, as recorded by either end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEdge {
    /// Index of the sending party in [`BatchTrace::nodes`].
    pub from: u32,
    /// Index of the receiving party in [`BatchTrace::nodes`].
    pub to: u32,
    /// Sale or return.
    pub kind: EdgeKind,
    /// Quantity the sender recorded as sent.
    pub sent: u64,
    /// Quantity the receiver recorded as received.
    pub received: u64,
    /// The documents of both ends, by date: a range of [`BatchTrace::documents`] (see
    /// [`BatchTrace::edge_documents`]).
    pub documents: Range<u32>,
}

/// One row of the traceability report: an edge, indented under the party it leads from. It
/// stands for the edge's documents, one report line each (see [`BatchTrace::document_rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeRow {
    /// Indentation: 0 for the edges of the start (or of a root).
    pub depth: u32,
    /// Downstream or upstream tree.
    pub direction: RowDirection,
    /// Index of the edge in [`BatchTrace::edges`].
    pub edge: u32,
    /// The row leads to a party already expanded elsewhere in this tree (a cycle or a second
    /// path), so nothing is listed beneath it.
    pub repeat: bool,
}

/// One line of the traceability report: a document under the party it leads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentRow<'t, 'a> {
    /// Indentation: 0 for the documents of the start (or of a root).
    pub depth: u32,
    /// Downstream or upstream tree.
    pub direction: RowDirection,
    /// Index of the sending party in [`BatchTrace::nodes`].
    pub from: u32,
    /// Index of the receiving party in [`BatchTrace::nodes`].
    pub to: u32,
    /// The document.
    pub document: &'t DocumentRef<'a>,
    /// As [`TreeRow::repeat`].
    pub repeat: bool,
}

/// The result of a batch trace: the graph and the report tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTrace<'a> {
    /// The product.
    pub product_id: ProductId,
    /// The batch (批号).
    pub batch: String,
    /// The parties reached, ordered by [`Party`].
    pub nodes: Vec<TraceNode<'a>>,
    /// The movements between them, ordered by (from, to, kind).
    pub edges: Vec<TraceEdge>,
    /// Every document of the trace, once: the edges' documents, edge after edge, then the
    /// nodes' production.
    pub documents: Vec<DocumentRef<'a>>,
    /// The report: forward rows first, then backward rows.
    pub tree: Vec<TreeRow>,
}

impl<'a> BatchTrace<'a> {
    /// The documents of a range, empty if it is not one of this trace's.
    fn range(&self, range: &Range<u32>) -> &[DocumentRef<'a>] {
        self.documents
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default()
    }

    /// The documents of an edge, by date.
    pub fn edge_documents(&self, edge: &TraceEdge) -> &[DocumentRef<'a>] {
        self.range(&edge.documents)
    }

    /// The 成品入库 documents of a node, by date.
    pub fn production(&self, node: &TraceNode<'_>) -> &[DocumentRef<'a>] {
        self.range(&node.production)
    }

    /// The report a document per line, as the tree's rows stand for them.
    pub fn document_rows(&self) -> impl Iterator<Item = DocumentRow<'_, 'a>> {
        self.tree.iter().flat_map(move |row| {
            let edge = self.edges.get(row.edge as usize);
            let documents = edge.map_or(&[][..], |e| self.edge_documents(e));
            documents.iter().map(move |document| DocumentRow {
                depth: row.depth,
                direction: row.direction,
                from: edge.map_or(u32::MAX, |e| e.from),
                to: edge.map_or(u32::MAX, |e| e.to),
                document,
                repeat: row.repeat,
            })
        })
    }

    /// A copy that no longer borrows the movements.
    pub fn into_owned(self) -> BatchTrace<'static> {
        BatchTrace {
            product_id: self.product_id,
            batch: self.batch,
            nodes: self
                .nodes
                .into_iter()
                .map(|n| TraceNode {
                    name: n.name.map(|s| Cow::Owned(s.into_owned())),
                    ..n
                })
                .collect(),
            edges: self.edges,
            documents: self
                .documents
                .into_iter()
                .map(|d| DocumentRef {
                    number: Cow::Owned(d.number.into_owned()),
                    ..d
                })
                .collect(),
            tree: self.tree,
        }
    }
}

/// Traces `batch` of `product` through the submitted, uncorrected `docs`: [`trace_movements`]
/// over [`movements_of`] the documents.
pub fn trace_batch<'a>(
    docs: &'a [Transaction],
    product: ProductId,
    batch: &str,
    start: TraceStart,
    direction: TraceDirection,
) -> BatchTrace<'a> {
    // The movements are kept between calls like the trace's other buffers (see `scratch`).
    let mut movements = scratch::Scratch::take_movements();
    movement::movements_into(docs, product, batch, &mut movements);
    let trace = trace_movements(&movements, product, batch, start, direction);
    scratch::Scratch::keep_movements(movements);
    trace
}

/// Traces a batch through its `movements` (see [`Movement`] for what they must hold); `product`
/// and `batch` only label the result, which does not depend on the order of the movements.
///
/// Forward follows sale edges downstream to every holder; backward follows them upstream and
/// stops at an origin (a producer or an external supplier). Return edges between parties reached
/// are shown but never followed, since a return goes back the way the goods came. A party the
/// movements do not mention yields an empty trace.
///
/// The calling thread keeps the largest working buffers for its next trace (up to 64 MiB each),
/// as faulting in fresh memory for each trace would cost several milliseconds.
pub fn trace_movements<'a>(
    movements: &[Movement<'a>],
    product: ProductId,
    batch: &str,
    start: TraceStart,
    direction: TraceDirection,
) -> BatchTrace<'a> {
    let mut scratch = scratch::Scratch::take();
    let g = graph::Graph::build(movements, &mut scratch);
    let mut out_edge = std::mem::take(&mut scratch.out_edge);
    let report = report::Report::of(&g, &start, direction, &mut out_edge);
    scratch.out_edge = out_edge;
    g.give_back(&mut scratch);
    scratch.give_back();
    BatchTrace {
        product_id: product,
        batch: batch.to_owned(),
        nodes: report.nodes,
        edges: report.edges,
        documents: report.documents,
        tree: report.tree,
    }
}
