//! Stock by product and batch (库存), and the check of the caller's document hash chain.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::list::{ListParams, Page};
use crate::db::{self, ChainReport, StockFilter, StockLine};
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use suyuan_core::model::ProductId;
use uuid::Uuid;

/// Filters of the stock list.
#[derive(Debug, Deserialize)]
struct StockQuery {
    product_id: Option<Uuid>,
    batch: Option<String>,
    expiring_before: Option<NaiveDate>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<StockQuery>,
) -> Result<axum::Json<Page<StockLine>>, ApiError> {
    let me = caller.enterprise()?;
    let f = StockFilter {
        keyword: params.keyword(),
        product_id: filter.product_id.map(ProductId),
        batch: filter.batch.filter(|b| !b.trim().is_empty()),
        expiring_before: filter.expiring_before,
    };
    let window = params.window();
    let (items, total) = db::list_stock(&state.db, me, &f, window).await?;
    Ok(axum::Json(Page {
        items,
        total,
        page: params.page.unwrap_or(1).max(1),
        per_page: window.0,
    }))
}

async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<ChainReport>, ApiError> {
    let me = caller.enterprise()?;
    Ok(axum::Json(db::verify_chain(&state.db, me).await?))
}

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/stock", get(list))
        .route("/api/v1/chain/verify", get(verify))
}
