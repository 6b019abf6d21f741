//! The reconciliation inbox through the router on both databases: a sale to a registered buyer
//! lands in its inbox; confirming (with differences) submits the buyer's inbound; a purchase
//! return lands in the seller's inbox; disputes; nobody but the addressee sees an item.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::json;
use suyuan_server::AppState;

on_both_databases!(
    a_sale_is_confirmed_short_and_a_return_reaches_the_seller,
    |db| {
        let state = AppState::new(db.clone());
        let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
        let b = register(&state, 2, "城关区丽人化妆品店").await;
        let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
        let lotion = product(&db, a.id, "舒唯雅保湿乳").await;
        save_and_submit(
            &state,
            &a,
            draft(
                "finished_goods_inbound",
                None,
                vec![line(cream, "C1", 20), line(lotion, "L1", 10)],
            ),
        )
        .await;
        let sale = save_and_submit(
            &state,
            &a,
            draft(
                "sales_outbound",
                Some(b.counterparty()),
                vec![line(cream, "C1", 6), line(lotion, "L1", 4)],
            ),
        )
        .await;
        assert!(
            inbox(&state, &a, "").await.is_empty(),
            "the seller's inbox stays empty"
        );
        let items = inbox(&state, &b, "?state=pending&kind=purchase_inbound").await;
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(
            (item["source"].as_str(), item["state"]["state"].as_str()),
            (Some(sale.as_str()), Some("pending"))
        );
        let item_id = item["id"].as_str().unwrap().to_owned();
        let confirm = format!("/api/v1/reconciliation/inbox/{item_id}/confirm");

        // One lotion short: the difference needs a reason.
        let received = json!([line(cream, "C1", 6), line(lotion, "L1", 3)]);
        let (status, err) = call(
            &state,
            "POST",
            &confirm,
            Some(&b.token),
            None,
            Some(json!({"lines": received})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [(
                "reason".to_owned(),
                "reconciliation.reason_required".to_owned()
            )]
        );
        let (status, done) = call(
        &state,
        "POST",
        &confirm,
        Some(&b.token),
        None,
        Some(json!({"lines": received, "reason": "到货少一瓶", "date": "2026-11-03", "contact": "李店长"})),
    )
    .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["item"]["state"]["state"], "confirmed");
        let diffs = done["item"]["state"]["differences"].as_array().unwrap();
        assert_eq!(diffs.len(), 1);
        assert_eq!(
            (diffs[0]["sent"].as_u64(), diffs[0]["received"].as_u64()),
            (Some(4), Some(3))
        );
        assert_eq!(diffs[0]["product_id"], json!(lotion));
        assert_eq!(done["document"]["kind"], "purchase_inbound");
        assert_eq!(done["document"]["status"]["state"], "submitted");
        assert_eq!(
            done["document"]["counterparty"]["enterprise_id"],
            json!(a.id)
        );

        assert_eq!(
            (
                held(&state, &a, cream, "C1").await,
                held(&state, &a, lotion, "L1").await
            ),
            (14, 6)
        );
        assert_eq!(
            (
                held(&state, &b, cream, "C1").await,
                held(&state, &b, lotion, "L1").await
            ),
            (6, 3)
        );
        let (status, again) = call(
            &state,
            "POST",
            &confirm,
            Some(&b.token),
            None,
            Some(json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");

        // B returns one cream: A's inbox gets the sales return; A confirms it.
        save_and_submit(
            &state,
            &b,
            draft(
                "purchase_return",
                Some(a.counterparty()),
                vec![line(cream, "C1", 1)],
            ),
        )
        .await;
        assert_eq!(held(&state, &b, cream, "C1").await, 5);
        let items = inbox(&state, &a, "?state=pending").await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "sales_return");
        let path = format!(
            "/api/v1/reconciliation/inbox/{}/confirm",
            items[0]["id"].as_str().unwrap()
        );
        let (status, done) =
            call(&state, "POST", &path, Some(&a.token), None, Some(json!({}))).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["document"]["kind"], "sales_return");
        assert_eq!(held(&state, &a, cream, "C1").await, 15);
        assert!(inbox(&state, &a, "?state=pending").await.is_empty());
        // Each enterprise's chain holds its own submitted documents.
        for (who, n) in [(&a, 3), (&b, 2)] {
            let (_, report) = call(
                &state,
                "GET",
                "/api/v1/chain/verify",
                Some(&who.token),
                None,
                None,
            )
            .await;
            assert_eq!(
                (report["ok"].as_bool(), report["checked"].as_u64()),
                (Some(true), Some(n))
            );
        }
    }
);

