//! The document changes of `sync/push` (save, edit, delete, submit a document; 进销存单据):
//! consecutive ones are applied in one transaction of the push ([`db::PushBatch`]), each in
//! a savepoint of its own, with the same rules and database code as the REST routes.

use super::AppState;
use super::error::ApiError;
use super::records::{draft_of, id_taken, problems_of};
use super::sync::{doc_outcome, first_outcome, rejected};
use crate::db::warnings::Narrow;
use crate::db::{self, Actor, BatchSubmit, DocError, IdempotencyKey, PushBatch, SubmitOptions};
use chrono::Utc;
use serde_json::Value;
use suyuan_core::model::{EnterpriseId, ProductId, TransactionId};
use suyuan_core::sync::wire::{ChangeResult, ClientChange, Operation, Outcome};

/// Whether `op` is about a document, so applied by [`apply_run`].
pub(super) fn is_document(op: &Operation) -> bool {
    matches!(
        op,
        Operation::SaveTransaction { .. }
            | Operation::UpdateTransaction { .. }
            | Operation::DeleteTransaction { .. }
            | Operation::SubmitTransaction { .. }
    )
}

/// Applies consecutive document changes in order, a result each in `results`; the
/// enterprises whose warnings they may change are added to `touched`. On an error, the
/// changes before it stay applied.
pub(super) async fn apply_run(
    state: &AppState,
    actor: &Actor,
    run: Vec<(ClientChange, IdempotencyKey)>,
    touched: &mut Narrow,
    results: &mut Vec<ChangeResult>,
) -> Result<(), ApiError> {
    let keys: Vec<IdempotencyKey> = run.iter().map(|(_, k)| k.clone()).collect();
    let saved: Vec<String> = run
        .iter()
        .filter_map(|(c, _)| match &c.operation {
            Operation::SaveTransaction { id, .. } => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let stock: Vec<(ProductId, String)> = run.iter().flat_map(|(c, _)| stock_keys(c)).collect();
    let mut locks = vec![actor.enterprise_id];
    let me = actor.enterprise_id;
    let mut batch = state
        .db
        .begin_push(me, &locks, &keys, &saved, &stock)
        .await?;
    for (change, key) in run {
        let change_id = change.change_id;
        let applied = match change.operation {
            Operation::SubmitTransaction {
                id,
                opening_override,
                acknowledge,
            } => {
                let options = SubmitOptions {
                    opening_override,
                    acknowledge,
                };
                let target = TransactionId(id);
                match submit(&mut batch, actor, target, &options, &key, touched).await {
                    Ok(Ok(outcome)) => Ok(outcome),
                    // The draft names a counterparty whose row this transaction did not lock
                    // (PostgreSQL): the submit runs alone, taking its locks in order, and the
                    // next transaction locks them too, for the submits after it.
                    Ok(Err(needed)) => {
                        batch.commit(Utc::now()).await?;
                        let outcome =
                            submit_alone(state, actor, target, &options, &key, touched).await?;
                        locks.extend(needed);
                        batch = state
                            .db
                            .begin_push(me, &locks, &keys, &saved, &stock)
                            .await?;
                        Ok(outcome)
                    }
                    Err(e) => Err(e),
                }
            }
            op => draft_change(&mut batch, actor, op, &key).await,
        };
        match applied {
            Ok(outcome) => results.push(ChangeResult { change_id, outcome }),
            Err(e) => {
                // The failed change is rolled back to its savepoint; the ones before it stay.
                if let Err(commit) = batch.commit(Utc::now()).await {
                    tracing::error!(error = %commit, "commit before a failed change");
                }
                return Err(e);
            }
        }
    }
    batch.commit(Utc::now()).await?;
    Ok(())
}

/// The stock rows (product and batch) a saved or edited draft's submit would move, as sent;
/// read ahead for the whole run (a line that does not parse is left to the draft's checks).
fn stock_keys(change: &ClientChange) -> Vec<(ProductId, String)> {
    let document = match &change.operation {
        Operation::SaveTransaction { document, .. }
        | Operation::UpdateTransaction { document, .. } => document,
        _ => return vec![],
    };
    let lines = document.get("lines").and_then(Value::as_array);
    lines
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let product = l.get("product_id")?.as_str()?.parse().ok()?;
            Some((ProductId(product), l.get("batch")?.as_str()?.to_owned()))
        })
        .collect()
}

