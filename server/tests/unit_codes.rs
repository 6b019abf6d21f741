//! Serialized unit codes on both databases: issuance with its code file and QR label sheets;
//! concurrent applications that never share a code; a case packed at the maker, shipped and
//! received as one scan and looked up with its history; upload files audited line by line,
//! idempotent by document number, with counterfeit signals a regulator of the region sees.

mod common;
mod docs_support;
mod regulator_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use docs_support::*;
use regulator_support::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use suyuan_core::model::{PackagingLevel, ProductId};
use suyuan_server::AppState;
use suyuan_server::db::{self, CodeRequest, Db};
use tower::ServiceExt;

/// A request with a text body (or none); the status and the body as text.
async fn raw(
    state: &AppState,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/plain; charset=utf-8")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .expect("request");
    let res = suyuan_server::app(state.clone())
        .oneshot(req)
        .await
        .expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .expect("body");
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

async fn upload(state: &AppState, who: &Party, file: &str) -> (StatusCode, Value) {
    let (status, body) = raw(
        state,
        "POST",
        "/api/v1/unit-codes/uploads",
        &who.token,
        Some(file),
    )
    .await;
    (status, serde_json::from_str(&body).expect("JSON"))
}

/// An upload file of `who` with `codes`.
fn file(
    who: &Party,
    kind: &str,
    number: &str,
    counterparty: Option<&str>,
    codes: &[String],
) -> String {
    let mut s = format!(
        "SUYUAN-UNITS 1\nenterprise={}\nvendor=V0001\ntype={kind}\nnumber={number}\ndate=2026-12-01\n",
        who.uscc
    );
    if let Some(c) = counterparty {
        s += &format!("counterparty={c}\n");
    }
    s += "---\n";
    for c in codes {
        s += &format!("{c},1瓶\n");
    }
    s
}

/// Applies through the API; returns the application and its codes in issue order.
async fn apply(
    state: &AppState,
    who: &Party,
    product: ProductId,
    level: &str,
    quantity: u32,
) -> (Value, Vec<String>) {
    let (status, app) = common::call(
        state,
        "POST",
        "/api/v1/unit-codes/applications",
        Some(&who.token),
        None,
        Some(
            json!({"product_id": product, "batch": "SN2026", "level": level, "quantity": quantity}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let path = format!(
        "/api/v1/unit-codes/applications/{}/codes.csv",
        app["id"].as_str().unwrap()
    );
    let (status, csv) = raw(state, "GET", &path, &who.token, None).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("code,level,batch"));
    let codes = lines
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            assert_eq!(cols[1..], [level, "SN2026"]);
            cols[0].to_owned()
        })
        .collect();
    (app, codes)
}

on_both_databases!(issuance_gives_unique_codes_a_file_and_label_sheets, |db| {
    let state = AppState::new(db.clone());
    let maker = register_in(&state, 1, "兰州制造", "registrant_manufacturer", "620102").await;
    let other = register_in(&state, 2, "天水批发", "wholesaler", "620502").await;
    let cream = product(&db, maker.id, "舒唯雅护肤霜").await;
    let theirs = product(&db, other.id, "别家的霜").await;

    let (app, codes) = apply(&state, &maker, cream, "unit", 30).await;
    assert_eq!(app["quantity"], 30);
    assert_eq!(codes.len(), 30);
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 30);
    let date = app["applied_on"].as_str().unwrap().replace('-', "");
    let enterprise_part = &codes[0][8..13];
    for c in &codes {
        assert_eq!(c.len(), 24);
        assert!(c.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            c.starts_with(&date),
            "{c} starts with the application date {date}"
        );
        assert_eq!(&c[8..13], enterprise_part, "one enterprise identifier");
    }
    // A second enterprise gets another identifier.
    let other_cream = product(&db, other.id, "天水霜").await;
    let (_, others) = apply(&state, &other, other_cream, "unit", 1).await;
    assert_ne!(&others[0][8..13], enterprise_part);

    // Label sheets: 24 QR labels on page 1, the other 6 on page 2, then nothing.
    let id = app["id"].as_str().unwrap();
    let labels = |page: u32| format!("/api/v1/unit-codes/applications/{id}/labels.svg?page={page}");
    let (status, page1) = raw(&state, "GET", &labels(1), &maker.token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page1.starts_with("<svg") && page1.contains("210mm"));
    assert_eq!(
        codes.iter().filter(|c| page1.contains(c.as_str())).count(),
        24
    );
    let (status, page2) = raw(&state, "GET", &labels(2), &maker.token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(codes[24..].iter().all(|c| page2.contains(c.as_str())));
    assert!(!page2.contains(codes[0].as_str()));
    assert_eq!(
        raw(&state, "GET", &labels(3), &maker.token, None).await.0,
        StatusCode::NOT_FOUND
    );
    // Another enterprise cannot read them.
    assert_eq!(
        raw(&state, "GET", &labels(1), &other.token, None).await.0,
        StatusCode::NOT_FOUND
    );

    // Refusals name the field and the rule.
    for (body, field, rule) in [
        (
            json!({"batch": "B", "quantity": 5}),
            "product_id",
            "required",
        ),
        (
            json!({"product_id": cream, "batch": "B", "quantity": 0}),
            "quantity",
            "unit_code.count",
        ),
        (
            json!({"product_id": cream, "batch": " ", "quantity": 5}),
            "batch",
            "required",
        ),
        (
            json!({"product_id": theirs, "batch": "B", "quantity": 5}),
            "product_id",
            "unit_code.product_not_own",
        ),
    ] {
        let (status, err) = common::call(
            &state,
            "POST",
            "/api/v1/unit-codes/applications",
            Some(&maker.token),
            Some("en"),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert!(
            fields(&err).contains(&(field.to_owned(), rule.to_owned())),
            "{err}"
        );
    }
    assert_eq!(count(&db, "unit_codes").await, 31);
});

on_both_databases!(concurrent_applications_never_share_a_code, |db| {
    let state = AppState::new(db.clone());
    let maker = register_in(&state, 1, "兰州制造", "registrant_manufacturer", "620102").await;
    let cream = product(&db, maker.id, "舒唯雅护肤霜").await;
    // A deliberately poor source (3,000 values for 2,000 codes) makes the applications collide
    // all the time, so only the database's key keeps them apart.
    let tasks: Vec<_> = (0..4u64)
        .map(|seed| {
            let db: Db = db.clone();
            let enterprise = maker.id;
            tokio::spawn(async move {
                let mut x = seed * 7919 + 1;
                let mut random = move || {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 33) % 3000
                };
                let request = CodeRequest {
                    enterprise,
                    product: cream,
                    batch: "SN2026".into(),
                    level: PackagingLevel::Unit,
                    quantity: 500,
                };
                db::apply_for_codes(
                    &db,
                    &request,
                    uuid::Uuid::nil(),
                    chrono::Utc::now(),
                    &mut random,
                )
                .await
                .expect("issued")
            })
        })
        .collect();
    let mut all = HashSet::new();
    for t in tasks {
        let app = t.await.expect("task");
        let codes = db::application_codes(&db, app.id, i64::MAX, 0)
            .await
            .expect("codes");
        assert_eq!(codes.len(), 500);
        all.extend(codes);
    }
    assert_eq!(all.len(), 2000);
    assert_eq!(count(&db, "unit_codes").await, 2000);
});

on_both_databases!(a_case_goes_from_maker_to_wholesaler_in_one_scan, |db| {
    let state = AppState::new(db.clone());
    let maker = register_in(&state, 1, "兰州制造", "registrant_manufacturer", "620102").await;
    let seller = register_in(&state, 2, "兰州批发", "wholesaler", "620102").await;
    let stranger = register_in(&state, 3, "别处商店", "retail_shop", "620102").await;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let cream = product(&db, maker.id, "舒唯雅护肤霜").await;
    let (_, units) = apply(&state, &maker, cream, "unit", 4).await;
    let (_, boxes) = apply(&state, &maker, cream, "box", 2).await;
    let (_, cases) = apply(&state, &maker, cream, "case", 1).await;
    let mut everything = units.clone();
    everything.extend(boxes.clone());
    everything.extend(cases.clone());

    // Off the line into stock, then packed: two units a box, both boxes in the case.
    let (status, r) = upload(
        &state,
        &maker,
        &file(&maker, "inbound", "RK-1", None, &everything),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["accepted"].as_u64(), r["refused"].as_u64()),
        (Some(7), Some(0))
    );
    for (parent, children) in [
        (&boxes[0], &units[0..2]),
        (&boxes[1], &units[2..4]),
        (&cases[0], &boxes[..]),
    ] {
        let (status, body) = common::call(
            &state,
            "POST",
            "/api/v1/unit-codes/pack",
            Some(&maker.token),
            None,
            Some(json!({"parent": parent, "children": children})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let case_view = get_ok(
        &state,
        &maker.token,
        &format!("/api/v1/unit-codes/{}", cases[0]),
    )
    .await;
    assert_eq!(case_view["units_inside"], 4);
    assert_eq!(case_view["children"].as_array().unwrap().len(), 2);

    // The case ships as one line and is received as one line.
    let out = file(&maker, "outbound", "CK-1", Some(&seller.uscc), &cases);
    let (status, r) = upload(&state, &maker, &out).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["lines"][0]["moved"], 7);
    let inbound = file(&seller, "inbound", "RK-9", Some(&maker.uscc), &cases);
    let (status, first) = upload(&state, &seller, &inbound).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["accepted"], 1);

    // The same file again changes nothing and answers the first audit.
    let events = count(&db, "unit_events").await;
    let (status, again) = upload(&state, &seller, &inbound).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    assert_eq!(count(&db, "unit_events").await, events);
    // Another file under the same number is refused.
    let (status, err) = upload(
        &state,
        &seller,
        &file(&seller, "inbound", "RK-9", Some(&maker.uscc), &boxes),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");

    // A unit's history names every holder in order; it is at the wholesaler now.
    let unit = get_ok(
        &state,
        &seller.token,
        &format!("/api/v1/unit-codes/{}", units[0]),
    )
    .await;
    let actions: Vec<&str> = unit["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["issue", "receive", "pack", "ship", "receive"]);
    assert_eq!(unit["state"], json!({"state": "in_stock", "at": seller.id}));
    assert_eq!(unit["parent"], json!(boxes[0]));
    assert_eq!(unit["history"][3]["document_number"], "CK-1");
    // Someone who never had it cannot read it; a regulator can.
    let (status, _) = get(
        &state,
        &stranger.token,
        &format!("/api/v1/unit-codes/{}", units[0]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    get_ok(&state, &gansu, &format!("/api/v1/unit-codes/{}", units[0])).await;

    // The wholesaler opens a box and sells one unit; the rest of the case stays together.
    let (status, freed) = common::call(
        &state,
        "POST",
        "/api/v1/unit-codes/unpack",
        Some(&seller.token),
        None,
        Some(json!({"parent": boxes[0]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{freed}");
    assert_eq!(freed.as_array().unwrap().len(), 2);
    let (status, r) = upload(
        &state,
        &seller,
        &file(&seller, "retail", "XS-1", None, &units[0..1]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let case_view = get_ok(
        &state,
        &seller.token,
        &format!("/api/v1/unit-codes/{}", cases[0]),
    )
    .await;
    assert_eq!(case_view["units_inside"], 2);
    let sold = get_ok(
        &state,
        &seller.token,
        &format!("/api/v1/unit-codes/{}", units[0]),
    )
    .await;
    assert_eq!(sold["state"], json!({"state": "sold", "by": seller.id}));
});

on_both_databases!(
    uploads_refuse_line_by_line_and_raise_counterfeit_signals,
    |db| {
        let state = AppState::new(db.clone());
        let maker = register_in(&state, 1, "兰州制造", "registrant_manufacturer", "620102").await;
        let shop = register_in(&state, 2, "兰州商店", "retail_shop", "620102").await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;
        let cream = product(&db, maker.id, "舒唯雅护肤霜").await;
        let (_, units) = apply(&state, &maker, cream, "unit", 3).await;
        let (status, _) = upload(
            &state,
            &maker,
            &file(&maker, "inbound", "RK-1", None, &units),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);

        // The shop claims a unit that sits in the maker's stock, a code nobody issued, a typo.
        let never = format!("{}99999999999", &units[0][..13]);
        let claimed = file(
            &shop,
            "inbound",
            "RK-2",
            Some(&maker.uscc),
            &[units[0].clone(), never.clone(), "12345".into()],
        );
        let (status, r) = upload(&state, &shop, &claimed).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        let verdicts: Vec<(bool, &str, bool)> = r["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["accepted"].as_bool().unwrap(),
                    l["problem"]["rule"].as_str().unwrap(),
                    l["suspicious"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            verdicts,
            [
                (false, "unit.not_shipped_here", true),
                (false, "unit.never_issued", true),
                (false, "unit_code.format", false),
            ]
        );
        assert_eq!(r["lines"][2]["problem"]["field"], "line[11].code");

        // An outbound to an enterprise not on the platform records nothing for any line.
        let unregistered = uscc(77);
        let (status, r) = upload(
            &state,
            &maker,
            &file(
                &maker,
                "outbound",
                "CK-1",
                Some(&unregistered),
                &units[1..2],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            r["lines"][0]["problem"]["rule"],
            "upload.receiver_unregistered"
        );
        // Shipping what the maker does not hold twice in a row: the second is already shipped.
        let to_shop = |n: &str| file(&maker, "outbound", n, Some(&shop.uscc), &units[2..3]);
        assert_eq!(
            upload(&state, &maker, &to_shop("CK-2")).await.1["accepted"],
            1
        );
        let (_, r) = upload(&state, &maker, &to_shop("CK-3")).await;
        assert_eq!(r["lines"][0]["problem"]["rule"], "unit.already_shipped");
        assert_eq!(r["lines"][0]["suspicious"], false);

        // A bad header or someone else's file: 422, nothing recorded.
        let uploads = count(&db, "unit_uploads").await;
        let (status, err) = upload(&state, &shop, "SUYUAN-UNITS 1\ntype=sideways\n---\n").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            fields(&err).contains(&("header.type".to_owned(), "upload.type".to_owned())),
            "{err}"
        );
        let (status, err) = upload(
            &state,
            &shop,
            &file(&maker, "retail", "XS-1", None, &units[..1]),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&err)[0],
            ("header.enterprise".to_owned(), "upload.not_you".to_owned())
        );
        assert_eq!(count(&db, "unit_uploads").await, uploads);

        // The region's regulator sees both signals; another province's sees none; enterprises none.
        let signals = get_ok(&state, &gansu, "/api/v1/regulator/unit-signals").await;
        assert_eq!(signals["total"], 2);
        let mut rules: Vec<&str> = signals["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["rule"].as_str().unwrap())
            .collect();
        rules.sort();
        assert_eq!(rules, ["unit.never_issued", "unit.not_shipped_here"]);
        let held = signals["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["rule"] == "unit.not_shipped_here")
            .unwrap();
        assert_eq!(held["seen_at"], json!(maker.id));
        assert_eq!(held["enterprise_id"], json!(shop.id));
        assert_eq!(
            get_ok(&state, &sichuan, "/api/v1/regulator/unit-signals").await["total"],
            0
        );
        assert_eq!(
            get(&state, &shop.token, "/api/v1/regulator/unit-signals")
                .await
                .0,
            StatusCode::FORBIDDEN
        );

        // Packing what cannot be packed says every reason at once.
        let (status, err) = common::call(
            &state,
            "POST",
            "/api/v1/unit-codes/pack",
            Some(&maker.token),
            Some("en"),
            Some(json!({"parent": units[0], "children": [units[1], "123", never]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            fields(&err),
            [("children[1]".to_owned(), "unit_code.format".to_owned())]
        );
        let (status, err) = common::call(
            &state,
            "POST",
            "/api/v1/unit-codes/pack",
            Some(&maker.token),
            Some("en"),
            Some(json!({"parent": units[0], "children": [units[1], never]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(
            fields(&err),
            [
                ("children[0]".to_owned(), "packaging.level".to_owned()),
                ("children[1]".to_owned(), "unit.never_issued".to_owned()),
            ]
        );
    }
);

on_both_databases!(
    unit_uploads_keep_the_batch_records_without_counting_twice,
    |db| {
        let state = AppState::new(db.clone());
        let maker = register_in(&state, 1, "兰州制造", "registrant_manufacturer", "620102").await;
        let seller = register_in(&state, 2, "兰州批发", "wholesaler", "620102").await;
        let shop = register_in(&state, 3, "兰州商店", "retail_shop", "620102").await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let cream = product(&db, maker.id, "舒唯雅护肤霜").await;
        let (_, units) = apply(&state, &maker, cream, "unit", 10).await;

        // Production inbound: a 成品入库 of 10 is recorded and counted once.
        let (_, r) = upload(
            &state,
            &maker,
            &file(&maker, "inbound", "RK-1", None, &units),
        )
        .await;
        assert_eq!(r["document"]["derived"], true);
        assert_eq!(r["document"]["number"], "RK-1");
        assert_eq!(held(&state, &maker, cream, "SN2026").await, 10);

        // 6 to the wholesaler: a 销售出库 whose 勾兑 item waits in the buyer's inbox.
        let (_, r) = upload(
            &state,
            &maker,
            &file(&maker, "outbound", "CK-1", Some(&seller.uscc), &units[..6]),
        )
        .await;
        assert_eq!(r["document"]["derived"], true, "{r}");
        assert_eq!(held(&state, &maker, cream, "SN2026").await, 4);
        assert_eq!(inbox(&state, &seller, "?state=pending").await.len(), 1);
        // Its receipt upload records the 采购入库 that matches the item: confirmed, stock 6.
        let (_, r) = upload(
            &state,
            &seller,
            &file(&seller, "inbound", "RK-7", Some(&maker.uscc), &units[..6]),
        )
        .await;
        assert_eq!(r["document"]["derived"], true, "{r}");
        assert!(inbox(&state, &seller, "?state=pending").await.is_empty());
        assert_eq!(held(&state, &seller, cream, "SN2026").await, 6);

        // 2 to the shop, which confirms the item in its inbox first and uploads the scans after:
        // the upload is linked to that confirmation and the shop holds 2, not 4.
        let (_, r) = upload(
            &state,
            &seller,
            &file(&seller, "outbound", "CK-7", Some(&shop.uscc), &units[..2]),
        )
        .await;
        assert_eq!(r["document"]["derived"], true, "{r}");
        let confirmed = confirm_pending(&state, &shop, json!({})).await;
        let (_, r) = upload(
            &state,
            &shop,
            &file(&shop, "inbound", "RK-S1", Some(&seller.uscc), &units[..2]),
        )
        .await;
        assert_eq!(r["accepted"], 2);
        assert_eq!(r["document"]["derived"], false, "{r}");
        assert_eq!(
            r["document"]["id"], confirmed["document"]["id"],
            "{confirmed}"
        );
        assert_eq!(held(&state, &shop, cream, "SN2026").await, 2);

        // The wholesaler records its own 销售出库 CK-8 to the shop, then uploads the scans under
        // that number: linked, not counted again.
        let doc = draft(
            "sales_outbound",
            Some(shop.counterparty()),
            vec![line(cream, "SN2026", 1)],
        );
        let mut doc = doc;
        doc["number"] = json!("CK-8");
        save_and_submit(&state, &seller, doc).await;
        assert_eq!(held(&state, &seller, cream, "SN2026").await, 3);
        let (_, r) = upload(
            &state,
            &seller,
            &file(&seller, "outbound", "CK-8", Some(&shop.uscc), &units[2..3]),
        )
        .await;
        assert_eq!(r["document"]["derived"], false, "{r}");
        assert_eq!(held(&state, &seller, cream, "SN2026").await, 3);

        // Retail sales are a 销售出库 to consumers.
        let (_, r) = upload(
            &state,
            &seller,
            &file(&seller, "retail", "LS-1", None, &units[3..4]),
        )
        .await;
        assert_eq!(r["document"]["derived"], true);
        assert_eq!(held(&state, &seller, cream, "SN2026").await, 2);

        // The regulator's batch trace sees every holder the units reached.
        let trace = get_ok(
            &state,
            &gansu,
            &format!("/api/v1/regulator/trace?product_id={cream}&batch=SN2026"),
        )
        .await;
        let holders: HashSet<&str> = trace["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        for who in [&maker, &seller, &shop] {
            assert!(
                holders.contains(who.name.as_str()),
                "{} in {holders:?}",
                who.name
            );
        }

        // Scanning one unit's code traces its batch, and the report carries that unit's history.
        let by_code = get_ok(
            &state,
            &gansu,
            &format!("/api/v1/regulator/trace?code={}", units[0]),
        )
        .await;
        assert_eq!(by_code["batch"], "SN2026");
        assert_eq!(by_code["nodes"], trace["nodes"]);
        assert_eq!(by_code["unit"]["code"], json!(units[0]));
        assert_eq!(by_code["unit"]["state"]["at"], json!(shop.id));
        assert!(trace.get("unit").is_none());

        // A recalled batch cannot ship: the whole upload is refused and nothing moves.
        let (status, recall) = common::call(&state, "POST", "/api/v1/regulator/recalls", Some(&gansu), None,
        Some(json!({"product_id": cream, "batches": ["SN2026"], "level": "one", "reason": "菌落总数超标"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{recall}");
        let events = count(&db, "unit_events").await;
        let (status, err) = upload(
            &state,
            &maker,
            &file(&maker, "outbound", "CK-2", Some(&seller.uscc), &units[6..7]),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert!(
            err["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["rule"].as_str().unwrap().contains("recall")),
            "{err}"
        );
        assert_eq!(count(&db, "unit_events").await, events);
        let unit = get_ok(
            &state,
            &maker.token,
            &format!("/api/v1/unit-codes/{}", units[6]),
        )
        .await;
        assert_eq!(unit["state"]["state"], "in_stock");
    }
);
