//! Nonconforming listings (不合格化妆品信息), for enterprises under `/api/v1/nonconforming`
//! and for regulators under `/api/v1/regulator/nonconforming`.
//!
//! A regulator records a sampling result about a product of its region (owned or traded by an
//! enterprise of the region, as for recalls); an enterprise records its own check or a
//! complaint about a product it owns. Either listing is submitted at once and marks its
//! batches nonconforming everywhere: every holder is reached through its change feed, and the
//! submit check refuses sales of the batches. An enterprise sees its own records and the
//! listings that reached it (with its own holder row); a regulator those of its region with
//! every holder. Its handling moves on (`…/{id}/state`: handling, closed, or revoked as a
//! mistake, which frees the batches) by the regulators of its region, or by the enterprise
//! that recorded it; every move reaches the holders again.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, blank, today, writer};
use super::json::Json;
use super::list::{ListParams, Page};
use super::path_id::PathId;
use super::query::Query;
use super::recall_common::{known_product, out_of_reach, regulator_viewer};
use super::schemas::ListQuery;
use crate::db::{self, Author, LISTING_SORTS, ListingFilter, ListingHolder, StoredListing, Viewer};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use suyuan_core::Problem;
use suyuan_core::model::{
    EnterpriseId, NonconformingId, NonconformingRecord, NonconformingSource, NonconformingStatus,
    Product, RecordStatus,
};
use suyuan_core::rules::listing::check_listing_step;
use suyuan_core::validate::validate_nonconforming;
use utoipa::{OpenApi, ToSchema};

/// A listing as answered: the record, its region and times, and its holders as the caller
/// may see them.
#[derive(Debug, Serialize)]
struct ListingView {
    #[serde(flatten)]
    stored: StoredListing,
    /// Every holder reached (regulators, in details) or the caller's own row (enterprises).
    #[serde(skip_serializing_if = "Option::is_none")]
    holders: Option<Vec<ListingHolder>>,
}

/// `{listing, region_code, created_at, updated_at, holders?}`: `listing` is suyuan-core's
/// `NonconformingRecord`; `holders` lists each enterprise reached with `quantity_received`,
/// `quantity_held` and per-batch figures.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
struct ListingAnswer(Value);

/// `{product_id, batches ([] = every batch), source, defect, test_report_number,
/// handling_measures, found_on}`; a regulator's source defaults to `sampling_inspection`, an
/// enterprise's to `self_check` (it may also be `complaint`).
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
struct ListingInput(Value);

/// Filters of a listing list.
#[derive(Debug, Deserialize)]
struct ListingQuery {
    state: Option<String>,
}

const STATES: [NonconformingStatus; 4] = [
    NonconformingStatus::Open,
    NonconformingStatus::Handling,
    NonconformingStatus::Closed,
    NonconformingStatus::Revoked,
];

fn state_of(raw: Option<&str>) -> Result<Option<NonconformingStatus>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    STATES
        .iter()
        .copied()
        .find(|s| db::listing_state_code(*s) == raw)
        .map(Some)
        .ok_or_else(|| {
            ApiError::Validation(vec![Problem::error(
                "state",
                "param.invalid",
                "state 只能是：open, handling, closed, revoked",
                "state must be one of: open, handling, closed, revoked",
            )])
        })
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    params: &ListParams,
    filter: &ListingQuery,
) -> Result<Page<ListingView>, ApiError> {
    let filter = ListingFilter {
        state: state_of(filter.state.as_deref())?,
        keyword: params.keyword(),
    };
    let window = params.db_window(&LISTING_SORTS)?;
    let (rows, total) = db::list_listings(&state.db, viewer, &filter, &window).await?;
    let items = rows
        .into_iter()
        .map(|stored| ListingView {
            stored,
            holders: None,
        })
        .collect();
    Ok(Page::of(items, total, params))
}

