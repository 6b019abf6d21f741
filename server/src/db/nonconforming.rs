//! Nonconforming listings (不合格化妆品信息): a regulator's sampling result or an enterprise's
//! own finding about its product. A submitted listing marks its batches nonconforming for
//! everyone — the submit check reads these rows by product (`submit.rs`) and refuses sales of
//! them — and every holder of the batches is told through its change feed, as again at each
//! change of its handling (a revoked listing frees the batches: `NonconformingRecord::lists`).

use super::impact::{begin_with_holders, uuid_of};
use super::recall_holders::{count, uint};
use super::recalls::{Author, Viewer, notify};
use super::{Db, DbError, Window, search_text, timestamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{EnterpriseId, NonconformingId, NonconformingRecord, NonconformingStatus};
use suyuan_core::rules::recall::{Holder, HolderBatch};

/// Columns a listing list sorts by.
pub const LISTING_SORTS: [&str; 2] = ["created_at", "updated_at"];

/// The stored code of a handling state.
pub fn listing_state_code(s: NonconformingStatus) -> &'static str {
    match s {
        NonconformingStatus::Open => "open",
        NonconformingStatus::Handling => "handling",
        NonconformingStatus::Closed => "closed",
        NonconformingStatus::Revoked => "revoked",
    }
}

