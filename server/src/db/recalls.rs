//! Recalls (产品召回): the recall row (its body is the core's [`Recall`], whose `progress`
//! stays empty: each holder's progress is a `recall_holders` row, see `recall_holders.rs`),
//! its holders computed from the line index when it is created and again when it is
//! announced. A recall reaches its holders through their change feed once it is active; a
//! planned one is seen only by whoever prepares it.

use super::audit::{AuditEntry, audit};
use super::impact::{begin_with_holders, uuid_of};
use super::journal::append_feed;
use super::recall_holders::store_holders;
use super::transactions::{DocError, china_today};
use super::{Db, DbError, search_text, timestamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, Recall, RecallId, RecallInitiator, RecallStatus};
use suyuan_core::rules::recall::Holder;
use suyuan_core::validate::validate_recall;
use uuid::Uuid;

/// Columns a recall list sorts by.
pub const RECALL_SORTS: [&str; 2] = ["created_at", "updated_at"];

/// The stored code of a status.
pub fn recall_status_code(s: RecallStatus) -> &'static str {
    match s {
        RecallStatus::Planned => "planned",
        RecallStatus::Active => "active",
        RecallStatus::Completed => "completed",
    }
}

/// Who reads or acts on recalls and nonconforming listings.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// An enterprise account: what concerns its enterprise.
    Enterprise(EnterpriseId),
    /// A regulator: what belongs to its region, given as the leading digits its scope fixes.
    Regulator {
        /// See [`super::scope_prefix`].
        prefix: String,
    },
}

/// Who writes, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    /// The account.
    pub account: Uuid,
    /// Its enterprise, if it is an enterprise account.
    pub enterprise: Option<EnterpriseId>,
}

impl Author {
    pub(super) async fn log(
        &self,
        conn: &mut sqlx::AnyConnection,
        at: &str,
        action: &str,
        entity: &str,
        id: &str,
        (before, after): (Option<&str>, Option<&str>),
    ) -> Result<(), DbError> {
        audit(
            conn,
            &AuditEntry {
                at,
                account_id: Some(self.account),
                enterprise_id: self.enterprise,
                action,
                entity,
                entity_id: id,
                before,
                after,
            },
        )
        .await
    }
}

/// A recall as stored, with the region it belongs to and its times.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRecall {
    /// The recall (its `progress` is empty; see the holders).
    pub recall: Recall,
    /// The region it belongs to: its regulator's, or its initiating enterprise's.
    pub region_code: String,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

