//! Browser sessions with CSRF protection, token expiry and revocation, and login through the
//! identity provider.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use common::call;
use serde_json::{Value, json};
use std::sync::Arc;
use suyuan_server::auth::{new_token, token_hash};
use suyuan_server::db::{self, Account, DbError};
use suyuan_server::identity::{BoxFuture, IdentityProvider};
use suyuan_server::{AppState, app};
use tower::ServiceExt;

/// A response: status, `Set-Cookie` headers, JSON body.
struct Reply {
    status: StatusCode,
    cookies: Vec<String>,
    body: Value,
}

/// Sends a request with any headers and a raw body.
async fn send(
    state: &AppState,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some((content_type, b)) => req.header("content-type", content_type).body(Body::from(b)),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Reply {
        status,
        cookies,
        body,
    }
}

/// The value a `Set-Cookie` header gives the named cookie.
fn cookie_value(cookies: &[String], name: &str) -> String {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("{name} in {cookies:?}"))
        .to_owned()
}

async fn register(state: &AppState) -> String {
    let (status, s) = call(
        state,
        "POST",
        "/api/v1/enterprises/register",
        None,
        None,
        Some(json!({
            "enterprise": {
                "name": "兰州美源化妆品批发有限公司", "uscc": "91512081MA62K0260E", "kind": "wholesaler",
                "region_code": "620102", "address": "甘肃省兰州市城关区庆阳路1号",
                "legal_representative": "张三", "licence": null, "contact": "张三", "phone": "0931-7617990"
            },
            "login": "boss",
            "password": "admin-pass-1"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    s["token"].as_str().unwrap().to_owned()
}

fn new_staff(login: &str) -> Option<(&'static str, String)> {
    Some((
        "application/json",
        json!({"login": login, "password": "staff-pass-1", "display_name": "员工", "role": "clerk"}).to_string(),
    ))
}

on_both_databases!(
    a_cookie_session_needs_the_csrf_token_to_change_anything,
    |db| {
        let state = AppState::new(db);
        let bearer = register(&state).await;
        let login = send(
            &state,
            "POST",
            "/api/v1/auth/session",
            &[],
            Some((
                "application/json",
                json!({"login": "boss", "password": "admin-pass-1"}).to_string(),
            )),
        )
        .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        let session_cookie = login
            .cookies
            .iter()
            .find(|c| c.starts_with("suyuan_session="))
            .unwrap();
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
            assert!(session_cookie.contains(attr), "{attr} in {session_cookie}");
        }
        assert!(
            !session_cookie.contains("Secure"),
            "plain HTTP: no Secure flag"
        );
        let session = cookie_value(&login.cookies, "suyuan_session");
        let csrf = login.body["csrf_token"].as_str().unwrap().to_owned();
        assert_eq!(
            cookie_value(&login.cookies, "suyuan_csrf"),
            csrf,
            "readable copy for pages"
        );
        assert_eq!(login.body["account"]["login"], "boss");
        let jar = format!("suyuan_session={session}; suyuan_csrf={csrf}");

        let me = send(&state, "GET", "/api/v1/me", &[("cookie", &jar)], None).await;
        assert_eq!(
            (me.status, me.body["account"]["login"].as_str()),
            (StatusCode::OK, Some("boss"))
        );
        let refused = send(
            &state,
            "POST",
            "/api/v1/staff",
            &[("cookie", &jar)],
            new_staff("clerk-1"),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "cookie POST without CSRF"
        );
        let wrong = send(
            &state,
            "POST",
            "/api/v1/staff",
            &[("cookie", &jar), ("x-csrf-token", &new_token())],
            new_staff("clerk-1"),
        )
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "cookie POST with another CSRF token"
        );
        let (_, page) = call(&state, "GET", "/api/v1/staff", Some(&bearer), None, None).await;
        assert_eq!(
            page["total"], 1,
            "nothing was written by the refused requests"
        );
        let ok = send(
            &state,
            "POST",
            "/api/v1/staff",
            &[("cookie", &jar), ("x-csrf-token", &csrf)],
            new_staff("clerk-1"),
        )
        .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

        // Bearer requests need no CSRF token, and a cookie beside them changes nothing.
        let bearer_post = send(
            &state,
            "POST",
            "/api/v1/staff",
            &[("authorization", &format!("Bearer {bearer}"))],
            new_staff("clerk-2"),
        )
        .await;
        assert_eq!(bearer_post.status, StatusCode::CREATED);
        let bad_bearer = send(
            &state,
            "GET",
            "/api/v1/me",
            &[("authorization", "Bearer nope"), ("cookie", &jar)],
            None,
        )
        .await;
        assert_eq!(
            bad_bearer.status,
            StatusCode::UNAUTHORIZED,
            "a bad bearer token does not fall back to the cookie"
        );
        // The two kinds of token do not stand in for each other.
        let swapped = send(
            &state,
            "GET",
            "/api/v1/me",
            &[("authorization", &format!("Bearer {session}"))],
            None,
        )
        .await;
        assert_eq!(swapped.status, StatusCode::UNAUTHORIZED);
        let planted = send(
            &state,
            "POST",
            "/api/v1/staff",
            &[("cookie", &format!("suyuan_session={bearer}"))],
            new_staff("clerk-3"),
        )
        .await;
        assert_eq!(planted.status, StatusCode::UNAUTHORIZED);

        // Logout needs the CSRF token too, then clears both cookies and ends the session.
        let refused = send(
            &state,
            "DELETE",
            "/api/v1/auth/session",
            &[("cookie", &jar)],
            None,
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let out = send(
            &state,
            "DELETE",
            "/api/v1/auth/session",
            &[("cookie", &jar), ("x-csrf-token", &csrf)],
            None,
        )
        .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(out.cookies.len(), 2);
        assert!(
            out.cookies.iter().all(|c| c.contains("Max-Age=0")),
            "{:?}",
            out.cookies
        );
        assert_eq!(cookie_value(&out.cookies, "suyuan_session"), "");
        let after = send(&state, "GET", "/api/v1/me", &[("cookie", &jar)], None).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        let (status, _) = call(&state, "GET", "/api/v1/me", Some(&bearer), None, None).await;
        assert_eq!(status, StatusCode::OK, "the bearer token lives on");
    }
);

on_both_databases!(a_form_login_over_https_gets_a_secure_cookie, |db| {
    let state = AppState::new(db);
    register(&state).await;
    let login = send(
        &state,
        "POST",
        "/api/v1/auth/session",
        &[("x-forwarded-proto", "https")],
        Some((
            "application/x-www-form-urlencoded",
            "login=boss&password=admin-pass-1".to_owned(),
        )),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert!(
        login.cookies.iter().all(|c| c.contains("; Secure")),
        "{:?}",
        login.cookies
    );
    let wrong = send(
        &state,
        "POST",
        "/api/v1/auth/session",
        &[],
        Some((
            "application/x-www-form-urlencoded",
            "login=boss&password=guess".to_owned(),
        )),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.cookies.is_empty());
    let incomplete = send(
        &state,
        "POST",
        "/api/v1/auth/session",
        &[],
        Some(("application/x-www-form-urlencoded", "login=boss".to_owned())),
    )
    .await;
    assert_eq!(
        (
            incomplete.status,
            incomplete.body["errors"][0]["rule"].as_str()
        ),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("body.form"))
    );
});

on_both_databases!(expired_and_revoked_tokens_are_refused, |db| {
    let state = AppState::new(db.clone());
    let bearer = register(&state).await;
    let (_, me) = call(&state, "GET", "/api/v1/me", Some(&bearer), None, None).await;
    let account = uuid::Uuid::parse_str(me["account"]["id"].as_str().unwrap()).unwrap();
    let now = Utc::now();

    let expired = new_token();
    db::insert_token(
        &db,
        &token_hash(&expired),
        account,
        "api",
        now - Duration::days(31),
        now - Duration::seconds(1),
    )
    .await
    .unwrap();
    let (status, body) = call(&state, "GET", "/api/v1/me", Some(&expired), None, None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("请先登录"))
    );
    let live = new_token();
    db::insert_token(
        &db,
        &token_hash(&live),
        account,
        "api",
        now,
        now + Duration::minutes(5),
    )
    .await
    .unwrap();
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&live), None, None).await;
    assert_eq!(status, StatusCode::OK);
    db::revoke_token(&db, &token_hash(&live), now)
        .await
        .unwrap();
    let (status, _) = call(&state, "GET", "/api/v1/me", Some(&live), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked");

    let (session, csrf) = (new_token(), new_token());
    db::insert_session(
        &db,
        &token_hash(&session),
        &token_hash(&csrf),
        account,
        now - Duration::hours(13),
        now - Duration::hours(1),
    )
    .await
    .unwrap();
    let old = send(
        &state,
        "GET",
        "/api/v1/me",
        &[("cookie", &format!("suyuan_session={session}"))],
        None,
    )
    .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "expired session");
});

