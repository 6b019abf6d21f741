//! The batch graph: parties interned to indices, documents folded into edges, adjacency lists.
//!
//! Built for large histories: one pass over the documents copies what the trace needs into a
//! compact array (borrowing strings, allocating none per line), after which nothing touches
//! the documents again; grouping is a counting sort by sender, then sorts of packed integer
//! keys rather than of records.

use super::{DocumentRef, EdgeKind, Party, RecordedBy, TraceNode};
use crate::model::{
    Counterparty, EnterpriseId, ProductId, Transaction, TransactionId, TransactionKind,
};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::Range;

/// Depth of a node the walk did not reach.
pub(super) const UNSEEN: u32 = u32::MAX;

/// A party key borrowing from the documents, so interning allocates nothing per line.
/// The variant order matches [`Party`], so sorting keys sorts parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Key<'a> {
    Enterprise(EnterpriseId),
    Uscc(&'a str),
    Name(&'a str),
}

impl<'a> Key<'a> {
    /// Externals are keyed by USCC when one is written, else by name; a missing counterparty
    /// becomes the nameless external so the holder's own balance still adds up.
    pub(super) fn of_counterparty(counterparty: Option<&'a Counterparty>) -> Key<'a> {
        match counterparty {
            Some(c) => match (c.enterprise_id, c.uscc.as_deref()) {
                (Some(id), _) => Key::Enterprise(id),
                (None, Some(uscc)) if !uscc.trim().is_empty() => Key::Uscc(uscc.trim()),
                (None, _) => Key::Name(c.name.trim()),
            },
            None => Key::Name(""),
        }
    }

    fn of_party(party: &'a Party) -> Key<'a> {
        match party {
            Party::Enterprise(id) => Key::Enterprise(*id),
            Party::Uscc(s) => Key::Uscc(s.trim()),
            Party::Name(s) => Key::Name(s.trim()),
        }
    }

    pub(super) fn to_party(self) -> Party {
        match self {
            Key::Enterprise(id) => Party::Enterprise(id),
            Key::Uscc(s) => Party::Uscc(s.to_owned()),
            Key::Name(s) => Party::Name(s.to_owned()),
        }
    }

    fn is_platform(self) -> bool {
        matches!(self, Key::Enterprise(_))
    }
}

/// One counted document's share of the batch, with its attribution.
#[derive(Debug, Clone, Copy)]
pub(super) struct Doc<'a> {
    pub id: TransactionId,
    pub number: &'a str,
    pub date: NaiveDate,
    pub qty: u64,
    pub kind: TransactionKind,
    pub by: RecordedBy,
    /// Sending and receiving node; both the producer for a 成品入库.
    pub from: u32,
    pub to: u32,
}

impl<'a> Doc<'a> {
    /// A placeholder for slots about to be overwritten.
    const NONE: Doc<'static> = Doc {
        id: TransactionId(uuid::Uuid::nil()),
        number: "",
        date: NaiveDate::MIN,
        qty: 0,
        kind: TransactionKind::FinishedGoodsInbound,
        by: RecordedBy::Receiver,
        from: 0,
        to: 0,
    };

    pub(super) fn to_ref(self) -> DocumentRef<'a> {
        DocumentRef {
            id: self.id,
            number: Cow::Borrowed(self.number),
            kind: self.kind,
            date: self.date,
            quantity: self.qty,
            recorded_by: self.by,
        }
    }

    fn edge_kind(&self) -> EdgeKind {
        match self.kind {
            TransactionKind::PurchaseReturn | TransactionKind::SalesReturn => EdgeKind::Return,
            _ => EdgeKind::Sale,
        }
    }
}

/// All documents between two parties of one kind.
#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub from: u32,
    pub to: u32,
    pub kind: EdgeKind,
    pub sent: u64,
    pub received: u64,
    /// Date of the first document, which orders the tree.
    pub first: NaiveDate,
    /// Positions of the edge's documents in [`Graph::docs`].
    pub docs: Range<usize>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Flows {
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
    /// The edge documents: edge after edge, each by date.
    docs: Vec<Doc<'a>>,
    /// The 成品入库, by node then date; `prod_start` indexes them by node.
    prod: Vec<Doc<'a>>,
    /// Node keys, sorted, so node indices do not depend on the order of the documents.
    pub keys: Vec<Key<'a>>,
    /// The latest name others wrote for the party.
    names: Vec<Option<&'a str>>,
    pub flows: Vec<Flows>,
    /// Producers and externals: a backward walk ends there.
    pub origin: Vec<bool>,
    prod_start: Vec<u32>,
    /// Sorted by (from, to, kind).
    pub edges: Vec<Edge>,
    out_start: Vec<u32>,
    out: Vec<u32>,
    in_start: Vec<u32>,
    inn: Vec<u32>,
}

