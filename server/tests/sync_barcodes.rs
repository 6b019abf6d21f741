//! Barcodes pushed from a phone, on both databases: each change applies once by its change
//! id, refused ones come back with their field problems, another enterprise's barcode id is
//! refused, and the owner's feed carries every write.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use uuid::Uuid;

fn product_body() -> Value {
    json!({"generic_name": "舒唯雅护肤霜", "brand": "舒唯雅", "registration_number": "国妆特字G20210001",
           "registrant": "广州舒唯雅化妆品有限公司", "manufacturer": "广州舒唯雅化妆品有限公司",
           "specification": "50g", "shelf_life_months": 36})
}

fn barcode(product: Uuid, gtin: &str, spec: &str) -> Value {
    json!({"product_id": product, "gtin": gtin, "specification": spec,
           "package_specification": "1支", "level": "unit", "contains_quantity": 1})
}

async fn push(state: &AppState, who: &Party, changes: Value) -> Value {
    let (status, body) = call(
        state,
        "POST",
        "/api/v1/sync/push",
        Some(&who.token),
        Some("en"),
        Some(json!({"client_id": Uuid::new_v4(), "changes": changes})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn rules(result: &Value) -> Vec<(String, String)> {
    result["problems"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap_or_default().to_owned(),
                p["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The bodies of `who`'s feed rows about barcode `id` (null once deleted).
async fn fed(state: &AppState, who: &Party, id: Uuid) -> Vec<Value> {
    let (status, body) = call(
        state,
        "GET",
        "/api/v1/sync/pull?cursor=0&limit=1000",
        Some(&who.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["entity"] == "barcode" && c["id"] == id.to_string())
        .map(|c| c["body"].clone())
        .collect()
}

on_both_databases!(pushed_barcodes_apply_once_with_the_rest_rules, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let (product, id) = (Uuid::new_v4(), Uuid::new_v4());
    let save = json!([
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": product, "product": product_body()},
        {"change_id": Uuid::new_v4(), "op": "save_barcode", "id": id,
         "barcode": barcode(product, "6901234567892", "50g")},
    ]);
    let first = push(&state, &a, save.clone()).await;
    assert_eq!(first["results"][1]["status"], "ok", "{first}");
    assert_eq!(push(&state, &a, save).await["results"], first["results"]);
    let (status, stored) = call(
        &state,
        "GET",
        &format!("/api/v1/barcodes/{id}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["barcode"]["owner"], a.id.to_string());

    // An edit replayed after a later one answers its first outcome and undoes nothing.
    let edit = json!([{"change_id": Uuid::new_v4(), "op": "update_barcode", "id": id,
                       "barcode": barcode(product, "6901234567892", "100g")}]);
    let edited = push(&state, &a, edit.clone()).await;
    assert_eq!(edited["results"][0]["status"], "ok", "{edited}");
    let later = json!([{"change_id": Uuid::new_v4(), "op": "update_barcode", "id": id,
                        "barcode": barcode(product, "6901234567892", "200g")}]);
    assert_eq!(push(&state, &a, later).await["results"][0]["status"], "ok");
    assert_eq!(push(&state, &a, edit).await["results"], edited["results"]);
    let rows = fed(&state, &a, id).await;
    assert_eq!(rows.len(), 3, "a row per write: {rows:?}");
    assert_eq!(rows[2]["specification"], "200g");

    // Refused: a bad GTIN, a GTIN the enterprise has, an unknown product; B may not take A's id.
    let refused = push(
        &state,
        &a,
        json!([
            {"change_id": Uuid::new_v4(), "op": "save_barcode", "id": Uuid::new_v4(),
             "barcode": barcode(product, "6901234567890", "50g")},
            {"change_id": Uuid::new_v4(), "op": "save_barcode", "id": Uuid::new_v4(),
             "barcode": barcode(product, "6901234567892", "50g")},
            {"change_id": Uuid::new_v4(), "op": "save_barcode", "id": Uuid::new_v4(),
             "barcode": barcode(Uuid::new_v4(), "6921168509256", "50g")},
        ]),
    )
    .await;
    let results = refused["results"].as_array().expect("results");
    assert!(
        rules(&results[0]).iter().any(|(f, _)| f == "gtin"),
        "{refused}"
    );
    assert_eq!(
        rules(&results[1]),
        [("gtin".to_owned(), "gtin.taken".to_owned())]
    );
    assert!(
        rules(&results[2]).contains(&("product_id".to_owned(), "product.not_found".to_owned())),
        "{refused}"
    );
    let stolen = push(
        &state,
        &b,
        json!([
            {"change_id": Uuid::new_v4(), "op": "save_barcode", "id": id,
             "barcode": barcode(product, "6921168509256", "50g")},
            {"change_id": Uuid::new_v4(), "op": "update_barcode", "id": id,
             "barcode": barcode(product, "6901234567892", "1g")},
        ]),
    )
    .await;
    let results = stolen["results"].as_array().expect("results");
    assert_eq!(
        rules(&results[0]),
        [("id".to_owned(), "id.taken".to_owned())]
    );
    assert_eq!(
        rules(&results[1]),
        [("id".to_owned(), "not_found".to_owned())]
    );

    // Deleted twice: fine both times, and the feed says gone.
    let delete = json!([{"change_id": Uuid::new_v4(), "op": "delete_barcode", "id": id}]);
    assert_eq!(
        push(&state, &a, delete.clone()).await["results"][0]["status"],
        "ok"
    );
    assert_eq!(push(&state, &a, delete).await["results"][0]["status"], "ok");
    let rows = fed(&state, &a, id).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(Value::is_null), "{rows:?}");
});
