//! The phone's sync on both databases: pushed changes apply once by their change ids, a pull
//! returns the feed in order with an advancing cursor, the buyer's pull shows the item the
//! seller's sale created, and no enterprise sees or writes another's records.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use uuid::Uuid;

fn product_body(name: &str) -> Value {
    json!({"generic_name": name, "brand": "舒唯雅", "registration_number": "国妆特字G20210001",
           "registrant": "广州舒唯雅化妆品有限公司", "manufacturer": "广州舒唯雅化妆品有限公司",
           "specification": "50g", "shelf_life_months": 36})
}

fn sync_line(product: Uuid, batch: &str, quantity: u32) -> Value {
    json!({"product_id": product, "quantity": quantity, "unit": "瓶", "batch": batch,
           "expiry_date": "2029-10-31"})
}

async fn pull(state: &AppState, who: &Party, cursor: i64, limit: u32) -> Value {
    let (status, body) = call(
        state,
        "GET",
        &format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}"),
        Some(&who.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
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

fn statuses(res: &Value) -> Vec<String> {
    res["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status").to_owned())
        .collect()
}

on_both_databases!(push_then_pull_in_order_once, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let (cream, inbound, sale) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let changes = json!([
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream,
         "product": product_body("舒唯雅皮肤身体护肤霜")},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": inbound,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C1", 30)])},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": inbound},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": sale,
         "document": draft("sales_outbound", Some(b.counterparty()), vec![sync_line(cream, "C1", 12)])},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": sale},
    ]);
    let first = push(&state, &a, changes.clone()).await;
    assert_eq!(statuses(&first), ["ok"; 5], "{first}");
    let ids: Vec<&str> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [cream, inbound, inbound, sale, sale].map(|u| u.to_string())
    );
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 18);

    let feed_rows = count(&db, "change_feed").await;
    let docs = count(&db, "transactions").await;
    let again = push(&state, &a, changes).await;
    assert_eq!(again, first, "a change pushed again gets its first result");
    assert_eq!(count(&db, "change_feed").await, feed_rows);
    assert_eq!(count(&db, "transactions").await, docs);
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 18);

    // A refused change says why and writes nothing.
    let mut no_date = draft(
        "finished_goods_inbound",
        None,
        vec![sync_line(cream, "C2", 1)],
    );
    no_date.as_object_mut().unwrap().remove("date");
    let refused = push(&state, &a, json!([
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": Uuid::new_v4(), "document": no_date},
    ])).await;
    assert_eq!(statuses(&refused), ["rejected"]);
    assert_eq!(refused["results"][0]["problems"][0]["field"], "date");
    assert_eq!(count(&db, "transactions").await, docs);

    // The whole feed, in order, in pages.
    let all = pull(&state, &a, 0, 100).await;
    let rows = all["changes"].as_array().expect("changes");
    let seqs: Vec<i64> = rows.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(all["next_cursor"].as_i64(), seqs.last().copied());
    assert_eq!(all["more"], false);
    let seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["entity"].as_str().unwrap().to_owned(),
                r["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |e: &str, id: Uuid| {
        seen.iter()
            .position(|s| *s == (e.to_owned(), id.to_string()))
    };
    let p = at("product", cream).expect("product row");
    let i = at("transaction", inbound).expect("inbound row");
    let s = seen
        .iter()
        .rposition(|r| *r == ("transaction".to_owned(), sale.to_string()))
        .expect("sale row");
    assert!(p < i && i < s, "{seen:?}");
    assert!(
        seen.iter().any(|(e, _)| e == "reconciliation_item"),
        "the seller sees its outgoing item"
    );
    let last_sale = &rows[s];
    assert_eq!(last_sale["body"]["id"], sale.to_string());
    assert!(
        last_sale["body"]["status"]
            .to_string()
            .contains("submitted"),
        "{last_sale}"
    );

    let page = pull(&state, &a, 0, 2).await;
    assert_eq!(page["changes"].as_array().unwrap().len(), 2);
    assert_eq!(page["more"], true);
    let cursor = page["next_cursor"].as_i64().unwrap();
    assert_eq!(cursor, seqs[1]);
    let rest = pull(&state, &a, cursor, 100).await;
    let rest_seqs: Vec<i64> = rest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(rest_seqs, seqs[2..]);
    let end = rest["next_cursor"].as_i64().unwrap();
    let empty = pull(&state, &a, end, 100).await;
    assert_eq!(empty["changes"], json!([]));
    assert_eq!(empty["next_cursor"].as_i64(), Some(end));
    assert_eq!(empty["more"], false);

    // The buyer's pull shows the item the sale created and the product it carries (for the
    // phone's offline library), and none of A's own records.
    let theirs = pull(&state, &b, 0, 100).await;
    let rows = theirs["changes"].as_array().expect("changes");
    let item = rows
        .iter()
        .find(|r| r["entity"] == "reconciliation_item")
        .expect("item for B");
    assert_eq!(item["body"]["source"], sale.to_string());
    assert_eq!(item["body"]["to"], b.id.to_string());
    let entities: Vec<&str> = rows.iter().map(|r| r["entity"].as_str().unwrap()).collect();
    assert_eq!(entities, ["reconciliation_item", "product"], "{theirs}");
    assert_eq!(rows[1]["id"], item["body"]["lines"][0]["product_id"]);
});

