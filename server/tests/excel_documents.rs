//! Documents (purchase and sales records) from and to Excel through the router, on both
//! databases.

mod common;
#[path = "excel_support/mod.rs"]
mod excel_support;
#[path = "fixtures/mod.rs"]
mod fixtures;

use axum::http::StatusCode;
use common::call;
use excel_support::Cell::{self, N, T};
use excel_support::*;
use fixtures::*;
use serde_json::Value;
use suyuan_server::{AppState, db};

const DOC_HEADERS: [&str; 7] = [
    "单据编号 Document number *",
    "单据类型 Kind *",
    "日期 Date *",
    "往来单位名称 Counterparty name",
    "往来单位统一社会信用代码 Counterparty USCC",
    "联系人 Contact",
    "联系电话 Phone",
];
const LINE_HEADERS: [&str; 7] = [
    "单据编号 Document number *",
    "产品（注册证号/备案号、条形码或产品ID） Product (registration number, GTIN or product id) *",
    "数量 Quantity *",
    "单位 Unit *",
    "批号 Batch *",
    "生产日期 Production date",
    "有效期至 Expiry date",
];

/// A documents file: the documents sheet and the lines sheet, as a user fills them.
fn documents_file(docs: &[Vec<Cell>], lines: &[Vec<Cell>]) -> Vec<u8> {
    workbook_of(&[
        ("单据 Documents", &DOC_HEADERS, docs),
        ("明细 Lines", &LINE_HEADERS, lines),
    ])
}

fn purchase(number: &'static str) -> Vec<Cell> {
    vec![
        T(number),
        T("采购入库 Purchase inbound"),
        T("2026-03-01"),
        T("福州海峡化妆品有限公司"),
        T(USCC_B),
        T("张三"),
        T("0931-7617990"),
    ]
}

fn line(number: &'static str, product: &'static str, quantity: f64) -> Vec<Cell> {
    vec![
        T(number),
        T(product),
        N(quantity),
        T("支"),
        T("B20260101"),
        T("2026-01-01"),
        T("2028-12-31"),
    ]
}

