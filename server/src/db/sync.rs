//! The phone's pull: an enterprise's change feed after a cursor, each row joined to the
//! record as it stands now.

use super::impact::uuid_of;
use super::recall_holders::uint;
use super::{Db, DbError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{EnterpriseId, Recall, RecallProgress};

/// One feed row and the record's current body (None once deleted).
#[derive(Debug, Clone)]
pub struct FeedRow {
    /// The enterprise's sequence number.
    pub seq: i64,
    /// The kind of record.
    pub entity: String,
    /// The record's id.
    pub entity_id: String,
    /// The record now, as stored JSON.
    pub body: Option<String>,
}

/// Up to `limit` rows of `enterprise`'s feed after `cursor`, oldest first. Documents are
/// joined only when the enterprise owns them, reconciliation items only when it is a party,
/// products and barcodes whenever fed (the library is shared across the platform), partners only
/// when it keeps them, recalls and nonconforming listings only when they reached it or it started them, so a row
/// never shows another enterprise's record. A recall that reached the enterprise carries its
/// own progress (what it held when reached, its acknowledgement and report), which the phone
/// needs to act on it offline, and no other holder's.
pub async fn pull_feed(
    db: &Db,
    enterprise: EnterpriseId,
    cursor: i64,
    limit: i64,
) -> Result<Vec<FeedRow>, DbError> {
    let rows = sqlx::query(
        "SELECT f.seq, f.entity, f.entity_id, COALESCE(t.body, r.body, p.body, bc.body, rc.body, n.body, uu.body, pa.body) AS body, \
         rc.id AS recall_id, mh.enterprise_id AS holder, mh.acknowledged_at, mh.quantity_held, \
         mh.quantity_returned, mh.quantity_destroyed \
         FROM change_feed f \
         LEFT JOIN transactions t ON f.entity = 'transaction' AND t.id = f.entity_id \
              AND t.enterprise_id = f.enterprise_id \
         LEFT JOIN reconciliation_items r ON f.entity = 'reconciliation_item' AND r.id = f.entity_id \
              AND (r.from_enterprise_id = f.enterprise_id OR r.to_enterprise_id = f.enterprise_id) \
         LEFT JOIN products p ON f.entity = 'product' AND p.id = f.entity_id \
         LEFT JOIN barcodes bc ON f.entity = 'barcode' AND bc.id = f.entity_id \
         LEFT JOIN recalls rc ON f.entity = 'recall' AND rc.id = f.entity_id \
              AND (rc.initiator_enterprise_id = f.enterprise_id OR (rc.status <> 'planned' AND EXISTS \
                   (SELECT 1 FROM recall_holders rh WHERE rh.recall_id = rc.id AND rh.enterprise_id = f.enterprise_id))) \
         LEFT JOIN recall_holders mh ON rc.id IS NOT NULL AND mh.recall_id = rc.id \
              AND mh.enterprise_id = f.enterprise_id \
         LEFT JOIN nonconforming n ON f.entity = 'nonconforming' AND n.id = f.entity_id \
              AND (n.reported_by = f.enterprise_id OR EXISTS (SELECT 1 FROM nonconforming_holders nh \
                   WHERE nh.listing_id = n.id AND nh.enterprise_id = f.enterprise_id)) \
         LEFT JOIN unit_uploads uu ON f.entity = 'unit_upload' AND uu.id = f.entity_id \
              AND uu.enterprise_id = f.enterprise_id \
         LEFT JOIN partners pa ON f.entity = 'partner' AND pa.id = f.entity_id \
              AND pa.owner_id = f.enterprise_id \
         WHERE f.enterprise_id = $1 AND f.seq > $2 ORDER BY f.seq LIMIT $3",
    )
    .bind(enterprise.to_string())
    .bind(cursor)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let mut body: Option<String> = r.try_get("body")?;
            let recall: Option<String> = r.try_get("recall_id")?;
            let holder: Option<String> = r.try_get("holder")?;
            if let (Some(b), Some(_), Some(holder)) = (&body, recall, holder) {
                body = Some(with_own_progress(b, &holder, r)?);
            }
            Ok(FeedRow {
                seq: r.try_get("seq")?,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                body,
            })
        })
        .collect()
}

/// A stored recall body (whose progress is empty) with the holder's own progress row.
fn with_own_progress(body: &str, holder: &str, r: &AnyRow) -> Result<String, DbError> {
    let mut recall: Recall = serde_json::from_str(body)?;
    let acknowledged_at: Option<String> = r.try_get("acknowledged_at")?;
    recall.progress = vec![RecallProgress {
        enterprise_id: EnterpriseId(uuid_of(holder)?),
        acknowledged_at: acknowledged_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
        quantity_held: uint(r, "quantity_held")?,
        quantity_returned: uint(r, "quantity_returned")?,
        quantity_destroyed: uint(r, "quantity_destroyed")?,
    }];
    Ok(serde_json::to_string(&recall)?)
}

/// Whether a record of `table` has this id, and its owner.
pub async fn record_owner(
    db: &Db,
    table: RecordTable,
    id: &str,
) -> Result<Option<String>, DbError> {
    let mut conn = db.pool.acquire().await?;
    record_owner_on(&mut conn, table, id).await
}

/// [`record_owner`] inside the caller's transaction (under its locks).
pub(super) async fn record_owner_on(
    conn: &mut sqlx::AnyConnection,
    table: RecordTable,
    id: &str,
) -> Result<Option<String>, DbError> {
    let sql = match table {
        RecordTable::Products => "SELECT owner_id AS o FROM products WHERE id = $1",
        RecordTable::Transactions => "SELECT enterprise_id AS o FROM transactions WHERE id = $1",
        RecordTable::Partners => "SELECT owner_id AS o FROM partners WHERE id = $1",
        RecordTable::Barcodes => "SELECT owner_id AS o FROM barcodes WHERE id = $1",
    };
    let row = sqlx::query(sql).bind(id).fetch_optional(conn).await?;
    Ok(row.map(|r| r.try_get("o")).transpose()?)
}

/// Tables whose ids a client may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordTable {
    /// The product library.
    Products,
    /// Documents.
    Transactions,
    /// Suppliers and customers.
    Partners,
    /// The barcode library.
    Barcodes,
}
