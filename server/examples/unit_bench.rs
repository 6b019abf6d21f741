//! Unit-code figures for BENCHMARKS.md (issue 8): issuing 1,000,000 codes in one application;
//! auditing an inbound and then an outbound file of 100,000 codes (each also recorded as its
//! batch document); one code's history with the codes of `--codes` stored.
//!
//! `cargo run --release -p suyuan-server --example unit_bench -- [--database-url URL]
//! [--codes N] [--issue N] [--file N] [--lookups N]`
//!
//! `--codes` (default 1,000,000) is how many codes are stored before the lookups are timed; it
//! is filled with applications of up to 1,000,000 codes. Without a URL a fresh SQLite file in
//! a temporary folder is used; a `postgres://` URL gets a fresh schema, dropped afterwards.

#[path = "bench_db/mod.rs"]
mod bench_db;

use bench_db::{drop_schema, fresh_db};
use std::time::Instant;
use suyuan_core::model::{
    Enterprise, EnterpriseId, PackagingLevel, Product, ProductId, RecordStatus,
};
use suyuan_core::serial::UnitCode;
use suyuan_core::validate::uscc_check_char;
use suyuan_server::db::{self, CodeRequest, Db, Uploaded};
use uuid::Uuid;

fn uscc(n: u32) -> String {
    let first = format!("91620102MA{n:07}");
    format!("{first}{}", uscc_check_char(&first).expect("valid"))
}

fn os_random() -> impl FnMut() -> u64 + Send {
    let mut buf = [0u8; 4096];
    let mut pos = buf.len();
    move || {
        if pos == buf.len() {
            getrandom::fill(&mut buf).expect("OS random");
            pos = 0;
        }
        let w = u64::from_le_bytes(buf[pos..pos + 8].try_into().expect("8 bytes"));
        pos += 8;
        w
    }
}

async fn enterprise(db: &Db, n: u32, name: &str) -> Enterprise {
    let e: Enterprise = serde_json::from_value(serde_json::json!({
        "id": EnterpriseId::random(), "name": name, "uscc": uscc(n),
        "kind": "registrant_manufacturer", "region_code": "620102",
        "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
        "licence": null, "contact": "张三", "phone": "0931-7617990"
    }))
    .expect("enterprise");
    db::insert_enterprise(db, &e, chrono::Utc::now())
        .await
        .expect("insert enterprise");
    e
}

async fn issue(db: &Db, owner: EnterpriseId, product: ProductId, batch: &str, n: u32) -> Uuid {
    let request = CodeRequest {
        enterprise: owner,
        product,
        batch: batch.into(),
        level: PackagingLevel::Unit,
        quantity: n,
    };
    let mut random = os_random();
    db::apply_for_codes(db, &request, Uuid::nil(), chrono::Utc::now(), &mut random)
        .await
        .expect("issued")
        .id
}

fn upload_file(
    who: &Enterprise,
    kind: &str,
    number: &str,
    to: Option<&str>,
    codes: &[UnitCode],
) -> String {
    let mut s = format!(
        "SUYUAN-UNITS 1\nenterprise={}\nvendor=V0001\ntype={kind}\nnumber={number}\ndate=2026-12-01\n",
        who.uscc
    );
    if let Some(t) = to {
        s += &format!("counterparty={t}\n");
    }
    s += "---\n";
    for c in codes {
        s += &format!("{c},1瓶\n");
    }
    s
}

async fn timed_upload(db: &Db, who: &Enterprise, text: &str) -> f64 {
    let started = Instant::now();
    let uploader = db::Uploader {
        enterprise: who.id,
        account: Uuid::nil(),
        uscc: &who.uscc,
        region_code: &who.region_code,
    };
    let r = db::upload_units(db, None, &uploader, text, chrono::Utc::now())
        .await
        .expect("uploaded");
    let secs = started.elapsed().as_secs_f64();
    let Uploaded::Audited(r) = r else {
        panic!("a new file")
    };
    assert_eq!(r.refused, 0, "every line accepted");
    secs
}

