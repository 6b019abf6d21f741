use super::*;
use crate::model::{Counterparty, RecordStatus, TransactionLine};
use chrono::{DateTime, Datelike};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

use TransactionKind::{
    FinishedGoodsInbound as Make, PurchaseInbound as Buy, PurchaseReturn as ReturnOut,
    SalesOutbound as Sell, SalesReturn as ReturnIn,
};

const BATCH: &str = "B2601";

fn product() -> ProductId {
    ProductId(Uuid::from_u128(0xF001))
}

fn other_product() -> ProductId {
    ProductId(Uuid::from_u128(0xF002))
}

fn ent(n: u128) -> EnterpriseId {
    EnterpriseId(Uuid::from_u128(0xE000 + n))
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d))
}

/// The other side of a document in the tests.
#[derive(Clone, Copy, Debug)]
enum Cp {
    /// Platform enterprise `n`, called "企业n".
    Ent(u128),
    /// An external party with a name and maybe a USCC.
    Ext(&'static str, Option<&'static str>),
    /// No counterparty at all.
    Nil,
}

fn line(p: ProductId, batch: &str, qty: u32) -> TransactionLine {
    TransactionLine {
        product_id: p,
        product_name: "舒唯雅皮肤身体护肤霜".into(),
        gtin: None,
        quantity: qty,
        unit: "瓶".into(),
        batch: batch.into(),
        production_date: None,
        expiry_date: None,
    }
}

fn counterparty(cp: Cp) -> Option<Counterparty> {
    match cp {
        Cp::Ent(n) => Some(Counterparty {
            partner_id: None,
            name: format!("企业{n}"),
            uscc: None,
            enterprise_id: Some(ent(n)),
        }),
        Cp::Ext(name, uscc) => Some(Counterparty {
            partner_id: None,
            name: name.into(),
            uscc: uscc.map(Into::into),
            enterprise_id: None,
        }),
        Cp::Nil => None,
    }
}

fn id_of(number: &str) -> TransactionId {
    TransactionId(Uuid::new_v5(&Uuid::NAMESPACE_OID, number.as_bytes()))
}

/// A submitted document of enterprise `holder` with one line of the traced batch.
fn doc(number: &str, kind: TransactionKind, holder: u128, cp: Cp, d: u32, qty: u32) -> Transaction {
    Transaction {
        id: id_of(number),
        enterprise_id: ent(holder),
        kind,
        number: number.into(),
        counterparty: if kind == Make { None } else { counterparty(cp) },
        date: day(d),
        contact: "张三".into(),
        phone: "13800138000".into(),
        lines: vec![line(product(), BATCH, qty)],
        status: RecordStatus::Submitted {
            at: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        },
        corrects: None,
        reconciles: None,
        remarks: String::new(),
    }
}

fn make(number: &str, holder: u128, d: u32, qty: u32) -> Transaction {
    doc(number, Make, holder, Cp::Nil, d, qty)
}

fn draft(mut t: Transaction) -> Transaction {
    t.status = RecordStatus::Draft;
    t
}

fn correcting(mut t: Transaction, corrected: &str) -> Transaction {
    t.corrects = Some(id_of(corrected));
    t
}

fn with_lines(mut t: Transaction, lines: Vec<TransactionLine>) -> Transaction {
    t.lines = lines;
    t
}

