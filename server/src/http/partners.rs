//! `/api/v1/suppliers` and `/api/v1/customers`: one enterprise's partners (供应商 / 销售客户),
//! one table with the role fixed by the route. Another enterprise's partner answers 404.

use super::AppState;
use super::attachments::resolve_attachments;
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, blank, parse_id, refuse_blocking, today, writer};
use super::list::{ListParams, Page};
use super::query::Query;
use super::schemas::{self, ListQuery};
use crate::db::{self, PartnerQuery, Removal, Stamped};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use suyuan_core::Problem;
use suyuan_core::model::{
    EnterpriseId, Partner, PartnerId, PartnerRole, PartnerState, RecordStatus,
};
use suyuan_core::rules::lifecycle::{self, Action};
use suyuan_core::validate::validate_partner;
use utoipa::OpenApi;

/// The route parameter of the suppliers' handlers.
pub(super) const SUPPLIER: u8 = 0;
/// The route parameter of the customers' handlers.
pub(super) const CUSTOMER: u8 = 1;

/// The role a handler instance serves.
pub(super) fn role<const R: u8>() -> PartnerRole {
    if R == SUPPLIER {
        PartnerRole::Supplier
    } else {
        PartnerRole::Customer
    }
}

/// A partner as answered, with its times.
#[derive(Debug, Serialize)]
pub(super) struct PartnerView {
    partner: Partner,
    created_at: String,
    updated_at: String,
}

impl From<Stamped<Partner>> for PartnerView {
    fn from(s: Stamped<Partner>) -> Self {
        PartnerView {
            partner: s.record,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Filters of a partner list (and export).
#[derive(Debug, Deserialize)]
pub(super) struct PartnerFilters {
    state: Option<String>,
    region_code: Option<String>,
}

pub(super) fn filter_problem(field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::Validation(vec![Problem::error(
        field,
        &format!("{field}.filter"),
        zh,
        en,
    )])
}

/// The partner list's query from its parameters.
pub(super) fn partner_query(
    owner: EnterpriseId,
    role: Option<PartnerRole>,
    params: &ListParams,
    filters: PartnerFilters,
) -> Result<PartnerQuery, ApiError> {
    let partner_state = match filters.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("normal") => Some(PartnerState::Normal),
        Some("disabled") => Some(PartnerState::Disabled),
        Some(_) => {
            return Err(filter_problem(
                "state",
                "状态只能是 normal 或 disabled",
                "state is normal or disabled",
            ));
        }
    };
    let region_prefix = filters.region_code.filter(|r| !r.is_empty());
    if let Some(r) = &region_prefix
        && (r.len() > 6 || !r.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(filter_problem(
            "region_code",
            "地区代码前缀应为 1 至 6 位数字",
            "region_code is a prefix of 1 to 6 digits",
        ));
    }
    Ok(PartnerQuery {
        owner,
        role,
        keyword: params.keyword(),
        state: partner_state,
        region_prefix,
    })
}

/// Lists the caller's suppliers; `q` matches name, USCC, contact and phone.
#[utoipa::path(get, path = "/api/v1/suppliers", operation_id = "list_suppliers", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `name`, `uscc`, `region_code` or `created_at`"),
        ("state" = Option<String>, Query, description = "`normal` or `disabled`"),
        ("region_code" = Option<String>, Query, description = "Region code prefix (up to 6 digits)"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::PartnerView>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn list<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<PartnerFilters>,
) -> Result<Json<Page<PartnerView>>, ApiError> {
    let owner = caller.enterprise()?;
    let query = partner_query(owner, Some(role::<R>()), &params, filters)?;
    let window = params.db_window(&db::PARTNER_SORTS)?;
    let (rows, total) = db::list_partners(&state.db, &query, &window).await?;
    let items = rows.into_iter().map(PartnerView::from).collect();
    Ok(Json(Page::of(items, total, &params)))
}

pub(super) fn partner_defaults() -> Vec<(&'static str, serde_json::Value)> {
    let mut d = blank(&[
        "name",
        "uscc",
        "contact",
        "phone",
        "region_code",
        "address",
        "legal_representative",
        "remittance_account",
    ]);
    d.extend([("state", json!("normal")), ("attachments", json!([]))]);
    d
}

/// Checks a partner about to be written (the database links it to the enterprise its USCC
/// belongs to when it is written).
pub(super) async fn checked(
    state: &AppState,
    p: &mut Partner,
    ack: &[String],
) -> Result<(), ApiError> {
    p.uscc = p.uscc.trim().to_owned();
    p.region_code = p.region_code.trim().to_owned();
    let mut problems = validate_partner(p, today());
    problems.extend(resolve_attachments(state, p.owner, &mut p.attachments).await?);
    refuse_blocking(&problems, ack)
}

pub(super) fn map_unique(e: db::DbError) -> ApiError {
    if db::violates_unique(&e, "partners_owner_role_uscc_key", "partners.uscc") {
        ApiError::Conflict(Problem::error(
            "uscc",
            "uscc.taken",
            "已有使用该统一社会信用代码的记录",
            "A record with this unified social credit code already exists",
        ))
    } else {
        e.into()
    }
}

/// Adds a supplier of the caller's enterprise (admin or clerk).
#[utoipa::path(post, path = "/api/v1/suppliers", operation_id = "create_supplier", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    request_body = schemas::PartnerInput,
    responses(
        (status = 201, description = "Created", body = schemas::PartnerView),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 409, description = "The USCC is already a partner of this kind"),
        (status = 422, description = "Invalid field or unacknowledged warning"),
    ))]
