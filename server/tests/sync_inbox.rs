//! The holder's part through the phone's sync on both databases: confirming and disputing an
//! inbox item, acknowledging and reporting a recall, each once by its change id, with the same
//! rules as the REST routes; a pulled recall carries the holder's own progress.

mod common;
mod docs_support;
mod recall_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use recall_support::{chain, regulator};
use serde_json::{Value, json};
use suyuan_server::AppState;
use suyuan_server::db::Db;
use uuid::Uuid;

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

async fn get(state: &AppState, who: &Party, path: &str) -> Value {
    let (status, body) = call(state, "GET", path, Some(&who.token), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `(status, first problem's rule)` of each result.
fn outcomes(res: &Value) -> Vec<(String, Option<String>)> {
    res["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["status"].as_str().expect("status").to_owned(),
                r["problems"][0]["rule"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn ok() -> (String, Option<String>) {
    ("ok".into(), None)
}

fn refused(rule: &str) -> (String, Option<String>) {
    ("rejected".into(), Some(rule.into()))
}

/// A wholesaler that sold 12 and 5 of its cream to a salon: the salon's two pending items.
async fn two_items(state: &AppState, db: &Db) -> (Party, Party, Vec<String>) {
    let seller = register(state, 1, "兰州美源化妆品批发有限公司").await;
    let buyer = register(state, 2, "城关区丽人化妆品店").await;
    let cream = product(db, seller.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        state,
        &seller,
        draft("finished_goods_inbound", None, vec![line(cream, "C1", 30)]),
    )
    .await;
    for n in [12, 5] {
        save_and_submit(
            state,
            &seller,
            draft(
                "sales_outbound",
                Some(buyer.counterparty()),
                vec![line(cream, "C1", n)],
            ),
        )
        .await;
    }
    let mut items = inbox(state, &buyer, "?state=pending").await;
    items.sort_by_key(|i| i["lines"][0]["quantity"].as_u64());
    let ids = items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    (seller, buyer, ids)
}

on_both_databases!(
    an_item_is_confirmed_offline_once_with_the_rest_rules,
    |db| {
        let state = AppState::new(db.clone());
        let (_seller, buyer, items) = two_items(&state, &db).await;
        let (five, twelve) = (&items[0], &items[1]);
        let doc = Uuid::new_v4();
        let confirm = json!({"change_id": Uuid::new_v4(), "op": "confirm_reconciliation",
        "item_id": twelve, "document_id": doc, "number": "CGRK-PHONE-1", "date": "2026-11-03",
        "contact": "李店长", "phone": "13900139000"});
        let first = push(&state, &buyer, json!([confirm])).await;
        assert_eq!(outcomes(&first), [ok()], "{first}");
        assert_eq!(first["results"][0]["id"], twelve.as_str());

        let item = get(
            &state,
            &buyer,
            &format!("/api/v1/reconciliation/inbox/{twelve}"),
        )
        .await;
        assert_eq!(item["state"]["state"], "confirmed", "{item}");
        assert_eq!(item["state"]["document"], doc.to_string());
        let own = get(&state, &buyer, &format!("/api/v1/transactions/{doc}")).await;
        assert_eq!(own["status"]["state"], "submitted", "{own}");
        assert_eq!(own["kind"], "purchase_inbound");
        assert_eq!(own["number"], "CGRK-PHONE-1");
        assert_eq!(own["reconciles"], twelve.as_str());
        assert_eq!(own["counterparty"]["name"], "兰州美源化妆品批发有限公司");
        let cream = serde_json::from_value(own["lines"][0]["product_id"].clone()).unwrap();
        assert_eq!(held(&state, &buyer, cream, "C1").await, 12);

        // Resent, it gets its first answer and writes nothing.
        let (docs, feed) = (
            count(&db, "transactions").await,
            count(&db, "change_feed").await,
        );
        let again = push(&state, &buyer, json!([confirm])).await;
        assert_eq!(again, first);
        assert_eq!(count(&db, "transactions").await, docs);
        assert_eq!(count(&db, "change_feed").await, feed);
        assert_eq!(held(&state, &buyer, cream, "C1").await, 12);

        let changed_lines = json!([{"product_id": cream, "quantity": 4, "unit": "瓶", "batch": "C1",
                                "expiry_date": "2029-10-31"}]);
        let res = push(&state, &buyer, json!([
        // A confirmation of the same item under another change id is refused.
        {"change_id": Uuid::new_v4(), "op": "confirm_reconciliation", "item_id": twelve,
         "document_id": Uuid::new_v4()},
        // The document id of an existing document is refused.
        {"change_id": Uuid::new_v4(), "op": "confirm_reconciliation", "item_id": five,
         "document_id": doc},
        // Other lines need a reason, as over REST.
        {"change_id": Uuid::new_v4(), "op": "confirm_reconciliation", "item_id": five,
         "document_id": Uuid::new_v4(), "lines": changed_lines},
        {"change_id": Uuid::new_v4(), "op": "confirm_reconciliation", "item_id": Uuid::new_v4(),
         "document_id": Uuid::new_v4()},
        // The same change id for another change.
        {"change_id": confirm["change_id"], "op": "confirm_reconciliation", "item_id": five,
         "document_id": Uuid::new_v4()},
    ]))
    .await;
        assert_eq!(
            outcomes(&res),
            [
                refused("reconciliation.not_pending"),
                refused("id.taken"),
                refused("reconciliation.reason_required"),
                refused("not_found"),
                refused("idempotency.key_reused"),
            ],
            "{res}"
        );
        assert_eq!(count(&db, "transactions").await, docs, "nothing written");

        let with_reason = push(
            &state,
            &buyer,
            json!([
                {"change_id": Uuid::new_v4(), "op": "confirm_reconciliation", "item_id": five,
                 "document_id": Uuid::new_v4(), "lines": changed_lines, "reason": "破损一瓶"},
            ]),
        )
        .await;
        assert_eq!(outcomes(&with_reason), [ok()], "{with_reason}");
        assert_eq!(held(&state, &buyer, cream, "C1").await, 16);
        let item = get(
            &state,
            &buyer,
            &format!("/api/v1/reconciliation/inbox/{five}"),
        )
        .await;
        assert_eq!(item["state"]["differences"][0]["received"], 4, "{item}");
    }
);

on_both_databases!(an_item_is_disputed_offline_once, |db| {
    let state = AppState::new(db.clone());
    let (seller, buyer, items) = two_items(&state, &db).await;
    let dispute = json!({"change_id": Uuid::new_v4(), "op": "dispute_reconciliation",
        "item_id": items[0], "reason": "未收到货"});
    let first = push(&state, &buyer, json!([dispute])).await;
    assert_eq!(outcomes(&first), [ok()], "{first}");
    let feed = count(&db, "change_feed").await;
    assert_eq!(push(&state, &buyer, json!([dispute])).await, first);
    assert_eq!(count(&db, "change_feed").await, feed);
    let item = get(
        &state,
        &buyer,
        &format!("/api/v1/reconciliation/inbox/{}", items[0]),
    )
    .await;
    assert_eq!(item["state"]["state"], "disputed", "{item}");
    assert_eq!(item["state"]["reason"], "未收到货");

    let res = push(&state, &buyer, json!([
        {"change_id": Uuid::new_v4(), "op": "dispute_reconciliation", "item_id": items[0], "reason": "again"},
        {"change_id": Uuid::new_v4(), "op": "dispute_reconciliation", "item_id": items[1], "reason": " "},
    ]))
    .await;
    assert_eq!(
        outcomes(&res),
        [refused("reconciliation.not_pending"), refused("required")]
    );
    // Only the addressee acts on an item.
    let theirs = push(&state, &seller, json!([
        {"change_id": Uuid::new_v4(), "op": "dispute_reconciliation", "item_id": items[1], "reason": "x"},
    ]))
    .await;
    assert_eq!(outcomes(&theirs), [refused("not_found")]);
});

on_both_databases!(a_recall_is_acknowledged_and_reported_offline_once, |db| {
    let state = AppState::new(db.clone());
    let c = chain(&state, &db).await;
    let [s1, _, s3] = &c.salons;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let (status, created) = call(
        &state,
        "POST",
        "/api/v1/regulator/recalls",
        Some(&gansu),
        None,
        Some(
            json!({"product_id": c.cream, "batches": ["A"], "level": "one",
               "reason": "菌落总数超标", "scope": "甘肃省", "deadline": "2099-12-31"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["recall"]["id"].as_str().unwrap().to_owned();

    // The holder's pull carries its own progress: what it held when reached.
    let pulled = get(&state, s1, "/api/v1/sync/pull?cursor=0&limit=1000").await;
    let row = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|r| r["entity"] == "recall")
        .expect("recall row");
    let progress = row["body"]["progress"].as_array().expect("progress");
    assert_eq!(progress.len(), 1, "only its own row: {row}");
    assert_eq!(progress[0]["enterprise_id"], s1.id.to_string());
    assert_eq!(progress[0]["quantity_held"], 10);
    assert_eq!(progress[0]["acknowledged_at"], Value::Null);

    let changes = json!([
        {"change_id": Uuid::new_v4(), "op": "acknowledge_recall", "recall_id": id},
        {"change_id": Uuid::new_v4(), "op": "report_recall", "recall_id": id,
         "quantity_returned": 6, "quantity_destroyed": 4},
    ]);
    let first = push(&state, s1, changes.clone()).await;
    assert_eq!(outcomes(&first), [ok(), ok()], "{first}");
    let audits = count(&db, "audit_log").await;
    assert_eq!(push(&state, s1, changes).await, first);
    assert_eq!(
        count(&db, "audit_log").await,
        audits,
        "a resent change writes nothing"
    );

    let res = push(
        &state,
        s1,
        json!([
            {"change_id": Uuid::new_v4(), "op": "report_recall", "recall_id": id,
             "quantity_returned": 8, "quantity_destroyed": 3},
        ]),
    )
    .await;
    assert_eq!(outcomes(&res), [refused("recall.report_exceeds_held")]);
    let not_reached = push(
        &state,
        s3,
        json!([
            {"change_id": Uuid::new_v4(), "op": "acknowledge_recall", "recall_id": id},
        ]),
    )
    .await;
    assert_eq!(outcomes(&not_reached), [refused("not_found")]);

    let mine = get(&state, s1, &format!("/api/v1/recalls/{id}")).await;
    let row = &mine["mine"];
    assert!(row["acknowledged_at"].is_string(), "{mine}");
    assert_eq!(
        (
            row["quantity_returned"].as_u64(),
            row["quantity_destroyed"].as_u64()
        ),
        (Some(6), Some(4))
    );
    // And its next pull says so.
    let cursor = pulled["next_cursor"].as_i64().unwrap();
    let later = get(
        &state,
        s1,
        &format!("/api/v1/sync/pull?cursor={cursor}&limit=1000"),
    )
    .await;
    let row = later["changes"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|r| r["entity"] == "recall")
        .expect("recall row after the report");
    assert_eq!(row["body"]["progress"][0]["quantity_returned"], 6, "{row}");
    assert!(row["body"]["progress"][0]["acknowledged_at"].is_string());
});
