//! The phone's barcode changes (产品条形码) as `sync/push` applies them: the same rules and
//! database functions as the REST routes in `barcodes.rs`, each change applied at most once.

use super::AppState;
use super::barcodes::{barcode_defaults, checked, map_unique};
use super::error::ApiError;
use super::records::{id_taken, record_body};
use super::sync::{refused, rejected, replayed, saved_before};
use crate::db::{self, Actor, IdempotencyKey, RecordTable, Removal, Written};
use chrono::Utc;
use serde_json::{Value, json};
use suyuan_core::Problem;
use suyuan_core::model::{Barcode, BarcodeId, RecordStatus};
use suyuan_core::rules::lifecycle::{self, Action};
use suyuan_core::sync::wire::Outcome;
use uuid::Uuid;

/// The refusal of a change about a barcode the enterprise does not own.
fn no_such_barcode() -> Problem {
    Problem::error(
        "id",
        "not_found",
        "没有该条形码",
        "No such barcode of yours",
    )
}

/// Adds a barcode under the client's id; applied at most once by that id, as products are.
pub(super) async fn save(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    fields: Value,
) -> Result<Outcome, ApiError> {
    if let Some(first) = saved_before(state, RecordTable::Barcodes, actor, id).await? {
        return Ok(first);
    }
    let (mut barcode, ack) = match record_body("barcode", fields).and_then(|b| {
        b.into_record::<Barcode>(
            &barcode_defaults(),
            &[
                ("id", json!(BarcodeId(id))),
                ("owner", json!(actor.enterprise_id)),
                ("status", json!(RecordStatus::Draft)),
            ],
        )
    }) {
        Ok(b) => b,
        Err(e) => return refused(e),
    };
    let name = match checked(state, actor.enterprise_id, &mut barcode, &ack).await {
        Ok(n) => n,
        Err(e) => return refused(e),
    };
    let written =
        db::insert_barcode_unless_taken(&state.db, &barcode, &name, actor, Utc::now()).await;
    match written {
        Ok(None) => Ok(Outcome::Ok { id }),
        Ok(Some(owner)) if owner == actor.enterprise_id.to_string() => Ok(Outcome::Ok { id }),
        Ok(Some(_)) => Ok(rejected(vec![id_taken("id")])),
        Err(e) => refused(map_unique(e)),
    }
}

/// Replaces a barcode's fields; applied at most once by the change id, so a replayed edit
/// answers its first outcome and never undoes a later edit.
pub(super) async fn update(
    state: &AppState,
    actor: &Actor,
    key: &IdempotencyKey,
    id: Uuid,
    fields: Value,
) -> Result<Outcome, ApiError> {
    let mut conn = state.db.pool.acquire().await.map_err(db::DbError::from)?;
    if let Some(first) = db::idempotent_answer(&mut conn, key).await? {
        return Ok(replayed(key, &first, id));
    }
    drop(conn);
    let Some(current) = own(state, actor, id).await? else {
        return Ok(rejected(vec![no_such_barcode()]));
    };
    let edited = record_body("barcode", fields).and_then(|b| {
        b.into_record::<Barcode>(
            &barcode_defaults(),
            &[
                ("id", json!(current.id)),
                ("owner", json!(current.owner)),
                ("status", json!(current.status)),
            ],
        )
    });
    let (edited, ack) = match edited {
        Ok(e) => e,
        Err(e) => return refused(e),
    };
    let mut barcode = match lifecycle::edit(&current, edited) {
        Ok(b) => b,
        Err(p) => return Ok(rejected(vec![p])),
    };
    let name = match checked(state, actor.enterprise_id, &mut barcode, &ack).await {
        Ok(n) => n,
        Err(e) => return refused(e),
    };
    match db::update_barcode_once(&state.db, &barcode, &name, actor, key, Utc::now()).await {
        Ok(Some(Written::Done(()))) => Ok(Outcome::Ok { id }),
        Ok(Some(Written::Replayed(first))) => Ok(replayed(key, &first, id)),
        Ok(None) => Ok(rejected(vec![no_such_barcode()])),
        Err(e) => refused(map_unique(e)),
    }
}

/// Deletes a barcode; the end state counts, so one already gone (a replayed delete) is fine.
pub(super) async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> Result<Outcome, ApiError> {
    let Some(current) = own(state, actor, id).await? else {
        return Ok(Outcome::Ok { id });
    };
    if let Err(p) = lifecycle::check(&current.status, Action::Delete) {
        return Ok(rejected(vec![p]));
    }
    match db::delete_barcode(&state.db, current.id, actor, Utc::now()).await? {
        Removal::Deleted | Removal::NotFound => Ok(Outcome::Ok { id }),
        Removal::Referenced(what) => Ok(rejected(vec![super::products::referenced(what)])),
    }
}

/// The enterprise's own barcode `id`, if it has one.
async fn own(state: &AppState, actor: &Actor, id: Uuid) -> Result<Option<Barcode>, ApiError> {
    Ok(db::get_barcode(&state.db, BarcodeId(id))
        .await?
        .map(|r| r.record)
        .filter(|b| b.owner == actor.enterprise_id))
}
