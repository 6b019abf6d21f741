//! Documents of the five kinds (进销存单据): drafts saved, edited and deleted, and the reads
//! and lists of every document. Submitting lives in `submit.rs`.

use super::journal::{AuditRow, IdempotencyKey, Pending, StoredAnswer, idempotent_answer};
use super::product_refs::Library;
use super::rows::insert_rows;
use super::{Db, DbError, search_text, timestamp, violates_unique};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, Transaction, TransactionId, TransactionKind};
use suyuan_core::problem::Severity;
use suyuan_core::rules::lifecycle::check_correction;
use suyuan_core::validate::validate_transaction;
use uuid::Uuid;

/// Why a document write did not happen.
#[derive(Debug)]
pub enum DocError {
    /// No such record visible to the caller.
    NotFound,
    /// The record's state forbids the action (submitted, taken number, reused key).
    Conflict(Problem),
    /// The input breaks rules; every problem is listed.
    Invalid(Vec<Problem>),
    /// The database failed.
    Db(DbError),
}

impl<E: Into<DbError>> From<E> for DocError {
    fn from(e: E) -> Self {
        DocError::Db(e.into())
    }
}

/// What a write with an idempotency key did.
#[derive(Debug)]
pub enum Written<T> {
    /// It wrote and answers `T`.
    Done(T),
    /// The key was used before: this is the first answer, and nothing was written.
    Replayed(StoredAnswer),
}

/// The stored code of a kind (its serde name).
pub fn kind_code(kind: TransactionKind) -> &'static str {
    match kind {
        TransactionKind::FinishedGoodsInbound => "finished_goods_inbound",
        TransactionKind::PurchaseInbound => "purchase_inbound",
        TransactionKind::PurchaseReturn => "purchase_return",
        TransactionKind::SalesOutbound => "sales_outbound",
        TransactionKind::SalesReturn => "sales_return",
    }
}

/// The seed's pinyin prefix of each kind's document numbers.
fn number_prefix(kind: TransactionKind) -> &'static str {
    match kind {
        TransactionKind::FinishedGoodsInbound => "CPRK",
        TransactionKind::PurchaseInbound => "CGRK",
        TransactionKind::PurchaseReturn => "CGTC",
        TransactionKind::SalesOutbound => "XSCK",
        TransactionKind::SalesReturn => "XSTR",
    }
}

/// A document number for a document that came without one, e.g. `XSCK-20260601-1a2b3c4d`.
pub fn default_number(kind: TransactionKind, date: NaiveDate, id: TransactionId) -> String {
    let hex = id.0.simple().to_string();
    format!(
        "{}-{}-{}",
        number_prefix(kind),
        date.format("%Y%m%d"),
        &hex[..8]
    )
}

/// Today in China (UTC+8), the day documents are dated by.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(8)).date_naive()
}

/// The rule refusing any change to a submitted document.
pub fn submitted_problem(doc: &Transaction) -> Problem {
    Problem::error(
        "status",
        "document.submitted",
        format!(
            "单据 {} 已提交，不能修改或删除；如需更正，请新建更正单据",
            doc.number
        ),
        format!(
            "Document {} was submitted and cannot be changed or deleted; create a correcting document instead",
            doc.number
        ),
    )
}

fn number_taken(number: &str) -> Problem {
    Problem::error(
        "number",
        "number.taken",
        format!("单号 {number} 已存在"),
        format!("Document number {number} is already used"),
    )
}

/// A document as answered by the API: the record and what the service keeps beside it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDocument {
    /// The document.
    #[serde(flatten)]
    pub document: Transaction,
    /// Its link in the enterprise's hash chain, once submitted.
    pub content_hash: Option<String>,
    /// The submitted document that corrects this one.
    pub corrected_by: Option<String>,
}

fn stored_of(row: &AnyRow) -> Result<StoredDocument, DbError> {
    Ok(StoredDocument {
        document: serde_json::from_str(&row.try_get::<String, _>("body")?)?,
        content_hash: row.try_get("content_hash")?,
        corrected_by: row.try_get("corrected_by")?,
    })
}

/// The lower-cased text a keyword matches: number, counterparty, product names.
pub(super) fn search_of(doc: &Transaction) -> String {
    let mut parts = vec![doc.number.as_str()];
    if let Some(c) = &doc.counterparty {
        parts.push(&c.name);
    }
    parts.extend(doc.lines.iter().map(|l| l.product_name.as_str()));
    search_text(parts)
}

