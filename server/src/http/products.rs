//! `/api/v1/products`: the shared product library. Any account reads it; only a product's
//! owner (admin or clerk) changes it, and another enterprise's product answers 404 to writes.

use super::AppState;
use super::attachments::resolve_attachments;
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, blank, parse_id, refuse_blocking, writer};
use super::list::{ListParams, Page};
use super::query::Query;
use super::schemas::{self, ListQuery};
use crate::db::{self, ProductQuery, Removal, Stamped};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use suyuan_core::Problem;
use suyuan_core::model::{Product, ProductId, RecordStatus};
use suyuan_core::rules::lifecycle::{self, Action};
use suyuan_core::rules::status::{Blocks, ProductStatus};
use suyuan_core::validate::validate_product;
use utoipa::OpenApi;

/// A product as answered: the record, its derived status (有效/不合格/召回) and its times.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ProductView {
    product: Product,
    status: ProductStatus,
    created_at: String,
    updated_at: String,
}

impl ProductView {
    /// The product's id.
    pub(super) fn product_id(&self) -> ProductId {
        self.product.id
    }
}

/// Views of stored products with each one's status derived from its recalls and listings.
pub(super) async fn views(
    state: &AppState,
    rows: Vec<Stamped<Product>>,
) -> Result<Vec<ProductView>, ApiError> {
    let ids: Vec<ProductId> = rows.iter().map(|r| r.record.id).collect();
    let (recalls, listings) = db::product_blocks(&state.db, &ids).await?;
    let blocks = Blocks::new(&recalls, &listings);
    Ok(rows
        .into_iter()
        .map(|r| ProductView {
            status: blocks.product_status(r.record.id),
            product: r.record,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

async fn view(state: &AppState, row: Stamped<Product>) -> Result<ProductView, ApiError> {
    views(state, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("product view lost".into()))
}

/// Whose products a list shows.
#[derive(Debug, Deserialize)]
struct ProductFilters {
    /// `me` (default) or `all`.
    owner: Option<String>,
    registration_number: Option<String>,
}

/// `owner=me` (the default: the caller's enterprise) or `owner=all` of a public library.
pub(super) fn owner_filter(
    raw: Option<&str>,
    caller: &Caller,
) -> Result<Option<suyuan_core::model::EnterpriseId>, ApiError> {
    match raw.unwrap_or("me") {
        "me" => Ok(Some(caller.enterprise()?)),
        "all" => Ok(None),
        other => Err(ApiError::Validation(vec![Problem::error(
            "owner",
            "owner.unknown",
            format!("owner 只能是 me 或 all，而不是 {other}"),
            format!("owner is me or all, not {other}"),
        )])),
    }
}

/// Lists products; `q` matches names and numbers.
#[utoipa::path(get, path = "/api/v1/products", operation_id = "list_products", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `generic_name` or `created_at`"),
        ("owner" = Option<String>, Query, description = "`me` (default) or `all` enterprises' products"),
        ("registration_number" = Option<String>, Query, description = "Exact registration or filing number"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::ProductView>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<ProductFilters>,
) -> Result<Json<Page<ProductView>>, ApiError> {
    let owner = owner_filter(filters.owner.as_deref(), &caller)?;
    let query = ProductQuery {
        owner,
        keyword: params.keyword(),
        registration_number: filters.registration_number.filter(|r| !r.trim().is_empty()),
    };
    let window = params.db_window(&db::PRODUCT_SORTS)?;
    let (rows, total) = db::list_products(&state.db, &query, &window).await?;
    Ok(Json(Page::of(views(&state, rows).await?, total, &params)))
}

pub(super) fn product_defaults() -> Vec<(&'static str, serde_json::Value)> {
    let mut d = blank(&[
        "generic_name",
        "brand",
        "registration_number",
        "registrant",
        "manufacturer",
        "specification",
    ]);
    d.push(("attachments", json!([])));
    d
}

/// Adds a product owned by the caller's enterprise (admin or clerk).
#[utoipa::path(post, path = "/api/v1/products", operation_id = "create_product", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    request_body = schemas::ProductInput,
    responses(
        (status = 201, description = "Created", body = schemas::ProductView),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 409, description = "Duplicate of an existing record"),
        (status = 422, description = "Invalid field or unacknowledged warning"),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let actor = writer(&caller)?;
    let (mut product, ack): (Product, _) = body.into_record(
        &product_defaults(),
        &[
            ("id", json!(ProductId::random())),
            ("owner", json!(actor.enterprise_id)),
            ("status", json!(RecordStatus::Draft)),
        ],
    )?;
    let mut problems = validate_product(&product);
    problems
        .extend(resolve_attachments(&state, actor.enterprise_id, &mut product.attachments).await?);
    refuse_blocking(&problems, &ack)?;
    db::insert_product(&state.db, &product, &actor, Utc::now()).await?;
    // The registration number is checked by a warning rule too.
    crate::warnings::after_write(&state.db, &[actor.enterprise_id]).await;
    let stored = db::get_product(&state.db, product.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view(&state, stored).await?)))
}

/// One product. Any enterprise reads.
#[utoipa::path(get, path = "/api/v1/products/{id}", operation_id = "get_product", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = schemas::ProductView),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such record visible to the caller"),
    ))]
