//! Changes waiting for the server. A change keeps its id from the moment it is made, so a
//! push resent after a crash or a lost answer is applied by the server at most once.

use super::{Store, StoreError, entity, stock};
use crate::Problem;
use crate::model::{RecordStatus, Transaction};
use crate::sync::wire::{ChangeResult, ClientChange, Operation, Outcome, PushResponse};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

/// A change to queue.
pub(super) struct Enqueue {
    pub entity: &'static str,
    pub record_id: Uuid,
    pub op: Operation,
    /// The body of a server-owned record before the change, put back if the server refuses it.
    pub undo: Option<String>,
}

/// A change as the outbox holds it.
struct Queued {
    seq: i64,
    entity: String,
    record_id: String,
    op: String,
    change: String,
    undo: Option<String>,
}

/// The next changes to push, already marked as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingPush {
    /// This installation.
    pub client_id: Uuid,
    /// The changes, oldest first.
    pub changes: Vec<ClientChange>,
}

/// A change the server refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The change.
    pub change_id: Uuid,
    /// The kind of record it was about.
    pub entity: String,
    /// The record.
    pub record_id: Uuid,
    /// Why, with field and rule.
    pub problems: Vec<Problem>,
}

fn op_name(op: &Operation) -> &'static str {
    match op {
        Operation::SaveTransaction { .. } => "save_transaction",
        Operation::UpdateTransaction { .. } => "update_transaction",
        Operation::DeleteTransaction { .. } => "delete_transaction",
        Operation::SubmitTransaction { .. } => "submit_transaction",
        Operation::SaveProduct { .. } => "save_product",
        Operation::UpdateProduct { .. } => "update_product",
        Operation::SaveBarcode { .. } => "save_barcode",
        Operation::UpdateBarcode { .. } => "update_barcode",
        Operation::DeleteBarcode { .. } => "delete_barcode",
        Operation::SavePartner { .. } => "save_partner",
        Operation::UpdatePartner { .. } => "update_partner",
        Operation::DeletePartner { .. } => "delete_partner",
        Operation::ConfirmReconciliation { .. } => "confirm_reconciliation",
        Operation::DisputeReconciliation { .. } => "dispute_reconciliation",
        Operation::AcknowledgeRecall { .. } => "acknowledge_recall",
        Operation::ReportRecall { .. } => "report_recall",
        Operation::UploadUnits { .. } => "upload_units",
        Operation::RecordInspection { .. } => "record_inspection",
    }
}

/// Queues a change, folding it into an unsent one where the server cannot tell the
/// difference: an edit of a draft (or partner) not yet sent rewrites that change; deleting a
/// draft (or partner) the server never received drops its changes altogether.
pub(super) fn enqueue(tx: &rusqlite::Transaction<'_>, e: Enqueue) -> Result<(), StoreError> {
    let rid = e.record_id.to_string();
    let last: Option<(i64, String, String, bool)> = tx
        .query_row(
            "SELECT seq, op, change, sent FROM outbox WHERE entity = ?1 AND record_id = ?2 \
             ORDER BY seq DESC LIMIT 1",
            params![e.entity, rid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match (&e.op, &last) {
        (
            Operation::UpdateTransaction { document, .. }
            | Operation::UpdatePartner {
                partner: document, ..
            }
            | Operation::UpdateProduct {
                product: document, ..
            }
            | Operation::UpdateBarcode {
                barcode: document, ..
            },
            Some((seq, op, change, false)),
        ) if matches!(
            op.as_str(),
            "save_transaction"
                | "update_transaction"
                | "save_partner"
                | "update_partner"
                | "save_product"
                | "update_product"
                | "save_barcode"
                | "update_barcode"
        ) =>
        {
            // The row is of the same record, so of the same kind as the edit.
            let mut c: ClientChange = serde_json::from_str(change)?;
            match &mut c.operation {
                Operation::SaveTransaction { document: d, .. }
                | Operation::UpdateTransaction { document: d, .. }
                | Operation::SavePartner { partner: d, .. }
                | Operation::UpdatePartner { partner: d, .. }
                | Operation::SaveProduct { product: d, .. }
                | Operation::UpdateProduct { product: d, .. }
                | Operation::SaveBarcode { barcode: d, .. }
                | Operation::UpdateBarcode { barcode: d, .. } => *d = document.clone(),
                _ => unreachable!("matched on op"),
            }
            tx.execute(
                "UPDATE outbox SET change = ?1 WHERE seq = ?2",
                params![serde_json::to_string(&c)?, seq],
            )?;
            return Ok(());
        }
        (
            Operation::DeleteTransaction { .. }
            | Operation::DeletePartner { .. }
            | Operation::DeleteBarcode { .. },
            Some(_),
        ) => {
            let unsent_save: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND record_id = ?2 \
                 AND op IN ('save_transaction', 'save_partner', 'save_barcode') AND sent = 0)",
                params![e.entity, rid],
                |r| r.get(0),
            )?;
            if unsent_save {
                tx.execute(
                    "DELETE FROM outbox WHERE entity = ?1 AND record_id = ?2",
                    params![e.entity, rid],
                )?;
                return Ok(());
            }
        }
        _ => {}
    }
    let change = ClientChange {
        change_id: Uuid::new_v4(),
        operation: e.op,
    };
    tx.execute(
        "INSERT INTO outbox (change_id, entity, record_id, op, change, created_at, undo) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            change.change_id.to_string(),
            e.entity,
            rid,
            op_name(&change.operation),
            serde_json::to_string(&change)?,
            Utc::now().to_rfc3339(),
            e.undo
        ],
    )?;
    Ok(())
}

