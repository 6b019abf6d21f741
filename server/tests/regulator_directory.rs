//! The regulator's enterprise directory and drill-down on both databases: scoped to the region
//! (a province sees its cities' enterprises, a city only its own), activity counts, filters,
//! 404 for an enterprise outside the region, 403 for enterprise accounts.

mod common;
mod docs_support;
mod regulator_support;

use axum::http::StatusCode;
use docs_support::*;
use regulator_support::*;
use serde_json::Value;
use suyuan_server::AppState;

fn partner(name: &str, uscc: &str) -> Value {
    serde_json::json!({
        "kind": "wholesaler", "name": name, "uscc": uscc, "contact": "李四",
        "phone": "13812345678", "region_code": "620102", "address": "甘肃省兰州市城关区某路 1 号",
        "legal_representative": "张三", "licence": null, "quality_agreement": null,
        "authorised_person": null, "remittance_account": ""
    })
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["enterprise"]["name"].as_str().expect("name").to_owned())
        .collect()
}

on_both_databases!(a_regulator_sees_its_region_and_nothing_else, |db| {
    let state = AppState::new(db.clone());
    let Chain { a, b, c, cream } = chain(&state, &db).await;
    // A draft and an unconfirmed sale give B and C activity to count.
    save(
        &state,
        &b,
        draft(
            "sales_outbound",
            Some(c.counterparty()),
            vec![line(cream, BATCH, 1)],
        ),
    )
    .await;
    save_and_submit(
        &state,
        &a,
        draft(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, BATCH, 3)],
        ),
    )
    .await;
    let quiet = register_in(&state, 4, "兰州安宁区新开店", "retail_shop", "620105").await;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let lanzhou = regulator(&state, &db, "lanzhou", "620100").await;
    let sichuan = regulator(&state, &db, "sichuan", "510000").await;

    // The province sees its cities' enterprises, never Sichuan's.
    let page = get_ok(&state, &gansu, "/api/v1/regulator/enterprises").await;
    assert_eq!(page["total"], 3);
    let mut seen = names(&page);
    seen.sort();
    let mut want = vec![a.name.clone(), b.name.clone(), quiet.name.clone()];
    want.sort();
    assert_eq!(seen, want);
    // The city sees only Lanzhou's (6201xx).
    let page = get_ok(&state, &lanzhou, "/api/v1/regulator/enterprises?sort=name").await;
    let mut seen = names(&page);
    seen.sort();
    let mut want = vec![a.name.clone(), quiet.name.clone()];
    want.sort();
    assert_eq!(seen, want);
    let page = get_ok(&state, &sichuan, "/api/v1/regulator/enterprises").await;
    assert_eq!(names(&page), [c.name.as_str()]);

    // Activity: A submitted 3 documents; B 3 (its confirmed inbound, the sale to C, the
    // confirmed return) and keeps a draft, and A's second sale waits in its inbox.
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?sort=submitted&order=desc",
    )
    .await;
    let rows = page["items"].as_array().unwrap();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["enterprise"]["name"] == name)
            .unwrap()
            .clone()
    };
    let (ra, rb, rq) = (row(&a.name), row(&b.name), row(&quiet.name));
    assert_eq!(
        (
            ra["submitted"].as_u64(),
            ra["drafts"].as_u64(),
            ra["unreconciled"].as_u64()
        ),
        (Some(3), Some(0), Some(0))
    );
    assert_eq!(
        (
            rb["submitted"].as_u64(),
            rb["drafts"].as_u64(),
            rb["unreconciled"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(
        (rq["submitted"].as_u64(), rq["drafts"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(
        ra["last_submitted_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("20"))
    );
    assert!(rq["last_submitted_at"].is_null());
    assert_eq!(
        rows.last().unwrap()["enterprise"]["name"],
        quiet.name.as_str()
    );
    // Never submitted sorts last by last submission, whichever way.
    for order in ["asc", "desc"] {
        let page = get_ok(
            &state,
            &gansu,
            &format!("/api/v1/regulator/enterprises?sort=last_submitted_at&order={order}"),
        )
        .await;
        assert_eq!(names(&page).last().unwrap(), &quiet.name, "{order}");
    }

    // Keyword (name or USCC), kind, region prefix, activity, pages.
    let page = get_ok(&state, &gansu, "/api/v1/regulator/enterprises?q=天水").await;
    assert_eq!(names(&page), [b.name.as_str()]);
    let page = get_ok(
        &state,
        &gansu,
        &format!("/api/v1/regulator/enterprises?q={}", a.uscc.to_lowercase()),
    )
    .await;
    assert_eq!(names(&page), [a.name.as_str()]);
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?kind=wholesaler",
    )
    .await;
    assert_eq!(names(&page), [b.name.as_str()]);
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?region_code=6205",
    )
    .await;
    assert_eq!(names(&page), [b.name.as_str()]);
    let page = get_ok(
        &state,
        &lanzhou,
        "/api/v1/regulator/enterprises?region_code=6205",
    )
    .await;
    assert_eq!(
        page["total"], 0,
        "a prefix outside the region finds nothing"
    );
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?region_code=51",
    )
    .await;
    assert_eq!(page["total"], 0);
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?active_since=2020-01-01",
    )
    .await;
    assert_eq!(page["total"], 2);
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?active_since=2999-01-01",
    )
    .await;
    assert_eq!(page["total"], 0);
    let page = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?sort=name&per_page=2&page=2",
    )
    .await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["items"].as_array().unwrap().len(),
            page["page"].as_u64()
        ),
        (Some(3), 1, Some(2))
    );
    let (status, _) = get(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?sort=password",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(
        &state,
        &gansu,
        "/api/v1/regulator/enterprises?region_code=62x",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(&state, &gansu, "/api/v1/regulator/enterprises?kind=bank").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Drill-down into B: profile, documents (drafts too), one document, stock, partners.
    let base = format!("/api/v1/regulator/enterprises/{}", b.id);
    let one = get_ok(&state, &gansu, &base).await;
    assert_eq!(one["enterprise"]["uscc"], b.uscc.as_str());
    assert_eq!(one["submitted"], 3);
    let docs = get_ok(&state, &gansu, &format!("{base}/transactions")).await;
    assert_eq!(docs["total"], 4);
    let drafts = get_ok(&state, &gansu, &format!("{base}/transactions?status=draft")).await;
    assert_eq!(drafts["total"], 1);
    let sales = get_ok(
        &state,
        &gansu,
        &format!("{base}/transactions?kind=sales_outbound&status=submitted"),
    )
    .await;
    assert_eq!(sales["total"], 1);
    let doc_id = sales["items"][0]["id"].as_str().unwrap();
    let doc = get_ok(&state, &gansu, &format!("{base}/transactions/{doc_id}")).await;
    assert_eq!(doc["lines"][0]["quantity"], 20);
    let stock = get_ok(&state, &gansu, &format!("{base}/stock?batch={BATCH}")).await;
    assert_eq!(stock["items"][0]["held"], 23);
    let products = get_ok(
        &state,
        &gansu,
        &format!("/api/v1/regulator/enterprises/{}/products", a.id),
    )
    .await;
    assert_eq!(products["total"], 1);
    assert_eq!(
        products["items"][0]["product"]["id"],
        serde_json::json!(cream)
    );
    let products = get_ok(&state, &gansu, &format!("{base}/products")).await;
    assert_eq!(products["total"], 0, "B owns no product of the library");
    for (role, who) in [("suppliers", &a), ("customers", &c)] {
        let (status, body) = common::call(
            &state,
            "POST",
            &format!("/api/v1/{role}"),
            Some(&b.token),
            None,
            Some(partner(&who.name, &who.uscc)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let partners = get_ok(&state, &gansu, &format!("{base}/partners")).await;
    assert_eq!(partners["total"], 2);
    let suppliers = get_ok(&state, &gansu, &format!("{base}/partners?role=supplier")).await;
    assert_eq!(suppliers["total"], 1);
    assert_eq!(suppliers["items"][0]["partner"]["uscc"], a.uscc.as_str());
    let customers = get_ok(
        &state,
        &gansu,
        &format!("{base}/partners?role=customer&q=成都"),
    )
    .await;
    assert_eq!(customers["items"][0]["partner"]["name"], c.name.as_str());
    let (status, _) = get(&state, &gansu, &format!("{base}/partners?role=friend")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get(&state, &gansu, &format!("{base}/transactions?status=sent")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A document of another enterprise under B's path is not found.
    let a_docs = get_ok(&state, &a.token, "/api/v1/transactions").await;
    let a_doc = a_docs["items"][0]["id"].as_str().unwrap();
    let (status, _) = get(&state, &gansu, &format!("{base}/transactions/{a_doc}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Sichuan's salon is not Gansu's to open; Lanzhou cannot open Tianshui's wholesaler.
    let c_base = format!("/api/v1/regulator/enterprises/{}", c.id);
    for suffix in ["", "/products", "/transactions", "/stock", "/partners"] {
        let (status, body) = get(&state, &gansu, &format!("{c_base}{suffix}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{suffix}: {body}");
        assert!(body["message"].is_string());
    }
    let c_docs = get_ok(&state, &c.token, "/api/v1/transactions").await;
    let c_doc = c_docs["items"][0]["id"].as_str().unwrap();
    let (status, _) = get(&state, &gansu, &format!("{c_base}/transactions/{c_doc}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&state, &lanzhou, &base).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&state, &sichuan, &c_base).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&state, &gansu, "/api/v1/regulator/enterprises/not-a-uuid").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both_databases!(enterprise_accounts_are_refused, |db| {
    let state = AppState::new(db.clone());
    let a = register_in(&state, 1, "兰州美源化妆品有限公司", "wholesaler", "620102").await;
    let base = format!("/api/v1/regulator/enterprises/{}", a.id);
    for path in [
        "/api/v1/regulator/enterprises".to_owned(),
        base.clone(),
        format!("{base}/products"),
        format!("{base}/transactions"),
        format!("{base}/stock"),
        format!("{base}/partners"),
        "/api/v1/regulator/trace?gtin=6901234567892&batch=X".to_owned(),
        "/api/v1/regulator/trace.xlsx?gtin=6901234567892&batch=X".to_owned(),
        "/api/v1/regulator/statistics".to_owned(),
    ] {
        let (status, _) = get(&state, &a.token, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    // Nor is the platform admin a regulator.
    regulator(&state, &db, "gansu", "620000").await;
    let (_, s) = common::call(
        &state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(serde_json::json!({"login": "root", "password": "platform-secret-1"})),
    )
    .await;
    let root = s["token"].as_str().unwrap();
    let (status, _) = get(&state, root, "/api/v1/regulator/enterprises").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});
