//! Submitting a document (提交): every check and every write in one database transaction —
//! stock, opening balances, the counterparty's reconciliation inbox, the hash chain, the
//! change feeds and the audit log. Any failure writes nothing.

use super::chain::{canonical_json, chain_hash};
use super::journal::{AuditRow, IdempotencyKey, Pending, PendingMark, idempotent_answer};
use super::lines::Lines;
use super::product_refs::{Library, placeholders};
use super::reconciliation::{insert_item, open_items_for, update_item};
use super::rows::CHUNK_ROWS;
use super::stock::StockRows;
use super::transactions::{
    DocError, StoredDocument, Written, check_draft_in, china_today, fetch_doc, insert_doc_row,
    search_of, submitted_problem,
};
use super::{Backend, Db, DbError, timestamp};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use suyuan_core::Problem;
use suyuan_core::model::{
    EnterpriseId, NonconformingRecord, ProductId, Recall, Transaction, TransactionId,
};
use suyuan_core::problem::blocking;
use suyuan_core::rules::lifecycle;
use suyuan_core::rules::reconciliation::on_submit;
use suyuan_core::rules::sales_block::blocks_apply;
use suyuan_core::rules::status::Blocks;
use suyuan_core::rules::submit::{SubmitContext, check_submit};
use uuid::Uuid;

/// What the submitter may add to a submit.
#[derive(Debug, Clone, Default)]
pub struct SubmitOptions {
    /// The reason to accept stock the records do not show (期初库存说明).
    pub opening_override: Option<String>,
    /// Warning rules the user chose to override.
    pub acknowledge: Vec<String>,
}

/// One submit request.
#[derive(Debug, Clone, Copy)]
pub(super) struct Request<'a> {
    pub enterprise: EnterpriseId,
    pub id: TransactionId,
    pub account: Uuid,
    pub options: &'a SubmitOptions,
    pub idempotency: Option<&'a IdempotencyKey>,
    pub now: DateTime<Utc>,
}

/// The end of one try at a submit.
#[derive(Debug)]
pub(super) enum Attempt {
    /// Submitted, or the first answer replayed.
    Done(Box<Written<StoredDocument>>),
    /// The draft names enterprises whose rows were not locked: nothing was written; try again
    /// holding these.
    Relock(Vec<EnterpriseId>),
}

/// How often a submit starts again because its draft was edited under it before it gives up.
const MAX_ATTEMPTS: usize = 5;

fn kept_changing() -> Problem {
    Problem::error(
        "",
        "document.changing",
        "单据正在被修改，请稍后重试",
        "The document is being changed; try again",
    )
}

