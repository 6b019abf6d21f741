//! `--demo` data: valid records, logins that work, loaded once.

mod common;

use axum::http::StatusCode;
use common::call;
use serde_json::json;
use suyuan_core::model::{Barcode, Enterprise, Product};
use suyuan_core::validate::{
    parse_registration, validate_barcode, validate_enterprise, validate_product,
};
use suyuan_server::AppState;
use suyuan_server::db::{self, Db, DemoRecords, StockFilter};
use suyuan_server::demo::{
    DEMO_CLERK, DEMO_PASSWORD, DEMO_REGULATOR, DemoOutcome, demo_logins, demo_records, load_demo,
};

async fn count(db: &Db, table: &str) -> i64 {
    use sqlx::Row;
    // The table name comes from this test's own list.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .try_get("n")
    .unwrap()
}

#[test]
fn every_demo_record_passes_the_core_validators() {
    let r = demo_records(chrono::Utc::now(), "hash");
    assert_eq!(r.enterprises.len(), 4);
    for e in &r.enterprises {
        assert_eq!(validate_enterprise(e), vec![], "{}", e.name);
        assert_eq!(
            &e.uscc[2..8],
            e.region_code,
            "a USCC carries the region of registration"
        );
    }
    let kinds: Vec<String> = r
        .enterprises
        .iter()
        .map(|e| {
            serde_json::to_value(e.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "registrant_manufacturer",
            "wholesaler",
            "beauty_salon",
            "beauty_salon"
        ]
    );
    assert!(r.products.len() >= 3);
    for p in &r.products {
        assert_eq!(validate_product(p), vec![], "{}", p.generic_name);
        assert!(parse_registration(&p.registration_number).is_some());
    }
    assert!(
        r.products
            .iter()
            .any(|p| p.registration_number.starts_with("国妆特字G"))
    );
    assert!(
        r.products
            .iter()
            .any(|p| p.registration_number.contains("G妆网备字"))
    );
    for b in &r.barcodes {
        assert_eq!(validate_barcode(b), vec![], "{}", b.gtin);
        assert!(
            b.gtin.starts_with("69") || b.gtin.starts_with("169"),
            "a GS1 China prefix: {}",
            b.gtin
        );
    }
    assert_eq!(r.barcodes.len(), r.products.len() * 2);
    assert_eq!(demo_logins().len(), r.accounts.len());
}

on_both_databases!(demo_data_loads_once_and_its_logins_work, |db| {
    assert_eq!(load_demo(&db).await.unwrap(), DemoOutcome::Loaded);
    let counts = [
        count(&db, "enterprises").await,
        count(&db, "accounts").await,
        count(&db, "products").await,
        count(&db, "barcodes").await,
        count(&db, "transactions").await,
        count(&db, "reconciliation_items").await,
        count(&db, "audit_log").await,
    ];
    // 1 finished-goods inbound, 3 sales, 2 confirmations; one item a sale.
    assert_eq!(counts[..6], [4, 6, 3, 6, 6, 3]);
    assert_eq!(load_demo(&db).await.unwrap(), DemoOutcome::AlreadyLoaded);
    let again = [
        count(&db, "enterprises").await,
        count(&db, "accounts").await,
        count(&db, "products").await,
        count(&db, "barcodes").await,
        count(&db, "transactions").await,
        count(&db, "reconciliation_items").await,
        count(&db, "audit_log").await,
    ];
    assert_eq!(again, counts, "a second start writes nothing");

    // Stored bodies read back as the core's types.
    use sqlx::Row;
    for row in sqlx::query("SELECT body FROM products")
        .fetch_all(&db.pool)
        .await
        .unwrap()
    {
        let p: Product = serde_json::from_str(&row.try_get::<String, _>("body").unwrap()).unwrap();
        assert_eq!(validate_product(&p), vec![]);
    }
    for row in sqlx::query("SELECT body FROM barcodes")
        .fetch_all(&db.pool)
        .await
        .unwrap()
    {
        let _: Barcode = serde_json::from_str(&row.try_get::<String, _>("body").unwrap()).unwrap();
    }
    let hits: i64 = sqlx::query("SELECT COUNT(*) AS n FROM products WHERE search LIKE $1")
        .bind("%肤%")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(hits, 1, "typing 肤 finds 舒唯雅皮肤身体护肤霜");

    let state = AppState::new(db.clone());
    for (login, _) in demo_logins() {
        let (status, s) = call(
            &state,
            "POST",
            "/api/v1/auth/login",
            None,
            None,
            Some(json!({"login": login, "password": DEMO_PASSWORD})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{login}");
        let (_, me) = call(&state, "GET", "/api/v1/me", s["token"].as_str(), None, None).await;
        match login {
            DEMO_REGULATOR => assert_eq!(me["account"]["region_code"], "620100"),
            DEMO_CLERK => assert_eq!(me["account"]["role"], "clerk"),
            _ => {
                assert_eq!(me["account"]["role"], "enterprise_admin");
                let e: Enterprise = serde_json::from_value(me["enterprise"].clone()).unwrap();
                assert_eq!(validate_enterprise(&e), vec![]);
            }
        }
    }
});

on_both_databases!(demo_data_is_never_mixed_into_real_data, |db| {
    let state = AppState::new(db.clone());
    let (status, _) = call(&state, "POST", "/api/v1/enterprises/register", None, None, Some(json!({
        "enterprise": {"name": "兰州美源化妆品批发有限公司", "uscc": "91512081MA62K0260E", "kind": "wholesaler",
            "region_code": "620102", "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
            "licence": null, "contact": "张三", "phone": "0931-7617990"},
        "password": "admin-pass-1"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(load_demo(&db).await.unwrap(), DemoOutcome::NotEmpty);
    assert_eq!(count(&db, "enterprises").await, 1);
    assert_eq!(count(&db, "products").await, 0);
});

/// Each holder's stock as (product index, batch, on hand), sorted.
async fn holdings(db: &Db, r: &DemoRecords, holder: usize) -> Vec<(usize, String, i64)> {
    let (lines, _) = db::list_stock(
        db,
        r.enterprises[holder].id,
        &StockFilter::default(),
        (50, 0),
    )
    .await
    .unwrap();
    let mut out: Vec<(usize, String, i64)> = lines
        .iter()
        .map(|l| {
            let product = r
                .products
                .iter()
                .position(|p| p.id.to_string() == l.product_id)
                .expect("a demo product");
            (
                product,
                l.batch.clone(),
                l.inbound as i64 - l.outbound as i64,
            )
        })
        .collect();
    out.sort();
    out
}

on_both_databases!(demo_transfers_move_stock_along_the_chain, |db| {
    assert_eq!(load_demo(&db).await.unwrap(), DemoOutcome::Loaded);
    let r = demo_records(chrono::Utc::now(), "hash");
    let (a, b) = ("SWY260105".to_owned(), "SWY260108".to_owned());
    assert_eq!(
        holdings(&db, &r, 0).await,
        [(0, a.clone(), 120), (1, b.clone(), 72)],
        "the manufacturer made 240 + 120 and sold 120 + 48"
    );
    assert_eq!(
        holdings(&db, &r, 1).await,
        [(0, a.clone(), 96), (1, b.clone(), 36)],
        "the wholesaler confirmed 120 + 48 and sold 24 and 12"
    );
    assert_eq!(
        holdings(&db, &r, 2).await,
        [(0, a.clone(), 24)],
        "悦容 confirmed"
    );
    assert_eq!(
        holdings(&db, &r, 3).await,
        [],
        "雅姿 has not confirmed, so nothing is booked in"
    );
    for (i, e) in r.enterprises.iter().enumerate() {
        let report = db::verify_chain(&db, e.id).await.unwrap();
        assert!(report.ok, "{}: {report:?}", e.name);
        assert_eq!(report.checked, [2, 3, 1, 0][i], "{}", e.name);
    }
    let pending = |i: usize| {
        let db = db.clone();
        let id = r.enterprises[i].id;
        async move {
            db::list_inbox(&db, id, Some("pending"), None, (50, 0))
                .await
                .unwrap()
                .0
        }
    };
    assert!(pending(1).await.is_empty());
    assert!(pending(2).await.is_empty());
    let waiting = pending(3).await;
    assert_eq!(waiting.len(), 1, "雅姿's inbox shows the wholesaler's sale");

    // Through the API too: 雅姿 logs in and sees it, and can confirm it.
    let state = AppState::new(db.clone());
    let (_, s) = call(
        &state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": "demo-salon-anning", "password": DEMO_PASSWORD})),
    )
    .await;
    let token = s["token"].as_str();
    let (status, inbox) = call(
        &state,
        "GET",
        "/api/v1/reconciliation/inbox?state=pending",
        token,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inbox["total"], 1);
    let id = inbox["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &state,
        "POST",
        &format!("/api/v1/reconciliation/inbox/{id}/confirm"),
        token,
        None,
        Some(json!({"contact": "李雅", "phone": "13919887766"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(holdings(&db, &r, 3).await, [(1, b, 12)]);
});