async fn detail(
    state: &AppState,
    id: NonconformingId,
    viewer: &Viewer,
) -> Result<ListingView, ApiError> {
    let stored = db::get_listing(&state.db, id, viewer)
        .await?
        .ok_or(ApiError::NotFound)?;
    let only = match viewer {
        Viewer::Enterprise(me) => Some(*me),
        Viewer::Regulator { .. } => None,
    };
    let holders = db::listing_holders(&state.db, id, only).await?;
    Ok(ListingView {
        stored,
        holders: Some(holders),
    })
}

/// The listing a client sent, submitted now, with what the service assigns.
async fn listing_of(
    state: &AppState,
    body: RecordBody,
    reported_by: Option<EnterpriseId>,
    source: NonconformingSource,
) -> Result<(NonconformingRecord, Product), ApiError> {
    let mut defaults = blank(&["defect", "test_report_number", "handling_measures"]);
    defaults.extend([
        ("batches", json!([])),
        ("source", json!(source)),
        ("found_on", json!(today())),
    ]);
    let (mut listing, _): (NonconformingRecord, _) = body.into_record(
        &defaults,
        &[
            ("id", json!(NonconformingId::random())),
            ("reported_by", json!(reported_by)),
            ("product_name", json!("")),
            ("handled_on", Value::Null),
            ("state", json!(NonconformingStatus::Open)),
            ("attachments", json!([])),
            ("status", json!(RecordStatus::Submitted { at: Utc::now() })),
        ],
    )?;
    listing.batches = listing
        .batches
        .iter()
        .map(|b| b.trim().to_owned())
        .collect();
    listing.batches.sort();
    listing.batches.dedup();
    let mut problems = validate_nonconforming(&listing, today());
    if reported_by.is_some()
        && !matches!(
            listing.source,
            NonconformingSource::SelfCheck | NonconformingSource::Complaint
        )
    {
        problems.push(Problem::error(
            "source",
            "nonconforming.source",
            "企业只能登记自查（self_check）或投诉举报（complaint）发现的不合格",
            "An enterprise records only its own checks (self_check) or complaints (complaint)",
        ));
    }
    let product = known_product(state, listing.product_id, &mut problems).await?;
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let product = product.ok_or(ApiError::NotFound)?;
    listing.product_name = product.generic_name.clone();
    Ok((listing, product))
}

/// A change of a listing's handling.
#[derive(Debug, Deserialize, ToSchema)]
struct HandleInput {
    /// `handling`, `closed` (its batches stay nonconforming) or `revoked` (withdrawn as a
    /// mistake: its batches sell again).
    #[schema(value_type = String)]
    state: NonconformingStatus,
    /// The day handling ended (处置日期); a close without one is dated today.
    handled_on: Option<NaiveDate>,
    /// The handling measures (处置措施), replacing those recorded.
    handling_measures: Option<String>,
}

/// Moves a listing `viewer` manages to the handling `input` asks for.
async fn handle(
    state: &AppState,
    viewer: &Viewer,
    author: Author,
    id: NonconformingId,
    input: HandleInput,
) -> Result<ListingView, ApiError> {
    let current = db::managed_listing(&state.db, id, viewer)
        .await?
        .ok_or(ApiError::NotFound)?
        .listing;
    check_listing_step(current.state, input.state).map_err(ApiError::Conflict)?;
    let mut next = current.clone();
    next.state = input.state;
    if let Some(m) = input.handling_measures {
        next.handling_measures = m;
    }
    next.handled_on = input.handled_on.or(next.handled_on);
    if next.state == NonconformingStatus::Closed && next.handled_on.is_none() {
        next.handled_on = Some(today());
    }
    let problems = validate_nonconforming(&next, today());
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    if !db::update_listing(&state.db, &current, &next, author, Utc::now()).await? {
        let step = check_listing_step(current.state, input.state).err();
        return Err(ApiError::Conflict(step.unwrap_or_else(|| {
            Problem::error(
                "state",
                "nonconforming.state",
                "该不合格信息刚被修改，请刷新后重试",
                "The listing just changed; reload it and try again",
            )
        })));
    }
    crate::warnings::after_blocking(&state.db, next.product_id).await;
    detail(state, id, viewer).await
}

