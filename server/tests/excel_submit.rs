//! Documents imported from Excel and submitted in the same transaction (`?submit=true`), and
//! the ways users type dates and GTINs, through the router on both databases.

mod common;
#[path = "excel_support/mod.rs"]
mod excel_support;
#[path = "fixtures/mod.rs"]
mod fixtures;

use axum::http::StatusCode;
use common::call;
use excel_support::Cell::{self, D, N, T};
use excel_support::*;
use fixtures::*;
use serde_json::{Value, json};
use sqlx::Row;
use suyuan_server::{AppState, db};

const DOC_HEADERS: [&str; 5] = [
    "单据编号 Document number *",
    "单据类型 Kind *",
    "日期 Date *",
    "往来单位名称 Counterparty name",
    "往来单位统一社会信用代码 Counterparty USCC",
];
const LINE_HEADERS: [&str; 5] = [
    "单据编号 Document number *",
    "产品（注册证号/备案号、条形码或产品ID） Product (registration number, GTIN or product id) *",
    "数量 Quantity *",
    "单位 Unit *",
    "批号 Batch *",
];
const REGISTRATION: &str = "甘G妆网备字2022000123";
/// A GTIN-13 with two leading zeros (a UPC-A written as EAN-13).
const GTIN: &str = "0012345678905";

fn file(docs: &[Vec<Cell>], lines: &[Vec<Cell>]) -> Vec<u8> {
    workbook_of(&[
        ("单据 Documents", &DOC_HEADERS, docs),
        ("明细 Lines", &LINE_HEADERS, lines),
    ])
}

fn purchase(number: &'static str, date: Cell) -> Vec<Cell> {
    vec![
        T(number),
        T("采购入库 Purchase inbound"),
        date,
        T("兰州本地化妆品供应站"),
        T(""),
    ]
}

fn sale_to_b(number: &'static str) -> Vec<Cell> {
    vec![
        T(number),
        T("销售出库 Sales outbound"),
        N(46028.0),
        T("福州海峡化妆品有限公司"),
        T(USCC_B),
    ]
}

fn line(number: &'static str, product: Cell, quantity: f64, batch: &'static str) -> Vec<Cell> {
    vec![T(number), product, N(quantity), T("支"), T(batch)]
}

