//! Risk warnings through the router on both databases: a recall raises warnings on every holder
//! of the batch and on the sales made since it started; a submit raises or resolves warnings at
//! once; an acknowledged warning stays acknowledged across refreshes; an overdue transfer shows
//! up in a full refresh for a chosen day and resolves when it is confirmed; each regulator sees
//! and acknowledges only its region's warnings; the export is a workbook of the list.

mod common;
mod docs_support;
mod recall_support;

use axum::http::StatusCode;
use calamine::{Reader, Xlsx};
use chrono::{Duration, Utc};
use common::call;
use docs_support::{Party, draft, line, product, save_and_submit};
use recall_support::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use suyuan_server::AppState;
use suyuan_server::db::{china_today, warnings::refresh_all};
use tower::ServiceExt;

async fn get(state: &AppState, token: &str, path: &str) -> (StatusCode, Value) {
    call(state, "GET", path, Some(token), None, None).await
}

async fn post(state: &AppState, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(state, "POST", path, Some(token), Some("en"), Some(body)).await
}

/// The warnings of a list query, as a page.
async fn warnings(state: &AppState, token: &str, query: &str) -> Value {
    let (status, page) = get(
        state,
        token,
        &format!("/api/v1/regulator/warnings?per_page=500&{query}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

/// Enterprise id → (state, quantity at stake) of the warnings of `kind`.
async fn by_enterprise(
    state: &AppState,
    token: &str,
    kind: &str,
) -> BTreeMap<String, (String, i64)> {
    let page = warnings(state, token, &format!("kind={kind}")).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["warning"]["enterprise_id"].as_str().unwrap().to_owned(),
                (
                    w["state"].as_str().unwrap().to_owned(),
                    w["warning"]["evidence"]["quantity"].as_i64().unwrap_or(0),
                ),
            )
        })
        .collect()
}

fn entry(p: &Party, state: &str, quantity: i64) -> (String, (String, i64)) {
    (p.id.to_string(), (state.to_owned(), quantity))
}

/// The id of the one warning of `kind` naming `who`.
async fn warning_id(state: &AppState, token: &str, kind: &str, who: &Party) -> String {
    let page = warnings(
        state,
        token,
        &format!("kind={kind}&enterprise_id={}", who.id),
    )
    .await;
    assert_eq!(page["total"], 1, "{page}");
    page["items"][0]["id"].as_str().unwrap().to_owned()
}

/// Asserts that the warnings the writes kept up to date are exactly what a recomputation over
/// every record of every enterprise finds today.
async fn assert_up_to_date(db: &suyuan_server::db::Db) {
    let now = Utc::now();
    let r = refresh_all(db, None, china_today(now), now).await.unwrap();
    assert_eq!(
        (r.raised, r.reopened, r.updated, r.resolved),
        (0, 0, 0, 0),
        "{r:?}"
    );
}

/// The body bytes and content type of a GET.
async fn download(state: &AppState, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let req = axum::http::Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = suyuan_server::app(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, kind, bytes.to_vec())
}

