//! The barcode library (产品条形码库). Like products, barcodes are public: a phone that scans a
//! GTIN finds the product whoever entered it. Only the owner writes its barcodes.

use super::audit::{Actor, audit};
use super::journal::{IdempotencyKey, append_feed, idempotent_answer, store_answer};
use super::listing::{Filter, Stamped, Window, get_body, list_bodies};
use super::products::Removal;
use super::transactions::Written;
use super::{Db, DbError, search_text, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::{Barcode, BarcodeId, EnterpriseId, ProductId};
use suyuan_core::validate::to_gtin14;

/// Columns a barcode list sorts by.
pub const BARCODE_SORTS: [&str; 3] = ["updated_at", "gtin", "created_at"];

/// The GTIN as stored in the `gtin` column: 14 digits, so an EAN-13 and its GTIN-14 form are
/// one code for uniqueness and lookup.
pub fn gtin_key(gtin: &str) -> String {
    let g = gtin.trim();
    to_gtin14(g).unwrap_or_else(|| g.to_owned())
}

fn barcode_search(b: &Barcode, product_name: &str) -> String {
    search_text([
        b.gtin.as_str(),
        &b.specification,
        &b.package_specification,
        product_name,
    ])
}

/// Stores a new barcode; `product_name` joins its keyword text.
pub async fn insert_barcode(
    db: &Db,
    b: &Barcode,
    product_name: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    insert_barcode_on(&mut tx, b, product_name, actor, &at).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a new barcode under an id the client chose, unless the id is taken: then it answers
/// the id's owner and writes nothing (checked under the writer's lock, as products are).
pub async fn insert_barcode_unless_taken(
    db: &Db,
    b: &Barcode,
    product_name: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    let owner =
        super::sync::record_owner_on(&mut tx, super::RecordTable::Barcodes, &b.id.to_string())
            .await?;
    if owner.is_some() {
        tx.rollback().await?;
        return Ok(owner);
    }
    insert_barcode_on(&mut tx, b, product_name, actor, &at).await?;
    tx.commit().await?;
    Ok(None)
}

async fn insert_barcode_on(
    tx: &mut sqlx::AnyConnection,
    b: &Barcode,
    product_name: &str,
    actor: &Actor,
    at: &str,
) -> Result<(), DbError> {
    let body = serde_json::to_string(b)?;
    let id = b.id.to_string();
    sqlx::query(
        "INSERT INTO barcodes (id, owner_id, product_id, gtin, search, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(b.owner.to_string())
    .bind(b.product_id.to_string())
    .bind(gtin_key(&b.gtin))
    .bind(barcode_search(b, product_name))
    .bind(&body)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut *tx,
        &actor.entry(at, "create", "barcode", &id, None, Some(&body)),
    )
    .await?;
    // The owner's phones cache the barcode library, so the scanner knows its GTINs offline.
    append_feed(&mut *tx, b.owner, "barcode", &id, at).await
}

/// One barcode, whoever owns it.
pub async fn get_barcode(db: &Db, id: BarcodeId) -> Result<Option<Stamped<Barcode>>, DbError> {
    let mut conn = db.pool.acquire().await?;
    get_body(&mut conn, "barcodes", &id.to_string(), None).await
}

/// Replaces a barcode of the actor's enterprise; false when it has no such barcode.
pub async fn update_barcode(
    db: &Db,
    b: &Barcode,
    product_name: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    let done = update_barcode_on(&mut tx, b, product_name, actor, &at).await?;
    tx.commit().await?;
    Ok(done)
}

/// [`update_barcode`] applied at most once by `key`: a key used before answers its first
/// answer and writes nothing. `None` when the enterprise has no such barcode.
pub async fn update_barcode_once(
    db: &Db,
    b: &Barcode,
    product_name: &str,
    actor: &Actor,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> Result<Option<Written<()>>, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    if let Some(first) = idempotent_answer(&mut tx, key).await? {
        tx.rollback().await?;
        return Ok(Some(Written::Replayed(first)));
    }
    if !update_barcode_on(&mut tx, b, product_name, actor, &at).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let answer = serde_json::json!({ "id": b.id }).to_string();
    store_answer(&mut tx, key, 200, &answer, &at).await?;
    tx.commit().await?;
    Ok(Some(Written::Done(())))
}

async fn update_barcode_on(
    tx: &mut sqlx::AnyConnection,
    b: &Barcode,
    product_name: &str,
    actor: &Actor,
    at: &str,
) -> Result<bool, DbError> {
    let id = b.id.to_string();
    let owner = actor.enterprise_id.to_string();
    let Some(before) =
        get_body::<serde_json::Value>(&mut *tx, "barcodes", &id, Some(&owner)).await?
    else {
        return Ok(false);
    };
    let body = serde_json::to_string(b)?;
    sqlx::query(
        "UPDATE barcodes SET product_id = $1, gtin = $2, search = $3, body = $4, updated_at = $5 \
         WHERE id = $6 AND owner_id = $7",
    )
    .bind(b.product_id.to_string())
    .bind(gtin_key(&b.gtin))
    .bind(barcode_search(b, product_name))
    .bind(&body)
    .bind(at)
    .bind(&id)
    .bind(&owner)
    .execute(&mut *tx)
    .await?;
    let before = before.record.to_string();
    audit(
        &mut *tx,
        &actor.entry(at, "update", "barcode", &id, Some(&before), Some(&body)),
    )
    .await?;
    append_feed(&mut *tx, actor.enterprise_id, "barcode", &id, at).await?;
    Ok(true)
}

/// Deletes a barcode of the actor's enterprise (documents name products, not barcodes).
pub async fn delete_barcode(
    db: &Db,
    id: BarcodeId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Removal, DbError> {
    let at = timestamp(now);
    let id = id.to_string();
    let owner = actor.enterprise_id.to_string();
    let mut tx = db.begin_write().await?;
    let Some(before) =
        get_body::<serde_json::Value>(&mut tx, "barcodes", &id, Some(&owner)).await?
    else {
        return Ok(Removal::NotFound);
    };
    sqlx::query("DELETE FROM barcodes WHERE id = $1 AND owner_id = $2")
        .bind(&id)
        .bind(&owner)
        .execute(&mut *tx)
        .await?;
    let before = before.record.to_string();
    audit(
        &mut tx,
        &actor.entry(&at, "delete", "barcode", &id, Some(&before), None),
    )
    .await?;
    append_feed(&mut tx, actor.enterprise_id, "barcode", &id, &at).await?;
    tx.commit().await?;
    Ok(Removal::Deleted)
}

/// Which barcodes a list shows.
#[derive(Debug, Clone, Default)]
pub struct BarcodeQuery {
    /// Only this enterprise's, or everyone's.
    pub owner: Option<EnterpriseId>,
    /// Lower-cased keyword.
    pub keyword: Option<String>,
    /// Only this product's.
    pub product_id: Option<ProductId>,
    /// Only this GTIN (any of its written forms).
    pub gtin: Option<String>,
}

/// One page of barcodes and the total.
pub async fn list_barcodes(
    db: &Db,
    q: &BarcodeQuery,
    window: &Window,
) -> Result<(Vec<Stamped<Barcode>>, u64), DbError> {
    let mut f = Filter::default();
    if let Some(owner) = q.owner {
        f.eq("owner_id", owner.to_string());
    }
    if let Some(k) = &q.keyword {
        f.contains("search", k);
    }
    if let Some(p) = q.product_id {
        f.eq("product_id", p.to_string());
    }
    if let Some(g) = &q.gtin {
        f.eq("gtin", gtin_key(g));
    }
    list_bodies(db, &window.over("barcodes", &f)).await
}

/// Every enterprise's barcodes of one GTIN, `preferred` owner's first.
pub async fn barcodes_by_gtin(
    db: &Db,
    gtin: &str,
    preferred: Option<EnterpriseId>,
) -> Result<Vec<Barcode>, DbError> {
    let rows = sqlx::query(
        "SELECT body, owner_id FROM barcodes WHERE gtin = $1 ORDER BY created_at, id LIMIT 100",
    )
    .bind(gtin_key(gtin))
    .fetch_all(&db.pool)
    .await?;
    let preferred = preferred.map(|p| p.to_string());
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for r in rows {
        let b: Barcode = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
        if preferred.as_deref() == Some(r.try_get::<String, _>("owner_id")?.as_str()) {
            mine.push(b);
        } else {
            others.push(b);
        }
    }
    mine.extend(others);
    Ok(mine)
}
