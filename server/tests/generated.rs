//! The benchmark's data generator on both databases, at a small scale: what it writes is what
//! the service would have written — every chain verifies, the stock table equals the ledger of
//! the generated documents, the generated logins work, a regulator traces a batch through the
//! API, a later submit runs the stock rules over generated stock — and the loader refuses a
//! document that ships stock its enterprise does not hold, writing nothing of that day.

mod common;
mod docs_support;
mod recall_support;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate};
use common::call;
use serde_json::{Value, json};
use suyuan_core::model::{RecordStatus, Transaction, TransactionKind};
use suyuan_core::rules::ledger::Ledger;
use suyuan_core::rules::lifecycle;
use suyuan_server::AppState;
use suyuan_server::db::{self, BulkLoader, StockFilter};
use suyuan_server::generate::{self, Generator, PASSWORD, Plan, Tier};

fn plan() -> Plan {
    Plan {
        enterprises: 120,
        lines: 6_000,
        seed: 11,
        start: NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date"),
    }
}

/// The ledger of every generated document, replayed in memory.
fn ledger_of(plan: Plan) -> Ledger {
    let mut g = Generator::new(plan);
    let mut ledger = Ledger::new();
    let at = DateTime::from_timestamp(1_780_000_000, 0).expect("an instant");
    while let Some((_, docs)) = g.next_day() {
        for d in docs {
            ledger.apply(&lifecycle::submit(d, at).expect("a draft"));
        }
    }
    ledger
}

async fn log_in(state: &AppState, login: &str) -> String {
    recall_support::token(state, login, PASSWORD).await
}

