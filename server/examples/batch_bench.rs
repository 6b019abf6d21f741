//! Rough ingest figure of `POST /api/v1/batch`: batches of 100 submitted documents of 100 lines
//! each (10,000 lines a call) through the router, reporting lines per second.
//!
//! `cargo run --release -p suyuan-server --example batch_bench -- [--database-url URL]
//! [--batches 5]`
//!
//! Without a URL a fresh SQLite file in a temporary folder is used; a `postgres://` URL gets a
//! fresh schema, dropped afterwards.

#[path = "bench_db/mod.rs"]
mod bench_db;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bench_db::{drop_schema, fresh_db};
use serde_json::{Value, json};
use std::time::Instant;
use suyuan_server::{AppState, app};
use tower::ServiceExt;
use uuid::Uuid;

const DOCS_PER_BATCH: usize = 100;
const LINES_PER_DOC: usize = 100;
const PRODUCTS: usize = 20;

async fn post(
    state: &AppState,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = req.body(Body::from(body.to_string())).expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::main]
async fn main() {
    let (mut url, mut batches) = (None, 5usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match flag.as_str() {
            "--database-url" => url = Some(value()),
            "--batches" => batches = value().parse().expect("a number"),
            other => panic!("unknown flag {other}"),
        }
    }
    let (db, _dir, schema) = fresh_db(&url).await;
    let backend = db.backend;
    let state = AppState::new(db.clone());
    let (status, session) = post(
        &state,
        "/api/v1/enterprises/register",
        None,
        &json!({
            "enterprise": {
                "name": "兰州美源化妆品批发有限公司", "uscc": "91512081MA62K0260E",
                "kind": "wholesaler", "region_code": "620102",
                "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
                "licence": null, "contact": "张三", "phone": "0931-7617990"
            },
            "password": "兰州-2026-pass"
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let token = session["token"].as_str().expect("token").to_owned();

    let products: Vec<Uuid> = (0..PRODUCTS).map(|_| Uuid::new_v4()).collect();
    let records: Vec<Value> = products
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({"type": "product", "id": id, "product": {
                "generic_name": format!("舒唯雅护肤霜 {i}"), "brand": "舒唯雅",
                "registration_number": "国妆特字G20210001", "registrant": "广州舒唯雅化妆品有限公司",
                "manufacturer": "广州舒唯雅化妆品有限公司", "specification": "50g",
                "shelf_life_months": 36}})
        })
        .collect();
    let (status, body) = post(
        &state,
        "/api/v1/batch",
        Some(&token),
        &json!({"records": records}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let mut total_lines = 0usize;
    let mut total_secs = 0f64;
    for b in 0..batches {
        let records: Vec<Value> = (0..DOCS_PER_BATCH)
            .map(|d| {
                let lines: Vec<Value> = (0..LINES_PER_DOC)
                    .map(|l| {
                        json!({"product_id": products[l % PRODUCTS], "quantity": 10, "unit": "瓶",
                               "batch": format!("B{b}-{d}-{l}"), "expiry_date": "2029-10-31"})
                    })
                    .collect();
                json!({"type": "transaction", "id": Uuid::new_v4(), "submit": true, "document": {
                    "kind": "finished_goods_inbound", "date": "2026-11-02",
                    "contact": "王经理", "phone": "0931-7617990", "lines": lines}})
            })
            .collect();
        let request = json!({"records": records});
        let started = Instant::now();
        let (status, body) = post(&state, "/api/v1/batch", Some(&token), &request).await;
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let lines = DOCS_PER_BATCH * LINES_PER_DOC;
        total_lines += lines;
        total_secs += secs;
        println!(
            "batch {b}: {lines} lines in {secs:.3} s = {:.0} lines/s",
            lines as f64 / secs
        );
    }
    println!(
        "total: {total_lines} lines in {total_secs:.3} s = {:.0} lines/s ({backend:?}, submitted documents)",
        total_lines as f64 / total_secs
    );
    db.pool.close().await;
    if let (Some(schema), Some(base)) = (schema, url) {
        drop_schema(&base, &schema).await;
    }
}