/// Slots of the direct-mapped cache in front of the enterprise map.
const CACHE_SLOTS: usize = 1 << 14;

struct Interner<'a> {
    /// A direct-mapped cache of recent enterprise lookups. A batch history names each holder
    /// many times, and a hit costs far less than hashing a UUID with the DoS-safe default
    /// hasher; a miss (or a crafted id) only falls back to the map, so results never depend on it.
    /// Halves of the id (8-byte aligned, so a slot takes 24 bytes, not 32) and the node.
    cache: Vec<(u64, u64, u32)>,
    enterprises: HashMap<u128, u32>,
    usccs: HashMap<&'a str, u32>,
    names: HashMap<&'a str, u32>,
    keys: Vec<Key<'a>>,
}

impl<'a> Interner<'a> {
    fn intern(&mut self, key: Key<'a>) -> u32 {
        let next = self.keys.len() as u32;
        match key {
            Key::Enterprise(id) => {
                let id = id.0.as_u128();
                let (hi, lo) = ((id >> 64) as u64, id as u64);
                let c = ((hi ^ lo) as usize) & (CACHE_SLOTS - 1);
                // Slots start with node u32::MAX, which no node index reaches.
                let slot = self.cache[c];
                if (slot.0, slot.1) == (hi, lo) && slot.2 != u32::MAX {
                    return slot.2;
                }
                let node = match self.enterprises.entry(id) {
                    Entry::Occupied(o) => *o.get(),
                    Entry::Vacant(v) => {
                        v.insert(next);
                        self.keys.push(key);
                        next
                    }
                };
                self.cache[c] = (hi, lo, node);
                node
            }
            Key::Uscc(s) => intern_str(&mut self.usccs, &mut self.keys, s, key),
            Key::Name(s) => intern_str(&mut self.names, &mut self.keys, s, key),
        }
    }
}

fn intern_str<'a>(
    map: &mut HashMap<&'a str, u32>,
    keys: &mut Vec<Key<'a>>,
    s: &'a str,
    key: Key<'a>,
) -> u32 {
    let next = keys.len() as u32;
    *map.entry(s).or_insert_with(|| {
        keys.push(key);
        next
    })
}

/// A date as an unsigned integer with the same order.
fn day_key(date: NaiveDate) -> u32 {
    (date.num_days_from_ce() as u32) ^ 0x8000_0000
}

/// Prefix sums of per-bucket counts: bucket `i` spans `start[i]..start[i + 1]`.
fn starts(counts: impl Iterator<Item = u32>, n: usize) -> Vec<u32> {
    let mut start = Vec::with_capacity(n + 1);
    start.push(0u32);
    let mut sum = 0u32;
    for c in counts {
        sum += c;
        start.push(sum);
    }
    start
}

/// Sorts each bucket of packed keys; the low 32 bits of a key are the payload.
fn sort_buckets(keys: &mut [u128], start: &[u32]) {
    for w in start.windows(2) {
        keys[w[0] as usize..w[1] as usize].sort_unstable();
    }
}

/// Sum of the lines of `product` and `batch` on a document, if it has any.
fn batch_quantity(d: &Transaction, product: ProductId, batch: &str) -> Option<u64> {
    let mut hit = false;
    let mut qty = 0u64;
    for l in &d.lines {
        if l.product_id == product && l.batch == batch {
            hit = true;
            qty += u64::from(l.quantity);
        }
    }
    hit.then_some(qty)
}

