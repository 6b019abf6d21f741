//! Files saved by LibreOffice import, on both databases, every written field checked. The
//! fixtures in `fixtures/office/` are our own templates filled by `scripts/make-office-fixtures`
//! and saved by LibreOffice Calc (its own XML: shared strings, date cells as styled serial
//! numbers, numbers where users typed numbers).

mod common;
#[path = "excel_support/mod.rs"]
mod excel_support;
#[path = "fixtures/mod.rs"]
mod fixtures;

use axum::http::StatusCode;
use common::call;
use excel_support::*;
use fixtures::*;
use serde_json::{Value, json};
use suyuan_server::AppState;

const PRODUCTS: &[u8] = include_bytes!("fixtures/office/products-libreoffice.xlsx");
const DOCUMENTS: &[u8] = include_bytes!("fixtures/office/transactions-libreoffice.xlsx");
const SUPPLIERS: &[u8] = include_bytes!("fixtures/office/suppliers-libreoffice.xlsx");

async fn get(state: &AppState, token: &str, path: &str) -> Value {
    let (status, body) = call(state, "GET", path, Some(token), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().unwrap().clone()
}

async fn import(state: &AppState, token: &str, path: &str, file: &[u8]) -> Value {
    let (status, _, body) = send(state, "POST", path, token, None, file.to_vec()).await;
    let answer = json_of(&body);
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

#[test]
fn the_fixtures_were_written_by_libreoffice() {
    for file in [PRODUCTS, DOCUMENTS, SUPPLIERS] {
        let app = part_xml(file, "docProps/app.xml");
        assert!(app.contains("LibreOffice"), "{app}");
    }
}

on_both_databases!(libreoffice_products_import_field_by_field, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let answer = import(&state, &a, "/api/v1/products/import", PRODUCTS).await;
    assert_eq!(answer["imported"], 3);
    let list = items(&get(&state, &a, "/api/v1/products?sort=created_at&order=asc").await);
    let got: Vec<Value> = list
        .iter()
        .map(|p| {
            let p = &p["product"];
            json!([
                p["generic_name"],
                p["brand"],
                p["registration_number"],
                p["registrant"],
                p["manufacturer"],
                p["specification"],
                p["shelf_life_months"],
                p["owner"]
            ])
        })
        .collect();
    let mut want = vec![
        json!([
            "舒唯雅皮肤身体护肤霜",
            "舒唯雅",
            "甘G妆网备字2022000123",
            "甘肃舒来纽化妆品有限责任公司",
            "甘肃舒来纽化妆品有限责任公司",
            "50g",
            36,
            a_id
        ]),
        json!([
            "玫瑰保湿面霜",
            "",
            "国妆特字G20210001",
            "上海玫瑰日化有限公司",
            "上海玫瑰日化有限公司",
            "30ml",
            24,
            a_id
        ]),
        json!([
            "清透防晒乳 SPF50",
            "Sunny 阳光",
            "国妆特字G20190372",
            "广州清透化妆品有限公司",
            "广州清透化妆品有限公司",
            "60ml",
            18,
            a_id
        ]),
    ];
    // Rows of one import share a creation instant, so compare as sets.
    let key = |v: &Value| v[0].as_str().unwrap().to_owned();
    let mut got = got;
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got, want);
});

