//! Single-document submit latency under concurrent clients (issue 4: p99 ≤ 50 ms with 32).
//!
//! `cargo run --release -p suyuan-server --example submit_bench -- [--database-url URL]
//! [--clients 32] [--docs 40] [--lines 5] [--same-enterprise]`
//!
//! Each client is an enterprise (or, with `--same-enterprise`, a clerk of one enterprise, which
//! serialises every submit on its row lock) that saves a sales outbound of `--lines` lines and
//! submits it, `--docs` times, all clients at once. Only the submit request is timed, through
//! the router as a request, without a socket. Without a URL a fresh SQLite file in a temporary
//! folder is used; a `postgres://` URL gets a fresh schema, dropped afterwards.

#[path = "bench_db/mod.rs"]
mod bench_db;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bench_db::{drop_schema, fresh_db};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use suyuan_core::validate::uscc_check_char;
use suyuan_server::{AppState, app};
use tower::ServiceExt;

struct Args {
    url: Option<String>,
    clients: usize,
    docs: usize,
    lines: usize,
    same_enterprise: bool,
}

fn args() -> Args {
    let mut a = Args {
        url: None,
        clients: 32,
        docs: 40,
        lines: 5,
        same_enterprise: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match flag.as_str() {
            "--database-url" => a.url = Some(value()),
            "--clients" => a.clients = value().parse().expect("a number"),
            "--docs" => a.docs = value().parse().expect("a number"),
            "--lines" => a.lines = value().parse().expect("a number"),
            "--same-enterprise" => a.same_enterprise = true,
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

async fn call(state: &AppState, method: &str, path: &str, token: &str, body: Value) -> Value {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {json}");
    json
}

async fn register(state: &AppState, n: usize) -> String {
    let first = format!("91620102MA{n:07}");
    let uscc = format!("{first}{}", uscc_check_char(&first).expect("valid"));
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/enterprises/register")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({
                "enterprise": {
                    "name": format!("兰州批发{n}号"), "uscc": uscc, "kind": "wholesaler",
                    "region_code": "620102", "address": "甘肃省兰州市城关区庆阳路1号",
                    "legal_representative": "张三", "licence": null, "contact": "张三",
                    "phone": "0931-7617990"
                },
                "password": "bench-password-2026"
            })
            .to_string(),
        ))
        .expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::CREATED);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .expect("body");
    let v: Value = serde_json::from_slice(&bytes).expect("json");
    v["token"].as_str().expect("token").to_owned()
}

/// Registers an enterprise, adds a product and takes a large stock of it in; its token and product.
async fn stocked(state: &AppState, n: usize, lines: usize) -> (String, String) {
    let token = register(state, n).await;
    let product = call(
        state,
        "POST",
        "/api/v1/products",
        &token,
        json!({
            "generic_name": "舒唯雅皮肤身体护肤霜", "brand": "舒唯雅",
            "registration_number": "国妆特字G20210001",
            "registrant": "广州舒唯雅化妆品有限公司", "manufacturer": "广州舒唯雅化妆品有限公司",
            "specification": "50g", "shelf_life_months": 36, "attachments": []
        }),
    )
    .await;
    let product = product["product"]["id"].as_str().expect("id").to_owned();
    let inbound = doc("finished_goods_inbound", None, &product, lines, 1_000_000);
    let id = save(state, &token, inbound).await;
    call(
        state,
        "POST",
        &format!("/api/v1/transactions/{id}/submit"),
        &token,
        json!({}),
    )
    .await;
    (token, product)
}

fn doc(kind: &str, counterparty: Option<Value>, product: &str, lines: usize, qty: u32) -> Value {
    let lines: Vec<Value> = (0..lines)
        .map(|i| {
            json!({"product_id": product, "quantity": qty, "unit": "瓶",
                   "batch": format!("B{i}"), "expiry_date": "2029-10-31"})
        })
        .collect();
    json!({"kind": kind, "counterparty": counterparty, "date": "2026-11-02",
           "contact": "王经理", "phone": "0931-7617990", "lines": lines})
}

async fn save(state: &AppState, token: &str, body: Value) -> String {
    let d = call(state, "POST", "/api/v1/transactions", token, body).await;
    d["id"].as_str().expect("id").to_owned()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let a = args();
    let (db, _dir, schema) = fresh_db(&a.url).await;
    let state = AppState::new(db.clone());
    let setups = if a.same_enterprise { 1 } else { a.clients };
    let mut parties = Vec::new();
    for n in 0..setups {
        parties.push(stocked(&state, n + 1, a.lines).await);
    }
    let customer = json!({"name": "城关区美容院", "uscc": null, "enterprise_id": null});
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..a.clients {
        let (token, product) = parties[c % parties.len()].clone();
        let (state, customer) = (state.clone(), customer.clone());
        let (docs, lines) = (a.docs, a.lines);
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(docs);
            for _ in 0..docs {
                let body = doc("sales_outbound", Some(customer.clone()), &product, lines, 1);
                let id = save(&state, &token, body).await;
                let t = Instant::now();
                call(
                    &state,
                    "POST",
                    &format!("/api/v1/transactions/{id}/submit"),
                    &token,
                    json!({}),
                )
                .await;
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.expect("client"));
    }
    let wall = started.elapsed();
    times.sort();
    println!(
        "backend={:?} clients={} same_enterprise={} docs={} lines_per_doc={} \
         submit_ms p50={:.1} p95={:.1} p99={:.1} max={:.1} submits_per_s={:.0}",
        db.backend,
        a.clients,
        a.same_enterprise,
        times.len(),
        a.lines,
        percentile(&times, 0.50),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        times.len() as f64 / wall.as_secs_f64(),
    );
    db.pool.close().await;
    if let (Some(schema), Some(base)) = (schema, a.url) {
        drop_schema(&base, &schema).await;
    }
}