on_both_databases!(no_enterprise_sees_or_writes_anothers_records, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let (cream, draft_id) = (Uuid::new_v4(), Uuid::new_v4());
    let res = push(&state, &a, json!([
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream, "product": product_body("面霜")},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": draft_id,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C1", 3)])},
    ])).await;
    assert_eq!(statuses(&res), ["ok", "ok"], "{res}");
    let b_draft = Uuid::new_v4();
    let res = push(&state, &b, json!([
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": draft_id},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": draft_id,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "B1", 3)])},
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream, "product": product_body("冒名")},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": b_draft,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "B1", 3)])},
    ])).await;
    assert_eq!(
        statuses(&res),
        ["rejected", "rejected", "rejected", "ok"],
        "{res}"
    );
    assert_eq!(res["results"][0]["problems"][0]["rule"], "not_found");
    assert_eq!(res["results"][1]["problems"][0]["rule"], "id.taken");
    assert_eq!(res["results"][2]["problems"][0]["rule"], "id.taken");
    let (s, doc) = call(
        &state,
        "GET",
        &format!("/api/v1/transactions/{draft_id}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["status"]["state"], "draft", "{doc}");

    let a_rows = pull(&state, &a, 0, 100).await;
    let b_rows = pull(&state, &b, 0, 100).await;
    let ids = |v: &Value| -> Vec<String> {
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        !ids(&a_rows).contains(&b_draft.to_string()),
        "A never sees B's draft"
    );
    assert!(ids(&b_rows).contains(&b_draft.to_string()));
    assert!(
        !ids(&b_rows).contains(&draft_id.to_string()),
        "B never sees A's draft"
    );
    assert!(
        !ids(&b_rows).contains(&cream.to_string()),
        "A's product is not in B's feed"
    );
    // Pulling needs a token.
    let (s, _) = call(
        &state,
        "GET",
        "/api/v1/sync/pull?cursor=0",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
});

on_both_databases!(an_edit_pushed_again_gets_its_first_answer, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let (cream, doc) = (Uuid::new_v4(), Uuid::new_v4());
    let edit = |qty: u32| {
        json!({"change_id": Uuid::new_v4(), "op": "update_transaction", "id": doc,
               "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C1", qty)])})
    };
    let (first_edit, second_edit) = (edit(5), edit(7));
    let first = push(&state, &a, json!([
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream, "product": product_body("面霜")},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": doc,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C1", 3)])},
        first_edit.clone(),
        second_edit,
    ]))
    .await;
    assert_eq!(statuses(&first), ["ok"; 4], "{first}");

    // The first edit again, as after a lost answer: the later edit stands.
    let again = push(&state, &a, json!([first_edit.clone()])).await;
    assert_eq!(again["results"][0], first["results"][2]);
    let path = format!("/api/v1/transactions/{doc}");
    let (s, body) = call(&state, "GET", &path, Some(&a.token), None, None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["lines"][0]["quantity"], 7, "{body}");

    // And again once the draft is submitted: still its first answer, not a refusal.
    let submitted = push(
        &state,
        &a,
        json!([
            {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": doc},
        ]),
    )
    .await;
    assert_eq!(statuses(&submitted), ["ok"], "{submitted}");
    let feed_rows = count(&db, "change_feed").await;
    let again = push(&state, &a, json!([first_edit])).await;
    assert_eq!(again["results"][0], first["results"][2], "{again}");
    assert_eq!(count(&db, "change_feed").await, feed_rows);
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 7);
});

on_both_databases!(a_push_delivered_twice_at_once_writes_once, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let (cream, doc) = (Uuid::new_v4(), Uuid::new_v4());
    let changes = json!([
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream, "product": product_body("面霜")},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": doc,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C1", 3)])},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": doc},
    ]);
    let (products, docs) = (
        count(&db, "products").await,
        count(&db, "transactions").await,
    );
    // A retry overtaking a slow first delivery: both are answered, each change applied once.
    let (first, second) =
        tokio::join!(push(&state, &a, changes.clone()), push(&state, &a, changes));
    assert_eq!(statuses(&first), ["ok"; 3], "{first}");
    assert_eq!(second, first);
    assert_eq!(count(&db, "products").await, products + 1);
    assert_eq!(count(&db, "transactions").await, docs + 1);
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 3);
});

