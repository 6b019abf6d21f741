//! `/api/v1/regulator/…`: what a regulator account reads of its region (辖区): the enterprise
//! directory with reporting activity and a read-only drill-down into each enterprise's records,
//! batch traces, statistics, and the region's risk warnings. Enterprise and platform-admin accounts get 403; an enterprise
//! outside the region answers 404, as a record the caller may not see does everywhere else.

mod directory;
mod drill;
mod statistics;
mod trace;
mod warnings;

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use crate::db::{self, EnterpriseActivity, regulator::RegionScope};
use axum::Router;
use axum::routing::{get, post};
use suyuan_core::model::EnterpriseId;
use utoipa::OpenApi;
use uuid::Uuid;

/// The region a regulator caller oversees; anyone else is refused.
fn scope_of(caller: &Caller) -> Result<RegionScope, ApiError> {
    RegionScope::of(caller.regulator_region()?).ok_or(ApiError::Forbidden)
}

/// An enterprise of the caller's region with its activity, or 404.
async fn enterprise_in_region(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<EnterpriseActivity, ApiError> {
    let scope = scope_of(caller)?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound)?;
    db::regulator::directory_entry(&state.db, &scope, EnterpriseId(id))
        .await?
        .ok_or(ApiError::NotFound)
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    directory::list,
    directory::read,
    drill::products,
    drill::transactions,
    drill::transaction,
    drill::stock,
    drill::partners,
    trace::trace,
    trace::trace_xlsx,
    statistics::statistics,
    warnings::list,
    warnings::export,
    warnings::read,
    warnings::acknowledge,
    warnings::recompute,
))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regulator/enterprises", get(directory::list))
        .route("/api/v1/regulator/enterprises/{id}", get(directory::read))
        .route(
            "/api/v1/regulator/enterprises/{id}/products",
            get(drill::products),
        )
        .route(
            "/api/v1/regulator/enterprises/{id}/transactions",
            get(drill::transactions),
        )
        .route(
            "/api/v1/regulator/enterprises/{id}/transactions/{doc_id}",
            get(drill::transaction),
        )
        .route(
            "/api/v1/regulator/enterprises/{id}/stock",
            get(drill::stock),
        )
        .route(
            "/api/v1/regulator/enterprises/{id}/partners",
            get(drill::partners),
        )
        .route("/api/v1/regulator/trace", get(trace::trace))
        .route("/api/v1/regulator/trace.xlsx", get(trace::trace_xlsx))
        .route("/api/v1/regulator/statistics", get(statistics::statistics))
        .route("/api/v1/regulator/warnings", get(warnings::list))
        .route("/api/v1/regulator/warnings.xlsx", get(warnings::export))
        .route(
            "/api/v1/regulator/warnings/recompute",
            post(warnings::recompute),
        )
        .route("/api/v1/regulator/warnings/{id}", get(warnings::read))
        .route(
            "/api/v1/regulator/warnings/{id}/acknowledge",
            post(warnings::acknowledge),
        )
}