async fn create<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, Json<PartnerView>), ApiError> {
    let actor = writer(&caller)?;
    let (mut partner, ack): (Partner, _) = body.into_record(
        &partner_defaults(),
        &[
            ("id", json!(PartnerId::random())),
            ("owner", json!(actor.enterprise_id)),
            ("role", json!(role::<R>())),
            ("enterprise_id", json!(null)),
            ("status", json!(RecordStatus::Draft)),
        ],
    )?;
    checked(&state, &mut partner, &ack).await?;
    db::insert_partner(&state.db, &partner, &actor, Utc::now())
        .await
        .map_err(map_unique)?;
    let stored = db::get_partner(&state.db, partner.id, role::<R>(), actor.enterprise_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// One supplier of the caller's enterprise.
#[utoipa::path(get, path = "/api/v1/suppliers/{id}", operation_id = "get_supplier", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = schemas::PartnerView),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such record of the caller's enterprise"),
    ))]
async fn get_one<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PartnerView>, ApiError> {
    let owner = caller.enterprise()?;
    let row = db::get_partner(&state.db, parse_id(&id)?, role::<R>(), owner)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

/// Changes a supplier of the caller's enterprise.
#[utoipa::path(put, path = "/api/v1/suppliers/{id}", operation_id = "update_supplier", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = schemas::PartnerInput,
    responses(
        (status = 200, description = "The changed record", body = schemas::PartnerView),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such record of the caller's enterprise"),
        (status = 409, description = "Duplicate USCC, or the record's state forbids the change"),
        (status = 422, description = "Invalid field or unacknowledged warning"),
    ))]
async fn update<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: RecordBody,
) -> Result<Json<PartnerView>, ApiError> {
    let actor = writer(&caller)?;
    let current = db::get_partner(&state.db, parse_id(&id)?, role::<R>(), actor.enterprise_id)
        .await?
        .ok_or(ApiError::NotFound)?
        .record;
    let (edited, ack): (Partner, _) = body.into_record(
        &partner_defaults(),
        &[
            ("id", json!(current.id)),
            ("owner", json!(current.owner)),
            ("role", json!(current.role)),
            ("enterprise_id", json!(null)),
            ("status", json!(current.status)),
        ],
    )?;
    let mut partner = lifecycle::edit(&current, edited).map_err(ApiError::Conflict)?;
    checked(&state, &mut partner, &ack).await?;
    if !db::update_partner(&state.db, &partner, &actor, Utc::now())
        .await
        .map_err(map_unique)?
    {
        return Err(ApiError::NotFound);
    }
    // Licence and quality-agreement dates feed warning rules on the documents naming it.
    crate::warnings::after_write(&state.db, &[actor.enterprise_id]).await;
    let stored = db::get_partner(&state.db, partner.id, role::<R>(), actor.enterprise_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(stored.into()))
}

/// Deletes a supplier that no document refers to.
#[utoipa::path(delete, path = "/api/v1/suppliers/{id}", operation_id = "delete_supplier", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such record of the caller's enterprise"),
        (status = 409, description = "Referenced by documents; disable it instead"),
    ))]
async fn delete<const R: u8>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = writer(&caller)?;
    let current = db::get_partner(&state.db, parse_id(&id)?, role::<R>(), actor.enterprise_id)
        .await?
        .ok_or(ApiError::NotFound)?
        .record;
    lifecycle::check(&current.status, Action::Delete).map_err(ApiError::Conflict)?;
    match db::delete_partner(&state.db, current.id, role::<R>(), &actor, Utc::now()).await? {
        Removal::Deleted => Ok(StatusCode::NO_CONTENT),
        Removal::NotFound => Err(ApiError::NotFound),
        Removal::Referenced(_) => Err(ApiError::Conflict(Problem::error(
            "id",
            "referenced.document",
            "该记录已被单据引用，不能删除；可将其状态改为停用",
            "Documents refer to this record, so it cannot be deleted; set its state to disabled instead",
        ))),
    }
}

/// The paths of this module in the OpenAPI document, written for suppliers; the document
/// repeats them for customers (see `openapi::customers_like_suppliers`).
#[derive(OpenApi)]
#[openapi(paths(list, create, get_one, update, delete))]
pub(super) struct Api;

fn routes<const R: u8>(base: &str) -> Router<AppState> {
    Router::new()
        .route(base, get(list::<R>).post(create::<R>))
        .route(
            &format!("{base}/{{id}}"),
            get(get_one::<R>).put(update::<R>).delete(delete::<R>),
        )
}

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    routes::<SUPPLIER>("/api/v1/suppliers").merge(routes::<CUSTOMER>("/api/v1/customers"))
}
