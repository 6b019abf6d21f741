//! The reconciliation inbox (勾兑): items addressed to the caller's enterprise, confirmed
//! (with differences when the goods received differ) or disputed. Only the addressee sees or
//! acts on an item; anyone else gets 404.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::idempotency::{key_of, replay};
use super::json::Json;
use super::list::{ListParams, Page};
use super::path_id::PathId;
use super::schemas::{self, ListQuery};
use super::transactions::{LineInput, lines_of, parse_body};
use crate::db::{self, ConfirmInput, SubmitOptions, Written};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use suyuan_core::Problem;
use suyuan_core::model::{ReconciliationItem, ReconciliationItemId, ReconciliationKind};
use utoipa::OpenApi;

/// Filters of the inbox.
#[derive(Debug, Deserialize)]
struct InboxQuery {
    state: Option<String>,
    kind: Option<ReconciliationKind>,
}

const STATES: [&str; 4] = ["pending", "confirmed", "disputed", "superseded"];

/// The caller's reconciliation inbox: counterparties' documents naming it.
#[utoipa::path(get, path = "/api/v1/reconciliation/inbox", operation_id = "list_inbox", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("state" = Option<String>, Query, description = "`pending`, `confirmed`, `disputed` or `superseded`"),
        ("kind" = Option<String>, Query, description = "Item kind"),
    ),
    responses(
        (status = 200, description = "One page, newest first", body = Page<schemas::ReconciliationItem>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown state or kind"),
    ))]
async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<InboxQuery>,
) -> Result<axum::Json<Page<ReconciliationItem>>, ApiError> {
    let me = caller.enterprise()?;
    if let Some(s) = filter.state.as_deref()
        && !STATES.contains(&s)
    {
        return Err(ApiError::Validation(vec![Problem::error(
            "state",
            "param.invalid",
            format!("参数 state 只能是：{}", STATES.join(", ")),
            format!("Parameter state must be one of: {}", STATES.join(", ")),
        )]));
    }
    let window = params.window();
    let (items, total) =
        db::list_inbox(&state.db, me, filter.state.as_deref(), filter.kind, window).await?;
    Ok(axum::Json(Page::of(items, total, &params)))
}

/// One item of the caller's inbox.
#[utoipa::path(get, path = "/api/v1/reconciliation/inbox/{id}", operation_id = "read_inbox_item", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item", body = schemas::ReconciliationItem),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such item in the caller's inbox"),
    ))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<ReconciliationItem>, ApiError> {
    let me = caller.enterprise()?;
    db::get_item(&state.db, me, ReconciliationItemId(id))
        .await?
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// A confirmation: the own document's header, and the lines received when they differ.
#[derive(Debug, Default, Deserialize)]
struct ConfirmBody {
    number: Option<String>,
    date: Option<NaiveDate>,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    phone: String,
    lines: Option<Vec<LineInput>>,
    reason: Option<String>,
    opening_override: Option<String>,
    #[serde(default)]
    acknowledge: Vec<String>,
}

/// Confirms an item: submits the caller's mirror document (e.g. the purchase inbound of a
/// supplier's sales outbound), with the received lines when they differ.
#[utoipa::path(post, path = "/api/v1/reconciliation/inbox/{id}/confirm", operation_id = "confirm_inbox_item", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Item id"), ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first answer and writes nothing")),
    request_body = schemas::ConfirmInput,
    responses(
        (status = 200, description = "The confirmed item and the own document", body = schemas::ConfirmedItem),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such item in the caller's inbox"),
        (status = 409, description = "Item already confirmed, disputed or superseded"),
        (status = 422, description = "Invalid document or missing reason for changed lines"),
    ))]
async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let me = caller.writer()?;
    let key = key_of(&headers, me, &method, uri.path(), &body)?;
    let body: ConfirmBody = parse_body(&body)?;
    let input = ConfirmInput {
        document_id: None,
        number: body.number,
        date: body.date,
        contact: body.contact,
        phone: body.phone,
        lines: body.lines.map(lines_of),
        reason: body.reason,
        options: SubmitOptions {
            opening_override: body.opening_override,
            acknowledge: body.acknowledge,
        },
    };
    let written = db::confirm_item(
        &state.db,
        me,
        ReconciliationItemId(id),
        input,
        caller.account.id,
        key.as_ref(),
        Utc::now(),
    )
    .await?;
    match (written, key) {
        (Written::Done(done), _) => {
            let scope = crate::warnings::touched_by_item(&done.item, Some(&done.document.document));
            crate::warnings::after_change(&state.db, &scope).await;
            Ok(axum::Json(done).into_response())
        }
        (Written::Replayed(first), Some(key)) => replay(&key, first),
        (Written::Replayed(_), None) => Err(ApiError::Internal("replay without a key".into())),
    }
}

#[derive(Debug, Deserialize)]
struct DisputeBody {
    #[serde(default)]
    reason: String,
}

/// Disputes an item with a reason; the sender must correct its document.
#[utoipa::path(post, path = "/api/v1/reconciliation/inbox/{id}/dispute", operation_id = "dispute_inbox_item", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Item id")),
    request_body = schemas::DisputeInput,
    responses(
        (status = 200, description = "The disputed item", body = schemas::ReconciliationItem),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such item in the caller's inbox"),
        (status = 409, description = "Item already confirmed, disputed or superseded"),
        (status = 422, description = "Missing reason"),
    ))]
async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Json(body): Json<DisputeBody>,
) -> Result<axum::Json<ReconciliationItem>, ApiError> {
    let me = caller.writer()?;
    let written = db::dispute_item(
        &state.db,
        me,
        ReconciliationItemId(id),
        &body.reason,
        caller.account.id,
        None,
        Utc::now(),
    )
    .await?;
    match written {
        Written::Done(item) => {
            crate::warnings::after_change(
                &state.db,
                &crate::warnings::touched_by_item(&item, None),
            )
            .await;
            Ok(axum::Json(item))
        }
        Written::Replayed(_) => Err(ApiError::Internal("replay without a key".into())),
    }
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(inbox, read, confirm, dispute))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reconciliation/inbox", get(inbox))
        .route("/api/v1/reconciliation/inbox/{id}", get(read))
        .route("/api/v1/reconciliation/inbox/{id}/confirm", post(confirm))
        .route("/api/v1/reconciliation/inbox/{id}/dispute", post(dispute))
}
