//! The phone's sync: `POST /api/v1/sync/push` applies changes made offline, each at most once
//! by its `change_id`, and `GET /api/v1/sync/pull?cursor=N&limit=M` reads the enterprise's
//! change feed after its cursor with each record as it stands now.
//!
//! Changes apply one by one, in order, each all-or-nothing; a refused change is answered with
//! its problems and may be pushed again once fixed (only applied changes are remembered).
//! Consecutive document changes share one database transaction, a savepoint each
//! (`sync_documents.rs`).

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::writer;
use super::json::Json;
use super::query::Query;
use super::records::{id_taken, problems_of, product_of};
use super::schemas;
use super::sync_documents::{apply_run, is_document};
use super::transactions::{LineInput, lines_of};
use crate::db::warnings::Narrow;
use crate::db::{
    self, Actor, ConfirmInput, DocError, HolderAction, IdempotencyKey, RecordTable, Role,
    StoredAnswer, SubmitOptions, Written, sha256_hex,
};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::Utc;
use suyuan_core::Problem;
use suyuan_core::model::{RecallId, ReconciliationItemId, TransactionId};
use suyuan_core::sync::wire::{
    ChangeResult, ClientChange, MAX_PULL_LIMIT, MAX_PUSH_CHANGES, Operation, Outcome, PullRequest,
    PullResponse, PushRequest, PushResponse, ServerChange,
};
use uuid::Uuid;

/// A refused change's outcome.
/// A refused write's problems (validation, duplicates, state) as the change's outcome.
pub(super) fn refused(e: ApiError) -> Result<Outcome, ApiError> {
    Ok(rejected(problems_of(e)?))
}

/// The outcome of saving a record under a client-chosen id that is already taken: applied
/// (it is the caller's, so this is a replay) or refused (another enterprise's); `None` when
/// the id is free and the save goes on.
pub(super) async fn saved_before(
    state: &AppState,
    table: RecordTable,
    actor: &Actor,
    id: Uuid,
) -> Result<Option<Outcome>, ApiError> {
    let me = actor.enterprise_id.to_string();
    Ok(
        match db::record_owner(&state.db, table, &id.to_string()).await? {
            Some(owner) if owner == me => Some(Outcome::Ok { id }),
            Some(_) => Some(rejected(vec![id_taken("id")])),
            None => None,
        },
    )
}

pub(super) fn rejected(problems: Vec<Problem>) -> Outcome {
    Outcome::Rejected { problems }
}

fn key_reused() -> Problem {
    Problem::error(
        "change_id",
        "idempotency.key_reused",
        "该 change_id 已用于另一项更改",
        "This change_id was used for a different change",
    )
}

/// The outcome a change got the first time, from its stored answer.
pub(super) fn first_outcome(
    key: &IdempotencyKey,
    first: &StoredAnswer,
) -> Result<Outcome, ApiError> {
    if first.request_hash != key.request_hash {
        return Ok(rejected(vec![key_reused()]));
    }
    let body: serde_json::Value = serde_json::from_str(&first.response)
        .map_err(|e| ApiError::Internal(format!("stored answer: {e}")))?;
    let id = body
        .get("id")
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ApiError::Internal("stored answer without id".into()))?;
    Ok(Outcome::Ok { id })
}

/// The outcome of a document write: its id when done, its first outcome when replayed, its
/// problems when refused.
pub(super) fn doc_outcome<T>(
    key: &IdempotencyKey,
    written: Result<Written<T>, DocError>,
    id: Uuid,
) -> Result<Outcome, ApiError> {
    match written {
        Ok(Written::Done(_)) => Ok(Outcome::Ok { id }),
        Ok(Written::Replayed(first)) => first_outcome(key, &first),
        Err(DocError::NotFound) => Ok(rejected(vec![no_such_document()])),
        Err(e) => Ok(rejected(problems_of(e.into())?)),
    }
}

/// The outcome of a change about a record the server owns (an inbox item, a recall): its
/// first outcome when replayed, the record's id when done, its problems when refused.
fn act_outcome<T>(
    key: &IdempotencyKey,
    written: Result<Written<T>, DocError>,
    id: Uuid,
    missing: fn() -> Problem,
) -> Result<Outcome, ApiError> {
    match written {
        Ok(Written::Done(_)) => Ok(Outcome::Ok { id }),
        Ok(Written::Replayed(first)) => Ok(replayed(key, &first, id)),
        Err(DocError::NotFound) => Ok(rejected(vec![missing()])),
        Err(e) => Ok(rejected(problems_of(e.into())?)),
    }
}