/// A stand-in for the provincial single sign-on: knows one person, by its own password.
#[derive(Debug)]
struct ProvincialSso {
    account: Account,
}

impl IdentityProvider for ProvincialSso {
    fn authenticate<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<Account>, DbError>> {
        Box::pin(async move {
            Ok((login == "boss" && password == "sso-ticket-ok").then(|| self.account.clone()))
        })
    }
}

on_both_databases!(logins_go_through_the_identity_provider, |db| {
    let local = AppState::new(db.clone());
    register(&local).await;
    let (account, _) = db::account_for_login(&db, "boss").await.unwrap().unwrap();
    let sso = local
        .clone()
        .with_identity(Arc::new(ProvincialSso { account }));
    let (status, _) = call(
        &sso,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": "boss", "password": "admin-pass-1"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the local password no longer counts"
    );
    let (status, s) = call(
        &sso,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": "boss", "password": "sso-ticket-ok"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &local,
        "GET",
        "/api/v1/me",
        Some(s["token"].as_str().unwrap()),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let web = send(
        &sso,
        "POST",
        "/api/v1/auth/session",
        &[],
        Some((
            "application/x-www-form-urlencoded",
            "login=boss&password=sso-ticket-ok".to_owned(),
        )),
    )
    .await;
    assert_eq!(web.status, StatusCode::OK);
});