/// Saves, edits or deletes a draft.
async fn draft_change(
    batch: &mut PushBatch,
    actor: &Actor,
    op: Operation,
    key: &IdempotencyKey,
) -> Result<Outcome, ApiError> {
    let now = Utc::now();
    match op {
        Operation::SaveTransaction { id, document } => {
            // A taken id is this change's first delivery (it wrote its draft and its answer
            // together) or another record's.
            if batch.owner(&id.to_string()).is_some() {
                return match batch.answer(key) {
                    Some(first) => first_outcome(key, first),
                    None => Ok(rejected(vec![id_taken("id")])),
                };
            }
            let doc = match draft_of(actor, id, document) {
                Ok(d) => d,
                Err(e) => return Ok(rejected(problems_of(e)?)),
            };
            let written = batch.create_draft(doc, actor.account_id, key, now).await;
            doc_outcome(key, written, id)
        }
        Operation::UpdateTransaction { id, document } => {
            // Keyed like the rest: a replayed edit must not be refused because the draft was
            // submitted since, nor undo an edit made after it.
            let doc = match draft_of(actor, id, document) {
                Ok(d) => d,
                Err(e) => return Ok(rejected(problems_of(e)?)),
            };
            let written = batch.update_draft(doc, actor.account_id, key, now).await;
            doc_outcome(key, written, id)
        }
        Operation::DeleteTransaction { id } => {
            // The end state is what counts: a draft already gone (a replayed delete) is fine.
            let deleted = batch
                .delete_draft(actor.enterprise_id, TransactionId(id), actor.account_id)
                .await;
            match deleted {
                Ok(()) | Err(DocError::NotFound) => Ok(Outcome::Ok { id }),
                Err(e) => Ok(rejected(problems_of(e.into())?)),
            }
        }
        _ => Err(ApiError::Internal("not a draft change".into())),
    }
}

/// Submits a stored draft in the batch, or names the locks it needs that the batch lacks.
async fn submit(
    batch: &mut PushBatch,
    actor: &Actor,
    id: TransactionId,
    options: &SubmitOptions,
    key: &IdempotencyKey,
    touched: &mut Narrow,
) -> Result<Result<Outcome, Vec<EnterpriseId>>, ApiError> {
    let submitted = batch
        .submit(
            actor.enterprise_id,
            id,
            actor.account_id,
            options,
            key,
            Utc::now(),
        )
        .await?;
    let written = match submitted {
        BatchSubmit::Done(w) => *w,
        BatchSubmit::Relock(needed) => return Ok(Err(needed)),
    };
    if let Ok(db::Written::Done(doc)) = &written {
        touched.extend(crate::warnings::touched_by(&doc.document));
    }
    doc_outcome(key, written, id.0).map(Ok)
}

/// Submits a stored draft in a transaction of its own.
async fn submit_alone(
    state: &AppState,
    actor: &Actor,
    id: TransactionId,
    options: &SubmitOptions,
    key: &IdempotencyKey,
    touched: &mut Narrow,
) -> Result<Outcome, ApiError> {
    let written = db::submit_transaction(
        &state.db,
        actor.enterprise_id,
        id,
        actor.account_id,
        options,
        Some(key),
        Utc::now(),
    )
    .await;
    if let Ok(db::Written::Done(doc)) = &written {
        touched.extend(crate::warnings::touched_by(&doc.document));
    }
    doc_outcome(key, written, id.0)
}
