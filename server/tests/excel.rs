//! Excel templates, imports and exports through the router, on both databases. The filled
//! files are built here the way a user fills the template: typed text and numbers under the
//! template's headers.

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
use suyuan_server::{AppState, db};

const PRODUCT_HEADERS: [&str; 7] = [
    "化妆品通用名称 Generic name *",
    "品牌 Brand",
    "注册证号/备案号 Registration or filing number *",
    "注册人/备案人 Registrant or filer *",
    "生产企业 Manufacturer *",
    "规格 Specification *",
    "保质期（月） Shelf life (months)",
];

fn product_row(name: &'static str) -> Vec<Cell> {
    vec![
        T(name),
        T("舒唯雅"),
        T("甘G妆网备字2022000123"),
        T("甘肃舒来纽化妆品有限责任公司"),
        T("甘肃舒来纽化妆品有限责任公司"),
        T("50g"),
        N(36.0),
    ]
}

async fn product_names(state: &AppState, token: &str) -> Vec<String> {
    let (status, page) = call(
        state,
        "GET",
        "/api/v1/products?sort=generic_name&per_page=100",
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
        .map(|p| p["product"]["generic_name"].as_str().unwrap().to_owned())
        .collect()
}

on_both_databases!(
    product_template_downloads_with_headers_and_instructions,
    |db| {
        let state = AppState::new(db);
        let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let (status, headers, bytes) = send(
            &state,
            "GET",
            "/api/v1/products/template.xlsx",
            &a,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let sheets = sheets(&bytes);
        assert_eq!(sheets[0].0, "产品 Products");
        assert_eq!(sheets[0].1[0], PRODUCT_HEADERS.map(String::from).to_vec());
        assert_eq!(sheets[0].1.len(), 2, "header and one example row");
        let (name, lines) = &sheets[1];
        assert_eq!(name, "说明 Instructions");
        let text = lines.concat().join("\n");
        assert!(text.contains("必填") && text.contains("required"), "{text}");

        // The unchanged template imports its example: the example is itself valid.
        let (status, _, body) =
            send(&state, "POST", "/api/v1/products/import", &a, None, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
        assert_eq!(product_names(&state, &a).await, ["舒唯雅皮肤身体护肤霜"]);

        let (status, _, _) = send(
            &state,
            "GET",
            "/api/v1/products/template.xlsx",
            "not-a-token",
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

on_both_databases!(filled_product_file_imports_in_one_go_with_audit, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (b, _) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
    let file = workbook(
        "产品 Products",
        &PRODUCT_HEADERS,
        &[product_row("玫瑰保湿面霜"), product_row("清透防晒乳")],
    );
    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/products/import",
        &a,
        None,
        file.clone(),
    )
    .await;
    let answer = json_of(&body);
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["imported"], 2);
    assert_eq!(
        product_names(&state, &a).await,
        ["清透防晒乳", "玫瑰保湿面霜"]
    );
    let id = answer["ids"][0].as_str().unwrap();
    let (_, one) = call(
        &state,
        "GET",
        &format!("/api/v1/products/{id}"),
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(one["product"]["owner"], a_id.as_str());
    assert_eq!(one["product"]["shelf_life_months"], 36);
    let trail = db::audit_trail(&state.db, "product", id).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "create");
    assert_eq!(trail[0].enterprise_id.as_deref(), Some(a_id.as_str()));

    // Another enterprise's import writes only its own products; read-only staff may not import.
    assert!(product_names(&state, &b).await.is_empty());
    let viewer = read_only_token(&state, &a_id).await;
    let (status, _, _) = send(
        &state,
        "POST",
        "/api/v1/products/import",
        &viewer,
        None,
        file,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // B's export (its own products by default) does not show A's.
    let (status, _, bytes) = send(
        &state,
        "GET",
        "/api/v1/products/export.xlsx",
        &b,
        None,
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sheets(&bytes)[0].1.len(), 1, "header only");

    let (status, _, body) = send(
        &state,
        "POST",
        "/api/v1/products/import",
        &a,
        None,
        b"not a workbook".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_problem(&json_of(&body), "file", "excel.unreadable"));
});

on_both_databases!(two_bad_rows_write_nothing_and_are_both_reported, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let mut no_name = product_row("");
    no_name[0] = T("");
    let mut bad = product_row("清透防晒乳");
    bad[4] = T("");
    bad[6] = T("三年");
    let file = workbook(
        "产品 Products",
        &PRODUCT_HEADERS,
        &[
            product_row("玫瑰保湿面霜"),
            no_name,
            bad,
            product_row("柔肤水"),
        ],
    );
    let (status, _, body) = send(&state, "POST", "/api/v1/products/import", &a, None, file).await;
    let err = json_of(&body);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        has_problem(&err, "rows[3].generic_name", "required"),
        "{err}"
    );
    assert!(
        has_problem(&err, "rows[4].manufacturer", "required"),
        "{err}"
    );
    assert!(
        has_problem(&err, "rows[4].shelf_life_months", "excel.whole_number"),
        "{err}"
    );
    assert_eq!(problems(&err).len(), 3, "{err}");
    assert!(err.to_string().contains("第 4 行"), "{err}");
    assert!(
        product_names(&state, &a).await.is_empty(),
        "nothing written"
    );

    // A sheet without a required column is refused as a whole.
    let file = workbook("产品 Products", &PRODUCT_HEADERS[..5], &[]);
    let (status, _, body) = send(&state, "POST", "/api/v1/products/import", &a, None, file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_problem(&json_of(&body), "file", "excel.column_missing"));
});

on_both_databases!(product_export_follows_filters_and_imports_elsewhere, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (b, _) = register(&state, USCC_B, "福州海峡化妆品有限公司").await;
    let file = workbook(
        "产品 Products",
        &PRODUCT_HEADERS,
        &[product_row("玫瑰保湿面霜"), product_row("清透防晒乳")],
    );
    let (status, _, _) = send(&state, "POST", "/api/v1/products/import", &a, None, file).await;
    assert_eq!(status, StatusCode::CREATED);

    let path = format!("/api/v1/products/export.xlsx?q={}", urlencode("防晒"));
    let (status, _, filtered) = send(&state, "GET", &path, &a, None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let rows = &sheets(&filtered)[0].1;
    assert_eq!(rows.len(), 2, "header and the one match");
    assert_eq!(rows[1][0], "清透防晒乳");
    assert_eq!(rows[1][6], "36");

    let (_, _, all) = send(
        &state,
        "GET",
        "/api/v1/products/export.xlsx",
        &a,
        None,
        vec![],
    )
    .await;
    assert_eq!(sheets(&all)[0].1.len(), 3);
    let (status, _, body) = send(&state, "POST", "/api/v1/products/import", &b, None, all).await;
    assert_eq!(status, StatusCode::CREATED, "{}", json_of(&body));
    assert_eq!(
        product_names(&state, &b).await,
        ["清透防晒乳", "玫瑰保湿面霜"]
    );
    assert_eq!(product_names(&state, &a).await.len(), 2, "A's untouched");
});

on_both_databases!(retried_product_import_with_same_key_changes_nothing, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let file = workbook(
        "产品 Products",
        &PRODUCT_HEADERS,
        &[product_row("玫瑰保湿面霜")],
    );
    let import = |key: &'static str, file: Vec<u8>| {
        let state = state.clone();
        let a = a.clone();
        async move {
            send(
                &state,
                "POST",
                "/api/v1/products/import",
                &a,
                Some(key),
                file,
            )
            .await
        }
    };
    let (status, _, first) = import("import-1", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, headers, again) = import("import-1", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(json_of(&first), json_of(&again));
    assert_eq!(product_names(&state, &a).await.len(), 1);

    let other = workbook("产品 Products", &PRODUCT_HEADERS, &[product_row("柔肤水")]);
    let (status, _, body) = import("import-1", other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_problem(
        &json_of(&body),
        "Idempotency-Key",
        "idempotency.key_reused"
    ));
    assert_eq!(product_names(&state, &a).await.len(), 1);
});