fn label(p: &Party) -> String {
    match p {
        Party::Enterprise(id) => format!("E{}", id.0.as_u128() - 0xE000),
        Party::Uscc(s) => format!("U:{s}"),
        Party::Name(s) => format!("N:{s}"),
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

/// A compact, diffable rendering: nodes, edges, then the tree.
fn render(t: &BatchTrace<'_>) -> (Vec<String>, Vec<String>, Vec<String>) {
    let at = |i: u32| label(&t.nodes[i as usize].party);
    let nodes = t
        .nodes
        .iter()
        .map(|n| {
            format!(
                "{} p{} r{} o{} ro{} ri{} h{} d{}/{}",
                label(&n.party),
                n.produced,
                n.received,
                n.passed_on,
                n.returned_out,
                n.returns_in,
                opt(n.held),
                opt(n.depth_forward),
                opt(n.depth_backward)
            )
        })
        .collect();
    let edges = t
        .edges
        .iter()
        .map(|e| {
            let docs: Vec<&str> = t
                .edge_documents(e)
                .iter()
                .map(|d| d.number.as_ref())
                .collect();
            let kind = match e.kind {
                EdgeKind::Sale => "sale",
                EdgeKind::Return => "return",
            };
            format!(
                "{}>{} {kind} {}/{} {}",
                at(e.from),
                at(e.to),
                e.sent,
                e.received,
                docs.join(",")
            )
        })
        .collect();
    let tree = t
        .document_rows()
        .map(|r| {
            let dir = match r.direction {
                RowDirection::Forward => "F",
                RowDirection::Backward => "B",
            };
            format!(
                "{}{dir} {} {}>{} {}{}",
                "  ".repeat(r.depth as usize),
                r.document.number,
                at(r.from),
                at(r.to),
                r.document.quantity,
                if r.repeat { " *" } else { "" }
            )
        })
        .collect();
    (nodes, edges, tree)
}

/// Registrant 1 → wholesaler 2 → salons 3, 4, 5, every transfer confirmed by both sides.
fn chain() -> Vec<Transaction> {
    vec![
        make("M1", 1, 1, 100),
        doc("SO-R1", Sell, 1, Cp::Ent(2), 2, 60),
        doc("PI-W1", Buy, 2, Cp::Ent(1), 3, 60),
        doc("SO-W1", Sell, 2, Cp::Ent(3), 4, 20),
        doc("SO-W2", Sell, 2, Cp::Ent(4), 5, 20),
        doc("SO-W3", Sell, 2, Cp::Ent(5), 6, 10),
        doc("PI-S3", Buy, 3, Cp::Ent(2), 5, 20),
        doc("PI-S4", Buy, 4, Cp::Ent(2), 6, 20),
        doc("PI-S5", Buy, 5, Cp::Ent(2), 7, 10),
    ]
}

struct Case {
    name: &'static str,
    docs: Vec<Transaction>,
    start: TraceStart,
    direction: TraceDirection,
    nodes: &'static [&'static str],
    edges: &'static [&'static str],
    tree: &'static [&'static str],
}

fn from(n: u128) -> TraceStart {
    TraceStart::From(Party::Enterprise(ent(n)))
}

