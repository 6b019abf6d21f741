//! The product library (产品信息库): any enterprise reads it, only a product's owner writes it.

use super::audit::{Actor, audit};
use super::journal::{IdempotencyKey, append_feed, idempotent_answer, store_answer};
use super::listing::{Filter, Stamped, Window, exists, get_body, list_bodies};
use super::transactions::Written;
use super::{Db, DbError, search_text, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::{EnterpriseId, NonconformingRecord, Product, ProductId, Recall};

/// What a delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The row is gone.
    Deleted,
    /// No such row of this owner.
    NotFound,
    /// Other records refer to it; it stays. Names what refers to it.
    Referenced(&'static str),
}

fn product_search(p: &Product) -> String {
    search_text([
        p.generic_name.as_str(),
        &p.brand,
        &p.registration_number,
        &p.registrant,
        &p.manufacturer,
    ])
}

/// Stores a new product.
pub async fn insert_product(
    db: &Db,
    p: &Product,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    insert_product_on(&mut tx, p, actor, &at).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a new product under an id the client chose, unless the id is taken: then it answers
/// the id's owner and writes nothing. The check runs under the writer's lock, so a product
/// delivered twice at once (a retry overtaking the first delivery) is written once.
pub async fn insert_product_unless_taken(
    db: &Db,
    p: &Product,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    let owner =
        super::sync::record_owner_on(&mut tx, super::RecordTable::Products, &p.id.to_string())
            .await?;
    if owner.is_some() {
        tx.rollback().await?;
        return Ok(owner);
    }
    insert_product_on(&mut tx, p, actor, &at).await?;
    tx.commit().await?;
    Ok(None)
}

/// Stores a new product inside the caller's transaction, with its audit and feed rows.
pub(super) async fn insert_product_on(
    conn: &mut sqlx::AnyConnection,
    p: &Product,
    actor: &Actor,
    at: &str,
) -> Result<(), DbError> {
    let body = serde_json::to_string(p)?;
    let id = p.id.to_string();
    sqlx::query(
        "INSERT INTO products (id, owner_id, generic_name, brand, registration_number, search, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(p.owner.to_string())
    .bind(&p.generic_name)
    .bind(&p.brand)
    .bind(p.registration_number.trim())
    .bind(product_search(p))
    .bind(&body)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    audit(
        &mut *conn,
        &actor.entry(at, "create", "product", &id, None, Some(&body)),
    )
    .await?;
    append_feed(conn, p.owner, "product", &id, at).await
}

/// One product, whoever owns it.
pub async fn get_product(db: &Db, id: ProductId) -> Result<Option<Stamped<Product>>, DbError> {
    let mut conn = db.pool.acquire().await?;
    get_body(&mut conn, "products", &id.to_string(), None).await
}

/// Replaces a product of the actor's enterprise; false when it has no such product.
pub async fn update_product(
    db: &Db,
    p: &Product,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    let done = update_product_on(&mut tx, p, actor, &at).await?;
    tx.commit().await?;
    Ok(done)
}

/// [`update_product`] applied at most once by `key`: a key used before answers its first
/// answer and writes nothing (a replayed edit must not undo a later one). `None` when the
/// enterprise has no such product.
pub async fn update_product_once(
    db: &Db,
    p: &Product,
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
    if !update_product_on(&mut tx, p, actor, &at).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let answer = serde_json::json!({ "id": p.id }).to_string();
    store_answer(&mut tx, key, 200, &answer, &at).await?;
    tx.commit().await?;
    Ok(Some(Written::Done(())))
}

async fn update_product_on(
    tx: &mut sqlx::AnyConnection,
    p: &Product,
    actor: &Actor,
    at: &str,
) -> Result<bool, DbError> {
    let id = p.id.to_string();
    let owner = actor.enterprise_id.to_string();
    let Some(before) =
        get_body::<serde_json::Value>(&mut *tx, "products", &id, Some(&owner)).await?
    else {
        return Ok(false);
    };
    let body = serde_json::to_string(p)?;
    sqlx::query(
        "UPDATE products SET generic_name = $1, brand = $2, registration_number = $3, search = $4, \
         body = $5, updated_at = $6 WHERE id = $7 AND owner_id = $8",
    )
    .bind(&p.generic_name)
    .bind(&p.brand)
    .bind(p.registration_number.trim())
    .bind(product_search(p))
    .bind(&body)
    .bind(at)
    .bind(&id)
    .bind(&owner)
    .execute(&mut *tx)
    .await?;
    let before = before.record.to_string();
    audit(
        &mut *tx,
        &actor.entry(at, "update", "product", &id, Some(&before), Some(&body)),
    )
    .await?;
    append_feed(&mut *tx, actor.enterprise_id, "product", &id, at).await?;
    Ok(true)
}

/// Deletes a product of the actor's enterprise unless a barcode, a submitted document line,
/// a nonconforming listing or a recall names it.
pub async fn delete_product(
    db: &Db,
    id: ProductId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Removal, DbError> {
    let at = timestamp(now);
    let id = id.to_string();
    let owner = actor.enterprise_id.to_string();
    let mut tx = db.begin_write().await?;
    let Some(before) =
        get_body::<serde_json::Value>(&mut tx, "products", &id, Some(&owner)).await?
    else {
        return Ok(Removal::NotFound);
    };
    let references: [(&str, &'static str); 4] = [
        (
            "SELECT 1 FROM barcodes WHERE product_id = $1 LIMIT 1",
            "barcode",
        ),
        (
            "SELECT 1 FROM transaction_lines WHERE product_id = $1 LIMIT 1",
            "transaction",
        ),
        (
            "SELECT 1 FROM nonconforming WHERE product_id = $1 LIMIT 1",
            "nonconforming",
        ),
        (
            "SELECT 1 FROM recalls WHERE product_id = $1 LIMIT 1",
            "recall",
        ),
    ];
    for (sql, what) in references {
        if exists(&mut tx, sql, &id).await? {
            return Ok(Removal::Referenced(what));
        }
    }
    sqlx::query("DELETE FROM products WHERE id = $1 AND owner_id = $2")
        .bind(&id)
        .bind(&owner)
        .execute(&mut *tx)
        .await?;
    let before = before.record.to_string();
    audit(
        &mut tx,
        &actor.entry(&at, "delete", "product", &id, Some(&before), None),
    )
    .await?;
    append_feed(&mut tx, actor.enterprise_id, "product", &id, &at).await?;
    tx.commit().await?;
    Ok(Removal::Deleted)
}

/// The recalls and nonconforming listings of these products, from which their status is
/// derived (`suyuan_core::rules::status::Blocks`).
pub async fn product_blocks(
    db: &Db,
    ids: &[ProductId],
) -> Result<(Vec<Recall>, Vec<NonconformingRecord>), DbError> {
    if ids.is_empty() {
        return Ok((vec![], vec![]));
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let list = placeholders.join(", ");
    let mut recalls = Vec::new();
    let mut listings = Vec::new();
    for table in ["recalls", "nonconforming"] {
        // Only placeholders are interpolated; the ids are bound.
        let sql = format!("SELECT body FROM {table} WHERE product_id IN ({list})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id.to_string());
        }
        for row in q.fetch_all(&db.pool).await? {
            let body: String = row.try_get("body")?;
            if table == "recalls" {
                recalls.push(serde_json::from_str(&body)?);
            } else {
                listings.push(serde_json::from_str(&body)?);
            }
        }
    }
    Ok((recalls, listings))
}

/// Columns a product list sorts by.
pub const PRODUCT_SORTS: [&str; 3] = ["updated_at", "generic_name", "created_at"];

/// Which products a list shows.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    /// Only this enterprise's, or everyone's.
    pub owner: Option<EnterpriseId>,
    /// Lower-cased keyword matched against names and numbers.
    pub keyword: Option<String>,
    /// Exact registration or filing number.
    pub registration_number: Option<String>,
}

/// One page of products and the total.
pub async fn list_products(
    db: &Db,
    q: &ProductQuery,
    window: &Window,
) -> Result<(Vec<Stamped<Product>>, u64), DbError> {
    let mut f = Filter::default();
    if let Some(owner) = q.owner {
        f.eq("owner_id", owner.to_string());
    }
    if let Some(k) = &q.keyword {
        f.contains("search", k);
    }
    if let Some(r) = &q.registration_number {
        f.eq("registration_number", r.trim());
    }
    list_bodies(db, &window.over("products", &f)).await
}
