//! The enterprise directory of a region (辖区企业名录) with each enterprise's reporting activity:
//! when it last submitted, how many documents it submitted and keeps as drafts, and how many
//! counterparties' documents wait in its reconciliation inbox.

use super::RegionScope;
use crate::db::listing::escape_like;
use crate::db::{Db, DbError, Window};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{Enterprise, EnterpriseId, EnterpriseKind};

/// Columns the directory sorts by; the first is the default.
pub const DIRECTORY_SORTS: [&str; 7] = [
    "name",
    "last_submitted_at",
    "created_at",
    "region_code",
    "submitted",
    "drafts",
    "unreconciled",
];

/// One enterprise of the region and its reporting activity.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterpriseActivity {
    /// The profile (suyuan-core `Enterprise`).
    #[schema(value_type = Object)]
    pub enterprise: Enterprise,
    /// When it last submitted a document (RFC 3339, UTC); none if it never did.
    pub last_submitted_at: Option<String>,
    /// Its submitted documents.
    pub submitted: u64,
    /// Its drafts.
    pub drafts: u64,
    /// Counterparties' documents in its reconciliation inbox not yet confirmed (pending or
    /// disputed).
    pub unreconciled: u64,
    /// When it registered.
    pub created_at: String,
}

/// Which enterprises the directory lists.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    /// The regulator's region, possibly narrowed by a region filter.
    pub scope: RegionScope,
    /// Lower-cased keyword matched against name and USCC.
    pub keyword: Option<String>,
    /// One kind of operator.
    pub kind: Option<EnterpriseKind>,
    /// Only enterprises that submitted at or after this time (stored timestamp form).
    pub active_since: Option<String>,
}

/// The activity columns, each a correlated count served by an index: `transactions_chain`
/// (`submitted_at` is null for drafts, so the maximum needs no status), `transactions_list`
/// and `reconciliation_inbox`.
const ACTIVITY: &str = "(SELECT MAX(t.submitted_at) FROM transactions t WHERE t.enterprise_id = e.id) AS last_submitted_at, \
     (SELECT COUNT(*) FROM transactions t WHERE t.enterprise_id = e.id AND t.status = 'submitted') AS submitted, \
     (SELECT COUNT(*) FROM transactions t WHERE t.enterprise_id = e.id AND t.status = 'draft') AS drafts, \
     (SELECT COUNT(*) FROM reconciliation_items r WHERE r.to_enterprise_id = e.id AND r.state IN ('pending', 'disputed')) AS unreconciled";

/// The `WHERE` of the enterprises table and its bound values, `$1`-numbered.
fn enterprise_filter(
    q: &DirectoryQuery,
    id: Option<EnterpriseId>,
) -> Result<(String, Vec<String>), DbError> {
    let mut binds = vec![q.scope.low.clone(), q.scope.high.clone()];
    let mut wheres = vec!["e.region_code BETWEEN $1 AND $2".to_owned()];
    if let Some(id) = id {
        binds.push(id.to_string());
        wheres.push(format!("e.id = ${}", binds.len()));
    }
    if let Some(kind) = q.kind {
        binds.push(crate::db::enterprises::kind_code(kind)?);
        wheres.push(format!("e.kind = ${}", binds.len()));
    }
    if let Some(k) = &q.keyword {
        binds.push(format!("%{}%", escape_like(k)));
        let p = binds.len();
        wheres.push(format!(
            "(LOWER(e.name) LIKE ${p} ESCAPE '\\' OR LOWER(e.uscc) LIKE ${p} ESCAPE '\\')"
        ));
    }
    Ok((wheres.join(" AND "), binds))
}

fn count_of(row: &AnyRow, column: &str) -> Result<u64, DbError> {
    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
}

fn activity_of(row: &AnyRow) -> Result<EnterpriseActivity, DbError> {
    Ok(EnterpriseActivity {
        enterprise: serde_json::from_str(&row.try_get::<String, _>("body")?)?,
        last_submitted_at: row.try_get("last_submitted_at")?,
        submitted: count_of(row, "submitted")?,
        drafts: count_of(row, "drafts")?,
        unreconciled: count_of(row, "unreconciled")?,
        created_at: row.try_get("created_at")?,
    })
}

async fn fetch(
    db: &Db,
    q: &DirectoryQuery,
    id: Option<EnterpriseId>,
    window: &Window,
) -> Result<Vec<EnterpriseActivity>, DbError> {
    let (filter, mut binds) = enterprise_filter(q, id)?;
    let mut outer = String::new();
    if let Some(since) = &q.active_since {
        binds.push(since.clone());
        outer = format!(" WHERE d.last_submitted_at >= ${}", binds.len());
    }
    let sort = DIRECTORY_SORTS
        .iter()
        .find(|s| **s == window.sort)
        .ok_or_else(|| DbError::Invalid(format!("sort {}", window.sort)))?;
    let dir = if window.descending { "DESC" } else { "ASC" };
    // Enterprises that never submitted sort last either way, as both databases agree on
    // only when told (SQLite puts NULL first ascending, PostgreSQL last).
    let sql = format!(
        "SELECT * FROM (SELECT e.id, e.name, e.region_code, e.body, e.created_at, {ACTIVITY} \
         FROM enterprises e WHERE {filter}) d{outer} \
         ORDER BY CASE WHEN d.{sort} IS NULL THEN 1 ELSE 0 END, d.{sort} {dir}, d.id {dir} \
         LIMIT {} OFFSET {}",
        window.limit, window.offset
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        query = query.bind(b.as_str());
    }
    query
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(activity_of)
        .collect()
}

/// One page of the directory and how many enterprises match in all.
pub async fn list_directory(
    db: &Db,
    q: &DirectoryQuery,
    window: &Window,
) -> Result<(Vec<EnterpriseActivity>, u64), DbError> {
    let (filter, mut binds) = enterprise_filter(q, None)?;
    let count_sql = match &q.active_since {
        None => format!("SELECT COUNT(*) AS n FROM enterprises e WHERE {filter}"),
        Some(since) => {
            binds.push(since.clone());
            format!(
                "SELECT COUNT(*) AS n FROM enterprises e WHERE {filter} AND EXISTS \
                 (SELECT 1 FROM transactions t WHERE t.enterprise_id = e.id AND t.submitted_at >= ${})",
                binds.len()
            )
        }
    };
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for b in &binds {
        count = count.bind(b.as_str());
    }
    let total = count_of(&count.fetch_one(&db.pool).await?, "n")?;
    let items = fetch(db, q, None, window).await?;
    Ok((items, total))
}

/// One enterprise with its activity, if it lies in the scope.
pub async fn directory_entry(
    db: &Db,
    scope: &RegionScope,
    id: EnterpriseId,
) -> Result<Option<EnterpriseActivity>, DbError> {
    let q = DirectoryQuery {
        scope: scope.clone(),
        keyword: None,
        kind: None,
        active_since: None,
    };
    let window = Window {
        sort: DIRECTORY_SORTS[0],
        descending: false,
        limit: 1,
        offset: 0,
    };
    Ok(fetch(db, &q, Some(id), &window).await?.pop())
}
