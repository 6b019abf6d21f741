//! Recalls through the router on both databases: a regulator's recall reaches exactly the
//! holders of the batch with their quantities, they acknowledge and report, progress adds up;
//! a report over the held quantity, another region's regulator and an enterprise the recall
//! does not concern are refused; a holder's phone pulls the recall; an enterprise recalls its
//! own product.

mod common;
mod docs_support;
mod recall_support;

use axum::http::StatusCode;
use common::call;
use docs_support::{Party, draft, fields, line, save, submit};
use recall_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use suyuan_server::db::audit_trail;

async fn get(state: &AppState, token: &str, path: &str) -> (StatusCode, Value) {
    call(state, "GET", path, Some(token), None, None).await
}

async fn post(state: &AppState, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(state, "POST", path, Some(token), Some("en"), Some(body)).await
}

async fn report(
    state: &AppState,
    who: &Party,
    id: &str,
    returned: i64,
    destroyed: i64,
) -> (StatusCode, Value) {
    post(
        state,
        &who.token,
        &format!("/api/v1/recalls/{id}/report"),
        json!({"quantity_returned": returned, "quantity_destroyed": destroyed}),
    )
    .await
}

on_both_databases!(
    a_regulator_recall_reaches_exactly_the_holders_and_tracks_their_reports,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let [s1, s2, s3] = &c.salons;
        let gansu = regulator(&state, &db, "gansu", "620000").await;

        let (status, created) = post(
            &state,
            &gansu,
            "/api/v1/regulator/recalls",
            json!({"product_id": c.cream, "batches": ["A"], "level": "one",
                   "reason": "菌落总数超标", "scope": "甘肃省", "deadline": "2099-12-31"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["recall"]["id"].as_str().unwrap().to_owned();
        assert_eq!(created["recall"]["status"], "active");
        assert_eq!(created["region_code"], "620000");
        assert_eq!(created["recall"]["product_name"], "舒唯雅皮肤身体护肤霜");
        // Exactly the holders of batch A, with what they received and hold; not salon 3.
        let mut want = vec![
            holder(&c.maker, 100, 60),
            holder(&c.wholesaler, 40, 24),
            holder(s1, 10, 10),
            holder(s2, 6, 6),
        ];
        want.sort();
        assert_eq!(holders(&created), want);
        let summary = &created["summary"];
        assert_eq!(
            (
                summary["holders"].as_u64(),
                summary["acknowledged"].as_u64()
            ),
            (Some(4), Some(0))
        );
        assert_eq!(summary["quantity_held"], 100);
        assert_eq!(summary["recovered_share"], 0.0);

        // The recall reaches salon 1 (list, detail, phone) showing only its own row.
        let (_, page) = get(&state, &s1.token, "/api/v1/recalls?status=active").await;
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["mine"]["quantity_held"], 10);
        assert!(page["items"][0].get("summary").is_none());
        let (status, one) = get(&state, &s1.token, &format!("/api/v1/recalls/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            one.get("holders").is_none(),
            "a holder sees no other holder"
        );
        assert_eq!(one["mine"]["enterprise_id"], json!(s1.id));
        let changes = pulled(&state, s1).await;
        let reached = changes
            .iter()
            .find(|ch| ch["entity"] == "recall" && ch["id"] == json!(id))
            .expect("the recall is in salon 1's pull");
        assert_eq!(reached["body"]["status"], "active");
        assert_eq!(reached["body"]["batches"], json!(["A"]));

        // Salon 3 got none of batch A: the recall does not concern it.
        let (_, page) = get(&state, &s3.token, "/api/v1/recalls").await;
        assert_eq!(page["total"], 0);
        let (status, _) = get(&state, &s3.token, &format!("/api/v1/recalls/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = post(
            &state,
            &s3.token,
            &format!("/api/v1/recalls/{id}/acknowledge"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = report(&state, s3, &id, 0, 0).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            pulled(&state, s3)
                .await
                .iter()
                .all(|ch| ch["entity"] != "recall")
        );

        // Holders acknowledge and report.
        let (status, row) = post(
            &state,
            &s1.token,
            &format!("/api/v1/recalls/{id}/acknowledge"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{row}");
        assert!(row["acknowledged_at"].is_string());
        let (status, row) = report(&state, s1, &id, 6, 2).await;
        assert_eq!(status, StatusCode::OK, "{row}");
        assert_eq!(
            (
                row["quantity_returned"].as_u64(),
                row["quantity_destroyed"].as_u64()
            ),
            (Some(6), Some(2))
        );
        let (status, row) = report(&state, &c.wholesaler, &id, 20, 4).await;
        assert_eq!(status, StatusCode::OK, "{row}");
        assert!(row["acknowledged_at"].is_string(), "a report acknowledges");

        // Over the held quantity, negative or missing: 422 naming the field.
        let (status, err) = report(&state, s2, &id, 7, 0).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            fields(&err),
            [(
                "quantity_returned".to_owned(),
                "recall.report_exceeds_held".to_owned()
            )]
        );
        assert!(
            err["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("(6)"),
            "{err}"
        );
        let (status, err) = report(&state, s2, &id, 4, -1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [(
                "quantity_destroyed".to_owned(),
                "recall.quantity_negative".to_owned()
            )]
        );
        let (status, err) = post(
            &state,
            &s2.token,
            &format!("/api/v1/recalls/{id}/report"),
            json!({"quantity_returned": 1}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [("quantity_destroyed".to_owned(), "required".to_owned())]
        );

        // Read-only staff of a holder may read but not report.
        let (status, _) = post(&state, &s2.token, "/api/v1/staff",
            json!({"login": "s2-viewer", "password": "viewer-pass-2026", "display_name": "只读", "role": "read_only"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let viewer = token(&state, "s2-viewer", "viewer-pass-2026").await;
        let (status, _) = get(&state, &viewer, &format!("/api/v1/recalls/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = post(
            &state,
            &viewer,
            &format!("/api/v1/recalls/{id}/report"),
            json!({"quantity_returned": 1, "quantity_destroyed": 0}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Progress: 32 of 100 recovered; the maker and salon 2 have not acknowledged.
        let (status, detail) =
            get(&state, &gansu, &format!("/api/v1/regulator/recalls/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let summary = &detail["summary"];
        assert_eq!(
            (
                summary["acknowledged"].as_u64(),
                summary["quantity_recovered"].as_u64()
            ),
            (Some(2), Some(32))
        );
        assert_eq!(summary["recovered_share"], 0.32);
        let mut waiting: Vec<String> = summary["not_acknowledged"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        waiting.sort();
        let mut want = vec![c.maker.id.to_string(), s2.id.to_string()];
        want.sort();
        assert_eq!(waiting, want);
        let (_, page) = get(&state, &gansu, "/api/v1/regulator/recalls?q=菌落").await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["summary"]["quantity_recovered"], 32);

        // The recalled batch no longer sells; batch B still does.
        let doc = save(
            &state,
            &c.wholesaler,
            draft(
                "sales_outbound",
                Some(s3.counterparty()),
                vec![line(c.cream, "A", 1)],
            ),
        )
        .await;
        let (status, err) = submit(&state, &c.wholesaler, &doc, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [("lines[0].batch".to_owned(), "sale.recalled".to_owned())]
        );

        // Closed: no more reports; it cannot be activated again.
        let (status, closed) = post(
            &state,
            &gansu,
            &format!("/api/v1/regulator/recalls/{id}/close"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(closed["recall"]["status"], "completed");
        assert!(closed["recall"]["completed_on"].is_string());
        let (status, _) = report(&state, s2, &id, 1, 0).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = post(
            &state,
            &gansu,
            &format!("/api/v1/regulator/recalls/{id}/activate"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        // Every write is in the audit log, under the regulator's or the holder's account.
        let trail = audit_trail(&db, "recall", &id).await.unwrap();
        let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["create", "close"]);
        assert!(
            trail
                .iter()
                .all(|a| a.account_id.is_some() && a.enterprise_id.is_none())
        );
        let trail = audit_trail(&db, "recall_holder", &format!("{id}/{}", s1.id))
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["acknowledge", "report"]);
        assert_eq!(trail[1].enterprise_id, Some(s1.id.to_string()));
        // An enterprise account is no regulator, and a regulator no enterprise.
        let (status, _) = get(
            &state,
            &s1.token,
            &format!("/api/v1/regulator/recalls/{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = get(&state, &gansu, "/api/v1/recalls").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

on_both_databases!(
    regions_see_their_own_recalls_and_enterprises_recall_their_own_products,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let [_, s2, s3] = &c.salons;
        let sichuan_maker = register_in(
            &state,
            9,
            "成都蜀美化妆品有限公司",
            "registrant_manufacturer",
            "510104",
        )
        .await;
        let sichuan_cream = docs_support::product(&db, sichuan_maker.id, "蜀美润肤霜").await;
        docs_support::save_and_submit(
            &state,
            &sichuan_maker,
            draft(
                "finished_goods_inbound",
                None,
                vec![line(sichuan_cream, "S1", 30)],
            ),
        )
        .await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let lanzhou = regulator(&state, &db, "lanzhou", "620100").await;

        let (status, sc) = post(&state, &sichuan, "/api/v1/regulator/recalls",
            json!({"product_id": sichuan_cream, "batches": ["S1"], "level": "two", "reason": "标签不合格"})).await;
        assert_eq!(status, StatusCode::CREATED, "{sc}");
        let sc_id = sc["recall"]["id"].as_str().unwrap().to_owned();
        assert_eq!(holders(&sc), [holder(&sichuan_maker, 30, 30)]);
        // Gansu neither sees Sichuan's recall nor may target a product never in Gansu.
        let (status, _) = get(
            &state,
            &gansu,
            &format!("/api/v1/regulator/recalls/{sc_id}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, page) = get(&state, &gansu, "/api/v1/regulator/recalls").await;
        assert_eq!(page["total"], 0);
        let (status, _) = post(
            &state,
            &gansu,
            &format!("/api/v1/regulator/recalls/{sc_id}/close"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, err) = post(
            &state,
            &gansu,
            "/api/v1/regulator/recalls",
            json!({"product_id": sichuan_cream, "level": "two", "reason": "标签不合格"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [(
                "product_id".to_owned(),
                "recall.product_out_of_region".to_owned()
            )]
        );

        // A city's recall is seen by its province, not by another province.
        let (status, lz) = post(&state, &lanzhou, "/api/v1/regulator/recalls",
            json!({"product_id": c.cream, "batches": ["B"], "level": "three", "reason": "包装破损", "status": "planned"})).await;
        assert_eq!(status, StatusCode::CREATED, "{lz}");
        let lz_id = lz["recall"]["id"].as_str().unwrap().to_owned();
        assert_eq!(lz["recall"]["status"], "planned");
        let (status, _) = get(
            &state,
            &gansu,
            &format!("/api/v1/regulator/recalls/{lz_id}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = get(
            &state,
            &sichuan,
            &format!("/api/v1/regulator/recalls/{lz_id}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Planned: its holders (salons 2 and 3 among them) know nothing of it until it is activated.
        assert!(holders(&lz).contains(&holder(s3, 5, 5)));
        let (_, page) = get(&state, &s3.token, "/api/v1/recalls").await;
        assert_eq!(page["total"], 0);
        let (status, active) = post(
            &state,
            &lanzhou,
            &format!("/api/v1/regulator/recalls/{lz_id}/activate"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{active}");
        let (_, page) = get(&state, &s3.token, "/api/v1/recalls").await;
        assert_eq!(page["total"], 1);
        assert!(
            pulled(&state, s3)
                .await
                .iter()
                .any(|ch| ch["entity"] == "recall" && ch["id"] == json!(lz_id))
        );

        // 主动召回: the maker recalls its own batch A; the wholesaler may not recall the maker's product.
        let (status, err) = post(
            &state,
            &c.wholesaler.token,
            "/api/v1/recalls",
            json!({"product_id": c.cream, "level": "two", "reason": "自查发现"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err),
            [("product_id".to_owned(), "recall.not_own_product".to_owned())]
        );
        let (status, own) = post(&state, &c.maker.token, "/api/v1/recalls",
            json!({"product_id": c.cream, "batches": ["A"], "level": "two", "reason": "自查发现包材问题", "scope": "全部销售渠道"})).await;
        assert_eq!(status, StatusCode::CREATED, "{own}");
        let own_id = own["recall"]["id"].as_str().unwrap().to_owned();
        assert_eq!(own["recall"]["initiator"]["by"], "enterprise");
        assert_eq!(holders(&own).len(), 4, "the initiator sees every holder");
        let (_, page) = get(&state, &s2.token, "/api/v1/recalls").await;
        assert_eq!(
            page["total"], 2,
            "the Lanzhou recall of B and the maker's of A"
        );
        let (status, _) = post(
            &state,
            &s2.token,
            &format!("/api/v1/recalls/{own_id}/close"),
            json!({}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "only its initiator closes it"
        );
        let (status, _) = get(
            &state,
            &gansu,
            &format!("/api/v1/regulator/recalls/{own_id}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "the maker's region sees its recall");
        let (status, closed) = post(
            &state,
            &c.maker.token,
            &format!("/api/v1/recalls/{own_id}/close"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
    }
);

on_both_databases!(
    a_regulator_sees_another_regions_recall_that_reached_its_region_but_cannot_manage_it,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let salon = &c.salons[0];
        let maker = register_in(
            &state,
            9,
            "成都蜀美化妆品有限公司",
            "registrant_manufacturer",
            "510104",
        )
        .await;
        let cream = docs_support::product(&db, maker.id, "蜀美润肤霜").await;
        docs_support::save_and_submit(
            &state,
            &maker,
            draft("finished_goods_inbound", None, vec![line(cream, "S1", 30)]),
        )
        .await;
        docs_support::save_and_submit(
            &state,
            &maker,
            draft(
                "sales_outbound",
                Some(salon.counterparty()),
                vec![line(cream, "S1", 4)],
            ),
        )
        .await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let shanghai = regulator(&state, &db, "shanghai", "310000").await;

        // A planned recall is Sichuan's own business until it is announced.
        let (status, r) = post(&state, &sichuan, "/api/v1/regulator/recalls",
            json!({"product_id": cream, "batches": ["S1"], "level": "two", "reason": "标签不合格", "status": "planned"})).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        let id = r["recall"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/regulator/recalls/{id}");
        assert_eq!(get(&state, &gansu, &path).await.0, StatusCode::NOT_FOUND);
        let (status, _) = post(&state, &sichuan, &format!("{path}/activate"), json!({})).await;
        assert_eq!(status, StatusCode::OK);

        // Announced, it reached a salon in Gansu: Gansu's regulator follows it up there.
        let (status, seen) = get(&state, &gansu, &path).await;
        assert_eq!(status, StatusCode::OK, "{seen}");
        let (_, page) = get(&state, &gansu, "/api/v1/regulator/recalls").await;
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["recall"]["id"], id.as_str());
        // A region no holder is in still does not see it.
        assert_eq!(get(&state, &shanghai, &path).await.0, StatusCode::NOT_FOUND);
        // Only Sichuan manages it.
        let (status, _) = post(&state, &gansu, &format!("{path}/close"), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, closed) = post(&state, &sichuan, &format!("{path}/close"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
    }
);
