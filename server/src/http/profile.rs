//! `/api/v1/profile`: the caller's enterprise profile (企业主体信息). Every staff member reads
//! it; its admin edits it, except the USCC, which identifies the enterprise for good.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, blank, refuse_blocking};
use super::schemas;
use crate::db::{self, Actor};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde_json::json;
use suyuan_core::Problem;
use suyuan_core::model::Enterprise;
use suyuan_core::validate::validate_enterprise;
use utoipa::OpenApi;

/// The caller's enterprise profile.
#[utoipa::path(get, path = "/api/v1/profile", operation_id = "show_profile", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The profile", body = schemas::Enterprise),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
    ))]
async fn show(State(state): State<AppState>, caller: Caller) -> Result<Json<Enterprise>, ApiError> {
    let id = caller.enterprise()?;
    db::get_enterprise(&state.db, id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// Edits the profile (enterprise admin); the USCC cannot change.
#[utoipa::path(put, path = "/api/v1/profile", operation_id = "update_profile", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    request_body = schemas::EnterpriseInput,
    responses(
        (status = 200, description = "The changed profile", body = schemas::Enterprise),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not the enterprise admin"),
        (status = 422, description = "Invalid field, unacknowledged warning or changed USCC"),
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<Json<Enterprise>, ApiError> {
    let actor = Actor {
        account_id: caller.account.id,
        enterprise_id: caller.admin()?,
    };
    let current = db::get_enterprise(&state.db, actor.enterprise_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sent_uscc = body
        .fields
        .get("uscc")
        .and_then(|v| v.as_str())
        .map(|s| s.trim().to_owned());
    let mut defaults = blank(&[
        "name",
        "region_code",
        "address",
        "legal_representative",
        "contact",
        "phone",
    ]);
    defaults.push(("kind", json!(current.kind)));
    let (edited, ack): (Enterprise, _) = body.into_record(
        &defaults,
        &[("id", json!(current.id)), ("uscc", json!(current.uscc))],
    )?;
    let mut problems = validate_enterprise(&edited);
    if sent_uscc.is_some_and(|u| !u.is_empty() && u != current.uscc) {
        problems.push(Problem::error(
            "uscc",
            "uscc.immutable",
            "统一社会信用代码注册后不能修改",
            "The unified social credit code cannot change after registration",
        ));
    }
    // The registered code may carry an acknowledged checksum warning; it is not news now.
    problems.retain(|p| !(p.field == "uscc" && p.rule == "uscc.checksum"));
    refuse_blocking(&problems, &ack)?;
    if !db::update_enterprise(&state.db, &edited, &actor, Utc::now()).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(edited))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(show, update))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/profile", get(show).put(update))
}
