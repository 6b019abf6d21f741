//! What every document write leaves behind in the same transaction: the enterprise row lock,
//! change-feed rows, audit rows and idempotent answers.

use super::DbError;
use super::rows::insert_rows;
use sqlx::Row;
use suyuan_core::model::EnterpriseId;
use uuid::Uuid;

/// Locks the rows of `enterprises` in id order (PostgreSQL; see [`super::WriteTx`]).
pub(super) async fn lock_enterprises(
    conn: &mut sqlx::AnyConnection,
    ids: &[EnterpriseId],
) -> Result<(), DbError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for id in ids {
        sqlx::query("UPDATE enterprises SET feed_seq = feed_seq WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Appends a change-feed row for `enterprise`, numbered from its own counter.
pub(super) async fn append_feed(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    entity: &str,
    entity_id: &str,
    at: &str,
) -> Result<(), DbError> {
    let seq: i64 = sqlx::query(
        "UPDATE enterprises SET feed_seq = feed_seq + 1 WHERE id = $1 RETURNING feed_seq",
    )
    .bind(enterprise.to_string())
    .fetch_one(&mut *conn)
    .await?
    .try_get("feed_seq")?;
    sqlx::query(
        "INSERT INTO change_feed (enterprise_id, seq, entity, entity_id, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(enterprise.to_string())
    .bind(seq)
    .bind(entity)
    .bind(entity_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Change-feed and audit rows a write gathers as it goes and writes when it ends, a statement
/// per table instead of two or three per row. They belong to the same transaction, so when
/// they are written inside it changes nothing a reader can see.
#[derive(Debug, Default)]
pub(super) struct Pending {
    feed: Vec<(EnterpriseId, &'static str, String)>,
    audits: Vec<AuditRow>,
    answers: Vec<(IdempotencyKey, u16, String)>,
}

/// How much a [`Pending`] held at some point, to drop what came after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingMark {
    feed: usize,
    audits: usize,
    answers: usize,
}

/// An audit row to write (owned, so it outlives the write that made it).
#[derive(Debug)]
pub(super) struct AuditRow {
    pub account: Uuid,
    pub enterprise: EnterpriseId,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Pending {
    /// A change-feed row for `enterprise`, numbered when written.
    pub(super) fn feed(&mut self, enterprise: EnterpriseId, entity: &'static str, entity_id: &str) {
        self.feed.push((enterprise, entity, entity_id.to_owned()));
    }

    /// An audit row.
    pub(super) fn audit(&mut self, row: AuditRow) {
        self.audits.push(row);
    }

    /// The answer of a call made with `key`, kept with the rest.
    pub(super) fn answer(&mut self, key: &IdempotencyKey, status: u16, response: String) {
        self.answers.push((key.clone(), status, response));
    }

    /// What is gathered so far.
    pub(super) fn mark(&self) -> PendingMark {
        PendingMark {
            feed: self.feed.len(),
            audits: self.audits.len(),
            answers: self.answers.len(),
        }
    }

    /// Drops what was gathered after `mark`: the rows of a write rolled back to its savepoint.
    pub(super) fn rewind(&mut self, mark: PendingMark) {
        self.feed.truncate(mark.feed);
        self.audits.truncate(mark.audits);
        self.answers.truncate(mark.answers);
    }

    /// Writes what was gathered, in the order it was gathered: each enterprise's feed rows
    /// numbered from its counter (one `UPDATE` per enterprise, under its row lock), then one
    /// `INSERT` per table (audit rows, then answers).
    pub(super) async fn flush(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        at: &str,
    ) -> Result<(), DbError> {
        let mut counts: Vec<(EnterpriseId, i64)> = Vec::new();
        for (e, _, _) in &self.feed {
            match counts.iter_mut().find(|(c, _)| c == e) {
                Some((_, n)) => *n += 1,
                None => counts.push((*e, 1)),
            }
        }
        // The next seq of each enterprise: the counter after the UPDATE less the rows taken.
        let mut next: Vec<(EnterpriseId, i64)> = Vec::with_capacity(counts.len());
        for (e, n) in counts {
            let last: i64 = sqlx::query(
                "UPDATE enterprises SET feed_seq = feed_seq + $1 WHERE id = $2 RETURNING feed_seq",
            )
            .bind(n)
            .bind(e.to_string())
            .fetch_one(&mut *conn)
            .await?
            .try_get("feed_seq")?;
            next.push((e, last - n + 1));
        }
        let mut rows = Vec::with_capacity(self.feed.len());
        for (e, entity, id) in self.feed.drain(..) {
            let slot = next
                .iter_mut()
                .find(|(c, _)| *c == e)
                .ok_or_else(|| DbError::Invalid("feed row without a counter".into()))?;
            rows.push((e.to_string(), slot.1, entity, id));
            slot.1 += 1;
        }
        insert_feed_rows(&mut *conn, &rows, at).await?;
        let audits: Vec<AuditRow> = self.audits.drain(..).collect();
        insert_rows(
            &mut *conn,
            "INSERT INTO audit_log (at, account_id, enterprise_id, action, entity, entity_id, before_body, after_body)",
            "",
            8,
            &audits,
            |q, a| {
                q.bind(at.to_owned())
                    .bind(Some(a.account.to_string()))
                    .bind(Some(a.enterprise.to_string()))
                    .bind(a.action)
                    .bind(a.entity)
                    .bind(a.entity_id.clone())
                    .bind(a.before.clone())
                    .bind(a.after.clone())
            },
        )
        .await?;
        let answers: Vec<_> = self.answers.drain(..).collect();
        insert_rows(
            conn,
            "INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)",
            "",
            6,
            &answers,
            |q, (k, status, response)| {
                q.bind(k.scope.clone())
                    .bind(k.key.clone())
                    .bind(k.request_hash.clone())
                    .bind(i64::from(*status))
                    .bind(response.clone())
                    .bind(at.to_owned())
            },
        )
        .await
    }
}

/// A change-feed row: enterprise, its sequence number, entity, entity id.
pub(super) type FeedRow = (String, i64, &'static str, String);

/// Writes numbered change-feed rows, a statement per chunk.
pub(super) async fn insert_feed_rows(
    conn: &mut sqlx::AnyConnection,
    rows: &[FeedRow],
    at: &str,
) -> Result<(), DbError> {
    insert_rows(
        conn,
        "INSERT INTO change_feed (enterprise_id, seq, entity, entity_id, at)",
        "",
        5,
        rows,
        |q, (e, seq, entity, id)| {
            q.bind(e.clone())
                .bind(*seq)
                .bind(*entity)
                .bind(id.clone())
                .bind(at.to_owned())
        },
    )
    .await
}

/// One audited write.
#[derive(Debug, Clone, Copy)]
pub(super) struct Audit<'a> {
    pub account: Uuid,
    pub enterprise: EnterpriseId,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// Writes an audit row.
pub(super) async fn audit(
    conn: &mut sqlx::AnyConnection,
    a: Audit<'_>,
    at: &str,
) -> Result<(), DbError> {
    super::audit::audit(
        conn,
        &super::AuditEntry {
            at,
            account_id: Some(a.account),
            enterprise_id: Some(a.enterprise),
            action: a.action,
            entity: a.entity,
            entity_id: a.entity_id,
            before: a.before,
            after: a.after,
        },
    )
    .await
}

/// The key of an idempotent call: who (`scope`, the enterprise), which key, and a hash of the
/// request so a reused key with another body is told apart from a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The enterprise the key belongs to.
    pub scope: String,
    /// The client's `Idempotency-Key`.
    pub key: String,
    /// SHA-256 of method, path and body.
    pub request_hash: String,
}

/// The first answer to an idempotent call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// Hash of the request that got it.
    pub request_hash: String,
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub response: String,
}

/// The stored answer for a key, if the call was made before.
pub async fn idempotent_answer(
    conn: &mut sqlx::AnyConnection,
    k: &IdempotencyKey,
) -> Result<Option<StoredAnswer>, DbError> {
    let row = sqlx::query(
        "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
    .bind(&k.scope)
    .bind(&k.key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let status: i64 = r.try_get("status")?;
        Ok(StoredAnswer {
            request_hash: r.try_get("request_hash")?,
            status: u16::try_from(status)
                .map_err(|_| DbError::Invalid(format!("status {status}")))?,
            response: r.try_get("response")?,
        })
    })
    .transpose()
}

/// Keeps the answer of a call made with a key.
pub(super) async fn store_answer(
    conn: &mut sqlx::AnyConnection,
    k: &IdempotencyKey,
    status: u16,
    response: &str,
    at: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&k.scope)
    .bind(&k.key)
    .bind(&k.request_hash)
    .bind(i64::from(status))
    .bind(response)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}
