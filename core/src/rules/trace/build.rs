//! Building the batch graph from the movements.
//!
//! Built for large histories, where a read from far away in memory costs more than the work
//! done with it, so the movements are only ever read in order. A first pass interns the parties
//! (a fast hasher keyed by the enterprise id as integers), finds when each party was last named
//! and counts what each party sends; a second pass copies each movement straight into its
//! sender's bucket (a counting sort, whose few open buckets stay in cache). Each bucket is then
//! ordered on packed integer keys and folded into edges in place. Nothing reads a movement out
//! of order again; only the display names are read from elsewhere, a few per party.

use super::graph::{Doc, Edge, Flows, Graph, day_key, recorded_by};
use super::scratch::{Scratch, recycle};
use super::{CounterpartyKey, EdgeKind, Movement, RecordedBy};
use crate::model::{EnterpriseId, TransactionKind};
use foldhash::{HashMap, HashMapExt};

struct Interner<'a> {
    /// Keyed by the id's halves: 8-byte aligned, so a slot takes 24 bytes rather than 32.
    enterprises: HashMap<(u64, u64), u32>,
    usccs: HashMap<&'a str, u32>,
    names: HashMap<&'a str, u32>,
    keys: Vec<CounterpartyKey<'a>>,
}

impl<'a> Interner<'a> {
    fn new() -> Self {
        Interner {
            enterprises: HashMap::with_capacity(1024),
            usccs: HashMap::new(),
            names: HashMap::new(),
            keys: Vec::new(),
        }
    }

    /// The node of an enterprise; the id is hashed as two integers, much cheaper than its bytes.
    fn enterprise(&mut self, id: EnterpriseId) -> u32 {
        let next = self.keys.len() as u32;
        let (hi, lo) = id.0.as_u64_pair();
        *self.enterprises.entry((hi, lo)).or_insert_with(|| {
            self.keys.push(CounterpartyKey::Enterprise(id));
            next
        })
    }

    fn intern(&mut self, key: CounterpartyKey<'a>) -> u32 {
        // Text keys are trimmed here too, so a hand-made key finds the same party.
        let (map, text, key) = match key {
            CounterpartyKey::Enterprise(id) => return self.enterprise(id),
            CounterpartyKey::Uscc(s) => {
                (&mut self.usccs, s.trim(), CounterpartyKey::Uscc(s.trim()))
            }
            CounterpartyKey::Name(s) => {
                (&mut self.names, s.trim(), CounterpartyKey::Name(s.trim()))
            }
        };
        let next = self.keys.len() as u32;
        let keys = &mut self.keys;
        *map.entry(text).or_insert_with(|| {
            keys.push(key);
            next
        })
    }
}

/// The display names: for each party the latest non-blank name others wrote for it (ties: the
/// smallest), so the choice does not depend on the order of the movements.
///
/// The text of a name lies far away in memory, so the first pass only finds each party's latest
/// date ([`Names::date`]), the second collects the names of that date ([`Names::offer`]), which
/// are then read together, and a party whose names of that date are all blank is settled by a
/// pass over all of its names.
struct Names<'a> {
    latest: Vec<u32>,
    offers: Vec<(u32, &'a str)>,
}

impl<'a> Names<'a> {
    fn date(&mut self, party: u32, day: u32) {
        let slot = &mut self.latest[party as usize];
        *slot = (*slot).max(day);
    }

    fn offer(&mut self, party: u32, day: u32, name: &'a str) {
        if day == self.latest[party as usize] {
            self.offers.push((party, name));
        }
    }

