//! Registration of an enterprise by its legal person, login, logout, and `me`.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::json::Json;
use crate::auth::{hash_password, new_token, token_hash, verify_password};
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
use uuid::Uuid;

/// How long a bearer token lives.
const TOKEN_DAYS: i64 = 30;
const MIN_PASSWORD_CHARS: usize = 8;

/// Registration by an enterprise's legal person (法人注册).
#[derive(Debug, Deserialize)]
struct RegisterRequest {
    /// The profile: every field of [`Enterprise`] but its id, which the service assigns.
    enterprise: serde_json::Map<String, serde_json::Value>,
    /// Login name; the USCC when omitted.
    login: Option<String>,
    password: String,
    /// Warning rules the user chose to override (e.g. `uscc.checksum` for an early code).
    #[serde(default)]
    acknowledge: Vec<String>,
}

/// A fresh token and whose it is.
#[derive(Debug, Serialize)]
struct Session {
    token: String,
    expires_at: DateTime<Utc>,
    account: Account,
}

fn password_problems(password: &str) -> Vec<Problem> {
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

#[derive(Debug, Deserialize)]
struct LoginRequest {
    login: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<Session>, ApiError> {
    if !state.limiter.allows(&req.login) {
        return Err(ApiError::TooManyRequests);
    }
    let found = db::account_for_login(&state.db, &req.login).await?;
    // Verify even for an unknown login so both cases take the time of one Argon2 hash.
    let (hash, account) = match found {
        Some((a, h)) => (h, Some(a)),
        None => (DUMMY_HASH.to_owned(), None),
    };
    match account.filter(|a| verify_password(&req.password, &hash) && !a.disabled) {
        Some(account) => {
            state.limiter.succeeded(&req.login);
            Ok(axum::Json(issue_token(&state, account).await?))
        }
        None => {
            state.limiter.failed(&req.login);
            Err(ApiError::Unauthorized)
        }
    }
}

/// An Argon2id hash of a random string, verified against when the login is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$w2YIXwX6qn3+s7Mq9kH4QQ$/FRPHpPPw5OMbJL3inwXPhaBNjCoIOTA2MyGJeR3INI";

async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    db::revoke_token(&state.db, &caller.token_hash, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
struct Me {
    account: Account,
    enterprise: Option<Enterprise>,
}

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

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/enterprises/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
}