/// A listing as stored, with its region and times.
#[derive(Debug, Clone, Serialize)]
pub struct StoredListing {
    /// The record.
    pub listing: NonconformingRecord,
    /// The region it belongs to: the listing regulator's, or the reporting enterprise's.
    pub region_code: String,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// One enterprise a listing reached.
#[derive(Debug, Clone, Serialize)]
pub struct ListingHolder {
    /// The enterprise.
    pub enterprise_id: EnterpriseId,
    /// Its name.
    pub enterprise_name: String,
    /// Its region.
    pub region_code: String,
    /// Produced plus bought of the batches.
    pub quantity_received: u64,
    /// Held when listed, including what was on its way to it.
    pub quantity_held: u64,
    /// Per batch.
    pub batches: Vec<HolderBatch>,
    /// When it was reached.
    pub created_at: String,
}

fn stored_of(r: &AnyRow) -> Result<StoredListing, DbError> {
    Ok(StoredListing {
        listing: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
        region_code: r
            .try_get::<Option<String>, _>("region_code")?
            .unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn holder_of(r: &AnyRow) -> Result<ListingHolder, DbError> {
    Ok(ListingHolder {
        enterprise_id: EnterpriseId(uuid_of(&r.try_get::<String, _>("enterprise_id")?)?),
        enterprise_name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        quantity_received: uint(r, "quantity_received")?,
        quantity_held: uint(r, "quantity_held")?,
        batches: serde_json::from_str(&r.try_get::<String, _>("batches")?)?,
        created_at: r.try_get("created_at")?,
    })
}

fn listing_search(n: &NonconformingRecord) -> String {
    let mut parts = vec![
        n.product_name.as_str(),
        &n.defect,
        &n.test_report_number,
        &n.handling_measures,
    ];
    parts.extend(n.batches.iter().map(String::as_str));
    search_text(parts)
}

/// Stores a submitted listing and reaches every holder of its batches. Returns the holders.
pub async fn create_listing(
    db: &Db,
    listing: &NonconformingRecord,
    region_code: &str,
    author: Author,
    now: DateTime<Utc>,
) -> Result<Vec<Holder>, DbError> {
    let reporter: Vec<EnterpriseId> = listing.reported_by.into_iter().collect();
    let (mut tx, holders) =
        begin_with_holders(db, listing.product_id, &listing.batches, &reporter).await?;
    let at = timestamp(now);
    let id = listing.id.to_string();
    let body = serde_json::to_string(listing)?;
    sqlx::query(
        "INSERT INTO nonconforming (id, product_id, reported_by, region_code, state, search, body, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(listing.product_id.to_string())
    .bind(listing.reported_by.map(|e| e.to_string()))
    .bind(region_code)
    .bind(listing_state_code(listing.state))
    .bind(listing_search(listing))
    .bind(&body)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    for h in &holders {
        sqlx::query(
            "INSERT INTO nonconforming_holders (listing_id, enterprise_id, quantity_received, \
             quantity_held, batches, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(h.enterprise_id.to_string())
        .bind(count(h.quantity_received))
        .bind(count(h.quantity_held))
        .bind(serde_json::to_string(&h.batches)?)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    let mut to = reporter;
    to.extend(holders.iter().map(|h| h.enterprise_id));
    notify(&mut tx, "nonconforming", &id, &to, &at).await?;
    author
        .log(
            &mut tx,
            &at,
            "create",
            "nonconforming",
            &id,
            (None, Some(&body)),
        )
        .await?;
    tx.commit().await?;
    Ok(holders)
}

/// The condition on `nonconforming n` that shows a listing to `viewer`, binding `$first`: an
/// enterprise sees its own records and the listings that reached it, a regulator those of its
/// region.
fn visible(viewer: &Viewer, first: usize) -> (String, String) {
    match viewer {
        Viewer::Enterprise(me) => (
            format!(
                "(n.reported_by = ${first} OR EXISTS (SELECT 1 FROM nonconforming_holders vh \
                 WHERE vh.listing_id = n.id AND vh.enterprise_id = ${first}))"
            ),
            me.to_string(),
        ),
        Viewer::Regulator { prefix } => {
            (format!("n.region_code LIKE ${first}"), format!("{prefix}%"))
        }
    }
}

/// A listing `viewer` may see.
pub async fn get_listing(
    db: &Db,
    id: NonconformingId,
    viewer: &Viewer,
) -> Result<Option<StoredListing>, DbError> {
    let (cond, bind) = visible(viewer, 2);
    let sql = format!(
        "SELECT n.body, n.region_code, n.created_at, n.updated_at FROM nonconforming n WHERE n.id = $1 AND {cond}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(bind)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(stored_of).transpose()
}

/// The holders a listing reached, by name; only `only`'s row when given.
pub async fn listing_holders(
    db: &Db,
    id: NonconformingId,
    only: Option<EnterpriseId>,
) -> Result<Vec<ListingHolder>, DbError> {
    let mut sql = "SELECT h.enterprise_id, e.name, e.region_code, h.quantity_received, \
         h.quantity_held, h.batches, h.created_at FROM nonconforming_holders h \
         JOIN enterprises e ON e.id = h.enterprise_id WHERE h.listing_id = $1"
        .to_owned();
    if only.is_some() {
        sql.push_str(" AND h.enterprise_id = $2");
    }
    sql.push_str(" ORDER BY e.name, h.enterprise_id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string());
    if let Some(me) = only {
        q = q.bind(me.to_string());
    }
    let rows = q.fetch_all(&db.pool).await?;
    rows.iter().map(holder_of).collect()
}

/// Which listings a list shows, besides what the viewer may see.
#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    /// One handling state.
    pub state: Option<NonconformingStatus>,
    /// Lower-cased keyword over product name, defect, report number, measures and batches.
    pub keyword: Option<String>,
}

/// One page of the listings `viewer` may see, and the total.
pub async fn list_listings(
    db: &Db,
    viewer: &Viewer,
    filter: &ListingFilter,
    window: &Window,
) -> Result<(Vec<StoredListing>, u64), DbError> {
    let (cond, bind) = visible(viewer, 1);
    let mut clauses = vec![cond];
    let mut binds = vec![bind];
    if let Some(s) = filter.state {
        binds.push(listing_state_code(s).to_owned());
        clauses.push(format!("n.state = ${}", binds.len()));
    }
    if let Some(k) = &filter.keyword {
        binds.push(format!("%{}%", super::listing::escape_like(k)));
        clauses.push(format!("n.search LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let (rows, total) =
        super::listing::region_page(db, "nonconforming", "n", &clauses, &binds, window).await?;
    let items = rows.iter().map(stored_of).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// The condition that lets `viewer` change a listing's handling: its reporting enterprise, or
/// a regulator of its region.
fn manages(viewer: &Viewer, first: usize) -> (String, String) {
    match viewer {
        Viewer::Enterprise(me) => (format!("n.reported_by = ${first}"), me.to_string()),
        Viewer::Regulator { .. } => visible(viewer, first),
    }
}

/// A listing `viewer` manages.
pub async fn managed_listing(
    db: &Db,
    id: NonconformingId,
    viewer: &Viewer,
) -> Result<Option<StoredListing>, DbError> {
    let (cond, bind) = manages(viewer, 2);
    let sql = format!(
        "SELECT n.body, n.region_code, n.created_at, n.updated_at FROM nonconforming n WHERE n.id = $1 AND {cond}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(bind)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(stored_of).transpose()
}

/// Stores a listing's new handling (`next`, checked by the caller against `current`) and
/// tells its holders and reporter. False when another change got there first.
pub async fn update_listing(
    db: &Db,
    current: &NonconformingRecord,
    next: &NonconformingRecord,
    author: Author,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let id = next.id.to_string();
    let mut to: Vec<EnterpriseId> = next.reported_by.into_iter().collect();
    for h in listing_holders(db, next.id, None).await? {
        to.push(h.enterprise_id);
    }
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&to).await?;
    let at = timestamp(now);
    let before = serde_json::to_string(current)?;
    let body = serde_json::to_string(next)?;
    // Only the state the caller checked is replaced, so two changes cannot both pass.
    let done = sqlx::query(
        "UPDATE nonconforming SET state = $1, search = $2, body = $3, updated_at = $4 \
         WHERE id = $5 AND state = $6",
    )
    .bind(listing_state_code(next.state))
    .bind(listing_search(next))
    .bind(&body)
    .bind(&at)
    .bind(&id)
    .bind(listing_state_code(current.state))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    notify(&mut tx, "nonconforming", &id, &to, &at).await?;
    author
        .log(
            &mut tx,
            &at,
            "handle",
            "nonconforming",
            &id,
            (Some(&before), Some(&body)),
        )
        .await?;
    tx.commit().await?;
    Ok(true)
}
