//! The phone's figures (issue 6): opening a local store of 100,000 records, the inspector's
//! verdict offline, and a sync of 10,000 pending changes to the server on loopback.
//!
//! `cargo run --release -p suyuan-e2e --example phone_bench -- [--postgres]`
//! (the library's size is measured by `scripts/phone-bench`, which also runs this).

use chrono::Utc;
use std::time::{Duration, Instant};
use suyuan_core::barcode::{Symbology, parse_payload};
use suyuan_core::model::*;
use suyuan_core::store::{DocumentQuery, Store};
use suyuan_core::sync::client::{SyncClient, install_crypto_provider, sync_now};
use suyuan_core::sync::wire::{PullResponse, ServerChange};
use suyuan_e2e::loopback::{PASSWORD, Server, register};
use suyuan_e2e::phone_records::{draft, product};

const RECORDS: usize = 100_000;
const PENDING: usize = 10_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn cream(owner: EnterpriseId) -> Product {
    product(owner, "舒唯雅皮肤身体护肤霜", "国妆特字G20210001")
}

/// A submitted one-line document, as the server sends it in a pull.
fn submitted(me: EnterpriseId, kind: TransactionKind, p: &Product, batch: &str) -> Transaction {
    let mut d = draft(me, kind, None, p, batch, 5);
    d.counterparty = kind.needs_counterparty().then(|| Counterparty {
        partner_id: None,
        name: "兰州美源化妆品批发有限公司".into(),
        uscc: None,
        enterprise_id: None,
    });
    d.lines[0].gtin = Some("06941234567898".into());
    d.status = RecordStatus::Submitted { at: Utc::now() };
    d
}

/// A phone file holding `RECORDS` submitted documents pulled from the server, over 1,000
/// batches, and the product.
fn big_store(path: &std::path::Path) -> (EnterpriseId, Product) {
    let me = EnterpriseId::random();
    let mut s = Store::open(path).expect("open");
    s.log_in(me).expect("session");
    let p = cream(me);
    let mut seq = 0;
    let mut page = vec![ServerChange {
        seq: {
            seq += 1;
            seq
        },
        entity: "product".into(),
        id: p.id.0,
        body: serde_json::to_value(&p).unwrap(),
    }];
    for i in 0..RECORDS {
        let kind = if i % 4 == 3 {
            TransactionKind::SalesOutbound
        } else {
            TransactionKind::PurchaseInbound
        };
        let d = submitted(me, kind, &p, &format!("B{:04}", i % 1000));
        seq += 1;
        page.push(ServerChange {
            seq,
            entity: "transaction".into(),
            id: d.id.0,
            body: serde_json::to_value(&d).unwrap(),
        });
        if page.len() == 1000 || i + 1 == RECORDS {
            s.apply_pull(&PullResponse {
                changes: std::mem::take(&mut page),
                next_cursor: seq,
                more: false,
            })
            .expect("pull");
        }
    }
    (me, p)
}

fn store_figures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.db");
    let t = Instant::now();
    big_store(&path);
    println!(
        "built a store of {RECORDS} documents in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Open as the app does at launch, and show the home screen's first page and stock.
    let (mut opens, mut pages, mut stocks, mut totals) = (vec![], vec![], vec![], vec![]);
    for _ in 0..11 {
        let t = Instant::now();
        let s = Store::open(&path).expect("open");
        let opened = t.elapsed();
        let first = s
            .documents(&DocumentQuery {
                limit: Some(50),
                ..DocumentQuery::default()
            })
            .expect("page");
        let paged = t.elapsed();
        let stock = s.stock().expect("stock");
        let total = t.elapsed();
        assert_eq!((first.len(), stock.len()), (50, 1000));
        opens.push(opened);
        pages.push(paged - opened);
        stocks.push(total - paged);
        totals.push(total);
    }
    println!(
        "open 100k-record store + first page of 50 + stock of 1,000 batches: median {} (open {}, page {}, stock {}; max {}), target ≤ 200 ms",
        ms(median(totals.clone())),
        ms(median(opens)),
        ms(median(pages)),
        ms(median(stocks)),
        ms(*totals.iter().max().unwrap())
    );

    let s = Store::open(&path).expect("open");
    let code = parse_payload(
        "]d2010694123456789810B0500\u{1d}17291231",
        Symbology::DataMatrix,
    )
    .fields();
    let today = Utc::now().date_naive();
    let mut verdicts = Vec::new();
    for _ in 0..51 {
        let t = Instant::now();
        let v = s.verdict(&code, None, today).expect("verdict");
        verdicts.push(t.elapsed());
        assert_eq!(v.checks.len(), 5);
    }
    println!(
        "scan verdict offline (GS1 DataMatrix, product found by GTIN among 100k documents): median {} (max {}), target ≤ 50 ms",
        ms(median(verdicts.clone())),
        ms(*verdicts.iter().max().unwrap())
    );
}

fn sync_figure(postgres: bool) {
    install_crypto_provider();
    let server = Server::start(postgres);
    let http = reqwest::blocking::Client::new();
    let who = register(
        &http,
        &server.url,
        51,
        "兰州美源化妆品批发有限公司",
        "wholesaler",
    );
    let mut client = SyncClient::new(&server.url, Duration::from_secs(60)).expect("client");
    client.log_in(&who.uscc, PASSWORD).expect("login");
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("phone.db")).expect("open");
    s.log_in(who.id).expect("session");
    let p = s.save_product(cream(who.id), &[]).expect("product");
    let today = Utc::now().date_naive();
    // Half drafts saved and submitted: PENDING changes in all.
    let mut doc = None;
    for i in 0..(PENDING - 1) / 2 {
        let d = draft(
            who.id,
            TransactionKind::FinishedGoodsInbound,
            None,
            &p,
            &format!("B{i:05}"),
            10,
        );
        s.save_draft(d.clone(), &[], today).expect("save");
        s.submit(d.id, None, &[], Utc::now()).expect("submit");
        doc = Some(d);
    }
    let extra = doc.expect("one");
    let mut last = extra.clone();
    last.id = TransactionId::random();
    last.number.push('x');
    last.status = RecordStatus::Draft;
    s.save_draft(last, &[], today).expect("save");
    let pending = s.pending_count().expect("count");
    let t = Instant::now();
    let report = sync_now(&mut s, &client).expect("sync");
    let took = t.elapsed();
    assert_eq!(report.rejected, 0, "{:?}", s.rejections().unwrap().first());
    println!(
        "sync of {pending} pending changes to the loopback server ({}): {:.2} s ({} pushed, {} pulled), target ≤ 5 s",
        if postgres { "PostgreSQL" } else { "SQLite" },
        took.as_secs_f64(),
        report.pushed,
        report.pulled
    );
    // The pull alone: a second phone of the same enterprise fetches those records fresh.
    let mut second = Store::open(&dir.path().join("second.db")).expect("open");
    second.log_in(who.id).expect("session");
    let t = Instant::now();
    let pulled = sync_now(&mut second, &client).expect("pull").pulled;
    println!(
        "  of which the pull: a second phone pulls the {pulled} rows in {:.2} s",
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    let postgres = std::env::args().any(|a| a == "--postgres");
    store_figures();
    sync_figure(false);
    if postgres {
        sync_figure(true);
    }
}
