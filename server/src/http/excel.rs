//! Excel templates, imports and exports (`*.xlsx`). Parsing lives in `crate::excel`, SQL in
//! `crate::db`; here are the routes, who may call them and the answers.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::idempotency::{key_of, replay};
use super::input::writer;
use super::list::ListParams;
use super::products::owner_filter;
use super::query::Query;
use super::schemas;
use crate::db::{
    self, DocumentImport, Imported, ProductQuery, SubmitOptions, TRANSACTION_SORTS,
    TransactionFilter, Window,
};
use crate::excel;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, TransactionKind};
use uuid::Uuid;

/// Largest workbook accepted (a 50,000-line file is a few MB).
pub(super) const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

/// Most rows one export holds.
pub(super) const MAX_EXPORT_ROWS: u32 = 100_000;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook that could not be written: our fault, a 500.
pub(super) fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ApiError {
    ApiError::Internal(format!("xlsx: {e}"))
}

/// An .xlsx download named `filename`.
pub(super) fn download(bytes: Vec<u8>, filename: &str) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[utoipa::path(get, path = "/api/v1/products/template.xlsx", operation_id = "product_template", tag = "products",
    summary = "Excel template for products",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
    ))]
async fn product_template(_caller: Caller) -> Result<Response, ApiError> {
    let bytes = excel::products::template().map_err(xlsx_error)?;
    Ok(download(bytes, "products-template.xlsx"))
}

#[utoipa::path(post, path = "/api/v1/products/import", operation_id = "import_products", tag = "products",
    summary = "Import a filled product template, all or nothing",
    security(("bearer" = []), ("session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key replays the first answer")),
    request_body(content((schemas::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), description = "The filled template"),
    responses(
        (status = 201, description = "Every row stored", body = schemas::ImportResult),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 413, description = "File too large"),
        (status = 422, description = "Bad rows: nothing written, every bad row and column listed"),
    ))]
async fn product_import(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = writer(&caller)?;
    let key = key_of(&headers, actor.enterprise_id, &method, uri.path(), &body)?;
    // Parsing is CPU work on a possibly large file: off the async workers.
    let owner = actor.enterprise_id;
    let rows = tokio::task::spawn_blocking(move || excel::products::parse(&body, owner))
        .await
        .map_err(|e| ApiError::Internal(format!("import task: {e}")))?
        .map_err(ApiError::Validation)?;
    let ids: Vec<String> = rows.iter().map(|r| r.product.id.to_string()).collect();
    let answer = json!({ "imported": rows.len(), "ids": ids });
    let answer_text = answer.to_string();
    let products: Vec<_> = rows.into_iter().map(|r| r.product).collect();
    match db::import_products(
        &state.db,
        &products,
        &actor,
        key.as_ref(),
        &answer_text,
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

/// Filters of the product export: those of the list.
#[derive(Debug, Deserialize)]
struct ProductFilters {
    owner: Option<String>,
    registration_number: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/products/export.xlsx", operation_id = "export_products", tag = "products",
    summary = "Products matching the list filters as .xlsx",
    security(("bearer" = []), ("session" = [])),
    params(schemas::ListQuery),
    responses(
        (status = 200, description = "The filtered list", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Bad filter value"),
    ))]
async fn product_export(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<ProductFilters>,
) -> Result<Response, ApiError> {
    let owner = owner_filter(filters.owner.as_deref(), &caller)?;
    let query = ProductQuery {
        owner,
        keyword: params.keyword(),
        registration_number: filters.registration_number.filter(|r| !r.trim().is_empty()),
    };
    let paged = params.db_window(&db::PRODUCT_SORTS)?;
    let window = Window {
        limit: MAX_EXPORT_ROWS,
        offset: 0,
        ..paged
    };
    let (rows, _) = db::list_products(&state.db, &query, &window).await?;
    let products: Vec<_> = rows.into_iter().map(|r| r.record).collect();
    let bytes = excel::products::export(&products).map_err(xlsx_error)?;
    Ok(download(bytes, "products.xlsx"))
}

#[utoipa::path(get, path = "/api/v1/transactions/template.xlsx", operation_id = "transaction_template", tag = "documents",
    summary = "Excel template for documents and their lines",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
    ))]
async fn document_template(_caller: Caller) -> Result<Response, ApiError> {
    let bytes = excel::transactions::template().map_err(xlsx_error)?;
    Ok(download(bytes, "transactions-template.xlsx"))
}

