//! Stock by product and batch, and the document hash chain, through the router on both
//! databases.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::json;
use suyuan_server::AppState;

on_both_databases!(stock_lists_by_product_and_batch_with_filters, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let lotion = product(&db, a.id, "舒唯雅保湿乳").await;
    let mut soon = line(lotion, "L1", 7);
    soon["expiry_date"] = json!("2027-01-31");
    save_and_submit(
        &state,
        &a,
        draft(
            "finished_goods_inbound",
            None,
            vec![line(cream, "C1", 20), line(cream, "C2", 5), soon],
        ),
    )
    .await;
    let customer = json!({"name": "城关区丽人化妆品店"});
    save_and_submit(
        &state,
        &a,
        draft("sales_outbound", Some(customer), vec![line(cream, "C1", 6)]),
    )
    .await;

    let get = |q: String, token: String| {
        let state = state.clone();
        async move {
            let (status, page) = call(
                &state,
                "GET",
                &format!("/api/v1/stock{q}"),
                Some(&token),
                None,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page
        }
    };
    let all = get(String::new(), a.token.clone()).await;
    assert_eq!(all["total"], 3);
    let c1 = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["batch"] == "C1")
        .unwrap()
        .clone();
    assert_eq!(
        (
            c1["inbound"].as_u64(),
            c1["outbound"].as_u64(),
            c1["held"].as_i64()
        ),
        (Some(20), Some(6), Some(14))
    );
    assert_eq!(c1["product_name"], "舒唯雅皮肤身体护肤霜");
    // 肤 finds the cream's two batches, not the lotion.
    assert_eq!(
        get("?q=%E8%82%A4".into(), a.token.clone()).await["total"],
        2
    );
    assert_eq!(
        get(format!("?product_id={lotion}"), a.token.clone()).await["total"],
        1
    );
    let expiring = get("?expiring_before=2027-06-01".into(), a.token.clone()).await;
    assert_eq!(
        (
            expiring["total"].as_u64(),
            expiring["items"][0]["batch"].as_str()
        ),
        (Some(1), Some("L1"))
    );
    let page = get("?per_page=2&page=2".into(), a.token.clone()).await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["items"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1))
    );
    // Another enterprise sees none of it.
    assert_eq!(get(String::new(), b.token.clone()).await["total"], 0);
    assert_eq!(
        get(format!("?product_id={cream}"), b.token.clone()).await["total"],
        0
    );
});

on_both_databases!(the_chain_detects_a_body_changed_behind_the_service, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let mut ids = vec![];
    for q in [10, 20, 30] {
        ids.push(
            save_and_submit(
                &state,
                &a,
                draft("finished_goods_inbound", None, vec![line(cream, "C1", q)]),
            )
            .await,
        );
    }
    save(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "C1", 1)]),
    )
    .await;
    let verify = |token: String| {
        let state = state.clone();
        async move {
            let (status, r) = call(
                &state,
                "GET",
                "/api/v1/chain/verify",
                Some(&token),
                None,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{r}");
            r
        }
    };
    assert_eq!(
        verify(a.token.clone()).await,
        json!({"ok": true, "checked": 3, "first_bad": null})
    );
    assert_eq!(
        verify(b.token.clone()).await,
        json!({"ok": true, "checked": 0, "first_bad": null})
    );

    // Someone with database access turns 20 into 200.
    let body: String = {
        use sqlx::Row;
        sqlx::query("SELECT body FROM transactions WHERE id = $1")
            .bind(&ids[1])
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .try_get("body")
            .unwrap()
    };
    let forged = body.replace("\"quantity\":20", "\"quantity\":200");
    assert_ne!(forged, body);
    sqlx::query("UPDATE transactions SET body = $1 WHERE id = $2")
        .bind(forged)
        .bind(&ids[1])
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        verify(a.token.clone()).await,
        json!({"ok": false, "checked": 2, "first_bad": ids[1]})
    );
    assert_eq!(
        verify(b.token.clone()).await["ok"],
        true,
        "other chains are unaffected"
    );

    // Putting the body back but dropping the last document is caught by the stored head.
    sqlx::query("UPDATE transactions SET body = $1 WHERE id = $2")
        .bind(body)
        .bind(&ids[1])
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(verify(a.token.clone()).await["ok"], true);
    sqlx::query("UPDATE transactions SET status = 'draft' WHERE id = $1")
        .bind(&ids[2])
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        verify(a.token.clone()).await,
        json!({"ok": false, "checked": 2, "first_bad": null})
    );
});

on_both_databases!(a_recalled_batch_is_not_sold_but_may_go_back, |db| {
    use suyuan_core::model::*;
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &b,
        draft(
            "purchase_inbound",
            Some(a.counterparty()),
            vec![line(cream, "R1", 5), line(cream, "OK", 5)],
        ),
    )
    .await;
    // A regulator's recall of batch R1, stored as the recalls module will store it.
    let recall = Recall {
        id: RecallId::random(),
        initiator: RecallInitiator::Regulator {
            region_code: "620102".into(),
        },
        product_id: cream,
        product_name: "舒唯雅皮肤身体护肤霜".into(),
        batches: vec!["R1".into()],
        level: RecallLevel::Two,
        reason: "微生物超标".into(),
        start_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        deadline: None,
        completed_on: None,
        scope: "甘肃省".into(),
        status: RecallStatus::Active,
        progress: vec![],
    };
    sqlx::query(
        "INSERT INTO recalls (id, product_id, status, initiator_region_code, search, body, created_at, updated_at) \
         VALUES ($1, $2, 'active', '620102', '', $3, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
    )
    .bind(recall.id.to_string())
    .bind(cream.to_string())
    .bind(serde_json::to_string(&recall).unwrap())
    .execute(&db.pool)
    .await
    .unwrap();
    let customer = json!({"name": "个人消费者"});
    let id = save(
        &state,
        &b,
        draft(
            "sales_outbound",
            Some(customer),
            vec![line(cream, "OK", 1), line(cream, "R1", 1)],
        ),
    )
    .await;
    let (status, err) = submit(&state, &b, &id, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(
        fields(&err),
        [("lines[1].batch".to_owned(), "sale.recalled".to_owned())]
    );
    // Returning the recalled batch to the supplier is what the recall asks for.
    save_and_submit(
        &state,
        &b,
        draft(
            "purchase_return",
            Some(a.counterparty()),
            vec![line(cream, "R1", 5)],
        ),
    )
    .await;
    assert_eq!(held(&state, &b, cream, "R1").await, 0);
    assert_eq!(held(&state, &b, cream, "OK").await, 5);
});