fn cases() -> Vec<Case> {
    use TraceDirection::{Backward, Both, Forward};
    vec![
        Case {
            name: "chain confirmed on both sides, forward from the registrant",
            docs: chain(),
            start: from(1),
            direction: Forward,
            nodes: &[
                "E1 p100 r0 o60 ro0 ri0 h40 d0/-",
                "E2 p0 r60 o50 ro0 ri0 h10 d1/-",
                "E3 p0 r20 o0 ro0 ri0 h20 d2/-",
                "E4 p0 r20 o0 ro0 ri0 h20 d2/-",
                "E5 p0 r10 o0 ro0 ri0 h10 d2/-",
            ],
            edges: &[
                "E1>E2 sale 60/60 SO-R1,PI-W1",
                "E2>E3 sale 20/20 SO-W1,PI-S3",
                "E2>E4 sale 20/20 SO-W2,PI-S4",
                "E2>E5 sale 10/10 SO-W3,PI-S5",
            ],
            tree: &[
                "F SO-R1 E1>E2 60",
                "F PI-W1 E1>E2 60",
                "  F SO-W1 E2>E3 20",
                "  F PI-S3 E2>E3 20",
                "  F SO-W2 E2>E4 20",
                "  F PI-S4 E2>E4 20",
                "  F SO-W3 E2>E5 10",
                "  F PI-S5 E2>E5 10",
            ],
        },
        Case {
            name: "backward from a salon reaches the registrant and stops there",
            docs: {
                let mut d = chain();
                // The registrant also bought some back as a purchase; that is not followed.
                d.push(doc("PI-R9", Buy, 1, Cp::Ext("某贸易公司", None), 9, 5));
                d
            },
            start: from(4),
            direction: Backward,
            nodes: &[
                "E1 p100 r5 o60 ro0 ri0 h45 d-/2",
                "E2 p0 r60 o50 ro0 ri0 h10 d-/1",
                "E4 p0 r20 o0 ro0 ri0 h20 d-/0",
            ],
            edges: &[
                "E1>E2 sale 60/60 SO-R1,PI-W1",
                "E2>E4 sale 20/20 SO-W2,PI-S4",
            ],
            tree: &[
                "B SO-W2 E2>E4 20",
                "B PI-S4 E2>E4 20",
                "  B SO-R1 E1>E2 60",
                "  B PI-W1 E1>E2 60",
            ],
        },
        Case {
            name: "unconfirmed outbound is in transit, short receipt shows the gap",
            docs: vec![
                make("M1", 1, 1, 100),
                doc("SO-1", Sell, 1, Cp::Ent(2), 2, 30),
                doc("SO-2", Sell, 1, Cp::Ent(3), 3, 30),
                doc("PI-3", Buy, 3, Cp::Ent(1), 4, 28),
            ],
            start: TraceStart::Whole,
            direction: Forward,
            nodes: &[
                "E1 p100 r0 o60 ro0 ri0 h40 d0/-",
                "E2 p0 r0 o0 ro0 ri0 h0 d1/-",
                "E3 p0 r28 o0 ro0 ri0 h28 d1/-",
            ],
            edges: &["E1>E2 sale 30/0 SO-1", "E1>E3 sale 30/28 SO-2,PI-3"],
            tree: &["F SO-1 E1>E2 30", "F SO-2 E1>E3 30", "F PI-3 E1>E3 28"],
        },
        Case {
            name: "a return makes a return edge, shown but not followed",
            docs: vec![
                make("M1", 1, 1, 100),
                doc("SO-1", Sell, 1, Cp::Ent(2), 2, 50),
                doc("PI-1", Buy, 2, Cp::Ent(1), 2, 50),
                doc("PR-1", ReturnOut, 2, Cp::Ent(1), 8, 10),
                doc("SR-1", ReturnIn, 1, Cp::Ent(2), 9, 10),
            ],
            start: from(1),
            direction: Both,
            nodes: &[
                "E1 p100 r0 o50 ro0 ri10 h60 d0/0",
                "E2 p0 r50 o0 ro10 ri0 h40 d1/-",
            ],
            edges: &["E1>E2 sale 50/50 PI-1,SO-1", "E2>E1 return 10/10 PR-1,SR-1"],
            tree: &[
                "F PI-1 E1>E2 50",
                "F SO-1 E1>E2 50",
                "  F PR-1 E2>E1 10 *",
                "  F SR-1 E2>E1 10 *",
            ],
        },
        Case {
            name: "a sale cycle terminates and is marked",
            docs: vec![
                doc("SO-A", Sell, 1, Cp::Ent(2), 2, 10),
                doc("SO-B", Sell, 2, Cp::Ent(3), 3, 10),
                doc("SO-C", Sell, 3, Cp::Ent(1), 4, 10),
                doc("PR-C", ReturnOut, 3, Cp::Ent(2), 5, 1),
            ],
            start: from(2),
            direction: Both,
            nodes: &[
                "E1 p0 r0 o10 ro0 ri0 h-10 d2/1",
                "E2 p0 r0 o10 ro0 ri0 h-10 d0/0",
                "E3 p0 r0 o10 ro1 ri0 h-11 d1/2",
            ],
            edges: &[
                "E1>E2 sale 10/0 SO-A",
                "E2>E3 sale 10/0 SO-B",
                "E3>E1 sale 10/0 SO-C",
                "E3>E2 return 1/0 PR-C",
            ],
            tree: &[
                "F SO-B E2>E3 10",
                "  F SO-C E3>E1 10",
                "    F SO-A E1>E2 10 *",
                "  F PR-C E3>E2 1 *",
                "B SO-A E1>E2 10",
                "  B SO-C E3>E1 10",
                "    B SO-B E2>E3 10 *",
                "B PR-C E3>E2 1 *",
            ],
        },
        Case {
            name: "the whole network of a rootless cycle still shows",
            docs: vec![
                doc("SO-A", Sell, 1, Cp::Ent(2), 3, 10),
                doc("SO-B", Sell, 2, Cp::Ent(1), 2, 10),
            ],
            start: TraceStart::Whole,
            direction: Forward,
            nodes: &[
                "E1 p0 r0 o10 ro0 ri0 h-10 d1/-",
                "E2 p0 r0 o10 ro0 ri0 h-10 d0/-",
            ],
            edges: &["E1>E2 sale 10/0 SO-A", "E2>E1 sale 10/0 SO-B"],
            tree: &["F SO-B E2>E1 10", "  F SO-A E1>E2 10 *"],
        },
        Case {
            name: "external supplier and external customers",
            docs: vec![
                doc(
                    "PI-1",
                    Buy,
                    2,
                    Cp::Ext("进口商", Some("91310000MA1FL0001X")),
                    1,
                    40,
                ),
                doc(
                    "PI-2",
                    Buy,
                    2,
                    Cp::Ext("进口商有限公司", Some(" 91310000MA1FL0001X ")),
                    2,
                    10,
                ),
                doc("SO-1", Sell, 2, Cp::Ext("张三美容店", None), 3, 5),
                doc("SO-2", Sell, 2, Cp::Nil, 4, 1),
                doc("SO-3", Sell, 2, Cp::Ent(3), 5, 20),
            ],
            start: from(2),
            direction: Both,
            nodes: &[
                "E2 p0 r50 o26 ro0 ri0 h24 d0/0",
                "E3 p0 r0 o0 ro0 ri0 h0 d1/-",
                "U:91310000MA1FL0001X p0 r0 o0 ro0 ri0 h- d-/1",
                "N: p0 r0 o0 ro0 ri0 h- d1/-",
                "N:张三美容店 p0 r0 o0 ro0 ri0 h- d1/-",
            ],
            edges: &[
                "E2>E3 sale 20/0 SO-3",
                "E2>N: sale 1/0 SO-2",
                "E2>N:张三美容店 sale 5/0 SO-1",
                "U:91310000MA1FL0001X>E2 sale 0/50 PI-1,PI-2",
            ],
            tree: &[
                "F SO-1 E2>N:张三美容店 5",
                "F SO-2 E2>N: 1",
                "F SO-3 E2>E3 20",
                "B PI-1 U:91310000MA1FL0001X>E2 40",
                "B PI-2 U:91310000MA1FL0001X>E2 10",
            ],
        },
        Case {
            name: "drafts and corrected documents do not count",
            docs: vec![
                make("M1", 1, 1, 100),
                doc("SO-1", Sell, 1, Cp::Ent(2), 2, 60),
                correcting(doc("SO-1b", Sell, 1, Cp::Ent(2), 2, 50), "SO-1"),
                correcting(doc("SO-1c", Sell, 1, Cp::Ent(2), 2, 40), "SO-1b"),
                draft(doc("SO-2", Sell, 1, Cp::Ent(3), 3, 7)),
                // A draft correction does not retire what it would correct.
                draft(correcting(doc("M1b", Make, 1, Cp::Nil, 1, 1), "M1")),
            ],
            start: TraceStart::Whole,
            direction: Both,
            nodes: &[
                "E1 p100 r0 o40 ro0 ri0 h60 d0/1",
                "E2 p0 r0 o0 ro0 ri0 h0 d1/0",
            ],
            edges: &["E1>E2 sale 40/0 SO-1c"],
            tree: &["F SO-1c E1>E2 40", "B SO-1c E1>E2 40"],
        },
        Case {
            name: "other batches and products are ignored",
            docs: vec![
                with_lines(
                    make("M1", 1, 1, 0),
                    vec![
                        line(product(), BATCH, 70),
                        line(product(), "B2602", 5),
                        line(product(), BATCH, 30),
                    ],
                ),
                with_lines(
                    doc("SO-1", Sell, 1, Cp::Ent(2), 2, 0),
                    vec![line(other_product(), BATCH, 9), line(product(), BATCH, 10)],
                ),
                with_lines(
                    doc("SO-2", Sell, 1, Cp::Ent(3), 3, 0),
                    vec![line(product(), "b2601", 9)],
                ),
                with_lines(
                    doc("SO-3", Sell, 1, Cp::Ent(4), 4, 0),
                    vec![line(other_product(), BATCH, 9)],
                ),
            ],
            start: TraceStart::Whole,
            direction: Forward,
            nodes: &[
                "E1 p100 r0 o10 ro0 ri0 h90 d0/-",
                "E2 p0 r0 o0 ro0 ri0 h0 d1/-",
            ],
            edges: &["E1>E2 sale 10/0 SO-1"],
            tree: &["F SO-1 E1>E2 10"],
        },
    ]
}

