//! The enterprises a recall reached (`recall_holders`): what each held when reached, its
//! acknowledgement and its reports of the quantities returned and destroyed.

use super::impact::uuid_of;
use super::journal::{IdempotencyKey, append_feed, idempotent_answer, store_answer};
use super::product_refs::placeholders;
use super::recalls::{Author, Viewer, fetch_recall, visible};
use super::transactions::{DocError, Written};
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, RecallId, RecallProgress, RecallStatus};
use suyuan_core::rules::recall::{Holder, HolderBatch, check_report};
use uuid::Uuid;

/// One enterprise a recall reached, and how far it has got.
#[derive(Debug, Clone, Serialize)]
pub struct RecallHolder {
    /// The enterprise.
    pub enterprise_id: EnterpriseId,
    /// Its name.
    pub enterprise_name: String,
    /// Its region.
    pub region_code: String,
    /// Produced plus bought of the batches.
    pub quantity_received: u64,
    /// Held when reached, including what was on its way to it: the most it can report.
    pub quantity_held: u64,
    /// The part of `quantity_held` it had not booked yet.
    pub quantity_in_transit: u64,
    /// The same per batch.
    pub batches: Vec<HolderBatch>,
    /// When it acknowledged.
    pub acknowledged_at: Option<String>,
    /// Reported returned so far.
    pub quantity_returned: u64,
    /// Reported destroyed so far.
    pub quantity_destroyed: u64,
    /// Last change of this row.
    pub updated_at: String,
}

impl RecallHolder {
    /// The core's view of this holder's progress.
    pub fn progress(&self) -> RecallProgress {
        RecallProgress {
            enterprise_id: self.enterprise_id,
            acknowledged_at: self
                .acknowledged_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc)),
            quantity_held: self.quantity_held,
            quantity_returned: self.quantity_returned,
            quantity_destroyed: self.quantity_destroyed,
        }
    }
}

pub(super) fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn uint(r: &AnyRow, column: &str) -> Result<u64, DbError> {
    Ok(u64::try_from(r.try_get::<i64, _>(column)?).unwrap_or(0))
}

