//! Spreadsheet imports: every row of a file written in one transaction, or none.

use super::audit::Actor;
use super::journal::{
    Audit, IdempotencyKey, StoredAnswer, append_feed, audit, idempotent_answer, store_answer,
};
use super::product_refs::placeholders;
use super::products::insert_product_on;
use super::transactions::{DocError, check_draft, china_today, insert_doc_row};
use super::{Db, DbError, timestamp};
use crate::excel::transactions::{ImportDoc, at_rows};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;
use suyuan_core::model::{EnterpriseId, Product, ProductId};
use suyuan_core::{Problem, Severity};
use uuid::Uuid;

/// Most values bound in one `IN (...)` list.
const CHUNK: usize = 500;

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
    let mut tx = db.begin_write().await?;
    // Serialises concurrent retries of one enterprise so a key is answered once.
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    if let Some(key) = key
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Imported::Replayed(first));
    }
    for p in products {
        insert_product_on(&mut tx, p, actor, &at).await?;
    }
    if let Some(key) = key {
        store_answer(&mut tx, key, 201, answer, &at).await?;
    }
    tx.commit().await?;
    Ok(Imported::Done)
}

/// Product ids of references written in a sheet: a product id as is, a GTIN (8 to 14 digits)
/// through the barcode library, otherwise a registration number, the importer's own product
/// first, then the oldest. Unknown references are absent from the map.
async fn resolve_refs(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    refs: &[&str],
) -> Result<HashMap<String, ProductId>, DbError> {
    let mut found = HashMap::new();
    let mut gtins = Vec::new();
    let mut numbers = Vec::new();
    for r in refs {
        if let Ok(id) = Uuid::parse_str(r) {
            found.insert((*r).to_owned(), ProductId(id));
        } else if (8..=14).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_digit()) {
            gtins.push(*r);
        } else {
            numbers.push(*r);
        }
    }
    gtins.sort_unstable();
    gtins.dedup();
    numbers.sort_unstable();
    numbers.dedup();
    let me = enterprise.to_string();
    let lookups = [
        (
            gtins,
            "SELECT gtin AS k, product_id AS id, owner_id, created_at FROM barcodes WHERE gtin IN",
        ),
        (
            numbers,
            "SELECT registration_number AS k, id, owner_id, created_at FROM products WHERE registration_number IN",
        ),
    ];
    for (keys, select) in lookups {
        for chunk in keys.chunks(CHUNK) {
            // Only placeholders are interpolated; the values are bound.
            let sql = format!(
                "{select} ({}) ORDER BY created_at, id",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.to_string());
            }
            let mut best: HashMap<String, (bool, ProductId)> = HashMap::new();
            for row in q.fetch_all(&mut *conn).await? {
                let k: String = row.try_get("k")?;
                let id: String = row.try_get("id")?;
                let owner: String = row.try_get("owner_id")?;
                let id = Uuid::parse_str(&id).map_err(|e| DbError::Invalid(e.to_string()))?;
                let mine = owner == me;
                match best.get(&k) {
                    Some((true, _)) => {}
                    Some((false, _)) if !mine => {}
                    _ => {
                        best.insert(k, (mine, ProductId(id)));
                    }
                }
            }
            found.extend(best.into_iter().map(|(k, (_, id))| (k, id)));
        }
    }
    Ok(found)
}

/// Writes all documents of a file as drafts in one transaction, or none: product references
/// are resolved, each draft is checked as a single save would be, and every error of every
/// document is reported (re-addressed to its sheet rows). With a key, a retry gets the first
/// answer back. Returns the ids of the drafts in file order.
pub async fn import_drafts(
    db: &Db,
    mut docs: Vec<ImportDoc>,
    account: Uuid,
    enterprise: EnterpriseId,
    key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Result<Vec<String>, StoredAnswer>, DocError> {
    let at = timestamp(now);
    let today = china_today(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[enterprise]).await?;
    if let Some(key) = key
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Err(first));
    }
    let refs: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.line_refs.iter().map(String::as_str))
        .collect();
    let ids = resolve_refs(&mut tx, enterprise, &refs).await?;
    let mut problems = Vec::new();
    for d in &mut docs {
        for (i, r) in d.line_refs.iter().enumerate() {
            match ids.get(r) {
                Some(id) => {
                    d.doc.lines[i].product_id = *id;
                    if r.bytes().all(|b| b.is_ascii_digit()) {
                        d.doc.lines[i].gtin = Some(r.clone());
                    }
                }
                None => problems.push(Problem::error(
                    format!("lines[{}].product", d.line_rows[i]),
                    "product.unknown",
                    format!("「明细」第 {} 行：产品库中没有 {r}", d.line_rows[i]),
                    format!(
                        "Lines row {}: no product {r} in the product library",
                        d.line_rows[i]
                    ),
                )),
            }
        }
        let found = check_draft(&mut tx, &mut d.doc, today).await?;
        problems.extend(
            found
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                // An unresolved reference is reported once, above, not again as a nil product.
                .filter(|p| !(p.field.ends_with(".product_id") && p.rule == "required"))
                .map(|p| at_rows(d, p)),
        );
    }
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }
    let mut written = Vec::with_capacity(docs.len());
    for d in &docs {
        insert_doc_row(&mut tx, &d.doc, None, &at).await?;
        let id = d.doc.id.to_string();
        let body = serde_json::to_string(&d.doc)?;
        append_feed(&mut tx, enterprise, "transaction", &id, &at).await?;
        audit(
            &mut tx,
            Audit {
                account,
                enterprise,
                action: "create",
                entity: "transaction",
                entity_id: &id,
                before: None,
                after: Some(&body),
            },
            &at,
        )
        .await?;
        written.push(id);
    }
    if let Some(key) = key {
        let answer = serde_json::json!({ "imported": written.len(), "ids": written });
        store_answer(&mut tx, key, 201, &answer.to_string(), &at).await?;
    }
    tx.commit().await?;
    Ok(Ok(written))
}
