//! The least of the product library that documents need: store a product (tests, demo data)
//! and read the products a document's lines name. The catalog API owns the rest.

use super::{Db, DbError, search_text, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;
use suyuan_core::model::{Product, ProductId};

/// Stores a new product.
pub async fn insert_product(db: &Db, p: &Product, now: DateTime<Utc>) -> Result<(), DbError> {
    let at = timestamp(now);
    sqlx::query(
        "INSERT INTO products (id, owner_id, generic_name, brand, registration_number, search, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(p.id.to_string())
    .bind(p.owner.to_string())
    .bind(&p.generic_name)
    .bind(&p.brand)
    .bind(&p.registration_number)
    .bind(search_text([
        p.generic_name.as_str(),
        p.brand.as_str(),
        p.registration_number.as_str(),
    ]))
    .bind(serde_json::to_string(p)?)
    .bind(at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// `$first, $first+1, …` for `n` values: placeholders only, never data.
pub(super) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The products among `ids` that exist (any owner: the library is public).
pub(super) async fn products_by_id(
    conn: &mut sqlx::AnyConnection,
    ids: &[ProductId],
) -> Result<HashMap<ProductId, Product>, DbError> {
    let mut ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT body FROM products WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(id.clone());
    }
    let mut found = HashMap::new();
    for row in q.fetch_all(conn).await? {
        let p: Product = serde_json::from_str(&row.try_get::<String, _>("body")?)?;
        found.insert(p.id, p);
    }
    Ok(found)
}
