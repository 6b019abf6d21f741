//! Risk warnings of the regulator's region (风险预警): list with filters, export, one warning,
//! acknowledge, and a recomputation on demand.

use super::scope_of;
use crate::db::warnings::{
    Acknowledged, RefreshReport, StoredWarning, WARNING_SORTS, WarningFilter, WarningState,
};
use crate::db::{self, china_today};
use crate::excel;
use crate::http::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::excel::{download, xlsx_error};
use crate::http::list::{ListParams, Page};
use crate::http::path_id::PathId;
use crate::http::query::Query;
use crate::http::schemas::{self, ListQuery};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, ProductId};
use suyuan_core::rules::warnings::{WarningKind, WarningSeverity};
use uuid::Uuid;

/// Filters of the warning list.
#[derive(Debug, Deserialize)]
pub(super) struct WarningFilters {
    kind: Option<WarningKind>,
    severity: Option<WarningSeverity>,
    state: Option<WarningState>,
    open: Option<bool>,
    enterprise_id: Option<Uuid>,
    product_id: Option<Uuid>,
    batch: Option<String>,
    raised_from: Option<NaiveDate>,
    raised_to: Option<NaiveDate>,
}

fn filter_of(
    caller: &Caller,
    params: &ListParams,
    f: WarningFilters,
) -> Result<WarningFilter, ApiError> {
    let mut filter = WarningFilter::of(scope_of(caller)?);
    filter.kind = f.kind;
    filter.severity = f.severity;
    filter.state = f.state;
    filter.open = f.open.unwrap_or(false);
    filter.enterprise = f.enterprise_id.map(EnterpriseId);
    filter.product = f.product_id.map(ProductId);
    filter.batch = f
        .batch
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty());
    filter.keyword = params.keyword();
    filter.raised_from = f.raised_from;
    filter.raised_to = f.raised_to;
    Ok(filter)
}

/// The warnings of the region, worst first unless sorted otherwise.
#[utoipa::path(get, path = "/api/v1/regulator/warnings", operation_id = "regulator_list_warnings", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`severity` (default, high first), `updated_at`, `created_at`, `raised_on` or `enterprise_name`"),
        ("kind" = Option<String>, Query, description = "A warning kind, e.g. `recalled_batch_sold`, `unreconciled_transfer`"),
        ("severity" = Option<String>, Query, description = "`high`, `medium` or `low`"),
        ("state" = Option<String>, Query, description = "`new`, `acknowledged` or `resolved`"),
        ("open" = Option<bool>, Query, description = "Only new and acknowledged ones (ignored when `state` is given)"),
        ("enterprise_id" = Option<Uuid>, Query, description = "One enterprise"),
        ("product_id" = Option<Uuid>, Query, description = "One product"),
        ("batch" = Option<String>, Query, description = "One batch (exact)"),
        ("raised_from" = Option<String>, Query, format = Date, description = "Raised on or after this day"),
        ("raised_to" = Option<String>, Query, format = Date, description = "Raised on or before this day"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<StoredWarning>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<WarningFilters>,
) -> Result<Json<Page<StoredWarning>>, ApiError> {
    let filter = filter_of(&caller, &params, filters)?;
    let window = params.db_window(&WARNING_SORTS)?;
    let (items, total) = db::warnings::list_warnings(&state.db, &filter, &window).await?;
    Ok(Json(Page::of(items, total, &params)))
}

