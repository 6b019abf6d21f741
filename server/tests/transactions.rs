//! Documents through the router on both databases: drafts saved, edited and deleted; submit;
//! immutability; stock refusals and opening balances; concurrent submits; idempotent retries; lists;
//! other enterprises' documents answering 404.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::json;
use suyuan_server::AppState;
use suyuan_server::db;

on_both_databases!(a_draft_is_saved_edited_listed_and_deleted, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let (status, doc) = call(
        &state,
        "POST",
        "/api/v1/transactions",
        Some(&a.token),
        None,
        Some(draft(
            "finished_goods_inbound",
            None,
            vec![line(cream, "B2026", 10)],
        )),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(doc["status"]["state"], "draft");
    assert!(
        doc["number"]
            .as_str()
            .unwrap()
            .starts_with("CPRK-20261102-")
    );
    assert_eq!(
        doc["lines"][0]["product_name"], "舒唯雅皮肤身体护肤霜",
        "the name comes from the library"
    );

    let mut edited = draft(
        "finished_goods_inbound",
        None,
        vec![line(cream, "B2026", 12)],
    );
    edited["number"] = json!("CPRK-0001");
    let (status, doc) = call(
        &state,
        "PUT",
        &format!("/api/v1/transactions/{id}"),
        Some(&a.token),
        None,
        Some(edited),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["lines"][0]["quantity"], 12);
    let (_, got) = call(
        &state,
        "GET",
        &format!("/api/v1/transactions/{id}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(
        (got["number"].as_str(), got["lines"][0]["quantity"].as_u64()),
        (Some("CPRK-0001"), Some(12))
    );

    // The keyword matches product names, as the seed's 肤 finds 舒唯雅皮肤身体护肤霜.
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/transactions?q=%E8%82%A4",
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(page["total"], 1);
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/transactions?q=nothing-like-it",
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(page["total"], 0);

    let (status, _) = call(
        &state,
        "DELETE",
        &format!("/api/v1/transactions/{id}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &state,
        "GET",
        &format!("/api/v1/transactions/{id}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let trail = db::audit_trail(&db, "transaction", &id).await.expect("trail");
    let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
});

on_both_databases!(a_bad_draft_is_refused_naming_every_field, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let mut no_batch = line(cream, "", 1);
    no_batch.as_object_mut().unwrap().remove("batch");
    let body = draft(
        "sales_outbound",
        None,
        vec![
            line(cream, "B1", 0),
            no_batch,
            line(suyuan_core::model::ProductId::random(), "B1", 1),
        ],
    );
    let (status, err) = call(
        &state,
        "POST",
        "/api/v1/transactions",
        Some(&a.token),
        Some("en"),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let f = fields(&err);
    for (field, rule) in [
        ("counterparty", "required"),
        ("lines[0].quantity", "quantity.positive"),
        ("lines[1].batch", "required"),
        ("lines[2].product_id", "product.unknown"),
    ] {
        assert!(
            f.contains(&(field.into(), rule.into())),
            "{field} {rule} in {f:?}"
        );
    }
    assert_eq!(count(&db, "transactions").await, 0);
});

on_both_databases!(a_submitted_document_is_immutable, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let id = save(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "B1", 10)]),
    )
    .await;
    let (status, doc) = submit(&state, &a, &id, None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["status"]["state"], "submitted");
    assert_eq!(doc["content_hash"].as_str().map(str::len), Some(64));
    assert_eq!(held(&state, &a, cream, "B1").await, 10);

    let path = format!("/api/v1/transactions/{id}");
    let body = draft("finished_goods_inbound", None, vec![line(cream, "B1", 99)]);
    for (method, body) in [("PUT", Some(body)), ("DELETE", None)] {
        let (status, err) = call(&state, method, &path, Some(&a.token), None, body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{method} {err}");
        assert_eq!(
            fields(&err),
            [("status".to_owned(), "document.submitted".to_owned())]
        );
    }
    let (status, _) = submit(&state, &a, &id, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(held(&state, &a, cream, "B1").await, 10, "nothing changed");
});

on_both_databases!(selling_more_than_is_held_needs_an_opening_balance, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "B1", 5)]),
    )
    .await;
    let customer = json!({"name": "城关区丽人化妆品店"});
    let id = save(
        &state,
        &a,
        draft(
            "sales_outbound",
            Some(customer),
            vec![line(cream, "B1", 3), line(cream, "B2", 4)],
        ),
    )
    .await;
    let (feed, audit) = (
        count(&db, "change_feed").await,
        count(&db, "audit_log").await,
    );
    let (status, err) = submit(&state, &a, &id, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(
        fields(&err),
        [(
            "lines[1].quantity".to_owned(),
            "stock.insufficient".to_owned()
        )]
    );
    // A refused submit writes nothing.
    assert_eq!(
        (
            count(&db, "change_feed").await,
            count(&db, "audit_log").await
        ),
        (feed, audit)
    );
    assert_eq!(count(&db, "transaction_lines").await, 1);

    let (status, doc) = submit(
        &state,
        &a,
        &id,
        Some(json!({"opening_override": "系统上线前库存"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(held(&state, &a, cream, "B1").await, 2);
    assert_eq!(held(&state, &a, cream, "B2").await, 0);
    assert_eq!(count(&db, "opening_balances").await, 1);
});

on_both_databases!(a_retried_submit_or_save_changes_nothing, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let body = draft("finished_goods_inbound", None, vec![line(cream, "B1", 10)]);
    let key = [("idempotency-key", "save-1")];
    let (s1, first, _) = call_with(
        &state,
        "POST",
        "/api/v1/transactions",
        &a.token,
        &key,
        Some(body.clone()),
    )
    .await;
    let (s2, second, h2) = call_with(
        &state,
        "POST",
        "/api/v1/transactions",
        &a.token,
        &key,
        Some(body.clone()),
    )
    .await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first, second);
    assert_eq!(h2.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(count(&db, "transactions").await, 1);

    let id = first["id"].as_str().unwrap();
    let path = format!("/api/v1/transactions/{id}/submit");
    let key = [("idempotency-key", "submit-1")];
    let (s1, first, _) = call_with(&state, "POST", &path, &a.token, &key, None).await;
    let rows = (
        count(&db, "change_feed").await,
        count(&db, "audit_log").await,
        count(&db, "idempotency_keys").await,
    );
    let (s2, second, _) = call_with(&state, "POST", &path, &a.token, &key, None).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{second}");
    assert_eq!(first, second);
    assert_eq!(
        rows,
        (
            count(&db, "change_feed").await,
            count(&db, "audit_log").await,
            count(&db, "idempotency_keys").await
        )
    );
    assert_eq!(held(&state, &a, cream, "B1").await, 10);

    // The same key on another request is refused.
    let (status, err, _) = call_with(
        &state,
        "POST",
        "/api/v1/transactions",
        &a.token,
        &[("idempotency-key", "submit-1")],
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&err)[0].1, "idempotency.key_reused");
});

on_both_databases!(the_list_filters_sorts_and_pages, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    for (i, date) in ["2026-10-01", "2026-10-15", "2026-11-01"]
        .iter()
        .enumerate()
    {
        let mut d = draft("finished_goods_inbound", None, vec![line(cream, "B1", 10)]);
        d["date"] = json!(date);
        d["number"] = json!(format!("CP-{i}"));
        save_and_submit(&state, &a, d).await;
    }
    let mut sale = draft(
        "sales_outbound",
        Some(b.counterparty()),
        vec![line(cream, "B1", 1)],
    );
    sale["number"] = json!("XS-1");
    save(&state, &a, sale).await;
    let get = |q: &'static str| {
        let state = state.clone();
        let token = a.token.clone();
        async move {
            let (status, page) = call(
                &state,
                "GET",
                &format!("/api/v1/transactions{q}"),
                Some(&token),
                None,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page
        }
    };
    assert_eq!(get("?kind=sales_outbound").await["total"], 1);
    assert_eq!(get("?status=draft").await["items"][0]["number"], "XS-1");
    assert_eq!(
        get("?status=submitted&date_from=2026-10-10&date_to=2026-10-31").await["items"][0]["number"],
        "CP-1"
    );
    assert_eq!(
        get(&*format!("?counterparty={}", b.id).leak()).await["total"],
        1
    );
    let page = get("?sort=number&order=asc&per_page=2&page=2").await;
    assert_eq!(
        (page["total"].as_u64(), page["items"][0]["number"].as_str()),
        (Some(4), Some("CP-2"))
    );
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/transactions?sort=body",
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});