/// The first outcome of a change about `id` whose answer was stored.
pub(super) fn replayed(key: &IdempotencyKey, first: &StoredAnswer, id: Uuid) -> Outcome {
    if first.request_hash == key.request_hash {
        Outcome::Ok { id }
    } else {
        rejected(vec![key_reused()])
    }
}

fn bad_lines() -> Problem {
    Problem::error(
        "lines",
        "body.json",
        "明细格式不正确",
        "lines must be document lines",
    )
}

fn no_such_item() -> Problem {
    Problem::error(
        "item_id",
        "not_found",
        "收件箱中没有该勾兑事项",
        "No such item in your reconciliation inbox",
    )
}

fn no_such_recall() -> Problem {
    Problem::error(
        "recall_id",
        "not_found",
        "没有送达本企业的该召回",
        "No such recall reached your enterprise",
    )
}

/// The refusal of a change about a document the enterprise does not have.
fn no_such_document() -> Problem {
    Problem::error("id", "not_found", "没有该单据", "No such document")
}

/// The key a change is applied at most once by: its id, and a hash of what it does.
fn key_of(actor: &Actor, change: &ClientChange) -> Result<IdempotencyKey, ApiError> {
    let operation = serde_json::to_vec(&change.operation)
        .map_err(|e| ApiError::Internal(format!("change: {e}")))?;
    Ok(IdempotencyKey {
        scope: actor.enterprise_id.to_string(),
        key: format!("change:{}", change.change_id),
        request_hash: sha256_hex(&operation),
    })
}

