//! Documents written on the phone: saved as drafts, submitted after the same stock and
//! sales-block rules the server runs, and queued for the server in the outbox.

use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity, stock};
use crate::Problem;
use crate::model::{NonconformingRecord, Recall, RecordStatus, Transaction, TransactionId};
use crate::rules::lifecycle::{self, Action};
use crate::rules::status::Blocks;
use crate::rules::submit::{SubmitCheck, SubmitContext, check_submit};
use crate::sync::wire::Operation;
use crate::validate::records::validate_transaction;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

/// Filters of the local document list.
#[derive(Debug, Clone, Default)]
pub struct DocumentQuery {
    /// Words that must all occur in the number, counterparty, product names or batches.
    pub keyword: Option<String>,
    /// Only drafts (`Some(false)`) or only submitted documents (`Some(true)`).
    pub submitted: Option<bool>,
    /// Most rows wanted (default 50).
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u32>,
}

/// The words a keyword search matches against.
fn search_text(doc: &Transaction) -> String {
    let mut s = format!("{} {}", doc.number, doc.kind.label_zh());
    if let Some(c) = &doc.counterparty {
        s.push(' ');
        s.push_str(&c.name);
    }
    for l in &doc.lines {
        s.push(' ');
        s.push_str(&l.product_name);
        s.push(' ');
        s.push_str(&l.batch);
        if let Some(g) = &l.gtin {
            s.push(' ');
            s.push_str(g);
        }
    }
    s.to_lowercase()
}

