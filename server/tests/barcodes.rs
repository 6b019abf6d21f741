//! The barcode library, GTIN lookup and barcode-photo recognition, on both databases.

mod common;
#[path = "fixtures/mod.rs"]
mod fixtures;

use axum::http::StatusCode;
use common::call;
use fixtures::*;
use serde_json::{Value, json};
use suyuan_core::barcode::Symbology;
use suyuan_core::barcode::encode::{LabelPayload, encode, to_png};
use suyuan_server::{AppState, db};

fn barcode(product_id: &str, gtin: &str) -> Value {
    json!({
        "product_id": product_id,
        "gtin": gtin,
        "specification": "50g",
        "package_specification": "1支",
        "level": "unit",
        "contains_quantity": 1
    })
}

fn ean13_png(digits: &str) -> Vec<u8> {
    let m = encode(&LabelPayload::text(digits), Symbology::Ean13).expect("EAN-13 encodes");
    to_png(&m, 3, m.quiet_zone())
}

on_both_databases!(
    barcode_crud_uniqueness_and_lookup_across_enterprises,
    |db| {
        let state = AppState::new(db);
        let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
        let (b, b_id) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
        let product_id = create_product(&state, &a, product("舒唯雅皮肤身体护肤霜")).await;

        let (status, created) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&a),
            None,
            Some(barcode(&product_id, "6901234567892")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["barcode"]["id"].as_str().unwrap().to_owned();
        // The same GTIN in its 14-digit form is the same code.
        let (status, dup) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&a),
            None,
            Some(barcode(&product_id, "06901234567892")),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{dup}");
        assert!(has_problem(&dup, "gtin", "gtin.taken"));
        // Another enterprise may enter the same GTIN for the shared product.
        let (status, theirs) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&b),
            None,
            Some(barcode(&product_id, "6901234567892")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{theirs}");

        let (status, bad) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&a),
            None,
            Some(barcode(&product_id, "6901234567893")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has_problem(&bad, "gtin", "gtin.check_digit"), "{bad}");
        let (_, en) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&a),
            Some("en"),
            Some(json!({"product_id": uuid::Uuid::new_v4()})),
        )
        .await;
        assert!(has_problem(&en, "product_id", "product.not_found"), "{en}");
        assert!(has_problem(&en, "gtin", "required"), "{en}");
        assert!(
            en["errors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["message"].as_str().unwrap().is_ascii())
        );

        let path = format!("/api/v1/barcodes/{id}");
        let mut case = barcode(&product_id, "16901234567899");
        case["level"] = json!("case");
        case["contains_quantity"] = json!(12);
        case["contains_gtin"] = json!("6901234567892");
        case["package_specification"] = json!("12支/箱");
        let (status, updated) =
            call(&state, "PUT", &path, Some(&a), None, Some(case.clone())).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["barcode"]["level"], "case");

        // B reads A's barcode but cannot change or delete it.
        let (status, _) = call(&state, "GET", &path, Some(&b), None, None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call(&state, "PUT", &path, Some(&b), None, Some(case)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(&state, "DELETE", &path, Some(&b), None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let viewer = read_only_token(&state, &b_id).await;
        let (status, _) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&viewer),
            None,
            Some(barcode(&product_id, "6901234567885")),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A product with barcodes cannot be deleted.
        let (status, refused) = call(
            &state,
            "DELETE",
            &format!("/api/v1/products/{product_id}"),
            Some(&a),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(
            has_problem(&refused, "id", "referenced.barcode"),
            "{refused}"
        );

        // A phone that scans 6901234567892 finds B's own barcode first, then A's.
        let (status, found) = call(
            &state,
            "GET",
            "/api/v1/barcodes/lookup?gtin=6901234567892",
            Some(&b),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["gtin"], "06901234567892");
        let matches = found["matches"].as_array().unwrap();
        assert_eq!(
            matches.len(),
            1,
            "A's barcode now carries the case GTIN: {found}"
        );
        assert_eq!(matches[0]["barcode"]["owner"], b_id.as_str());
        assert_eq!(
            matches[0]["product"]["product"]["generic_name"],
            "舒唯雅皮肤身体护肤霜"
        );
        assert_eq!(matches[0]["product"]["status"], "valid");
        let (_, case_hit) = call(
            &state,
            "GET",
            "/api/v1/barcodes/lookup?gtin=16901234567899",
            Some(&b),
            None,
            None,
        )
        .await;
        assert_eq!(case_hit["matches"][0]["barcode"]["id"], id.as_str());
        let (status, err) = call(
            &state,
            "GET",
            "/api/v1/barcodes/lookup?gtin=123",
            Some(&b),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");

        let (status, _) = call(&state, "DELETE", &path, Some(&a), None, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let actions: Vec<String> = db::audit_trail(&state.db, "barcode", &id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["create", "update", "delete"]);
    }
);

on_both_databases!(barcode_lists_filter_search_sort_and_page, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let cream = create_product(&state, &a, product("舒唯雅皮肤身体护肤霜")).await;
    let shampoo = create_product(&state, &a, product("测试洗发水")).await;
    for gtin in ["6901234567892", "6901234567885", "6901234567878"] {
        let (status, body) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&a),
            None,
            Some(barcode(&cream, gtin)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/barcodes",
        Some(&a),
        None,
        Some(barcode(&shampoo, "6901234567861")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (_, by_product) = call(
        &state,
        "GET",
        &format!("/api/v1/barcodes?product_id={cream}"),
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(by_product["total"], 3);
    let (_, by_name) = call(
        &state,
        "GET",
        "/api/v1/barcodes?q=%E8%82%A4",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        by_name["total"], 3,
        "the product's name is searchable: {by_name}"
    );
    let (_, by_gtin) = call(
        &state,
        "GET",
        "/api/v1/barcodes?gtin=06901234567861",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(
        by_gtin["items"][0]["barcode"]["product_id"],
        shampoo.as_str()
    );
    let (_, sorted) = call(
        &state,
        "GET",
        "/api/v1/barcodes?sort=gtin&per_page=2&page=2",
        Some(&a),
        None,
        None,
    )
    .await;
    assert_eq!(sorted["total"], 4);
    let gtins: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["barcode"]["gtin"].as_str().unwrap())
        .collect();
    assert_eq!(gtins, ["6901234567885", "6901234567892"]);
});

on_both_databases!(recognize_reads_a_png_and_prefills_a_barcode, |db| {
    let state = AppState::new(db);
    let (a, _) = register(&state, USCC_A, "甘肃舒来纽化妆品有限责任公司").await;
    let (b, _) = register(&state, USCC_B, "兰州美源化妆品批发有限公司").await;
    let png = ean13_png("6901234567892");

    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        Some(&a),
        Some("image/png"),
        png.clone(),
    )
    .await;
    let first = json_of(&body);
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["codes"][0]["text"], "6901234567892");
    assert_eq!(first["codes"][0]["meaning"]["kind"], "gtin");
    assert_eq!(first["draft"]["gtin"], "6901234567892");
    assert_eq!(
        first["draft"]["product_id"],
        Value::Null,
        "no barcode has this GTIN yet"
    );

    let product_id = create_product(&state, &a, product("舒唯雅皮肤身体护肤霜")).await;
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/barcodes",
        Some(&a),
        None,
        Some(barcode(&product_id, "6901234567892")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // B photographs the same pack, sent as a multipart form as a browser does.
    let boundary = "suyuan-test-boundary";
    let mut form = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"pack.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    form.extend_from_slice(&png);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        Some(&b),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
    )
    .await;
    let second = json_of(&body);
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["draft"]["product_id"], product_id.as_str());
    assert_eq!(second["draft"]["package_specification"], "1支");
    assert_eq!(
        second["matches"][0]["product"]["product"]["generic_name"],
        "舒唯雅皮肤身体护肤霜"
    );

    // A photo from the shared sample set reads too.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bench/barcode/images/ean13/ean13-1");
    let photo = std::fs::read(dir.join("1.png")).expect("sample photo beside the repository");
    let want = std::fs::read_to_string(dir.join("1.txt")).unwrap();
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        Some(&a),
        Some("image/png"),
        photo,
    )
    .await;
    let read = json_of(&body);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        read["codes"][0]["text"].as_str(),
        Some(want.trim()),
        "{read}"
    );
    assert_eq!(read["draft"]["gtin"].as_str(), Some(want.trim()));

    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        Some(&a),
        Some("text/plain"),
        b"not an image".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_of(&body)["errors"][0]["rule"], "image.format");
    let huge = vec![0u8; 10 * 1024 * 1024 + 1];
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        Some(&a),
        Some("image/png"),
        huge,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let err = json_of(&body);
    assert_eq!(err["errors"][0]["rule"], "upload.too_large");
    assert_eq!(err["errors"][0]["message"], "文件不能超过 10 MB");
    let (status, _, _) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        None,
        Some("image/png"),
        png,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A form whose file is over the limit is refused the same way.
    let mut form = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    form.resize(form.len() + 11 * 1024 * 1024, 0);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (status, _, body) = raw(
        &state,
        "POST",
        "/api/v1/barcodes/recognize",
        Some(&a),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(&body)["errors"][0]["field"], "image");
});