/// Submits one of `enterprise`'s drafts. With a key, a retry answers the first answer and
/// writes nothing.
pub async fn submit_transaction(
    db: &Db,
    enterprise: EnterpriseId,
    id: TransactionId,
    account: Uuid,
    options: &SubmitOptions,
    idempotency: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Written<StoredDocument>, DocError> {
    let request = Request {
        enterprise,
        id,
        account,
        options,
        idempotency,
        now,
    };
    // PostgreSQL: the enterprises whose rows to lock are read first, outside the transaction,
    // and checked again under the locks (see `submit_locked`). SQLite: a write holds the whole
    // database, so there is nothing to learn.
    let mut locks = match db.backend {
        Backend::Sqlite => vec![],
        Backend::Postgres => {
            let mut conn = db.pool.acquire().await?;
            match fetch_doc(&mut conn, enterprise, id).await? {
                Some(d) => involved(&mut conn, &d.document).await?,
                None => vec![enterprise],
            }
        }
    };
    for _ in 0..MAX_ATTEMPTS {
        match submit_locked(db, request, &locks).await? {
            Attempt::Done(written) => return Ok(*written),
            Attempt::Relock(needed) => locks = needed,
        }
    }
    Err(DocError::Conflict(kept_changing()))
}

/// The enterprises a submit of `doc` writes to: the submitter, its counterparty's inbox, and
/// the inbox of the counterparty of the document it corrects. Sorted, without repeats.
async fn involved(
    conn: &mut sqlx::AnyConnection,
    doc: &Transaction,
) -> Result<Vec<EnterpriseId>, DbError> {
    let mut ids = vec![doc.enterprise_id];
    ids.extend(doc.counterparty.as_ref().and_then(|c| c.enterprise_id));
    if let Some(old) = doc.corrects
        && let Some(o) = fetch_doc(&mut *conn, doc.enterprise_id, old).await?
    {
        ids.extend(o.document.counterparty.and_then(|c| c.enterprise_id));
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// One try at a submit holding the row locks of `locks`. A draft edited since `locks` was
/// read may name another counterparty; taking that row's lock now, out of id order, could
/// deadlock with a writer holding it and waiting for ours, so the try ends without writing
/// and the caller starts again with the right locks.
async fn submit_locked(
    db: &Db,
    r: Request<'_>,
    locks: &[EnterpriseId],
) -> Result<Attempt, DocError> {
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(locks).await?;
    if let Some(key) = r.idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Attempt::Done(Box::new(Written::Replayed(first))));
    }
    let mut submits = Submits::default();
    let backend = tx.backend();
    match submit_draft_on(&mut tx, &mut submits, backend, r, locks, None).await? {
        Attempt::Relock(needed) => {
            tx.rollback().await?;
            Ok(Attempt::Relock(needed))
        }
        done @ Attempt::Done(_) => {
            submits.finish(&mut tx, &timestamp(r.now)).await?;
            tx.commit().await?;
            Ok(done)
        }
    }
}

/// Submits one of `r.enterprise`'s stored drafts inside the caller's transaction, which holds
/// the row locks of `locks` and has found no answer for the key: its chain, feed, audit and
/// answer rows wait in `submits`. `written` is the draft as this transaction wrote it, if it
/// did (under the locks it cannot have changed since), else it is read. A refusal (not found,
/// submitted, a rule) comes before the first write; after it, only a database error can stop
/// the submit (a push relies on this to give a submit no savepoint). On PostgreSQL, a draft naming enterprises outside `locks`
/// is not submitted: nothing is written and their locks are asked for.
pub(super) async fn submit_draft_on(
    conn: &mut sqlx::AnyConnection,
    submits: &mut Submits,
    backend: Backend,
    r: Request<'_>,
    locks: &[EnterpriseId],
    written: Option<Transaction>,
) -> Result<Attempt, DocError> {
    let current = match written {
        Some(doc) => doc,
        None => {
            fetch_doc(&mut *conn, r.enterprise, r.id)
                .await?
                .ok_or(DocError::NotFound)?
                .document
        }
    };
    if current.status.is_submitted() {
        return Err(DocError::Conflict(submitted_problem(&current)));
    }
    if backend == Backend::Postgres {
        let needed = involved(&mut *conn, &current).await?;
        if needed.iter().any(|e| !locks.contains(e)) {
            return Ok(Attempt::Relock(needed));
        }
    }
    let (doc, hash) = submit_on(
        &mut *conn, submits, current, true, r.options, r.account, r.now,
    )
    .await?;
    let answer = StoredDocument {
        document: doc,
        content_hash: Some(hash),
        corrected_by: None,
    };
    if let Some(key) = r.idempotency {
        submits
            .pending
            .answer(key, 200, serde_json::to_string(&answer)?);
    }
    Ok(Attempt::Done(Box::new(Written::Done(answer))))
}

/// An enterprise's chain inside a write: its head and the instant of its last submit.
#[derive(Debug, Clone)]
struct Chain {
    enterprise: EnterpriseId,
    head: Option<String>,
    last: Option<DateTime<Utc>>,
    moved: bool,
}

/// What the submits of one write share: each submitter's chain, read once and kept in step in
/// memory, and the feed and audit rows. [`Submits::finish`] writes them; it must run before
/// the commit.
#[derive(Debug, Default)]
pub(super) struct Submits {
    chains: Vec<Chain>,
    /// Feed and audit rows of the submits (a caller may add its own).
    pub(super) pending: Pending,
    /// The products the writes have read.
    pub(super) library: Library,
    /// The stock rows the submits read and moved.
    stock: StockRows,
    /// The line rows of the submitted documents.
    lines: Lines,
}

/// What a [`Submits`] held at some point (see [`Submits::rewind`]).
#[derive(Debug)]
pub(super) struct SubmitsMark {
    chains: Vec<Chain>,
    pending: PendingMark,
    stock: usize,
    lines: usize,
}

impl Submits {
    /// Reads the stock rows of `keys` of `enterprise` ahead of the submits that will move
    /// them, in one statement per chunk instead of one per submit.
    pub(super) async fn read_stock(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        enterprise: EnterpriseId,
        keys: &[(ProductId, String)],
    ) -> Result<(), DbError> {
        self.stock.load(conn, enterprise, keys).await
    }

    /// The chains and rows as they are now.
    pub(super) fn mark(&self) -> SubmitsMark {
        SubmitsMark {
            chains: self.chains.clone(),
            pending: self.pending.mark(),
            stock: self.stock.mark(),
            lines: self.lines.mark(),
        }
    }

    /// Back to `mark`: after a write rolled back to its savepoint, its rows are dropped and
    /// the chains are where they were.
    pub(super) fn rewind(&mut self, mark: SubmitsMark) {
        self.chains = mark.chains;
        self.pending.rewind(mark.pending);
        self.stock.rewind(mark.stock);
        self.lines.rewind(mark.lines);
    }

    /// `enterprise`'s chain, read on first use.
    async fn chain(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        enterprise: EnterpriseId,
    ) -> Result<&mut Chain, DbError> {
        if let Some(i) = self.chains.iter().position(|c| c.enterprise == enterprise) {
            return Ok(&mut self.chains[i]);
        }
        // Only a submitted document has a `submitted_at`. Written as the last row of the
        // `(enterprise_id, submitted_at)` index, not `MAX(…) WHERE status = …`: PostgreSQL,
        // planning the statement once while the table is small, would read every submitted
        // document of the enterprise on each submit (1 ms at 5,000).
        let row = sqlx::query(
            "SELECT chain_head, (SELECT submitted_at FROM transactions \
             WHERE enterprise_id = $1 AND submitted_at IS NOT NULL \
             ORDER BY enterprise_id DESC, submitted_at DESC LIMIT 1) AS last FROM enterprises WHERE id = $1",
        )
        .bind(enterprise.to_string())
        .fetch_one(&mut *conn)
        .await?;
        let last: Option<String> = row.try_get("last")?;
        let last = last
            .map(|s| {
                DateTime::parse_from_rfc3339(&s)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| DbError::Invalid(format!("submitted_at {s}")))
            })
            .transpose()?;
        self.chains.push(Chain {
            enterprise,
            head: row.try_get("chain_head")?,
            last,
            moved: false,
        });
        Ok(self.chains.last_mut().expect("just pushed"))
    }

    /// Writes the chain heads and stock rows that moved, the submitted documents' line rows and
    /// the gathered feed and audit rows.
    pub(super) async fn finish(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        at: &str,
    ) -> Result<(), DbError> {
        for c in self.chains.iter_mut().filter(|c| c.moved) {
            sqlx::query("UPDATE enterprises SET chain_head = $1 WHERE id = $2")
                .bind(c.head.clone())
                .bind(c.enterprise.to_string())
                .execute(&mut *conn)
                .await?;
            c.moved = false;
        }
        self.lines.write(&mut *conn).await?;
        self.stock.store(&mut *conn, at).await?;
        self.pending.flush(conn, at).await
    }
}

