//! Nonconforming listings through the router on both databases: a regulator's sampling result
//! marks a batch everywhere — its holders are told (list, detail, phone pull) and a salon's
//! sale of it is refused while another batch still sells; regions and tenancy hold; an
//! enterprise records a finding about its own product only.

mod common;
mod docs_support;
mod recall_support;

use axum::http::StatusCode;
use common::call;
use docs_support::{draft, fields, line, save, submit};
use recall_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;

async fn get(state: &AppState, token: &str, path: &str) -> (StatusCode, Value) {
    call(state, "GET", path, Some(token), None, None).await
}

async fn post(state: &AppState, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(state, "POST", path, Some(token), Some("en"), Some(body)).await
}

on_both_databases!(
    a_listing_blocks_the_batch_everywhere_and_reaches_its_holders,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let [s1, s2, s3] = &c.salons;
        let lanzhou = regulator(&state, &db, "lanzhou", "620100").await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;

        // Before the listing, salon 2 can sell batch A (the draft is kept for later).
        let blocked = save(
            &state,
            s2,
            draft(
                "sales_outbound",
                Some(json!({"name": "零售顾客"})),
                vec![line(c.cream, "A", 2)],
            ),
        )
        .await;

        let (status, listed) = post(
            &state,
            &lanzhou,
            "/api/v1/regulator/nonconforming",
            json!({"product_id": c.cream, "batches": ["A"], "defect": "菌落总数超标",
                   "test_report_number": "GS2026-017", "handling_measures": "停止销售并召回"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{listed}");
        let id = listed["listing"]["id"].as_str().unwrap().to_owned();
        assert_eq!(listed["listing"]["source"], "sampling_inspection");
        assert_eq!(listed["listing"]["state"], "open");
        assert_eq!(listed["listing"]["status"]["state"], "submitted");
        let mut want = vec![
            holder(&c.maker, 100, 60),
            holder(&c.wholesaler, 40, 24),
            holder(s1, 10, 10),
            holder(s2, 6, 6),
        ];
        want.sort();
        assert_eq!(holders(&listed), want);

        // Salon 2's sale of batch A is refused; its sale of batch B goes through.
        let (status, err) = submit(&state, s2, &blocked, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            fields(&err),
            [("lines[0].batch".to_owned(), "sale.nonconforming".to_owned())]
        );
        let fine = save(
            &state,
            s2,
            draft(
                "sales_outbound",
                Some(json!({"name": "零售顾客"})),
                vec![line(c.cream, "B", 2)],
            ),
        )
        .await;
        let (status, doc) = submit(&state, s2, &fine, None).await;
        assert_eq!(status, StatusCode::OK, "{doc}");

        // Holders see it, with their own row only; salon 3 (no batch A) does not.
        let (_, page) = get(&state, &s2.token, "/api/v1/nonconforming").await;
        assert_eq!(page["total"], 1, "{page}");
        let (status, mine) = get(&state, &s2.token, &format!("/api/v1/nonconforming/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(holders(&mine), [holder(s2, 6, 6)]);
        assert!(
            pulled(&state, s1)
                .await
                .iter()
                .any(|ch| ch["entity"] == "nonconforming"
                    && ch["id"] == json!(id)
                    && ch["body"]["defect"] == "菌落总数超标")
        );
        let (_, page) = get(&state, &s3.token, "/api/v1/nonconforming").await;
        assert_eq!(page["total"], 0);
        let (status, _) = get(&state, &s3.token, &format!("/api/v1/nonconforming/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            pulled(&state, s3)
                .await
                .iter()
                .all(|ch| ch["entity"] != "nonconforming")
        );

        // The region's regulator lists it (keyword, state); another province does not see it.
        let (_, page) = get(
            &state,
            &lanzhou,
            "/api/v1/regulator/nonconforming?q=gs2026&state=open",
        )
        .await;
        assert_eq!(page["total"], 1);
        let (status, _) = get(
            &state,
            &sichuan,
            &format!("/api/v1/regulator/nonconforming/{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, page) = get(&state, &sichuan, "/api/v1/regulator/nonconforming").await;
        assert_eq!(page["total"], 0);
        let (status, err) = get(
            &state,
            &lanzhou,
            "/api/v1/regulator/nonconforming?state=lost",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [("state".to_owned(), "param.invalid".to_owned())]
        );
        let (status, err) = post(
            &state,
            &sichuan,
            "/api/v1/regulator/nonconforming",
            json!({"product_id": c.cream, "batches": ["B"], "defect": "标签不合格"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [(
                "product_id".to_owned(),
                "nonconforming.product_out_of_region".to_owned()
            )]
        );
        let (status, err) = post(
            &state,
            &lanzhou,
            "/api/v1/regulator/nonconforming",
            json!({"product_id": c.cream, "batches": [""]}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut got = fields(&err);
        got.sort();
        assert_eq!(
            got,
            [
                ("batches[0]".to_owned(), "required".to_owned()),
                ("defect".to_owned(), "required".to_owned())
            ]
        );

        // Handling: only the region's regulator moves it; revoked, batch A sells again and the
        // holders are told.
        let state_path = format!("/api/v1/regulator/nonconforming/{id}/state");
        let (status, _) = post(
            &state,
            &s2.token,
            &format!("/api/v1/nonconforming/{id}/state"),
            json!({"state": "revoked"}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = post(&state, &sichuan, &state_path, json!({"state": "revoked"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, handling) = post(
            &state,
            &lanzhou,
            &state_path,
            json!({"state": "handling", "handling_measures": "已通知持有企业下架"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{handling}");
        assert_eq!(handling["listing"]["state"], "handling");
        let (status, err) = post(&state, &lanzhou, &state_path, json!({"state": "open"})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            fields(&err),
            [("state".to_owned(), "nonconforming.state".to_owned())]
        );
        let (status, err) = submit(&state, s2, &blocked, None).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "still listed while handled: {err}"
        );
        let (status, revoked) =
            post(&state, &lanzhou, &state_path, json!({"state": "revoked"})).await;
        assert_eq!(status, StatusCode::OK, "{revoked}");
        let (status, doc) = submit(&state, s2, &blocked, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a revoked listing blocks nothing: {doc}"
        );
        let last = pulled(&state, s1)
            .await
            .into_iter()
            .rfind(|ch| ch["id"] == json!(id))
            .unwrap();
        assert_eq!(last["body"]["state"], "revoked");
    }
);

on_both_databases!(
    an_enterprise_records_findings_about_its_own_products,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let [_, s2, s3] = &c.salons;
        // A salon may not list the maker's product, nor claim a sampling inspection.
        let (status, err) = post(&state, &s3.token, "/api/v1/nonconforming",
        json!({"product_id": c.cream, "batches": ["B"], "defect": "顾客投诉过敏", "source": "complaint"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [(
                "product_id".to_owned(),
                "nonconforming.not_own_product".to_owned()
            )]
        );
        let (status, err) = post(&state, &c.maker.token, "/api/v1/nonconforming",
        json!({"product_id": c.cream, "batches": ["B"], "defect": "x", "source": "sampling_inspection"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [("source".to_owned(), "nonconforming.source".to_owned())]
        );

        // The maker's own check lists batch B: salons 2 and 3 hold it and are told.
        let (status, own) = post(&state, &c.maker.token, "/api/v1/nonconforming",
        json!({"product_id": c.cream, "batches": ["B"], "defect": "膏体分层", "handling_measures": "暂停销售"})).await;
        assert_eq!(status, StatusCode::CREATED, "{own}");
        assert_eq!(own["listing"]["source"], "self_check");
        assert_eq!(own["listing"]["reported_by"], json!(c.maker.id));
        let id = own["listing"]["id"].as_str().unwrap().to_owned();
        for who in [s2, s3] {
            let (status, _) = get(&state, &who.token, &format!("/api/v1/nonconforming/{id}")).await;
            assert_eq!(status, StatusCode::OK);
        }
        let (_, page) = get(&state, &c.maker.token, "/api/v1/nonconforming?q=分层").await;
        assert_eq!(page["total"], 1);
        let sale = save(
            &state,
            s3,
            draft(
                "sales_outbound",
                Some(json!({"name": "零售顾客"})),
                vec![line(c.cream, "B", 1)],
            ),
        )
        .await;
        let (status, err) = submit(&state, s3, &sale, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [("lines[0].batch".to_owned(), "sale.nonconforming".to_owned())]
        );
        // Closed by the maker, the batch stays nonconforming.
        let (status, closed) = post(
            &state,
            &c.maker.token,
            &format!("/api/v1/nonconforming/{id}/state"),
            json!({"state": "closed"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(closed["listing"]["state"], "closed");
        assert!(closed["listing"]["handled_on"].is_string());
        let (status, _) = submit(&state, s3, &sale, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Its region's regulator sees it.
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let (status, detail) = get(
            &state,
            &gansu,
            &format!("/api/v1/regulator/nonconforming/{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            holders(&detail).len(),
            4,
            "maker, wholesaler, salons 2 and 3"
        );
    }
);
