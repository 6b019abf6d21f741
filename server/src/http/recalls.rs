//! Recalls (产品召回), for enterprises under `/api/v1/recalls` and for regulators under
//! `/api/v1/regulator/recalls`.
//!
//! A regulator orders a recall (责令召回) of a product of its region — one owned by an
//! enterprise of the region, or that an enterprise of the region has traded — and sees the
//! recalls of its region (a province `620000` sees those of `6201xx`); another region's answer
//! 404. An enterprise starts a recall of its own product (主动召回). Either way the service
//! computes the holders from the line index at once; an active recall reaches them through
//! their change feed (the phone's next pull). An enterprise sees the recalls it started and the
//! announced ones that reached it; a holder acknowledges and reports its totals returned and
//! destroyed, never more than it held. Its initiator (enterprise or regulator) sees every
//! holder and the progress; a mere holder sees only its own row.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, writer};
use super::json::Json;
use super::list::{ListParams, Page};
use super::path_id::PathId;
use super::query::Query;
use super::recall_common::{
    HolderRow, RecallAnswer, RecallInput, RecallQuery, RecallView, detail, enterprise_viewer,
    out_of_reach, page, recall_of, regulator_viewer, step,
};
use super::schemas::ListQuery;
use crate::db::{self, Author, HolderAction, RecallHolder, RecallStep, Viewer, Written};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use suyuan_core::Problem;
use suyuan_core::model::{RecallId, RecallInitiator};
use utoipa::{OpenApi, ToSchema};

/// A holder's totals so far.
#[derive(Debug, Deserialize, ToSchema)]
struct ReportInput {
    /// Returned up the chain so far.
    quantity_returned: Option<i64>,
    /// Destroyed on site so far.
    quantity_destroyed: Option<i64>,
}

// ---- Enterprise routes ----

/// Recalls that concern the caller's enterprise: those it started and the announced ones that
/// reached it.
#[utoipa::path(get, path = "/api/v1/recalls", operation_id = "list_recalls", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery,
        ("sort" = Option<String>, Query, description = "`created_at` (default) or `updated_at`"),
        ("status" = Option<String>, Query, description = "`planned`, `active` or `completed`")),
    responses(
        (status = 200, description = "One page, newest first", body = Page<RecallAnswer>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or status"),
    ))]
async fn list_mine(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<RecallQuery>,
) -> Result<axum::Json<Page<RecallView>>, ApiError> {
    let (viewer, me) = enterprise_viewer(&caller)?;
    let page = page(&state, &viewer, Some(me), &params, filter.status.as_deref()).await?;
    Ok(axum::Json(page))
}

/// Starts a recall of one of the caller's own products (主动召回).
#[utoipa::path(post, path = "/api/v1/recalls", operation_id = "start_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    request_body = RecallInput,
    responses(
        (status = 201, description = "The recall with every holder reached", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only or not an enterprise account"),
        (status = 422, description = "Invalid field, or not the caller's product"),
    ))]
async fn start(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, axum::Json<RecallView>), ApiError> {
    let actor = writer(&caller)?;
    let me = actor.enterprise_id;
    let (recall, product) = recall_of(
        &state,
        body,
        RecallInitiator::Enterprise { enterprise_id: me },
    )
    .await?;
    if product.owner != me {
        return Err(out_of_reach(
            "recall.not_own_product",
            "只能召回本企业的产品",
            "An enterprise recalls only its own products",
        ));
    }
    let region = db::enterprise_region(&state.db, me)
        .await?
        .ok_or(ApiError::Forbidden)?;
    let author = Author {
        account: actor.account_id,
        enterprise: Some(me),
    };
    db::create_recall(&state.db, &recall, &region, author, Utc::now()).await?;
    crate::warnings::after_blocking(&state.db, recall.product_id).await;
    let view = detail(&state, recall.id, &Viewer::Enterprise(me), Some(me)).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// One recall that concerns the caller's enterprise.
#[utoipa::path(get, path = "/api/v1/recalls/{id}", operation_id = "read_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The recall; its initiator also gets every holder and the progress", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such recall concerning the caller"),
    ))]
