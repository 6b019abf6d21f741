//! The audit log: every write records who, when, what, and the record before and after, in
//! the transaction of the write itself so the log never disagrees with the data.

use super::{Db, DbError};
use serde::Serialize;
use sqlx::Row;
use suyuan_core::model::EnterpriseId;
use uuid::Uuid;

/// One write to log. Bodies are the JSON the record is stored as.
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// When (a [`super::timestamp`]).
    pub at: &'a str,
    /// The account that wrote, if a person did.
    pub account_id: Option<Uuid>,
    /// The enterprise on whose behalf it wrote.
    pub enterprise_id: Option<EnterpriseId>,
    /// What was done: `create`, `update`, `delete`, …
    pub action: &'a str,
    /// Which table's record: `product`, `barcode`, `partner`, …
    pub entity: &'a str,
    /// Its id.
    pub entity_id: &'a str,
    /// The record before the write (none for a create).
    pub before: Option<&'a str>,
    /// The record after the write (none for a delete).
    pub after: Option<&'a str>,
}

/// Appends an entry; call it on the write's own transaction. Writes that make many entries
/// gather them in `journal::Pending`, which writes them many a statement.
pub async fn audit(conn: &mut sqlx::AnyConnection, entry: &AuditEntry<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (at, account_id, enterprise_id, action, entity, entity_id, before_body, after_body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.at)
    .bind(entry.account_id.map(|a| a.to_string()))
    .bind(entry.enterprise_id.map(|e| e.to_string()))
    .bind(entry.action)
    .bind(entry.entity)
    .bind(entry.entity_id)
    .bind(entry.before)
    .bind(entry.after)
    .execute(conn)
    .await?;
    Ok(())
}

/// A logged write, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// When.
    pub at: String,
    /// Who.
    pub account_id: Option<String>,
    /// On whose behalf.
    pub enterprise_id: Option<String>,
    /// What was done.
    pub action: String,
    /// The record before.
    pub before: Option<String>,
    /// The record after.
    pub after: Option<String>,
}

/// Every logged write to one record, oldest first.
pub async fn audit_trail(
    db: &Db,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<AuditRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT at, account_id, enterprise_id, action, before_body, after_body FROM audit_log \
         WHERE entity = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(entity)
    .bind(entity_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRecord {
                at: r.try_get("at")?,
                account_id: r.try_get("account_id")?,
                enterprise_id: r.try_get("enterprise_id")?,
                action: r.try_get("action")?,
                before: r.try_get("before_body")?,
                after: r.try_get("after_body")?,
            })
        })
        .collect()
}

/// Who writes: an account acting for its enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The account.
    pub account_id: Uuid,
    /// Its enterprise, which owns what it writes.
    pub enterprise_id: EnterpriseId,
}

impl Actor {
    /// An audit entry by this actor.
    pub fn entry<'a>(
        &self,
        at: &'a str,
        action: &'a str,
        entity: &'a str,
        entity_id: &'a str,
        before: Option<&'a str>,
        after: Option<&'a str>,
    ) -> AuditEntry<'a> {
        AuditEntry {
            at,
            account_id: Some(self.account_id),
            enterprise_id: Some(self.enterprise_id),
            action,
            entity,
            entity_id,
            before,
            after,
        }
    }
}