/// The recalls and nonconforming listings about `products`, read with one statement.
async fn blocks_for(
    conn: &mut sqlx::AnyConnection,
    products: &[ProductId],
) -> Result<(Vec<Recall>, Vec<NonconformingRecord>), DbError> {
    let mut ids: Vec<String> = products.iter().map(ToString::to_string).collect();
    ids.sort();
    ids.dedup();
    let (mut recalls, mut listings) = (vec![], vec![]);
    for chunk in ids.chunks(CHUNK_ROWS) {
        let list = placeholders(1, chunk.len());
        // Placeholders only.
        let sql = format!(
            "SELECT 'recall' AS source, body FROM recalls WHERE product_id IN ({list}) \
             UNION ALL SELECT 'nonconforming' AS source, body FROM nonconforming WHERE product_id IN ({list})"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let body: String = row.try_get("body")?;
            if row.try_get::<String, _>("source")? == "recall" {
                recalls.push(serde_json::from_str(&body)?);
            } else {
                listings.push(serde_json::from_str(&body)?);
            }
        }
    }
    Ok((recalls, listings))
}

/// The instant of a submit: after the enterprise's last one, so submit order is chain order
/// even if the clock steps back, and in whole microseconds, as stored.
fn submit_instant(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let now = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    match last {
        Some(t) if t >= now => t + Duration::microseconds(1),
        _ => now,
    }
}

