//! The phone's catalogue changes as `sync/push` applies them: suppliers and customers
//! (供应商 / 销售客户) and product edits, with the same rules and database functions as the
//! REST routes in `partners.rs` and `products.rs`, each change applied at most once.

use super::AppState;
use super::attachments::resolve_attachments;
use super::error::ApiError;
use super::input::refuse_blocking;
use super::partners::{checked, map_unique, partner_defaults};
use super::products::product_defaults;
use super::records::{id_taken, record_body};
use super::sync::{refused, rejected, replayed, saved_before};
use crate::db::{self, Actor, IdempotencyKey, RecordTable, Removal, Written};
use chrono::Utc;
use serde_json::{Value, json};
use suyuan_core::Problem;
use suyuan_core::model::{Partner, PartnerId, Product, ProductId, RecordStatus};
use suyuan_core::rules::lifecycle::{self, Action};
use suyuan_core::sync::wire::Outcome;
use suyuan_core::validate::validate_product;
use uuid::Uuid;

/// The refusal of a change about a partner the enterprise does not keep.
fn no_such_partner() -> Problem {
    Problem::error(
        "id",
        "not_found",
        "没有该供应商或客户",
        "No such supplier or customer",
    )
}

/// The refusal of deleting a partner a document names.
fn referenced() -> Problem {
    Problem::error(
        "id",
        "referenced.document",
        "该记录已被单据引用，不能删除；可将其状态改为停用",
        "Documents refer to this record, so it cannot be deleted; set its state to disabled instead",
    )
}

/// Adds a partner under the client's id; applied at most once by that id, as products are.
pub(super) async fn save(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    fields: Value,
) -> Result<Outcome, ApiError> {
    if let Some(first) = saved_before(state, RecordTable::Partners, actor, id).await? {
        return Ok(first);
    }
    let partner = match new_partner(state, actor, id, fields).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    match db::insert_partner_unless_taken(&state.db, &partner, actor, Utc::now()).await {
        Ok(None) => Ok(Outcome::Ok { id }),
        Ok(Some(owner)) if owner == actor.enterprise_id.to_string() => Ok(Outcome::Ok { id }),
        Ok(Some(_)) => Ok(rejected(vec![id_taken("id")])),
        Err(e) => refused(map_unique(e)),
    }
}

/// A new partner of `actor`'s enterprise under `id`, its role as sent, checked as the REST
/// create does.
async fn new_partner(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    fields: Value,
) -> Result<Partner, ApiError> {
    let (mut partner, ack): (Partner, _) = record_body("partner", fields)?.into_record(
        &partner_defaults(),
        &[
            ("id", json!(PartnerId(id))),
            ("owner", json!(actor.enterprise_id)),
            ("enterprise_id", json!(null)),
            ("status", json!(RecordStatus::Draft)),
        ],
    )?;
    checked(state, &mut partner, &ack).await?;
    Ok(partner)
}

/// Replaces a partner's fields, its role kept; applied at most once by the change id, so a
/// replayed edit answers its first outcome and never undoes a later edit.
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
    let Some(current) = db::get_own_partner(&state.db, PartnerId(id), actor.enterprise_id).await?
    else {
        return Ok(rejected(vec![no_such_partner()]));
    };
    let partner = match edited(state, &current, fields).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    match db::update_partner_once(&state.db, &partner, actor, key, Utc::now()).await {
        Ok(Some(Written::Done(()))) => {
            // Licence and quality-agreement dates feed warning rules on the documents naming it.
            crate::warnings::after_write(&state.db, &[actor.enterprise_id]).await;
            Ok(Outcome::Ok { id })
        }
        Ok(Some(Written::Replayed(first))) => Ok(replayed(key, &first, id)),
        Ok(None) => Ok(rejected(vec![no_such_partner()])),
        Err(e) => refused(map_unique(e)),
    }
}

/// `current` with the sent fields, checked as the REST update does.
async fn edited(state: &AppState, current: &Partner, fields: Value) -> Result<Partner, ApiError> {
    let (edited, ack): (Partner, _) = record_body("partner", fields)?.into_record(
        &partner_defaults(),
        &[
            ("id", json!(current.id)),
            ("owner", json!(current.owner)),
            ("role", json!(current.role)),
            ("enterprise_id", json!(null)),
            ("status", json!(current.status)),
        ],
    )?;
    let mut partner = lifecycle::edit(current, edited).map_err(ApiError::Conflict)?;
    checked(state, &mut partner, &ack).await?;
    Ok(partner)
}

/// Deletes a partner; the end state counts, so a partner already gone (a replayed delete)
/// is fine.
pub(super) async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> Result<Outcome, ApiError> {
    let Some(current) = db::get_own_partner(&state.db, PartnerId(id), actor.enterprise_id).await?
    else {
        return Ok(Outcome::Ok { id });
    };
    if let Err(p) = lifecycle::check(&current.status, Action::Delete) {
        return Ok(rejected(vec![p]));
    }
    match db::delete_partner(&state.db, current.id, current.role, actor, Utc::now()).await? {
        Removal::Deleted | Removal::NotFound => Ok(Outcome::Ok { id }),
        Removal::Referenced(_) => Ok(rejected(vec![referenced()])),
    }
}

/// The refusal of an edit of a product the enterprise does not own.
fn no_such_product() -> Problem {
    Problem::error("id", "not_found", "没有该产品", "No such product of yours")
}

/// Replaces a product's fields; applied at most once by the change id, like a partner edit.
pub(super) async fn update_product(
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
    let current = match db::get_product(&state.db, ProductId(id)).await? {
        Some(p) if p.record.owner == actor.enterprise_id => p.record,
        _ => return Ok(rejected(vec![no_such_product()])),
    };
    let product = match edited_product(state, actor, &current, fields).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    match db::update_product_once(&state.db, &product, actor, key, Utc::now()).await? {
        Some(Written::Done(())) => {
            // A product's filing and registration feed warning rules on the documents naming it.
            crate::warnings::after_write(&state.db, &[actor.enterprise_id]).await;
            Ok(Outcome::Ok { id })
        }
        Some(Written::Replayed(first)) => Ok(replayed(key, &first, id)),
        None => Ok(rejected(vec![no_such_product()])),
    }
}

/// `current` with the sent fields, checked as the REST update does.
async fn edited_product(
    state: &AppState,
    actor: &Actor,
    current: &Product,
    fields: Value,
) -> Result<Product, ApiError> {
    let (edited, ack): (Product, _) = record_body("product", fields)?.into_record(
        &product_defaults(),
        &[
            ("id", json!(current.id)),
            ("owner", json!(current.owner)),
            ("status", json!(current.status)),
        ],
    )?;
    let mut product = lifecycle::edit(current, edited).map_err(ApiError::Conflict)?;
    let mut problems = validate_product(&product);
    problems
        .extend(resolve_attachments(state, actor.enterprise_id, &mut product.attachments).await?);
    refuse_blocking(&problems, &ack)?;
    Ok(product)
}
