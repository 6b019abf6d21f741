//! Browser sessions for the web pages: an HttpOnly cookie plus a CSRF token that every
//! request changing anything must echo in `X-CSRF-Token` (checked by the [`Caller`]
//! extractor). The CSRF token is also set as a readable cookie so a page that reloads can
//! find it again (double submit); only its hash is stored.

use super::AppState;
use super::accounts::{LoginRequest, authenticate};
use super::caller::{Caller, Credential, SESSION_COOKIE};
use super::error::ApiError;
use crate::auth::{new_token, token_hash};
use crate::db::{self, Account};
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use suyuan_core::Problem;
use utoipa::{OpenApi, ToSchema};

/// How long a browser session lives.
const SESSION_HOURS: i64 = 12;
/// Name of the readable cookie holding the CSRF token.
pub const CSRF_COOKIE: &str = "suyuan_csrf";

/// A login sent as a form (`application/x-www-form-urlencoded`) or as JSON.
struct LoginBody(LoginRequest);

impl<S: Send + Sync> FromRequest<S> for LoginBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if is_form {
            let Form(body) = Form::<LoginRequest>::from_request(req, state)
                .await
                .map_err(|e| {
                    let detail = e.body_text();
                    ApiError::Validation(vec![Problem::error(
                        "body",
                        "body.form",
                        format!("表单缺少登录名或密码：{detail}"),
                        format!("The form lacks login or password: {detail}"),
                    )])
                })?;
            Ok(LoginBody(body))
        } else {
            let super::json::Json(body) =
                super::json::Json::<LoginRequest>::from_request(req, state).await?;
            Ok(LoginBody(body))
        }
    }
}

/// What a page keeps after logging in: the CSRF token to send back and whose session it is.
#[derive(Debug, Serialize, ToSchema)]
struct WebSession {
    /// Send as `X-CSRF-Token` with every request that is not GET or HEAD.
    csrf_token: String,
    /// When the session ends.
    expires_at: DateTime<Utc>,
    /// The logged-in account.
    account: Account,
}

/// Whether the client reached us over HTTPS (through a proxy that says so; the service itself
/// speaks plain HTTP). Trusting the header is safe: all it can do is add the Secure flag.
fn over_https(headers: &HeaderMap) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    header("x-forwarded-proto").is_some_and(|p| p.split(',').next().map(str::trim) == Some("https"))
        || header("forwarded").is_some_and(|f| f.contains("proto=https"))
}

fn cookie(name: &str, value: &str, max_age: i64, http_only: bool, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex")
}

/// Logs in for a browser session: sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/auth/session", tag = "accounts",
    request_body(description = "JSON or an HTML form", content(
        (LoginRequest = "application/json"),
        (LoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Session cookie set (HttpOnly, SameSite=Lax, Secure over HTTPS)", body = WebSession),
        (status = 401, description = "Unknown login, wrong password or disabled account"),
        (status = 429, description = "Too many failed attempts for this login"),
    ))]
async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    LoginBody(req): LoginBody,
) -> Result<Response, ApiError> {
    let account = authenticate(&state, &req).await?;
    let (token, csrf) = (new_token(), new_token());
    let now = Utc::now();
    let expires_at = now + Duration::hours(SESSION_HOURS);
    db::insert_session(
        &state.db,
        &token_hash(&token),
        &token_hash(&csrf),
        account.id,
        now,
        expires_at,
    )
    .await?;
    let secure = over_https(&headers);
    let max_age = SESSION_HOURS * 3600;
    let mut res = axum::Json(WebSession {
        csrf_token: csrf.clone(),
        expires_at,
        account,
    })
    .into_response();
    let h = res.headers_mut();
    h.append(
        SET_COOKIE,
        cookie(SESSION_COOKIE, &token, max_age, true, secure),
    );
    h.append(
        SET_COOKIE,
        cookie(CSRF_COOKIE, &csrf, max_age, false, secure),
    );
    Ok(res)
}

/// Ends the browser session (or revokes the bearer token used) and clears the cookies.
#[utoipa::path(delete, path = "/api/v1/auth/session", tag = "accounts",
    security(("session" = [])),
    responses(
        (status = 204, description = "Revoked; cookies cleared"),
        (status = 401, description = "No valid session"),
        (status = 403, description = "Cookie without the matching X-CSRF-Token header"),
    ))]
async fn end_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
    db::revoke_token(&state.db, &caller.token_hash, Utc::now()).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if caller.via == Credential::Cookie {
        let secure = over_https(&headers);
        let h = res.headers_mut();
        h.append(SET_COOKIE, cookie(SESSION_COOKIE, "", 0, true, secure));
        h.append(SET_COOKIE, cookie(CSRF_COOKIE, "", 0, false, secure));
    }
    Ok(res)
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(create_session, end_session))]
pub(super) struct Api;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/auth/session",
        post(create_session).delete(end_session),
    )
}
