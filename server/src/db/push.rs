//! A phone's document changes (save, edit, delete, submit) as one push applies them: in one
//! write transaction, so a refused change writes nothing and the others commit together. A
//! save or a submit is refused before its first write and needs nothing more; an edit or a
//! delete runs inside a savepoint of its own. A transaction per change cost a commit per
//! change, which was most of a 10,000-change sync: a WAL append of every page it touched on
//! SQLite, a flush to disk on PostgreSQL. A change failing on a database error ends the
//! transaction: without a savepoint it rolls back whole, and the push answers the error (the
//! phone sends it again; what was applied answers from its key).
//!
//! The transaction holds the enterprise's row lock (PostgreSQL) or the database (SQLite) until
//! it ends, so it is as long as one push at most (`MAX_PUSH_CHANGES`). Answers and the ids the
//! push saves under are read once at its start: under that lock nobody else writes them.

use super::journal::{IdempotencyKey, StoredAnswer};
use super::product_refs::placeholders;
use super::rows::CHUNK_ROWS;
use super::submit::{Attempt, Request, SubmitOptions, Submits, SubmitsMark, submit_draft_on};
use super::transactions::{
    DocError, StoredDocument, Written, create_draft_on, delete_draft_on, update_draft_on,
};
use super::{Db, DbError, WriteTx, timestamp};
use chrono::{DateTime, Utc};
use sqlx::{Executor, Row};
use std::collections::HashMap;
use suyuan_core::model::{EnterpriseId, ProductId, Transaction, TransactionId};
use uuid::Uuid;

/// An open transaction applying a push's document changes.
#[derive(Debug)]
pub struct PushBatch {
    tx: WriteTx,
    locked: Vec<EnterpriseId>,
    /// The stored answers of the push's keys, by key, and those of changes applied since.
    answers: HashMap<String, StoredAnswer>,
    /// The owners of the document ids the push saves under that are taken.
    owners: HashMap<String, String>,
    /// The drafts as the transaction wrote them, by id, so a submit need not read them back.
    written: HashMap<TransactionId, Transaction>,
    submits: Submits,
    /// Whether a change's savepoint is open.
    in_step: bool,
    /// A change failed and could not be rolled back alone: nothing may be committed.
    broken: bool,
}

/// What a submit in a batch did.
#[derive(Debug)]
pub enum BatchSubmit {
    /// Submitted, refused or replayed.
    Done(Box<Result<Written<StoredDocument>, DocError>>),
    /// The draft names enterprises whose rows this transaction did not lock (PostgreSQL):
    /// nothing was written; apply it in a transaction that locks these.
    Relock(Vec<EnterpriseId>),
}

impl Db {
    /// Opens `enterprise`'s push transaction holding the row locks of `locks` (its own among
    /// them), and reads the stored answers of `keys` (all of its scope), the owners of the
    /// document ids `saved` and its stock rows of `stock` (product and batch).
    pub async fn begin_push(
        &self,
        enterprise: EnterpriseId,
        locks: &[EnterpriseId],
        keys: &[IdempotencyKey],
        saved: &[String],
        stock: &[(ProductId, String)],
    ) -> Result<PushBatch, DbError> {
        let mut tx = self.begin_write().await?;
        let mut locked = locks.to_vec();
        locked.sort();
        locked.dedup();
        tx.lock_enterprises(&locked).await?;
        let answers = stored_answers(&mut tx, keys).await?;
        let owners = owners(&mut tx, saved).await?;
        let mut submits = Submits::default();
        submits.read_stock(&mut tx, enterprise, stock).await?;
        Ok(PushBatch {
            tx,
            locked,
            answers,
            owners,
            written: HashMap::new(),
            submits,
            in_step: false,
            broken: false,
        })
    }
}