/// The same list as a workbook, every matching row in the list's order.
#[utoipa::path(get, path = "/api/v1/regulator/warnings.xlsx", operation_id = "regulator_export_warnings", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("q" = Option<String>, Query, description = "As for /api/v1/regulator/warnings"),
        ("sort" = Option<String>, Query, description = "As for /api/v1/regulator/warnings"),
        ("order" = Option<String>, Query, description = "`asc` or `desc`"),
        ("kind" = Option<String>, Query, description = "As for /api/v1/regulator/warnings"),
        ("severity" = Option<String>, Query, description = "As for /api/v1/regulator/warnings"),
        ("state" = Option<String>, Query, description = "As for /api/v1/regulator/warnings"),
        ("open" = Option<bool>, Query, description = "As for /api/v1/regulator/warnings"),
        ("enterprise_id" = Option<Uuid>, Query, description = "As for /api/v1/regulator/warnings"),
        ("product_id" = Option<Uuid>, Query, description = "As for /api/v1/regulator/warnings"),
        ("batch" = Option<String>, Query, description = "As for /api/v1/regulator/warnings"),
        ("raised_from" = Option<String>, Query, format = Date, description = "As for /api/v1/regulator/warnings"),
        ("raised_to" = Option<String>, Query, format = Date, description = "As for /api/v1/regulator/warnings"),
    ),
    responses(
        (status = 200, description = "Sheet 风险预警 Warnings", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Unknown sort column or filter value, or more rows than a workbook takes"),
    ))]
pub(super) async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<WarningFilters>,
) -> Result<Response, ApiError> {
    let filter = filter_of(&caller, &params, filters)?;
    let max = excel::workbook::MAX_ROWS as u32;
    let mut window = params.db_window(&WARNING_SORTS)?;
    // One row more than allowed tells a list too long for one file from one that fits.
    window.limit = max + 1;
    window.offset = 0;
    let (items, _) = db::warnings::list_warnings(&state.db, &filter, &window).await?;
    if items.len() > max as usize {
        return Err(ApiError::Validation(vec![Problem::error(
            "query",
            "export.too_many_rows",
            format!("符合条件的预警超过 {max} 条，请缩小筛选范围"),
            format!("More than {max} warnings match; narrow the filters"),
        )]));
    }
    let bytes = tokio::task::spawn_blocking(move || excel::warnings::export(&items))
        .await
        .map_err(|e| ApiError::Internal(format!("export task: {e}")))?
        .map_err(xlsx_error)?;
    Ok(download(bytes, "warnings.xlsx"))
}

/// One warning of the region, with its evidence.
#[utoipa::path(get, path = "/api/v1/regulator/warnings/{id}", operation_id = "regulator_read_warning", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Warning id")),
    responses(
        (status = 200, description = "The warning", body = StoredWarning),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such warning in the regulator's region"),
    ))]
pub(super) async fn read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<Json<StoredWarning>, ApiError> {
    let scope = scope_of(&caller)?;
    db::warnings::get_warning(&state.db, &scope, id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// Marks a new warning as seen (已确认). It stays acknowledged while the records keep raising
/// it; acknowledging again changes nothing.
#[utoipa::path(post, path = "/api/v1/regulator/warnings/{id}/acknowledge", operation_id = "regulator_acknowledge_warning", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Warning id")),
    responses(
        (status = 200, description = "The acknowledged warning", body = StoredWarning),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such warning in the regulator's region"),
        (status = 409, description = "The warning is resolved"),
    ))]
pub(super) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<Json<StoredWarning>, ApiError> {
    let scope = scope_of(&caller)?;
    match db::warnings::acknowledge_warning(&state.db, &scope, id, caller.account.id, Utc::now())
        .await?
    {
        Acknowledged::Done(w) => Ok(Json(w)),
        Acknowledged::NotFound => Err(ApiError::NotFound),
        Acknowledged::Resolved(_) => Err(ApiError::Conflict(Problem::error(
            "state",
            "warning.resolved",
            "该预警已消除，无需确认",
            "The warning is resolved; there is nothing to acknowledge",
        ))),
    }
}

/// Recomputes every warning of the region's enterprises now, as the periodic job does.
#[utoipa::path(post, path = "/api/v1/regulator/warnings/recompute", operation_id = "regulator_recompute_warnings", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "What changed", body = RefreshReport),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
    ))]
pub(super) async fn recompute(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RefreshReport>, ApiError> {
    let scope = scope_of(&caller)?;
    let now = Utc::now();
    let report = db::warnings::refresh_all(&state.db, Some(&scope), china_today(now), now).await?;
    Ok(Json(report))
}