/// A's product (by registration number) with the barcode 0012345678905.
async fn catalog(state: &AppState, token: &str) -> String {
    let id = create_product(state, token, product("舒唯雅皮肤身体护肤霜")).await;
    let (status, body) = call(
        state,
        "POST",
        "/api/v1/barcodes",
        Some(token),
        None,
        Some(json!({
            "product_id": id, "gtin": "0012345678905", "specification": "50g",
            "package_specification": "1支", "level": "unit", "contains_quantity": 1
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

on_both_databases!(libreoffice_documents_import_field_by_field, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (_, b_id) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
    let cream = catalog(&state, &a).await;
    let answer = import(&state, &a, "/api/v1/transactions/import", DOCUMENTS).await;
    assert_eq!(answer["imported"], 4);
    let docs = items(&get(&state, &a, "/api/v1/transactions?sort=number&order=asc").await);
    let header = |d: &Value| {
        json!([
            d["number"],
            d["kind"],
            d["date"],
            d["counterparty"]["name"],
            d["counterparty"]["uscc"],
            d["counterparty"]["enterprise_id"],
            d["contact"],
            d["phone"],
            d["remarks"],
            d["status"]["state"]
        ])
    };
    let got: Vec<Value> = docs.iter().map(header).collect();
    let fz = "福州海峡化妆品有限公司";
    assert_eq!(
        got,
        [
            // Date typed as text 2026-01-05.
            json!([
                "CG-001",
                "purchase_inbound",
                "2026-01-05",
                fz,
                USCC_B,
                b_id,
                "张三",
                "0931-7617990",
                "首批进货",
                "draft"
            ]),
            // A date cell; a phone typed as a number; a boolean cell.
            json!([
                "CG-002",
                "purchase_inbound",
                "2026-01-05",
                fz,
                USCC_B,
                b_id,
                "李四",
                "13912345678",
                "true",
                "draft"
            ]),
            // Text 2026/1/5; the kind in Chinese only; empty optional cells.
            json!([
                "CG-003",
                "purchase_inbound",
                "2026-01-05",
                fz,
                USCC_B,
                b_id,
                "",
                "",
                "",
                "draft"
            ]),
            // A bare serial number 46027.
            json!([
                "XS-004",
                "sales_outbound",
                "2026-01-05",
                fz,
                USCC_B,
                b_id,
                "王五",
                "",
                "退回多余",
                "draft"
            ]),
        ]
    );
    let line = |l: &Value| {
        json!([
            l["product_id"],
            l["product_name"],
            l["gtin"],
            l["quantity"],
            l["unit"],
            l["batch"],
            l["production_date"],
            l["expiry_date"]
        ])
    };
    let lines: Vec<Vec<Value>> = docs
        .iter()
        .map(|d| d["lines"].as_array().unwrap().iter().map(line).collect())
        .collect();
    let name = "舒唯雅皮肤身体护肤霜";
    let gtin = "00012345678905";
    assert_eq!(
        lines,
        [
            vec![
                // GTIN as text with its zeros; a production-date cell, an expiry as text.
                json!([
                    cream,
                    name,
                    gtin,
                    10,
                    "支",
                    "B001",
                    "2025-12-01",
                    "2028-11-30"
                ]),
                // Registration number; quantity typed as text; a batch with a leading zero.
                json!([cream, name, null, 5, "瓶", "0123", null, null]),
            ],
            // GTIN typed as a number (zeros lost); dates as text 2025/12/1 and serial 47087.
            vec![json!([
                cream,
                name,
                gtin,
                3,
                "支",
                "B002",
                "2025-12-01",
                "2028-11-30"
            ])],
            vec![json!([cream, name, null, 2, "盒", "B003", null, null])],
            vec![json!([cream, name, gtin, 4, "支", "B001", null, null])],
        ]
    );
});

on_both_databases!(libreoffice_documents_import_and_submit, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (b, _) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
    let cream = catalog(&state, &a).await;
    let answer = import(
        &state,
        &a,
        "/api/v1/transactions/import?submit=true",
        DOCUMENTS,
    )
    .await;
    assert_eq!(answer["imported"], 4);
    let stock = items(&get(&state, &a, &format!("/api/v1/stock?product_id={cream}")).await);
    let mut held: Vec<(String, i64)> = stock
        .iter()
        .map(|s| {
            (
                s["batch"].as_str().unwrap().to_owned(),
                s["held"].as_i64().unwrap(),
            )
        })
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            ("0123".to_owned(), 5),
            ("B001".to_owned(), 6),
            ("B002".to_owned(), 3),
            ("B003".to_owned(), 2)
        ]
    );
    // B, the registered counterparty, has the four documents in its inbox.
    let inbox = items(&get(&state, &b, "/api/v1/reconciliation/inbox?per_page=100").await);
    assert_eq!(inbox.len(), 4);
});

on_both_databases!(libreoffice_suppliers_import_field_by_field, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (_, b_id) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
    let answer = import(&state, &a, "/api/v1/suppliers/import", SUPPLIERS).await;
    assert_eq!(answer["imported"], 2);
    let list = items(&get(&state, &a, "/api/v1/suppliers?sort=uscc&order=asc").await);
    let got: Vec<Value> = list
        .iter()
        .map(|p| {
            let mut p = p["partner"].clone();
            let o = p.as_object_mut().unwrap();
            o.remove("id");
            p
        })
        .collect();
    assert_eq!(
        got,
        [
            json!({
                "owner": a_id, "role": "supplier", "kind": "registrant_manufacturer",
                "state": "disabled", "name": "北京燕京日化有限公司", "uscc": "91110000600037341L",
                "contact": "钱七", "phone": "010-12345678", "region_code": "110105",
                "address": "北京市朝阳区建国路1号", "legal_representative": "孙八",
                "licence": null, "quality_agreement": null, "authorised_person": null,
                "remittance_account": "", "attachments": [], "enterprise_id": null,
                "status": {"state": "draft"}
            }),
            json!({
                "owner": a_id, "role": "supplier", "kind": "wholesaler", "state": "normal",
                "name": "福州海峡化妆品有限公司", "uscc": USCC_B, "contact": "李四",
                // Typed as numbers in the spreadsheet.
                "phone": "13912345678", "region_code": "350102",
                "address": "福建省福州市鼓楼区五四路100号", "legal_representative": "王五",
                // A date cell and text 2029/5/31.
                "licence": {"number": "闽妆20160001", "valid_from": "2024-06-01", "valid_to": "2029-05-31"},
                // A bare serial number and a date cell.
                "quality_agreement": {"from": "2026-01-01", "to": "2028-12-31"},
                "authorised_person": {"name": "赵六", "phone": "0591-87654321",
                    "id_number": "11010519491231002X", "scope": "化妆品采购与销售"},
                "remittance_account": "6222020200112233445", "attachments": [],
                "enterprise_id": b_id, "status": {"state": "draft"}
            }),
        ]
    );
});
