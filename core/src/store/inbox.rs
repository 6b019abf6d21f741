//! The reconciliation inbox offline (勾兑): confirming an item records and submits the own
//! mirror document at once, as the server's confirm does; disputing records the reason. The
//! cached item shows the new state until the server answers; if it refuses, both are undone.

use super::documents::{refuse_blocking, upsert_document};
use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity, feed, stock};
use crate::model::{ReconciliationItem, ReconciliationItemId, Transaction};
use crate::rules::lifecycle;
use crate::rules::reconciliation::{self, Confirmation};
use crate::sync::wire::Operation;
use crate::validate::records::validate_transaction;
use chrono::{DateTime, Utc};
use rusqlite::params;

impl Store {
    /// Confirms an item of the inbox offline (勾兑确认): the core's rule makes the own document
    /// (a 采购入库 for a supplier's 销售出库 …) from the item, which is submitted here with the
    /// same checks as [`Store::submit`], so the stock on this phone counts it at once. The
    /// server's document takes its counterparty's registered name when the change arrives.
    pub fn confirm_reconciliation(
        &mut self,
        item_id: ReconciliationItemId,
        confirmation: Confirmation,
        opening_override: Option<&str>,
        acknowledge: &[String],
        now: DateTime<Utc>,
    ) -> Result<Transaction, StoreError> {
        let me = self.me()?;
        let (item, body) = self.inbox_item(item_id)?;
        let wire = Operation::ConfirmReconciliation {
            item_id: item_id.0,
            document_id: confirmation.document_id.0,
            number: Some(confirmation.number.clone()),
            date: Some(confirmation.date),
            contact: confirmation.contact.clone(),
            phone: confirmation.phone.clone(),
            lines: confirmation
                .lines
                .as_ref()
                .map(|ls| ls.iter().map(serde_json::to_value).collect())
                .transpose()?,
            reason: confirmation.reason.clone(),
            opening_override: opening_override.map(str::to_owned),
            acknowledge: acknowledge.to_vec(),
        };
        if self.document(confirmation.document_id)?.is_some() {
            return Err(StoreError::Invalid(vec![crate::Problem::error(
                "document_id",
                "id.taken",
                "该单据编号已被使用",
                "This document id is already taken",
            )]));
        }
        let confirmed =
            reconciliation::confirm(&item, me, confirmation).map_err(StoreError::Invalid)?;
        let doc = confirmed.document;
        let mut problems = self.draft_problems(&doc, now)?;
        let check = self.submit_check(&doc, None, opening_override)?;
        problems.extend(check.problems);
        refuse_blocking(&problems, acknowledge)?;
        let submitted = lifecycle::submit(doc, now).map_err(|p| StoreError::Invalid(vec![p]))?;
        let tx = self.conn.transaction()?;
        upsert_document(&tx, &submitted, &serde_json::to_string(&submitted)?)?;
        stock::apply_document(&tx, &submitted)?;
        stock::apply_openings(&tx, &check.openings)?;
        write_cached(&tx, entity::RECONCILIATION_ITEM, &confirmed.item)?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::RECONCILIATION_ITEM,
                record_id: item_id.0,
                op: wire,
                undo: Some(body),
            },
        )?;
        tx.commit()?;
        Ok(submitted)
    }

    /// Disputes an item of the inbox offline (异议), with a reason.
    pub fn dispute_reconciliation(
        &mut self,
        item_id: ReconciliationItemId,
        reason: &str,
    ) -> Result<ReconciliationItem, StoreError> {
        let me = self.me()?;
        let (item, body) = self.inbox_item(item_id)?;
        let disputed =
            reconciliation::dispute(&item, me, reason).map_err(|p| StoreError::Invalid(vec![p]))?;
        let tx = self.conn.transaction()?;
        write_cached(&tx, entity::RECONCILIATION_ITEM, &disputed)?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::RECONCILIATION_ITEM,
                record_id: item_id.0,
                op: Operation::DisputeReconciliation {
                    item_id: item_id.0,
                    reason: reason.trim().to_owned(),
                },
                undo: Some(body),
            },
        )?;
        tx.commit()?;
        Ok(disputed)
    }

    /// One cached item of the inbox and its body as stored.
    fn inbox_item(
        &self,
        id: ReconciliationItemId,
    ) -> Result<(ReconciliationItem, String), StoreError> {
        let item: ReconciliationItem = self
            .record(entity::RECONCILIATION_ITEM, &id.to_string())?
            .ok_or_else(|| StoreError::NotFound {
            entity: entity::RECONCILIATION_ITEM,
            id: id.to_string(),
        })?;
        let body = serde_json::to_string(&item)?;
        Ok((item, body))
    }

    /// The validator's problems of a document about to be submitted, as at save.
    fn draft_problems(
        &self,
        doc: &Transaction,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::Problem>, StoreError> {
        let shelf_life = self.shelf_lives(doc)?;
        // Documents are dated in China's day (UTC+8), as the server dates them.
        let today = (now + chrono::Duration::hours(8)).date_naive();
        Ok(validate_transaction(
            doc,
            &|p| shelf_life.get(&p).copied().flatten(),
            today,
        ))
    }
}

/// Writes a server-owned record as changed here: dirty, so a pull keeps it until the server
/// has the change.
pub(super) fn write_cached<T: serde::Serialize>(
    tx: &rusqlite::Transaction<'_>,
    entity: &str,
    record: &T,
) -> Result<(), StoreError> {
    let body = serde_json::to_value(record)?;
    let id = body
        .get("id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| StoreError::Corrupt(format!("{entity} without id")))?
        .to_owned();
    let (search, submitted) = feed::describe(entity, &body)?;
    tx.execute(
        "UPDATE records SET body = ?3, search = ?4, submitted = ?5, dirty = 1, updated_at = ?6 \
         WHERE entity = ?1 AND id = ?2",
        params![
            entity,
            id,
            body.to_string(),
            search,
            submitted,
            Utc::now().to_rfc3339()
        ],
    )?;
    Ok(())
}

/// Puts a record back as it was before a refused change (or as the server last sent it), and
/// makes that the starting point of the record's later changes, which built on the refused one.
pub(super) fn restore(
    tx: &rusqlite::Transaction<'_>,
    seq: i64,
    entity: &str,
    id: &str,
    undo: &str,
) -> Result<(), StoreError> {
    let body: serde_json::Value = serde_json::from_str(undo)?;
    let (search, submitted) = feed::describe(entity, &body)?;
    // An upsert: a refused delete brings the record back.
    tx.execute(
        "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6) \
         ON CONFLICT (entity, id) DO UPDATE SET body = excluded.body, \
         search = excluded.search, submitted = excluded.submitted, \
         updated_at = excluded.updated_at",
        params![entity, id, undo, search, submitted, Utc::now().to_rfc3339()],
    )?;
    tx.execute(
        "UPDATE outbox SET undo = ?4 WHERE entity = ?1 AND record_id = ?2 AND seq > ?3 \
         AND undo IS NOT NULL",
        params![entity, id, seq, undo],
    )?;
    Ok(())
}
