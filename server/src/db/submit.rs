//! Submitting a document (提交): every check and every write in one database transaction —
//! stock, opening balances, the counterparty's reconciliation inbox, the hash chain, the
//! change feeds and the audit log. Any failure writes nothing.

use super::chain::{canonical_json, chain_hash};
use super::journal::{
    Audit, IdempotencyKey, append_feed, audit, idempotent_answer, lock_enterprises, store_answer,
};
use super::product_refs::placeholders;
use super::reconciliation::{insert_item, open_items_for, update_item};
use super::stock::{load_ledger, store_ledger};
use super::transactions::{
    DocError, StoredDocument, Written, check_draft, china_today, counterparty_enterprise,
    fetch_doc, insert_doc_row, search_of, submitted_problem,
};
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use sqlx::Row;
use suyuan_core::Problem;
use suyuan_core::model::{
    EnterpriseId, NonconformingRecord, ProductId, Recall, RecordStatus, Transaction, TransactionId,
};
use suyuan_core::problem::blocking;
use suyuan_core::rules::lifecycle;
use suyuan_core::rules::reconciliation::on_submit;
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
    // Read first, outside the transaction, only to learn whose rows to lock.
    let mut conn = db.pool.acquire().await?;
    let peek = fetch_doc(&mut conn, enterprise, id).await?;
    let mut involved = vec![enterprise];
    if let Some(d) = &peek {
        involved.extend(
            d.document
                .counterparty
                .as_ref()
                .and_then(|c| c.enterprise_id),
        );
        if let Some(old) = d.document.corrects
            && let Some(o) = fetch_doc(&mut conn, enterprise, old).await?
        {
            involved.extend(o.document.counterparty.and_then(|c| c.enterprise_id));
        }
    }
    drop(conn);

    let mut tx = db.pool.begin().await?;
    lock_enterprises(&mut tx, &involved).await?;
    if let Some(key) = idempotency
        && let Some(first) = idempotent_answer(&mut tx, key).await?
    {
        return Ok(Written::Replayed(first));
    }
    let current = fetch_doc(&mut tx, enterprise, id)
        .await?
        .ok_or(DocError::NotFound)?
        .document;
    if current.status.is_submitted() {
        return Err(DocError::Conflict(submitted_problem(&current)));
    }
    let (doc, hash) = submit_on(&mut tx, current, true, options, account, now).await?;
    let answer = StoredDocument {
        document: doc,
        content_hash: Some(hash),
        corrected_by: None,
    };
    if let Some(key) = idempotency {
        let at = timestamp(now);
        store_answer(&mut tx, key, 200, &serde_json::to_string(&answer)?, &at).await?;
    }
    tx.commit().await?;
    Ok(Written::Done(answer))
}

/// Loads the bodies of a table's rows about `products` (recalls, nonconforming listings).
async fn rows_for_products<T: DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    products: &[ProductId],
) -> Result<Vec<T>, DbError> {
    let mut ids: Vec<String> = products.iter().map(ToString::to_string).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // `table` is one of two names in this file, never input.
    let sql = format!(
        "SELECT body FROM {table} WHERE product_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?))
        .collect()
}

/// The instant of a submit: after the enterprise's last one, so submit order is chain order
/// even if the clock steps back, and in whole microseconds, as stored.
async fn submit_instant(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, DbError> {
    let now = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let last: Option<String> = sqlx::query(
        "SELECT MAX(submitted_at) AS m FROM transactions WHERE enterprise_id = $1 AND status = 'submitted'",
    )
    .bind(enterprise.to_string())
    .fetch_one(conn)
    .await?
    .try_get("m")?;
    let last = last
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc));
    Ok(match last {
        Some(t) if t >= now => t + Duration::microseconds(1),
        _ => now,
    })
}