/// Options of a documents import besides the file.
#[derive(Debug, Deserialize)]
struct DocumentImportParams {
    /// Submit every document in the same transaction instead of saving drafts.
    #[serde(default)]
    submit: bool,
    /// With `submit`: warning rules to override, comma-separated.
    acknowledge: Option<String>,
    /// With `submit`: the reason to accept stock the records do not show (期初库存说明).
    opening_override: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/transactions/import", operation_id = "import_transactions", tag = "documents",
    summary = "Import documents from a filled template, all or nothing",
    description = "Saves drafts, or with `submit=true` submits every document in the same database \
                   transaction, in file order, under the submit rules (stock, sales blocks, \
                   reconciliation, chain). Any problem in any document: nothing is written and \
                   every problem is reported at its sheet row.",
    security(("bearer" = []), ("session" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key replays the first answer"),
        ("submit" = Option<bool>, Query, description = "Submit the documents instead of saving drafts"),
        ("acknowledge" = Option<String>, Query, description = "With submit: warning rules to override, comma-separated"),
        ("opening_override" = Option<String>, Query, description = "With submit: why stock the records do not show is accepted (opening balance)"),
    ),
    request_body(content((schemas::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), description = "The filled template"),
    responses(
        (status = 201, description = "Every document stored (as a draft, or submitted)", body = schemas::ImportResult),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 413, description = "File too large"),
        (status = 422, description = "Bad rows or refused submits: nothing written, every bad row and column listed"),
    ))]
async fn document_import(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<DocumentImportParams>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let enterprise = caller.writer()?;
    // The query decides drafts or submit, so a key covers it as well as the file.
    let request = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let key = key_of(&headers, enterprise, &method, request, &body)?;
    let mode = if params.submit {
        DocumentImport::Submit(SubmitOptions {
            opening_override: params.opening_override.filter(|r| !r.trim().is_empty()),
            acknowledge: params
                .acknowledge
                .iter()
                .flat_map(|a| a.split(','))
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    } else {
        DocumentImport::Drafts
    };
    let docs = tokio::task::spawn_blocking(move || excel::transactions::parse(&body, enterprise))
        .await
        .map_err(|e| ApiError::Internal(format!("import task: {e}")))?
        .map_err(ApiError::Validation)?;
    let mut touched = vec![enterprise];
    if !matches!(mode, DocumentImport::Drafts) {
        for d in &docs {
            touched.extend(crate::warnings::touched_by(&d.doc).enterprises);
        }
    }
    match db::import_documents(
        &state.db,
        docs,
        caller.account.id,
        enterprise,
        &mode,
        key.as_ref(),
        Utc::now(),
    )
    .await?
    {
        Ok(ids) => {
            if !matches!(mode, DocumentImport::Drafts) {
                crate::warnings::after_write(&state.db, &touched).await;
            }
            Ok((
                StatusCode::CREATED,
                axum::Json(json!({ "imported": ids.len(), "ids": ids })),
            )
                .into_response())
        }
        Err(first) => match key {
            Some(key) => replay(&key, first),
            None => Err(ApiError::Internal("replay without a key".into())),
        },
    }
}

/// Filters of the document export: those of the list.
#[derive(Debug, Deserialize)]
struct DocumentFilters {
    kind: Option<TransactionKind>,
    status: Option<String>,
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
    counterparty: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/transactions/export.xlsx", operation_id = "export_transactions", tag = "documents",
    summary = "Documents matching the list filters as .xlsx",
    security(("bearer" = []), ("session" = [])),
    params(schemas::ListQuery),
    responses(
        (status = 200, description = "The filtered list", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Bad filter value"),
    ))]
async fn document_export(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<DocumentFilters>,
) -> Result<Response, ApiError> {
    let enterprise = caller.enterprise()?;
    let submitted = match filter.status.as_deref() {
        None => None,
        Some("draft") => Some(false),
        Some("submitted") => Some(true),
        Some(_) => {
            return Err(ApiError::Validation(vec![Problem::error(
                "status",
                "param.invalid",
                "参数 status 只能是：draft, submitted",
                "Parameter status must be one of: draft, submitted",
            )]));
        }
    };
    let sort = params.sort.as_deref().unwrap_or("updated_at");
    let sort = TRANSACTION_SORTS
        .iter()
        .find(|s| **s == sort)
        .copied()
        .unwrap_or("updated_at");
    let f = TransactionFilter {
        keyword: params.keyword(),
        kind: filter.kind,
        submitted,
        date_from: filter.date_from,
        date_to: filter.date_to,
        counterparty: filter.counterparty.map(EnterpriseId),
    };
    let order = params.order.unwrap_or_default().sql();
    let (items, _) = db::list_transactions(
        &state.db,
        enterprise,
        &f,
        (sort, order),
        (MAX_EXPORT_ROWS, 0),
    )
    .await?;
    let docs: Vec<_> = items.into_iter().map(|d| d.document).collect();
    let bytes = excel::transactions::export(&docs).map_err(xlsx_error)?;
    Ok(download(bytes, "transactions.xlsx"))
}

/// Routes of the spreadsheet endpoints.
/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    product_template,
    product_import,
    product_export,
    document_template,
    document_import,
    document_export
))]
pub(super) struct Api;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products/template.xlsx", get(product_template))
        .route("/api/v1/products/export.xlsx", get(product_export))
        .route(
            "/api/v1/products/import",
            post(product_import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/transactions/template.xlsx", get(document_template))
        .route("/api/v1/transactions/export.xlsx", get(document_export))
        .route(
            "/api/v1/transactions/import",
            post(document_import).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
}