on_both_databases!(an_item_is_disputed_once_with_a_reason, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "C1", 20)]),
    )
    .await;
    save_and_submit(
        &state,
        &a,
        draft(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, "C1", 6)],
        ),
    )
    .await;
    let id = inbox(&state, &b, "").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/reconciliation/inbox/{id}/dispute");
    let (status, err) = call(
        &state,
        "POST",
        &path,
        Some(&b.token),
        None,
        Some(json!({"reason": "  "})),
    )
    .await;
    assert_eq!(
        (status, fields(&err)[0].0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reason")
    );
    let (status, item) = call(
        &state,
        "POST",
        &path,
        Some(&b.token),
        None,
        Some(json!({"reason": "从未收到此批货"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(
        item["state"],
        json!({"state": "disputed", "reason": "从未收到此批货"})
    );
    let (status, _) = call(
        &state,
        "POST",
        &path,
        Some(&b.token),
        None,
        Some(json!({"reason": "again"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(inbox(&state, &b, "?state=disputed").await.len(), 1);
    assert_eq!(
        held(&state, &b, cream, "C1").await,
        0,
        "a dispute moves no stock"
    );
});

on_both_databases!(only_the_addressee_sees_or_acts_on_an_item, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let c = register(&state, 3, "七里河区美妆店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "C1", 20)]),
    )
    .await;
    save_and_submit(
        &state,
        &a,
        draft(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, "C1", 6)],
        ),
    )
    .await;
    let id = inbox(&state, &b, "").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for who in [&a, &c] {
        assert!(inbox(&state, who, "").await.is_empty());
        let base = format!("/api/v1/reconciliation/inbox/{id}");
        for (method, path, body) in [
            ("GET", base.clone(), None),
            ("POST", format!("{base}/confirm"), Some(json!({}))),
            (
                "POST",
                format!("{base}/dispute"),
                Some(json!({"reason": "不是我的"})),
            ),
        ] {
            let (status, _) = call(&state, method, &path, Some(&who.token), None, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        }
    }
    let (_, item) = call(
        &state,
        "GET",
        &format!("/api/v1/reconciliation/inbox/{id}"),
        Some(&b.token),
        None,
        None,
    )
    .await;
    assert_eq!(item["state"]["state"], "pending", "nothing changed");
    assert_eq!(held(&state, &c, cream, "C1").await, 0);
});

on_both_databases!(
    a_buyer_s_own_inbound_matches_and_an_unmatched_one_reaches_the_seller,
    |db| {
        let state = AppState::new(db.clone());
        let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
        let b = register(&state, 2, "城关区丽人化妆品店").await;
        let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
        save_and_submit(
            &state,
            &a,
            draft("finished_goods_inbound", None, vec![line(cream, "C1", 20)]),
        )
        .await;
        save_and_submit(
            &state,
            &a,
            draft(
                "sales_outbound",
                Some(b.counterparty()),
                vec![line(cream, "C1", 6)],
            ),
        )
        .await;
        let feed_b = |db: suyuan_server::db::Db, id: String| async move {
            use sqlx::Row;
            sqlx::query(
                "SELECT entity, entity_id FROM change_feed WHERE enterprise_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("entity").unwrap())
            .collect::<Vec<_>>()
        };
        // The new item, and the product it carries for the buyer's phone to cache.
        assert_eq!(
            feed_b(db.clone(), b.id.to_string()).await,
            ["reconciliation_item", "product"],
            "the buyer's feed has the new item"
        );

        // B records the same purchase inbound itself: the item is confirmed without differences.
        save_and_submit(
            &state,
            &b,
            draft(
                "purchase_inbound",
                Some(a.counterparty()),
                vec![line(cream, "C1", 6)],
            ),
        )
        .await;
        assert!(inbox(&state, &b, "?state=pending").await.is_empty());
        let confirmed = inbox(&state, &b, "?state=confirmed").await;
        assert_eq!(confirmed[0]["state"]["differences"], json!([]));

        // An inbound A never sent lands in A's inbox as unmatched.
        save_and_submit(
            &state,
            &b,
            draft(
                "purchase_inbound",
                Some(a.counterparty()),
                vec![line(cream, "C1", 2)],
            ),
        )
        .await;
        let items = inbox(&state, &a, "?state=pending").await;
        assert_eq!(
            (items.len(), items[0]["kind"].as_str()),
            (1, Some("unmatched_inbound"))
        );
        assert_eq!(held(&state, &b, cream, "C1").await, 8);
    }
);

on_both_databases!(a_corrected_sale_supersedes_its_item, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "C1", 20)]),
    )
    .await;
    let sale = save_and_submit(
        &state,
        &a,
        draft(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, "C1", 6)],
        ),
    )
    .await;
    let mut fix = draft(
        "sales_outbound",
        Some(b.counterparty()),
        vec![line(cream, "C1", 5)],
    );
    fix["corrects"] = json!(sale);
    let fix = save_and_submit(&state, &a, fix).await;
    assert_eq!(held(&state, &a, cream, "C1").await, 15);
    let pending = inbox(&state, &b, "?state=pending").await;
    assert_eq!(
        (pending.len(), pending[0]["source"].as_str()),
        (1, Some(fix.as_str()))
    );
    let old = inbox(&state, &b, "?state=superseded").await;
    assert_eq!(old[0]["source"], json!(sale));
    assert_eq!(old[0]["state"]["by"], pending[0]["id"]);
});

on_both_databases!(a_retried_confirmation_changes_nothing, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "C1", 20)]),
    )
    .await;
    save_and_submit(
        &state,
        &a,
        draft(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, "C1", 6)],
        ),
    )
    .await;
    let id = inbox(&state, &b, "").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/reconciliation/inbox/{id}/confirm");
    let key = [("idempotency-key", "confirm-1")];
    let body = json!({"date": "2026-11-03"});
    let (s1, first, _) = call_with(&state, "POST", &path, &b.token, &key, Some(body.clone())).await;
    let rows = (
        count(&db, "transactions").await,
        count(&db, "change_feed").await,
        count(&db, "audit_log").await,
    );
    let (s2, second, headers) = call_with(&state, "POST", &path, &b.token, &key, Some(body)).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{second}");
    assert_eq!(first, second);
    assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(
        rows,
        (
            count(&db, "transactions").await,
            count(&db, "change_feed").await,
            count(&db, "audit_log").await
        )
    );
    assert_eq!(held(&state, &b, cream, "C1").await, 6);
});
