//! Corrections (更正): a new document names the submitted one it replaces, which then stops
//! counting in stock; the original must be one of my submitted documents of the same kind.

mod common;
mod docs_support;

use axum::http::StatusCode;
use common::call;
use docs_support::*;
use serde_json::json;
use suyuan_server::AppState;

on_both_databases!(a_correction_replaces_the_original_in_stock, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let first = save_and_submit(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "B1", 10)]),
    )
    .await;
    let mut fix = draft("finished_goods_inbound", None, vec![line(cream, "B1", 8)]);
    fix["corrects"] = json!(first);
    let fix = save_and_submit(&state, &a, fix.clone()).await;
    assert_eq!(held(&state, &a, cream, "B1").await, 8);
    let (_, old) = call(
        &state,
        "GET",
        &format!("/api/v1/transactions/{first}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(old["corrected_by"], json!(fix));
    // The original can be corrected only once, a draft not at all (it is edited instead), and
    // only by a document of its kind.
    let pending = save(
        &state,
        &a,
        draft("finished_goods_inbound", None, vec![line(cream, "B9", 1)]),
    )
    .await;
    for (original, kind, rule) in [
        (
            &first,
            "finished_goods_inbound",
            "correction.already_corrected",
        ),
        (
            &pending,
            "finished_goods_inbound",
            "correction.original_draft",
        ),
        (&fix, "purchase_inbound", "correction.mismatch"),
    ] {
        let mut again = draft(kind, None, vec![line(cream, "B1", 7)]);
        again["corrects"] = json!(original);
        let (status, err) = call(
            &state,
            "POST",
            "/api/v1/transactions",
            Some(&a.token),
            None,
            Some(again),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert!(
            fields(&err).contains(&("corrects".to_owned(), rule.to_owned())),
            "{err}"
        );
    }
    // Drafts stay deletable: nothing can point at them.
    let (status, _) = call(
        &state,
        "DELETE",
        &format!("/api/v1/transactions/{pending}"),
        Some(&a.token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

on_both_databases!(a_correction_must_name_one_of_my_documents, |db| {
    let state = AppState::new(db.clone());
    let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
    let b = register(&state, 2, "城关区丽人化妆品店").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
    let theirs = save_and_submit(
        &state,
        &b,
        draft("finished_goods_inbound", None, vec![line(cream, "B1", 5)]),
    )
    .await;
    for original in [json!(theirs), json!(uuid::Uuid::new_v4())] {
        let mut fix = draft("finished_goods_inbound", None, vec![line(cream, "B1", 4)]);
        fix["corrects"] = original;
        let (status, err) = call(
            &state,
            "POST",
            "/api/v1/transactions",
            Some(&a.token),
            None,
            Some(fix),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            fields(&err),
            [("corrects".to_owned(), "correction.unknown".to_owned())]
        );
    }
});
