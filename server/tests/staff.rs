//! Staff accounts: an enterprise admin adds, lists, changes and disables its own staff; nobody
//! reaches another enterprise's staff.

mod common;

use axum::http::StatusCode;
use common::call;
use serde_json::{Value, json};
use suyuan_server::AppState;

fn profile(uscc: &str, name: &str) -> Value {
    json!({
        "name": name,
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

/// Registers an enterprise; returns its admin's token and account id.
async fn register(state: &AppState, uscc: &str, login: &str) -> (String, String) {
    let (status, s) = call(
        state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({"enterprise": profile(uscc, &format!("企业{login}")), "login": login, "password": "admin-pass-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    (
        s["token"].as_str().unwrap().to_owned(),
        s["account"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn login(state: &AppState, login: &str, password: &str) -> (StatusCode, Option<String>) {
    let (status, s) = call(
        state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": login, "password": password})),
    )
    .await;
    (status, s["token"].as_str().map(str::to_owned))
}

async fn add(state: &AppState, token: &str, login: &str, role: &str) -> (StatusCode, Value) {
    call(
        state,
        "POST",
        "/api/v1/staff",
        Some(token),
        None,
        Some(json!({"login": login, "password": "staff-pass-1", "display_name": format!("员工{login}"), "role": role})),
    )
    .await
}

on_both_databases!(an_admin_adds_and_lists_staff_who_then_log_in, |db| {
    let state = AppState::new(db);
    let (admin, _) = register(&state, "91512081MA62K0260E", "boss").await;
    let (status, clerk) = add(&state, &admin, "clerk-wang", "clerk").await;
    assert_eq!(status, StatusCode::CREATED, "{clerk}");
    assert_eq!(clerk["role"], "clerk");
    assert_eq!(clerk["display_name"], "员工clerk-wang");
    assert!(clerk.get("password_hash").is_none());
    let (status, reader) = add(&state, &admin, "reader-li", "read_only").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(reader["role"], "read_only");
    let (status, second_admin) = add(&state, &admin, "admin-zhao", "admin").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second_admin["role"], "enterprise_admin");
    assert_eq!(second_admin["enterprise_id"], clerk["enterprise_id"]);

    let (status, page) = call(
        &state,
        "GET",
        "/api/v1/staff?sort=login&order=asc",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let logins: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["admin-zhao", "boss", "clerk-wang", "reader-li"]);
    assert_eq!(page["total"], 4);
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/staff?q=WANG",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["login"], "clerk-wang");
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/staff?role=read_only",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(page["items"][0]["login"], "reader-li");
    assert_eq!(page["total"], 1);
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/staff?per_page=2&page=2&sort=login&order=asc",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(4), 2)
    );
    assert_eq!(page["items"][0]["login"], "clerk-wang");
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/staff?sort=password_hash",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, clerk_token) = login(&state, "clerk-wang", "staff-pass-1").await;
    assert_eq!(status, StatusCode::OK);
    let clerk_token = clerk_token.unwrap();
    let (_, me) = call(&state, "GET", "/api/v1/me", Some(&clerk_token), None, None).await;
    assert_eq!(me["account"]["role"], "clerk");
    assert_eq!(me["enterprise"]["name"], "企业boss");
    // Staff other than admins manage nobody.
    let (status, _) = add(&state, &clerk_token, "sneaky", "admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/staff",
        Some(&clerk_token),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, reader_token) = login(&state, "reader-li", "staff-pass-1").await;
    let (status, _) = add(&state, &reader_token.unwrap(), "sneaky", "clerk").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = login(&state, "sneaky", "staff-pass-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_databases!(bad_staff_input_is_refused_with_reasons, |db| {
    let state = AppState::new(db);
    let (admin, admin_id) = register(&state, "91512081MA62K0260E", "boss").await;
    let (status, err) = call(
        &state,
        "POST",
        "/api/v1/staff",
        Some(&admin),
        Some("en"),
        Some(json!({"login": " ", "password": "short", "display_name": "", "role": "clerk"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let rules: Vec<(&str, &str)> = err["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("login", "required"),
            ("display_name", "required"),
            ("password", "password.too_short")
        ]
    );
    let (status, _) = call(&state, "POST", "/api/v1/staff", Some(&admin), None,
        Some(json!({"login": "x", "password": "staff-pass-1", "display_name": "X", "role": "regulator"}))).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only enterprise roles"
    );
    let (status, dup) = add(&state, &admin, "boss", "clerk").await;
    assert_eq!(
        (status, dup["errors"][0]["rule"].as_str()),
        (StatusCode::CONFLICT, Some("login.taken"))
    );

    // An admin cannot lock themself (and so the enterprise) out.
    let path = format!("/api/v1/staff/{admin_id}");
    let (status, err) = call(
        &state,
        "PUT",
        &path,
        Some(&admin),
        None,
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!(
        (status, err["errors"][0]["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("staff.self"))
    );
    let (status, _) = call(
        &state,
        "PUT",
        &path,
        Some(&admin),
        None,
        Some(json!({"role": "clerk"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, me) = call(
        &state,
        "PUT",
        &path,
        Some(&admin),
        None,
        Some(json!({"display_name": "张总"})),
    )
    .await;
    assert_eq!(
        (status, me["display_name"].as_str()),
        (StatusCode::OK, Some("张总"))
    );
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/staff/not-a-uuid",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

on_both_databases!(a_disabled_account_cannot_log_in_and_its_tokens_stop, |db| {
    let state = AppState::new(db);
    let (admin, _) = register(&state, "91512081MA62K0260E", "boss").await;
    let (_, clerk) = add(&state, &admin, "clerk-wang", "clerk").await;
    let path = format!("/api/v1/staff/{}", clerk["id"].as_str().unwrap());
    let (_, token) = login(&state, "clerk-wang", "staff-pass-1").await;
    let token = token.unwrap();
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_eq!(status, StatusCode::OK);

    let (status, changed) = call(
        &state,
        "PUT",
        &path,
        Some(&admin),
        None,
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!(
        (status, changed["disabled"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a disabled account's token stops working"
    );
    let (status, _) = login(&state, "clerk-wang", "staff-pass-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, page) = call(
        &state,
        "GET",
        "/api/v1/staff?disabled=true",
        Some(&admin),
        None,
        None,
    )
    .await;
    assert_eq!(page["items"][0]["login"], "clerk-wang");

    let (status, _) = call(
        &state,
        "PUT",
        &path,
        Some(&admin),
        None,
        Some(json!({"disabled": false, "role": "read_only"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&token), None, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "re-enabling does not revive old tokens"
    );
    let (status, fresh) = login(&state, "clerk-wang", "staff-pass-1").await;
    assert_eq!(status, StatusCode::OK);
    let fresh = fresh.unwrap();
    let (_, me) = call(&state, "GET", "/api/v1/me", Some(&fresh), None, None).await;
    assert_eq!(me["account"]["role"], "read_only");

    // A new password revokes the tokens of the old one.
    let (status, _) = call(
        &state,
        "PUT",
        &path,
        Some(&admin),
        None,
        Some(json!({"password": "another-pass-2"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&fresh), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&state, "clerk-wang", "staff-pass-1").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&state, "clerk-wang", "another-pass-2").await.0,
        StatusCode::OK
    );

    // Every change is in the audit log, as the admin's, without any password hash.
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT account_id, action, before_body, after_body FROM audit_log \
         WHERE entity = 'account' AND entity_id = $1 ORDER BY id",
    )
    .bind(clerk["id"].as_str().unwrap())
    .fetch_all(&state.db.pool)
    .await
    .unwrap();
    let actions: Vec<String> = rows.iter().map(|r| r.try_get("action").unwrap()).collect();
    assert_eq!(actions, ["create", "update", "update", "update"]);
    let (_, me) = call(&state, "GET", "/api/v1/me", Some(&admin), None, None).await;
    for r in &rows {
        assert_eq!(
            r.try_get::<Option<String>, _>("account_id")
                .unwrap()
                .as_deref(),
            me["account"]["id"].as_str()
        );
        let after: String = r.try_get("after_body").unwrap();
        assert!(!after.contains("argon2"), "{after}");
    }
    let disabled: Value =
        serde_json::from_str(&rows[1].try_get::<String, _>("after_body").unwrap()).unwrap();
    let before: Value =
        serde_json::from_str(&rows[1].try_get::<String, _>("before_body").unwrap()).unwrap();
    assert_eq!(
        (before["disabled"].as_bool(), disabled["disabled"].as_bool()),
        (Some(false), Some(true))
    );
    let last: Value =
        serde_json::from_str(&rows[3].try_get::<String, _>("after_body").unwrap()).unwrap();
    assert_eq!(last["password_changed"], true);
});

on_both_databases!(nobody_reaches_another_enterprises_staff, |db| {
    let state = AppState::new(db);
    let (a, a_admin) = register(&state, "91512081MA62K0260E", "boss-a").await;
    let (b, _) = register(&state, "91110000802100433B", "boss-b").await;
    let (_, a_clerk) = add(&state, &a, "clerk-a", "clerk").await;
    let a_clerk = format!("/api/v1/staff/{}", a_clerk["id"].as_str().unwrap());

    let (status, _) = call(&state, "GET", &a_clerk, Some(&b), None, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "read of another enterprise's staff"
    );
    let (status, _) = call(
        &state,
        "PUT",
        &a_clerk,
        Some(&b),
        None,
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "write to another enterprise's staff"
    );
    let (status, _) = call(
        &state,
        "PUT",
        &format!("/api/v1/staff/{a_admin}"),
        Some(&b),
        None,
        Some(json!({"password": "takeover-pass"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page) = call(&state, "GET", "/api/v1/staff", Some(&b), None, None).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["login"], "boss-b");
    let (_, page) = call(&state, "GET", "/api/v1/staff?q=clerk", Some(&b), None, None).await;
    assert_eq!(page["total"], 0);

    // A's clerk is untouched and still works.
    assert_eq!(
        login(&state, "clerk-a", "staff-pass-1").await.0,
        StatusCode::OK
    );
    let (status, clerk) = call(&state, "GET", &a_clerk, Some(&a), None, None).await;
    assert_eq!(
        (status, clerk["disabled"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (status, _) = call(&state, "GET", "/api/v1/staff", None, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});