on_both_databases!(
    a_recall_raises_warnings_that_follow_the_stock_and_keep_their_acknowledgement,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let [s1, s2, s3] = &c.salons;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        assert_eq!(
            warnings(&state, &gansu, "kind=recalled_batch_held").await["total"],
            0
        );

        // Started the day before the chain's documents (dated 2026-11-02), so the sales of
        // batch A were made under recall.
        let (status, created) = post(
            &state,
            &gansu,
            "/api/v1/regulator/recalls",
            json!({"product_id": c.cream, "batches": ["A"], "level": "one",
                   "reason": "菌落总数超标", "scope": "甘肃省", "start_date": "2026-11-01",
                   "deadline": "2099-12-31"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_up_to_date(&db).await;

        // Everyone holding batch A, with what it holds; salon 3 never had A.
        let held = by_enterprise(&state, &gansu, "recalled_batch_held").await;
        assert_eq!(
            held,
            BTreeMap::from([
                entry(&c.maker, "new", 60),
                entry(&c.wholesaler, "new", 24),
                entry(s1, "new", 10),
                entry(s2, "new", 6),
            ])
        );
        assert!(!held.contains_key(&s3.id.to_string()));
        // The maker's sale to the wholesaler and the wholesaler's sales to salons 1 and 2.
        let sold = warnings(&state, &gansu, "kind=recalled_batch_sold").await;
        assert_eq!(sold["total"], 3, "{sold}");
        let mut sellers: Vec<&str> = sold["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["warning"]["enterprise_id"].as_str().unwrap())
            .collect();
        sellers.sort();
        let mut expected = vec![
            c.maker.id.to_string(),
            c.wholesaler.id.to_string(),
            c.wholesaler.id.to_string(),
        ];
        expected.sort();
        assert_eq!(sellers, expected);
        for w in sold["items"].as_array().unwrap() {
            assert_eq!(w["warning"]["severity"], "high");
            assert_eq!(w["warning"]["batch"], "A");
            assert_eq!(
                w["warning"]["evidence"]["documents"]
                    .as_array()
                    .unwrap()
                    .len(),
                1
            );
        }

        // The regulator acknowledges the wholesaler's warning.
        let id = warning_id(&state, &gansu, "recalled_batch_held", &c.wholesaler).await;
        let (status, acked) = post(
            &state,
            &gansu,
            &format!("/api/v1/regulator/warnings/{id}/acknowledge"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{acked}");
        assert_eq!(acked["state"], "acknowledged");
        assert!(acked["acknowledged_at"].is_string());

        // Salon 1 returns its 10 to the wholesaler, who confirms: salon 1's warning resolves at
        // once, the wholesaler's follows its stock and stays acknowledged.
        save_and_submit(
            &state,
            s1,
            draft(
                "purchase_return",
                Some(c.wholesaler.counterparty()),
                vec![line(c.cream, "A", 10)],
            ),
        )
        .await;
        let held = by_enterprise(&state, &gansu, "recalled_batch_held").await;
        assert_eq!(held[&s1.id.to_string()], ("resolved".to_owned(), 10));
        assert_up_to_date(&db).await;
        confirm_all(&state, &c.wholesaler).await;
        assert_up_to_date(&db).await;
        let held = by_enterprise(&state, &gansu, "recalled_batch_held").await;
        assert_eq!(
            held[&c.wholesaler.id.to_string()],
            ("acknowledged".to_owned(), 34)
        );
        assert_eq!(held[&c.maker.id.to_string()], ("new".to_owned(), 60));

        // A full recomputation changes nothing the records did not change.
        let (status, report) = post(
            &state,
            &gansu,
            "/api/v1/regulator/warnings/recompute",
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["enterprises"], 5);
        // What the writes kept up to date is what a run over every record finds.
        assert_eq!(report["raised"], 0);
        assert_eq!(report["reopened"], 0);
        assert_eq!(report["updated"], 0);
        assert_eq!(report["resolved"], 0);
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_held").await,
            held
        );

        // Filters: state, severity, batch, keyword; resolved ones can be left out.
        let open = warnings(&state, &gansu, "kind=recalled_batch_held&open=true").await;
        assert_eq!(open["total"], 3);
        let acked = warnings(&state, &gansu, "state=acknowledged").await;
        assert_eq!(acked["total"], 1);
        assert_eq!(acked["items"][0]["id"], id.as_str());
        assert_eq!(
            warnings(&state, &gansu, "severity=low&batch=A").await["total"],
            0
        );
        let named = warnings(&state, &gansu, "kind=recalled_batch_held&q=丽人").await;
        assert_eq!(named["total"], 1, "{named}");
        assert_eq!(named["items"][0]["warning"]["enterprise_id"], json!(s1.id));
        let today = china_today(Utc::now());
        let later = today + Duration::days(1);
        assert_eq!(
            warnings(&state, &gansu, &format!("raised_from={later}")).await["total"],
            0
        );
        let (status, _) = get(&state, &gansu, "/api/v1/regulator/warnings?sort=key").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // The statistics count the open ones.
        let all_open = warnings(&state, &gansu, "open=true").await;
        let (_, stats) = get(&state, &gansu, "/api/v1/regulator/statistics").await;
        assert_eq!(stats["open_warnings"], all_open["total"]);
        assert!(all_open["total"].as_u64().unwrap() >= 5);

        // A submit that brings a recalled batch in raises a warning at once: a second product
        // recalled before any of it was made.
        let serum = product(&db, c.maker.id, "舒唯雅精华液").await;
        let (status, _) = post(
            &state,
            &gansu,
            "/api/v1/regulator/recalls",
            json!({"product_id": serum, "batches": [], "level": "two",
                   "reason": "标签不合格", "scope": "甘肃省", "deadline": "2099-12-31"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let page = warnings(&state, &gansu, &format!("product_id={serum}")).await;
        assert_eq!(page["total"], 0);
        save_and_submit(
            &state,
            &c.maker,
            draft("finished_goods_inbound", None, vec![line(serum, "S1", 30)]),
        )
        .await;
        let page = warnings(&state, &gansu, &format!("product_id={serum}")).await;
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["warning"]["kind"], "recalled_batch_held");
        assert_eq!(page["items"][0]["warning"]["evidence"]["quantity"], 30);
        assert_eq!(page["items"][0]["raised_on"], today.to_string());
        assert_up_to_date(&db).await;

        // The export holds the filtered rows, worst first.
        let (status, kind, bytes) = download(
            &state,
            &gansu,
            "/api/v1/regulator/warnings.xlsx?kind=recalled_batch_held&open=true",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let sheet = book
            .worksheet_range("风险预警 Warnings")
            .expect("the sheet");
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 1 + 4, "{rows:?}");
        assert!(rows[0][0].contains("预警编号"));
        let names: Vec<&str> = rows[1..].iter().map(|r| r[4].as_str()).collect();
        assert!(names.contains(&c.wholesaler.name.as_str()));
        assert!(names.contains(&c.maker.name.as_str()));
        assert!(!names.contains(&s1.name.as_str()));
        assert!(rows[1..].iter().all(|r| r[1].contains("持有召回批次")));
        let batches: Vec<&str> = rows[1..].iter().map(|r| r[7].as_str()).collect();
        assert!(batches.contains(&"A") && batches.contains(&"S1"));
    }
);

on_both_databases!(
    an_overdue_transfer_is_caught_by_the_full_refresh_and_seen_only_in_its_region,
    |db| {
        let state = AppState::new(db.clone());
        let maker = register_in(
            &state,
            1,
            "甘肃舒唯雅化妆品有限公司",
            "registrant_manufacturer",
            "620102",
        )
        .await;
        let shop = register_in(&state, 2, "成都锦江丽人美容院", "beauty_salon", "510104").await;
        let cream = product(&db, maker.id, "舒唯雅皮肤身体护肤霜").await;
        save_and_submit(
            &state,
            &maker,
            draft("finished_goods_inbound", None, vec![line(cream, "A", 100)]),
        )
        .await;
        save_and_submit(
            &state,
            &maker,
            draft(
                "sales_outbound",
                Some(shop.counterparty()),
                vec![line(cream, "A", 10)],
            ),
        )
        .await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;
        let kind = "kind=unreconciled_transfer&open=true";
        // Not overdue on the document's day plus a week (whatever the submit found on the
        // real day).
        let doc_day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        refresh_all(&db, None, doc_day + Duration::days(7), Utc::now())
            .await
            .unwrap();
        assert_eq!(warnings(&state, &sichuan, kind).await["total"], 0);

        // A month on, the shop has not reconciled: its warning, in Sichuan only.
        let report = refresh_all(&db, None, doc_day + Duration::days(30), Utc::now())
            .await
            .unwrap();
        assert_eq!(report.enterprises, 2);
        assert_eq!(report.raised + report.reopened, 1);
        let page = warnings(&state, &sichuan, kind).await;
        assert_eq!(page["total"], 1, "{page}");
        let w = &page["items"][0];
        assert_eq!(w["warning"]["enterprise_id"], json!(shop.id));
        assert_eq!(w["warning"]["severity"], "medium");
        assert_eq!(w["region_code"], "510104");
        assert_eq!(w["enterprise_name"], shop.name.as_str());
        assert!(
            w["warning"]["message_zh"]
                .as_str()
                .unwrap()
                .contains("30 天")
        );
        let id = w["id"].as_str().unwrap().to_owned();

        // Gansu's regulator neither sees nor acknowledges it.
        assert_eq!(warnings(&state, &gansu, kind).await["total"], 0);
        let (status, _) = get(&state, &gansu, &format!("/api/v1/regulator/warnings/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let ack = format!("/api/v1/regulator/warnings/{id}/acknowledge");
        let (status, _) = post(&state, &gansu, &ack, json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, w) = get(
            &state,
            &sichuan,
            &format!("/api/v1/regulator/warnings/{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(w["state"], "new");
        // An enterprise account is no regulator.
        let (status, _) = get(&state, &shop.token, "/api/v1/regulator/warnings").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Sichuan's regulator acknowledges it; a later refresh keeps that.
        let (status, w) = post(&state, &sichuan, &ack, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{w}");
        assert_eq!(w["state"], "acknowledged");
        refresh_all(&db, None, doc_day + Duration::days(31), Utc::now())
            .await
            .unwrap();
        let (_, w) = get(
            &state,
            &sichuan,
            &format!("/api/v1/regulator/warnings/{id}"),
        )
        .await;
        assert_eq!(w["state"], "acknowledged");
        assert!(
            w["warning"]["message_zh"]
                .as_str()
                .unwrap()
                .contains("31 天")
        );

        // The shop confirms: the warning resolves at once, and cannot be acknowledged.
        confirm_all(&state, &shop).await;
        let (_, w) = get(
            &state,
            &sichuan,
            &format!("/api/v1/regulator/warnings/{id}"),
        )
        .await;
        assert_eq!(w["state"], "resolved", "{w}");
        assert!(w["resolved_at"].is_string());
        let (status, _) = post(&state, &sichuan, &ack, json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (_, stats) = get(&state, &sichuan, "/api/v1/regulator/statistics").await;
        assert_eq!(
            stats["open_warnings"],
            warnings(&state, &sichuan, "open=true").await["total"]
        );
    }
);

on_both_databases!(
    a_nonconforming_listing_raises_warnings_that_a_phone_push_resolves,
    |db| {
        let state = AppState::new(db.clone());
        let c = chain(&state, &db).await;
        let [_, s2, s3] = &c.salons;
        let lanzhou = regulator(&state, &db, "lanzhou", "620100").await;
        let (status, listed) = post(
            &state,
            &lanzhou,
            "/api/v1/regulator/nonconforming",
            json!({"product_id": c.cream, "batches": ["B"], "defect": "标签不合格",
                   "test_report_number": "GS2026-018", "handling_measures": "停止销售"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{listed}");
        assert_up_to_date(&db).await;
        let held = by_enterprise(&state, &lanzhou, "nonconforming_batch_held").await;
        assert_eq!(
            held,
            BTreeMap::from([
                entry(&c.maker, "new", 30),
                entry(&c.wholesaler, "new", 10),
                entry(s2, "new", 5),
                entry(s3, "new", 5),
            ])
        );

        // Salon 3's phone returns its 5 to the wholesaler: the push resolves its warning.
        let doc = uuid::Uuid::new_v4();
        let (status, pushed) = call(
            &state,
            "POST",
            "/api/v1/sync/push",
            Some(&s3.token),
            None,
            Some(json!({"client_id": uuid::Uuid::new_v4(), "changes": [
                {"change_id": uuid::Uuid::new_v4(), "op": "save_transaction", "id": doc,
                 "document": draft("purchase_return", Some(c.wholesaler.counterparty()),
                                   vec![line(c.cream, "B", 5)])},
                {"change_id": uuid::Uuid::new_v4(), "op": "submit_transaction", "id": doc},
            ]})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{pushed}");
        assert_eq!(pushed["results"][1]["status"], "ok", "{pushed}");
        let held = by_enterprise(&state, &lanzhou, "nonconforming_batch_held").await;
        assert_eq!(held[&s3.id.to_string()], ("resolved".to_owned(), 5));
        assert_eq!(held[&s2.id.to_string()], ("new".to_owned(), 5));
        assert_up_to_date(&db).await;
    }
);

on_both_databases!(
    a_correction_moves_the_warnings_to_what_the_records_now_say,
    |db| {
        let state = AppState::new(db.clone());
        let maker = register_in(
            &state,
            1,
            "甘肃舒唯雅化妆品有限公司",
            "registrant_manufacturer",
            "620102",
        )
        .await;
        let shop = register_in(&state, 2, "城关区丽人美容院", "beauty_salon", "620102").await;
        let cream = product(&db, maker.id, "舒唯雅皮肤身体护肤霜").await;
        let serum = product(&db, maker.id, "舒唯雅精华液").await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        save_and_submit(
            &state,
            &maker,
            draft(
                "finished_goods_inbound",
                None,
                vec![line(cream, "X", 50), line(serum, "S", 50)],
            ),
        )
        .await;
        let first = save_and_submit(
            &state,
            &maker,
            draft(
                "sales_outbound",
                Some(shop.counterparty()),
                vec![line(cream, "X", 10)],
            ),
        )
        .await;
        // The sale is dated 2026-11-02: the shop's inbox item is already more than a week old.
        let overdue = "kind=unreconciled_transfer&open=true";
        assert_eq!(warnings(&state, &gansu, overdue).await["total"], 1);
        let (status, _) = post(
            &state,
            &gansu,
            "/api/v1/regulator/recalls",
            json!({"product_id": cream, "batches": ["X"], "level": "one", "reason": "菌落总数超标",
                   "scope": "甘肃省", "start_date": "2026-11-01", "deadline": "2099-12-31"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_sold").await,
            BTreeMap::from([entry(&maker, "new", 10)])
        );
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_held").await,
            BTreeMap::from([entry(&maker, "new", 40)])
        );
        assert_up_to_date(&db).await;

        // The maker corrects the sale: it was serum, not cream.
        let mut fix = draft(
            "sales_outbound",
            Some(shop.counterparty()),
            vec![line(serum, "S", 10)],
        );
        fix["corrects"] = json!(first);
        save_and_submit(&state, &maker, fix).await;
        assert_up_to_date(&db).await;
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_sold").await,
            BTreeMap::from([entry(&maker, "resolved", 10)])
        );
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_held").await,
            BTreeMap::from([entry(&maker, "new", 50)])
        );
        // The superseded item's warning resolved; the correction's item has its own.
        let all = warnings(&state, &gansu, "kind=unreconciled_transfer").await;
        let mut states: Vec<&str> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["state"].as_str().unwrap())
            .collect();
        states.sort();
        assert_eq!(states, ["new", "resolved"], "{all}");

        // A later cream document: the corrected sale still does not count, though the serum
        // sale correcting it names no cream.
        save_and_submit(
            &state,
            &maker,
            draft("finished_goods_inbound", None, vec![line(cream, "X", 5)]),
        )
        .await;
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_sold").await,
            BTreeMap::from([entry(&maker, "resolved", 10)])
        );
        assert_eq!(
            by_enterprise(&state, &gansu, "recalled_batch_held").await,
            BTreeMap::from([entry(&maker, "new", 55)])
        );
        assert_up_to_date(&db).await;
    }
);

on_both_databases!(the_periodic_job_finds_what_no_write_refreshed, |db| {
    let state = AppState::new(db.clone());
    let maker = register_in(
        &state,
        1,
        "甘肃舒唯雅化妆品有限公司",
        "registrant_manufacturer",
        "620102",
    )
    .await;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    // Written straight to the database, past every hook: only the job can see it.
    let p = suyuan_core::model::Product {
        id: suyuan_core::model::ProductId::random(),
        owner: maker.id,
        generic_name: "无证面霜".into(),
        brand: "某牌".into(),
        registration_number: "不是注册证号".into(),
        registrant: "某公司".into(),
        manufacturer: "某公司".into(),
        specification: "50g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: suyuan_core::model::RecordStatus::Submitted { at: Utc::now() },
    };
    let actor = suyuan_server::db::Actor {
        account_id: uuid::Uuid::nil(),
        enterprise_id: maker.id,
    };
    suyuan_server::db::insert_product(&db, &p, &actor, Utc::now())
        .await
        .unwrap();
    let kind = "kind=invalid_registration";
    assert_eq!(warnings(&state, &gansu, kind).await["total"], 0);
    let job =
        suyuan_server::warnings::spawn_periodic(db.clone(), std::time::Duration::from_secs(3600));
    let mut found = Value::Null;
    for _ in 0..100 {
        found = warnings(&state, &gansu, kind).await;
        if found["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    job.abort();
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["warning"]["product_id"], json!(p.id));
    assert_eq!(found["items"][0]["warning"]["severity"], "medium");
});