on_both_databases!(
    barcodes_reach_the_owner_and_every_buyer_of_their_product,
    |db| {
        let state = AppState::new(db.clone());
        let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
        let b = register(&state, 2, "城关区丽人化妆品店").await;
        let (cream, inbound, sale) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let res = push(
            &state,
            &a,
            json!([
                {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream,
                 "product": product_body("舒唯雅皮肤身体护肤霜")},
            ]),
        )
        .await;
        assert_eq!(statuses(&res), ["ok"], "{res}");
        let (status, created) = call(
            &state,
            "POST",
            "/api/v1/barcodes",
            Some(&a.token),
            None,
            Some(
                json!({"product_id": cream, "gtin": "6901234567892", "specification": "50g",
                    "package_specification": "1支", "level": "unit", "contains_quantity": 1}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let barcode = created["barcode"]["id"].clone();

        // The owner's phones learn the barcode from its own feed.
        let mine = pull(&state, &a, 0, 100).await;
        let row = mine["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["entity"] == "barcode")
            .unwrap_or_else(|| panic!("no barcode row in {mine}"));
        assert_eq!(
            (&row["id"], &row["body"]["gtin"]),
            (&barcode, &json!("6901234567892"))
        );

        // A buyer's phone gets the product and its barcode with the item of the sale.
        let res = push(&state, &a, json!([
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": inbound,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C1", 30)])},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": inbound},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": sale,
         "document": draft("sales_outbound", Some(b.counterparty()), vec![sync_line(cream, "C1", 12)])},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": sale},
    ]))
    .await;
        assert_eq!(statuses(&res), ["ok"; 4], "{res}");
        let theirs = pull(&state, &b, 0, 100).await;
        let rows: Vec<(&str, &Value)> = theirs["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["entity"].as_str().unwrap(), &r["id"]))
            .collect();
        assert_eq!(
            rows[1..],
            [("product", &json!(cream)), ("barcode", &barcode)],
            "{theirs}"
        );
        assert_eq!(rows[0].0, "reconciliation_item");
    }
);

on_both_databases!(a_refused_change_mid_push_stands_alone, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = Uuid::new_v4();
    let res = push(&state, &a, json!([
        {"change_id": Uuid::new_v4(), "op": "save_product", "id": cream, "product": product_body("面霜")},
    ]))
    .await;
    assert_eq!(statuses(&res), ["ok"], "{res}");
    let numbered = |batch: &str, quantity: u32| {
        let mut d = draft(
            "finished_goods_inbound",
            None,
            vec![sync_line(cream, batch, quantity)],
        );
        d["number"] = json!("CPRK-20261102-0001");
        d
    };
    let (first, twin, sale, third) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let changes = json!([
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": first, "document": numbered("C1", 5)},
        // The number is taken: refused by the unique key, a failed statement mid-transaction.
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": twin, "document": numbered("C2", 3)},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": first},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": sale,
         "document": draft("sales_outbound", Some(b.counterparty()), vec![sync_line(cream, "C1", 50)])},
        // More than the batch holds: refused at submit.
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": sale},
        {"change_id": Uuid::new_v4(), "op": "save_transaction", "id": third,
         "document": draft("finished_goods_inbound", None, vec![sync_line(cream, "C3", 2)])},
        {"change_id": Uuid::new_v4(), "op": "submit_transaction", "id": third},
    ]);
    let (feed_rows, audits, answers) = (
        count(&db, "change_feed").await,
        count(&db, "audit_log").await,
        count(&db, "idempotency_keys").await,
    );
    let res = push(&state, &a, changes.clone()).await;
    assert_eq!(
        statuses(&res),
        ["ok", "rejected", "ok", "ok", "rejected", "ok", "ok"],
        "{res}"
    );
    assert_eq!(res["results"][1]["problems"][0]["rule"], "number.taken");
    assert!(
        res["results"][4]["problems"][0]["rule"].is_string(),
        "{res}"
    );
    // Five applied changes, one feed row, audit row and answer each; nothing of the refused.
    assert_eq!(count(&db, "change_feed").await, feed_rows + 5);
    assert_eq!(count(&db, "audit_log").await, audits + 5);
    assert_eq!(count(&db, "idempotency_keys").await, answers + 5);
    let get = |id: Uuid| {
        let state = state.clone();
        let token = a.token.clone();
        async move {
            call(
                &state,
                "GET",
                &format!("/api/v1/transactions/{id}"),
                Some(&token),
                None,
                None,
            )
            .await
        }
    };
    assert_eq!(get(twin).await.0, StatusCode::NOT_FOUND);
    let (s, doc) = get(sale).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["status"]["state"], "draft", "{doc}");
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 5);
    assert_eq!(held(&state, &a, cream.into(), "C3").await, 2);

    // Pushed again: the applied changes answer as before and write nothing; the refused ones
    // are refused again.
    let again = push(&state, &a, changes).await;
    assert_eq!(again, res);
    assert_eq!(count(&db, "change_feed").await, feed_rows + 5);
    assert_eq!(count(&db, "idempotency_keys").await, answers + 5);
    assert_eq!(held(&state, &a, cream.into(), "C1").await, 5);
});