/// Applies one change that is not about a document (those go through
/// [`super::sync_documents::apply_run`]), or says why not. The enterprises whose warnings an
/// applied change may change are added to `touched`.
async fn apply(
    state: &AppState,
    actor: &Actor,
    change: ClientChange,
    key: IdempotencyKey,
    touched: &mut Narrow,
) -> Result<Outcome, ApiError> {
    let me = actor.enterprise_id.to_string();
    let now = Utc::now();
    match change.operation {
        Operation::SaveTransaction { .. }
        | Operation::UpdateTransaction { .. }
        | Operation::DeleteTransaction { .. }
        | Operation::SubmitTransaction { .. } => Err(ApiError::Internal(
            "a document change is applied with the push's other document changes".into(),
        )),
        Operation::SaveProduct { id, product } => {
            // A product is applied at most once by its own id: the client chose it.
            if let Some(first) = saved_before(state, RecordTable::Products, actor, id).await? {
                return Ok(first);
            }
            let product = match product_of(state, actor, id, product).await {
                Ok(p) => p,
                Err(e) => return Ok(rejected(problems_of(e)?)),
            };
            // Checked again under the lock, for a delivery that overtook this one.
            match db::insert_product_unless_taken(&state.db, &product, actor, now).await? {
                None => Ok(Outcome::Ok { id }),
                Some(owner) if owner == me => Ok(Outcome::Ok { id }),
                Some(_) => Ok(rejected(vec![id_taken("id")])),
            }
        }
        Operation::UpdateProduct { id, product } => {
            super::sync_catalog::update_product(state, actor, &key, id, product).await
        }
        Operation::SaveBarcode { id, barcode } => {
            super::sync_barcodes::save(state, actor, id, barcode).await
        }
        Operation::UpdateBarcode { id, barcode } => {
            super::sync_barcodes::update(state, actor, &key, id, barcode).await
        }
        Operation::DeleteBarcode { id } => super::sync_barcodes::delete(state, actor, id).await,
        Operation::SavePartner { id, partner } => {
            super::sync_catalog::save(state, actor, id, partner).await
        }
        Operation::UpdatePartner { id, partner } => {
            super::sync_catalog::update(state, actor, &key, id, partner).await
        }
        Operation::DeletePartner { id } => super::sync_catalog::delete(state, actor, id).await,
        Operation::ConfirmReconciliation {
            item_id,
            document_id,
            number,
            date,
            contact,
            phone,
            lines,
            reason,
            opening_override,
            acknowledge,
        } => {
            let mut conn = state.db.pool.acquire().await.map_err(db::DbError::from)?;
            if let Some(first) = db::idempotent_answer(&mut conn, &key).await? {
                // Checked before the id below, which the first application took.
                return Ok(replayed(&key, &first, item_id));
            }
            drop(conn);
            if db::record_owner(
                &state.db,
                RecordTable::Transactions,
                &document_id.to_string(),
            )
            .await?
            .is_some()
            {
                return Ok(rejected(vec![id_taken("document_id")]));
            }
            let lines = match lines.map(|l| serde_json::from_value::<Vec<LineInput>>(l.into())) {
                None => None,
                Some(Ok(l)) => Some(lines_of(l)),
                Some(Err(_)) => return Ok(rejected(vec![bad_lines()])),
            };
            let input = ConfirmInput {
                document_id: Some(TransactionId(document_id)),
                number,
                date,
                contact,
                phone,
                lines,
                reason,
                options: SubmitOptions {
                    opening_override,
                    acknowledge,
                },
            };
            let written = db::confirm_item(
                &state.db,
                actor.enterprise_id,
                ReconciliationItemId(item_id),
                input,
                actor.account_id,
                Some(&key),
                now,
            )
            .await;
            if let Ok(Written::Done(done)) = &written {
                touched.extend(crate::warnings::touched_by_item(
                    &done.item,
                    Some(&done.document.document),
                ));
            }
            act_outcome(&key, written, item_id, no_such_item)
        }
        Operation::DisputeReconciliation { item_id, reason } => {
            let written = db::dispute_item(
                &state.db,
                actor.enterprise_id,
                ReconciliationItemId(item_id),
                &reason,
                actor.account_id,
                Some(&key),
                now,
            )
            .await;
            if let Ok(Written::Done(item)) = &written {
                touched.extend(crate::warnings::touched_by_item(item, None));
            }
            act_outcome(&key, written, item_id, no_such_item)
        }
        Operation::AcknowledgeRecall { recall_id } => {
            let written = db::holder_acts(
                &state.db,
                RecallId(recall_id),
                actor.enterprise_id,
                HolderAction::Acknowledge,
                actor.account_id,
                Some(&key),
                now,
            )
            .await;
            act_outcome(&key, written, recall_id, no_such_recall)
        }
        Operation::ReportRecall {
            recall_id,
            quantity_returned,
            quantity_destroyed,
        } => {
            let written = db::holder_acts(
                &state.db,
                RecallId(recall_id),
                actor.enterprise_id,
                HolderAction::Report {
                    returned: quantity_returned,
                    destroyed: quantity_destroyed,
                },
                actor.account_id,
                Some(&key),
                now,
            )
            .await;
            act_outcome(&key, written, recall_id, no_such_recall)
        }
        Operation::RecordInspection { .. } => {
            Ok(rejected(vec![super::sync_inspections::regulator_only()]))
        }
        Operation::UploadUnits { upload } => {
            // Idempotent by itself: the same scans under the same number answer the first
            // audit, whichever delivery gets there first.
            let problems = upload.problems();
            if !problems.is_empty() {
                return Ok(rejected(problems));
            }
            let me = db::get_enterprise(&state.db, actor.enterprise_id)
                .await?
                .ok_or(ApiError::Forbidden)?;
            let who = db::Uploader {
                enterprise: actor.enterprise_id,
                account: actor.account_id,
                uscc: &me.uscc,
                region_code: &me.region_code,
            };
            let file = upload.to_file(&me.uscc);
            let uploaded = db::upload_units(&state.db, Some(upload.id), &who, &file, now).await;
            match uploaded {
                Ok(db::Uploaded::Audited(r) | db::Uploaded::Again(r)) => {
                    Ok(Outcome::Ok { id: r.id })
                }
                Err(DocError::NotFound) => Ok(rejected(vec![no_such_document()])),
                Err(e) => Ok(rejected(problems_of(e.into())?)),
            }
        }
    }
}

