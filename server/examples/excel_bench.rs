//! Times a documents import of 50,000 lines: `cargo run --release -p suyuan-server --example
//! excel_bench -- [lines] [--database-url URL]`. Without a URL it runs on a fresh SQLite file;
//! with `postgres://…` it runs in a fresh schema of that database, dropped afterwards. Prints
//! the file size and the seconds the import took.

use axum::body::Body;
use axum::http::Request;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use std::time::Instant;
use suyuan_server::db::Db;
use suyuan_server::{AppState, app};
use tower::ServiceExt;

const LINES_PER_DOC: usize = 10;

async fn request(
    state: &AppState,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Vec<u8>,
    json_body: bool,
) -> (u16, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if json_body {
        req = req.header("content-type", "application/json");
    }
    let res = app(state.clone())
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("response");
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn file(lines: usize) -> Vec<u8> {
    let mut book = Workbook::new();
    let docs = book.add_worksheet();
    docs.set_name("单据 Documents").unwrap();
    for (c, h) in [
        "单据编号 Document number *",
        "单据类型 Kind *",
        "日期 Date *",
    ]
    .iter()
    .enumerate()
    {
        docs.write_string(0, c as u16, *h).unwrap();
    }
    let n_docs = lines.div_ceil(LINES_PER_DOC);
    for d in 0..n_docs {
        let r = d as u32 + 1;
        docs.write_string(r, 0, format!("RK-{d:06}")).unwrap();
        docs.write_string(r, 1, "成品入库 Finished-goods inbound")
            .unwrap();
        docs.write_string(r, 2, "2026-03-01").unwrap();
    }
    let sheet = book.add_worksheet();
    sheet.set_name("明细 Lines").unwrap();
    let headers = [
        "单据编号 Document number *",
        "产品（注册证号/备案号、条形码或产品ID） Product (registration number, GTIN or product id) *",
        "数量 Quantity *",
        "单位 Unit *",
        "批号 Batch *",
        "生产日期 Production date",
        "有效期至 Expiry date",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for l in 0..lines {
        let r = l as u32 + 1;
        sheet
            .write_string(r, 0, format!("RK-{:06}", l / LINES_PER_DOC))
            .unwrap();
        sheet.write_string(r, 1, "甘G妆网备字2022000123").unwrap();
        sheet.write_number(r, 2, 12.0).unwrap();
        sheet.write_string(r, 3, "支").unwrap();
        sheet.write_string(r, 4, format!("B{l:07}")).unwrap();
        sheet.write_string(r, 5, "2026-01-01").unwrap();
        sheet.write_string(r, 6, "2028-12-31").unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// A fresh, migrated database: a SQLite file in `dir`, or a new schema of the PostgreSQL at
/// `url` (its name returned so it can be dropped).
async fn fresh_db(url: Option<&str>, dir: &std::path::Path) -> (Db, Option<String>) {
    let Some(base) = url.filter(|u| u.starts_with("postgres")) else {
        let url = suyuan_server::config::sqlite_url(&dir.join("bench.sqlite"));
        let db = Db::connect(&url).await.expect("open SQLite");
        db.migrate().await.expect("migrate");
        return (db, None);
    };
    let admin = Db::connect(base).await.expect("open PostgreSQL");
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    // The schema name is a UUID made here, never input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin.pool)
        .await
        .expect("create schema");
    admin.pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let db = Db::connect(&url).await.expect("open the schema");
    db.migrate().await.expect("migrate");
    (db, Some(schema))
}

#[tokio::main]
async fn main() {
    let mut lines = 50_000;
    let mut url = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--database-url" => url = args.next(),
            other => {
                lines = other
                    .parse()
                    .expect("a number of lines or --database-url URL")
            }
        }
    }
    let url = url.or_else(|| std::env::var("DATABASE_URL").ok());
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, schema) = fresh_db(url.as_deref(), dir.path()).await;
    println!(
        "database: {}",
        if schema.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let state = AppState::new(db);
    let register = json!({
        "enterprise": {
            "name": "兰州美源化妆品有限公司", "uscc": "91512081MA62K0260E", "kind": "registrant_manufacturer",
            "region_code": "620102", "address": "甘肃省兰州市城关区庆阳路1号",
            "legal_representative": "张三", "licence": null, "contact": "张三", "phone": "0931-7617990"
        },
        "password": "兰州-2026-pass"
    });
    let (status, session) = request(
        &state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        register.to_string().into_bytes(),
        true,
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let token = session["token"].as_str().unwrap().to_owned();
    let product = json!({
        "generic_name": "玫瑰保湿面霜", "brand": "舒唯雅", "registration_number": "甘G妆网备字2022000123",
        "registrant": "甘肃舒来纽化妆品有限责任公司", "manufacturer": "甘肃舒来纽化妆品有限责任公司",
        "specification": "50g", "shelf_life_months": 36
    });
    let (status, body) = request(
        &state,
        "POST",
        "/api/v1/products",
        Some(&token),
        product.to_string().into_bytes(),
        true,
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let bytes = file(lines);
    println!("file: {lines} lines, {} bytes", bytes.len());
    let started = Instant::now();
    let (status, body) = request(
        &state,
        "POST",
        "/api/v1/transactions/import",
        Some(&token),
        bytes,
        false,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(status, 201, "{body}");
    println!(
        "imported {} documents, {lines} lines in {:.2} s",
        body["imported"],
        took.as_secs_f64()
    );
    state.db.pool.close().await;
    if let (Some(schema), Some(base)) = (schema, url) {
        let admin = Db::connect(&base).await.expect("reconnect");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin.pool)
            .await
            .expect("drop schema");
    }
}
