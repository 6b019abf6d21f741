//! Fixtures shared by the document, inbox and stock tests: registered enterprises, products in
//! the library, and document bodies.

// Each test binary uses only part of it.
#![allow(dead_code)]

use crate::common::call;
use axum::http::StatusCode;
use serde_json::{Value, json};
use suyuan_core::model::{EnterpriseId, Product, ProductId, RecordStatus};
use suyuan_core::validate::uscc_check_char;
use suyuan_server::AppState;
use suyuan_server::db::{self, Db};

/// A registered enterprise and its admin's token.
pub struct Party {
    /// Bearer token.
    pub token: String,
    /// Its id.
    pub id: EnterpriseId,
    /// Its name.
    pub name: String,
    /// Its USCC.
    pub uscc: String,
}

impl Party {
    /// This enterprise as the counterparty of a document.
    pub fn counterparty(&self) -> Value {
        json!({"name": self.name, "uscc": self.uscc, "enterprise_id": self.id})
    }
}

/// A valid USCC numbered `n`.
pub fn uscc(n: u32) -> String {
    let first = format!("91620102MA{n:07}");
    let check = uscc_check_char(&first).expect("17 valid characters");
    format!("{first}{check}")
}

/// Registers enterprise `n` through the API.
pub async fn register(state: &AppState, n: u32, name: &str) -> Party {
    let uscc = uscc(n);
    let (status, session) = call(
        state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({
            "enterprise": {
                "name": name, "uscc": uscc, "kind": "wholesaler", "region_code": "620102",
                "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
                "licence": null, "contact": "张三", "phone": "0931-7617990"
            },
            "password": "兰州-2026-pass"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    Party {
        token: session["token"].as_str().expect("token").to_owned(),
        id: serde_json::from_value(session["account"]["enterprise_id"].clone()).expect("id"),
        name: name.to_owned(),
        uscc,
    }
}

/// Puts a product owned by `owner` in the library.
pub async fn product(db: &Db, owner: EnterpriseId, name: &str) -> ProductId {
    let p = Product {
        id: ProductId::random(),
        owner,
        generic_name: name.to_owned(),
        brand: "舒唯雅".into(),
        registration_number: "国妆特字G20210001".into(),
        registrant: "广州舒唯雅化妆品有限公司".into(),
        manufacturer: "广州舒唯雅化妆品有限公司".into(),
        specification: "50g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    };
    // The audit row names a fixture account: products here stand in for the catalog's.
    let actor = db::Actor {
        account_id: uuid::Uuid::nil(),
        enterprise_id: owner,
    };
    db::insert_product(db, &p, &actor, chrono::Utc::now())
        .await
        .expect("insert product");
    p.id
}

/// A line of `quantity` of a batch.
pub fn line(product: ProductId, batch: &str, quantity: u32) -> Value {
    json!({"product_id": product, "quantity": quantity, "unit": "瓶", "batch": batch,
           "expiry_date": "2029-10-31"})
}

/// A draft body.
pub fn draft(kind: &str, counterparty: Option<Value>, lines: Vec<Value>) -> Value {
    json!({"kind": kind, "counterparty": counterparty, "date": "2026-11-02",
           "contact": "王经理", "phone": "0931-7617990", "lines": lines})
}

/// Saves a draft and returns its id.
pub async fn save(state: &AppState, who: &Party, body: Value) -> String {
    let (status, doc) = call(
        state,
        "POST",
        "/api/v1/transactions",
        Some(&who.token),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    doc["id"].as_str().expect("id").to_owned()
}

/// Submits a document; returns the status and answer.
pub async fn submit(
    state: &AppState,
    who: &Party,
    id: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call(
        state,
        "POST",
        &format!("/api/v1/transactions/{id}/submit"),
        Some(&who.token),
        None,
        body,
    )
    .await
}

/// Saves and submits a document, which must succeed; returns its id.
pub async fn save_and_submit(state: &AppState, who: &Party, body: Value) -> String {
    let id = save(state, who, body).await;
    let (status, doc) = submit(state, who, &id, None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    id
}

/// What `who` holds of a batch according to the stock list.
pub async fn held(state: &AppState, who: &Party, product: ProductId, batch: &str) -> i64 {
    let (status, page) = call(
        state,
        "GET",
        &format!("/api/v1/stock?product_id={product}&batch={batch}"),
        Some(&who.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["held"].as_i64().expect("held"))
        .sum()
}

/// The items of `who`'s inbox.
pub async fn inbox(state: &AppState, who: &Party, query: &str) -> Vec<Value> {
    let (status, page) = call(
        state,
        "GET",
        &format!("/api/v1/reconciliation/inbox{query}"),
        Some(&who.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().expect("items").clone()
}

/// Like `call`, with extra headers; also returns the response headers.
pub async fn call_with(
    state: &AppState,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(axum::body::Body::from(b.to_string())),
        None => req.body(axum::body::Body::empty()),
    }
    .expect("request");
    let res = suyuan_server::app(state.clone())
        .oneshot(req)
        .await
        .expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON body")
    };
    (status, json, headers)
}

/// Rows of a table, counted with raw SQL.
pub async fn count(db: &Db, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&db.pool)
    .await
    .expect("count")
    .try_get("n")
    .expect("n")
}

/// The `(field, rule)` pairs of an error answer.
pub fn fields(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
