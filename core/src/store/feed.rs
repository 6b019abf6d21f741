//! Applying the server's change feed: the records as they stand on the server, cached so the
//! app works offline, and the cursor moved in the same transaction so a crash repeats nothing.

use super::{Store, StoreError, documents, entity, stock};
use crate::model::{Partner, Product, Transaction};
use crate::sync::wire::PullResponse;
use chrono::Utc;
use rusqlite::params;

/// What one pull did to the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PulledChanges {
    /// Records written or deleted.
    pub applied: u32,
    /// Rows left alone because the phone changed the record and has not pushed it yet; the
    /// server writes a later row when that change arrives.
    pub kept_local: u32,
    /// The cursor after the pull.
    pub cursor: i64,
}

impl Store {
    /// Applies a pull. Rows at or before the stored cursor (a response delivered twice) are
    /// skipped.
    pub fn apply_pull(&mut self, response: &PullResponse) -> Result<PulledChanges, StoreError> {
        let session = self.session()?.ok_or(StoreError::NotLoggedIn)?;
        let me = session.enterprise_id;
        let tx = self.conn.transaction()?;
        let mut out = PulledChanges {
            cursor: session.cursor,
            ..PulledChanges::default()
        };
        for change in &response.changes {
            if change.seq <= out.cursor {
                continue;
            }
            out.cursor = change.seq;
            let id = change.id.to_string();
            // A record deleted here and not yet pushed counts too: the pull must not bring it
            // back, and its delete keeps the copy to restore should the server refuse it.
            let dirty: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM records WHERE entity = ?1 AND id = ?2 AND dirty = 1) \
                 OR EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND record_id = ?2 \
                 AND op LIKE 'delete_%' AND undo IS NOT NULL)",
                params![change.entity, id],
                |r| r.get(0),
            )?;
            if dirty {
                // Should the server refuse the waiting change, this newer copy is the truth.
                tx.execute(
                    "UPDATE outbox SET undo = ?3 WHERE entity = ?1 AND record_id = ?2 \
                     AND undo IS NOT NULL",
                    params![change.entity, id, change.body.to_string()],
                )?;
                out.kept_local += 1;
                continue;
            }
            if change.body.is_null() {
                tx.execute(
                    "DELETE FROM records WHERE entity = ?1 AND id = ?2",
                    params![change.entity, id],
                )?;
                if change.entity == entity::TRANSACTION {
                    tx.execute("DELETE FROM stock_moves WHERE document_id = ?1", [&id])?;
                }
                out.applied += 1;
                continue;
            }
            let (search, submitted) = describe(&change.entity, &change.body)?;
            tx.execute(
                "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6) \
                 ON CONFLICT (entity, id) DO UPDATE SET body = excluded.body, \
                 search = excluded.search, submitted = excluded.submitted, \
                 updated_at = excluded.updated_at",
                params![
                    change.entity,
                    id,
                    change.body.to_string(),
                    search,
                    submitted,
                    Utc::now().to_rfc3339()
                ],
            )?;
            if change.entity == entity::TRANSACTION {
                let doc: Transaction = serde_json::from_value(change.body.clone())?;
                if doc.status.is_submitted() && Some(doc.enterprise_id) == me {
                    tx.execute("DELETE FROM stock_moves WHERE document_id = ?1", [&id])?;
                    stock::apply_document(&tx, &doc)?;
                }
            }
            out.applied += 1;
        }
        tx.execute(
            "UPDATE session SET cursor = MAX(cursor, ?1) WHERE id = 1",
            [response.next_cursor.max(out.cursor)],
        )?;
        tx.commit()?;
        out.cursor = out.cursor.max(response.next_cursor);
        Ok(out)
    }
}

/// The keyword text of a record as the server sends it, and whether it is final.
pub(super) fn describe(
    entity: &str,
    body: &serde_json::Value,
) -> Result<(String, bool), StoreError> {
    Ok(match entity {
        entity::TRANSACTION => {
            let doc: Transaction = serde_json::from_value(body.clone())?;
            (documents::document_search(&doc), doc.status.is_submitted())
        }
        entity::PRODUCT => {
            let p: Product = serde_json::from_value(body.clone())?;
            (super::products::product_search(&p), true)
        }
        entity::PARTNER => {
            let p: Partner = serde_json::from_value(body.clone())?;
            (super::partners::partner_search(&p), false)
        }
        // Records the phone only shows: every text value is searchable.
        _ => {
            let mut words = String::new();
            collect_strings(body, &mut words);
            (words.to_lowercase(), true)
        }
    })
}

fn collect_strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

impl Store {
    /// Reconciliation items addressed to or sent by this enterprise, as the server keeps them.
    pub fn reconciliation_items(
        &self,
    ) -> Result<Vec<crate::model::ReconciliationItem>, StoreError> {
        self.cached(entity::RECONCILIATION_ITEM)
    }
}