/// Interns both ends of a counted document; returns it with the counterparty name as written.
fn attribute<'a>(interner: &mut Interner<'a>, d: &'a Transaction, qty: u64) -> (Doc<'a>, &'a str) {
    let x = interner.intern(Key::Enterprise(d.enterprise_id));
    let (y, name) = if d.kind == TransactionKind::FinishedGoodsInbound {
        (x, "")
    } else {
        let cp = d.counterparty.as_ref();
        let y = interner.intern(Key::of_counterparty(cp));
        (y, cp.map_or("", |c| c.name.as_str()))
    };
    let (from, to, by) = match d.kind {
        TransactionKind::SalesOutbound | TransactionKind::PurchaseReturn => {
            (x, y, RecordedBy::Sender)
        }
        TransactionKind::PurchaseInbound | TransactionKind::SalesReturn => {
            (y, x, RecordedBy::Receiver)
        }
        TransactionKind::FinishedGoodsInbound => (x, x, RecordedBy::Receiver),
    };
    let doc = Doc {
        id: d.id,
        number: &d.number,
        date: d.date,
        qty,
        kind: d.kind,
        by,
        from,
        to,
    };
    (doc, name)
}

/// The name a document gives the party at its other end, as a candidate display name.
#[derive(Debug, Clone, Copy)]
struct Vote<'a> {
    date: NaiveDate,
    name: &'a str,
    doc: TransactionId,
}

/// Keeps the latest name for the party at the other end of `d` (ties: the smallest), so the
/// choice does not depend on document order. Only ties and winners read the text.
fn vote<'a>(votes: &mut Vec<Option<Vote<'a>>>, nodes: usize, d: &Doc<'a>, name: &'a str) {
    if votes.len() < nodes {
        votes.resize(nodes, None);
    }
    if d.from == d.to {
        return;
    }
    let other = match d.by {
        RecordedBy::Sender => d.to,
        RecordedBy::Receiver => d.from,
    };
    let slot = &mut votes[other as usize];
    let better = match *slot {
        None => true,
        Some(v) => d.date > v.date || (d.date == v.date && name.trim() < v.name),
    };
    if better && !name.trim().is_empty() {
        *slot = Some(Vote {
            date: d.date,
            name: name.trim(),
            doc: d.id,
        });
    }
}