impl Store {
    /// Changes not yet acknowledged by the server.
    pub fn pending_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The oldest `limit` unacknowledged changes, marked as sent before they leave: from then
    /// on they are resent as they are, never rewritten.
    pub fn next_push(&mut self, limit: usize) -> Result<Option<PendingPush>, StoreError> {
        let session = self.session()?.ok_or(StoreError::NotLoggedIn)?;
        let tx = self.conn.transaction()?;
        let changes = {
            let mut st = tx.prepare("SELECT seq, change FROM outbox ORDER BY seq LIMIT ?1")?;
            let rows = st.query_map([limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut changes = Vec::new();
            let mut mark = tx.prepare("UPDATE outbox SET sent = 1 WHERE seq = ?1")?;
            for row in rows {
                let (seq, change) = row?;
                mark.execute([seq])?;
                changes.push(serde_json::from_str::<ClientChange>(&change)?);
            }
            changes
        };
        tx.commit()?;
        Ok((!changes.is_empty()).then_some(PendingPush {
            client_id: session.client_id,
            changes,
        }))
    }

    /// Takes the server's answer to a push: acknowledged changes leave the outbox; refused
    /// ones are kept as rejections, and what they did here is undone: a refused submit puts
    /// the document back to draft, a refused confirmation removes its document and reopens
    /// the item, a refused dispute or recall report puts the record back as it was.
    pub fn apply_push_response(&mut self, response: &PushResponse) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for ChangeResult { change_id, outcome } in &response.results {
            let row: Option<Queued> = tx
                .query_row(
                    "SELECT seq, entity, record_id, op, change, undo FROM outbox WHERE change_id = ?1",
                    [change_id.to_string()],
                    |r| {
                        Ok(Queued {
                            seq: r.get(0)?,
                            entity: r.get(1)?,
                            record_id: r.get(2)?,
                            op: r.get(3)?,
                            change: r.get(4)?,
                            undo: r.get(5)?,
                        })
                    },
                )
                .optional()?;
            // An answer to a change no longer queued (a duplicate delivery) changes nothing.
            let Some(queued) = row else {
                continue;
            };
            let Queued {
                entity,
                record_id,
                op,
                ..
            } = &queued;
            let confirmed_document =
                match serde_json::from_str::<ClientChange>(&queued.change)?.operation {
                    Operation::ConfirmReconciliation { document_id, .. } => Some(document_id),
                    _ => None,
                };
            tx.execute(
                "DELETE FROM outbox WHERE change_id = ?1",
                [change_id.to_string()],
            )?;
            if let Outcome::Rejected { problems } = outcome {
                tx.execute(
                    "INSERT OR REPLACE INTO rejections (change_id, entity, record_id, problems, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        change_id.to_string(),
                        entity,
                        record_id,
                        serde_json::to_string(problems)?,
                        Utc::now().to_rfc3339()
                    ],
                )?;
                if op == "submit_transaction" {
                    reopen_refused_submit(&tx, record_id)?;
                }
                if let Some(undo) = &queued.undo {
                    super::inbox::restore(&tx, queued.seq, entity, record_id, undo)?;
                }
                if let Some(doc) = confirmed_document {
                    // The server has no such document: the confirmation made it here only.
                    let doc = doc.to_string();
                    tx.execute(
                        "DELETE FROM records WHERE entity = ?1 AND id = ?2",
                        params![entity::TRANSACTION, doc],
                    )?;
                    tx.execute(
                        "DELETE FROM stock_moves WHERE document_id = ?1 OR document_id = ?2",
                        params![doc, format!("opening:{doc}")],
                    )?;
                }
            }
            if matches!(outcome, Outcome::Ok { .. }) && entity == entity::INSPECTION {
                super::inspections::recorded(&tx, record_id)?;
            }
            // With nothing of it left to send, the server's copy is the truth again (also of
            // the document a confirmation made, which has no change of its own).
            let mut settled = vec![(entity.as_str(), record_id.clone())];
            if let Some(doc) = confirmed_document {
                settled.push((entity::TRANSACTION, doc.to_string()));
            }
            for (entity, id) in settled {
                tx.execute(
                    "UPDATE records SET dirty = 0 WHERE entity = ?1 AND id = ?2 AND NOT EXISTS \
                     (SELECT 1 FROM outbox WHERE entity = ?1 AND record_id = ?2)",
                    params![entity, id],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Changes the server refused, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT change_id, entity, record_id, problems FROM rejections ORDER BY at DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (c, e, r, p) = row?;
            Ok(Rejection {
                change_id: super::parse_uuid(&c)?,
                entity: e,
                record_id: super::parse_uuid(&r)?,
                problems: serde_json::from_str(&p)?,
            })
        })
        .collect()
    }
}

/// The server refused a submit the phone had accepted offline (its stock or the recalls it
/// knows differ): the document is a draft again and its stock effect is undone.
fn reopen_refused_submit(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<(), StoreError> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM records WHERE entity = ?1 AND id = ?2",
            params![entity::TRANSACTION, id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(body) = body else { return Ok(()) };
    let mut doc: Transaction = serde_json::from_str(&body)?;
    doc.status = RecordStatus::Draft;
    tx.execute(
        "UPDATE records SET body = ?1, submitted = 0 WHERE entity = ?2 AND id = ?3",
        params![serde_json::to_string(&doc)?, entity::TRANSACTION, id],
    )?;
    tx.execute(
        "DELETE FROM stock_moves WHERE document_id = ?1 OR document_id = ?2",
        params![id, format!("opening:{id}")],
    )?;
    if let Some(old) = doc.corrects {
        let old_body: Option<String> = tx
            .query_row(
                "SELECT body FROM records WHERE entity = ?1 AND id = ?2",
                params![entity::TRANSACTION, old.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(b) = old_body {
            stock::apply_document(tx, &serde_json::from_str(&b)?)?;
        }
    }
    Ok(())
}
