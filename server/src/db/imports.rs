//! Spreadsheet imports: every row of a file written in one transaction, or none.

use super::audit::Actor;
use super::journal::{
    AuditRow, IdempotencyKey, Pending, StoredAnswer, idempotent_answer, store_answer,
};
use super::partners::{enterprise_by_uscc, insert_partner_on, taken_usccs};
use super::product_refs::placeholders;
use super::products::insert_product_on;
use super::submit::{SubmitOptions, Submits, submit_on};
use super::transactions::{DocError, check_draft, china_today, insert_doc_row};
use super::{Db, DbError, timestamp};
use crate::excel::transactions::{ImportDoc, at_rows};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use suyuan_core::model::{EnterpriseId, Partner, PartnerRole, Product, ProductId};
use suyuan_core::validate::to_gtin14;
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

/// Writes all `partners` (each `(row, partner)`, all of one role) with their audit rows in
/// one transaction, or none: a USCC the enterprise already keeps in that role is reported at
/// its row (`rows[N].uscc`). Each is linked to the registered enterprise of its USCC, as a
/// partner saved through the API is. With a key, a retry gets the first answer back.
pub async fn import_partners(
    db: &Db,
    role: PartnerRole,
    partners: &[(u32, Partner)],
    actor: &Actor,
    key: Option<&IdempotencyKey>,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<Imported, DocError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    if let Some(key) = key
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Imported::Replayed(first));
    }
    let usccs: Vec<&str> = partners.iter().map(|(_, p)| p.uscc.as_str()).collect();
    let taken = taken_usccs(&mut tx, actor.enterprise_id, role, &usccs).await?;
    let problems: Vec<Problem> = partners
        .iter()
        .filter(|(_, p)| taken.iter().any(|t| t == p.uscc.trim()))
        .map(|(row, p)| {
            Problem::error(
                format!("rows[{row}].uscc"),
                "uscc.taken",
                format!("第 {row} 行：已有使用统一社会信用代码 {} 的记录", p.uscc),
                format!(
                    "Row {row}: a record with the unified social credit code {} already exists",
                    p.uscc
                ),
            )
        })
        .collect();
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }
    for (_, p) in partners {
        insert_partner_on(&mut tx, p, actor, &at).await?;
    }
    if let Some(key) = key {
        store_answer(&mut tx, key, 201, answer, &at).await?;
    }
    tx.commit().await?;
    Ok(Imported::Done)
}

/// The GTIN a sheet's digits stand for, as the barcode library stores it (14 digits): a
/// spreadsheet that took the code for a number dropped its leading zeros, which padding
/// restores (the check digit does not change). `None` when the digits are no valid GTIN.
fn gtin_of(reference: &str) -> Option<String> {
    if reference.is_empty()
        || reference.len() > 14
        || !reference.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    to_gtin14(&format!("{reference:0>14}"))
}