/// Checks and submits `draft` inside the caller's transaction, which holds the row locks of
/// the enterprises involved. `stored` says whether the draft already has a row. Returns the
/// submitted document and its chain hash; the chain head, feed and audit rows wait in
/// `submits` for [`Submits::finish`].
pub(super) async fn submit_on(
    conn: &mut sqlx::AnyConnection,
    submits: &mut Submits,
    draft: Transaction,
    stored: bool,
    options: &SubmitOptions,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(Transaction, String), DocError> {
    let me = draft.enterprise_id;
    let before = stored.then(|| serde_json::to_string(&draft)).transpose()?;
    let mut doc = draft;
    // Correction problems (unknown, mismatched or already corrected original) come from here.
    let all = check_draft_in(&mut *conn, &mut submits.library, &mut doc, china_today(now)).await?;
    let corrected = match doc.corrects {
        Some(old_id) => fetch_doc(&mut *conn, me, old_id).await?.map(|o| o.document),
        None => None,
    };
    let acknowledged: Vec<&str> = options.acknowledge.iter().map(String::as_str).collect();
    let mut problems: Vec<Problem> = blocking(&all, &acknowledged).into_iter().cloned().collect();

    let mut keys: Vec<(ProductId, String)> = doc
        .lines
        .iter()
        .chain(corrected.iter().flat_map(|c| &c.lines))
        .map(|l| (l.product_id, l.batch.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let products: Vec<ProductId> = keys.iter().map(|k| k.0).collect();
    submits.stock.load(&mut *conn, me, &keys).await?;
    // Recalls and listings block only a sale (one read a submit of the others saves).
    let (recalls, listings) = if blocks_apply(&doc) {
        blocks_for(&mut *conn, &products).await?
    } else {
        (vec![], vec![])
    };
    let check = check_submit(
        &doc,
        &SubmitContext {
            ledger: submits.stock.ledger(),
            blocks: Blocks::new(&recalls, &listings),
            corrected: corrected.as_ref(),
            opening_override: options.opening_override.as_deref(),
        },
    );
    problems.extend(check.problems);
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }

    let chain = submits.chain(&mut *conn, me).await?;
    let instant = submit_instant(chain.last, now);
    let doc = lifecycle::submit(doc, instant).map_err(DocError::Conflict)?;
    let at = timestamp(now);
    let body = serde_json::to_string(&doc)?;
    let prev = chain.head.clone();
    let hash = chain_hash(prev.as_deref(), &canonical_json(&body)?);
    if stored {
        sqlx::query(
            "UPDATE transactions SET status = 'submitted', submitted_at = $1, search = $2, body = $3, \
             content_hash = $4, prev_hash = $5, updated_at = $6 WHERE id = $7 AND status = 'draft'",
        )
        .bind(timestamp(instant))
        .bind(search_of(&doc))
        .bind(&body)
        .bind(&hash)
        .bind(prev)
        .bind(&at)
        .bind(doc.id.to_string())
        .execute(&mut *conn)
        .await?;
    } else {
        insert_doc_row(&mut *conn, &doc, Some((&hash, prev.as_deref())), &at).await?;
    }
    // The row is in: from here on this document is the chain's head.
    chain.head = Some(hash.clone());
    chain.last = Some(instant);
    chain.moved = true;
    submits.lines.add(&doc)?;

    // From here on nothing refuses the submit; the rows' balances before are kept all the
    // same, for a savepoint rolled back after a failure.
    submits.stock.moving(me, &keys);
    if let Some(old) = &corrected {
        // The corrected document's lines may still wait, submitted earlier in this write.
        submits.lines.write(&mut *conn).await?;
        sqlx::query("UPDATE transaction_lines SET counted = 0 WHERE transaction_id = $1")
            .bind(old.id.to_string())
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE transactions SET corrected_by = $1, updated_at = $2 WHERE id = $3")
            .bind(doc.id.to_string())
            .bind(&at)
            .bind(old.id.to_string())
            .execute(&mut *conn)
            .await?;
        submits.stock.moving(me, &[]).revert(old);
        submits.pending.feed(me, "transaction", &old.id.to_string());
    }
    for o in &check.openings {
        submits.stock.moving(me, &[]).apply_opening(o);
        sqlx::query(
            "INSERT INTO opening_balances (transaction_id, enterprise_id, product_id, batch, quantity, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(doc.id.to_string())
        .bind(me.to_string())
        .bind(o.product_id.to_string())
        .bind(&o.batch)
        .bind(i64::try_from(o.quantity).unwrap_or(i64::MAX))
        .bind(&o.reason)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
    }
    submits.stock.moving(me, &[]).apply(&doc);

    let counterparty = doc.counterparty.as_ref().and_then(|c| c.enterprise_id);
    // Items lie between two platform enterprises or come from the corrected document: a
    // document with neither has none to match or supersede.
    let open = if counterparty.is_some() || doc.corrects.is_some() {
        open_items_for(&mut *conn, me, counterparty, doc.corrects).await?
    } else {
        vec![]
    };
    let change = on_submit(&doc, &open);
    for item in &change.created {
        insert_item(&mut *conn, item, &at).await?;
    }
    for item in &change.updated {
        update_item(&mut *conn, item, &at).await?;
    }
    for item in change.created.iter().chain(&change.updated) {
        let id = item.id.to_string();
        submits.pending.feed(item.from, "reconciliation_item", &id);
        submits.pending.feed(item.to, "reconciliation_item", &id);
    }
    // The receiver's phone caches the products that reach it and their barcodes, so that its
    // scanner and the inspector's verdict know them (registration number included) offline.
    let mut reaching: Vec<(EnterpriseId, String)> = change
        .created
        .iter()
        .flat_map(|item| {
            item.lines
                .iter()
                .map(|l| (item.to, l.product_id.to_string()))
        })
        .collect();
    reaching.sort();
    reaching.dedup();
    for (to, product) in reaching {
        submits.pending.feed(to, "product", &product);
        for barcode in barcodes_of(&mut *conn, &product).await? {
            submits.pending.feed(to, "barcode", &barcode);
        }
    }

    let id = doc.id.to_string();
    submits.pending.feed(me, "transaction", &id);
    submits.pending.audit(AuditRow {
        account,
        enterprise: me,
        action: "submit",
        entity: "transaction",
        entity_id: id,
        before,
        after: Some(body),
    });
    Ok((doc, hash))
}

/// The ids of a product's barcodes (its GTINs at each packaging level).
async fn barcodes_of(
    conn: &mut sqlx::AnyConnection,
    product: &str,
) -> Result<Vec<String>, DbError> {
    let rows = sqlx::query("SELECT id FROM barcodes WHERE product_id = $1 ORDER BY id")
        .bind(product)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("id")?))
        .collect()
}
