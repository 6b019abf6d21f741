//! Suppliers and customers from and to Excel (供应商 / 销售客户 的导入导出): template, all-or-nothing
//! import and filtered export, one generic handler per operation as in `partners.rs`. The
//! OpenAPI entries are written for suppliers; `openapi::customers_like_suppliers` copies them.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::excel::{MAX_EXPORT_ROWS, MAX_UPLOAD_BYTES, download, xlsx_error};
use super::idempotency::{key_of, replay};
use super::input::{today, writer};
use super::list::ListParams;
use super::partners::{CUSTOMER, PartnerFilters, SUPPLIER, partner_query, role};
use super::query::Query;
use super::schemas;
use crate::db::{self, Imported, Window};
use crate::excel;
use crate::excel::partners::ParseContext;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use suyuan_core::model::PartnerRole;

fn file_stem(role: PartnerRole) -> &'static str {
    match role {
        PartnerRole::Supplier => "suppliers",
        PartnerRole::Customer => "customers",
    }
}

#[utoipa::path(get, path = "/api/v1/suppliers/template.xlsx", operation_id = "supplier_template", tag = "catalog",
    summary = "Excel template for suppliers",
    description = "Header row (required columns marked *), drop-down lists for the type and status, an example row and an instructions sheet in Chinese and English.",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
    ))]
async fn template<const R: u8>(caller: Caller) -> Result<Response, ApiError> {
    caller.enterprise()?;
    let bytes = excel::partners::template(role::<R>()).map_err(xlsx_error)?;
    Ok(download(
        bytes,
        &format!("{}-template.xlsx", file_stem(role::<R>())),
    ))
}

/// Options of an import besides the file.
#[derive(Debug, Deserialize)]
struct ImportParams {
    /// Warning rules to override, comma-separated (as a save's `acknowledge`).
    acknowledge: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/suppliers/import", operation_id = "import_suppliers", tag = "catalog",
    summary = "Import a filled supplier template, all or nothing",
    description = "Every row is checked as a save is; a USCC given twice or already kept is refused. \
                   A supplier whose USCC belongs to a registered enterprise is linked to it.",
    security(("bearer" = []), ("session" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key replays the first answer"),
        ("acknowledge" = Option<String>, Query, description = "Warning rules to override, comma-separated, e.g. `licence.expired`"),
    ),
    request_body(content((schemas::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), description = "The filled template"),
    responses(
        (status = 201, description = "Every row stored", body = schemas::ImportResult),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 413, description = "File too large"),
        (status = 422, description = "Bad rows: nothing written, every bad row and column listed"),
    ))]
async fn import<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = writer(&caller)?;
    let request = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let key = key_of(&headers, actor.enterprise_id, &method, request, &body)?;
    let acknowledge: Vec<String> = params
        .acknowledge
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let owner = actor.enterprise_id;
    // Parsing is CPU work on a possibly large file: off the async workers.
    let rows = tokio::task::spawn_blocking(move || {
        let cx = ParseContext {
            role: role::<R>(),
            owner,
            today: today(),
            acknowledge: &acknowledge,
        };
        excel::partners::parse(&body, &cx)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("import task: {e}")))?
    .map_err(ApiError::Validation)?;
    let ids: Vec<String> = rows.iter().map(|r| r.partner.id.to_string()).collect();
    let answer = json!({ "imported": rows.len(), "ids": ids });
    let partners: Vec<_> = rows.into_iter().map(|r| (r.row, r.partner)).collect();
    match db::import_partners(
        &state.db,
        role::<R>(),
        &partners,
        &actor,
        key.as_ref(),
        &answer.to_string(),
        Utc::now(),
    )
    .await?
    {
        Imported::Done => Ok((StatusCode::CREATED, axum::Json(answer)).into_response()),
        Imported::Replayed(first) => match key {
            Some(key) => replay(&key, first),
            None => Err(ApiError::Internal("replay without a key".into())),
        },
    }
}

#[utoipa::path(get, path = "/api/v1/suppliers/export.xlsx", operation_id = "export_suppliers", tag = "catalog",
    summary = "Suppliers matching the list filters as .xlsx",
    description = "The same keyword, filters and sorting as the list, in the template's layout (an export imports again).",
    security(("bearer" = []), ("session" = [])),
    params(
        schemas::ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `name`, `uscc`, `region_code` or `created_at`"),
        ("state" = Option<String>, Query, description = "`normal` or `disabled`"),
        ("region_code" = Option<String>, Query, description = "Region code prefix (up to 6 digits)"),
    ),
    responses(
        (status = 200, description = "The filtered list", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn export<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<PartnerFilters>,
) -> Result<Response, ApiError> {
    let query = partner_query(caller.enterprise()?, Some(role::<R>()), &params, filters)?;
    let window = Window {
        limit: MAX_EXPORT_ROWS,
        offset: 0,
        ..params.db_window(&db::PARTNER_SORTS)?
    };
    let (rows, _) = db::list_partners(&state.db, &query, &window).await?;
    let partners: Vec<_> = rows.into_iter().map(|r| r.record).collect();
    let bytes = excel::partners::export(role::<R>(), &partners).map_err(xlsx_error)?;
    Ok(download(bytes, &format!("{}.xlsx", file_stem(role::<R>()))))
}

/// This module's part of the OpenAPI document (suppliers; customers are copied from them).
#[derive(utoipa::OpenApi)]
#[openapi(paths(template, import, export))]
pub(super) struct Api;

fn routes<const R: u8>(base: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{base}/template.xlsx"), get(template::<R>))
        .route(&format!("{base}/export.xlsx"), get(export::<R>))
        .route(
            &format!("{base}/import"),
            post(import::<R>).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
}

/// Routes of the supplier and customer spreadsheets.
pub(super) fn router() -> Router<AppState> {
    routes::<SUPPLIER>("/api/v1/suppliers").merge(routes::<CUSTOMER>("/api/v1/customers"))
}