#[test]
fn table() {
    for c in cases() {
        let t = trace_batch(&c.docs, product(), BATCH, c.start.clone(), c.direction);
        let (nodes, edges, tree) = render(&t);
        assert_eq!(nodes, c.nodes, "nodes: {}", c.name);
        assert_eq!(edges, c.edges, "edges: {}", c.name);
        assert_eq!(tree, c.tree, "tree: {}", c.name);
        assert_eq!(t.batch, BATCH);

        // Input order must not matter.
        let mut reversed = c.docs.clone();
        reversed.reverse();
        let again = trace_batch(&reversed, product(), BATCH, c.start.clone(), c.direction);
        assert_eq!(render(&again), (nodes, edges, tree), "order: {}", c.name);

        // The report survives a JSON round trip.
        let json = serde_json::to_string(&t).unwrap();
        let back: BatchTrace<'static> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t.clone().into_owned(), "json: {}", c.name);
    }
}

#[test]
fn names_come_from_others_documents() {
    let mut docs = chain();
    docs.push(doc(
        "SO-W9",
        Sell,
        2,
        Cp::Ext("丽人坊", Some("92440300MA5F00000A")),
        9,
        1,
    ));
    docs.push(doc(
        "SO-W10",
        Sell,
        2,
        Cp::Ext("丽人坊美容院", Some("92440300MA5F00000A")),
        10,
        1,
    ));
    let t = trace_batch(
        &docs,
        product(),
        BATCH,
        TraceStart::Whole,
        TraceDirection::Forward,
    );
    let name = |p: Party| t.nodes.iter().find(|n| n.party == p).unwrap().name.clone();
    // Nobody names the registrant; the wholesaler is named by both its supplier and its salons.
    assert_eq!(name(Party::Enterprise(ent(1))), Some("企业1".into()));
    assert_eq!(name(Party::Enterprise(ent(2))), Some("企业2".into()));
    assert_eq!(
        name(Party::Uscc("92440300MA5F00000A".into())),
        Some("丽人坊美容院".into())
    );
    // A corrected document's name no longer counts; the name is re-elected from the others.
    docs.push(doc(
        "SO-W11",
        Sell,
        2,
        Cp::Ext("丽人芳", Some("92440300MA5F00000A")),
        11,
        1,
    ));
    docs.push(correcting(
        doc(
            "SO-W11b",
            Sell,
            2,
            Cp::Ext("丽人坊美容院", Some("92440300MA5F00000A")),
            9,
            1,
        ),
        "SO-W11",
    ));
    let fixed = trace_batch(
        &docs,
        product(),
        BATCH,
        TraceStart::Whole,
        TraceDirection::Forward,
    );
    let salon = fixed
        .nodes
        .iter()
        .find(|n| n.party == Party::Uscc("92440300MA5F00000A".into()));
    assert_eq!(salon.unwrap().name, Some("丽人坊美容院".into()));
    let lonely = trace_batch(
        &docs[..2],
        product(),
        BATCH,
        TraceStart::Whole,
        TraceDirection::Forward,
    );
    assert_eq!(lonely.nodes[0].name, None);
    assert_eq!(
        Party::of_counterparty(docs.last().unwrap().counterparty.as_ref()),
        Party::Uscc("92440300MA5F00000A".into())
    );
}

