//! Registration of an enterprise by its legal person, login, logout, and `me`.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::json::Json;
use crate::auth::{hash_password, new_token, token_hash};
use crate::db::{self, Account, NewAccount, Role, violates_unique};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use suyuan_core::Problem;
use suyuan_core::model::{Enterprise, EnterpriseId};
use suyuan_core::problem::blocking;
use suyuan_core::validate::validate_enterprise;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// How long a bearer token lives.
const TOKEN_DAYS: i64 = 30;
const MIN_PASSWORD_CHARS: usize = 8;

/// Registration by an enterprise's legal person (法人注册).
#[derive(Debug, Deserialize, ToSchema)]
struct RegisterRequest {
    /// The profile: every field of the enterprise but its id, which the service assigns.
    #[schema(value_type = Object)]
    enterprise: serde_json::Map<String, serde_json::Value>,
    /// Login name; the USCC when omitted.
    login: Option<String>,
    password: String,
    /// Warning rules the user chose to override (e.g. `uscc.checksum` for an early code).
    #[serde(default)]
    acknowledge: Vec<String>,
}

/// A fresh bearer token and whose it is.
#[derive(Debug, Serialize, ToSchema)]
struct Session {
    token: String,
    expires_at: DateTime<Utc>,
    account: Account,
}

/// A too-short password as a problem.
pub(super) fn password_problems(password: &str) -> Vec<Problem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        vec![Problem::error(
            "password",
            "password.too_short",
            format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"),
            format!("Password: at least {MIN_PASSWORD_CHARS} characters"),
        )]
    } else {
        vec![]
    }
}

async fn issue_token(state: &AppState, account: Account) -> Result<Session, ApiError> {
    let token = new_token();
    let now = Utc::now();
    let expires_at = now + Duration::days(TOKEN_DAYS);
    db::insert_token(
        &state.db,
        &token_hash(&token),
        account.id,
        "api",
        now,
        expires_at,
    )
    .await?;
    Ok(Session {
        token,
        expires_at,
        account,
    })
}

/// An enterprise's legal person registers it and becomes its admin.
#[utoipa::path(post, path = "/api/v1/enterprises/register", tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered; a bearer token for its admin", body = Session),
        (status = 409, description = "USCC or login taken"),
        (status = 422, description = "Every problem with the profile or password"),
    ))]
async fn register(
    State(state): State<AppState>,
    Json(req): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<Session>), ApiError> {
    let mut profile = req.enterprise;
    profile.insert("id".into(), serde_json::json!(EnterpriseId::random()));
    let enterprise: Enterprise = serde_json::from_value(profile.into()).map_err(|e| {
        ApiError::Validation(vec![Problem::error(
            "enterprise",
            "body.json",
            format!("企业信息格式有误：{e}"),
            format!("Enterprise profile is malformed: {e}"),
        )])
    })?;
    let mut problems = validate_enterprise(&enterprise);
    problems.extend(password_problems(&req.password));
    let acknowledged: Vec<&str> = req.acknowledge.iter().map(String::as_str).collect();
    let left: Vec<Problem> = blocking(&problems, &acknowledged)
        .into_iter()
        .cloned()
        .collect();
    if !left.is_empty() {
        return Err(ApiError::Validation(left));
    }
    let login = req.login.unwrap_or_else(|| enterprise.uscc.clone());
    let account = NewAccount {
        id: Uuid::new_v4(),
        login: login.trim().to_owned(),
        password_hash: hash_password(&req.password).map_err(ApiError::Internal)?,
        role: Role::EnterpriseAdmin,
        region_code: None,
        display_name: enterprise.legal_representative.clone(),
    };
    if let Err(e) = db::register_enterprise(&state.db, &enterprise, &account, Utc::now()).await {
        return Err(
            if violates_unique(&e, "enterprises_uscc_key", "enterprises.uscc") {
                ApiError::Conflict(Problem::error(
                    "enterprise.uscc",
                    "uscc.taken",
                    "该统一社会信用代码已注册",
                    "An enterprise with this unified social credit code is already registered",
                ))
            } else if violates_unique(&e, "accounts_login_key", "accounts.login") {
                ApiError::Conflict(Problem::error(
                    "login",
                    "login.taken",
                    "该登录名已被使用",
                    "This login is taken",
                ))
            } else {
                e.into()
            },
        );
    }
    let (created, _) = db::account_for_login(&state.db, &account.login)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(issue_token(&state, created).await?),
    ))
}

/// A login name and password.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct LoginRequest {
    /// Login name.
    pub(super) login: String,
    /// Password.
    pub(super) password: String,
}

/// Checks credentials through the identity provider, under the failed-login limit.
pub(super) async fn authenticate(
    state: &AppState,
    req: &LoginRequest,
) -> Result<Account, ApiError> {
    if !state.limiter.allows(&req.login) {
        return Err(ApiError::TooManyRequests);
    }
    match state
        .identity
        .authenticate(&req.login, &req.password)
        .await?
    {
        Some(account) => {
            state.limiter.succeeded(&req.login);
            Ok(account)
        }
        None => {
            state.limiter.failed(&req.login);
            Err(ApiError::Unauthorized)
        }
    }
}

/// Logs in for a bearer token (API, phone).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "A bearer token valid 30 days", body = Session),
        (status = 401, description = "Unknown login, wrong password or disabled account"),
        (status = 429, description = "Too many failed attempts for this login"),
    ))]
async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<Session>, ApiError> {
    let account = authenticate(&state, &req).await?;
    Ok(axum::Json(issue_token(&state, account).await?))
}

/// Revokes the token used.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, description = "No valid token")))]
async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    db::revoke_token(&state.db, &caller.token_hash, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller: account (role, region of a regulator) and enterprise.
#[derive(Debug, Serialize, ToSchema)]
struct Me {
    account: Account,
    /// The enterprise profile of an enterprise account.
    #[schema(value_type = Option<Object>)]
    enterprise: Option<Enterprise>,
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "No valid token")))]
async fn me(State(state): State<AppState>, caller: Caller) -> Result<axum::Json<Me>, ApiError> {
    let enterprise = match caller.account.enterprise_id {
        Some(id) => db::get_enterprise(&state.db, id).await?,
        None => None,
    };
    Ok(axum::Json(Me {
        account: caller.account,
        enterprise,
    }))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(register, login, logout, me))]
pub(super) struct Api;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/enterprises/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
}