fn holder_of(r: &AnyRow) -> Result<RecallHolder, DbError> {
    Ok(RecallHolder {
        enterprise_id: EnterpriseId(uuid_of(&r.try_get::<String, _>("enterprise_id")?)?),
        enterprise_name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        quantity_received: uint(r, "quantity_received")?,
        quantity_held: uint(r, "quantity_held")?,
        quantity_in_transit: uint(r, "quantity_in_transit")?,
        batches: serde_json::from_str(&r.try_get::<String, _>("batches")?)?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        quantity_returned: uint(r, "quantity_returned")?,
        quantity_destroyed: uint(r, "quantity_destroyed")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const HOLDER_COLUMNS: &str = "h.enterprise_id, e.name, e.region_code, h.quantity_received, \
    h.quantity_held, h.quantity_in_transit, h.batches, h.acknowledged_at, h.quantity_returned, \
    h.quantity_destroyed, h.updated_at";

/// Replaces the holder rows of a recall that no holder has acted on yet.
pub(super) async fn store_holders(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    holders: &[Holder],
    at: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM recall_holders WHERE recall_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for h in holders {
        sqlx::query(
            "INSERT INTO recall_holders (recall_id, enterprise_id, quantity_held, quantity_received, \
             quantity_in_transit, batches, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(h.enterprise_id.to_string())
        .bind(count(h.quantity_held))
        .bind(count(h.quantity_received))
        .bind(count(h.quantity_in_transit))
        .bind(serde_json::to_string(&h.batches)?)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The holders of a recall, by name.
pub async fn recall_holders(db: &Db, id: RecallId) -> Result<Vec<RecallHolder>, DbError> {
    let sql = format!(
        "SELECT {HOLDER_COLUMNS} FROM recall_holders h JOIN enterprises e ON e.id = h.enterprise_id \
         WHERE h.recall_id = $1 ORDER BY e.name, h.enterprise_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(holder_of).collect()
}

/// The holders of each of `ids`.
pub async fn holders_by_recall(
    db: &Db,
    ids: &[RecallId],
) -> Result<HashMap<RecallId, Vec<RecallHolder>>, DbError> {
    let mut out: HashMap<RecallId, Vec<RecallHolder>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT h.recall_id, {HOLDER_COLUMNS} FROM recall_holders h JOIN enterprises e ON e.id = h.enterprise_id \
         WHERE h.recall_id IN ({}) ORDER BY e.name, h.enterprise_id",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id.to_string());
    }
    for r in q.fetch_all(&db.pool).await? {
        let id = RecallId(uuid_of(&r.try_get::<String, _>("recall_id")?)?);
        out.entry(id).or_default().push(holder_of(&r)?);
    }
    Ok(out)
}

/// `me`'s holder row of a recall, if the recall reached it.
pub async fn my_holding(
    db: &Db,
    id: RecallId,
    me: EnterpriseId,
) -> Result<Option<RecallHolder>, DbError> {
    let mut conn = db.pool.acquire().await?;
    fetch_holding(&mut conn, id, me).await
}

async fn fetch_holding(
    conn: &mut sqlx::AnyConnection,
    id: RecallId,
    me: EnterpriseId,
) -> Result<Option<RecallHolder>, DbError> {
    let sql = format!(
        "SELECT {HOLDER_COLUMNS} FROM recall_holders h JOIN enterprises e ON e.id = h.enterprise_id \
         WHERE h.recall_id = $1 AND h.enterprise_id = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(me.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(holder_of).transpose()
}

/// What a holder does with a recall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderAction {
    /// Acknowledges it (kept at the first time).
    Acknowledge,
    /// Reports its totals returned and destroyed so far (acknowledging it too).
    Report {
        /// Returned so far.
        returned: i64,
        /// Destroyed so far.
        destroyed: i64,
    },
}

/// Records a holder's acknowledgement or report on an active recall that reached it. With a
/// key, a retry answers the first answer and writes nothing.
pub async fn holder_acts(
    db: &Db,
    id: RecallId,
    me: EnterpriseId,
    action: HolderAction,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Written<RecallHolder>, DocError> {
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[me]).await?;
    if let Some(key) = idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Written::Replayed(first));
    }
    let recall = fetch_recall(&mut tx, id, visible(&Viewer::Enterprise(me), 2))
        .await?
        .ok_or(DocError::NotFound)?
        .recall;
    let before = fetch_holding(&mut tx, id, me)
        .await?
        .ok_or(DocError::NotFound)?;
    if recall.status != RecallStatus::Active {
        return Err(DocError::Conflict(Problem::error(
            "status",
            "recall.not_active",
            "该召回不在进行中，不能确认或报告",
            "This recall is not active; it takes no acknowledgements or reports",
        )));
    }
    let at = timestamp(now);
    let sid = id.to_string();
    let (returned, destroyed) = match action {
        HolderAction::Acknowledge => (
            count(before.quantity_returned),
            count(before.quantity_destroyed),
        ),
        HolderAction::Report {
            returned,
            destroyed,
        } => {
            let problems = check_report(before.quantity_held, returned, destroyed);
            if !problems.is_empty() {
                return Err(DocError::Invalid(problems));
            }
            (returned, destroyed)
        }
    };
    sqlx::query(
        "UPDATE recall_holders SET acknowledged_at = COALESCE(acknowledged_at, $1), \
         quantity_returned = $2, quantity_destroyed = $3, updated_at = $1 \
         WHERE recall_id = $4 AND enterprise_id = $5",
    )
    .bind(&at)
    .bind(returned)
    .bind(destroyed)
    .bind(&sid)
    .bind(me.to_string())
    .execute(&mut *tx)
    .await?;
    let after = fetch_holding(&mut tx, id, me)
        .await?
        .ok_or(DocError::NotFound)?;
    append_feed(&mut tx, me, "recall", &sid, &at).await?;
    let name = match action {
        HolderAction::Acknowledge => "acknowledge",
        HolderAction::Report { .. } => "report",
    };
    let entity_id = format!("{sid}/{me}");
    Author {
        account,
        enterprise: Some(me),
    }
    .log(
        &mut tx,
        &at,
        name,
        "recall_holder",
        &entity_id,
        (
            Some(&serde_json::to_string(&before)?),
            Some(&serde_json::to_string(&after)?),
        ),
    )
    .await?;
    if let Some(key) = idempotency {
        store_answer(&mut tx, key, 200, &serde_json::to_string(&after)?, &at).await?;
    }
    tx.commit().await?;
    Ok(Written::Done(after))
}