// ---- Enterprise routes ----

/// Listings that concern the caller's enterprise: its own records and the listings that
/// reached it.
#[utoipa::path(get, path = "/api/v1/nonconforming", operation_id = "list_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery,
        ("sort" = Option<String>, Query, description = "`created_at` (default) or `updated_at`"),
        ("state" = Option<String>, Query, description = "`open`, `handling`, `closed` or `revoked`")),
    responses(
        (status = 200, description = "One page, newest first", body = Page<ListingAnswer>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or state"),
    ))]
async fn list_mine(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<ListingQuery>,
) -> Result<axum::Json<Page<ListingView>>, ApiError> {
    let viewer = Viewer::Enterprise(caller.enterprise()?);
    Ok(axum::Json(page(&state, &viewer, &params, &filter).await?))
}

/// Records a nonconforming finding (自查 or 投诉举报) about one of the caller's own products; it
/// marks the batches nonconforming for every holder.
#[utoipa::path(post, path = "/api/v1/nonconforming", operation_id = "record_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    request_body = ListingInput,
    responses(
        (status = 201, description = "The listing with the caller's holder row", body = ListingAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only or not an enterprise account"),
        (status = 422, description = "Invalid field, or not the caller's product"),
    ))]
async fn record(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, axum::Json<ListingView>), ApiError> {
    let actor = writer(&caller)?;
    let me = actor.enterprise_id;
    let (listing, product) =
        listing_of(&state, body, Some(me), NonconformingSource::SelfCheck).await?;
    if product.owner != me {
        return Err(out_of_reach(
            "nonconforming.not_own_product",
            "只能登记本企业产品的不合格信息",
            "An enterprise records nonconforming findings only about its own products",
        ));
    }
    let region = db::enterprise_region(&state.db, me)
        .await?
        .ok_or(ApiError::Forbidden)?;
    let author = Author {
        account: actor.account_id,
        enterprise: Some(me),
    };
    db::create_listing(&state.db, &listing, &region, author, Utc::now()).await?;
    crate::warnings::after_blocking(&state.db, listing.product_id).await;
    let view = detail(&state, listing.id, &Viewer::Enterprise(me)).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// One listing that concerns the caller's enterprise, with its own holder row.
#[utoipa::path(get, path = "/api/v1/nonconforming/{id}", operation_id = "read_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Listing id")),
    responses(
        (status = 200, description = "The listing", body = ListingAnswer),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such listing concerning the caller"),
    ))]
async fn read_mine(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<ListingView>, ApiError> {
    let viewer = Viewer::Enterprise(caller.enterprise()?);
    Ok(axum::Json(
        detail(&state, NonconformingId(id), &viewer).await?,
    ))
}

/// Changes the handling of a finding the caller's enterprise recorded.
#[utoipa::path(post, path = "/api/v1/nonconforming/{id}/state", operation_id = "handle_own_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Listing id")),
    request_body = HandleInput,
    responses(
        (status = 200, description = "The listing", body = ListingAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such listing recorded by the caller"),
        (status = 409, description = "The listing cannot move to that state"),
        (status = 422, description = "Invalid date or body"),
    ))]
async fn handle_mine(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Json(input): Json<HandleInput>,
) -> Result<axum::Json<ListingView>, ApiError> {
    let actor = writer(&caller)?;
    let author = Author {
        account: actor.account_id,
        enterprise: Some(actor.enterprise_id),
    };
    let viewer = Viewer::Enterprise(actor.enterprise_id);
    Ok(axum::Json(
        handle(&state, &viewer, author, NonconformingId(id), input).await?,
    ))
}

// ---- Regulator routes ----

/// Listings of the regulator's region.
#[utoipa::path(get, path = "/api/v1/regulator/nonconforming", operation_id = "regulator_list_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery,
        ("sort" = Option<String>, Query, description = "`created_at` (default) or `updated_at`"),
        ("state" = Option<String>, Query, description = "`open`, `handling`, `closed` or `revoked`")),
    responses(
        (status = 200, description = "One page, newest first", body = Page<ListingAnswer>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Unknown sort column or state"),
    ))]