/// One of an enterprise's documents, as it stands inside a transaction. Looked up by its id
/// alone and the owner compared here: PostgreSQL plans a prepared statement once for a
/// connection, and planned while the table was small, `id AND enterprise_id` walked all of
/// the enterprise's documents on an index of `enterprise_id`, 0.6 ms a call at 10,000.
pub(super) async fn fetch_doc(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    id: TransactionId,
) -> Result<Option<StoredDocument>, DbError> {
    let row = sqlx::query(
        "SELECT enterprise_id, body, content_hash, corrected_by FROM transactions WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) if r.try_get::<String, _>("enterprise_id")? == enterprise.to_string() => {
            stored_of(&r).map(Some)
        }
        _ => Ok(None),
    }
}

/// Fills each line's product name from the library when blank, and returns every problem:
/// unknown products or counterparty enterprise, and those of [`validate_transaction`]. A save
/// is refused by the errors; a submit also by the warnings not acknowledged.
pub(super) async fn check_draft(
    conn: &mut sqlx::AnyConnection,
    doc: &mut Transaction,
    today: NaiveDate,
) -> Result<Vec<Problem>, DbError> {
    check_draft_in(conn, &mut Library::default(), doc, today).await
}

/// [`check_draft`] with the products `library` has read.
pub(super) async fn check_draft_in(
    conn: &mut sqlx::AnyConnection,
    library: &mut Library,
    doc: &mut Transaction,
    today: NaiveDate,
) -> Result<Vec<Problem>, DbError> {
    let ids: Vec<_> = doc.lines.iter().map(|l| l.product_id).collect();
    let products = library.products(&mut *conn, &ids).await?;
    let mut problems = Vec::new();
    for (i, line) in doc.lines.iter_mut().enumerate() {
        match products.get(&line.product_id) {
            Some(p) if line.product_name.trim().is_empty() => {
                line.product_name = p.generic_name.clone();
            }
            Some(_) => {}
            None if !line.product_id.0.is_nil() => problems.push(Problem::error(
                format!("lines[{i}].product_id"),
                "product.unknown",
                "产品库中没有该产品",
                "No such product in the product library",
            )),
            None => {}
        }
    }
    if let Some(e) = doc.counterparty.as_ref().and_then(|c| c.enterprise_id) {
        let found = sqlx::query("SELECT id FROM enterprises WHERE id = $1")
            .bind(e.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            problems.push(Problem::error(
                "counterparty.enterprise_id",
                "enterprise.unknown",
                "往来单位不是平台上的注册企业",
                "The counterparty is not an enterprise registered on the platform",
            ));
        }
    }
    // Only a submitted document can be corrected, so a draft is never the target of another
    // document's `corrects` and stays deletable.
    if let Some(original) = doc.corrects {
        match fetch_doc(&mut *conn, doc.enterprise_id, original).await? {
            Some(o) => {
                problems.extend(check_correction(doc, &o.document, o.corrected_by.is_some()))
            }
            None => problems.push(Problem::error(
                "corrects",
                "correction.unknown",
                "要更正的原单据不存在",
                "The document to correct does not exist",
            )),
        }
    }
    let shelf = |p| products.get(&p).and_then(|x| x.shelf_life_months);
    problems.extend(validate_transaction(doc, &shelf, today));
    Ok(problems)
}

/// Refuses a save when any problem is an error.
pub(super) fn refuse_errors(problems: Vec<Problem>) -> Result<(), DocError> {
    let errors: Vec<Problem> = problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DocError::Invalid(errors))
    }
}

/// The head of an INSERT of document rows.
const DOC_COLUMNS: &str = "INSERT INTO transactions (id, enterprise_id, kind, number, doc_date, status, \
     submitted_at, counterparty_enterprise_id, counterparty_name, corrects, search, body, content_hash, \
     prev_hash, created_at, updated_at)";

/// A submitted document to insert with its stored body and chain link (hash, previous hash).
pub(super) struct SubmittedRow<'a> {
    pub doc: &'a Transaction,
    pub body: String,
    pub hash: String,
    pub prev: Option<String>,
}