async fn read_mine(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallView>, ApiError> {
    let (viewer, me) = enterprise_viewer(&caller)?;
    Ok(axum::Json(
        detail(&state, RecallId(id), &viewer, Some(me)).await?,
    ))
}

/// Acknowledges a recall that reached the caller's enterprise.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/acknowledge", operation_id = "acknowledge_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The caller's holder row", body = HolderRow),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such recall reached the caller"),
        (status = 409, description = "The recall is not active"),
    ))]
async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallHolder>, ApiError> {
    let actor = writer(&caller)?;
    let row = db::holder_acts(
        &state.db,
        RecallId(id),
        actor.enterprise_id,
        HolderAction::Acknowledge,
        actor.account_id,
        None,
        Utc::now(),
    )
    .await?;
    done(row)
}

/// Reports the caller's totals returned and destroyed so far (acknowledging the recall too);
/// together they may not exceed what it held when reached.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/report", operation_id = "report_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    request_body = ReportInput,
    responses(
        (status = 200, description = "The caller's holder row", body = HolderRow),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such recall reached the caller"),
        (status = 409, description = "The recall is not active"),
        (status = 422, description = "A quantity missing, negative, or more than held"),
    ))]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Json(input): Json<ReportInput>,
) -> Result<axum::Json<RecallHolder>, ApiError> {
    let actor = writer(&caller)?;
    let mut problems = Vec::new();
    for (field, zh, value) in [
        ("quantity_returned", "退回数量", input.quantity_returned),
        ("quantity_destroyed", "销毁数量", input.quantity_destroyed),
    ] {
        if value.is_none() {
            problems.push(Problem::error(
                field,
                "required",
                format!("{zh}为必填项"),
                format!("{field} is required"),
            ));
        }
    }
    let (Some(returned), Some(destroyed)) = (input.quantity_returned, input.quantity_destroyed)
    else {
        return Err(ApiError::Validation(problems));
    };
    let row = db::holder_acts(
        &state.db,
        RecallId(id),
        actor.enterprise_id,
        HolderAction::Report {
            returned,
            destroyed,
        },
        actor.account_id,
        None,
        Utc::now(),
    )
    .await?;
    done(row)
}

/// Announces a planned recall the caller's enterprise started: its holders are computed again
/// and reached.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/activate", operation_id = "activate_own_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The active recall", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such recall started by the caller"),
        (status = 409, description = "Not planned"),
    ))]
async fn activate_mine(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallView>, ApiError> {
    step(&state, &caller, RecallId(id), RecallStep::Activate, false).await
}

/// Closes an active recall the caller's enterprise started, as of today.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/close", operation_id = "close_own_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The completed recall", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such recall started by the caller"),
        (status = 409, description = "Not active"),
        (status = 422, description = "Today is before its start date"),
    ))]
async fn close_mine(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallView>, ApiError> {
    step(&state, &caller, RecallId(id), RecallStep::Close, false).await
}

// ---- Regulator routes ----

/// Recalls of the regulator's region.
#[utoipa::path(get, path = "/api/v1/regulator/recalls", operation_id = "regulator_list_recalls", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery,
        ("sort" = Option<String>, Query, description = "`created_at` (default) or `updated_at`"),
        ("status" = Option<String>, Query, description = "`planned`, `active` or `completed`")),
    responses(
        (status = 200, description = "One page with each recall's progress, newest first", body = Page<RecallAnswer>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Unknown sort column or status"),
    ))]
async fn regulator_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<RecallQuery>,
) -> Result<axum::Json<Page<RecallView>>, ApiError> {
    let (viewer, _) = regulator_viewer(&caller)?;
    let page = page(&state, &viewer, None, &params, filter.status.as_deref()).await?;
    Ok(axum::Json(page))
}

/// Orders a recall (责令召回) of a product of the regulator's region: owned by, or traded by,
/// an enterprise of the region. Every holder of the batches is computed at once; an active
/// recall reaches them (their feed), a planned one waits for `activate`.
#[utoipa::path(post, path = "/api/v1/regulator/recalls", operation_id = "regulator_create_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    request_body = RecallInput,
    responses(
        (status = 201, description = "The recall with every holder and the progress", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Invalid field, or a product outside the region"),
    ))]
