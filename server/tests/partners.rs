//! Suppliers, customers and attachments through the router, on both databases.

mod common;
#[path = "fixtures/mod.rs"]
mod fixtures;

use axum::http::StatusCode;
use common::call;
use fixtures::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use suyuan_server::{AppState, db};

fn partner(name: &str, uscc: &str, region: &str) -> Value {
    json!({
        "kind": "wholesaler",
        "name": name,
        "uscc": uscc,
        "contact": "李四",
        "phone": "13812345678",
        "region_code": region,
        "address": "甘肃省兰州市城关区某路 1 号",
        "legal_representative": "张三",
        "licence": null,
        "quality_agreement": null,
        "authorised_person": null,
        "remittance_account": ""
    })
}

/// More valid codes for lists (check characters computed per GB 32100).
const USCC_C: &str = "91110000802100433B";
const USCC_D: &str = "91440300708461136T";

on_both_databases!(
    supplier_and_customer_crud_links_registered_enterprises,
    |db| {
        let state = AppState::new(db);
        let (a, a_id) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
        let (_, b_id) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;

        let (status, created) = call(
            &state,
            "POST",
            "/api/v1/suppliers",
            Some(&a),
            None,
            Some(partner("兰州美源化妆品批发有限公司", USCC_B, "620102")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let supplier = &created["partner"];
        assert_eq!(supplier["role"], "supplier");
        assert_eq!(supplier["owner"], a_id.as_str());
        assert_eq!(supplier["enterprise_id"], b_id.as_str(), "linked by USCC");
        let id = supplier["id"].as_str().unwrap().to_owned();

        let (status, dup) = call(
            &state,
            "POST",
            "/api/v1/suppliers",
            Some(&a),
            None,
            Some(partner("重复", USCC_B, "620102")),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(has_problem(&dup, "uscc", "uscc.taken"), "{dup}");
        let (status, customer) = call(
            &state,
            "POST",
            "/api/v1/customers",
            Some(&a),
            None,
            Some(partner("兰州美源化妆品批发有限公司", USCC_B, "620102")),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "the same enterprise may also be a customer: {customer}"
        );
        assert_eq!(customer["partner"]["role"], "customer");
        let (status, _) = call(
            &state,
            "GET",
            &format!("/api/v1/customers/{id}"),
            Some(&a),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the route fixes the role");

        let path = format!("/api/v1/suppliers/{id}");
        let mut disabled = partner("兰州美源化妆品批发有限公司", USCC_B, "620102");
        disabled["state"] = json!("disabled");
        let (status, updated) = call(&state, "PUT", &path, Some(&a), None, Some(disabled)).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["partner"]["state"], "disabled");

        // A document naming the supplier keeps it from being deleted.
        let doc_id = uuid::Uuid::new_v4().to_string();
        let body = json!({"id": doc_id, "counterparty": {"partner_id": id, "name": "兰州美源"}})
            .to_string();
        sqlx::query(
        "INSERT INTO transactions (id, enterprise_id, kind, number, doc_date, status, counterparty_name, search, body, created_at, updated_at) \
         VALUES ($1, $2, 'purchase_inbound', 'CG-001', '2026-03-01', 'draft', '兰州美源', '', $3, 'x', 'x')",
    )
    .bind(&doc_id)
    .bind(&a_id)
    .bind(&body)
    .execute(&state.db.pool)
    .await
    .unwrap();
        let (status, refused) = call(&state, "DELETE", &path, Some(&a), None, None).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(
            has_problem(&refused, "id", "referenced.document"),
            "{refused}"
        );
        sqlx::query("DELETE FROM transactions")
            .execute(&state.db.pool)
            .await
            .unwrap();
        let (status, _) = call(&state, "DELETE", &path, Some(&a), None, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = call(&state, "GET", &path, Some(&a), None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let actions: Vec<String> = db::audit_trail(&state.db, "partner", &id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["create", "update", "delete"]);
    }
);

on_both_databases!(partner_validation_and_expiry_warnings, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let mut bad = partner("", "91512081MA62K0260I", "62010");
    bad["contact"] = json!("");
    let (status, zh) = call(
        &state,
        "POST",
        "/api/v1/suppliers",
        Some(&a),
        None,
        Some(bad.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, rule) in [
        ("name", "required"),
        ("uscc", "uscc.format"),
        ("contact", "required"),
        ("region_code", "region.format"),
    ] {
        assert!(has_problem(&zh, field, rule), "{field} {rule} in {zh}");
    }
    assert_eq!(zh["errors"][0]["message"], "供应商名称为必填项");
    let (_, en) = call(
        &state,
        "POST",
        "/api/v1/customers",
        Some(&a),
        Some("en-US"),
        Some(bad),
    )
    .await;
    assert_eq!(en["errors"][0]["message"], "Customer name is required");

    // An expired licence is a warning: refused until the user overrides it.
    let mut expired = partner("兰州美源化妆品批发有限公司", USCC_B, "620102");
    expired["licence"] =
        json!({"number": "甘妆经2020001", "valid_from": "2020-01-01", "valid_to": "2021-01-01"});
    let (status, warn) = call(
        &state,
        "POST",
        "/api/v1/suppliers",
        Some(&a),
        None,
        Some(expired.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        has_problem(&warn, "licence.valid_to", "licence.expired"),
        "{warn}"
    );
    expired["acknowledge"] = json!(["licence.expired"]);
    let (status, saved) = call(
        &state,
        "POST",
        "/api/v1/suppliers",
        Some(&a),
        None,
        Some(expired),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(
        saved["partner"]["enterprise_id"],
        Value::Null,
        "no registered enterprise has this USCC"
    );
    // When that enterprise registers, the record links to it.
    let (_, b_id) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
    let id = saved["partner"]["id"].as_str().unwrap().to_owned();
    let (_, linked) = call(
        &state,
        "GET",
        &format!("/api/v1/suppliers/{id}"),
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(linked["partner"]["enterprise_id"], b_id.as_str());
    let trail = db::audit_trail(&state.db, "partner", &id).await.unwrap();
    assert_eq!(trail.last().map(|e| e.action.as_str()), Some("link"));
});

on_both_databases!(partner_lists_search_filter_sort_and_page, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let (b, _) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
    for (name, uscc, region) in [
        ("兰州美源化妆品批发有限公司", USCC_B, "620102"),
        ("北京某化妆品有限公司", USCC_C, "110105"),
        ("深圳某化妆品有限公司", USCC_D, "440305"),
    ] {
        let (status, body) = call(
            &state,
            "POST",
            "/api/v1/customers",
            Some(&a),
            None,
            Some(partner(name, uscc, region)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, theirs) = call(
        &state,
        "POST",
        "/api/v1/customers",
        Some(&b),
        None,
        Some(partner("B 的客户", USCC_C, "110105")),
    )
    .await;
    let theirs_id = theirs["partner"]["id"].as_str().unwrap().to_owned();

    let (_, all) = call(&state, "GET", "/api/v1/customers", Some(&a), None, None).await;
    assert_eq!(all["total"], 3, "only A's own");
    let (_, gansu) = call(
        &state,
        "GET",
        "/api/v1/customers?region_code=62",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(gansu["total"], 1);
    let (_, by_uscc) = call(
        &state,
        "GET",
        "/api/v1/customers?q=91440300",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        by_uscc["items"][0]["partner"]["name"],
        "深圳某化妆品有限公司"
    );
    let (_, by_name) = call(
        &state,
        "GET",
        "/api/v1/customers?q=%E5%8C%97%E4%BA%AC",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(by_name["total"], 1);
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/customers?sort=uscc&order=desc&per_page=2&page=1",
        Some(&a),
        None,
        None,
    )
    .await;
    let usccs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["partner"]["uscc"].as_str().unwrap())
        .collect();
    assert_eq!(
        (page["total"].as_u64(), usccs),
        (Some(3), vec![USCC_D, USCC_B])
    );
    let (_, none) = call(
        &state,
        "GET",
        "/api/v1/customers?state=disabled",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(none["total"], 0);
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/customers?region_code=6x",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A cannot read, change or delete B's customer, and B's never shows in A's lists.
    let path = format!("/api/v1/customers/{theirs_id}");
    let (status, _) = call(&state, "GET", &path, Some(&a), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &state,
        "PUT",
        &path,
        Some(&a),
        None,
        Some(partner("改名", USCC_C, "110105")),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&state, "DELETE", &path, Some(&a), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine) = call(
        &state,
        "GET",
        "/api/v1/customers?q=b%20%E7%9A%84",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(mine["total"], 0);
    let (_, still) = call(&state, "GET", &path, Some(&b), None, None).await;
    assert_eq!(still["partner"]["name"], "B 的客户");
});

on_both_databases!(read_only_staff_read_partners_but_cannot_write, |db| {
    let state = AppState::new(db);
    let (a, a_id) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let (_, created) = call(
        &state,
        "POST",
        "/api/v1/suppliers",
        Some(&a),
        None,
        Some(partner("兰州美源化妆品批发有限公司", USCC_B, "620102")),
    )
    .await;
    let path = format!(
        "/api/v1/suppliers/{}",
        created["partner"]["id"].as_str().unwrap()
    );
    let viewer = read_only_token(&state, &a_id).await;
    let (status, _) = call(&state, "GET", &path, Some(&viewer), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/suppliers",
        Some(&viewer),
        None,
        Some(partner("x", USCC_C, "110105")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &state,
        "PUT",
        &path,
        Some(&viewer),
        None,
        Some(partner("x", USCC_B, "620102")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&state, "DELETE", &path, Some(&viewer), None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = raw(
        &state,
        "POST",
        "/api/v1/attachments?kind=photo&file_name=a.png",
        Some(&viewer),
        Some("image/png"),
        PNG_MAGIC.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

const PNG_MAGIC: [u8; 16] = [
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

on_both_databases!(attachments_upload_download_and_stay_private, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let (b, _) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
    let pdf = b"%PDF-1.4\n% licence scan\n".to_vec();
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/attachments?kind=licence&file_name=C%3A%5Cscans%5C%E8%AE%B8%E5%8F%AF%E8%AF%81.pdf",
        Some(&a),
        Some("application/pdf"),
        pdf.clone(),
    )
    .await;
    let meta = json_of(&body);
    assert_eq!(status, StatusCode::CREATED, "{meta}");
    assert_eq!(meta["kind"], "licence");
    assert_eq!(
        meta["file_name"], "许可证.pdf",
        "the client's folders are dropped"
    );
    assert_eq!(meta["size"], pdf.len());
    let sha: String = Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(meta["sha256"], sha.as_str());
    let id = meta["id"].as_str().unwrap().to_owned();

    let path = format!("/api/v1/attachments/{id}");
    let (status, headers, bytes) = raw(&state, "GET", &path, Some(&a), None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, pdf);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("%E8%AE%B8")
    );
    let (status, _, _) = raw(&state, "GET", &path, Some(&b), None, vec![]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another enterprise's file does not exist for B"
    );

    // A product may list its owner's attachments, not another enterprise's.
    let mut with_file = product("舒唯雅皮肤身体护肤霜");
    with_file["attachments"] = json!([{"id": id, "kind": "other", "file_name": "x", "content_type": "x", "size": 0, "sha256": ""}]);
    let (status, created) = call(
        &state,
        "POST",
        "/api/v1/products",
        Some(&a),
        None,
        Some(with_file.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["product"]["attachments"][0]["sha256"],
        sha.as_str(),
        "metadata comes from the upload"
    );
    let (status, err) = call(
        &state,
        "POST",
        "/api/v1/products",
        Some(&b),
        None,
        Some(with_file),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        has_problem(&err, "attachments[0]", "attachment.not_found"),
        "{err}"
    );

    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/attachments?kind=photo&file_name=a.gif",
        Some(&a),
        Some("image/gif"),
        b"GIF89a".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_of(&body)["errors"][0]["rule"], "attachment.type");
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/attachments?kind=photo&file_name=a.png",
        Some(&a),
        Some("image/png"),
        pdf.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        json_of(&body)["errors"][0]["rule"],
        "attachment.content_mismatch"
    );
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/attachments?kind=selfie&file_name=",
        Some(&a),
        Some("image/png"),
        PNG_MAGIC.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let err = json_of(&body);
    assert!(
        has_problem(&err, "kind", "attachment.kind") && has_problem(&err, "file_name", "required"),
        "{err}"
    );
    let mut big = PNG_MAGIC.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/attachments?kind=photo&file_name=big.png",
        Some(&a),
        Some("image/png"),
        big,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(&body)["errors"][0]["rule"], "upload.too_large");
    let trail = db::audit_trail(&state.db, "attachment", &id).await.unwrap();
    assert_eq!(trail.len(), 1);
});