/// Inserts submitted documents that correct nothing, a statement per chunk (bulk loading).
pub(super) async fn insert_submitted_rows(
    conn: &mut sqlx::AnyConnection,
    rows: &[SubmittedRow<'_>],
    at: &str,
) -> Result<(), DbError> {
    insert_rows(conn, DOC_COLUMNS, "", 16, rows, |q, r| {
        let submitted_at = match r.doc.status {
            suyuan_core::model::RecordStatus::Submitted { at } => Some(timestamp(at)),
            suyuan_core::model::RecordStatus::Draft => None,
        };
        q.bind(r.doc.id.to_string())
            .bind(r.doc.enterprise_id.to_string())
            .bind(kind_code(r.doc.kind))
            .bind(r.doc.number.clone())
            .bind(r.doc.date.to_string())
            .bind("submitted")
            .bind(submitted_at)
            .bind(counterparty_enterprise(r.doc))
            .bind(
                r.doc
                    .counterparty
                    .as_ref()
                    .map_or(String::new(), |c| c.name.clone()),
            )
            .bind(r.doc.corrects.map(|c| c.to_string()))
            .bind(search_of(r.doc))
            .bind(r.body.clone())
            .bind(r.hash.clone())
            .bind(r.prev.clone())
            .bind(at.to_owned())
            .bind(at.to_owned())
    })
    .await
}

/// Inserts a document row (draft or, with its chain link, submitted). A taken number is
/// refused without a failed statement, which on PostgreSQL would abort the transaction: a
/// push's transaction goes on after it without a savepoint.
pub(super) async fn insert_doc_row(
    conn: &mut sqlx::AnyConnection,
    doc: &Transaction,
    link: Option<(&str, Option<&str>)>,
    at: &str,
) -> Result<(), DocError> {
    let submitted_at = match doc.status {
        suyuan_core::model::RecordStatus::Submitted { at } => Some(timestamp(at)),
        suyuan_core::model::RecordStatus::Draft => None,
    };
    let result = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{DOC_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
         ON CONFLICT (enterprise_id, number) DO NOTHING"
    )))
    .bind(doc.id.to_string())
    .bind(doc.enterprise_id.to_string())
    .bind(kind_code(doc.kind))
    .bind(&doc.number)
    .bind(doc.date.to_string())
    .bind(if submitted_at.is_some() { "submitted" } else { "draft" })
    .bind(submitted_at)
    .bind(counterparty_enterprise(doc))
    .bind(doc.counterparty.as_ref().map_or(String::new(), |c| c.name.clone()))
    .bind(doc.corrects.map(|c| c.to_string()))
    .bind(search_of(doc))
    .bind(serde_json::to_string(doc)?)
    .bind(link.map(|l| l.0.to_owned()))
    .bind(link.and_then(|l| l.1.map(str::to_owned)))
    .bind(at)
    .execute(conn)
    .await;
    match result {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(DocError::Conflict(number_taken(&doc.number))),
        Err(e) => {
            let e = DbError::from(e);
            if violates_unique(
                &e,
                "transactions_enterprise_number_key",
                "transactions.number",
            ) {
                Err(DocError::Conflict(number_taken(&doc.number)))
            } else {
                Err(e.into())
            }
        }
    }
}

pub(super) fn counterparty_enterprise(doc: &Transaction) -> Option<String> {
    doc.counterparty
        .as_ref()
        .and_then(|c| c.enterprise_id)
        .map(|e| e.to_string())
}

/// Saves a new draft (保存); with a key, a retry answers the first answer and writes nothing.
pub async fn create_draft(
    db: &Db,
    doc: Transaction,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Written<Transaction>, DocError> {
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[doc.enterprise_id]).await?;
    if let Some(key) = idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Written::Replayed(first));
    }
    let mut pending = Pending::default();
    let mut library = Library::default();
    let doc = create_draft_on(
        &mut tx,
        (&mut pending, &mut library),
        doc,
        account,
        idempotency,
        now,
    )
    .await?;
    pending.flush(&mut tx, &timestamp(now)).await?;
    tx.commit().await?;
    Ok(Written::Done(doc))
}

/// The answer a document write keeps for its key: the document as the API answers it.
fn draft_answer(doc: &Transaction) -> Result<String, DbError> {
    Ok(serde_json::to_string(&StoredDocument {
        document: doc.clone(),
        content_hash: None,
        corrected_by: None,
    })?)
}