impl Store {
    /// Saves a draft (保存), new or edited, after the core's validation; every problem is
    /// reported at once. The server learns of it at the next sync.
    pub fn save_draft(
        &mut self,
        mut doc: Transaction,
        acknowledge: &[String],
        today: NaiveDate,
    ) -> Result<Transaction, StoreError> {
        let me = self.me()?;
        doc.enterprise_id = me;
        doc.status = RecordStatus::Draft;
        let existing = self.document(doc.id)?;
        if let Some(old) = &existing {
            lifecycle::check(&old.status, Action::Edit)
                .map_err(|p| StoreError::Invalid(vec![p]))?;
        }
        let shelf_life = self.shelf_lives(&doc)?;
        let problems =
            validate_transaction(&doc, &|p| shelf_life.get(&p).copied().flatten(), today);
        refuse_blocking(&problems, acknowledge)?;
        let body = serde_json::to_string(&doc)?;
        let tx = self.conn.transaction()?;
        upsert_document(&tx, &doc, &body)?;
        let document = serde_json::to_value(&doc)?;
        let op = if existing.is_none() {
            Operation::SaveTransaction {
                id: doc.id.0,
                document,
            }
        } else {
            Operation::UpdateTransaction {
                id: doc.id.0,
                document,
            }
        };
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::TRANSACTION,
                record_id: doc.id.0,
                op,
                undo: None,
            },
        )?;
        tx.commit()?;
        Ok(doc)
    }

    /// Deletes a draft. One the server never saw leaves no trace; otherwise the server is told.
    pub fn delete_draft(&mut self, id: TransactionId) -> Result<(), StoreError> {
        let doc = self.document(id)?.ok_or_else(|| not_found(id))?;
        lifecycle::check(&doc.status, Action::Delete).map_err(|p| StoreError::Invalid(vec![p]))?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM records WHERE entity = ?1 AND id = ?2",
            params![entity::TRANSACTION, id.to_string()],
        )?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::TRANSACTION,
                record_id: id.0,
                op: Operation::DeleteTransaction { id: id.0 },
                undo: None,
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Submits a saved draft (提交) offline: the stock on this phone and the recalls and
    /// nonconforming listings cached here decide, as they would on the server. Submitted, the
    /// document is final here at once; the server checks again when it arrives.
    pub fn submit(
        &mut self,
        id: TransactionId,
        opening_override: Option<&str>,
        acknowledge: &[String],
        now: DateTime<Utc>,
    ) -> Result<Transaction, StoreError> {
        let doc = self.document(id)?.ok_or_else(|| not_found(id))?;
        let corrected = match doc.corrects {
            Some(old) => Some(self.document(old)?.ok_or_else(|| not_found(old))?),
            None => None,
        };
        let check = self.submit_check(&doc, corrected.as_ref(), opening_override)?;
        refuse_blocking(&check.problems, acknowledge)?;
        let submitted = lifecycle::submit(doc, now).map_err(|p| StoreError::Invalid(vec![p]))?;
        let body = serde_json::to_string(&submitted)?;
        let tx = self.conn.transaction()?;
        upsert_document(&tx, &submitted, &body)?;
        stock::apply_document(&tx, &submitted)?;
        stock::apply_openings(&tx, &check.openings)?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::TRANSACTION,
                record_id: id.0,
                op: Operation::SubmitTransaction {
                    id: id.0,
                    opening_override: opening_override.map(str::to_owned),
                    acknowledge: acknowledge.to_vec(),
                },
                undo: None,
            },
        )?;
        tx.commit()?;
        Ok(submitted)
    }

    /// One document, as the phone has it.
    pub fn document(&self, id: TransactionId) -> Result<Option<Transaction>, StoreError> {
        self.record(entity::TRANSACTION, &id.to_string())
    }

    /// Documents, newest first.
    pub fn documents(&self, q: &DocumentQuery) -> Result<Vec<Transaction>, StoreError> {
        let mut sql = String::from("SELECT body FROM records WHERE entity = ?1");
        let mut args: Vec<String> = vec![entity::TRANSACTION.to_owned()];
        if let Some(s) = q.submitted {
            sql.push_str(if s {
                " AND submitted = 1"
            } else {
                " AND submitted = 0"
            });
        }
        for word in q.keyword.iter().flat_map(|k| k.split_whitespace()) {
            args.push(word.to_lowercase());
            sql.push_str(&format!(" AND instr(search, ?{}) > 0", args.len()));
        }
        sql.push_str(&format!(
            " ORDER BY updated_at DESC, id DESC LIMIT {} OFFSET {}",
            q.limit.unwrap_or(50),
            q.offset.unwrap_or(0)
        ));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|b| Ok(serde_json::from_str(&b?)?)).collect()
    }

    /// Shelf lives of the document's products, for deriving expiry dates.
    pub(super) fn shelf_lives(
        &self,
        doc: &Transaction,
    ) -> Result<std::collections::HashMap<crate::model::ProductId, Option<u32>>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for l in &doc.lines {
            if out.contains_key(&l.product_id) {
                continue;
            }
            let p = self.product(l.product_id)?;
            out.insert(l.product_id, p.and_then(|p| p.shelf_life_months));
        }
        Ok(out)
    }

    /// The submit rules over this phone's ledger of the document's products and the cached
    /// recalls and listings: what the server will check, checked offline.
    pub(super) fn submit_check(
        &self,
        doc: &Transaction,
        corrected: Option<&Transaction>,
        opening_override: Option<&str>,
    ) -> Result<SubmitCheck, StoreError> {
        let products: Vec<_> = doc.lines.iter().map(|l| l.product_id).collect();
        let ledger = stock::ledger_for(&self.conn, doc.enterprise_id, &products)?;
        let recalls: Vec<Recall> = self.cached(entity::RECALL)?;
        let listings: Vec<NonconformingRecord> = self.cached(entity::NONCONFORMING)?;
        Ok(check_submit(
            doc,
            &SubmitContext {
                ledger: &ledger,
                blocks: Blocks::new(&recalls, &listings),
                corrected,
                opening_override,
            },
        ))
    }

    /// Every cached record of a kind the server owns (recalls, listings).
    pub(super) fn cached<T: serde::de::DeserializeOwned>(
        &self,
        entity: &str,
    ) -> Result<Vec<T>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, body FROM records WHERE entity = ?1")?;
        let rows = st.query_map([entity], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (id, body) = row?;
            serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("{entity} {id}: {e}")))
        })
        .collect()
    }

    /// One record of a kind, parsed.
    pub(super) fn record<T: serde::de::DeserializeOwned>(
        &self,
        entity: &str,
        id: &str,
    ) -> Result<Option<T>, StoreError> {
        let body: Option<String> = self
            .conn
            .prepare_cached("SELECT body FROM records WHERE entity = ?1 AND id = ?2")?
            .query_row(params![entity, id], |r| r.get(0))
            .optional()?;
        body.map(|b| {
            serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("{entity} {id}: {e}")))
        })
        .transpose()
    }
}

/// Refuses on any error, and on any warning the user did not override.
pub(super) fn refuse_blocking(
    problems: &[Problem],
    acknowledge: &[String],
) -> Result<(), StoreError> {
    let overridden: Vec<&str> = acknowledge.iter().map(String::as_str).collect();
    let blocking: Vec<Problem> = crate::problem::blocking(problems, &overridden)
        .into_iter()
        .cloned()
        .collect();
    if blocking.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(blocking))
    }
}

fn not_found(id: TransactionId) -> StoreError {
    StoreError::NotFound {
        entity: entity::TRANSACTION,
        id: id.to_string(),
    }
}

/// Writes a document the phone changed (dirty until the server acknowledges it).
pub(super) fn upsert_document(
    tx: &rusqlite::Transaction<'_>,
    doc: &Transaction,
    body: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6) \
         ON CONFLICT (entity, id) DO UPDATE SET body = excluded.body, search = excluded.search, \
         submitted = excluded.submitted, dirty = 1, updated_at = excluded.updated_at",
        params![
            entity::TRANSACTION,
            doc.id.to_string(),
            body,
            search_text(doc),
            doc.status.is_submitted(),
            Utc::now().to_rfc3339(),
        ],
    )?;
    Ok(())
}

/// The keyword text of a pulled document.
pub(super) fn document_search(doc: &Transaction) -> String {
    search_text(doc)
}