    /// The names, once every movement was offered; `named` gives the party a movement names.
    fn settle(
        self,
        movements: &[Movement<'a>],
        named: impl Fn(usize) -> Option<u32>,
    ) -> Vec<Option<&'a str>> {
        // Touching every text first lets the reads overlap, where trimming one after the other
        // would wait for each in turn.
        let touched = self.offers.iter().fold(0u8, |acc, (_, s)| {
            acc ^ s.as_bytes().first().copied().unwrap_or(0)
        });
        std::hint::black_box(touched);
        let mut names: Vec<Option<&'a str>> = vec![None; self.latest.len()];
        for &(party, name) in &self.offers {
            let name = name.trim();
            let slot = &mut names[party as usize];
            if !name.is_empty() && slot.is_none_or(|s| name < s) {
                *slot = Some(name);
            }
        }
        let blank: Vec<bool> = (0..names.len())
            .map(|y| self.latest[y] != 0 && names[y].is_none())
            .collect();
        if !blank.contains(&true) {
            return names;
        }
        let mut best: Vec<Option<(u32, &'a str)>> = vec![None; names.len()];
        for (i, m) in movements.iter().enumerate() {
            let Some(y) = named(i).filter(|&y| blank[y as usize]) else {
                continue;
            };
            let (day, name) = (day_key(m.date), m.counterparty_name.trim());
            let slot = &mut best[y as usize];
            if !name.is_empty() && slot.is_none_or(|(d, s)| day > d || (day == d && name < s)) {
                *slot = Some((day, name));
            }
        }
        for (y, b) in best.into_iter().enumerate() {
            if blank[y] {
                names[y] = b.map(|(_, s)| s);
            }
        }
        names
    }
}

/// The party a movement names as its counterparty, unless it is a 成品入库 or names its holder.
fn named_party(kind: TransactionKind, (from, to): (u32, u32)) -> Option<u32> {
    if to == PRODUCTION || from == to {
        return None;
    }
    Some(match recorded_by(kind) {
        RecordedBy::Sender => to,
        RecordedBy::Receiver => from,
    })
}

fn is_return(kind: TransactionKind) -> bool {
    matches!(
        kind,
        TransactionKind::PurchaseReturn | TransactionKind::SalesReturn
    )
}

/// Bucket starts from per-bucket counts, with the end appended: bucket `i` is
/// `start[i]..start[i + 1]`.
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

/// Marks the missing receiver of a 成品入库 in the first pass.
const PRODUCTION: u32 = u32::MAX;

impl<'a> Graph<'a> {
    /// The graph of the movements (see [`Movement`] for what they must be), in buffers taken
    /// from `scratch`; [`Graph::give_back`] returns them.
    pub(super) fn build(movements: &[Movement<'a>], scratch: &mut Scratch) -> Graph<'a> {
        let mut interner = Interner::new();
        // The (sender, receiver) of each movement, for the second pass.
        let mut ends = std::mem::take(&mut scratch.ends);
        ends.reserve(movements.len());
        let mut sends: Vec<u32> = Vec::new();
        let mut names = Names {
            latest: Vec::new(),
            offers: Vec::new(),
        };
        let mut first_day = u32::MAX;
        for m in movements {
            let x = interner.enterprise(m.holder);
            if m.kind == TransactionKind::FinishedGoodsInbound {
                ends.push((x, PRODUCTION));
                continue;
            }
            let y = interner.intern(m.counterparty);
            let (from, to) = match recorded_by(m.kind) {
                RecordedBy::Sender => (x, y),
                RecordedBy::Receiver => (y, x),
            };
            if sends.len() < interner.keys.len() {
                sends.resize(interner.keys.len(), 0);
                names.latest.resize(interner.keys.len(), 0);
            }
            sends[from as usize] += 1;
            let day = day_key(m.date);
            if x != y {
                names.date(y, day);
            }
            first_day = first_day.min(day);
            ends.push((from, to));
        }
        let keys_unsorted = interner.keys;
        let n = keys_unsorted.len();
        sends.resize(n, 0);
        names.latest.resize(n, 0);

        // Renumber nodes in key order so every output order is independent of input order.
        // Enterprises come first in key order; as plain integer pairs they sort fastest.
        let mut by_id: Vec<(u128, u32)> = Vec::with_capacity(n);
        let mut by_text: Vec<u32> = Vec::new();
        for (i, k) in keys_unsorted.iter().enumerate() {
            match k {
                CounterpartyKey::Enterprise(id) => by_id.push((id.0.as_u128(), i as u32)),
                _ => by_text.push(i as u32),
            }
        }
        by_id.sort_unstable();
        by_text.sort_unstable_by_key(|&i| keys_unsorted[i as usize]);
        let order: Vec<u32> = by_id.iter().map(|&(_, i)| i).chain(by_text).collect();
        drop(by_id);
        let mut rank = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        let keys: Vec<CounterpartyKey<'a>> =
            order.iter().map(|&o| keys_unsorted[o as usize]).collect();
        let bucket = starts(order.iter().map(|&o| sends[o as usize]), n);
        drop((sends, keys_unsorted));

        // Second pass: each document straight into its sender's bucket.
        let mut docs: Vec<Doc<'a>> = recycle(std::mem::take(&mut scratch.docs));
        docs.resize(bucket[n] as usize, Doc::NONE);
        let mut fill = bucket.clone();
        let mut prod: Vec<Doc<'a>> = Vec::new();
        for (m, &(from, to)) in movements.iter().zip(&ends) {
            if let Some(y) = named_party(m.kind, (from, to)) {
                names.offer(y, day_key(m.date), m.counterparty_name);
            }
            let mut doc = Doc {
                id: m.document,
                number: m.number,
                qty: m.quantity,
                date: m.date,
                to: rank[from as usize],
                kind: m.kind,
            };
            if to == PRODUCTION {
                prod.push(doc);
                continue;
            }
            doc.to = rank[to as usize];
            let slot = &mut fill[rank[from as usize] as usize];
            docs[*slot as usize] = doc;
            *slot += 1;
        }
        let names = names.settle(movements, |i| named_party(movements[i].kind, ends[i]));
        let names = order.iter().map(|&o| names[o as usize]).collect();
        scratch.ends = ends;
        drop((fill, rank, order));

        // Each bucket by receiver, kind (sales first) and date, on packed keys; then by number
        // and id, so that the order never depends on the input order. Rows of one document
        // meet there and are summed; the bucket is rewritten in order, shorter by the merges.
        let mut edges = std::mem::take(&mut scratch.edges);
        let mut order: Vec<(u64, u32)> = Vec::new();
        let mut sorted: Vec<Doc<'a>> = Vec::new();
        for from in 0..n as u32 {
            let (lo, hi) = (
                bucket[from as usize] as usize,
                bucket[from as usize + 1] as usize,
            );
            let bucket = &mut docs[lo..hi];
            order.clear();
            order.extend(bucket.iter().enumerate().map(|(i, d)| {
                // Dates span fewer than 2^28 days, so the offset fits below the kind bit.
                let day = u64::from(day_key(d.date) - first_day);
                let key = u64::from(d.to) << 32 | u64::from(is_return(d.kind)) << 31 | day;
                (key, i as u32)
            }));
            // Plain integer pairs sort fastest; the rare runs of equal keys are then ordered
            // by their text.
            order.sort_unstable();
            let mut run = 0;
            while run < order.len() {
                let key = order[run].0;
                let len = order[run..].iter().take_while(|o| o.0 == key).count();
                if len > 1 {
                    order[run..run + len].sort_unstable_by(|a, b| {
                        let (x, y) = (&bucket[a.1 as usize], &bucket[b.1 as usize]);
                        (x.number, x.id).cmp(&(y.number, y.id))
                    });
                }
                run += len;
            }
            sorted.clear();
            let mut prev_key = None;
            for &(key, i) in &order {
                let d = bucket[i as usize];
                let kind = if is_return(d.kind) {
                    EdgeKind::Return
                } else {
                    EdgeKind::Sale
                };
                let pos = (lo + sorted.len()) as u32;
                if edges
                    .last()
                    .is_none_or(|e| (e.from, e.to, e.kind) != (from, d.to, kind))
                {
                    edges.push(Edge {
                        from,
                        to: d.to,
                        kind,
                        sent: 0,
                        received: 0,
                        first: day_key(d.date),
                        start: pos,
                        end: pos,
                    });
                }
                let e = edges.last_mut().expect("pushed above");
                match recorded_by(d.kind) {
                    RecordedBy::Sender => e.sent += d.qty,
                    RecordedBy::Receiver => e.received += d.qty,
                }
                match sorted.last_mut() {
                    Some(last) if prev_key == Some(key) && last.id == d.id => last.qty += d.qty,
                    _ => {
                        sorted.push(d);
                        e.end = pos + 1;
                    }
                }
                prev_key = Some(key);
            }
            bucket[..sorted.len()].copy_from_slice(&sorted);
        }
        drop((order, sorted, bucket));

        prod.sort_unstable_by(|a, b| {
            (a.to, a.date, a.number, a.id).cmp(&(b.to, b.date, b.number, b.id))
        });
        prod.dedup_by(|later, kept| {
            let same = (kept.to, kept.id) == (later.to, later.id);
            if same {
                kept.qty += later.qty;
            }
            same
        });
        let mut produced = vec![0u32; n];
        let mut flows = vec![Flows::default(); n];
        for d in &prod {
            produced[d.to as usize] += 1;
            flows[d.to as usize].produced += d.qty;
        }
        let prod_start = starts(produced.into_iter(), n);

        // Adjacency in tree order: by first document date, then kind, then the other party,
        // on packed keys (edge index in the low bits).
        let edge_key = |e: &Edge, other: u32, i: usize| {
            u128::from(e.first) << 64
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
        let mut out_keys = std::mem::take(&mut scratch.out_keys);
        out_keys.extend(edges.iter().enumerate().map(|(i, e)| edge_key(e, e.to, i)));
        let mut in_keys = std::mem::take(&mut scratch.in_keys);
        in_keys.resize(edges.len(), 0);
        let mut fill = in_start.clone();
        for (i, e) in edges.iter().enumerate() {
            let slot = &mut fill[e.to as usize];
            in_keys[*slot as usize] = edge_key(e, e.from, i);
            *slot += 1;
        }
        sort_buckets(&mut out_keys, &out_start);
        sort_buckets(&mut in_keys, &in_start);
        let out = out_keys.iter().map(|&k| k as u32).collect();
        let inn = in_keys.iter().map(|&k| k as u32).collect();
        (scratch.out_keys, scratch.in_keys) = (out_keys, in_keys);

        for e in &edges {
            let (f, t) = (e.from as usize, e.to as usize);
            match e.kind {
                EdgeKind::Sale => {
                    flows[f].sells = true;
                    flows[t].buys = true;
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
            docs,
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

    /// Returns the graph's buffers to `scratch`.
    pub(super) fn give_back(self, scratch: &mut Scratch) {
        scratch.docs = recycle(self.docs);
        scratch.edges = self.edges;
    }
}
