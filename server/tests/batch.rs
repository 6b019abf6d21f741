//! `POST /api/v1/batch` on both databases: a batch of documents and products goes in under the
//! client's ids; a retry answers identically and writes nothing; one bad record writes nothing
//! and is named by index and field; more than 10,000 records are refused; another enterprise
//! cannot take or write over the ids.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use suyuan_server::db::Db;
use uuid::Uuid;

fn product_body(name: &str) -> Value {
    json!({"generic_name": name, "brand": "舒唯雅", "registration_number": "国妆特字G20210001",
           "registrant": "广州舒唯雅化妆品有限公司", "manufacturer": "广州舒唯雅化妆品有限公司",
           "specification": "50g", "shelf_life_months": 36})
}

fn batch_line(product: Uuid, batch: &str, quantity: u32) -> Value {
    json!({"product_id": product, "quantity": quantity, "unit": "瓶", "batch": batch,
           "expiry_date": "2029-10-31"})
}

async fn counts(db: &Db) -> [i64; 5] {
    [
        count(db, "transactions").await,
        count(db, "products").await,
        count(db, "transaction_lines").await,
        count(db, "change_feed").await,
        count(db, "audit_log").await,
    ]
}

on_both_databases!(a_batch_goes_in_once_and_a_retry_answers_the_same, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let (cream, lotion) = (Uuid::new_v4(), Uuid::new_v4());
    let (inbound, sale, draft_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let request = json!({"records": [
        {"type": "product", "id": cream, "product": product_body("舒唯雅皮肤身体护肤霜")},
        {"type": "product", "id": lotion, "product": product_body("舒唯雅保湿乳")},
        {"type": "transaction", "id": inbound, "submit": true,
         "document": draft("finished_goods_inbound", None,
                           vec![batch_line(cream, "C1", 100), batch_line(lotion, "L1", 50)])},
        {"type": "transaction", "id": sale, "submit": true,
         "document": draft("sales_outbound", Some(b.counterparty()), vec![batch_line(cream, "C1", 10)])},
        {"type": "transaction", "id": draft_id,
         "document": draft("finished_goods_inbound", None, vec![batch_line(lotion, "L2", 5)])},
    ]});
    let before = counts(&db).await;
    let (status, first, _) = call_with(
        &state,
        "POST",
        "/api/v1/batch",
        &a.token,
        &[],
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let records = first["records"].as_array().expect("records");
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [cream, lotion, inbound, sale, draft_id].map(|u| u.to_string())
    );
    let statuses: Vec<&Value> = records.iter().map(|r| &r["status"]).collect();
    assert_eq!(
        statuses,
        [
            &Value::Null,
            &Value::Null,
            &json!("submitted"),
            &json!("submitted"),
            &json!("draft")
        ]
    );
    // The client's ids are the records' ids; the stock moved.
    let (s, doc) = call(
        &state,
        "GET",
        &format!("/api/v1/transactions/{sale}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["status"].to_string().contains("submitted"), "{doc}");
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 90);
    assert_eq!(held(&state, &a, lotion.into(), "L1").await, 50);
    let after = counts(&db).await;
    assert_eq!(after[0] - before[0], 3);
    assert_eq!(after[1] - before[1], 2);
    assert_eq!(
        after[2] - before[2],
        3,
        "lines of the two submitted documents"
    );

    let (status, again, headers) = call_with(
        &state,
        "POST",
        "/api/v1/batch",
        &a.token,
        &[],
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again, first);
    assert_eq!(
        headers
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert_eq!(counts(&db).await, after, "a retry writes nothing");

    // The same ids with other content are not a retry.
    let mut changed = request.clone();
    changed["records"][4]["document"]["remarks"] = json!("改过");
    let (status, body) = call(
        &state,
        "POST",
        "/api/v1/batch",
        Some(&a.token),
        None,
        Some(changed),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        fields(&body)
            .iter()
            .any(|(_, r)| r == "idempotency.key_reused"),
        "{body}"
    );

    // B can neither take A's ids nor replay A's batch.
    let (status, body) = call(
        &state,
        "POST",
        "/api/v1/batch",
        Some(&b.token),
        None,
        Some(request),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let f = fields(&body);
    assert!(
        f.contains(&("records[0].id".into(), "id.taken".into())),
        "{body}"
    );
    assert!(
        f.contains(&("records[3].id".into(), "id.taken".into())),
        "{body}"
    );
    assert_eq!(counts(&db).await, after);
    let (s, _) = call(
        &state,
        "GET",
        &format!("/api/v1/transactions/{sale}"),
        Some(&b.token),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

on_both_databases!(a_bad_record_writes_nothing_and_is_named, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = Uuid::new_v4();
    let before = counts(&db).await;
    // Shape problems, found before the database is touched.
    let mut no_date = draft(
        "finished_goods_inbound",
        None,
        vec![batch_line(cream, "C1", 1)],
    );
    no_date.as_object_mut().expect("object").remove("date");
    let dup = Uuid::new_v4();
    let request = json!({"records": [
        {"type": "product", "id": cream, "product": product_body("舒唯雅皮肤身体护肤霜")},
        {"type": "transaction", "id": Uuid::new_v4(), "document": no_date},
        {"type": "product", "id": dup, "product": product_body("甲")},
        {"type": "product", "id": dup, "product": product_body("乙")},
        {"type": "product", "id": Uuid::new_v4(), "product": {"brand": "舒唯雅"}},
    ]});
    let (status, body) = call(
        &state,
        "POST",
        "/api/v1/batch",
        Some(&a.token),
        Some("en"),
        Some(request),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let f = fields(&body);
    assert!(
        f.contains(&("records[1].date".into(), "required".into())),
        "{body}"
    );
    assert!(
        f.contains(&("records[3].id".into(), "id.duplicate".into())),
        "{body}"
    );
    assert!(
        f.iter()
            .any(|(field, _)| field == "records[4].generic_name"),
        "{body}"
    );
    assert_eq!(counts(&db).await, before);

    // Problems only the database shows: the product at index 0 was written, then rolled back.
    let request = json!({"records": [
        {"type": "product", "id": cream, "product": product_body("舒唯雅皮肤身体护肤霜")},
        {"type": "transaction", "id": Uuid::new_v4(), "submit": true,
         "document": draft("finished_goods_inbound", None, vec![batch_line(cream, "C1", 5)])},
        {"type": "transaction", "id": Uuid::new_v4(), "submit": true,
         "document": draft("finished_goods_inbound", None, vec![batch_line(Uuid::new_v4(), "X", 5)])},
        {"type": "transaction", "id": Uuid::new_v4(),
         "document": draft("finished_goods_inbound", None, vec![batch_line(cream, "", 5)])},
    ]});
    let (status, body) = call(
        &state,
        "POST",
        "/api/v1/batch",
        Some(&a.token),
        None,
        Some(request),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let f = fields(&body);
    assert!(
        f.contains(&(
            "records[2].lines[0].product_id".into(),
            "product.unknown".into()
        )),
        "{body}"
    );
    assert!(
        f.iter()
            .any(|(field, _)| field == "records[3].lines[0].batch"),
        "{body}"
    );
    assert!(
        !f.iter()
            .any(|(field, _)| field.starts_with("records[0]") || field.starts_with("records[1]")),
        "{body}"
    );
    assert_eq!(counts(&db).await, before, "all or nothing");
});

on_both_databases!(more_than_ten_thousand_records_are_refused, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let records: Vec<Value> = (0..10_001)
        .map(|_| json!({"type": "product", "id": Uuid::new_v4(), "product": {}}))
        .collect();
    let (status, body) = call(
        &state,
        "POST",
        "/api/v1/batch",
        Some(&a.token),
        None,
        Some(json!({"records": records})),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(
        fields(&body),
        vec![("records".to_owned(), "batch.too_large".to_owned())]
    );
    assert_eq!(count(&db, "products").await, 0);
    // Nobody without a token imports.
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/batch",
        None,
        None,
        Some(json!({"records": []})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});