/// Product ids of references written in a sheet, each with the GTIN it named if it named
/// one: a product id as is, digits that make a valid GTIN through the barcode library,
/// otherwise a registration number, the importer's own product first, then the oldest.
/// Unknown references are absent from the map.
async fn resolve_refs(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    refs: &[&str],
) -> Result<HashMap<String, (ProductId, Option<String>)>, DbError> {
    let mut found = HashMap::new();
    // Lookup key -> the references written for it (`6901234567892` and `06901234567892`
    // are one GTIN).
    let mut gtins: HashMap<String, Vec<&str>> = HashMap::new();
    let mut numbers: HashMap<String, Vec<&str>> = HashMap::new();
    for r in refs {
        if let Ok(id) = Uuid::parse_str(r) {
            found.insert((*r).to_owned(), (ProductId(id), None));
        } else if let Some(g) = gtin_of(r) {
            gtins.entry(g).or_default().push(r);
        } else {
            numbers.entry((*r).to_owned()).or_default().push(r);
        }
    }
    let me = enterprise.to_string();
    let lookups = [
        (
            gtins,
            true,
            "SELECT gtin AS k, product_id AS id, owner_id, created_at FROM barcodes WHERE gtin IN",
        ),
        (
            numbers,
            false,
            "SELECT registration_number AS k, id, owner_id, created_at FROM products WHERE registration_number IN",
        ),
    ];
    for (wanted, is_gtin, select) in lookups {
        let mut keys: Vec<&String> = wanted.keys().collect();
        keys.sort_unstable();
        for chunk in keys.chunks(CHUNK) {
            // Only placeholders are interpolated; the values are bound.
            let sql = format!(
                "{select} ({}) ORDER BY created_at, id",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind((*k).clone());
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
            for (k, (_, id)) in best {
                let gtin = is_gtin.then(|| k.clone());
                for r in wanted.get(&k).into_iter().flatten() {
                    found.insert((*r).to_owned(), (id, gtin.clone()));
                }
            }
        }
    }
    Ok(found)
}

/// How the documents of a file are written.
#[derive(Debug, Clone)]
pub enum DocumentImport {
    /// As drafts (保存), to be submitted later.
    Drafts,
    /// Submitted (提交) in the same transaction, in file order, each by the one submit path
    /// with these options: stock, opening balances, sales blocks, reconciliation, chain.
    Submit(SubmitOptions),
}

/// Links each counterparty whose USCC is a registered enterprise's (other than the importer)
/// to it, as a client of the JSON API names it, so a submitted document reaches its inbox.
/// Returns the enterprises linked, whose rows a submit must lock.
async fn link_counterparties(
    db: &Db,
    docs: &mut [ImportDoc],
    enterprise: EnterpriseId,
) -> Result<Vec<EnterpriseId>, DbError> {
    let mut usccs: Vec<String> = docs
        .iter()
        .filter_map(|d| d.doc.counterparty.as_ref()?.uscc.clone())
        .collect();
    usccs.sort();
    usccs.dedup();
    let mut found = HashMap::new();
    for u in usccs {
        if let Some(e) = enterprise_by_uscc(db, &u).await?
            && e != enterprise
        {
            found.insert(u, e);
        }
    }
    for d in docs.iter_mut() {
        if let Some(c) = d.doc.counterparty.as_mut()
            && let Some(u) = &c.uscc
        {
            c.enterprise_id = found.get(u).copied();
        }
    }
    Ok(found.into_values().collect())
}

/// The numbers among `docs` that `enterprise` already uses, reported at their rows.
async fn taken_numbers(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    docs: &[ImportDoc],
) -> Result<Vec<Problem>, DbError> {
    let mut taken = HashSet::new();
    for chunk in docs.chunks(CHUNK) {
        // Only placeholders are interpolated; the values are bound.
        let sql = format!(
            "SELECT number FROM transactions WHERE enterprise_id = $1 AND number IN ({})",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(enterprise.to_string());
        for d in chunk {
            q = q.bind(d.doc.number.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            taken.insert(row.try_get::<String, _>("number")?);
        }
    }
    Ok(docs
        .iter()
        .filter(|d| taken.contains(&d.doc.number))
        .map(|d| {
            Problem::error(
                format!("documents[{}].number", d.row),
                "number.taken",
                format!("「单据」第 {} 行：单号 {} 已存在", d.row, d.doc.number),
                format!(
                    "Documents row {}: document number {} is already used",
                    d.row, d.doc.number
                ),
            )
        })
        .collect())
}

/// Writes all documents of a file in one transaction, or none: product references are
/// resolved, counterparties linked by USCC, each document checked as a single save would be,
/// and, when `mode` says submit, each submitted in file order by the one submit path (so a
/// later document sees the stock of an earlier one). Every error of every document is
/// reported, re-addressed to its sheet rows. With a key, a retry gets the first answer back.
/// Returns the ids of the documents in file order.
pub async fn import_documents(
    db: &Db,
    mut docs: Vec<ImportDoc>,
    account: Uuid,
    enterprise: EnterpriseId,
    mode: &DocumentImport,
    key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Result<Vec<String>, StoredAnswer>, DocError> {
    let at = timestamp(now);
    let today = china_today(now);
    let mut involved = link_counterparties(db, &mut docs, enterprise).await?;
    involved.push(enterprise);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&involved).await?;
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
    let mut problems = taken_numbers(&mut tx, enterprise, &docs).await?;
    for d in &mut docs {
        for (i, r) in d.line_refs.iter().enumerate() {
            match ids.get(r) {
                Some((id, gtin)) => {
                    d.doc.lines[i].product_id = *id;
                    d.doc.lines[i].gtin = gtin.clone();
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
    let written: Vec<String> = docs.iter().map(|d| d.doc.id.to_string()).collect();
    match mode {
        DocumentImport::Drafts => save_drafts_on(&mut tx, &docs, &written, account, &at).await?,
        DocumentImport::Submit(options) => {
            let mut submits = Submits::default();
            for d in &docs {
                let submitted = submit_on(
                    &mut tx,
                    &mut submits,
                    d.doc.clone(),
                    false,
                    options,
                    account,
                    now,
                )
                .await;
                match submitted {
                    Ok(_) => {}
                    // Nothing of this document was written: go on, so every document's
                    // problems are reported; the transaction is rolled back below.
                    Err(DocError::Invalid(ps)) => {
                        problems.extend(ps.into_iter().map(|p| at_rows(d, p)));
                    }
                    // A failed statement may have aborted the transaction (PostgreSQL).
                    Err(DocError::Conflict(p)) => {
                        problems.push(at_rows(d, p));
                        return Err(DocError::Invalid(problems));
                    }
                    Err(e) => return Err(e),
                }
            }
            if problems.is_empty() {
                submits.finish(&mut tx, &at).await?;
            }
        }
    }
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }
    if let Some(key) = key {
        let answer = serde_json::json!({ "imported": written.len(), "ids": written });
        store_answer(&mut tx, key, 201, &answer.to_string(), &at).await?;
    }
    tx.commit().await?;
    Ok(Ok(written))
}

/// Inserts checked drafts (all of one enterprise) with their feed and audit rows, which are
/// gathered and written many a statement: a 50,000-line file holds thousands of documents.
async fn save_drafts_on(
    conn: &mut sqlx::AnyConnection,
    docs: &[ImportDoc],
    ids: &[String],
    account: Uuid,
    at: &str,
) -> Result<(), DocError> {
    let mut pending = Pending::default();
    for (d, id) in docs.iter().zip(ids) {
        insert_doc_row(&mut *conn, &d.doc, None, at).await?;
        let enterprise = d.doc.enterprise_id;
        pending.feed(enterprise, "transaction", id);
        pending.audit(AuditRow {
            account,
            enterprise,
            action: "create",
            entity: "transaction",
            entity_id: id.clone(),
            before: None,
            after: Some(serde_json::to_string(&d.doc)?),
        });
    }
    pending.flush(conn, at).await?;
    Ok(())
}
