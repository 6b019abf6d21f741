//! Enterprise registration, login, logout and `me`, through the router on both databases.

mod common;

use axum::http::StatusCode;
use common::call;
use serde_json::{Value, json};
use suyuan_server::AppState;

fn profile(uscc: &str) -> Value {
    json!({
        "name": "兰州美源化妆品批发有限公司",
        "uscc": uscc,
        "kind": "wholesaler",
        "region_code": "620102",
        "address": "甘肃省兰州市城关区庆阳路1号",
        "legal_representative": "张三",
        "licence": null,
        "contact": "张三",
        "phone": "0931-7617990"
    })
}

on_both_databases!(a_legal_person_registers_logs_in_and_out, |db| {
    let state = AppState::new(db);
    let (status, session) = call(
        &state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({"enterprise": profile("91512081MA62K0260E"), "password": "兰州-2026-pass"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let token = session["token"].as_str().unwrap().to_owned();
    assert_eq!(session["account"]["role"], "enterprise_admin");
    assert_eq!(session["account"]["login"], "91512081MA62K0260E");

    let (status, me) = call(&state, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["enterprise"]["name"], "兰州美源化妆品批发有限公司");

    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": "91512081MA62K0260E", "password": "wrong-password"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, again) = call(
        &state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": "91512081MA62K0260E", "password": "兰州-2026-pass"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second = again["token"].as_str().unwrap().to_owned();

    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/auth/logout",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&state, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("请先登录"))
    );
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&second), None, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "logging out revokes only the token used"
    );
    let (status, _) = call(&state, "GET", "/api/v1/me", Some("not-a-token"), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_databases!(
    registration_reports_every_problem_in_the_callers_language,
    |db| {
        let state = AppState::new(db);
        let mut bad = profile("91512081MA62K0260");
        bad["name"] = json!("");
        let body = json!({"enterprise": bad, "password": "short"});
        let (status, zh) = call(
            &state,
            "POST",
            "/api/v1/enterprises/register",
            None,
            None,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let rules: Vec<(&str, &str)> = zh["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["rule"].as_str().unwrap()))
            .collect();
        for want in [
            ("name", "required"),
            ("uscc", "uscc.format"),
            ("password", "password.too_short"),
        ] {
            assert!(rules.contains(&want), "{want:?} in {rules:?}");
        }
        assert!(
            zh["errors"][0]["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
        let (_, en) = call(
            &state,
            "POST",
            "/api/v1/enterprises/register",
            None,
            Some("en-US,en;q=0.9"),
            Some(body),
        )
        .await;
        assert_eq!(en["message"], "The data breaks some rules; see the errors");
        assert!(en["errors"][0]["message"].as_str().unwrap().is_ascii());

        let (status, body) = call(
            &state,
            "POST",
            "/api/v1/enterprises/register",
            None,
            None,
            Some(json!({"nonsense": 1})),
        )
        .await;
        assert_eq!(
            (status, body["errors"][0]["rule"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("body.json"))
        );
    }
);

on_both_databases!(a_failed_uscc_checksum_needs_an_explicit_override, |db| {
    let state = AppState::new(db);
    // An early Fujian code that is lawful although its check character does not compute.
    let body = |ack: Value| json!({"enterprise": profile("91350100M0001TGQXM"), "password": "long-enough-1", "acknowledge": ack});
    let (status, err) = call(
        &state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(body(json!([]))),
    )
    .await;
    assert_eq!(
        (status, err["errors"][0]["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("uscc.checksum"))
    );
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(body(json!(["uscc.checksum"]))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, dup) = call(
        &state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(body(json!(["uscc.checksum"]))),
    )
    .await;
    assert_eq!(
        (status, dup["errors"][0]["rule"].as_str()),
        (StatusCode::CONFLICT, Some("uscc.taken"))
    );
    assert_eq!(dup["errors"][0]["field"], "enterprise.uscc");
});

on_both_databases!(repeated_failed_logins_are_refused_for_a_while, |db| {
    let state = AppState::new(db);
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({"enterprise": profile("91512081MA62K0260E"), "password": "兰州-2026-pass"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let attempt =
        |password: &'static str| json!({"login": "91512081MA62K0260E", "password": password});
    for _ in 0..5 {
        let (status, _) = call(
            &state,
            "POST",
            "/api/v1/auth/login",
            None,
            None,
            Some(attempt("guess")),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = call(
        &state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(attempt("兰州-2026-pass")),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits out the window"
    );
});