#[tokio::main]
async fn main() {
    let (mut url, mut codes, mut issue_n, mut file_n, mut lookups) =
        (None, 1_000_000u64, 1_000_000u32, 100_000usize, 1_000usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match flag.as_str() {
            "--database-url" => url = Some(value()),
            "--codes" => codes = value().parse().expect("a number"),
            "--issue" => issue_n = value().parse().expect("a number"),
            "--file" => file_n = value().parse().expect("a number"),
            "--lookups" => lookups = value().parse().expect("a number"),
            other => panic!("unknown flag {other}"),
        }
    }
    let (db, _dir, schema) = fresh_db(&url).await;
    let backend = db.backend;
    let maker = enterprise(&db, 1, "兰州制造").await;
    let buyer = enterprise(&db, 2, "兰州批发").await;
    let product = Product {
        id: ProductId::random(),
        owner: maker.id,
        generic_name: "舒唯雅护肤霜".into(),
        brand: "舒唯雅".into(),
        registration_number: "国妆特字G20210001".into(),
        registrant: "兰州制造".into(),
        manufacturer: "兰州制造".into(),
        specification: "50g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    };
    let actor = db::Actor {
        account_id: Uuid::nil(),
        enterprise_id: maker.id,
    };
    db::insert_product(&db, &product, &actor, chrono::Utc::now())
        .await
        .expect("product");

    // 1. One application of `issue_n` codes.
    let started = Instant::now();
    let big = issue(&db, maker.id, product.id, "B-ISSUE", issue_n).await;
    let issue_secs = started.elapsed().as_secs_f64();
    println!(
        "backend={backend:?} issue codes={issue_n} secs={issue_secs:.2} codes_per_s={:.0}",
        f64::from(issue_n) / issue_secs
    );

    // 2. A production inbound and an outbound of `file_n` codes, audited line by line.
    let app = issue(&db, maker.id, product.id, "B-FILE", file_n as u32).await;
    let file_codes = db::application_codes(&db, app, i64::MAX, 0)
        .await
        .expect("codes");
    let inbound = upload_file(&maker, "inbound", "RK-1", None, &file_codes);
    let in_secs = timed_upload(&db, &maker, &inbound).await;
    let outbound = upload_file(&maker, "outbound", "CK-1", Some(&buyer.uscc), &file_codes);
    let out_secs = timed_upload(&db, &maker, &outbound).await;
    println!(
        "backend={backend:?} audit file_codes={file_n} bytes={} inbound_secs={in_secs:.2} outbound_secs={out_secs:.2}",
        outbound.len()
    );

    // 3. Fill the store to `codes`, then look random codes up.
    let mut stored = u64::from(issue_n) + file_n as u64;
    let fill_started = Instant::now();
    while stored < codes {
        let n = (codes - stored).min(1_000_000) as u32;
        issue(&db, maker.id, product.id, "B-FILL", n).await;
        stored += u64::from(n);
    }
    println!(
        "backend={backend:?} stored codes={stored} fill_secs={:.1}",
        fill_started.elapsed().as_secs_f64()
    );
    let mut sample = db::application_codes(&db, big, lookups as i64, 0)
        .await
        .expect("codes");
    sample.extend(file_codes.iter().take(lookups).copied());
    let mut times = Vec::with_capacity(sample.len());
    for c in &sample {
        let started = Instant::now();
        let view = db::unit_view(&db, *c).await.expect("view").expect("issued");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(view.code, c.to_string());
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "backend={backend:?} history lookups={} stored={stored} ms p50={:.2} p99={:.2} max={:.2}",
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
    db.pool.close().await;
    if let (Some(schema), Some(base)) = (schema, url) {
        drop_schema(&base, &schema).await;
    }
}
