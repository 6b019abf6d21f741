//! Batch import (ERP): many products and documents written in ONE database transaction. A
//! batch is all-or-nothing; every refused record is named by its index, and a retried batch
//! answers the first answer and writes nothing.

use super::audit::Actor;
use super::journal::{IdempotencyKey, idempotent_answer, store_answer};
use super::product_refs::placeholders;
use super::products::insert_product_on;
use super::rows::CHUNK_ROWS;
use super::submit::{SubmitOptions, Submits, submit_on};
use super::transactions::{DocError, Written, create_draft_on, fetch_doc};
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashSet;
use suyuan_core::Problem;
use suyuan_core::model::{Product, Transaction};
use suyuan_core::sync::batch::{BatchResponse, BatchResult};

/// One record of a batch, parsed and shaped by the HTTP layer.
#[derive(Debug, Clone)]
pub enum BatchItem {
    /// A product, already validated.
    Product(Product),
    /// A document, saved as a draft or submitted with these options.
    Transaction(Transaction, Option<SubmitOptions>),
}

/// Prefixes every problem's field with the record's place, e.g. `records[3].lines[0].batch`.
pub fn at_index(index: usize, problems: Vec<Problem>) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|mut p| {
            p.field = if p.field.is_empty() {
                format!("records[{index}]")
            } else {
                format!("records[{index}].{}", p.field)
            };
            p
        })
        .collect()
}

fn id_taken(index: usize) -> Problem {
    Problem::error(
        format!("records[{index}].id"),
        "id.taken",
        "该 id 已被另一条记录使用",
        "This id is already used by another record",
    )
}

/// The ids among `ids` that `table` already holds, read with one statement per
/// [`CHUNK_ROWS`] ids.
async fn taken_ids(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    ids: &[String],
) -> Result<HashSet<String>, DbError> {
    let mut taken = HashSet::new();
    for chunk in ids.chunks(CHUNK_ROWS) {
        // The table is one of two names in this file, never input; the rest are placeholders.
        let sql = format!(
            "SELECT id FROM {table} WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            taken.insert(row.try_get::<String, _>("id")?);
        }
    }
    Ok(taken)
}

/// Writes the batch, or nothing. `key` identifies the batch by its records' ids; its stored
/// answer is replayed to a retry.
pub async fn import_batch(
    db: &Db,
    items: Vec<BatchItem>,
    actor: &Actor,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> Result<Written<BatchResponse>, DocError> {
    let at = timestamp(now);
    let me = actor.enterprise_id;
    // Every enterprise whose feed or inbox a document may write to, locked up front in id
    // order: counterparties, and those of corrected documents (submitted, so they stay put).
    let mut involved = vec![me];
    let mut conn = db.pool.acquire().await?;
    for item in &items {
        if let BatchItem::Transaction(doc, _) = item {
            involved.extend(doc.counterparty.as_ref().and_then(|c| c.enterprise_id));
            if let Some(old) = doc.corrects
                && let Some(o) = fetch_doc(&mut conn, me, old).await?
            {
                involved.extend(o.document.counterparty.and_then(|c| c.enterprise_id));
            }
        }
    }
    drop(conn);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&involved).await?;
    if let Some(first) = idempotent_answer(&mut tx, key).await? {
        return Ok(Written::Replayed(first));
    }
    let ids_of = |want_products: bool| -> Vec<String> {
        items
            .iter()
            .filter_map(|item| match item {
                BatchItem::Product(p) if want_products => Some(p.id.to_string()),
                BatchItem::Transaction(d, _) if !want_products => Some(d.id.to_string()),
                _ => None,
            })
            .collect()
    };
    let taken_products = taken_ids(&mut tx, "products", &ids_of(true)).await?;
    let taken_documents = taken_ids(&mut tx, "transactions", &ids_of(false)).await?;
    let mut submits = Submits::default();
    let mut problems = Vec::new();
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let taken = match &item {
            BatchItem::Product(p) => taken_products.contains(&p.id.to_string()),
            BatchItem::Transaction(d, _) => taken_documents.contains(&d.id.to_string()),
        };
        if taken {
            problems.push(id_taken(index));
            continue;
        }
        let written = match item {
            BatchItem::Product(p) => insert_product_on(&mut tx, &p, actor, &at)
                .await
                .map(|()| ("product", p.id.0, None))
                .map_err(DocError::from),
            BatchItem::Transaction(doc, None) => create_draft_on(
                &mut tx,
                (&mut submits.pending, &mut submits.library),
                doc,
                actor.account_id,
                None,
                now,
            )
            .await
            .map(|d| ("transaction", d.id.0, Some("draft"))),
            BatchItem::Transaction(doc, Some(options)) => submit_on(
                &mut tx,
                &mut submits,
                doc,
                false,
                &options,
                actor.account_id,
                now,
            )
            .await
            .map(|(d, _)| ("transaction", d.id.0, Some("submitted"))),
        };
        match written {
            Ok((entity, id, status)) => results.push(BatchResult {
                index,
                entity: entity.to_owned(),
                id,
                status: status.map(str::to_owned),
            }),
            Err(DocError::Invalid(ps)) => problems.extend(at_index(index, ps)),
            // A failed statement may have aborted the transaction (PostgreSQL): stop here.
            Err(DocError::Conflict(p)) => {
                problems.extend(at_index(index, vec![p]));
                return Err(DocError::Invalid(problems));
            }
            Err(DocError::NotFound) => {
                problems.push(Problem::error(
                    format!("records[{index}]"),
                    "not_found",
                    "记录不存在",
                    "No such record",
                ));
                return Err(DocError::Invalid(problems));
            }
            Err(e @ DocError::Db(_)) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }
    let answer = BatchResponse { records: results };
    store_answer(&mut tx, key, 201, &serde_json::to_string(&answer)?, &at).await?;
    submits.finish(&mut tx, &at).await?;
    tx.commit().await?;
    Ok(Written::Done(answer))
}
