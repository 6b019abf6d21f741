//! Suppliers and customers from and to Excel through the router, on both databases: the
//! template, the all-or-nothing import (linking registered enterprises by USCC) and the
//! filtered export.

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

const SUPPLIER_HEADERS: [&str; 19] = [
    "供应商类型 Supplier type *",
    "状态 Status",
    "供应商名称 Supplier name *",
    "统一社会信用代码 Unified social credit code *",
    "联系人 Contact *",
    "联系电话 Phone",
    "所属地区代码 Region code",
    "住所 Address",
    "法定代表人 Legal representative *",
    "许可证号 Licence number",
    "许可证有效期起 Licence valid from",
    "许可证有效期止 Licence valid to",
    "汇款账号 Remittance account",
    "质量协议有效期起 Quality agreement valid from",
    "质量协议有效期止 Quality agreement valid to",
    "法定授权人姓名 Authorised person's name",
    "法定授权人联系电话 Authorised person's phone",
    "法定授权人身份证号 Authorised person's ID number",
    "授权范围 Scope of authorisation",
];

/// A third valid USCC, of no registered enterprise.
const USCC_C: &str = "91110000600037341L";

fn supplier_row(name: &'static str, uscc: &'static str) -> Vec<Cell> {
    vec![
        T("批发企业 Wholesaler"),
        T("正常 Normal"),
        T(name),
        T(uscc),
        T("李四"),
        T("0591-87654321"),
        N(350102.0),
        T("福建省福州市鼓楼区五四路100号"),
        T("王五"),
        T("闽妆20160001"),
        T("2024-06-01"),
        T("2029/5/31"),
        T("6222020200112233445"),
        T("2026-01-01"),
        N(47118.0),
        T("赵六"),
        T("13912345678"),
        T("11010519491231002X"),
        T("化妆品采购与销售"),
    ]
}

fn customer_headers() -> Vec<&'static str> {
    let mut h = SUPPLIER_HEADERS[..13].to_vec();
    h[0] = "销售客户类型 Customer type *";
    h[2] = "客户名称 Customer name *";
    h
}