#[test]
fn unknown_start_gives_an_empty_trace() {
    let docs = chain();
    let t = trace_batch(&docs, product(), BATCH, from(99), TraceDirection::Both);
    assert!(t.nodes.is_empty() && t.edges.is_empty() && t.tree.is_empty());
    let none = trace_batch(
        &docs,
        product(),
        "NOPE",
        TraceStart::Whole,
        TraceDirection::Both,
    );
    assert!(none.nodes.is_empty() && none.tree.is_empty());
}

#[test]
fn production_documents_are_listed_on_the_node() {
    let mut docs = chain();
    docs.push(make("M0", 1, 0, 5));
    let t = trace_batch(&docs, product(), BATCH, from(1), TraceDirection::Forward);
    let numbers: Vec<&str> = t
        .production(&t.nodes[0])
        .iter()
        .map(|d| d.number.as_ref())
        .collect();
    assert_eq!(numbers, ["M0", "M1"]);
    assert_eq!(t.nodes[0].produced, 105);
}

#[test]
fn dates_centuries_apart_order_as_close_ones() {
    // Far more days apart than there are documents: the build ranks the days instead of
    // counting them; the order must come out as for the same documents on nearby days.
    let close = chain();
    let mut far = chain();
    for d in &mut far {
        d.date = NaiveDate::from_ymd_opt(1900 + 60 * d.date.day0() as i32, 3, 1).unwrap();
    }
    for start in [TraceStart::Whole, from(2)] {
        let t = |docs: &[Transaction]| {
            let t = trace_batch(docs, product(), BATCH, start.clone(), TraceDirection::Both);
            check_shape(&t);
            render(&t)
        };
        assert_eq!(t(&far), t(&close));
    }
}

// ---------------------------------------------------------------------------------------------
// A tiered network like the benchmark's, smaller.

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Registrants `0..r`, then wholesalers, sub-wholesalers and shops; transfers down the tiers,
/// mostly recorded by both sides. Returns the documents and the (seller, buyer) pairs shipped.
fn network(
    registrants: u32,
    enterprises: u32,
    lines: usize,
) -> (Vec<Transaction>, Vec<(u32, u32)>) {
    let mut rng = Lcg(7);
    let w_end = registrants + enterprises / 100;
    let s_end = w_end + enterprises / 10;
    let mut docs = Vec::new();
    let mut pairs = Vec::new();
    let cp = |n: u32| Cp::Ent(u128::from(n));
    let mut no = 0;
    let mut number = |prefix: &str| {
        no += 1;
        format!("{prefix}-{no}")
    };
    for r in 0..registrants {
        docs.push(make(&number("M"), u128::from(r), 0, 1_000_000));
    }
    while docs.len() < lines {
        let buyer = registrants + rng.below(u64::from(enterprises - registrants)) as u32;
        let (lo, hi) = if buyer < w_end {
            (0, registrants)
        } else if buyer < s_end {
            (registrants, w_end)
        } else {
            (w_end, s_end)
        };
        // A few fixed suppliers per buyer, as real trade relations are.
        let seller =
            lo + ((u64::from(buyer) * 2_654_435_761 + rng.below(3)) % u64::from(hi - lo)) as u32;
        let d = 1 + (buyer / (enterprises / 4).max(1)) * 20 + rng.below(20) as u32;
        let qty = 1 + rng.below(50) as u32;
        let roll = rng.below(100);
        let (s, b) = (u128::from(seller), u128::from(buyer));
        if roll < 3 {
            docs.push(doc(
                &number("SO"),
                Sell,
                s,
                Cp::Ext("零售散客", None),
                d,
                qty,
            ));
            continue;
        }
        pairs.push((seller, buyer));
        if !(85..95).contains(&roll) {
            docs.push(doc(&number("SO"), Sell, s, cp(buyer), d, qty));
        }
        if roll < 95 {
            docs.push(doc(&number("PI"), Buy, b, cp(seller), d + 1, qty));
        }
        if roll < 5 {
            docs.push(doc(&number("PR"), ReturnOut, b, cp(seller), d + 9, 1));
            docs.push(doc(&number("SR"), ReturnIn, s, cp(buyer), d + 10, 1));
        }
    }
    (docs, pairs)
}

