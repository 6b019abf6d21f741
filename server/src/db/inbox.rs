//! Acting on an item of one's reconciliation inbox: confirming it (with the lines received,
//! which records differences) submits one's own document through the same submit path in the
//! same transaction; disputing it records the reason.

use super::journal::{Audit, IdempotencyKey, append_feed, audit, idempotent_answer, store_answer};
use super::reconciliation::{fetch_item, update_item};
use super::submit::{SubmitOptions, Submits, submit_on};
use super::transactions::{DocError, StoredDocument, Written, china_today, default_number};
use super::{Db, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use suyuan_core::Problem;
use suyuan_core::model::{
    Counterparty, EnterpriseId, ReconciliationItem, ReconciliationItemId, TransactionId,
    TransactionLine,
};
use suyuan_core::rules::reconciliation::{self, Confirmation, confirming_kind};
use uuid::Uuid;

/// What the inbox owner fills in when confirming.
#[derive(Debug, Clone, Default)]
pub struct ConfirmInput {
    /// Id of the own document when the client chose it (a phone confirming offline); a
    /// random one when absent.
    pub document_id: Option<TransactionId>,
    /// Number of the own document; one is made up when absent.
    pub number: Option<String>,
    /// Its date; today when absent.
    pub date: Option<NaiveDate>,
    /// Contact person.
    pub contact: String,
    /// Contact phone.
    pub phone: String,
    /// The lines actually received, when they differ from the sender's.
    pub lines: Option<Vec<TransactionLine>>,
    /// Why they differ.
    pub reason: Option<String>,
    /// Submit options of the own document.
    pub options: SubmitOptions,
}

/// An item and the document that confirmed it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfirmedItem {
    /// The item, now confirmed.
    pub item: ReconciliationItem,
    /// The inbox owner's submitted document.
    pub document: StoredDocument,
}

/// Problems of the core's confirm/dispute: an item already handled is a conflict, the rest
/// are input problems.
fn refusal(problems: Vec<Problem>) -> DocError {
    match problems
        .iter()
        .find(|p| p.rule == "reconciliation.not_pending")
    {
        Some(p) => DocError::Conflict(p.clone()),
        None => DocError::Invalid(problems),
    }
}

/// Opens a transaction holding both enterprises' locks and re-reads the item under them.
async fn locked_item(
    db: &Db,
    me: EnterpriseId,
    id: ReconciliationItemId,
) -> Result<(super::WriteTx, ReconciliationItem), DocError> {
    let peek = super::get_item(db, me, id)
        .await?
        .ok_or(DocError::NotFound)?;
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[me, peek.from]).await?;
    let item = fetch_item(&mut tx, me, id)
        .await?
        .ok_or(DocError::NotFound)?;
    Ok((tx, item))
}

/// The sender as a counterparty of the inbox owner's document.
async fn counterparty_of(
    conn: &mut sqlx::AnyConnection,
    e: EnterpriseId,
) -> Result<Counterparty, DocError> {
    let row = sqlx::query("SELECT name, uscc FROM enterprises WHERE id = $1")
        .bind(e.to_string())
        .fetch_one(conn)
        .await?;
    Ok(Counterparty {
        partner_id: None,
        name: row.try_get("name")?,
        uscc: Some(row.try_get("uscc")?),
        enterprise_id: Some(e),
    })
}

/// Confirms an item of `me`'s inbox (确认/差异确认). With a key, a retry answers the first
/// answer and writes nothing.
pub async fn confirm_item(
    db: &Db,
    me: EnterpriseId,
    id: ReconciliationItemId,
    input: ConfirmInput,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Written<ConfirmedItem>, DocError> {
    let (mut tx, item) = locked_item(db, me, id).await?;
    if let Some(key) = idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Written::Replayed(first));
    }
    let document_id = input.document_id.unwrap_or_else(TransactionId::random);
    let date = input.date.unwrap_or_else(|| china_today(now));
    let number = input
        .number
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| default_number(confirming_kind(item.kind), date, document_id));
    let confirmed = reconciliation::confirm(
        &item,
        me,
        Confirmation {
            document_id,
            number,
            date,
            counterparty: counterparty_of(&mut tx, item.from).await?,
            contact: input.contact,
            phone: input.phone,
            lines: input.lines,
            reason: input.reason,
        },
    )
    .map_err(refusal)?;
    let mut submits = Submits::default();
    let (doc, hash) = submit_on(
        &mut tx,
        &mut submits,
        confirmed.document,
        false,
        &input.options,
        account,
        now,
    )
    .await?;
    let at = timestamp(now);
    record_item_change(&mut tx, &item, &confirmed.item, account, "confirm", &at).await?;
    let answer = ConfirmedItem {
        item: confirmed.item,
        document: StoredDocument {
            document: doc,
            content_hash: Some(hash),
            corrected_by: None,
        },
    };
    if let Some(key) = idempotency {
        store_answer(&mut tx, key, 200, &serde_json::to_string(&answer)?, &at).await?;
    }
    submits.finish(&mut tx, &at).await?;
    tx.commit().await?;
    Ok(Written::Done(answer))
}

/// Disputes an item of `me`'s inbox (异议). With a key, a retry answers the first answer and
/// writes nothing.
pub async fn dispute_item(
    db: &Db,
    me: EnterpriseId,
    id: ReconciliationItemId,
    reason: &str,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Written<ReconciliationItem>, DocError> {
    let (mut tx, item) = locked_item(db, me, id).await?;
    if let Some(key) = idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Written::Replayed(first));
    }
    let disputed = reconciliation::dispute(&item, me, reason).map_err(|p| refusal(vec![p]))?;
    let at = timestamp(now);
    record_item_change(&mut tx, &item, &disputed, account, "dispute", &at).await?;
    if let Some(key) = idempotency {
        store_answer(&mut tx, key, 200, &serde_json::to_string(&disputed)?, &at).await?;
    }
    tx.commit().await?;
    Ok(Written::Done(disputed))
}

async fn record_item_change(
    conn: &mut sqlx::AnyConnection,
    before: &ReconciliationItem,
    after: &ReconciliationItem,
    account: Uuid,
    action: &str,
    at: &str,
) -> Result<(), DocError> {
    update_item(&mut *conn, after, at).await?;
    let id = after.id.to_string();
    append_feed(&mut *conn, after.from, "reconciliation_item", &id, at).await?;
    append_feed(&mut *conn, after.to, "reconciliation_item", &id, at).await?;
    let (b, a) = (
        serde_json::to_string(before)?,
        serde_json::to_string(after)?,
    );
    audit(
        conn,
        Audit {
            account,
            enterprise: after.to,
            action,
            entity: "reconciliation_item",
            entity_id: &id,
            before: Some(&b),
            after: Some(&a),
        },
        at,
    )
    .await?;
    Ok(())
}