async fn partners(state: &AppState, token: &str, route: &str) -> Vec<Value> {
    let (status, page) = call(
        state,
        "GET",
        &format!("/api/v1/{route}?sort=name&order=asc&per_page=100"),
        Some(token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["partner"].clone())
        .collect()
}

on_both_databases!(
    supplier_and_customer_templates_carry_every_form_field,
    |db| {
        let state = AppState::new(db);
        let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let (status, headers, bytes) = send(
            &state,
            "GET",
            "/api/v1/suppliers/template.xlsx",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"suppliers-template.xlsx\""
        );
        let book = sheets(&bytes);
        assert_eq!(book[0].0, "供应商 Suppliers");
        assert_eq!(book[0].1[0], SUPPLIER_HEADERS.map(String::from).to_vec());
        assert_eq!(book[0].1.len(), 2, "header and one example row");
        assert_eq!(book[1].0, "说明 Instructions");
        let text = book[1].1.concat().join("\n");
        assert!(text.contains("供应商导入说明"), "{text}");
        assert!(text.contains("How to import suppliers"), "{text}");
        // The type and the status are drop-down lists.
        let xml = part_xml(&bytes, "xl/worksheets/sheet1.xml");
        assert_eq!(xml.matches("<dataValidation ").count(), 2, "{xml}");
        assert!(xml.contains("type=\"list\""), "{xml}");
        assert!(xml.contains("批发企业 Wholesaler") && xml.contains("停用 Disabled"));

        // The unchanged template imports its example.
        let (status, _, body) =
            send(&state, "POST", "/api/v1/suppliers/import", &a, None, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
        assert_eq!(partners(&state, &a, "suppliers").await.len(), 1);

        let (status, _, bytes) = send(
            &state,
            "GET",
            "/api/v1/customers/template.xlsx",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let book = sheets(&bytes);
        assert_eq!(book[0].0, "销售客户 Customers");
        assert_eq!(book[0].1[0], customer_headers());
        let (status, _, body) =
            send(&state, "POST", "/api/v1/customers/import", &a, None, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
        assert_eq!(partners(&state, &a, "customers").await.len(), 1);
        assert_eq!(partners(&state, &a, "suppliers").await.len(), 1);
    }
);

on_both_databases!(
    imported_suppliers_keep_every_field_and_link_registered_enterprises,
    |db| {
        let state = AppState::new(db);
        let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let (b, b_id) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
        let mut disabled = supplier_row("北京燕京日化有限公司", USCC_C);
        disabled[0] = T("注册人/备案人/生产企业");
        disabled[1] = T("停用");
        for c in &mut disabled[9..] {
            *c = T("");
        }
        let file = workbook(
            "供应商 Suppliers",
            &SUPPLIER_HEADERS,
            &[supplier_row("福州海峡化妆品有限公司", USCC_B), disabled],
        );
        let (status, _, body) = send(
            &state,
            "POST",
            "/api/v1/suppliers/import",
            &a,
            Some("sup-1"),
            file.clone(),
        )
        .await;
        let answer = json_of(&body);
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["imported"], 2);
        let list = partners(&state, &a, "suppliers").await;
        assert_eq!(list.len(), 2);
        let (beijing, fuzhou) = (&list[0], &list[1]);
        assert_eq!(fuzhou["name"], "福州海峡化妆品有限公司");
        assert_eq!(fuzhou["role"], "supplier");
        assert_eq!(fuzhou["kind"], "wholesaler");
        assert_eq!(fuzhou["state"], "normal");
        assert_eq!(fuzhou["uscc"], USCC_B);
        assert_eq!(fuzhou["region_code"], "350102");
        assert_eq!(fuzhou["legal_representative"], "王五");
        assert_eq!(fuzhou["licence"]["number"], "闽妆20160001");
        assert_eq!(fuzhou["licence"]["valid_from"], "2024-06-01");
        assert_eq!(fuzhou["licence"]["valid_to"], "2029-05-31");
        assert_eq!(fuzhou["remittance_account"], "6222020200112233445");
        assert_eq!(fuzhou["quality_agreement"]["from"], "2026-01-01");
        assert_eq!(fuzhou["quality_agreement"]["to"], "2028-12-31");
        assert_eq!(
            fuzhou["authorised_person"]["id_number"],
            "11010519491231002X"
        );
        assert_eq!(fuzhou["status"]["state"], "draft");
        // The supplier that is a registered enterprise is linked to it; the other is not.
        assert_eq!(fuzhou["enterprise_id"], b_id.as_str());
        assert_eq!(beijing["enterprise_id"], Value::Null);
        assert_eq!(beijing["kind"], "registrant_manufacturer");
        assert_eq!(beijing["state"], "disabled");
        assert_eq!(beijing["licence"], Value::Null);
        assert_eq!(beijing["authorised_person"], Value::Null);
        let id = fuzhou["id"].as_str().unwrap();
        let trail = db::audit_trail(&state.db, "partner", id).await.unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].action, "create");
        assert_eq!(trail[0].enterprise_id.as_deref(), Some(a_id.as_str()));

        // A retry with the key writes nothing more; read-only staff may not import.
        let (status, headers, _) = send(
            &state,
            "POST",
            "/api/v1/suppliers/import",
            &a,
            Some("sup-1"),
            file.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(partners(&state, &a, "suppliers").await.len(), 2);
        let viewer = read_only_token(&state, &a_id).await;
        let (status, _, _) = send(
            &state,
            "POST",
            "/api/v1/suppliers/import",
            &viewer,
            None,
            file,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The export follows the list's filters, and imports into another enterprise.
        let (status, _, only) = send(
            &state,
            "GET",
            "/api/v1/suppliers/export.xlsx?state=disabled",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let rows = &sheets(&only)[0].1;
        assert_eq!(rows.len(), 2, "header and the disabled one");
        assert_eq!(rows[1][2], "北京燕京日化有限公司");
        assert_eq!(rows[1][1], "停用 Disabled");
        let path = format!("/api/v1/suppliers/export.xlsx?q={}", urlencode("福州"));
        let (_, _, one) = send(&state, "GET", &path, &a, None, vec![]).await;
        assert_eq!(sheets(&one)[0].1.len(), 2);
        let (_, _, none) = send(
            &state,
            "GET",
            "/api/v1/suppliers/export.xlsx?region_code=62",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(sheets(&none)[0].1.len(), 1, "header only");
        let (status, _, _) = send(
            &state,
            "GET",
            "/api/v1/suppliers/export.xlsx?state=gone",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, _, all) = send(
            &state,
            "GET",
            "/api/v1/suppliers/export.xlsx?sort=name",
            &a,
            None,
            vec![],
        )
        .await;
        let rows = &sheets(&all)[0].1;
        assert_eq!(rows[2][14], "2028-12-31");
        assert_eq!(rows[2][13], "2026-01-01");
        // B keeps none of A's; imported into B, B's own USCC is no link to another enterprise.
        assert!(partners(&state, &b, "suppliers").await.is_empty());
        let (status, _, body) =
            send(&state, "POST", "/api/v1/suppliers/import", &b, None, all).await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
        let theirs = partners(&state, &b, "suppliers").await;
        assert_eq!(theirs.len(), 2);
        assert_eq!(theirs[1]["authorised_person"]["name"], "赵六");
        assert!(partners(&state, &b, "customers").await.is_empty());
    }
);

on_both_databases!(
    bad_partner_rows_write_nothing_and_are_reported_in_the_callers_language,
    |db| {
        let state = AppState::new(db);
        let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let mut no_name = supplier_row("", USCC_C);
        no_name[0] = T("进货商");
        let mut bad_dates = supplier_row("北京燕京日化有限公司", "91350100M000100Y44");
        bad_dates[10] = T("明年");
        bad_dates[14] = T("");
        let twice = supplier_row("福州海峡化妆品有限公司", USCC_B);
        let file = workbook(
            "供应商 Suppliers",
            &SUPPLIER_HEADERS,
            &[
                supplier_row("福州海峡化妆品有限公司", USCC_B),
                no_name,
                bad_dates,
                twice,
            ],
        );
        let (status, _, body) = send_in(
            &state,
            "POST",
            "/api/v1/suppliers/import",
            &a,
            None,
            Some("en"),
            file,
        )
        .await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        let mut found = problems(&err);
        found.sort();
        let expected = [
            ("rows[3].kind", "excel.choice"),
            ("rows[3].name", "required"),
            ("rows[4].licence.valid_from", "excel.date"),
            ("rows[4].quality_agreement.to", "required"),
            ("rows[4].uscc", "uscc.checksum"),
            ("rows[5].uscc", "excel.duplicate"),
        ];
        assert_eq!(
            found,
            expected
                .iter()
                .map(|(f, r)| (f.to_string(), r.to_string()))
                .collect::<Vec<_>>(),
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("Row 5") && !text.contains("第 5 行"), "{err}");
        assert!(partners(&state, &a, "suppliers").await.is_empty());

        // A USCC already kept is refused at its row, in Chinese by default.
        let one = workbook(
            "供应商 Suppliers",
            &SUPPLIER_HEADERS,
            &[supplier_row("福州海峡化妆品有限公司", USCC_B)],
        );
        let (status, _, _) = send(
            &state,
            "POST",
            "/api/v1/suppliers/import",
            &a,
            None,
            one.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let again = workbook(
            "供应商 Suppliers",
            &SUPPLIER_HEADERS,
            &[
                supplier_row("北京燕京日化有限公司", USCC_C),
                supplier_row("福州海峡化妆品有限公司", USCC_B),
            ],
        );
        let (status, _, body) =
            send(&state, "POST", "/api/v1/suppliers/import", &a, None, again).await;
        let err = json_of(&body);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            problems(&err),
            [("rows[3].uscc".to_owned(), "uscc.taken".to_owned())]
        );
        assert!(err.to_string().contains("第 3 行"), "{err}");
        assert_eq!(partners(&state, &a, "suppliers").await.len(), 1);
        // The same USCC as a customer is another record.
        let customer = workbook(
            "销售客户 Customers",
            &customer_headers(),
            &[supplier_row("福州海峡化妆品有限公司", USCC_B)[..13].to_vec()],
        );
        let (status, _, body) = send(
            &state,
            "POST",
            "/api/v1/customers/import",
            &a,
            None,
            customer,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
    }
);

on_both_databases!(an_expired_licence_is_refused_unless_acknowledged, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let mut expired = supplier_row("福州海峡化妆品有限公司", USCC_B);
    expired[10] = T("2018-01-01");
    expired[11] = T("2020-12-31");
    let file = workbook("供应商 Suppliers", &SUPPLIER_HEADERS, &[expired]);
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/suppliers/import",
        &a,
        None,
        file.clone(),
    )
    .await;
    let err = json_of(&body);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(
        problems(&err),
        [(
            "rows[2].licence.valid_to".to_owned(),
            "licence.expired".to_owned()
        )]
    );
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/suppliers/import?acknowledge=licence.expired",
        &a,
        None,
        file,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
    let list = partners(&state, &a, "suppliers").await;
    assert_eq!(list[0]["licence"]["valid_to"], "2020-12-31");
});
