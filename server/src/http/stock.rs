//! Stock by product and batch (库存), and the check of the caller's document hash chain.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::list::{ListParams, Page};
use super::schemas::{self, ListQuery};
use crate::db::{self, ChainReport, StockFilter, StockLine};
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use suyuan_core::model::ProductId;
use utoipa::OpenApi;
use uuid::Uuid;

/// Filters of the stock list.
#[derive(Debug, Deserialize)]
pub(super) struct StockQuery {
    product_id: Option<Uuid>,
    batch: Option<String>,
    expiring_before: Option<NaiveDate>,
}

/// The filter of a stock list from its query parameters.
pub(super) fn stock_filter(params: &ListParams, filter: StockQuery) -> StockFilter {
    StockFilter {
        keyword: params.keyword(),
        product_id: filter.product_id.map(ProductId),
        batch: filter.batch.filter(|b| !b.trim().is_empty()),
        expiring_before: filter.expiring_before,
    }
}

/// The caller's stock by product and batch.
#[utoipa::path(get, path = "/api/v1/stock", operation_id = "list_stock", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("product_id" = Option<Uuid>, Query, description = "Only this product"),
        ("batch" = Option<String>, Query, description = "Only this batch"),
        ("expiring_before" = Option<String>, Query, format = Date, description = "Only batches expiring before this date"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::StockLine>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Bad filter value"),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<StockQuery>,
) -> Result<axum::Json<Page<StockLine>>, ApiError> {
    let me = caller.enterprise()?;
    let f = stock_filter(&params, filter);
    let window = params.window();
    let (items, total) = db::list_stock(&state.db, me, &f, window).await?;
    Ok(axum::Json(Page::of(items, total, &params)))
}

/// Recomputes the caller's hash chain of submitted documents.
#[utoipa::path(get, path = "/api/v1/chain/verify", operation_id = "verify_chain", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Whether the chain holds", body = schemas::ChainReport),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
    ))]
async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<ChainReport>, ApiError> {
    let me = caller.enterprise()?;
    Ok(axum::Json(db::verify_chain(&state.db, me).await?))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list, verify))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/stock", get(list))
        .route("/api/v1/chain/verify", get(verify))
}
