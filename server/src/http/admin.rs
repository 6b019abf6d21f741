//! The platform admin's routes: regulator accounts (监管账号), each bound to a region — a
//! province (`620000`), a prefecture-level city (`620100`) or a county (`620102`).

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::json::Json;
use super::list::{ListParams, Page, SortOrder};
use super::staff::{create, new_account_problems};
use crate::db::{self, Account, AccountQuery, NewAccount, Role};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use suyuan_core::validate::check_region;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// A new regulator account.
#[derive(Debug, Deserialize, ToSchema)]
struct NewRegulator {
    /// Login name, unique on the platform.
    login: String,
    /// Initial password (at least 8 characters).
    password: String,
    /// The authority's name, e.g. 兰州市市场监督管理局.
    display_name: String,
    /// GB/T 2260 code of the region it oversees: `620000`, `620100` or `620102`.
    region_code: String,
}

/// Creates a regulator account bound to a region.
#[utoipa::path(post, path = "/api/v1/admin/regulators", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    request_body = NewRegulator,
    responses(
        (status = 401, description = "Not logged in"),
        (status = 201, description = "Created", body = Account),
        (status = 403, description = "Not the platform admin"),
        (status = 409, description = "Login taken"),
        (status = 422, description = "Missing fields, short password or a malformed region code"),
    ))]
async fn add_regulator(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewRegulator>,
) -> Result<(StatusCode, axum::Json<Account>), ApiError> {
    caller.platform_admin()?;
    let mut problems = new_account_problems(&req.login, &req.display_name, &req.password);
    problems.extend(check_region("region_code", &req.region_code));
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let account = NewAccount {
        id: Uuid::new_v4(),
        login: req.login.trim().to_owned(),
        password_hash: String::new(),
        role: Role::Regulator,
        region_code: Some(req.region_code.trim().to_owned()),
        display_name: req.display_name.trim().to_owned(),
    };
    let created = create(&state, &caller, None, account, &req.password).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Every regulator account; `q` matches login and name.
#[utoipa::path(get, path = "/api/v1/admin/regulators", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    params(
        ("q" = Option<String>, Query, description = "Keyword in login or name"),
        ("page" = Option<u32>, Query, description = "1-based page"),
        ("per_page" = Option<u32>, Query, description = "Rows a page (default 50, at most 500)"),
    ),
    responses(
        (status = 401, description = "Not logged in"),
        (status = 200, description = "One page of regulators, by login", body = Page<Account>),
        (status = 403, description = "Not the platform admin"),
    ))]
async fn list_regulators(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<axum::Json<Page<Account>>, ApiError> {
    caller.platform_admin()?;
    let (limit, offset) = params.window();
    let query = AccountQuery {
        roles: vec![Role::Regulator],
        keyword: params.keyword(),
        by_login: true,
        descending: params.order == Some(SortOrder::Desc),
        limit,
        offset,
        ..AccountQuery::default()
    };
    let (items, total) = db::list_accounts(&state.db, &query).await?;
    Ok(axum::Json(Page {
        items,
        total,
        page: offset / limit + 1,
        per_page: limit,
    }))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(add_regulator, list_regulators))]
pub(super) struct Api;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/admin/regulators",
        get(list_regulators).post(add_regulator),
    )
}