impl<'a> Graph<'a> {
    pub(super) fn build(docs: &'a [Transaction], product: ProductId, batch: &str) -> Graph<'a> {
        let mut interner = Interner {
            cache: vec![(0, 0, u32::MAX); CACHE_SLOTS],
            enterprises: HashMap::with_capacity(1024),
            usccs: HashMap::new(),
            names: HashMap::new(),
            keys: Vec::new(),
        };
        let mut counted: Vec<Doc<'a>> = Vec::with_capacity(docs.len());
        // Per node, how many edge documents it sends, to size the buckets of the grouping.
        let mut sends: Vec<u32> = Vec::new();
        let mut votes: Vec<Option<Vote<'a>>> = Vec::new();
        let mut corrected: Vec<TransactionId> = Vec::new();

        for d in docs {
            if !d.status.is_submitted() {
                continue;
            }
            // Corrections are collected in the same pass and applied afterwards.
            if let Some(c) = d.corrects {
                corrected.push(c);
            }
            let Some(qty) = batch_quantity(d, product, batch) else {
                continue;
            };
            let (doc, name) = attribute(&mut interner, d, qty);
            counted.push(doc);
            if doc.kind == TransactionKind::FinishedGoodsInbound {
                continue;
            }
            let nodes = interner.keys.len();
            vote(&mut votes, nodes, &doc, name);
            if sends.len() < nodes {
                sends.resize(nodes, 0);
            }
            sends[doc.from as usize] += 1;
        }
        let n_old = interner.keys.len();
        sends.resize(n_old, 0);
        votes.resize(n_old, None);

        let mut used: Option<Vec<bool>> = None;
        if !corrected.is_empty() {
            corrected.sort_unstable();
            let before = counted.len();
            counted.retain(|d| corrected.binary_search(&d.id).is_err());
            if counted.len() < before {
                // Parties named only on retired documents must not show up.
                let mut u = vec![false; n_old];
                sends.fill(0);
                for d in &counted {
                    u[d.from as usize] = true;
                    u[d.to as usize] = true;
                    if d.kind != TransactionKind::FinishedGoodsInbound {
                        sends[d.from as usize] += 1;
                    }
                }
                used = Some(u);
                // A name taken from a retired document is re-elected from the others, which
                // needs the documents again; this only happens when such a name had won.
                let stale: Vec<bool> = votes
                    .iter()
                    .map(|v| v.is_some_and(|v| corrected.binary_search(&v.doc).is_ok()))
                    .collect();
                if stale.contains(&true) {
                    for (v, &s) in votes.iter_mut().zip(&stale) {
                        if s {
                            *v = None;
                        }
                    }
                    for d in docs {
                        if !d.status.is_submitted()
                            || d.kind == TransactionKind::FinishedGoodsInbound
                            || corrected.binary_search(&d.id).is_ok()
                        {
                            continue;
                        }
                        let Some(qty) = batch_quantity(d, product, batch) else {
                            continue;
                        };
                        let (doc, name) = attribute(&mut interner, d, qty);
                        let other = if doc.by == RecordedBy::Sender {
                            doc.to
                        } else {
                            doc.from
                        };
                        if stale[other as usize] {
                            vote(&mut votes, n_old, &doc, name);
                        }
                    }
                }
            }
        }

        // Renumber nodes in key order so every output order is independent of input order.
        let keys_unsorted = interner.keys;
        let mut order: Vec<u32> = (0..n_old as u32)
            .filter(|&i| used.as_ref().is_none_or(|u| u[i as usize]))
            .collect();
        order.sort_unstable_by(|&a, &b| {
            match (keys_unsorted[a as usize], keys_unsorted[b as usize]) {
                // The derived order compares UUID bytes one by one; as integers it is the same.
                (Key::Enterprise(x), Key::Enterprise(y)) => x.0.as_u128().cmp(&y.0.as_u128()),
                (x, y) => x.cmp(&y),
            }
        });
        let n = order.len();
        let mut rank = vec![u32::MAX; n_old];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        let keys: Vec<Key<'a>> = order.iter().map(|&o| keys_unsorted[o as usize]).collect();
        let names: Vec<Option<&'a str>> = order
            .iter()
            .map(|&o| votes[o as usize].map(|v| v.name))
            .collect();

        // Group documents into edges: scatter them into one bucket per sender (few buckets are
        // written at a time, so this stays in cache, unlike gathering them one by one), then
        // order each bucket by (receiver, kind, date), and by number and id within a day so
        // that the order never depends on the input order.
        let from_start = starts(order.iter().map(|&o| sends[o as usize]), n);
        let edge_docs = from_start[n] as usize;
        let mut scattered: Vec<Doc<'a>> = vec![Doc::NONE; edge_docs];
        let mut fill = from_start.clone();
        let mut prod: Vec<Doc<'a>> = Vec::new();
        for d in &counted {
            let mut d = *d;
            d.from = rank[d.from as usize];
            d.to = rank[d.to as usize];
            if d.kind == TransactionKind::FinishedGoodsInbound {
                prod.push(d);
                continue;
            }
            let slot = &mut fill[d.from as usize];
            scattered[*slot as usize] = d;
            *slot += 1;
        }
        drop(counted);

        // Sorting packed integer keys and then permuting is much cheaper than sorting the wide
        // records; receiver and kind share 32 bits (fewer than 2^31 parties). The permuted
        // documents are folded into edges as they are laid out.
        let mut sorted: Vec<Doc<'a>> = Vec::with_capacity(edge_docs);
        let mut edges: Vec<Edge> = Vec::new();
        let mut by_key: Vec<(u64, u32)> = Vec::new();
        for w in from_start.windows(2) {
            let bucket = &scattered[w[0] as usize..w[1] as usize];
            by_key.clear();
            by_key.extend(bucket.iter().enumerate().map(|(i, d)| {
                let kind = u64::from(d.edge_kind() == EdgeKind::Return);
                let key = (u64::from(d.to) << 1 | kind) << 32 | u64::from(day_key(d.date));
                (key, i as u32)
            }));
            by_key.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0).then_with(|| {
                    let (x, y) = (&bucket[a.1 as usize], &bucket[b.1 as usize]);
                    (x.number, x.id).cmp(&(y.number, y.id))
                })
            });
            for &(_, i) in &by_key {
                let d = bucket[i as usize];
                let kind = d.edge_kind();
                let pos = sorted.len();
                if edges
                    .last()
                    .is_none_or(|e| (e.from, e.to, e.kind) != (d.from, d.to, kind))
                {
                    edges.push(Edge {
                        from: d.from,
                        to: d.to,
                        kind,
                        sent: 0,
                        received: 0,
                        first: d.date,
                        docs: pos..pos,
                    });
                }
                let e = edges.last_mut().expect("pushed above");
                e.docs.end = pos + 1;
                match d.by {
                    RecordedBy::Sender => e.sent += d.qty,
                    RecordedBy::Receiver => e.received += d.qty,
                }
                sorted.push(d);
            }
        }
        drop(scattered);

        prod.sort_unstable_by(|a, b| {
            (a.to, a.date, a.number, a.id).cmp(&(b.to, b.date, b.number, b.id))
        });
        let mut produced = vec![0u32; n];
        for d in &prod {
            produced[d.to as usize] += 1;
        }
        let prod_start = starts(produced.into_iter(), n);

        // Adjacency in tree order: by first document date, then kind, then the other party,
        // again on packed keys (edge index in the low bits).
        let edge_key = |e: &Edge, other: u32, i: usize| {
            u128::from(day_key(e.first)) << 64
                | u128::from(u32::from(e.kind == EdgeKind::Return) << 31 | other) << 32
                | i as u128
        };
        let mut out_count = vec![0u32; n];
        let mut in_count = vec![0u32; n];
        for e in &edges {
            out_count[e.from as usize] += 1;
            in_count[e.to as usize] += 1;
        }
        let out_start = starts(out_count.into_iter(), n);
        let in_start = starts(in_count.into_iter(), n);
        // Edges are sorted by sender, so the outgoing buckets are already in place.
        let mut out_keys: Vec<u128> = edges
            .iter()
            .enumerate()
            .map(|(i, e)| edge_key(e, e.to, i))
            .collect();
        let mut in_keys = vec![0u128; edges.len()];
        let mut fill = in_start.clone();
        for (i, e) in edges.iter().enumerate() {
            let slot = &mut fill[e.to as usize];
            in_keys[*slot as usize] = edge_key(e, e.from, i);
            *slot += 1;
        }
        sort_buckets(&mut out_keys, &out_start);
        sort_buckets(&mut in_keys, &in_start);
        let out = out_keys.into_iter().map(|k| k as u32).collect();
        let inn = in_keys.into_iter().map(|k| k as u32).collect();

        let mut flows = vec![Flows::default(); n];
        for d in &prod {
            flows[d.to as usize].produced += d.qty;
        }
        for e in &edges {
            let (f, t) = (e.from as usize, e.to as usize);
            match e.kind {
                EdgeKind::Sale => {
                    flows[f].passed_on += e.sent;
                    flows[t].received += e.received;
                }
                EdgeKind::Return => {
                    flows[f].returned_out += e.sent;
                    flows[t].returns_in += e.received;
                }
            }
        }
        let origin = (0..n)
            .map(|i| !keys[i].is_platform() || prod_start[i] != prod_start[i + 1])
            .collect();

        Graph {
            docs: sorted,
            prod,
            keys,
            names,
            flows,
            origin,
            prod_start,
            edges,
            out_start,
            out,
            in_start,
            inn,
        }
    }

    /// The node of `party`, if the documents mention it.
    pub(super) fn find(&self, party: &Party) -> Option<u32> {
        let key = Key::of_party(party);
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
        &self.docs[e.docs.clone()]
    }

    fn production(&self, node: usize) -> &[Doc<'a>] {
        &self.prod[self.prod_start[node] as usize..self.prod_start[node + 1] as usize]
    }

    fn has_sale(&self, node: u32, forward: bool) -> bool {
        self.adjacent(node, forward)
            .iter()
            .any(|&e| self.edges[e as usize].kind == EdgeKind::Sale)
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
            let own = self.production(node as usize).first().map(|d| d.date);
            let is_root = if forward {
                own.is_some() || !self.has_sale(node, false)
            } else {
                !self.has_sale(node, true)
            };
            if is_root {
                let date = match (own.filter(|_| forward), first) {
                    (Some(a), Some(b)) => a.min(b),
                    (a, b) => a.or(b).unwrap_or(NaiveDate::MAX),
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
