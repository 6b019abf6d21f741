//! Read-only drill-down into one enterprise of the region: its products, documents, stock and
//! partners, through the same list functions and filters the enterprise itself uses, with the
//! enterprise given by the path instead of the caller's account.

use super::enterprise_in_region;
use crate::db::{self, ProductQuery, StockLine, StoredDocument};
use crate::http::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::list::{ListParams, Page};
use crate::http::partners::{PartnerFilters, PartnerView, partner_query};
use crate::http::products::{ProductView, views};
use crate::http::query::Query;
use crate::http::schemas::{self, ListQuery};
use crate::http::stock::{StockQuery, stock_filter};
use crate::http::transactions::{DocumentQuery, document_list_query};
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use suyuan_core::model::{PartnerRole, TransactionId};
use uuid::Uuid;

/// Filters of the product list.
#[derive(Debug, Deserialize)]
pub(super) struct ProductFilters {
    registration_number: Option<String>,
}

/// The products the enterprise put in the library.
#[utoipa::path(get, path = "/api/v1/regulator/enterprises/{id}/products", operation_id = "regulator_enterprise_products", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `generic_name` or `created_at`"),
        ("registration_number" = Option<String>, Query, description = "Exact registration or filing number"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::ProductView>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such enterprise in the regulator's region"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
pub(super) async fn products(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
    Query(filters): Query<ProductFilters>,
) -> Result<Json<Page<ProductView>>, ApiError> {
    let owner = enterprise_in_region(&state, &caller, &id)
        .await?
        .enterprise
        .id;
    let query = ProductQuery {
        owner: Some(owner),
        keyword: params.keyword(),
        registration_number: filters.registration_number.filter(|r| !r.trim().is_empty()),
    };
    let window = params.db_window(&db::PRODUCT_SORTS)?;
    let (rows, total) = db::list_products(&state.db, &query, &window).await?;
    Ok(Json(Page::of(views(&state, rows).await?, total, &params)))
}

/// The enterprise's documents, drafts included; the filters of the enterprise's own list.
#[utoipa::path(get, path = "/api/v1/regulator/enterprises/{id}/transactions", operation_id = "regulator_enterprise_transactions", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `doc_date` or `number`"),
        ("kind" = Option<String>, Query, description = "Document kind, e.g. `purchase_inbound`, `sales_outbound`"),
        ("status" = Option<String>, Query, description = "`draft` or `submitted`"),
        ("date_from" = Option<String>, Query, format = Date, description = "Earliest document date"),
        ("date_to" = Option<String>, Query, format = Date, description = "Latest document date"),
        ("counterparty" = Option<Uuid>, Query, description = "Counterparty enterprise id"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::StoredDocument>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such enterprise in the regulator's region"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
pub(super) async fn transactions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
    Query(filter): Query<DocumentQuery>,
) -> Result<Json<Page<StoredDocument>>, ApiError> {
    let enterprise = enterprise_in_region(&state, &caller, &id)
        .await?
        .enterprise
        .id;
    let (f, sort, order) = document_list_query(&params, filter)?;
    let (items, total) =
        db::list_transactions(&state.db, enterprise, &f, (sort, order), params.window()).await?;
    Ok(Json(Page::of(items, total, &params)))
}

/// One of the enterprise's documents.
#[utoipa::path(get, path = "/api/v1/regulator/enterprises/{id}/transactions/{doc_id}", operation_id = "regulator_enterprise_transaction", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ("doc_id" = Uuid, Path, description = "Document id"),
    ),
    responses(
        (status = 200, description = "The document", body = schemas::StoredDocument),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such enterprise in the regulator's region, or no such document of it"),
    ))]
pub(super) async fn transaction(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, doc_id)): Path<(String, String)>,
) -> Result<Json<StoredDocument>, ApiError> {
    let enterprise = enterprise_in_region(&state, &caller, &id)
        .await?
        .enterprise
        .id;
    let doc_id = Uuid::parse_str(&doc_id).map_err(|_| ApiError::NotFound)?;
    db::get_transaction(&state.db, enterprise, TransactionId(doc_id))
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// The enterprise's stock by product and batch.
#[utoipa::path(get, path = "/api/v1/regulator/enterprises/{id}/stock", operation_id = "regulator_enterprise_stock", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ListQuery,
        ("product_id" = Option<Uuid>, Query, description = "Only this product"),
        ("batch" = Option<String>, Query, description = "Only this batch"),
        ("expiring_before" = Option<String>, Query, format = Date, description = "Only batches expiring before this date"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::StockLine>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such enterprise in the regulator's region"),
        (status = 422, description = "Bad filter value"),
    ))]
pub(super) async fn stock(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
    Query(filter): Query<StockQuery>,
) -> Result<Json<Page<StockLine>>, ApiError> {
    let enterprise = enterprise_in_region(&state, &caller, &id)
        .await?
        .enterprise
        .id;
    let f = stock_filter(&params, filter);
    let (items, total) = db::list_stock(&state.db, enterprise, &f, params.window()).await?;
    Ok(Json(Page::of(items, total, &params)))
}

/// Which partners: suppliers, customers, or both.
#[derive(Debug, Deserialize)]
pub(super) struct RoleFilter {
    role: Option<PartnerRole>,
}

/// The enterprise's suppliers and customers (`role` picks one side).
#[utoipa::path(get, path = "/api/v1/regulator/enterprises/{id}/partners", operation_id = "regulator_enterprise_partners", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Enterprise id"),
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `name`, `uscc`, `region_code` or `created_at`"),
        ("role" = Option<String>, Query, description = "`supplier` or `customer`; both when left out"),
        ("state" = Option<String>, Query, description = "`normal` or `disabled`"),
        ("region_code" = Option<String>, Query, description = "Region code prefix (up to 6 digits)"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::PartnerView>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such enterprise in the regulator's region"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
pub(super) async fn partners(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
    Query(role): Query<RoleFilter>,
    Query(filters): Query<PartnerFilters>,
) -> Result<Json<Page<PartnerView>>, ApiError> {
    let owner = enterprise_in_region(&state, &caller, &id)
        .await?
        .enterprise
        .id;
    let query = partner_query(owner, role.role, &params, filters)?;
    let window = params.db_window(&db::PARTNER_SORTS)?;
    let (rows, total) = db::list_partners(&state.db, &query, &window).await?;
    let items = rows.into_iter().map(PartnerView::from).collect();
    Ok(Json(Page::of(items, total, &params)))
}