async fn get_one(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProductView>, ApiError> {
    let row = db::get_product(&state.db, parse_id(&id)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, row).await?))
}

/// The caller's own product, or 404 (another enterprise's product is not the caller's to write).
async fn own(
    state: &AppState,
    owner: suyuan_core::model::EnterpriseId,
    id: &str,
) -> Result<Product, ApiError> {
    db::get_product(&state.db, parse_id(id)?)
        .await?
        .map(|r| r.record)
        .filter(|p| p.owner == owner)
        .ok_or(ApiError::NotFound)
}

/// Changes a product of the caller's enterprise.
#[utoipa::path(put, path = "/api/v1/products/{id}", operation_id = "update_product", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = schemas::ProductInput,
    responses(
        (status = 200, description = "The changed record", body = schemas::ProductView),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such record of the caller's enterprise"),
        (status = 409, description = "Duplicate, or the record's state forbids the change"),
        (status = 422, description = "Invalid field or unacknowledged warning"),
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: RecordBody,
) -> Result<Json<ProductView>, ApiError> {
    let actor = writer(&caller)?;
    let current = own(&state, actor.enterprise_id, &id).await?;
    let (edited, ack): (Product, _) = body.into_record(
        &product_defaults(),
        &[
            ("id", json!(current.id)),
            ("owner", json!(current.owner)),
            ("status", json!(current.status)),
        ],
    )?;
    let mut product = lifecycle::edit(&current, edited).map_err(ApiError::Conflict)?;
    let mut problems = validate_product(&product);
    problems
        .extend(resolve_attachments(&state, actor.enterprise_id, &mut product.attachments).await?);
    refuse_blocking(&problems, &ack)?;
    if !db::update_product(&state.db, &product, &actor, Utc::now()).await? {
        return Err(ApiError::NotFound);
    }
    crate::warnings::after_write(&state.db, &[actor.enterprise_id]).await;
    let stored = db::get_product(&state.db, product.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, stored).await?))
}

/// Deletes a product of the caller's enterprise that no document refers to.
#[utoipa::path(delete, path = "/api/v1/products/{id}", operation_id = "delete_product", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such record of the caller's enterprise"),
        (status = 409, description = "Referenced by other records; disable it instead"),
    ))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = writer(&caller)?;
    let current = own(&state, actor.enterprise_id, &id).await?;
    lifecycle::check(&current.status, Action::Delete).map_err(ApiError::Conflict)?;
    match db::delete_product(&state.db, current.id, &actor, Utc::now()).await? {
        Removal::Deleted => {
            crate::warnings::after_write(&state.db, &[actor.enterprise_id]).await;
            Ok(StatusCode::NO_CONTENT)
        }
        Removal::NotFound => Err(ApiError::NotFound),
        Removal::Referenced(what) => Err(ApiError::Conflict(referenced(what))),
    }
}

/// Why a record that others refer to cannot be deleted.
pub(super) fn referenced(what: &str) -> Problem {
    let (zh, en) = match what {
        "barcode" => ("条形码", "a barcode"),
        "transaction" => ("已提交的单据", "a submitted document"),
        "nonconforming" => ("不合格产品记录", "a nonconforming listing"),
        "recall" => ("召回记录", "a recall"),
        "document" => ("单据", "a document"),
        _ => ("其他记录", "another record"),
    };
    Problem::error(
        "id",
        &format!("referenced.{what}"),
        format!("该记录已被{zh}引用，不能删除"),
        format!("This record is referenced by {en} and cannot be deleted"),
    )
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list, create, get_one, update, delete))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products", get(list).post(create))
        .route(
            "/api/v1/products/{id}",
            get(get_one).put(update).delete(delete),
        )
}
