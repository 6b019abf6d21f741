//! Spreadsheet imports: every row of a file written in one transaction, or none.

use super::audit::Actor;
use super::journal::{
    IdempotencyKey, StoredAnswer, idempotent_answer, lock_enterprises, store_answer,
};
use super::products::insert_product_row;
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use suyuan_core::model::Product;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// The rows are written.
    Done,
    /// A retry with the same key: the first answer, nothing written.
    Replayed(StoredAnswer),
}

/// Writes all `products` (with their audit rows) in one transaction. With a key, a retry gets
/// `answer` of the first call back and writes nothing; the first call stores `answer` (201).
pub async fn import_products(
    db: &Db,
    products: &[Product],
    actor: &Actor,
    key: Option<&IdempotencyKey>,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<Imported, DbError> {
    let at = timestamp(now);
    let mut tx = db.pool.begin().await?;
    // Serialises concurrent retries of one enterprise so a key is answered once.
    lock_enterprises(&mut tx, &[actor.enterprise_id]).await?;
    if let Some(key) = key
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Imported::Replayed(first));
    }
    for p in products {
        insert_product_row(&mut tx, p, actor, &at).await?;
    }
    if let Some(key) = key {
        store_answer(&mut tx, key, 201, answer, &at).await?;
    }
    tx.commit().await?;
    Ok(Imported::Done)
}