fn reach(start: u32, pairs: &[(u32, u32)]) -> BTreeSet<u32> {
    let mut seen = BTreeSet::from([start]);
    loop {
        let before = seen.len();
        for &(s, b) in pairs {
            if seen.contains(&s) {
                seen.insert(b);
            }
        }
        if seen.len() == before {
            return seen;
        }
    }
}

fn enterprises_of(t: &BatchTrace<'_>) -> BTreeSet<u32> {
    t.nodes
        .iter()
        .filter_map(|n| match n.party {
            Party::Enterprise(id) => Some((id.0.as_u128() - 0xE000) as u32),
            _ => None,
        })
        .collect()
}

/// Σ in − Σ out of each enterprise's own counted documents, computed straight from them.
fn own_balances(docs: &[Transaction]) -> BTreeMap<EnterpriseId, i64> {
    let corrected: BTreeSet<TransactionId> = docs
        .iter()
        .filter(|d| d.status.is_submitted())
        .filter_map(|d| d.corrects)
        .collect();
    let mut out = BTreeMap::new();
    for d in docs {
        if !d.status.is_submitted() || corrected.contains(&d.id) {
            continue;
        }
        let q: i64 = d
            .lines
            .iter()
            .filter(|l| l.product_id == product() && l.batch == BATCH)
            .map(|l| i64::from(l.quantity))
            .sum();
        let signed = match d.kind.direction() {
            crate::model::StockDirection::In => q,
            crate::model::StockDirection::Out => -q,
        };
        if d.lines
            .iter()
            .any(|l| l.product_id == product() && l.batch == BATCH)
        {
            *out.entry(d.enterprise_id).or_insert(0) += signed;
        }
    }
    out
}

fn check_held(t: &BatchTrace<'_>, docs: &[Transaction]) {
    let own = own_balances(docs);
    for n in &t.nodes {
        match &n.party {
            Party::Enterprise(id) => {
                assert_eq!(n.held, Some(own.get(id).copied().unwrap_or(0)), "{id}")
            }
            _ => assert_eq!(n.held, None),
        }
    }
}

/// Structural invariants every trace must keep.
fn check_shape(t: &BatchTrace<'_>) {
    let n = t.nodes.len() as u32;
    assert!(t.nodes.windows(2).all(|w| w[0].party < w[1].party));
    assert!(
        t.edges
            .windows(2)
            .all(|w| (w[0].from, w[0].to, w[0].kind) < (w[1].from, w[1].to, w[1].kind))
    );
    for e in &t.edges {
        assert!(e.from < n && e.to < n);
        let documents = t.edge_documents(e);
        assert_eq!(
            documents.len(),
            e.documents.len(),
            "a range of the documents"
        );
        assert!(!documents.is_empty());
        assert!(documents.windows(2).all(|w| w[0].date <= w[1].date));
        let sent: u64 = documents
            .iter()
            .filter(|d| d.recorded_by == RecordedBy::Sender)
            .map(|d| d.quantity)
            .sum();
        assert_eq!(sent, e.sent);
    }
    for n in &t.nodes {
        assert_eq!(
            t.production(n).len(),
            n.production.len(),
            "a range of the documents"
        );
    }
    // Each document is listed once, on its edge or its producer.
    let listed = t.edges.iter().map(|e| e.documents.len()).sum::<usize>()
        + t.nodes.iter().map(|n| n.production.len()).sum::<usize>();
    assert_eq!(listed, t.documents.len());
    for r in &t.tree {
        assert!((r.edge as usize) < t.edges.len());
    }
    for r in t.document_rows() {
        assert!(r.from < n && r.to < n);
    }
}

