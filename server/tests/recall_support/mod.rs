//! Fixtures of the recall and nonconforming tests: enterprises of a chosen region, regulator
//! accounts, and the chain maker → wholesaler → three salons built through the API.

// Each test binary uses only part of it.
#![allow(dead_code)]

use crate::common::call;
use crate::docs_support::{Party, draft, inbox, line, product, save_and_submit};
use axum::http::StatusCode;
use serde_json::{Value, json};
use suyuan_core::model::ProductId;
use suyuan_core::validate::uscc_check_char;
use suyuan_server::AppState;
use suyuan_server::db::Db;
use suyuan_server::identity::ensure_platform_admin;

/// Registers enterprise `n` of `kind` in `region` through the API.
pub async fn register_in(state: &AppState, n: u32, name: &str, kind: &str, region: &str) -> Party {
    let first = format!("91{region}MA{n:07}");
    let uscc = format!("{first}{}", uscc_check_char(&first).expect("17 characters"));
    let (status, session) = call(
        state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({
            "enterprise": {
                "name": name, "uscc": uscc, "kind": kind, "region_code": region,
                "address": "某市某区某路1号", "legal_representative": "张三",
                "licence": null, "contact": "张三", "phone": "0931-7617990"
            },
            "password": "召回-2026-pass"
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

/// A regulator account of `region`, logged in: its token.
pub async fn regulator(state: &AppState, db: &Db, login: &str, region: &str) -> String {
    ensure_platform_admin(db, "root", "platform-secret-1")
        .await
        .expect("platform admin");
    let root = token(state, "root", "platform-secret-1").await;
    let (status, r) = call(
        state,
        "POST",
        "/api/v1/admin/regulators",
        Some(&root),
        None,
        Some(json!({"login": login, "password": "regulator-pass",
                    "display_name": format!("{region} 市场监督管理局"), "region_code": region})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    token(state, login, "regulator-pass").await
}

/// Logs in; the bearer token.
pub async fn token(state: &AppState, login: &str, password: &str) -> String {
    let (status, s) = call(
        state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": login, "password": password})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    s["token"].as_str().expect("token").to_owned()
}

/// Confirms, as sent, every pending item of `who`'s inbox.
pub async fn confirm_all(state: &AppState, who: &Party) {
    for item in inbox(state, who, "?state=pending").await {
        let path = format!(
            "/api/v1/reconciliation/inbox/{}/confirm",
            item["id"].as_str().expect("id")
        );
        let (status, done) = call(
            state,
            "POST",
            &path,
            Some(&who.token),
            None,
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{done}");
    }
}

/// The chain of issue 5 in 兰州 (620102): the maker books batches A (100) and B (50) of its
/// cream and sells 40 A and 20 B to the wholesaler, which sells 10 A to salon 1, 6 A and 5 B to
/// salon 2 and 5 B to salon 3; every buyer confirms. So batch A is at the maker (60), the
/// wholesaler (24), salon 1 (10) and salon 2 (6), and never reached salon 3.
pub struct Chain {
    /// The registrant and manufacturer.
    pub maker: Party,
    /// The wholesaler.
    pub wholesaler: Party,
    /// Three beauty salons.
    pub salons: [Party; 3],
    /// The maker's cream.
    pub cream: ProductId,
}

/// Builds [`Chain`] through the API.
pub async fn chain(state: &AppState, db: &Db) -> Chain {
    let maker = register_in(
        state,
        1,
        "甘肃舒唯雅化妆品有限公司",
        "registrant_manufacturer",
        "620102",
    )
    .await;
    let wholesaler = register_in(
        state,
        2,
        "兰州美源化妆品批发有限公司",
        "wholesaler",
        "620102",
    )
    .await;
    let mut salons = Vec::new();
    for (n, name) in [
        (3, "城关区丽人美容院"),
        (4, "七里河区雅美美容院"),
        (5, "安宁区悦颜美容院"),
    ] {
        salons.push(register_in(state, n, name, "beauty_salon", "620102").await);
    }
    let cream = product(db, maker.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        state,
        &maker,
        draft(
            "finished_goods_inbound",
            None,
            vec![line(cream, "A", 100), line(cream, "B", 50)],
        ),
    )
    .await;
    save_and_submit(
        state,
        &maker,
        draft(
            "sales_outbound",
            Some(wholesaler.counterparty()),
            vec![line(cream, "A", 40), line(cream, "B", 20)],
        ),
    )
    .await;
    confirm_all(state, &wholesaler).await;
    let sales: [(usize, Vec<Value>); 3] = [
        (0, vec![line(cream, "A", 10)]),
        (1, vec![line(cream, "A", 6), line(cream, "B", 5)]),
        (2, vec![line(cream, "B", 5)]),
    ];
    for (i, lines) in sales {
        save_and_submit(
            state,
            &wholesaler,
            draft("sales_outbound", Some(salons[i].counterparty()), lines),
        )
        .await;
        confirm_all(state, &salons[i]).await;
    }
    let [s1, s2, s3]: [Party; 3] = salons.try_into().ok().expect("three salons");
    Chain {
        maker,
        wholesaler,
        salons: [s1, s2, s3],
        cream,
    }
}

/// The `(enterprise_id, quantity_received, quantity_held)` of each holder of an answer.
pub fn holders(view: &Value) -> Vec<(String, u64, u64)> {
    let mut rows: Vec<(String, u64, u64)> = view["holders"]
        .as_array()
        .expect("holders")
        .iter()
        .map(|h| {
            (
                h["enterprise_id"].as_str().expect("id").to_owned(),
                h["quantity_received"].as_u64().expect("received"),
                h["quantity_held"].as_u64().expect("held"),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The same triple for a party.
pub fn holder(p: &Party, received: u64, held: u64) -> (String, u64, u64) {
    (p.id.to_string(), received, held)
}

/// The entities and ids of `who`'s sync pull from the start.
pub async fn pulled(state: &AppState, who: &Party) -> Vec<Value> {
    let (status, pull) = call(
        state,
        "GET",
        "/api/v1/sync/pull?cursor=0&limit=1000",
        Some(&who.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{pull}");
    pull["changes"].as_array().expect("changes").clone()
}
