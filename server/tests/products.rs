//! Enterprise profile and the product library through the router, on both databases.

mod common;
#[path = "fixtures/mod.rs"]
mod fixtures;

use axum::http::StatusCode;
use common::call;
use fixtures::*;
use serde_json::json;
use suyuan_server::{AppState, db};

on_both_databases!(profile_is_read_by_staff_and_edited_by_its_admin, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
    let (status, profile) = call(&state, "GET", "/api/v1/profile", Some(&a), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["uscc"], USCC_A);

    let mut edited = profile.clone();
    edited["address"] = json!("甘肃省兰州市城关区庆阳路2号");
    edited["phone"] = json!("0931-7617991");
    let (status, saved) = call(
        &state,
        "PUT",
        "/api/v1/profile",
        Some(&a),
        None,
        Some(edited.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["address"], "甘肃省兰州市城关区庆阳路2号");
    let (_, again) = call(&state, "GET", "/api/v1/profile", Some(&a), None, None).await;
    assert_eq!(again["phone"], "0931-7617991");
    let trail = db::audit_trail(&state.db, "enterprise", &a_id)
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "update");
    assert_eq!(trail[0].enterprise_id.as_deref(), Some(a_id.as_str()));
    assert!(trail[0].account_id.is_some(), "who wrote is logged");
    assert!(trail[0].before.as_deref().unwrap().contains("庆阳路1号"));
    assert!(trail[0].after.as_deref().unwrap().contains("庆阳路2号"));

    let mut moved = edited.clone();
    moved["uscc"] = json!(USCC_B);
    moved["phone"] = json!("12");
    let (status, err) = call(
        &state,
        "PUT",
        "/api/v1/profile",
        Some(&a),
        None,
        Some(moved),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(has_problem(&err, "uscc", "uscc.immutable"), "{err}");
    assert!(has_problem(&err, "phone", "phone.format"), "{err}");

    let viewer = read_only_token(&state, &a_id).await;
    let (status, _) = call(&state, "GET", "/api/v1/profile", Some(&viewer), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &state,
        "PUT",
        "/api/v1/profile",
        Some(&viewer),
        None,
        Some(edited),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&state, "GET", "/api/v1/profile", None, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_databases!(product_crud_with_derived_status_and_audit, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let mut body = product("舒唯雅皮肤身体护肤霜");
    body["id"] = json!("00000000-0000-0000-0000-000000000001");
    body["owner"] = json!("00000000-0000-0000-0000-000000000002");
    let (status, created) = call(
        &state,
        "POST",
        "/api/v1/products",
        Some(&a),
        None,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["product"]["id"].as_str().unwrap().to_owned();
    assert_ne!(
        id, "00000000-0000-0000-0000-000000000001",
        "the service assigns the id"
    );
    assert_eq!(created["product"]["owner"], a_id.as_str(), "and the owner");
    assert_eq!(created["status"], "valid");

    let path = format!("/api/v1/products/{id}");
    let mut edited = product("舒唯雅皮肤身体护肤霜");
    edited["specification"] = json!("100g");
    let (status, updated) = call(&state, "PUT", &path, Some(&a), None, Some(edited)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["product"]["specification"], "100g");
    let (status, got) = call(&state, "GET", &path, Some(&a), None, None).await;
    assert_eq!(
        (status, &got["product"]["specification"]),
        (StatusCode::OK, &json!("100g"))
    );

    // A recall in force makes the product recalled; nobody types the status.
    let recall = json!({
        "id": uuid::Uuid::new_v4(), "initiator": {"by": "regulator", "region_code": "620000"},
        "product_id": id, "product_name": "舒唯雅皮肤身体护肤霜", "batches": ["B1"],
        "level": "two", "reason": "微生物超标", "start_date": "2026-03-01", "deadline": null,
        "completed_on": null, "scope": "甘肃省", "status": "active", "progress": []
    });
    sqlx::query(
        "INSERT INTO recalls (id, product_id, status, initiator_region_code, search, body, created_at, updated_at) \
         VALUES ($1, $2, 'active', '620000', '', $3, 'x', 'x')",
    )
    .bind(recall["id"].as_str().unwrap())
    .bind(&id)
    .bind(recall.to_string())
    .execute(&state.db.pool)
    .await
    .unwrap();
    let (_, got) = call(&state, "GET", &path, Some(&a), None, None).await;
    assert_eq!(got["status"], "recalled");
    let (status, refused) = call(&state, "DELETE", &path, Some(&a), None, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        has_problem(&refused, "id", "referenced.recall"),
        "{refused}"
    );
    sqlx::query("DELETE FROM recalls")
        .execute(&state.db.pool)
        .await
        .unwrap();

    // So does a submitted document line naming it.
    let doc = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO transactions (id, enterprise_id, kind, number, doc_date, status, counterparty_name, search, body, created_at, updated_at) \
         VALUES ($1, $2, 'finished_goods_inbound', 'RK-001', '2026-03-01', 'submitted', '', '', '{}', 'x', 'x')",
    )
    .bind(&doc)
    .bind(&a_id)
    .execute(&state.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO transaction_lines (transaction_id, line_no, enterprise_id, kind, doc_date, product_id, batch, quantity, unit, counterparty_name) \
         VALUES ($1, 1, $2, 'finished_goods_inbound', '2026-03-01', $3, 'B1', 10, '支', '')",
    )
    .bind(&doc)
    .bind(&a_id)
    .bind(&id)
    .execute(&state.db.pool)
    .await
    .unwrap();
    let (status, refused) = call(&state, "DELETE", &path, Some(&a), None, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        has_problem(&refused, "id", "referenced.transaction"),
        "{refused}"
    );
    assert_eq!(
        refused["errors"][0]["message"],
        "该记录已被已提交的单据引用，不能删除"
    );
    sqlx::query("DELETE FROM transaction_lines")
        .execute(&state.db.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM transactions")
        .execute(&state.db.pool)
        .await
        .unwrap();

    let (status, _) = call(&state, "DELETE", &path, Some(&a), None, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&state, "GET", &path, Some(&a), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = db::audit_trail(&state.db, "product", &id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["create", "update", "delete"]);
});

on_both_databases!(
    product_validation_names_every_field_in_both_languages,
    |db| {
        let state = AppState::new(db);
        let (a, _) = register(&state, USCC_A, "兰州美源化妆品批发有限公司").await;
        let bad = json!({"generic_name": "", "registration_number": "甘妆2022000123", "shelf_life_months": 0});
        let (status, zh) = call(
            &state,
            "POST",
            "/api/v1/products",
            Some(&a),
            None,
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for (field, rule) in [
            ("generic_name", "required"),
            ("registration_number", "registration.format"),
            ("registrant", "required"),
            ("manufacturer", "required"),
            ("specification", "required"),
            ("shelf_life_months", "shelf_life.positive"),
        ] {
            assert!(has_problem(&zh, field, rule), "{field} {rule} in {zh}");
        }
        assert_eq!(zh["errors"][0]["message"], "化妆品通用名称为必填项");
        let (_, en) = call(
            &state,
            "POST",
            "/api/v1/products",
            Some(&a),
            Some("en"),
            Some(bad),
        )
        .await;
        assert_eq!(en["errors"][0]["message"], "Generic name is required");
        let (status, err) = call(
            &state,
            "POST",
            "/api/v1/products",
            Some(&a),
            None,
            Some(json!({"shelf_life_months": "three"})),
        )
        .await;
        assert_eq!(
            (status, err["errors"][0]["rule"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("body.json"))
        );
        let (_, page) = call(&state, "GET", "/api/v1/products", Some(&a), None, None).await;
        assert_eq!(page["total"], 0, "nothing half-written");
    }
);

on_both_databases!(keyword_search_filters_sorting_and_pages, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let (b, _) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
    create_product(&state, &a, product("舒唯雅皮肤身体护肤霜")).await;
    let mut lotion = product("玉兰油多效修护霜");
    lotion["brand"] = json!("OLAY");
    lotion["registration_number"] = json!("国妆特字G20190372");
    create_product(&state, &a, lotion).await;
    for i in 0..5 {
        create_product(&state, &a, product(&format!("测试洗发水{i}"))).await;
    }
    create_product(&state, &b, product("B 的护肤乳")).await;

    // The seed's example: typing 肤 finds 舒唯雅皮肤身体护肤霜.
    let (status, found) = call(
        &state,
        "GET",
        "/api/v1/products?q=%E8%82%A4",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(
        found["items"][0]["product"]["generic_name"],
        "舒唯雅皮肤身体护肤霜"
    );
    let (_, all) = call(
        &state,
        "GET",
        "/api/v1/products?q=%E8%82%A4&owner=all",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(all["total"], 2, "owner=all reads the shared library");
    let (_, olay) = call(
        &state,
        "GET",
        "/api/v1/products?q=olay",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        olay["items"][0]["product"]["brand"], "OLAY",
        "case-insensitive"
    );
    let (_, by_number) = call(
        &state,
        "GET",
        "/api/v1/products?registration_number=%E5%9B%BD%E5%A6%86%E7%89%B9%E5%AD%97G20190372",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(by_number["total"], 1);
    let (_, literal) = call(
        &state,
        "GET",
        "/api/v1/products?q=%25",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(literal["total"], 0, "% is a character, not a wildcard");

    let (_, p1) = call(
        &state,
        "GET",
        "/api/v1/products?sort=generic_name&order=asc&per_page=3&page=1",
        Some(&a),
        None,
        None,
    )
    .await;
    let (_, p3) = call(
        &state,
        "GET",
        "/api/v1/products?sort=generic_name&order=asc&per_page=3&page=3",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        (p1["total"].as_u64(), p1["items"].as_array().unwrap().len()),
        (Some(7), 3)
    );
    assert_eq!(
        (p3["page"].as_u64(), p3["items"].as_array().unwrap().len()),
        (Some(3), 1)
    );
    let (_, everything) = call(
        &state,
        "GET",
        "/api/v1/products?sort=generic_name&order=desc",
        Some(&a),
        None,
        None,
    )
    .await;
    let names: Vec<&str> = everything["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product"]["generic_name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable_by(|x, y| y.cmp(x));
    assert_eq!(names, sorted);
    assert_eq!(
        p3["items"][0]["product"]["generic_name"],
        *names.first().unwrap(),
        "asc page 3 ends where desc starts"
    );
    let (status, err) = call(
        &state,
        "GET",
        "/api/v1/products?per_page=many",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, err["errors"][0]["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("query.format"))
    );
    let (status, err) = call(
        &state,
        "GET",
        "/api/v1/products?sort=body",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, err["errors"][0]["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sort.unknown"))
    );
});

on_both_databases!(other_enterprises_read_products_but_never_write_them, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let (b, _) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
    let id = create_product(&state, &a, product("舒唯雅皮肤身体护肤霜")).await;
    let path = format!("/api/v1/products/{id}");
    let (status, _) = call(&state, "GET", &path, Some(&b), None, None).await;
    assert_eq!(status, StatusCode::OK, "registration data is public");
    let (status, _) = call(&state, "PUT", &path, Some(&b), None, Some(product("改名"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&state, "DELETE", &path, Some(&b), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let viewer = read_only_token(&state, &a_id).await;
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/products",
        Some(&viewer),
        None,
        Some(product("只读")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &state,
        "PUT",
        &path,
        Some(&viewer),
        None,
        Some(product("只读")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&state, "DELETE", &path, Some(&viewer), None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&state, "GET", &path, Some(&viewer), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, got) = call(&state, "GET", &path, Some(&a), None, None).await;
    assert_eq!(
        got["product"]["generic_name"], "舒唯雅皮肤身体护肤霜",
        "unchanged"
    );
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/products/not-a-uuid",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});
