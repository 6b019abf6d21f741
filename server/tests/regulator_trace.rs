//! A regulator traces a batch on both databases: by product and batch, by GTIN (13 or 14
//! digits) and batch, and from a scanned GS1 code; the holders carry what they hold now after
//! a short confirmation and a return; holders outside the region show without drill-down; the
//! workbook holds the same rows; a unit code nobody issued is refused (tracing by an issued
//! unit code is in unit_codes.rs).

mod common;
mod docs_support;
mod excel_support;
mod regulator_support;

use axum::http::StatusCode;
use docs_support::*;
use excel_support::{sheets, urlencode};
use regulator_support::*;
use serde_json::Value;
use suyuan_server::AppState;

/// The node of an enterprise in a trace.
fn node<'a>(trace: &'a Value, who: &Party) -> &'a Value {
    trace["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["enterprise_id"] == serde_json::json!(who.id))
        .unwrap_or_else(|| panic!("{} is not in the trace: {trace}", who.name))
}

fn index_of(trace: &Value, who: &Party) -> u64 {
    trace["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n["enterprise_id"] == serde_json::json!(who.id))
        .unwrap() as u64
}

/// The holders' quantities now, in chain order.
fn held(trace: &Value, chain: &Chain) -> [i64; 3] {
    [&chain.a, &chain.b, &chain.c].map(|p| node(trace, p)["held"].as_i64().expect("held"))
}

on_both_databases!(a_chain_is_traced_by_product_gtin_and_scanned_code, |db| {
    let state = AppState::new(db.clone());
    let chain = chain(&state, &db).await;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let cream = chain.cream;

    let by_product = get_ok(
        &state,
        &gansu,
        &format!("/api/v1/regulator/trace?product_id={cream}&batch={BATCH}"),
    )
    .await;
    assert_eq!(by_product["batch"], BATCH);
    assert_eq!(by_product["direction"], "both");
    assert_eq!(by_product["product_name"], "舒唯雅皮肤身体护肤霜");
    assert_eq!(
        by_product["nodes"].as_array().unwrap().len(),
        3,
        "{by_product}"
    );
    // A made 100 and sold 40; B confirmed 38, sold 20 and took 5 back; C kept 15.
    assert_eq!(held(&by_product, &chain), [60, 23, 15]);
    let a = node(&by_product, &chain.a);
    assert_eq!(
        (a["produced"].as_u64(), a["passed_on"].as_u64()),
        (Some(100), Some(40))
    );
    assert_eq!(a["production"].as_array().unwrap().len(), 1);
    let b = node(&by_product, &chain.b);
    assert_eq!(
        (
            b["received"].as_u64(),
            b["passed_on"].as_u64(),
            b["returns_in"].as_u64()
        ),
        (Some(38), Some(20), Some(5))
    );
    // The trace's quantities are the enterprises' own stock figures.
    for (who, want) in [(&chain.a, 60), (&chain.b, 23), (&chain.c, 15)] {
        assert_eq!(
            docs_support::held(&state, who, cream, BATCH).await,
            want,
            "{}",
            who.name
        );
    }
    // The sale A → B shows the shortage: 40 sent, 38 received, both documents on the edge.
    let (ia, ib, ic) = (
        index_of(&by_product, &chain.a),
        index_of(&by_product, &chain.b),
        index_of(&by_product, &chain.c),
    );
    let edges = by_product["edges"].as_array().unwrap();
    let edge = |from: u64, to: u64, kind: &str| {
        edges
            .iter()
            .find(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} {from}->{to}: {edges:?}"))
    };
    let ab = edge(ia, ib, "sale");
    assert_eq!(
        (ab["sent"].as_u64(), ab["received"].as_u64()),
        (Some(40), Some(38))
    );
    let kinds: Vec<&str> = ab["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"sales_outbound") && kinds.contains(&"purchase_inbound"));
    let bc = edge(ib, ic, "sale");
    assert_eq!(
        (bc["sent"].as_u64(), bc["received"].as_u64()),
        (Some(20), Some(20))
    );
    let cb = edge(ic, ib, "return");
    assert_eq!(
        (cb["sent"].as_u64(), cb["received"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(edges.len(), 3);
    // The tree lists every document of the edges it walks.
    let tree = by_product["tree"].as_array().unwrap();
    assert!(
        tree.iter()
            .any(|t| t["direction"] == "forward" && t["document"]["quantity"] == 40)
    );
    assert!(tree.iter().any(|t| t["direction"] == "backward"));

    // Sichuan's salon is named with its quantities but is not Gansu's to open.
    let c = node(&by_product, &chain.c);
    assert_eq!(
        (
            c["name"].as_str(),
            c["region_code"].as_str(),
            c["in_region"].as_bool()
        ),
        (Some(chain.c.name.as_str()), Some("510104"), Some(false))
    );
    assert_eq!(c["uscc"], chain.c.uscc.as_str());
    assert_eq!(node(&by_product, &chain.a)["in_region"], true);
    assert_eq!(by_product["holders_in_region"], 2);
    let (status, _) = get(
        &state,
        &gansu,
        &format!("/api/v1/regulator/enterprises/{}/stock", chain.c.id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The same holders by GTIN-13, GTIN-14, a GS1 element string (brackets, or FNC1 as a
    // scanner sends it), a Digital Link, and a bare retail barcode with the batch typed in.
    let gs = '\u{1d}';
    for query in [
        format!("gtin={GTIN13}&batch={BATCH}"),
        format!("gtin={GTIN14}&batch={BATCH}"),
        format!(
            "code={}",
            urlencode(&format!("(01){GTIN14}(17)291031(10){BATCH}"))
        ),
        format!(
            "code={}",
            urlencode(&format!("]d201{GTIN14}10{BATCH}{gs}17291031"))
        ),
        format!(
            "code={}",
            urlencode(&format!("https://id.gs1.org/01/{GTIN14}/10/{BATCH}"))
        ),
        format!("code={GTIN13}&batch={BATCH}"),
    ] {
        let trace = get_ok(&state, &gansu, &format!("/api/v1/regulator/trace?{query}")).await;
        assert_eq!(trace["product_id"], serde_json::json!(cream), "{query}");
        assert_eq!(held(&trace, &chain), [60, 23, 15], "{query}");
    }

    // Directions: downstream of B is C; upstream of B is A.
    let forward = get_ok(
        &state,
        &gansu,
        &format!(
            "/api/v1/regulator/trace?product_id={cream}&batch={BATCH}&direction=forward&from={}",
            chain.b.id
        ),
    )
    .await;
    assert!(
        forward["tree"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["direction"] == "forward")
    );
    let reached: Vec<u64> = forward["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["to"].as_u64().unwrap())
        .collect();
    assert!(reached.contains(&index_of(&forward, &chain.c)));
    let backward = get_ok(
        &state,
        &gansu,
        &format!(
            "/api/v1/regulator/trace?product_id={cream}&batch={BATCH}&direction=backward&from={}",
            chain.b.id
        ),
    )
    .await;
    let tree = backward["tree"].as_array().unwrap();
    assert!(!tree.is_empty() && tree.iter().all(|t| t["direction"] == "backward"));
    assert!(
        tree.iter()
            .any(|t| t["from"] == index_of(&backward, &chain.a))
    );

    // Another batch has no holders.
    let empty = get_ok(
        &state,
        &gansu,
        &format!("/api/v1/regulator/trace?product_id={cream}&batch=NONE"),
    )
    .await;
    assert!(empty["nodes"].as_array().unwrap().is_empty());
});

on_both_databases!(bad_trace_requests_are_explained, |db| {
    let state = AppState::new(db.clone());
    let chain = chain(&state, &db).await;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let rule = |body: &Value| {
        body["errors"][0]["rule"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for (query, field, want) in [
        (
            "code=202611300123412345678901".to_owned(),
            "code",
            "unit.never_issued",
        ),
        (
            "serial=202611300123412345678901".to_owned(),
            "serial",
            "unit.never_issued",
        ),
        ("serial=20261130".to_owned(), "serial", "unit_code.format"),
        (format!("gtin={GTIN13}"), "batch", "required"),
        (
            "gtin=6901234567893&batch=X".to_owned(),
            "gtin",
            "gtin.format",
        ),
        (
            "gtin=6901234567885&batch=X".to_owned(),
            "gtin",
            "gtin.unknown",
        ),
        ("code=hello".to_owned(), "code", "code.unrecognized"),
        ("batch=X".to_owned(), "product_id", "required"),
        (
            format!("product_id={}&batch=X&direction=sideways", chain.cream),
            "query",
            "query.format",
        ),
    ] {
        let (status, body) = get(&state, &gansu, &format!("/api/v1/regulator/trace?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(
            (body["errors"][0]["field"].as_str(), rule(&body).as_str()),
            (Some(field), want),
            "{query}"
        );
    }
    // A unit code nobody issued is named as such, in either language.
    let (_, body) = common::call(
        &state,
        "GET",
        "/api/v1/regulator/trace?code=202611300123412345678901",
        Some(&gansu),
        Some("en"),
        None,
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("never issued"),
        "{body}"
    );
    let (status, _) = get(
        &state,
        &gansu,
        &format!(
            "/api/v1/regulator/trace?product_id={}&batch=X",
            uuid::Uuid::new_v4()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A reseller's barcode maps the GTIN to another product: the brand owner's own barcode
    // still decides. A second owner claiming the GTIN for its own product makes it ambiguous.
    let barcode = |product| {
        serde_json::json!({"product_id": product, "gtin": GTIN13, "specification": "50g",
                           "package_specification": "1支", "level": "unit", "contains_quantity": 1})
    };
    let third = product(&db, chain.a.id, "舒唯雅保湿乳").await;
    let (status, body) = common::call(
        &state,
        "POST",
        "/api/v1/barcodes",
        Some(&chain.b.token),
        None,
        Some(barcode(third)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let trace = get_ok(
        &state,
        &gansu,
        &format!("/api/v1/regulator/trace?gtin={GTIN13}&batch={BATCH}"),
    )
    .await;
    assert_eq!(trace["product_id"], serde_json::json!(chain.cream));
    let other = product(&db, chain.c.id, "另一款面霜").await;
    let (status, body) = common::call(
        &state,
        "POST",
        "/api/v1/barcodes",
        Some(&chain.c.token),
        None,
        Some(barcode(other)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = get(
        &state,
        &gansu,
        &format!("/api/v1/regulator/trace?gtin={GTIN13}&batch={BATCH}"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(rule(&body), "gtin.ambiguous");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&chain.cream.to_string()) && message.contains(&other.to_string()),
        "{message}"
    );
    // Naming the product settles it.
    let trace = get_ok(
        &state,
        &gansu,
        &format!(
            "/api/v1/regulator/trace?product_id={}&batch={BATCH}",
            chain.cream
        ),
    )
    .await;
    assert_eq!(trace["nodes"].as_array().unwrap().len(), 3);
});

on_both_databases!(the_trace_exports_to_a_workbook, |db| {
    let state = AppState::new(db.clone());
    let chain = chain(&state, &db).await;
    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let path = format!("/api/v1/regulator/trace.xlsx?gtin={GTIN13}&batch={BATCH}");
    let (status, bytes, headers) = download(&state, &gansu, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("trace-RB2026.xlsx")
    );
    let book = sheets(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["持有人 Holders", "流向 Movements", "追溯树 Tree"]);
    let holders = &book[0].1;
    assert_eq!(holders.len(), 4, "header and three holders: {holders:?}");
    let held_col = holders[0]
        .iter()
        .position(|h| h.contains("Held now"))
        .unwrap();
    let held_of = |name: &str| {
        holders
            .iter()
            .find(|r| r[0] == name)
            .map(|r| r[held_col].clone())
            .unwrap()
    };
    assert_eq!(
        [
            held_of(&chain.a.name),
            held_of(&chain.b.name),
            held_of(&chain.c.name)
        ],
        ["60", "23", "15"]
    );
    // Movements: two documents on each of the three edges, and A's production.
    let movements = &book[1].1;
    assert_eq!(movements.len(), 1 + 6 + 1, "{movements:?}");
    assert!(
        movements
            .iter()
            .any(|r| r[0] == chain.a.name && r[1] == chain.b.name && r[6] == "38")
    );
    let tree = &book[2].1;
    assert!(tree.len() > 1);
    assert!(
        tree.iter()
            .skip(1)
            .all(|r| r[2].contains('→') || r[2].contains('←'))
    );
    // An enterprise cannot export a trace.
    let (status, _, _) = download(&state, &chain.a.token, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

/// GET returning the raw body.
async fn download(
    state: &AppState,
    token: &str,
    path: &str,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = suyuan_server::app(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap();
    (status, bytes.to_vec(), headers)
}