#[utoipa::path(post, path = "/api/v1/sync/push", operation_id = "sync_push", tag = "sync",
    summary = "Apply a phone's changes, each idempotent by its change id",
    security(("bearer" = []), ("session" = [])),
    request_body = schemas::PushRequest,
    responses(
        (status = 200, description = "One result per change", body = schemas::PushResponse),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account or platform admin"),
        (status = 422, description = "Malformed push"),
    ))]
async fn push(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<PushRequest>,
) -> Result<axum::Json<PushResponse>, ApiError> {
    // A regulator's phone pushes the inspections it recorded, and nothing else.
    let regulator = caller.account.role == Role::Regulator;
    let actor = if regulator {
        None
    } else {
        Some(writer(&caller)?)
    };
    let n = request.changes.len();
    if n > MAX_PUSH_CHANGES {
        return Err(ApiError::TooLarge(Problem::error(
            "changes",
            "sync.too_many_changes",
            format!("一次最多推送 {MAX_PUSH_CHANGES} 项更改，本次 {n} 项"),
            format!("A push carries at most {MAX_PUSH_CHANGES} changes, this one has {n}"),
        )));
    }
    let Some(actor) = actor else {
        let results =
            super::sync_inspections::push_as_regulator(&state, &caller, request.changes).await?;
        return Ok(axum::Json(PushResponse { results }));
    };
    let mut results = Vec::with_capacity(n);
    let mut touched = Narrow::default();
    let applied = apply_all(&state, &actor, request.changes, &mut touched, &mut results).await;
    // Once for the whole push, over everything its changes touched; after a failure, over
    // what was applied before it, which stays applied.
    if !touched.is_empty() {
        crate::warnings::after_change(&state.db, &touched).await;
    }
    applied?;
    Ok(axum::Json(PushResponse { results }))
}

/// Applies the changes in order: each run of document changes in a transaction of its own,
/// the others one by one.
async fn apply_all(
    state: &AppState,
    actor: &Actor,
    changes: Vec<ClientChange>,
    touched: &mut Narrow,
    results: &mut Vec<ChangeResult>,
) -> Result<(), ApiError> {
    let mut run = Vec::new();
    for change in changes {
        let key = key_of(actor, &change)?;
        if is_document(&change.operation) {
            run.push((change, key));
            continue;
        }
        if !run.is_empty() {
            apply_run(state, actor, std::mem::take(&mut run), touched, results).await?;
        }
        let change_id = change.change_id;
        let outcome = apply(state, actor, change, key, touched).await?;
        results.push(ChangeResult { change_id, outcome });
    }
    if !run.is_empty() {
        apply_run(state, actor, run, touched, results).await?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/sync/pull", operation_id = "sync_pull", tag = "sync",
    summary = "Changes for my enterprise after a cursor",
    security(("bearer" = []), ("session" = [])),
    params(
        ("cursor" = Option<i64>, Query, description = "Last sequence number seen (0 or absent: from the start)"),
        ("limit" = Option<u32>, Query, description = "Rows at most (default 100, at most 1,000)"),
    ),
    responses(
        (status = 200, description = "Changes in order, with the next cursor", body = schemas::PullResponse),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Bad cursor or limit"),
    ))]
async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    Query(request): Query<PullRequest>,
) -> Result<axum::Json<PullResponse>, ApiError> {
    let enterprise = caller.enterprise()?;
    let limit = request.limit.unwrap_or(100).clamp(1, MAX_PULL_LIMIT);
    let cursor = request.cursor.max(0);
    let mut rows = db::pull_feed(&state.db, enterprise, cursor, i64::from(limit) + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = rows.last().map_or(cursor, |r| r.seq);
    let changes = rows
        .into_iter()
        .map(|r| {
            let id = Uuid::parse_str(&r.entity_id)
                .map_err(|_| ApiError::Internal(format!("feed id {}", r.entity_id)))?;
            let body = match r.body {
                Some(b) => serde_json::from_str(&b)
                    .map_err(|e| ApiError::Internal(format!("stored body: {e}")))?,
                None => serde_json::Value::Null,
            };
            Ok(ServerChange {
                seq: r.seq,
                entity: r.entity,
                id,
                body,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(axum::Json(PullResponse {
        changes,
        next_cursor,
        more,
    }))
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(push, pull))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sync/push", post(push))
        .route("/api/v1/sync/pull", get(pull))
}