async fn get(state: &AppState, token: &str, path: &str) -> Value {
    let (status, body) = call(state, "GET", path, Some(token), None, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

on_both_databases!(generated_data_is_what_the_service_would_write, |db| {
    let plan = plan();
    let stats = generate::load(&db, plan, |_, _| {}).await.expect("load");
    assert!(stats.lines >= plan.lines, "{stats:?}");
    assert!(
        stats.items_confirmed > 0 && stats.items_pending > 0,
        "{stats:?}"
    );
    let catalog = Generator::new(plan).catalog().clone();

    // Every enterprise's hash chain holds, and together they cover every document.
    let mut checked = 0;
    for e in &catalog.enterprises {
        let chain = db::verify_chain(&db, e.id).await.expect("chain");
        assert!(chain.ok, "{}: {:?}", e.name, chain.first_bad);
        checked += chain.checked;
    }
    assert_eq!(checked, stats.documents);

    // The stock table is the ledger of the generated documents, row for row.
    let ledger = ledger_of(plan);
    assert_eq!(stats.stock_rows, ledger.len() as u64);
    let mut compared = 0;
    for e in &catalog.enterprises {
        let (rows, total) = db::list_stock(&db, e.id, &StockFilter::default(), (1000, 0))
            .await
            .expect("stock");
        assert_eq!(rows.len() as u64, total);
        for r in &rows {
            let product = r
                .product_id
                .parse()
                .map(suyuan_core::model::ProductId)
                .unwrap();
            assert_eq!(
                r.held,
                ledger.held(e.id, product, &r.batch),
                "{} {}",
                e.name,
                r.batch
            );
        }
        compared += rows.len();
    }
    assert_eq!(compared, ledger.len());

    // A generated regulator traces a batch through the API: it went from its maker through
    // wholesalers to shops.
    let state = AppState::new(db.clone());
    let regulator = log_in(&state, &generate::regulator_login("62")).await;
    let product = &catalog.products[0];
    let batch = generate::batch_number(plan.start, 0);
    let trace = get(
        &state,
        &regulator,
        &format!(
            "/api/v1/regulator/trace?product_id={}&batch={batch}",
            product.id
        ),
    )
    .await;
    let kinds: Vec<&str> = trace["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"registrant_manufacturer"), "{kinds:?}");
    assert!(kinds.contains(&"wholesaler"), "{kinds:?}");

    // A wholesaler's later submit runs the stock rules over the generated stock: one unit
    // more than it holds is refused, what it holds goes out.
    let n = (0..catalog.enterprises.len() as u32)
        .find(|n| catalog.tier(*n) == Tier::Wholesaler)
        .unwrap() as usize;
    let seller = &catalog.enterprises[n];
    let token = log_in(&state, &generate::enterprise_login(n)).await;
    let (rows, _) = db::list_stock(&db, seller.id, &StockFilter::default(), (50, 0))
        .await
        .expect("stock");
    let row = rows
        .iter()
        .find(|r| r.held > 0)
        .expect("the wholesaler holds stock");
    let shop = &catalog.enterprises[catalog.tiers.1 as usize];
    let sale = |quantity: i64| {
        json!({"kind": "sales_outbound", "date": "2026-11-02", "contact": "王经理",
               "phone": "0931-7617990",
               "counterparty": {"name": shop.name, "uscc": shop.uscc, "enterprise_id": shop.id},
               "lines": [{"product_id": row.product_id, "quantity": quantity, "unit": "瓶",
                          "batch": row.batch, "expiry_date": row.expiry_date}]})
    };
    for (quantity, expected) in [
        (row.held + 1, StatusCode::UNPROCESSABLE_ENTITY),
        (row.held, StatusCode::OK),
    ] {
        let (status, doc) = call(
            &state,
            "POST",
            "/api/v1/transactions",
            Some(&token),
            None,
            Some(sale(quantity)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{doc}");
        let id = doc["id"].as_str().unwrap();
        let (status, answer) = call(
            &state,
            "POST",
            &format!("/api/v1/transactions/{id}/submit"),
            Some(&token),
            None,
            None,
        )
        .await;
        assert_eq!(status, expected, "{answer}");
    }
    let (rows, _) = db::list_stock(
        &db,
        seller.id,
        &StockFilter {
            batch: Some(row.batch.clone()),
            product_id: Some(
                row.product_id
                    .parse()
                    .map(suyuan_core::model::ProductId)
                    .unwrap(),
            ),
            ..StockFilter::default()
        },
        (5, 0),
    )
    .await
    .expect("stock");
    assert_eq!(rows[0].held, 0);

    // The loader refuses a document shipping stock its enterprise does not hold, and writes
    // nothing of that day.
    let mut loader = BulkLoader::start(&db, &[]).await.expect("loader");
    let retail = &catalog.enterprises[catalog.enterprises.len() - 1];
    let fine = Transaction {
        number: "GEN-FINE".into(),
        kind: TransactionKind::FinishedGoodsInbound,
        enterprise_id: catalog.enterprises[0].id,
        counterparty: None,
        id: suyuan_core::model::TransactionId(uuid::Uuid::new_v4()),
        ..overdraw(retail, product)
    };
    let bad = overdraw(retail, product);
    let err = loader
        .load_day(
            &db,
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            vec![fine.clone(), bad],
        )
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("GEN-OVERDRAW"), "{err}");
    assert!(
        db::get_transaction(&db, catalog.enterprises[0].id, fine.id)
            .await
            .expect("read")
            .is_none()
    );
});

/// A retail shop's sale of 1,000,000 units of a batch nobody made.
fn overdraw(
    shop: &suyuan_core::model::Enterprise,
    product: &suyuan_core::model::Product,
) -> Transaction {
    Transaction {
        id: suyuan_core::model::TransactionId(uuid::Uuid::new_v4()),
        enterprise_id: shop.id,
        kind: TransactionKind::SalesOutbound,
        number: "GEN-OVERDRAW".into(),
        counterparty: Some(suyuan_core::model::Counterparty {
            partner_id: None,
            name: "零售顾客".into(),
            uscc: None,
            enterprise_id: None,
        }),
        date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        contact: "王经理".into(),
        phone: "13800000000".into(),
        lines: vec![suyuan_core::model::TransactionLine {
            product_id: product.id,
            product_name: product.generic_name.clone(),
            gtin: None,
            quantity: 1_000_000,
            unit: "瓶".into(),
            batch: "NOBODY".into(),
            production_date: None,
            expiry_date: None,
        }],
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: None,
        remarks: String::new(),
    }
}