async fn regulator_create(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, axum::Json<RecallView>), ApiError> {
    let (viewer, region) = regulator_viewer(&caller)?;
    let (recall, _) = recall_of(
        &state,
        body,
        RecallInitiator::Regulator {
            region_code: region.clone(),
        },
    )
    .await?;
    let Viewer::Regulator { prefix } = &viewer else {
        return Err(ApiError::Forbidden);
    };
    if !db::product_in_region(&state.db, recall.product_id, prefix).await? {
        return Err(out_of_reach(
            "recall.product_out_of_region",
            "该产品不属于本辖区企业，也未在本辖区流通",
            "The product is neither owned nor traded by an enterprise of your region",
        ));
    }
    let author = Author {
        account: caller.account.id,
        enterprise: None,
    };
    db::create_recall(&state.db, &recall, &region, author, Utc::now()).await?;
    crate::warnings::after_blocking(&state.db, recall.product_id).await;
    let view = detail(&state, recall.id, &viewer, None).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// One recall of the regulator's region with every holder and the progress.
#[utoipa::path(get, path = "/api/v1/regulator/recalls/{id}", operation_id = "regulator_read_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The recall, its holders and progress", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such recall in the region"),
    ))]
async fn regulator_read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallView>, ApiError> {
    let (viewer, _) = regulator_viewer(&caller)?;
    Ok(axum::Json(
        detail(&state, RecallId(id), &viewer, None).await?,
    ))
}

/// Announces a planned recall of the region: its holders are computed again and reached.
#[utoipa::path(post, path = "/api/v1/regulator/recalls/{id}/activate", operation_id = "regulator_activate_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The active recall", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such recall in the region"),
        (status = 409, description = "Not planned"),
    ))]
async fn regulator_activate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallView>, ApiError> {
    step(&state, &caller, RecallId(id), RecallStep::Activate, true).await
}

/// Closes an active recall of the region as of today; its batches stay recalled.
#[utoipa::path(post, path = "/api/v1/regulator/recalls/{id}/close", operation_id = "regulator_close_recall", tag = "recalls",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Recall id")),
    responses(
        (status = 200, description = "The completed recall", body = RecallAnswer),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such recall in the region"),
        (status = 409, description = "Not active"),
        (status = 422, description = "Today is before its start date"),
    ))]
async fn regulator_close(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<RecallView>, ApiError> {
    step(&state, &caller, RecallId(id), RecallStep::Close, true).await
}

/// The answer of a holder's act made without a key, which is never a replay.
fn done(row: Written<RecallHolder>) -> Result<axum::Json<RecallHolder>, ApiError> {
    match row {
        Written::Done(row) => Ok(axum::Json(row)),
        Written::Replayed(_) => Err(ApiError::Internal("replay without a key".into())),
    }
}

/// This module's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        list_mine,
        start,
        read_mine,
        acknowledge,
        report,
        activate_mine,
        close_mine,
        regulator_list,
        regulator_create,
        regulator_read,
        regulator_activate,
        regulator_close
    ),
    components(schemas(RecallAnswer, RecallInput, HolderRow, ReportInput))
)]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/recalls", get(list_mine).post(start))
        .route("/api/v1/recalls/{id}", get(read_mine))
        .route("/api/v1/recalls/{id}/acknowledge", post(acknowledge))
        .route("/api/v1/recalls/{id}/report", post(report))
        .route("/api/v1/recalls/{id}/activate", post(activate_mine))
        .route("/api/v1/recalls/{id}/close", post(close_mine))
        .route(
            "/api/v1/regulator/recalls",
            get(regulator_list).post(regulator_create),
        )
        .route("/api/v1/regulator/recalls/{id}", get(regulator_read))
        .route(
            "/api/v1/regulator/recalls/{id}/activate",
            post(regulator_activate),
        )
        .route(
            "/api/v1/regulator/recalls/{id}/close",
            post(regulator_close),
        )
}