async fn regulator_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<ListingQuery>,
) -> Result<axum::Json<Page<ListingView>>, ApiError> {
    let (viewer, _) = regulator_viewer(&caller)?;
    Ok(axum::Json(page(&state, &viewer, &params, &filter).await?))
}

/// Records a sampling result (监督抽检) about a product of the region: the batches are marked
/// nonconforming everywhere, every holder is reached, and their sales of them are refused.
#[utoipa::path(post, path = "/api/v1/regulator/nonconforming", operation_id = "regulator_record_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    request_body = ListingInput,
    responses(
        (status = 201, description = "The listing with every holder reached", body = ListingAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Invalid field, or a product outside the region"),
    ))]
async fn regulator_record(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, axum::Json<ListingView>), ApiError> {
    let (viewer, region) = regulator_viewer(&caller)?;
    let (listing, _) =
        listing_of(&state, body, None, NonconformingSource::SamplingInspection).await?;
    let Viewer::Regulator { prefix } = &viewer else {
        return Err(ApiError::Forbidden);
    };
    if !db::product_in_region(&state.db, listing.product_id, prefix).await? {
        return Err(out_of_reach(
            "nonconforming.product_out_of_region",
            "该产品不属于本辖区企业，也未在本辖区流通",
            "The product is neither owned nor traded by an enterprise of your region",
        ));
    }
    let author = Author {
        account: caller.account.id,
        enterprise: None,
    };
    db::create_listing(&state.db, &listing, &region, author, Utc::now()).await?;
    crate::warnings::after_blocking(&state.db, listing.product_id).await;
    let view = detail(&state, listing.id, &viewer).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// One listing of the regulator's region with every holder it reached.
#[utoipa::path(get, path = "/api/v1/regulator/nonconforming/{id}", operation_id = "regulator_read_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Listing id")),
    responses(
        (status = 200, description = "The listing and its holders", body = ListingAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such listing in the region"),
    ))]
async fn regulator_read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<ListingView>, ApiError> {
    let (viewer, _) = regulator_viewer(&caller)?;
    Ok(axum::Json(
        detail(&state, NonconformingId(id), &viewer).await?,
    ))
}

/// Changes the handling of a listing of the region: `revoked` frees its batches.
#[utoipa::path(post, path = "/api/v1/regulator/nonconforming/{id}/state", operation_id = "regulator_handle_nonconforming", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Listing id")),
    request_body = HandleInput,
    responses(
        (status = 200, description = "The listing and its holders", body = ListingAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such listing in the region"),
        (status = 409, description = "The listing cannot move to that state"),
        (status = 422, description = "Invalid date or body"),
    ))]
async fn regulator_handle(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Json(input): Json<HandleInput>,
) -> Result<axum::Json<ListingView>, ApiError> {
    let (viewer, _) = regulator_viewer(&caller)?;
    let author = Author {
        account: caller.account.id,
        enterprise: None,
    };
    Ok(axum::Json(
        handle(&state, &viewer, author, NonconformingId(id), input).await?,
    ))
}

/// This module's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        list_mine,
        record,
        read_mine,
        handle_mine,
        regulator_list,
        regulator_record,
        regulator_read,
        regulator_handle
    ),
    components(schemas(ListingAnswer, ListingInput, HandleInput))
)]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/nonconforming", get(list_mine).post(record))
        .route("/api/v1/nonconforming/{id}", get(read_mine))
        .route("/api/v1/nonconforming/{id}/state", post(handle_mine))
        .route(
            "/api/v1/regulator/nonconforming",
            get(regulator_list).post(regulator_record),
        )
        .route("/api/v1/regulator/nonconforming/{id}", get(regulator_read))
        .route(
            "/api/v1/regulator/nonconforming/{id}/state",
            post(regulator_handle),
        )
}
