//! Fixtures of the regulator tests: enterprises registered in given regions, regulator accounts
//! bound to a region, and the manufacturer → wholesaler → salon chain of one batch.

// Each test binary uses only part of it.
#![allow(dead_code)]

use crate::common::call;
use crate::docs_support::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use suyuan_core::model::ProductId;
use suyuan_server::AppState;
use suyuan_server::db::Db;
use suyuan_server::identity::ensure_platform_admin;

/// Registers enterprise `n` of `kind` in `region` through the API.
pub async fn register_in(state: &AppState, n: u32, name: &str, kind: &str, region: &str) -> Party {
    let uscc = uscc(n);
    let (status, session) = call(
        state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({
            "enterprise": {
                "name": name, "uscc": uscc, "kind": kind, "region_code": region,
                "address": "地址1号", "legal_representative": "张三",
                "licence": null, "contact": "张三", "phone": "0931-7617990"
            },
            "password": "兰州-2026-pass",
            "login": format!("ent{n}")
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

/// A regulator account of `region` created by the platform admin; returns its token.
pub async fn regulator(state: &AppState, db: &Db, login: &str, region: &str) -> String {
    ensure_platform_admin(db, "root", "platform-secret-1")
        .await
        .expect("platform admin");
    let (status, s) = call(
        state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": "root", "password": "platform-secret-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let root = s["token"].as_str().expect("token").to_owned();
    let (status, r) = call(
        state,
        "POST",
        "/api/v1/admin/regulators",
        Some(&root),
        None,
        Some(json!({"login": login, "password": "regulator-pass",
                    "display_name": "市场监督管理局", "region_code": region})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let (status, s) = call(
        state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": login, "password": "regulator-pass"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    s["token"].as_str().expect("token").to_owned()
}

/// GET with a token; the status and body.
pub async fn get(state: &AppState, token: &str, path: &str) -> (StatusCode, Value) {
    call(state, "GET", path, Some(token), None, None).await
}

/// GET that must answer 200.
pub async fn get_ok(state: &AppState, token: &str, path: &str) -> Value {
    let (status, body) = get(state, token, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The GTIN-13 of the chain's product, and the same code as GTIN-14.
pub const GTIN13: &str = "6901234567892";
/// The GTIN-14 form of [`GTIN13`].
pub const GTIN14: &str = "06901234567892";
/// The chain's batch.
pub const BATCH: &str = "RB2026";

/// The chain of one batch: a Gansu (Lanzhou) manufacturer, a Gansu (Tianshui) wholesaler, a
/// Sichuan (Chengdu) salon.
pub struct Chain {
    /// Manufacturer in 620102.
    pub a: Party,
    /// Wholesaler in 620502.
    pub b: Party,
    /// Salon in 510104.
    pub c: Party,
    /// The product.
    pub cream: ProductId,
}

/// Confirms the one pending item in `who`'s inbox with `body`.
pub async fn confirm_pending(state: &AppState, who: &Party, body: Value) -> Value {
    let items = inbox(state, who, "?state=pending").await;
    assert_eq!(items.len(), 1, "{items:?}");
    let id = items[0]["id"].as_str().expect("id");
    let (status, done) = call(
        state,
        "POST",
        &format!("/api/v1/reconciliation/inbox/{id}/confirm"),
        Some(&who.token),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

/// A makes 100 of the batch and sells 40 to B, who confirms 38 (two short); B sells 20 to C,
/// who confirms; C returns 5 to B, who confirms. A holds 60, B 23, C 15.
pub async fn chain(state: &AppState, db: &Db) -> Chain {
    let a = register_in(
        state,
        1,
        "兰州美源化妆品有限公司",
        "registrant_manufacturer",
        "620102",
    )
    .await;
    let b = register_in(state, 2, "天水华联化妆品批发部", "wholesaler", "620502").await;
    let c = register_in(state, 3, "成都锦江丽人美容院", "beauty_salon", "510104").await;
    let cream = product(db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let (status, barcode) = call(
        state,
        "POST",
        "/api/v1/barcodes",
        Some(&a.token),
        None,
        Some(
            json!({"product_id": cream, "gtin": GTIN13, "specification": "50g",
                    "package_specification": "1支", "level": "unit", "contains_quantity": 1}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{barcode}");
    save_and_submit(
        state,
        &a,
        draft(
            "finished_goods_inbound",
            None,
            vec![line(cream, BATCH, 100)],
        ),
    )
    .await;
    save_and_submit(
        state,
        &a,
        draft(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, BATCH, 40)],
        ),
    )
    .await;
    confirm_pending(
        state,
        &b,
        json!({"lines": [line(cream, BATCH, 38)], "reason": "到货少两支"}),
    )
    .await;
    save_and_submit(
        state,
        &b,
        draft(
            "sales_outbound",
            Some(c.counterparty()),
            vec![line(cream, BATCH, 20)],
        ),
    )
    .await;
    confirm_pending(state, &c, json!({})).await;
    save_and_submit(
        state,
        &c,
        draft(
            "purchase_return",
            Some(b.counterparty()),
            vec![line(cream, BATCH, 5)],
        ),
    )
    .await;
    confirm_pending(state, &b, json!({})).await;
    Chain { a, b, c, cream }
}
