//! Building the batch graph from the movements.
//!
//! Built for large histories, where a read from far away in memory costs more than the work
//! done with it. One pass over the movements, in order, interns the parties (a fast hasher keyed
//! by the enterprise id as integers), collects the candidate display names and keeps a
//! one-cache-line [`Rec`] of each movement, holding all the output needs of it. Two stable
//! counting sorts of the records, by receiver then by sender, group the documents by pair of
//! parties; each pass reads the records in order and writes them out of order, which costs far
//! less than the reverse. A pair's few documents are then put in date order where they lie. The
//! movements are not read again, unless a party's latest names are all blank.

use super::graph::{Edge, Flows, Graph, PRODUCTION, Rec, day_key, is_return, recorded_by};
use super::scratch::{Scratch, recycle, zeroed};
use super::{CounterpartyKey, EdgeKind, Movement, RecordedBy};
use crate::model::{EnterpriseId, TransactionId, TransactionKind};
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};

struct Interner<'a> {
    /// Keyed by the id's halves: 8-byte aligned, so a slot takes 24 bytes rather than 32.
    enterprises: HashMap<(u64, u64), u32>,
    usccs: HashMap<&'a str, u32>,
    names: HashMap<&'a str, u32>,
    keys: Vec<CounterpartyKey<'a>>,
}