/// A's product with a barcode; its id.
async fn product_with_barcode(state: &AppState, token: &str) -> String {
    let id = create_product(state, token, product("舒唯雅皮肤身体护肤霜")).await;
    let (status, body) = call(
        state,
        "POST",
        "/api/v1/barcodes",
        Some(token),
        None,
        Some(json!({
            "product_id": id, "gtin": GTIN, "specification": "50g",
            "package_specification": "1支", "level": "unit", "contains_quantity": 1
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

async fn get(state: &AppState, token: &str, path: &str) -> Value {
    let (status, body) = call(state, "GET", path, Some(token), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn documents(state: &AppState, token: &str) -> Vec<Value> {
    let page = get(
        state,
        token,
        "/api/v1/transactions?sort=number&order=asc&per_page=100",
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

async fn held(state: &AppState, token: &str, product: &str, batch: &str) -> i64 {
    let page = get(
        state,
        token,
        &format!("/api/v1/stock?product_id={product}&batch={batch}"),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["held"].as_i64().unwrap())
        .sum()
}

on_both_databases!(
    submit_true_imports_and_submits_every_document_in_file_order,
    |db| {
        let state = AppState::new(db);
        let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let (b, _) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
        let cream = product_with_barcode(&state, &a).await;
        // The purchase names the product by its GTIN typed as a number (leading zeros lost);
        // the sale, later in the file, takes 4 of the 10 the purchase brought in.
        let bytes = file(
            &[purchase("CG-001", T("2026-01-05")), sale_to_b("XS-002")],
            &[
                line("CG-001", N(12345678905.0), 10.0, "B001"),
                line("XS-002", T(REGISTRATION), 4.0, "B001"),
            ],
        );
        let path = "/api/v1/transactions/import?submit=true";
        let (status, _, body) = send(&state, "POST", path, &a, Some("sub-1"), bytes.clone()).await;
        let answer = json_of(&body);
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["imported"], 2);
        let docs = documents(&state, &a).await;
        assert_eq!(docs.len(), 2);
        for d in &docs {
            assert_eq!(d["status"]["state"], "submitted", "{d}");
            assert!(d["content_hash"].is_string(), "{d}");
        }
        assert_eq!(docs[0]["date"], "2026-01-05");
        assert_eq!(docs[0]["lines"][0]["gtin"], "00012345678905");
        assert_eq!(docs[0]["lines"][0]["product_id"], cream.as_str());
        assert_eq!(docs[1]["date"], "2026-01-06");
        assert_eq!(held(&state, &a, &cream, "B001").await, 6);
        // The buyer is a registered enterprise, found by its USCC: the sale is in its inbox.
        let inbox = get(&state, &b, "/api/v1/reconciliation/inbox").await;
        let items = inbox["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{inbox}");
        assert_eq!(items[0]["source_number"], "XS-002");
        let id = answer["ids"][1].as_str().unwrap();
        let trail = db::audit_trail(&state.db, "transaction", id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].action, "submit");
        assert_eq!(trail[0].enterprise_id.as_deref(), Some(a_id.as_str()));
        let chain = get(&state, &a, "/api/v1/chain/verify").await;
        assert_eq!(chain["ok"], true, "{chain}");

        // A retry replays; the same key for a drafts import of the same file is another request.
        let (status, headers, again) =
            send(&state, "POST", path, &a, Some("sub-1"), bytes.clone()).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(json_of(&again), answer);
        let (status, _, body) = send(
            &state,
            "POST",
            "/api/v1/transactions/import",
            &a,
            Some("sub-1"),
            bytes.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has_problem(
            &json_of(&body),
            "Idempotency-Key",
            "idempotency.key_reused"
        ));
        // Numbers already used are reported at their rows, and nothing more is written.
        let (status, _, body) = send(&state, "POST", path, &a, None, bytes).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert!(
            has_problem(&err, "documents[2].number", "number.taken"),
            "{err}"
        );
        assert!(
            has_problem(&err, "documents[3].number", "number.taken"),
            "{err}"
        );
        assert_eq!(documents(&state, &a).await.len(), 2);
        assert_eq!(held(&state, &a, &cream, "B001").await, 6);
    }
);

on_both_databases!(
    a_refused_submit_writes_nothing_and_names_each_document_row,
    |db| {
        use suyuan_core::model::*;
        let state = AppState::new(db.clone());
        let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let (b, _) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
        let cream = product_with_barcode(&state, &a).await;
        // Batch R1 of the product is recalled.
        let recall = Recall {
            id: RecallId::random(),
            initiator: RecallInitiator::Regulator {
                region_code: "620102".into(),
            },
            product_id: ProductId(uuid::Uuid::parse_str(&cream).unwrap()),
            product_name: "舒唯雅皮肤身体护肤霜".into(),
            batches: vec!["R1".into()],
            level: RecallLevel::Two,
            reason: "微生物超标".into(),
            start_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            deadline: None,
            completed_on: None,
            scope: "甘肃省".into(),
            status: RecallStatus::Active,
            progress: vec![],
        };
        sqlx::query(
            "INSERT INTO recalls (id, product_id, status, initiator_region_code, search, body, created_at, updated_at) \
             VALUES ($1, $2, 'active', '620102', '', $3, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
        )
        .bind(recall.id.to_string())
        .bind(&cream)
        .bind(serde_json::to_string(&recall).unwrap())
        .execute(&db.pool)
        .await
        .unwrap();
        // Row 3 of the lines sells more than the purchase brought in; row 5 sells the
        // recalled batch.
        let bytes = file(
            &[
                purchase("CG-001", T("2026-01-05")),
                sale_to_b("XS-002"),
                sale_to_b("XS-003"),
            ],
            &[
                line("CG-001", T(GTIN), 5.0, "B001"),
                line("XS-002", T(GTIN), 8.0, "B001"),
                line("CG-001", T(GTIN), 5.0, "R1"),
                line("XS-003", T(GTIN), 1.0, "R1"),
            ],
        );
        let path = "/api/v1/transactions/import?submit=true";
        let (status, _, body) =
            send_in(&state, "POST", path, &a, None, Some("en"), bytes.clone()).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            problems(&err),
            [
                (
                    "lines[3].quantity".to_owned(),
                    "stock.insufficient".to_owned()
                ),
                ("lines[5].batch".to_owned(), "sale.recalled".to_owned()),
            ],
            "{err}"
        );
        assert!(err.to_string().contains("Lines row 3"), "{err}");
        assert!(documents(&state, &a).await.is_empty(), "nothing written");
        assert_eq!(held(&state, &a, &cream, "B001").await, 0);
        let inbox = get(&state, &b, "/api/v1/reconciliation/inbox").await;
        assert_eq!(inbox["items"].as_array().unwrap().len(), 0);

        // An opening-balance note accepts the stock the records lack; the recall still holds.
        let noted = format!(
            "{path}&opening_override={}",
            urlencode("系统上线前的期初库存")
        );
        let (status, _, body) = send(&state, "POST", &noted, &a, None, bytes).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            problems(&err),
            [("lines[5].batch".to_owned(), "sale.recalled".to_owned())]
        );
        assert!(documents(&state, &a).await.is_empty(), "nothing written");

        // Without the recalled sale the file goes through with the note.
        let bytes = file(
            &[purchase("CG-001", T("2026-01-05")), sale_to_b("XS-002")],
            &[
                line("CG-001", T(GTIN), 5.0, "B001"),
                line("XS-002", T(GTIN), 8.0, "B001"),
            ],
        );
        let (status, _, body) = send(&state, "POST", &noted, &a, None, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
        assert_eq!(held(&state, &a, &cream, "B001").await, 0);
        assert_eq!(documents(&state, &a).await.len(), 2);
    }
);

on_both_databases!(dates_and_gtins_import_however_they_were_typed, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let cream = product_with_barcode(&state, &a).await;
    // 2026-01-05 as text, as an Excel serial number, as 2026/1/5 and as a date cell.
    let bytes = file(
        &[
            purchase("CG-001", T("2026-01-05")),
            purchase("CG-002", N(46027.0)),
            purchase("CG-003", T("2026/1/5")),
            purchase("CG-004", D(46027.0)),
        ],
        &[
            line("CG-001", T(GTIN), 1.0, "B1"),
            line("CG-002", N(12345678905.0), 1.0, "B1"),
            line("CG-003", T("00012345678905"), 1.0, "B1"),
            line("CG-004", T(REGISTRATION), 1.0, "B1"),
        ],
    );
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/transactions/import",
        &a,
        None,
        bytes,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
    let docs = documents(&state, &a).await;
    assert_eq!(docs.len(), 4);
    for d in &docs {
        assert_eq!(d["date"], "2026-01-05", "{d}");
        assert_eq!(d["status"]["state"], "draft");
        assert_eq!(d["lines"][0]["product_id"], cream.as_str());
    }
    for d in &docs[..3] {
        assert_eq!(d["lines"][0]["gtin"], "00012345678905", "{d}");
    }
    assert_eq!(docs[3]["lines"][0]["gtin"], Value::Null);
    // The drafts' feed rows follow the enterprise's counter without a gap, in file order, and
    // each draft has its audit row.
    let ids = json_of(&body)["ids"].clone();
    let feed =
        sqlx::query("SELECT seq, entity_id FROM change_feed WHERE enterprise_id = $1 ORDER BY seq")
            .bind(&a_id)
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
    let feed: Vec<(i64, String)> = feed
        .iter()
        .map(|r| (r.get::<i64, _>("seq"), r.get::<String, _>("entity_id")))
        .collect();
    let seqs: Vec<i64> = feed.iter().map(|f| f.0).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    let last: Vec<&str> = feed[feed.len() - 4..]
        .iter()
        .map(|f| f.1.as_str())
        .collect();
    let want: Vec<&str> = ids
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(last, want);
    for id in want {
        let trail = db::audit_trail(&state.db, "transaction", id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].action, "create");
        assert_eq!(trail[0].enterprise_id.as_deref(), Some(a_id.as_str()));
    }

    // A date that is none is named at its row.
    let bytes = file(
        &[purchase("CG-009", T("2026-02-30"))],
        &[line("CG-009", T(GTIN), 1.0, "B1")],
    );
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/transactions/import",
        &a,
        None,
        bytes,
    )
    .await;
    let err = json_of(&body);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        has_problem(&err, "documents[2].date", "excel.date"),
        "{err}"
    );
});