fn stored_of(r: &AnyRow) -> Result<StoredRecall, DbError> {
    Ok(StoredRecall {
        recall: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
        region_code: r
            .try_get::<Option<String>, _>("region_code")?
            .unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn recall_search(r: &Recall) -> String {
    let mut parts = vec![r.product_name.as_str(), &r.reason, &r.scope];
    parts.extend(r.batches.iter().map(String::as_str));
    search_text(parts)
}

/// A change-feed row about record `id` of `entity` for each of `to`, once each.
pub(super) async fn notify(
    conn: &mut sqlx::AnyConnection,
    entity: &str,
    id: &str,
    to: &[EnterpriseId],
    at: &str,
) -> Result<(), DbError> {
    let mut to = to.to_vec();
    to.sort();
    to.dedup();
    for e in to {
        append_feed(&mut *conn, e, entity, id, at).await?;
    }
    Ok(())
}

fn initiator_enterprise(r: &Recall) -> Option<EnterpriseId> {
    match &r.initiator {
        RecallInitiator::Enterprise { enterprise_id } => Some(*enterprise_id),
        RecallInitiator::Regulator { .. } => None,
    }
}

/// Stores a new recall (planned or active) with its holders; an active one reaches them at
/// once. Returns the holders.
pub async fn create_recall(
    db: &Db,
    recall: &Recall,
    region_code: &str,
    author: Author,
    now: DateTime<Utc>,
) -> Result<Vec<Holder>, DbError> {
    let initiator = initiator_enterprise(recall);
    let (mut tx, holders) = begin_with_holders(
        db,
        recall.product_id,
        &recall.batches,
        &initiator.into_iter().collect::<Vec<_>>(),
    )
    .await?;
    let at = timestamp(now);
    let id = recall.id.to_string();
    let body = serde_json::to_string(recall)?;
    let region = match &recall.initiator {
        RecallInitiator::Regulator { region_code } => Some(region_code.clone()),
        RecallInitiator::Enterprise { .. } => None,
    };
    sqlx::query(
        "INSERT INTO recalls (id, product_id, status, initiator_enterprise_id, initiator_region_code, \
         region_code, search, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(recall.product_id.to_string())
    .bind(recall_status_code(recall.status))
    .bind(initiator.map(|e| e.to_string()))
    .bind(region)
    .bind(region_code)
    .bind(recall_search(recall))
    .bind(&body)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    store_holders(&mut tx, &id, &holders, &at).await?;
    let mut to: Vec<EnterpriseId> = initiator.into_iter().collect();
    if recall.status != RecallStatus::Planned {
        to.extend(holders.iter().map(|h| h.enterprise_id));
    }
    notify(&mut tx, "recall", &id, &to, &at).await?;
    author
        .log(&mut tx, &at, "create", "recall", &id, (None, Some(&body)))
        .await?;
    tx.commit().await?;
    Ok(holders)
}

/// The condition on `recalls r` that shows a recall to `viewer`, binding from `$first`: an
/// enterprise sees the recalls it started and the announced ones that reached it; a regulator
/// those of its region, and the announced ones of other regions that reached a holder in its
/// region (it must follow up on them there, though it cannot manage them).
pub(super) fn visible(viewer: &Viewer, first: usize) -> (String, String) {
    match viewer {
        Viewer::Enterprise(me) => (
            format!(
                "(r.initiator_enterprise_id = ${first} OR (r.status <> 'planned' AND EXISTS \
                 (SELECT 1 FROM recall_holders vh WHERE vh.recall_id = r.id AND vh.enterprise_id = ${first})))"
            ),
            me.to_string(),
        ),
        Viewer::Regulator { prefix } => (
            format!(
                "(r.region_code LIKE ${first} OR (r.status <> 'planned' AND EXISTS \
                 (SELECT 1 FROM recall_holders vh JOIN enterprises ve ON ve.id = vh.enterprise_id \
                 WHERE vh.recall_id = r.id AND ve.region_code LIKE ${first})))"
            ),
            format!("{prefix}%"),
        ),
    }
}

/// The condition that lets `viewer` announce or close a recall: its initiating enterprise, or
/// a regulator of its region.
fn manages(viewer: &Viewer, first: usize) -> (String, String) {
    match viewer {
        Viewer::Enterprise(me) => (
            format!("r.initiator_enterprise_id = ${first}"),
            me.to_string(),
        ),
        Viewer::Regulator { prefix } => {
            (format!("r.region_code LIKE ${first}"), format!("{prefix}%"))
        }
    }
}

pub(super) async fn fetch_recall(
    conn: &mut sqlx::AnyConnection,
    id: RecallId,
    condition: (String, String),
) -> Result<Option<StoredRecall>, DbError> {
    let sql = format!(
        "SELECT r.body, r.region_code, r.created_at, r.updated_at FROM recalls r WHERE r.id = $1 AND {}",
        condition.0
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(condition.1)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(stored_of).transpose()
}

/// A recall `viewer` may see.
pub async fn get_recall(
    db: &Db,
    id: RecallId,
    viewer: &Viewer,
) -> Result<Option<StoredRecall>, DbError> {
    let mut conn = db.pool.acquire().await?;
    fetch_recall(&mut conn, id, visible(viewer, 2)).await
}

/// Which recalls a list shows, besides what the viewer may see.
#[derive(Debug, Clone, Default)]
pub struct RecallFilter {
    /// One status.
    pub status: Option<RecallStatus>,
    /// Lower-cased keyword over product name, reason, scope and batches.
    pub keyword: Option<String>,
}

/// One page of the recalls `viewer` may see, and the total.
pub async fn list_recalls(
    db: &Db,
    viewer: &Viewer,
    filter: &RecallFilter,
    window: &super::Window,
) -> Result<(Vec<StoredRecall>, u64), DbError> {
    let (cond, bind) = visible(viewer, 1);
    let mut clauses = vec![cond];
    let mut binds = vec![bind];
    if let Some(s) = filter.status {
        binds.push(recall_status_code(s).to_owned());
        clauses.push(format!("r.status = ${}", binds.len()));
    }
    if let Some(k) = &filter.keyword {
        binds.push(format!("%{}%", super::listing::escape_like(k)));
        clauses.push(format!("r.search LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let (rows, total) =
        super::listing::region_page(db, "recalls", "r", &clauses, &binds, window).await?;
    let items = rows.iter().map(stored_of).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// What a status change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecallStep {
    /// Planned → active: the holders are computed again and reached.
    Activate,
    /// Active → completed, today.
    Close,
}

fn status_problem(current: RecallStatus, step: RecallStep) -> Problem {
    let (zh, en) = match step {
        RecallStep::Activate => (
            "只有计划中的召回可以启动",
            "Only a planned recall can be activated",
        ),
        RecallStep::Close => (
            "只有进行中的召回可以结束",
            "Only an active recall can be closed",
        ),
    };
    Problem::error(
        "status",
        "recall.status",
        format!("{zh}（当前：{}）", recall_status_code(current)),
        format!("{en} (it is {})", recall_status_code(current)),
    )
}

/// Announces or closes a recall `viewer` manages.
pub async fn step_recall(
    db: &Db,
    id: RecallId,
    viewer: &Viewer,
    step: RecallStep,
    author: Author,
    now: DateTime<Utc>,
) -> Result<StoredRecall, DocError> {
    let mut conn = db.pool.acquire().await?;
    let current = fetch_recall(&mut conn, id, manages(viewer, 2))
        .await?
        .ok_or(DocError::NotFound)?;
    drop(conn);
    let r = &current.recall;
    let wanted = match step {
        RecallStep::Activate => RecallStatus::Planned,
        RecallStep::Close => RecallStatus::Active,
    };
    if r.status != wanted {
        return Err(DocError::Conflict(status_problem(r.status, step)));
    }
    let mut next = r.clone();
    match step {
        RecallStep::Activate => next.status = RecallStatus::Active,
        RecallStep::Close => {
            next.status = RecallStatus::Completed;
            next.completed_on = Some(china_today(now));
        }
    }
    let problems = validate_recall(&next);
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }
    let sid = id.to_string();
    let mut to: Vec<EnterpriseId> = initiator_enterprise(r).into_iter().collect();
    // Announcing recomputes the holders (under their locks); closing reaches those stored,
    // which only an announcement changes.
    let (mut tx, fresh) = match step {
        RecallStep::Activate => {
            let (tx, fresh) = begin_with_holders(db, r.product_id, &r.batches, &to).await?;
            to.extend(fresh.iter().map(|h| h.enterprise_id));
            (tx, fresh)
        }
        RecallStep::Close => {
            let rows = sqlx::query("SELECT enterprise_id FROM recall_holders WHERE recall_id = $1")
                .bind(&sid)
                .fetch_all(&db.pool)
                .await?;
            for row in rows {
                to.push(EnterpriseId(uuid_of(
                    &row.try_get::<String, _>("enterprise_id")?,
                )?));
            }
            let mut tx = db.begin_write().await?;
            tx.lock_enterprises(&to).await?;
            (tx, Vec::new())
        }
    };
    let at = timestamp(now);
    let before = serde_json::to_string(r)?;
    let body = serde_json::to_string(&next)?;
    // Only the status the check saw is replaced, so two concurrent steps cannot both pass.
    let done = sqlx::query(
        "UPDATE recalls SET status = $1, body = $2, search = $3, updated_at = $4 WHERE id = $5 AND status = $6",
    )
    .bind(recall_status_code(next.status))
    .bind(&body)
    .bind(recall_search(&next))
    .bind(&at)
    .bind(&sid)
    .bind(recall_status_code(r.status))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(DocError::Conflict(status_problem(next.status, step)));
    }
    if step == RecallStep::Activate {
        // Announced now: the holders are those of now.
        store_holders(&mut tx, &sid, &fresh, &at).await?;
    }
    notify(&mut tx, "recall", &sid, &to, &at).await?;
    let action = match step {
        RecallStep::Activate => "activate",
        RecallStep::Close => "close",
    };
    author
        .log(
            &mut tx,
            &at,
            action,
            "recall",
            &sid,
            (Some(&before), Some(&body)),
        )
        .await?;
    let updated = fetch_recall(&mut tx, id, manages(viewer, 2))
        .await?
        .ok_or(DocError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}