/// Checks and submits `draft` inside the caller's transaction, which holds the row locks of
/// the enterprises involved. `stored` says whether the draft already has a row. Returns the
/// submitted document and its chain hash.
pub(super) async fn submit_on(
    conn: &mut sqlx::AnyConnection,
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
    let all = check_draft(&mut *conn, &mut doc, china_today(now)).await?;
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
    let mut ledger = load_ledger(&mut *conn, me, &keys).await?;
    let recalls: Vec<Recall> = rows_for_products(&mut *conn, "recalls", &products).await?;
    let listings: Vec<NonconformingRecord> =
        rows_for_products(&mut *conn, "nonconforming", &products).await?;
    let check = check_submit(
        &doc,
        &SubmitContext {
            ledger: &ledger,
            blocks: Blocks::new(&recalls, &listings),
            corrected: corrected.as_ref(),
            opening_override: options.opening_override.as_deref(),
        },
    );
    problems.extend(check.problems);
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }

    let instant = submit_instant(&mut *conn, me, now).await?;
    let doc = lifecycle::submit(doc, instant).map_err(DocError::Conflict)?;
    let at = timestamp(now);
    let body = serde_json::to_string(&doc)?;
    let prev: Option<String> = sqlx::query("SELECT chain_head FROM enterprises WHERE id = $1")
        .bind(me.to_string())
        .fetch_one(&mut *conn)
        .await?
        .try_get("chain_head")?;
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
        .bind(prev.clone())
        .bind(&at)
        .bind(doc.id.to_string())
        .execute(&mut *conn)
        .await?;
    } else {
        insert_doc_row(&mut *conn, &doc, Some((&hash, prev.as_deref())), &at).await?;
    }
    sqlx::query("UPDATE enterprises SET chain_head = $1 WHERE id = $2")
        .bind(&hash)
        .bind(me.to_string())
        .execute(&mut *conn)
        .await?;
    insert_lines(&mut *conn, &doc).await?;

    if let Some(old) = &corrected {
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
        ledger.revert(old);
        append_feed(&mut *conn, me, "transaction", &old.id.to_string(), &at).await?;
    }
    for o in &check.openings {
        ledger.apply_opening(o);
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
    ledger.apply(&doc);
    store_ledger(&mut *conn, me, &keys, &ledger, &at).await?;

    let open = open_items_for(
        &mut *conn,
        me,
        doc.counterparty.as_ref().and_then(|c| c.enterprise_id),
        doc.corrects,
    )
    .await?;
    let change = on_submit(&doc, &open);
    for item in &change.created {
        insert_item(&mut *conn, item, &at).await?;
    }
    for item in &change.updated {
        update_item(&mut *conn, item, &at).await?;
    }
    for item in change.created.iter().chain(&change.updated) {
        let id = item.id.to_string();
        append_feed(&mut *conn, item.from, "reconciliation_item", &id, &at).await?;
        append_feed(&mut *conn, item.to, "reconciliation_item", &id, &at).await?;
    }

    let id = doc.id.to_string();
    append_feed(&mut *conn, me, "transaction", &id, &at).await?;
    audit(
        &mut *conn,
        Audit {
            account,
            enterprise: me,
            action: "submit",
            entity: "transaction",
            entity_id: &id,
            before: before.as_deref(),
            after: Some(&body),
        },
        &at,
    )
    .await?;
    Ok((doc, hash))
}

/// Writes the flat line rows a trace and a recall read.
async fn insert_lines(conn: &mut sqlx::AnyConnection, doc: &Transaction) -> Result<(), DbError> {
    let RecordStatus::Submitted { .. } = doc.status else {
        return Err(DbError::Invalid("lines of a draft".into()));
    };
    let party = doc.counterparty.as_ref();
    for (i, l) in doc.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO transaction_lines (transaction_id, line_no, enterprise_id, kind, doc_date, product_id, \
             batch, quantity, unit, expiry_date, counterparty_enterprise_id, counterparty_uscc, counterparty_name, counted) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)",
        )
        .bind(doc.id.to_string())
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .bind(doc.enterprise_id.to_string())
        .bind(super::transactions::kind_code(doc.kind))
        .bind(doc.date.to_string())
        .bind(l.product_id.to_string())
        .bind(&l.batch)
        .bind(i64::from(l.quantity))
        .bind(&l.unit)
        .bind(l.expiry_date.map(|d| d.to_string()))
        .bind(counterparty_enterprise(doc))
        .bind(party.and_then(|c| c.uscc.clone()))
        .bind(party.map_or(String::new(), |c| c.name.clone()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
