//! Suppliers and customers pushed from a phone, on both databases: each change applies once
//! by its change id, a refused partner comes back with its field problems, another
//! enterprise's partner id is refused, and the owner's feed carries every partner write.
//! Product edits pushed from a phone follow the same rules.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use uuid::Uuid;

fn partner(role: &str, name: &str, uscc: &str) -> Value {
    json!({
        "role": role, "kind": "wholesaler", "name": name, "uscc": uscc,
        "contact": "李四", "phone": "13812345678", "region_code": "620102",
        "address": "甘肃省兰州市城关区某路 1 号", "legal_representative": "张三",
        "licence": null, "quality_agreement": null, "authorised_person": null,
        "remittance_account": ""
    })
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

async fn get(state: &AppState, who: &Party, path: &str) -> (StatusCode, Value) {
    call(state, "GET", path, Some(&who.token), None, None).await
}

/// The bodies of the owner's feed rows about partner `id` (null once deleted).
async fn fed(state: &AppState, who: &Party, id: Uuid) -> Vec<Value> {
    let (status, body) = get(state, who, "/api/v1/sync/pull?cursor=0&limit=1000").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["entity"] == "partner" && c["id"] == id.to_string())
        .map(|c| c["body"].clone())
        .collect()
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

on_both_databases!(a_pushed_partner_applies_once_and_is_fed, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let id = Uuid::new_v4();
    let save = json!([{"change_id": Uuid::new_v4(), "op": "save_partner", "id": id,
                       "partner": partner("customer", &b.name, &b.uscc)}]);
    let first = push(&state, &a, save.clone()).await;
    assert_eq!(first["results"][0]["status"], "ok", "{first}");
    assert_eq!(first["results"][0]["id"], id.to_string());
    // Delivered again: the first outcome, and still one record.
    let again = push(&state, &a, save).await;
    assert_eq!(again["results"], first["results"]);
    let (status, list) = get(&state, &a, "/api/v1/customers").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    let (status, stored) = get(&state, &a, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["partner"]["owner"], a.id.to_string());
    assert_eq!(
        stored["partner"]["enterprise_id"],
        b.id.to_string(),
        "linked by USCC as the REST create links it"
    );
    let rows = fed(&state, &a, id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["name"], b.name.as_str());
    assert!(
        fed(&state, &b, id).await.is_empty(),
        "only the owner's feed"
    );

    // An edit, replayed after a later edit, answers its first outcome and undoes nothing.
    let mut renamed = partner("customer", "丽人化妆品店（城关）", &b.uscc);
    let edit = json!([{"change_id": Uuid::new_v4(), "op": "update_partner", "id": id,
                       "partner": renamed.clone()}]);
    let edited = push(&state, &a, edit.clone()).await;
    assert_eq!(edited["results"][0]["status"], "ok", "{edited}");
    renamed["name"] = json!("丽人化妆品店（新）");
    renamed["role"] = json!("supplier");
    let later = json!([{"change_id": Uuid::new_v4(), "op": "update_partner", "id": id,
                        "partner": renamed}]);
    assert_eq!(push(&state, &a, later).await["results"][0]["status"], "ok");
    let replay = push(&state, &a, edit).await;
    assert_eq!(replay["results"], edited["results"]);
    let (_, stored) = get(&state, &a, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(stored["partner"]["name"], "丽人化妆品店（新）");
    assert_eq!(stored["partner"]["role"], "customer", "the role stays");
    let rows = fed(&state, &a, id).await;
    assert_eq!(rows.len(), 3, "a row per write: {rows:?}");

    // A change id reused for another change is refused.
    let reused = edited["results"][0]["change_id"].clone();
    let clash = push(
        &state,
        &a,
        json!([{"change_id": reused, "op": "update_partner", "id": id,
                "partner": partner("customer", "别的名字", &b.uscc)}]),
    )
    .await;
    assert_eq!(
        rules(&clash["results"][0]),
        [("change_id".to_owned(), "idempotency.key_reused".to_owned())]
    );

    // Deleted, then the delete delivered again: fine both times, and the feed says gone.
    let delete = json!([{"change_id": Uuid::new_v4(), "op": "delete_partner", "id": id}]);
    assert_eq!(
        push(&state, &a, delete.clone()).await["results"][0]["status"],
        "ok"
    );
    assert_eq!(push(&state, &a, delete).await["results"][0]["status"], "ok");
    let (status, _) = get(&state, &a, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let rows = fed(&state, &a, id).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(
        rows.iter().all(Value::is_null),
        "pulled as it stands now: {rows:?}"
    );
});

on_both_databases!(refused_partners_come_back_with_their_problems, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let mut bad = partner("supplier", "", "not-a-uscc");
    bad["region_code"] = json!("6201");
    let (bad_id, no_role, taken_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut roleless = partner("supplier", "甲公司", &uscc(7));
    roleless.as_object_mut().unwrap().remove("role");
    let res = push(
        &state,
        &a,
        json!([
            {"change_id": Uuid::new_v4(), "op": "save_partner", "id": bad_id, "partner": bad},
            {"change_id": Uuid::new_v4(), "op": "save_partner", "id": no_role, "partner": roleless},
            {"change_id": Uuid::new_v4(), "op": "save_partner", "id": taken_id,
             "partner": partner("supplier", &b.name, &b.uscc)},
            {"change_id": Uuid::new_v4(), "op": "save_partner", "id": Uuid::new_v4(),
             "partner": partner("supplier", "重复", &b.uscc)},
            {"change_id": Uuid::new_v4(), "op": "update_partner", "id": Uuid::new_v4(),
             "partner": partner("supplier", "无此记录", &uscc(8))},
        ]),
    )
    .await;
    let results = res["results"].as_array().expect("results");
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["rejected", "rejected", "ok", "rejected", "rejected"],
        "{res}"
    );
    let bad_fields: Vec<String> = rules(&results[0]).into_iter().map(|(f, _)| f).collect();
    for field in ["name", "uscc", "region_code"] {
        assert!(bad_fields.iter().any(|f| f == field), "{field}: {res}");
    }
    assert_eq!(
        rules(&results[1]),
        [("role".to_owned(), "required".to_owned())]
    );
    assert_eq!(
        rules(&results[3]),
        [("uscc".to_owned(), "uscc.taken".to_owned())]
    );
    assert_eq!(
        rules(&results[4]),
        [("id".to_owned(), "not_found".to_owned())]
    );
    let (_, list) = get(&state, &a, "/api/v1/suppliers").await;
    assert_eq!(list["total"], 1, "only the valid one was written: {list}");
    assert!(fed(&state, &a, bad_id).await.is_empty());

    // B chooses an id A's partner holds: refused, and A's partner is untouched.
    let stolen = push(
        &state,
        &b,
        json!([
            {"change_id": Uuid::new_v4(), "op": "save_partner", "id": taken_id,
             "partner": partner("customer", &a.name, &a.uscc)},
            {"change_id": Uuid::new_v4(), "op": "update_partner", "id": taken_id,
             "partner": partner("supplier", "改名", &a.uscc)},
            {"change_id": Uuid::new_v4(), "op": "delete_partner", "id": taken_id},
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
    let (status, kept) = get(&state, &a, &format!("/api/v1/suppliers/{taken_id}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "another enterprise cannot delete it: {kept}"
    );
    assert_eq!(kept["partner"]["name"], b.name.as_str());
    assert!(fed(&state, &b, taken_id).await.is_empty());
});

fn product_body(name: &str) -> Value {
    json!({"generic_name": name, "brand": "舒唯雅", "registration_number": "国妆特字G20210001",
           "registrant": "广州舒唯雅化妆品有限公司", "manufacturer": "广州舒唯雅化妆品有限公司",
           "specification": "50g", "shelf_life_months": 36})
}

on_both_databases!(
    a_pushed_product_edit_applies_once_and_only_to_own_products,
    |db| {
        let state = AppState::new(db.clone());
        let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
        let b = register(&state, 2, "城关区丽人化妆品店").await;
        let id = Uuid::new_v4();
        let save = json!([{"change_id": Uuid::new_v4(), "op": "save_product", "id": id,
                       "product": product_body("舒唯雅护肤霜")}]);
        assert_eq!(push(&state, &a, save).await["results"][0]["status"], "ok");
        let edit = json!([{"change_id": Uuid::new_v4(), "op": "update_product", "id": id,
                       "product": product_body("舒唯雅皮肤身体护肤霜")}]);
        let first = push(&state, &a, edit.clone()).await;
        assert_eq!(first["results"][0]["status"], "ok", "{first}");
        let later = json!([{"change_id": Uuid::new_v4(), "op": "update_product", "id": id,
                        "product": product_body("舒唯雅身体乳")}]);
        assert_eq!(push(&state, &a, later).await["results"][0]["status"], "ok");
        assert_eq!(push(&state, &a, edit).await["results"], first["results"]);
        let (status, stored) = get(&state, &a, &format!("/api/v1/products/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        assert_eq!(
            stored["product"]["generic_name"], "舒唯雅身体乳",
            "the replay undid nothing"
        );

        let mut bad = product_body("");
        bad["shelf_life_months"] = json!("三年");
        let refused = push(
            &state,
            &a,
            json!([
                {"change_id": Uuid::new_v4(), "op": "update_product", "id": id,
                 "product": product_body("")},
                {"change_id": Uuid::new_v4(), "op": "update_product", "id": id, "product": bad},
            ]),
        )
        .await;
        let results = refused["results"].as_array().expect("results");
        assert!(
            rules(&results[0]).iter().any(|(f, _)| f == "generic_name"),
            "{refused}"
        );
        assert_eq!(results[1]["status"], "rejected", "{refused}");
        let stolen = push(
            &state,
            &b,
            json!([{"change_id": Uuid::new_v4(), "op": "update_product", "id": id,
                "product": product_body("别人的产品")}]),
        )
        .await;
        assert_eq!(
            rules(&stolen["results"][0]),
            [("id".to_owned(), "not_found".to_owned())]
        );
        let (_, stored) = get(&state, &a, &format!("/api/v1/products/{id}")).await;
        assert_eq!(stored["product"]["generic_name"], "舒唯雅身体乳");
    }
);