#[test]
fn tiered_network_keeps_its_invariants() {
    let (docs, pairs) = network(3, 300, 3_000);
    let whole = trace_batch(
        &docs,
        product(),
        BATCH,
        TraceStart::Whole,
        TraceDirection::Both,
    );
    check_shape(&whole);
    check_held(&whole, &docs);

    // Every counted document sits on exactly one edge, or on its producer.
    let on_edges: usize = whole.edges.iter().map(|e| e.documents.len()).sum();
    let produced: usize = whole.nodes.iter().map(|n| n.production.len()).sum();
    assert_eq!(on_edges + produced, whole.documents.len());
    assert_eq!(on_edges + produced, docs.len());
    // The whole forward tree lists every edge document exactly once.
    let forward: Vec<TransactionId> = whole
        .document_rows()
        .filter(|r| r.direction == RowDirection::Forward)
        .map(|r| r.document.id)
        .collect();
    assert_eq!(forward.len(), on_edges);
    assert_eq!(forward.iter().collect::<BTreeSet<_>>().len(), on_edges);

    for r in 0..3 {
        let t = trace_batch(
            &docs,
            product(),
            BATCH,
            from(u128::from(r)),
            TraceDirection::Both,
        );
        check_shape(&t);
        assert_eq!(enterprises_of(&t), reach(r, &pairs), "registrant {r}");
        // A registrant is an origin: nothing upstream of it.
        assert!(t.tree.iter().all(|r| r.direction == RowDirection::Forward));
        let me = t
            .nodes
            .iter()
            .find(|n| n.party == Party::Enterprise(ent(u128::from(r))))
            .unwrap();
        assert_eq!((me.depth_forward, me.depth_backward), (Some(0), Some(0)));
    }

    let shop = pairs.last().unwrap().1;
    let back = trace_batch(
        &docs,
        product(),
        BATCH,
        from(u128::from(shop)),
        TraceDirection::Backward,
    );
    check_shape(&back);
    assert!(
        back.tree
            .iter()
            .all(|r| r.direction == RowDirection::Backward)
    );
    assert!(
        enterprises_of(&back).iter().any(|&e| e < 3),
        "reaches a registrant"
    );
    for e in enterprises_of(&back) {
        assert!(reach(e, &pairs).contains(&shop));
    }
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn arb_cp(n: u128) -> impl Strategy<Value = Cp> {
    prop_oneof![
        6 => (0..n).prop_map(Cp::Ent),
        1 => Just(Cp::Ext("散客", None)),
        1 => Just(Cp::Ext("甲公司", Some("91110000600037341L"))),
        1 => Just(Cp::Ext("甲公司分部", Some("91110000600037341L"))),
        1 => Just(Cp::Nil),
    ]
}

fn arb_kind() -> impl Strategy<Value = TransactionKind> {
    proptest::sample::select(TransactionKind::ALL.to_vec())
}

/// Arbitrary documents: any kind, any party, drafts, corrections, other batches, cycles.
fn arb_docs() -> impl Strategy<Value = Vec<Transaction>> {
    (1u128..8).prop_flat_map(|n| {
        proptest::collection::vec(
            (
                0..n,
                arb_kind(),
                arb_cp(n),
                0u32..20,
                0u32..100,
                0u8..10,
                proptest::option::of(0usize..40),
            ),
            0..40,
        )
        .prop_map(|raw| {
            raw.iter()
                .enumerate()
                .map(|(i, &(holder, kind, cp, d, qty, flag, corrects))| {
                    let mut t = doc(&format!("D{i}"), kind, holder, cp, d, qty);
                    match flag {
                        0 => t.status = RecordStatus::Draft,
                        1 => t.lines[0].batch = "OTHER".into(),
                        2 => t.lines.push(line(product(), BATCH, 3)),
                        3 => t.corrects = corrects.map(|c| id_of(&format!("D{c}"))),
                        _ => {}
                    }
                    t
                })
                .collect()
        })
    })
}

fn arb_start() -> impl Strategy<Value = TraceStart> {
    prop_oneof![
        Just(TraceStart::Whole),
        (0u128..10).prop_map(|n| TraceStart::From(Party::Enterprise(ent(n)))),
        Just(TraceStart::From(Party::Uscc("91110000600037341L".into()))),
        Just(TraceStart::From(Party::Name("散客".into()))),
        Just(TraceStart::From(Party::Name(String::new()))),
    ]
}

fn arb_direction() -> impl Strategy<Value = TraceDirection> {
    prop_oneof![
        Just(TraceDirection::Forward),
        Just(TraceDirection::Backward),
        Just(TraceDirection::Both)
    ]
}

proptest! {
    #[test]
    fn forward_reaches_exactly_the_receivers(
        n in 2u32..12,
        transfers in proptest::collection::vec((0u32..12, 0u32..12, 0u8..3, 1u32..50), 0..40),
    ) {
        let mut docs = vec![make("M", 0, 0, 1000)];
        let mut pairs = Vec::new();
        for (i, &(s, b, side, q)) in transfers.iter().enumerate() {
            let (s, b) = (s % n, b % n);
            pairs.push((s, b));
            if side != 2 {
                docs.push(doc(&format!("SO{i}"), Sell, u128::from(s), Cp::Ent(u128::from(b)), i as u32, q));
            }
            if side != 1 {
                docs.push(doc(&format!("PI{i}"), Buy, u128::from(b), Cp::Ent(u128::from(s)), i as u32, q));
            }
        }
        let t = trace_batch(&docs, product(), BATCH, from(0), TraceDirection::Forward);
        prop_assert_eq!(enterprises_of(&t), reach(0, &pairs));
        prop_assert_eq!(t.nodes.len(), enterprises_of(&t).len());
        check_held(&t, &docs);
    }

    #[test]
    fn held_is_each_holders_own_balance(docs in arb_docs()) {
        let t = trace_batch(&docs, product(), BATCH, TraceStart::Whole, TraceDirection::Both);
        check_held(&t, &docs);
    }

    #[test]
    fn never_panics_and_keeps_its_shape(
        docs in arb_docs(),
        start in arb_start(),
        direction in arb_direction(),
    ) {
        let t = trace_batch(&docs, product(), BATCH, start.clone(), direction);
        check_shape(&t);
        let wanted = |r: &TreeRow| match r.direction {
            RowDirection::Forward => direction.forward(),
            RowDirection::Backward => direction.backward(),
        };
        prop_assert!(t.tree.iter().all(wanted));
        let mut shuffled = docs.clone();
        shuffled.rotate_left(docs.len() / 2);
        let again = trace_batch(&shuffled, product(), BATCH, start, direction);
        // Only exact duplicate documents could break input-order independence; there are none.
        prop_assert_eq!(render(&again), render(&t));
    }
}

// ---------------------------------------------------------------------------------------------
// Movements: the flat input the trace runs on.

#[test]
fn counterparty_keys_follow_the_documents_keying() {
    let ent = ent(3);
    assert_eq!(
        CounterpartyKey::new(Some(ent), Some("X"), "甲"),
        CounterpartyKey::Enterprise(ent)
    );
    assert_eq!(
        CounterpartyKey::new(None, Some(" 91310000MA1FL0001X "), "甲"),
        CounterpartyKey::Uscc("91310000MA1FL0001X")
    );
    assert_eq!(
        CounterpartyKey::new(None, Some("  "), " 甲 "),
        CounterpartyKey::Name("甲")
    );
    assert_eq!(
        CounterpartyKey::of_counterparty(None),
        CounterpartyKey::Name("")
    );
}

/// `movements` in an order drawn from `seed`, each flagged one split into two rows of its
/// document.
fn reshuffled<'a>(movements: &[Movement<'a>], seed: u64, splits: &[bool]) -> Vec<Movement<'a>> {
    let mut out = Vec::new();
    for (i, m) in movements.iter().enumerate() {
        if splits.get(i).copied().unwrap_or(false) {
            let half = m.quantity / 2;
            out.push(Movement {
                quantity: half,
                ..*m
            });
            out.push(Movement {
                quantity: m.quantity - half,
                ..*m
            });
        } else {
            out.push(*m);
        }
    }
    let mut rng = Lcg(seed);
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i as u64 + 1) as usize);
    }
    out
}

proptest! {
    #[test]
    fn documents_trace_as_their_movements(
        docs in arb_docs(),
        start in arb_start(),
        direction in arb_direction(),
    ) {
        let movements = movements_of(&docs, product(), BATCH);
        let direct = trace_movements(&movements, product(), BATCH, start.clone(), direction);
        prop_assert_eq!(trace_batch(&docs, product(), BATCH, start, direction), direct);
    }

    #[test]
    fn movement_order_and_rows_per_document_do_not_matter(
        docs in arb_docs(),
        start in arb_start(),
        direction in arb_direction(),
        seed in any::<u64>(),
        splits in proptest::collection::vec(any::<bool>(), 0..40),
    ) {
        let movements = movements_of(&docs, product(), BATCH);
        let t = trace_movements(&movements, product(), BATCH, start.clone(), direction);
        let again = reshuffled(&movements, seed, &splits);
        prop_assert_eq!(trace_movements(&again, product(), BATCH, start, direction), t);
    }
}