on_both_databases!(
    another_enterprise_neither_reads_nor_writes_my_documents,
    |db| {
        let state = AppState::new(db.clone());
        let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
        let b = register(&state, 2, "城关区丽人化妆品店").await;
        let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
        let draft_id = save(
            &state,
            &a,
            draft("finished_goods_inbound", None, vec![line(cream, "B1", 10)]),
        )
        .await;
        let done = save_and_submit(
            &state,
            &a,
            draft("finished_goods_inbound", None, vec![line(cream, "B2", 10)]),
        )
        .await;
        for id in [&draft_id, &done] {
            let path = format!("/api/v1/transactions/{id}");
            let body = draft("finished_goods_inbound", None, vec![line(cream, "B1", 1)]);
            for (method, path, body) in [
                ("GET", path.clone(), None),
                ("PUT", path.clone(), Some(body)),
                ("DELETE", path.clone(), None),
                ("POST", format!("{path}/submit"), None),
            ] {
                let (status, _) = call(&state, method, &path, Some(&b.token), None, body).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
            }
        }
        let (_, page) = call(
            &state,
            "GET",
            "/api/v1/transactions",
            Some(&b.token),
            None,
            None,
        )
        .await;
        assert_eq!(page["total"], 0);
        let (_, mine) = call(
            &state,
            "GET",
            &format!("/api/v1/transactions/{draft_id}"),
            Some(&a.token),
            None,
            None,
        )
        .await;
        assert_eq!(
            mine["status"]["state"], "draft",
            "B's attempts changed nothing"
        );
        let (status, _) = call(&state, "GET", "/api/v1/transactions", None, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, err) = call(
            &state,
            "GET",
            "/api/v1/transactions/not-an-id",
            Some(&a.token),
            None,
            None,
        )
        .await;
        assert_eq!(
            (status, err["message"].as_str()),
            (StatusCode::NOT_FOUND, Some("记录不存在"))
        );
    }
);

on_both_databases!(concurrent_submits_never_sell_the_same_stock_twice, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "B1", 5)]),
    )
    .await;
    let mut ids = vec![];
    for _ in 0..8 {
        let customer = json!({"name": "城关区丽人化妆品店"});
        ids.push(
            save(
                &state,
                &a,
                draft("sales_outbound", Some(customer), vec![line(cream, "B1", 1)]),
            )
            .await,
        );
    }
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (state, token) = (state.clone(), a.token.clone());
            tokio::spawn(async move {
                let path = format!("/api/v1/transactions/{id}/submit");
                call(&state, "POST", &path, Some(&token), None, None)
                    .await
                    .0
            })
        })
        .collect();
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((ok, refused), (5, 3), "{statuses:?}");
    assert_eq!(held(&state, &a, cream, "B1").await, 0);
    let (_, report) = call(
        &state,
        "GET",
        "/api/v1/chain/verify",
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(
        (report["ok"].as_bool(), report["checked"].as_u64()),
        (Some(true), Some(6))
    );
});
