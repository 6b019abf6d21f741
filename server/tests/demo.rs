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
use suyuan_server::db::Db;
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
    ];
    assert_eq!(counts, [4, 6, 3, 6]);
    assert_eq!(load_demo(&db).await.unwrap(), DemoOutcome::AlreadyLoaded);
    let again = [
        count(&db, "enterprises").await,
        count(&db, "accounts").await,
        count(&db, "products").await,
        count(&db, "barcodes").await,
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