/// [`create_draft`] inside the caller's transaction, which holds the enterprise's row lock
/// and has found no answer for the key; its feed, audit and answer rows wait in `pending`.
pub(super) async fn create_draft_on(
    conn: &mut sqlx::AnyConnection,
    (pending, library): (&mut Pending, &mut Library),
    mut doc: Transaction,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Transaction, DocError> {
    let problems = check_draft_in(&mut *conn, library, &mut doc, china_today(now)).await?;
    refuse_errors(problems)?;
    insert_doc_row(&mut *conn, &doc, None, &timestamp(now)).await?;
    let id = doc.id.to_string();
    pending.feed(doc.enterprise_id, "transaction", &id);
    pending.audit(AuditRow {
        account,
        enterprise: doc.enterprise_id,
        action: "create",
        entity: "transaction",
        entity_id: id,
        before: None,
        after: Some(serde_json::to_string(&doc)?),
    });
    if let Some(key) = idempotency {
        pending.answer(key, 201, draft_answer(&doc)?);
    }
    Ok(doc)
}

/// Replaces a draft (修改); a submitted document is refused. With a key, a retry answers the
/// first answer and writes nothing: replayed, an edit could otherwise undo a later one, or be
/// refused because the draft has been submitted since.
pub async fn update_draft(
    db: &Db,
    doc: Transaction,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Written<Transaction>, DocError> {
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[doc.enterprise_id]).await?;
    if let Some(key) = idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Written::Replayed(first));
    }
    let mut pending = Pending::default();
    let mut library = Library::default();
    let doc = update_draft_on(
        &mut tx,
        (&mut pending, &mut library),
        doc,
        account,
        idempotency,
        now,
    )
    .await?;
    pending.flush(&mut tx, &timestamp(now)).await?;
    tx.commit().await?;
    Ok(Written::Done(doc))
}

