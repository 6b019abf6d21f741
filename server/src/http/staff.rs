//! Staff accounts (员工账号): an enterprise's admin adds, lists, changes and disables the
//! accounts of its own enterprise. Another enterprise's staff answer 404.

use super::AppState;
use super::accounts::password_problems;
use super::caller::Caller;
use super::error::ApiError;
use super::json::Json;
use super::list::{ListParams, Page, SortOrder};
use crate::auth::hash_password;
use crate::db::{self, Account, AccountQuery, NewAccount, Role, StaffChange, violates_unique};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;
use suyuan_core::Problem;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// A role inside an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum StaffRole {
    /// Manages records, staff and the profile.
    #[serde(alias = "enterprise_admin")]
    Admin,
    /// Enters and submits records.
    Clerk,
    /// Reads records.
    ReadOnly,
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::Admin => Role::EnterpriseAdmin,
            StaffRole::Clerk => Role::Clerk,
            StaffRole::ReadOnly => Role::ReadOnly,
        }
    }
}

/// A new staff member.
#[derive(Debug, Deserialize, ToSchema)]
struct NewStaff {
    /// Login name, unique on the platform.
    login: String,
    /// Initial password (at least 8 characters).
    password: String,
    /// Name shown in the UI.
    display_name: String,
    /// `admin`, `clerk` or `read_only`.
    role: StaffRole,
}

/// Changes to a staff member; omitted fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
struct StaffUpdate {
    display_name: Option<String>,
    role: Option<StaffRole>,
    /// `true` disables the account: it cannot log in and its tokens stop working.
    disabled: Option<bool>,
    /// A new password; every token of the account is revoked.
    password: Option<String>,
}

/// Filters of the staff list beside the common list parameters.
#[derive(Debug, Deserialize)]
struct StaffFilter {
    role: Option<StaffRole>,
    disabled: Option<bool>,
}

fn required(field: &str, value: &str, zh: &str, en: &str) -> Option<Problem> {
    value.trim().is_empty().then(|| {
        Problem::error(
            field,
            "required",
            format!("{zh}不能为空"),
            format!("{en} is required"),
        )
    })
}

fn login_taken() -> ApiError {
    ApiError::Conflict(Problem::error(
        "login",
        "login.taken",
        "该登录名已被使用",
        "This login is taken",
    ))
}

/// The problems of a new account's login, name and password (shared with regulators).
pub(super) fn new_account_problems(
    login: &str,
    display_name: &str,
    password: &str,
) -> Vec<Problem> {
    let mut problems: Vec<Problem> = [
        required("login", login, "登录名", "Login"),
        required("display_name", display_name, "姓名", "Display name"),
    ]
    .into_iter()
    .flatten()
    .collect();
    problems.extend(password_problems(password));
    problems
}

/// Hashes a password and creates the account as the caller's doing, mapping a taken login to 409.
pub(super) async fn create(
    state: &AppState,
    caller: &Caller,
    enterprise: Option<suyuan_core::model::EnterpriseId>,
    account: NewAccount,
    password: &str,
) -> Result<Account, ApiError> {
    let account = NewAccount {
        password_hash: hash_password(password).map_err(ApiError::Internal)?,
        ..account
    };
    db::create_account_audited(
        &state.db,
        enterprise,
        &account,
        Some(caller.account.id),
        Utc::now(),
    )
    .await
    .map_err(|e| {
        if violates_unique(&e, "accounts_login_key", "accounts.login") {
            login_taken()
        } else {
            e.into()
        }
    })
}

/// Adds a staff member to the caller's enterprise.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    request_body = NewStaff,
    responses(
        (status = 401, description = "Not logged in"),
        (status = 201, description = "Created", body = Account),
        (status = 403, description = "Not an enterprise admin"),
        (status = 409, description = "Login taken"),
        (status = 422, description = "Missing fields or short password"),
    ))]
async fn add_staff(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewStaff>,
) -> Result<(StatusCode, axum::Json<Account>), ApiError> {
    let enterprise = caller.admin()?;
    let problems = new_account_problems(&req.login, &req.display_name, &req.password);
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let account = NewAccount {
        id: Uuid::new_v4(),
        login: req.login.trim().to_owned(),
        password_hash: String::new(),
        role: req.role.into(),
        region_code: None,
        display_name: req.display_name.trim().to_owned(),
    };
    let created = create(&state, &caller, Some(enterprise), account, &req.password).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// The caller's enterprise's staff; `q` matches login and name.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    params(
        ("q" = Option<String>, Query, description = "Keyword in login or name"),
        ("role" = Option<StaffRole>, Query, description = "Only this role"),
        ("disabled" = Option<bool>, Query, description = "Only disabled (true) or enabled (false) accounts"),
        ("sort" = Option<String>, Query, description = "`login` or `created_at` (default)"),
        ("order" = Option<String>, Query, description = "`asc` or `desc` (default)"),
        ("page" = Option<u32>, Query, description = "1-based page"),
        ("per_page" = Option<u32>, Query, description = "Rows a page (default 50, at most 500)"),
    ),
    responses(
        (status = 401, description = "Not logged in"),
        (status = 200, description = "One page of staff", body = Page<Account>),
        (status = 403, description = "Not an enterprise admin"),
        (status = 422, description = "Unknown sort column"),
    ))]