/// The stored answers of `keys`, one statement per [`CHUNK_ROWS`] keys.
async fn stored_answers(
    conn: &mut sqlx::AnyConnection,
    keys: &[IdempotencyKey],
) -> Result<HashMap<String, StoredAnswer>, DbError> {
    let mut found = HashMap::new();
    let Some(scope) = keys.first().map(|k| k.scope.clone()) else {
        return Ok(found);
    };
    for chunk in keys.chunks(CHUNK_ROWS) {
        let sql = format!(
            "SELECT key, request_hash, status, response FROM idempotency_keys \
             WHERE scope = $1 AND key IN ({})",
            placeholders(2, chunk.len())
        );
        // Placeholders only.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scope.clone());
        for k in chunk {
            q = q.bind(k.key.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let status: i64 = row.try_get("status")?;
            found.insert(
                row.try_get("key")?,
                StoredAnswer {
                    request_hash: row.try_get("request_hash")?,
                    status: u16::try_from(status)
                        .map_err(|_| DbError::Invalid(format!("status {status}")))?,
                    response: row.try_get("response")?,
                },
            );
        }
    }
    Ok(found)
}

/// The owners of the documents among `ids` that exist.
async fn owners(
    conn: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, String>, DbError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK_ROWS) {
        let sql = format!(
            "SELECT id, enterprise_id FROM transactions WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        // Placeholders only.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            found.insert(row.try_get("id")?, row.try_get("enterprise_id")?);
        }
    }
    Ok(found)
}

impl PushBatch {
    /// The enterprises whose rows the transaction holds.
    pub fn locked(&self) -> &[EnterpriseId] {
        &self.locked
    }

    /// The first answer to `key`, if a change with it was applied.
    pub fn answer(&self, key: &IdempotencyKey) -> Option<&StoredAnswer> {
        self.answers.get(&key.key)
    }

    /// The owner of document `id`, if it exists.
    pub fn owner(&self, id: &str) -> Option<&str> {
        self.owners.get(id).map(String::as_str)
    }

