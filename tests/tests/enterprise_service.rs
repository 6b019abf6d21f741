//! Issue 4's scenario through the service's router, on SQLite and on the PostgreSQL at
//! 127.0.0.1:5432: enterprises A and B register; A adds products and sells to B; B confirms
//! the inbound with one line short; B returns one unit; A sees and confirms the sales return;
//! both ledgers and the discrepancy are right; a retried submit changes nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use suyuan_core::model::{EnterpriseId, ProductId};
use suyuan_core::validate::uscc_check_char;
use suyuan_server::db::Db;
use suyuan_server::{AppState, app};
use tower::ServiceExt;

/// One request through a fresh router: status and JSON answer.
async fn call(
    state: &AppState,
    method: &str,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (status, json)
}

struct Party {
    token: String,
    id: EnterpriseId,
    name: String,
    uscc: String,
}

async fn register(state: &AppState, n: u32, name: &str) -> Party {
    let first = format!("91620102MA{n:07}");
    let uscc = format!("{first}{}", uscc_check_char(&first).expect("valid"));
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

/// A adds a product to the library through the API, as its clerk would.
async fn add_product(state: &AppState, owner: &Party, name: &str) -> ProductId {
    let (status, created) = call(
        state,
        "POST",
        "/api/v1/products",
        Some(&owner.token),
        None,
        Some(json!({
            "generic_name": name, "brand": "舒唯雅",
            "registration_number": "国妆特字G20210001",
            "registrant": "广州舒唯雅化妆品有限公司",
            "manufacturer": "广州舒唯雅化妆品有限公司",
            "specification": "50g", "shelf_life_months": 36, "attachments": []
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    serde_json::from_value(created["product"]["id"].clone()).expect("product id")
}

fn line(product: ProductId, batch: &str, quantity: u32) -> Value {
    json!({"product_id": product, "quantity": quantity, "unit": "瓶", "batch": batch, "expiry_date": "2029-10-31"})
}

fn document(kind: &str, counterparty: Option<&Party>, lines: Vec<Value>) -> Value {
    let counterparty =
        counterparty.map(|p| json!({"name": p.name, "uscc": p.uscc, "enterprise_id": p.id}));
    json!({"kind": kind, "counterparty": counterparty, "date": "2026-11-02", "lines": lines})
}

async fn save_and_submit(
    state: &AppState,
    who: &Party,
    body: Value,
    key: &str,
) -> (StatusCode, Value) {
    let (status, draft) = call(
        state,
        "POST",
        "/api/v1/transactions",
        Some(&who.token),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let path = format!(
        "/api/v1/transactions/{}/submit",
        draft["id"].as_str().expect("id")
    );
    call(state, "POST", &path, Some(&who.token), Some(key), None).await
}

async fn held(state: &AppState, who: &Party, product: ProductId, batch: &str) -> i64 {
    let path = format!("/api/v1/stock?product_id={product}&batch={batch}");
    let (_, page) = call(state, "GET", &path, Some(&who.token), None, None).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["held"].as_i64().expect("held"))
        .sum()
}

async fn pending(state: &AppState, who: &Party) -> Vec<Value> {
    let (_, page) = call(
        state,
        "GET",
        "/api/v1/reconciliation/inbox?state=pending",
        Some(&who.token),
        None,
        None,
    )
    .await;
    page["items"].as_array().expect("items").clone()
}

async fn scenario(db: Db) {
    let state = AppState::new(db.clone());
    let a = register(&state, 11, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 12, "城关区丽人化妆品店").await;
    let cream = add_product(&state, &a, "舒唯雅皮肤身体护肤霜").await;
    let lotion = add_product(&state, &a, "舒唯雅保湿乳").await;

    let made = document(
        "finished_goods_inbound",
        None,
        vec![line(cream, "C1", 100), line(lotion, "L1", 50)],
    );
    assert_eq!(
        save_and_submit(&state, &a, made, "made-1").await.0,
        StatusCode::OK
    );
    let sale = document(
        "sales_outbound",
        Some(&b),
        vec![line(cream, "C1", 24), line(lotion, "L1", 12)],
    );
    let (status, sold) = save_and_submit(&state, &a, sale, "sale-1").await;
    assert_eq!(status, StatusCode::OK, "{sold}");

    // A retried submit (same key) answers the same and changes nothing.
    let path = format!(
        "/api/v1/transactions/{}/submit",
        sold["id"].as_str().expect("id")
    );
    let (status, again) = call(&state, "POST", &path, Some(&a.token), Some("sale-1"), None).await;
    assert_eq!((status, &again), (StatusCode::OK, &sold));
    assert_eq!(held(&state, &a, cream, "C1").await, 76);
    assert_eq!(pending(&state, &b).await.len(), 1, "one item, not two");

    // B confirms with one lotion short.
    let item = &pending(&state, &b).await[0];
    let confirm = format!(
        "/api/v1/reconciliation/inbox/{}/confirm",
        item["id"].as_str().expect("id")
    );
    let received =
        json!({"lines": [line(cream, "C1", 24), line(lotion, "L1", 11)], "reason": "到货少一瓶"});
    let (status, done) = call(
        &state,
        "POST",
        &confirm,
        Some(&b.token),
        None,
        Some(received),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        done["item"]["state"]["differences"],
        json!([{"product_id": lotion, "batch": "L1", "sent": 12, "received": 11}])
    );

    // B returns one cream; A sees the sales return and confirms it.
    let back = document("purchase_return", Some(&a), vec![line(cream, "C1", 1)]);
    assert_eq!(
        save_and_submit(&state, &b, back, "return-1").await.0,
        StatusCode::OK
    );
    let items = pending(&state, &a).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "sales_return");
    let path = format!(
        "/api/v1/reconciliation/inbox/{}/confirm",
        items[0]["id"].as_str().expect("id")
    );
    let (status, done) = call(&state, "POST", &path, Some(&a.token), None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{done}");

    // Both ledgers.
    assert_eq!(held(&state, &a, cream, "C1").await, 77);
    assert_eq!(held(&state, &a, lotion, "L1").await, 38);
    assert_eq!(held(&state, &b, cream, "C1").await, 23);
    assert_eq!(held(&state, &b, lotion, "L1").await, 11);
    for who in [&a, &b] {
        let (_, report) = call(
            &state,
            "GET",
            "/api/v1/chain/verify",
            Some(&who.token),
            None,
            None,
        )
        .await;
        assert_eq!(report["ok"], true, "{report}");
        assert!(pending(&state, who).await.is_empty());
    }
}

fn postgres_url() -> String {
    std::env::var("SUYUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[tokio::test]
async fn the_scenario_holds_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = suyuan_server::config::sqlite_url(&dir.path().join("e2e.sqlite"));
    let db = Db::connect(&url).await.expect("open SQLite");
    db.migrate().await.expect("migrate");
    scenario(db.clone()).await;
    db.pool.close().await;
}

#[tokio::test]
async fn the_scenario_holds_on_postgres() {
    let base = postgres_url();
    let admin = Db::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required ({base}): {e}"));
    let schema = format!("e2e_{}", uuid::Uuid::new_v4().simple());
    // The schema name is a UUID made here, never input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin.pool)
        .await
        .expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let db = Db::connect(&format!("{base}{sep}options=-c%20search_path%3D{schema}"))
        .await
        .expect("open schema");
    db.migrate().await.expect("migrate");
    scenario(db.clone()).await;
    db.pool.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin.pool)
        .await
        .expect("drop schema");
}