async fn list_staff(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<StaffFilter>,
) -> Result<axum::Json<Page<Account>>, ApiError> {
    let enterprise = caller.admin()?;
    let by_login = match params.sort.as_deref() {
        None | Some("created_at") => false,
        Some("login") => true,
        Some(other) => {
            return Err(ApiError::Validation(vec![Problem::error(
                "sort",
                "sort.unknown",
                format!("不能按 {other} 排序，可用：login、created_at"),
                format!("Cannot sort by {other}; use login or created_at"),
            )]));
        }
    };
    let (limit, offset) = params.window();
    let query = AccountQuery {
        enterprise: Some(enterprise),
        roles: filter.role.map(Role::from).into_iter().collect(),
        keyword: params.keyword(),
        disabled: filter.disabled,
        by_login,
        descending: params.order.unwrap_or_default() == SortOrder::Desc,
        limit,
        offset,
    };
    let (items, total) = db::list_accounts(&state.db, &query).await?;
    Ok(axum::Json(Page {
        items,
        total,
        page: offset / limit + 1,
        per_page: limit,
    }))
}

/// The staff member `id` of the caller's enterprise, or 404 (also for a malformed id).
async fn own_staff(state: &AppState, caller: &Caller, id: &str) -> Result<Account, ApiError> {
    let enterprise = caller.admin()?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound)?;
    db::get_account(&state.db, id)
        .await?
        .filter(|a| a.enterprise_id == Some(enterprise))
        .ok_or(ApiError::NotFound)
}

/// One staff member of the caller's enterprise.
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 401, description = "Not logged in"),
        (status = 200, description = "The account", body = Account),
        (status = 403, description = "Not an enterprise admin"),
        (status = 404, description = "No such account in the caller's enterprise"),
    ))]
async fn get_staff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Account>, ApiError> {
    Ok(axum::Json(own_staff(&state, &caller, &id).await?))
}

/// Changes a staff member: name, role, password, disabled. An admin cannot disable or demote
/// themself, so an enterprise always keeps an admin.
#[utoipa::path(put, path = "/api/v1/staff/{id}", tag = "staff",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = StaffUpdate,
    responses(
        (status = 401, description = "Not logged in"),
        (status = 200, description = "The changed account", body = Account),
        (status = 403, description = "Not an enterprise admin"),
        (status = 404, description = "No such account in the caller's enterprise"),
        (status = 422, description = "Bad value, or an admin disabling or demoting themself"),
    ))]
async fn update_staff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<StaffUpdate>,
) -> Result<axum::Json<Account>, ApiError> {
    let enterprise = caller.admin()?;
    let id = own_staff(&state, &caller, &id).await?.id;
    let mut problems = Vec::new();
    if let Some(name) = &req.display_name {
        problems.extend(required("display_name", name, "姓名", "Display name"));
    }
    if let Some(p) = &req.password {
        problems.extend(password_problems(p));
    }
    if id == caller.account.id {
        if req.disabled == Some(true) {
            problems.push(Problem::error(
                "disabled",
                "staff.self",
                "不能停用自己的账号",
                "You cannot disable your own account",
            ));
        }
        if req.role.is_some_and(|r| r != StaffRole::Admin) {
            problems.push(Problem::error(
                "role",
                "staff.self",
                "不能取消自己的管理员角色",
                "You cannot take the admin role from yourself",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let change = StaffChange {
        display_name: req.display_name.map(|n| n.trim().to_owned()),
        role: req.role.map(Role::from),
        disabled: req.disabled,
        password_hash: req
            .password
            .map(|p| hash_password(&p))
            .transpose()
            .map_err(ApiError::Internal)?,
    };
    db::update_staff(
        &state.db,
        enterprise,
        id,
        &change,
        caller.account.id,
        Utc::now(),
    )
    .await?
    .map(axum::Json)
    .ok_or(ApiError::NotFound)
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(add_staff, list_staff, get_staff, update_staff))]
pub(super) struct Api;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff", get(list_staff).post(add_staff))
        .route("/api/v1/staff/{id}", get(get_staff).put(update_staff))
}