/// [`update_draft`] inside the caller's transaction, as [`create_draft_on`].
pub(super) async fn update_draft_on(
    conn: &mut sqlx::AnyConnection,
    (pending, library): (&mut Pending, &mut Library),
    mut doc: Transaction,
    account: Uuid,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Transaction, DocError> {
    let at = timestamp(now);
    let current = fetch_doc(&mut *conn, doc.enterprise_id, doc.id)
        .await?
        .ok_or(DocError::NotFound)?
        .document;
    if current.status.is_submitted() {
        return Err(DocError::Conflict(submitted_problem(&current)));
    }
    let problems = check_draft_in(&mut *conn, library, &mut doc, china_today(now)).await?;
    refuse_errors(problems)?;
    let body = serde_json::to_string(&doc)?;
    let result = sqlx::query(
        "UPDATE transactions SET kind = $1, number = $2, doc_date = $3, counterparty_enterprise_id = $4, \
         counterparty_name = $5, corrects = $6, search = $7, body = $8, updated_at = $9 \
         WHERE id = $10 AND status = 'draft'",
    )
    .bind(kind_code(doc.kind))
    .bind(&doc.number)
    .bind(doc.date.to_string())
    .bind(counterparty_enterprise(&doc))
    .bind(doc.counterparty.as_ref().map_or(String::new(), |c| c.name.clone()))
    .bind(doc.corrects.map(|c| c.to_string()))
    .bind(search_of(&doc))
    .bind(&body)
    .bind(&at)
    .bind(doc.id.to_string())
    .execute(&mut *conn)
    .await;
    if let Err(e) = result {
        let e = DbError::from(e);
        return Err(
            if violates_unique(
                &e,
                "transactions_enterprise_number_key",
                "transactions.number",
            ) {
                DocError::Conflict(number_taken(&doc.number))
            } else {
                e.into()
            },
        );
    }
    let id = doc.id.to_string();
    pending.feed(doc.enterprise_id, "transaction", &id);
    pending.audit(AuditRow {
        account,
        enterprise: doc.enterprise_id,
        action: "update",
        entity: "transaction",
        entity_id: id,
        before: Some(serde_json::to_string(&current)?),
        after: Some(body),
    });
    if let Some(key) = idempotency {
        pending.answer(key, 200, draft_answer(&doc)?);
    }
    Ok(doc)
}

/// Deletes a draft (删除); a submitted document is refused.
pub async fn delete_draft(
    db: &Db,
    enterprise: EnterpriseId,
    id: TransactionId,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DocError> {
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[enterprise]).await?;
    let mut pending = Pending::default();
    delete_draft_on(&mut tx, &mut pending, enterprise, id, account).await?;
    pending.flush(&mut tx, &timestamp(now)).await?;
    tx.commit().await?;
    Ok(())
}

/// [`delete_draft`] inside the caller's transaction, as [`create_draft_on`].
pub(super) async fn delete_draft_on(
    conn: &mut sqlx::AnyConnection,
    pending: &mut Pending,
    enterprise: EnterpriseId,
    id: TransactionId,
    account: Uuid,
) -> Result<(), DocError> {
    let current = fetch_doc(&mut *conn, enterprise, id)
        .await?
        .ok_or(DocError::NotFound)?
        .document;
    if current.status.is_submitted() {
        return Err(DocError::Conflict(submitted_problem(&current)));
    }
    sqlx::query("DELETE FROM transactions WHERE id = $1 AND status = 'draft'")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    let id = id.to_string();
    pending.feed(enterprise, "transaction", &id);
    pending.audit(AuditRow {
        account,
        enterprise,
        action: "delete",
        entity: "transaction",
        entity_id: id,
        before: Some(serde_json::to_string(&current)?),
        after: None,
    });
    Ok(())
}

/// One of an enterprise's documents.
pub async fn get_transaction(
    db: &Db,
    enterprise: EnterpriseId,
    id: TransactionId,
) -> Result<Option<StoredDocument>, DbError> {
    let mut conn = db.pool.acquire().await?;
    fetch_doc(&mut conn, enterprise, id).await
}

/// Filters of the document list.
#[derive(Debug, Clone, Default)]
pub struct TransactionFilter {
    /// Keyword over number, counterparty and product names, lower-cased.
    pub keyword: Option<String>,
    /// One kind.
    pub kind: Option<TransactionKind>,
    /// `draft` or `submitted`.
    pub submitted: Option<bool>,
    /// First day (inclusive).
    pub date_from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub date_to: Option<NaiveDate>,
    /// The counterparty's platform enterprise.
    pub counterparty: Option<EnterpriseId>,
}

/// Columns the list may sort by.
pub const TRANSACTION_SORTS: [&str; 3] = ["doc_date", "number", "updated_at"];

/// One page of an enterprise's documents and the total count. `sort` must be one of
/// [`TRANSACTION_SORTS`] and `order` `ASC` or `DESC`.
pub async fn list_transactions(
    db: &Db,
    enterprise: EnterpriseId,
    f: &TransactionFilter,
    (sort, order): (&str, &str),
    (limit, offset): (u32, u32),
) -> Result<(Vec<StoredDocument>, u64), DbError> {
    let sort = TRANSACTION_SORTS
        .iter()
        .find(|s| **s == sort)
        .ok_or_else(|| DbError::Invalid(format!("sort {sort}")))?;
    let order = if order == "ASC" { "ASC" } else { "DESC" };
    let mut binds = vec![enterprise.to_string()];
    let mut wheres = vec!["enterprise_id = $1".to_owned()];
    let mut push = |cond: &str, value: String| {
        binds.push(value);
        wheres.push(cond.replace('?', &format!("${}", binds.len())));
    };
    if let Some(k) = &f.keyword {
        push("search LIKE ?", format!("%{k}%"));
    }
    if let Some(k) = f.kind {
        push("kind = ?", kind_code(k).to_owned());
    }
    if let Some(s) = f.submitted {
        push(
            "status = ?",
            if s { "submitted" } else { "draft" }.to_owned(),
        );
    }
    if let Some(d) = f.date_from {
        push("doc_date >= ?", d.to_string());
    }
    if let Some(d) = f.date_to {
        push("doc_date <= ?", d.to_string());
    }
    if let Some(c) = f.counterparty {
        push("counterparty_enterprise_id = ?", c.to_string());
    }
    let filter = wheres.join(" AND ");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM transactions WHERE {filter}"
    )));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let n: i64 = q.fetch_one(&db.pool).await?.try_get("n")?;
    let sql = format!(
        "SELECT body, content_hash, corrected_by FROM transactions WHERE {filter} \
         ORDER BY {sort} {order}, id {order} LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    let docs = rows.iter().map(stored_of).collect::<Result<_, _>>()?;
    Ok((docs, u64::try_from(n).unwrap_or(0)))
}