async fn documents(state: &AppState, token: &str) -> Vec<Value> {
    let (status, page) = call(
        state,
        "GET",
        "/api/v1/transactions?sort=number&order=asc",
        Some(token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

on_both_databases!(document_template_has_both_sheets_and_instructions, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (status, _, bytes) = send(
        &state,
        "GET",
        "/api/v1/transactions/template.xlsx",
        &a,
        None,
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let sheets = sheets(&bytes);
    let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["单据 Documents", "明细 Lines", "说明 Instructions"]);
    assert_eq!(sheets[0].1[0][..7], DOC_HEADERS.map(String::from));
    assert_eq!(sheets[1].1[0], LINE_HEADERS.map(String::from).to_vec());
});

on_both_databases!(
    filled_documents_file_imports_drafts_and_exports_round_trip,
    |db| {
        let state = AppState::new(db);
        let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let (b, _) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
        let product_id = create_product(&state, &a, product("玫瑰保湿面霜")).await;
        let by_id: &'static str = Box::leak(product_id.clone().into_boxed_str());
        let file = documents_file(
            &[purchase("CG-001"), purchase("CG-002")],
            &[
                line("CG-001", "甘G妆网备字2022000123", 10.0),
                line("CG-001", by_id, 5.0),
                line("CG-002", by_id, 1.0),
            ],
        );
        let (status, _, body) = send(
            &state,
            "POST",
            "/api/v1/transactions/import",
            &a,
            Some("docs-1"),
            file.clone(),
        )
        .await;
        let answer = json_of(&body);
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["imported"], 2);
        let docs = documents(&state, &a).await;
        assert_eq!(docs.len(), 2);
        let first = &docs[0];
        assert_eq!(first["number"], "CG-001");
        assert_eq!(first["status"]["state"], "draft");
        assert_eq!(first["lines"].as_array().unwrap().len(), 2);
        assert_eq!(first["lines"][0]["product_id"], product_id.as_str());
        assert_eq!(first["lines"][0]["product_name"], "玫瑰保湿面霜");
        assert_eq!(first["lines"][0]["quantity"], 10);
        let id = answer["ids"][0].as_str().unwrap();
        let trail = db::audit_trail(&state.db, "transaction", id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].enterprise_id.as_deref(), Some(a_id.as_str()));

        // A retry with the same key writes nothing more.
        let (status, headers, _) = send(
            &state,
            "POST",
            "/api/v1/transactions/import",
            &a,
            Some("docs-1"),
            file.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(documents(&state, &a).await.len(), 2);
        // Read-only staff may not import; another enterprise sees none of A's documents.
        let viewer = read_only_token(&state, &a_id).await;
        let (status, _, _) = send(
            &state,
            "POST",
            "/api/v1/transactions/import",
            &viewer,
            None,
            file,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(documents(&state, &b).await.is_empty());
        let (_, _, empty) = send(
            &state,
            "GET",
            "/api/v1/transactions/export.xlsx",
            &b,
            None,
            vec![],
        )
        .await;
        assert_eq!(sheets(&empty)[0].1.len(), 1, "header only");

        // Export (filtered by keyword) and import into another enterprise.
        let (status, _, one) = send(
            &state,
            "GET",
            "/api/v1/transactions/export.xlsx?q=CG-002",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sheets(&one)[0].1.len(), 2, "header and CG-002");
        let (_, _, all) = send(
            &state,
            "GET",
            "/api/v1/transactions/export.xlsx",
            &a,
            None,
            vec![],
        )
        .await;
        let (status, _, body) =
            send(&state, "POST", "/api/v1/transactions/import", &b, None, all).await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
        let theirs = documents(&state, &b).await;
        assert_eq!(theirs.len(), 2);
        assert_eq!(theirs[0]["number"], "CG-001");
        assert_eq!(theirs[0]["lines"].as_array().unwrap().len(), 2);
    }
);

on_both_databases!(bad_document_rows_write_nothing_and_are_all_reported, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    create_product(&state, &a, product("玫瑰保湿面霜")).await;
    let mut bad_kind = purchase("CG-002");
    bad_kind[1] = T("进货");
    let file = documents_file(
        &[purchase("CG-001"), bad_kind],
        &[
            line("CG-001", "甘G妆网备字2022000123", 10.0),
            line("CG-001", "国妆特字G29999999", 1.0),
            line("CG-001", "甘G妆网备字2022000123", 0.0),
            line("CG-009", "甘G妆网备字2022000123", 1.0),
        ],
    );
    // Parse errors first: the kind, the quantity and the unknown document number.
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/transactions/import",
        &a,
        None,
        file,
    )
    .await;
    let err = json_of(&body);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        has_problem(&err, "documents[3].kind", "excel.choice"),
        "{err}"
    );
    assert!(
        has_problem(&err, "lines[4].quantity", "excel.whole_number"),
        "{err}"
    );
    assert!(
        has_problem(&err, "lines[5].number", "excel.unknown_document"),
        "{err}"
    );

    // Then the database checks: an unknown product, a missing counterparty name.
    let mut nameless = purchase("CG-002");
    nameless[3] = T("");
    let file = documents_file(
        &[purchase("CG-001"), nameless],
        &[
            line("CG-001", "国妆特字G29999999", 1.0),
            line("CG-002", "甘G妆网备字2022000123", 1.0),
        ],
    );
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/transactions/import",
        &a,
        None,
        file,
    )
    .await;
    let err = json_of(&body);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        has_problem(&err, "lines[2].product", "product.unknown"),
        "{err}"
    );
    assert!(
        problems(&err)
            .iter()
            .any(|(f, _)| f.starts_with("documents[3].counterparty")),
        "{err}"
    );
    assert!(documents(&state, &a).await.is_empty(), "nothing written");
});