    /// Saves a new draft, as [`super::create_draft`] does.
    pub async fn create_draft(
        &mut self,
        doc: Transaction,
        account: Uuid,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Written<Transaction>, DocError> {
        if let Some(first) = self.answer(key) {
            return Ok(Written::Replayed(first.clone()));
        }
        // No savepoint: a save is refused before it writes (a taken number included, see
        // `insert_doc_row`), and after it fails only on a database error (as a submit).
        let mark = self.submits.mark();
        let shared = (&mut self.submits.pending, &mut self.submits.library);
        let written = create_draft_on(&mut self.tx, shared, doc, account, Some(key), now).await;
        let doc = self.bare_step(mark, written)?;
        self.owners
            .insert(doc.id.to_string(), doc.enterprise_id.to_string());
        self.remember(key, 201, &doc)?;
        self.written.insert(doc.id, doc.clone());
        Ok(Written::Done(doc))
    }

    /// Replaces a draft, as [`super::update_draft`] does.
    pub async fn update_draft(
        &mut self,
        doc: Transaction,
        account: Uuid,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Written<Transaction>, DocError> {
        if let Some(first) = self.answer(key) {
            return Ok(Written::Replayed(first.clone()));
        }
        let step = self.begin_step().await?;
        let shared = (&mut self.submits.pending, &mut self.submits.library);
        let written = update_draft_on(&mut self.tx, shared, doc, account, Some(key), now).await;
        let doc = self.end_step(step, written).await?;
        self.remember(key, 200, &doc)?;
        self.written.insert(doc.id, doc.clone());
        Ok(Written::Done(doc))
    }

    /// Deletes a draft, as [`super::delete_draft`] does.
    pub async fn delete_draft(
        &mut self,
        enterprise: EnterpriseId,
        id: TransactionId,
        account: Uuid,
    ) -> Result<(), DocError> {
        let step = self.begin_step().await?;
        let pending = &mut self.submits.pending;
        let deleted = delete_draft_on(&mut self.tx, pending, enterprise, id, account).await;
        self.end_step(step, deleted).await?;
        // The id is free again, for a save later in the push.
        self.owners.remove(&id.to_string());
        self.written.remove(&id);
        Ok(())
    }

    /// Submits a stored draft, as [`super::submit_transaction`] does.
    pub async fn submit(
        &mut self,
        enterprise: EnterpriseId,
        id: TransactionId,
        account: Uuid,
        options: &SubmitOptions,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<BatchSubmit, DbError> {
        if let Some(first) = self.answer(key) {
            return Ok(BatchSubmit::Done(Box::new(Ok(Written::Replayed(
                first.clone(),
            )))));
        }
        // No savepoint of its own: a submit of a stored draft is refused before its first
        // write, and after it fails only on a database error (`submit_draft_on`). A refusal
        // leaves nothing to roll back but the rows it gathered; a failure ends the whole
        // transaction without a commit, and the push is answered with the error.
        let mark = self.submits.mark();
        let request = Request {
            enterprise,
            id,
            account,
            options,
            idempotency: Some(key),
            now,
        };
        let backend = self.tx.backend();
        // Only the enterprise's own draft is taken from `written`, as `fetch_doc` finds it.
        let known = self
            .written
            .get(&id)
            .filter(|d| d.enterprise_id == enterprise)
            .cloned();
        let attempt = submit_draft_on(
            &mut self.tx,
            &mut self.submits,
            backend,
            request,
            &self.locked,
            known,
        )
        .await;
        let written = match attempt {
            Ok(Attempt::Relock(needed)) => {
                self.submits.rewind(mark);
                return Ok(BatchSubmit::Relock(needed));
            }
            Ok(Attempt::Done(written)) => *written,
            Err(DocError::Db(e)) => {
                self.broken = true;
                return Err(e);
            }
            Err(refused) => {
                self.submits.rewind(mark);
                return Ok(BatchSubmit::Done(Box::new(Err(refused))));
            }
        };
        if let Written::Done(answer) = &written {
            self.written.remove(&id);
            let response = serde_json::to_string(answer)?;
            self.answers
                .insert(key.key.clone(), stored(key, 200, response));
        }
        Ok(BatchSubmit::Done(Box::new(Ok(written))))
    }

    /// Writes the chain heads, feed, audit and answer rows the changes gathered, and commits;
    /// after a failure that could not be rolled back alone, rolls everything back instead.
    pub async fn commit(mut self, now: DateTime<Utc>) -> Result<(), DbError> {
        if self.broken {
            self.tx.rollback().await?;
            return Err(DbError::Invalid(
                "a failed change could not be rolled back alone".into(),
            ));
        }
        self.submits.finish(&mut self.tx, &timestamp(now)).await?;
        self.tx.commit().await
    }

    /// Opens a change's savepoint. The previous change's is released in the same round trip
    /// (or by the commit): two statements a change were a fifth of a push's on PostgreSQL.
    async fn begin_step(&mut self) -> Result<SubmitsMark, DbError> {
        let sql = if self.in_step {
            "RELEASE SAVEPOINT change; SAVEPOINT change"
        } else {
            "SAVEPOINT change"
        };
        self.tx.execute(sql).await?;
        self.in_step = true;
        Ok(self.submits.mark())
    }

    /// Ends a change: kept when it was applied, rolled back to its savepoint with the rows it
    /// gathered when it was refused or failed.
    async fn end_step<T>(
        &mut self,
        mark: SubmitsMark,
        result: Result<T, DocError>,
    ) -> Result<T, DocError> {
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                self.rollback_step(mark).await?;
                Err(e)
            }
        }
    }

    /// Ends a change that ran without a savepoint: a refusal wrote nothing, so only the rows
    /// it gathered go; a failure leaves the transaction to be rolled back whole.
    fn bare_step<T>(
        &mut self,
        mark: SubmitsMark,
        result: Result<T, DocError>,
    ) -> Result<T, DocError> {
        match result {
            Ok(v) => Ok(v),
            Err(DocError::Db(e)) => {
                self.broken = true;
                Err(DocError::Db(e))
            }
            Err(refused) => {
                self.submits.rewind(mark);
                Err(refused)
            }
        }
    }

    /// Rolls a change back to its savepoint, with the rows it gathered.
    async fn rollback_step(&mut self, mark: SubmitsMark) -> Result<(), DbError> {
        if let Err(e) = self.tx.execute("ROLLBACK TO SAVEPOINT change").await {
            self.broken = true;
            return Err(e.into());
        }
        self.submits.rewind(mark);
        Ok(())
    }

    /// Keeps the answer of a draft written under `key` for a change with the same key later in
    /// the push (the row itself waits in the pending rows).
    fn remember(
        &mut self,
        key: &IdempotencyKey,
        status: u16,
        doc: &Transaction,
    ) -> Result<(), DbError> {
        let response = serde_json::to_string(&StoredDocument {
            document: doc.clone(),
            content_hash: None,
            corrected_by: None,
        })?;
        self.answers
            .insert(key.key.clone(), stored(key, status, response));
        Ok(())
    }
}

fn stored(key: &IdempotencyKey, status: u16, response: String) -> StoredAnswer {
    StoredAnswer {
        request_hash: key.request_hash.clone(),
        status,
        response,
    }
}