impl<'a> Interner<'a> {
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

/// The display names, by node as interned: for each party the latest non-blank name others
/// wrote for it (ties: the smallest), so the choice does not depend on the order of the
/// movements.
///
/// `latest` is each party's latest day (as [`day_key`]s), `offers` every name read while it
/// was its party's latest, so it holds all the names of that day. The text of a name lies far
/// away in memory, so only those are read; a party whose names of that day are all blank is
/// settled by a pass over all of its names.
fn settle_names<'a>(
    movements: &[Movement<'a>],
    rec: &[Rec],
    offers: &[(u32, u32, &'a str)],
    latest: &[u32],
) -> Vec<Option<&'a str>> {
    let current = || {
        offers
            .iter()
            .filter(|&&(party, day, _)| latest[party as usize] == day)
    };
    // Touching every text first lets the reads overlap, where trimming one after the other
    // would wait for each in turn.
    let touched = current().fold(0u8, |acc, (_, _, s)| {
        acc ^ s.as_bytes().first().copied().unwrap_or(0)
    });
    std::hint::black_box(touched);
    let mut names: Vec<Option<&'a str>> = vec![None; latest.len()];
    for &(party, _, name) in current() {
        let name = name.trim();
        let slot = &mut names[party as usize];
        if !name.is_empty() && slot.is_none_or(|s| name < s) {
            *slot = Some(name);
        }
    }
    let blank: Vec<bool> = (0..names.len())
        .map(|y| latest[y] != 0 && names[y].is_none())
        .collect();
    if !blank.contains(&true) {
        return names;
    }
    let mut best: Vec<Option<(u32, &'a str)>> = vec![None; names.len()];
    for (m, r) in movements.iter().zip(rec) {
        let Some(y) = r.named().filter(|&y| blank[y as usize]) else {
            continue;
        };
        let (day, name) = (r.day, m.counterparty_name.trim());
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

/// Turns counts into the start of each bucket.
fn exclusive_sums(counts: &mut [u32]) {
    let mut sum = 0u32;
    for c in counts {
        (*c, sum) = (sum, sum + *c);
    }
}

/// Bucket starts from per-bucket counts, with the end appended: bucket `i` is
/// `start[i]..start[i + 1]`.
fn starts(counts: &[u32]) -> Vec<u32> {
    let mut start = Vec::with_capacity(counts.len() + 1);
    start.push(0u32);
    let mut sum = 0u32;
    for &c in counts {
        sum += c;
        start.push(sum);
    }
    start
}

/// Appends each index of `from` to its bucket in `to`; `cursor` holds the bucket starts and
/// ends up at their ends. Being stable, successive passes sort by several keys.
fn distribute(from: &[u32], to: &mut [u32], cursor: &mut [u32], bucket: impl Fn(u32) -> usize) {
    for &i in from {
        let slot = &mut cursor[bucket(i)];
        to[*slot as usize] = i;
        *slot += 1;
    }
}

/// Replaces each record's day by the rank of its day among all, for histories too sparse in
/// time to count by day; returns the number of distinct days.
fn rank_days(rec: &mut [Rec]) -> usize {
    let mut days: Vec<u32> = rec.iter().map(|r| r.day).collect();
    days.sort_unstable();
    days.dedup();
    for r in rec {
        r.day = days.partition_point(|&d| d < r.day) as u32;
    }
    days.len()
}

/// Makes the records' days small numbers to count by: offsets from the first, or ranks when
/// the history is too sparse in time for that (done here). Returns what to subtract from each
/// day and how many numbers the days then take.
fn day_numbers(rec: &mut [Rec], (lo, hi): (u32, u32)) -> (u32, usize) {
    let days = if hi < lo { 0 } else { (hi - lo + 1) as usize };
    if days > rec.len().max(4096) {
        (0, rank_days(rec))
    } else {
        (lo, days)
    }
}

/// Orders the documents of one pair of parties by [`Rec::edge_order`], then number and id.
/// A pair mostly has a few, so they are sorted by insertion unless there are many.
fn order_pair(docs: &mut [Rec<'_>]) {
    let order = |a: &Rec, b: &Rec| {
        (a.edge_order().cmp(&b.edge_order())).then_with(|| (a.number, a.id).cmp(&(b.number, b.id)))
    };
    if docs.len() > 16 {
        docs.sort_unstable_by(order);
        return;
    }
    for i in 1..docs.len() {
        let mut j = i;
        while j > 0 && order(&docs[j], &docs[j - 1]).is_lt() {
            docs.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// What the pass over the movements finds, besides the records.
struct Read<'a> {
    /// The parties, numbered as met.
    keys: Vec<CounterpartyKey<'a>>,
    /// Their display names.
    names: Vec<Option<&'a str>>,
    /// The first and last [`day_key`].
    days: (u32, u32),
}

/// The one pass over the movements, in order: the parties, their names and a record of each
/// movement (into `rec`).
fn read<'a>(movements: &[Movement<'a>], rec: &mut Vec<Rec<'a>>, scratch: &mut Scratch) -> Read<'a> {
    let mut interner = Interner {
        enterprises: std::mem::take(&mut scratch.enterprises),
        usccs: HashMap::new(),
        names: HashMap::new(),
        keys: recycle(std::mem::take(&mut scratch.keys)),
    };
    rec.reserve(movements.len());
    let mut offers: Vec<(u32, u32, &'a str)> = recycle(std::mem::take(&mut scratch.offers));
    let mut latest: Vec<u32> = Vec::new();
    let (mut lo, mut hi) = (u32::MAX, 0);
    for m in movements {
        let x = interner.enterprise(m.holder);
        let day = day_key(m.date);
        (lo, hi) = (lo.min(day), hi.max(day));
        let mut r = Rec {
            id: m.document,
            number: m.number,
            qty: m.quantity,
            date: m.date,
            kind: m.kind,
            from: x,
            to: PRODUCTION,
            day,
            by_sender: recorded_by(m.kind) == RecordedBy::Sender,
            ret: is_return(m.kind),
        };
        if m.kind != TransactionKind::FinishedGoodsInbound {
            let y = interner.intern(m.counterparty);
            if x != y {
                if latest.len() <= y as usize {
                    latest.resize(interner.keys.len(), 0);
                }
                if day >= latest[y as usize] {
                    latest[y as usize] = day;
                    offers.push((y, day, m.counterparty_name));
                }
            }
            (r.from, r.to) = if r.by_sender { (x, y) } else { (y, x) };
        }
        rec.push(r);
    }
    latest.resize(interner.keys.len(), 0);
    let names = settle_names(movements, rec, &offers, &latest);
    scratch.offers = recycle(offers);
    scratch.enterprises = interner.enterprises;
    Read {
        keys: interner.keys,
        names,
        days: (lo, hi),
    }
}

/// Sorts enterprise ids (with a payload) by a least significant digit radix sort over their
/// bytes, several times faster than comparing them; bytes that all the ids share are skipped.
fn sort_ids(ids: &mut Vec<(u128, u32)>) {
    if ids.len() < 256 {
        ids.sort_unstable();
        return;
    }
    let mut counts = vec![[0u32; 256]; 16];
    for &(id, _) in ids.iter() {
        for (byte, count) in id.to_le_bytes().into_iter().zip(&mut counts) {
            count[usize::from(byte)] += 1;
        }
    }
    let mut other = vec![(0, 0); ids.len()];
    for (digit, count) in counts.iter_mut().enumerate() {
        if count.contains(&(ids.len() as u32)) {
            continue;
        }
        exclusive_sums(count);
        for &item in ids.iter() {
            let slot = &mut count[usize::from((item.0 >> (8 * digit)) as u8)];
            other[*slot as usize] = item;
            *slot += 1;
        }
        std::mem::swap(ids, &mut other);
    }
}

/// The new number of each party (indexed by its number as met), in key order, so that every
/// output order is independent of the input order.
fn ranks(keys: &[CounterpartyKey<'_>]) -> Vec<u32> {
    // Enterprises come first in key order; as plain integers they sort fastest.
    let mut by_id: Vec<(u128, u32)> = Vec::with_capacity(keys.len());
    let mut by_text: Vec<u32> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        match k {
            CounterpartyKey::Enterprise(id) => by_id.push((id.0.as_u128(), i as u32)),
            _ => by_text.push(i as u32),
        }
    }
    sort_ids(&mut by_id);
    by_text.sort_unstable_by_key(|&i| keys[i as usize]);
    let mut rank = vec![0u32; keys.len()];
    let order = by_id.iter().map(|&(_, i)| i).chain(by_text);
    for (new, old) in order.enumerate() {
        rank[old as usize] = new as u32;
    }
    rank
}

/// Renumbers the records' parties by `rank` and their days from `first_day`, then sorts the
/// edge documents by (sender, receiver) into `rec` by two stable counting sorts, which leave a
/// pair's documents in input order; returns the 成品入库, in input order.
fn sort_documents<'a>(
    rec: &mut Vec<Rec<'a>>,
    rank: &[u32],
    first_day: u32,
    scratch: &mut Scratch,
) -> Vec<Rec<'a>> {
    let [by_to, by_from, _] = &mut scratch.counts;
    zeroed(by_to, rank.len());
    zeroed(by_from, rank.len());
    let mut produced = 0;
    for r in rec.iter_mut() {
        r.day -= first_day;
        r.from = rank[r.from as usize];
        if r.to == PRODUCTION {
            produced += 1;
            continue;
        }
        r.to = rank[r.to as usize];
        by_to[r.to as usize] += 1;
        by_from[r.from as usize] += 1;
    }
    exclusive_sums(by_to);
    exclusive_sums(by_from);

    // Both passes move the records themselves: reading them in order and writing them out of
    // order is much faster than the reverse.
    let transfers = rec.len() - produced;
    let mut by_receiver: Vec<Rec<'a>> = recycle(std::mem::take(&mut scratch.sorting));
    by_receiver.resize(transfers, NO_REC);
    let mut prod = Vec::with_capacity(produced);
    for r in rec.iter() {
        if r.to == PRODUCTION {
            prod.push(*r);
        } else {
            let slot = &mut by_to[r.to as usize];
            by_receiver[*slot as usize] = *r;
            *slot += 1;
        }
    }
    rec.truncate(transfers);
    for r in &by_receiver {
        let slot = &mut by_from[r.from as usize];
        rec[*slot as usize] = *r;
        *slot += 1;
    }
    scratch.sorting = recycle(by_receiver);
    prod
}

/// A placeholder for slots about to be overwritten.
const NO_REC: Rec<'static> = Rec {
    id: TransactionId(uuid::Uuid::nil()),
    number: "",
    qty: 0,
    date: NaiveDate::MIN,
    kind: TransactionKind::FinishedGoodsInbound,
    from: 0,
    to: 0,
    day: 0,
    by_sender: false,
    ret: false,
};

/// Whether two records of one pair are movements of one document. Those share their day and
/// kind, so only then are the documents compared.
fn same_document(a: &Rec, b: &Rec) -> bool {
    (a.day, a.ret, a.by_sender) == (b.day, b.ret, b.by_sender) && a.id == b.id
}

/// Folds the documents, sorted by (sender, receiver), into edges. A pair's documents, mostly
/// a few, are ordered by kind (sales first) and day, then by number and id so that the order
/// never depends on the input order; the movements of one document meet there and are summed,
/// leaving one record per document in `docs`.
fn fold_edges(docs: &mut Vec<Rec<'_>>, edges: &mut Vec<Edge>) {
    let mut kept = 0;
    let mut start = 0;
    while start < docs.len() {
        let (from, to) = (docs[start].from, docs[start].to);
        let end = start
            + 1
            + docs[start + 1..]
                .iter()
                .take_while(|r| (r.from, r.to) == (from, to))
                .count();
        if end - start > 1 {
            order_pair(&mut docs[start..end]);
        }
        for k in start..end {
            let r = docs[k];
            if k == start || r.ret != docs[kept - 1].ret {
                edges.push(Edge {
                    from,
                    to,
                    kind: if r.ret {
                        EdgeKind::Return
                    } else {
                        EdgeKind::Sale
                    },
                    sent: 0,
                    received: 0,
                    first: r.day,
                    start: kept as u32,
                    end: kept as u32,
                });
            }
            let e = edges.last_mut().expect("pushed above");
            if r.by_sender {
                e.sent += r.qty;
            } else {
                e.received += r.qty;
            }
            if k > start && same_document(&docs[kept - 1], &r) {
                docs[kept - 1].qty += r.qty;
            } else {
                docs[kept] = r;
                kept += 1;
                e.end = kept as u32;
            }
        }
        start = end;
    }
    docs.truncate(kept);
}

/// Orders the 成品入库 by producer, day, number and id, summing the movements of one document;
/// returns where each node's start.
fn order_production(prod: &mut Vec<Rec<'_>>, nodes: usize) -> Vec<u32> {
    prod.sort_unstable_by(|a, b| {
        (a.from, a.day, a.number, a.id).cmp(&(b.from, b.day, b.number, b.id))
    });
    prod.dedup_by(|later, kept| {
        let same = kept.from == later.from && same_document(kept, later);
        if same {
            kept.qty += later.qty;
        }
        same
    });
    let mut count = vec![0u32; nodes];
    for r in prod.iter() {
        count[r.from as usize] += 1;
    }
    starts(&count)
}

/// The adjacency lists in tree order: by first document date, then kind, then the other
/// party. Sorting the edges by date and kind, stably, and then distributing them to their ends
/// leaves the other party in order, as the edges are ordered by both ends. Returns the starts
/// of the outgoing and incoming lists, filling `out` and `inn`.
fn adjacency(
    edges: &[Edge],
    nodes: usize,
    days: usize,
    (out, inn): (&mut Vec<u32>, &mut Vec<u32>),
    scratch: &mut Scratch,
) -> (Vec<u32>, Vec<u32>) {
    let [by_first, out_fill, in_fill] = &mut scratch.counts;
    zeroed(by_first, 2 * days);
    zeroed(out_fill, nodes);
    zeroed(in_fill, nodes);
    let first_kind = |e: &Edge| 2 * e.first as usize + usize::from(e.kind == EdgeKind::Return);
    for e in edges {
        by_first[first_kind(e)] += 1;
        out_fill[e.from as usize] += 1;
        in_fill[e.to as usize] += 1;
    }
    let out_start = starts(out_fill);
    let in_start = starts(in_fill);
    exclusive_sums(by_first);
    exclusive_sums(out_fill);
    exclusive_sums(in_fill);
    let by_date = &mut scratch.pass[0];
    by_date.clear();
    by_date.resize(edges.len(), 0);
    for (k, e) in edges.iter().enumerate() {
        let slot = &mut by_first[first_kind(e)];
        by_date[*slot as usize] = k as u32;
        *slot += 1;
    }
    out.clear();
    out.resize(edges.len(), 0);
    inn.clear();
    inn.resize(edges.len(), 0);
    distribute(by_date, out, out_fill, |k| edges[k as usize].from as usize);
    distribute(by_date, inn, in_fill, |k| edges[k as usize].to as usize);
    (out_start, in_start)
}

/// What each party produced, received and passed on.
fn flows(prod: &[Rec], edges: &[Edge], nodes: usize) -> Vec<Flows> {
    let mut flows = vec![Flows::default(); nodes];
    for r in prod {
        flows[r.from as usize].produced += r.qty;
    }
    for e in edges {
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
    flows
}

impl<'a> Graph<'a> {
    /// The graph of the movements (see [`Movement`] for what they must be), in buffers taken
    /// from `scratch`; [`Graph::give_back`] returns them.
    pub(super) fn build(movements: &[Movement<'a>], scratch: &mut Scratch) -> Self {
        let mut docs = recycle(std::mem::take(&mut scratch.rec));
        let read = read(movements, &mut docs, scratch);
        let n = read.keys.len();
        let rank = ranks(&read.keys);
        let mut keys = read.keys.clone();
        let mut names = vec![None; n];
        for (old, &new) in rank.iter().enumerate() {
            keys[new as usize] = read.keys[old];
            names[new as usize] = read.names[old];
        }
        scratch.keys = recycle(read.keys);
        let (first_day, days) = day_numbers(&mut docs, read.days);
        let mut prod = sort_documents(&mut docs, &rank, first_day, scratch);
        drop(rank);
        let mut edges = std::mem::take(&mut scratch.edges);
        fold_edges(&mut docs, &mut edges);
        let prod_start = order_production(&mut prod, n);
        let (mut out, mut inn) = (
            std::mem::take(&mut scratch.out),
            std::mem::take(&mut scratch.inn),
        );
        let (out_start, in_start) = adjacency(&edges, n, days, (&mut out, &mut inn), scratch);
        let flows = flows(&prod, &edges, n);
        let origin = (0..n)
            .map(|i| !keys[i].is_platform() || prod_start[i] != prod_start[i + 1])
            .collect();

        Graph {
            docs,
            prod,
            prod_start,
            keys,
            names,
            flows,
            origin,
            edges,
            out_start,
            out,
            in_start,
            inn,
        }
    }

    /// Returns the graph's buffers to `scratch`.
    pub(super) fn give_back(self, scratch: &mut Scratch) {
        scratch.rec = recycle(self.docs);
        scratch.edges = self.edges;
        scratch.out = self.out;
        scratch.inn = self.inn;
    }
}
