//! The products a document's lines name, read for the line checks (the catalog owns the rest).

use super::DbError;
use sqlx::Row;
use std::collections::HashMap;
use suyuan_core::model::{Product, ProductId};

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

/// The products the writes of one transaction have read, so that documents naming the same
/// products (a push's, a batch's) read each once. Within the transaction it stands for the
/// library as the transaction found it.
#[derive(Debug, Default)]
pub(super) struct Library {
    known: HashMap<ProductId, Product>,
}

impl Library {
    /// The products among `ids` that exist; those not read before are read now.
    pub(super) async fn products(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        ids: &[ProductId],
    ) -> Result<HashMap<ProductId, Product>, DbError> {
        let missing: Vec<ProductId> = ids
            .iter()
            .filter(|id| !self.known.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            self.known.extend(products_by_id(conn, &missing).await?);
        }
        Ok(ids
            .iter()
            .filter_map(|id| self.known.get(id).map(|p| (*id, p.clone())))
            .collect())
    }
}
