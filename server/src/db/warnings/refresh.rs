//! Recomputing warnings: load what the rules read for a set of enterprises, run every rule,
//! and reconcile the stored list by key.
//!
//! Why a refresh by enterprise gives the same list as one run over every record: each warning
//! the core raises names exactly one enterprise, and depends only on records this module loads
//! for that enterprise: its submitted documents, its opening balances, its partners, the
//! reconciliation items it sent or received (and the documents confirming the ones it sent),
//! the products it owns or moved, the recalls and listings of those products, and the names of
//! the enterprises all of these mention. So running the rules over those records and keeping
//! only the warnings naming one of the enterprises gives, for them, what a run over everything
//! gives; and reconciling only the stored warnings of those enterprises leaves every other
//! warning as it was. A write touches a few enterprises (the submitter and its counterparty,
//! a recall's holders); the periodic full refresh is the same refresh over every enterprise
//! in chunks, which also catches what only the passing of time changes (expiry, overdue
//! reconciliation).

use super::{WarningState, severity_code, severity_rank};
use crate::db::rows::{CHUNK_ROWS, Marks};
use crate::db::{Db, DbError, WriteTx, regulator::RegionScope, search_text, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use suyuan_core::model::{
    Enterprise, EnterpriseId, NonconformingRecord, Partner, Product, ProductId, Recall,
    ReconciliationItem, ReconciliationState, Transaction, TransactionId,
};
use suyuan_core::rules::ledger::{Ledger, OpeningBalance};
use suyuan_core::rules::warnings::{Warning, WarningInput, WarningParams, run};
use uuid::Uuid;

/// Enterprises refreshed in one write transaction by a full refresh.
const FULL_CHUNK: usize = 200;

/// What a refresh changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefreshReport {
    /// Enterprises whose warnings were recomputed.
    pub enterprises: u64,
    /// Warnings raised for the first time.
    pub raised: u64,
    /// Resolved warnings raised again (back to new).
    pub reopened: u64,
    /// Open warnings whose details changed.
    pub updated: u64,
    /// Open warnings no longer raised.
    pub resolved: u64,
}

impl RefreshReport {
    fn add(&mut self, o: RefreshReport) {
        self.enterprises += o.enterprises;
        self.raised += o.raised;
        self.reopened += o.reopened;
        self.updated += o.updated;
        self.resolved += o.resolved;
    }
}

fn uuid_of(s: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(s).map_err(|_| DbError::Invalid(format!("id {s}")))
}

/// Runs `template` once per chunk of `ids`, each `{ids}` in it replaced by that chunk's
/// placeholders, and returns the rows.
async fn rows_for(
    conn: &mut sqlx::AnyConnection,
    template: &str,
    ids: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, DbError> {
    let uses = template.matches("{ids}").count();
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK_ROWS) {
        let mut marks = Marks::on(conn);
        let mut sql = String::with_capacity(template.len() + chunk.len() * 4 * uses);
        for (i, part) in template.split("{ids}").enumerate() {
            if i > 0 {
                let list: Vec<String> = (0..chunk.len()).map(|_| marks.one()).collect();
                sql.push_str(&list.join(", "));
            }
            sql.push_str(part);
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for _ in 0..uses {
            for id in chunk {
                q = q.bind(id.as_str());
            }
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// The `body` column of every row, parsed.
async fn bodies<T: DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    template: &str,
    ids: &[String],
) -> Result<Vec<T>, DbError> {
    rows_for(conn, template, ids)
        .await?
        .iter()
        .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?))
        .collect()
}

/// Everything the rules read for a set of enterprises.
struct Records {
    enterprises: Vec<Enterprise>,
    regions: HashMap<EnterpriseId, String>,
    products: Vec<Product>,
    partners: Vec<Partner>,
    documents: Vec<Transaction>,
    items: Vec<ReconciliationItem>,
    recalls: Vec<Recall>,
    nonconforming: Vec<NonconformingRecord>,
    openings: Vec<OpeningBalance>,
}

async fn load(conn: &mut sqlx::AnyConnection, ids: &[String]) -> Result<Records, DbError> {
    let own_rows = rows_for(
        conn,
        "SELECT id, region_code, body FROM enterprises WHERE id IN ({ids})",
        ids,
    )
    .await?;
    let mut enterprises = Vec::with_capacity(own_rows.len());
    let mut regions = HashMap::new();
    for r in &own_rows {
        let e: Enterprise = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
        regions.insert(e.id, r.try_get::<String, _>("region_code")?);
        enterprises.push(e);
    }
    let mut documents: Vec<Transaction> = bodies(
        conn,
        "SELECT body FROM transactions WHERE status = 'submitted' AND enterprise_id IN ({ids})",
        ids,
    )
    .await?;
    let items: Vec<ReconciliationItem> = bodies(
        conn,
        "SELECT body FROM reconciliation_items \
         WHERE from_enterprise_id IN ({ids}) OR to_enterprise_id IN ({ids})",
        ids,
    )
    .await?;
    // A quantity mismatch cites the receiver's confirming document.
    let have: HashSet<TransactionId> = documents.iter().map(|d| d.id).collect();
    let confirming: Vec<String> = items
        .iter()
        .filter_map(|i| match &i.state {
            ReconciliationState::Confirmed { document, .. } if !have.contains(document) => {
                Some(document.to_string())
            }
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if !confirming.is_empty() {
        let more: Vec<Transaction> = bodies(
            conn,
            "SELECT body FROM transactions WHERE status = 'submitted' AND id IN ({ids})",
            &confirming,
        )
        .await?;
        documents.extend(more);
    }
    let partners = bodies(
        conn,
        "SELECT body FROM partners WHERE owner_id IN ({ids})",
        ids,
    )
    .await?;
    let moved = "SELECT l.product_id FROM transaction_lines l WHERE l.enterprise_id IN ({ids})";
    let products = bodies(
        conn,
        &format!("SELECT body FROM products WHERE owner_id IN ({{ids}}) OR id IN ({moved})"),
        ids,
    )
    .await?;
    let recalls = bodies(
        conn,
        &format!("SELECT body FROM recalls WHERE product_id IN ({moved})"),
        ids,
    )
    .await?;
    let nonconforming = bodies(
        conn,
        &format!("SELECT body FROM nonconforming WHERE product_id IN ({moved})"),
        ids,
    )
    .await?;
    let mut openings = Vec::new();
    for r in rows_for(
        conn,
        "SELECT transaction_id, enterprise_id, product_id, batch, quantity, reason \
         FROM opening_balances WHERE enterprise_id IN ({ids})",
        ids,
    )
    .await?
    {
        openings.push(OpeningBalance {
            enterprise_id: EnterpriseId(uuid_of(&r.try_get::<String, _>("enterprise_id")?)?),
            product_id: ProductId(uuid_of(&r.try_get::<String, _>("product_id")?)?),
            batch: r.try_get("batch")?,
            quantity: u64::try_from(r.try_get::<i64, _>("quantity")?).unwrap_or(0),
            document: TransactionId(uuid_of(&r.try_get::<String, _>("transaction_id")?)?),
            reason: r.try_get("reason")?,
        });
    }
    // Other enterprises appear only by name in messages.
    let known: HashSet<EnterpriseId> = enterprises.iter().map(|e| e.id).collect();
    let mut named: HashSet<EnterpriseId> = HashSet::new();
    for d in &documents {
        named.insert(d.enterprise_id);
        if let Some(e) = d.counterparty.as_ref().and_then(|c| c.enterprise_id) {
            named.insert(e);
        }
    }
    for i in &items {
        named.insert(i.from);
        named.insert(i.to);
    }
    let others: Vec<String> = named.difference(&known).map(ToString::to_string).collect();
    if !others.is_empty() {
        let more: Vec<Enterprise> = bodies(
            conn,
            "SELECT body FROM enterprises WHERE id IN ({ids})",
            &others,
        )
        .await?;
        enterprises.extend(more);
    }
    Ok(Records {
        enterprises,
        regions,
        products,
        partners,
        documents,
        items,
        recalls,
        nonconforming,
        openings,
    })
}

/// A warning as stored beside the key.
struct Existing {
    id: String,
    state: WarningState,
    body: String,
}

/// Recomputes the warnings of `ids` as of `today` in one write transaction and reconciles the
/// stored ones by key: a new key is inserted as new, an open one keeps its state (acknowledged
/// stays acknowledged) with its details brought up to date, a resolved one raised again is new
/// again, and an open one no longer raised is resolved.
pub async fn refresh_enterprises(
    db: &Db,
    ids: &[EnterpriseId],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let mut ids: Vec<EnterpriseId> = ids.to_vec();
    ids.sort_by_key(|e| e.0);
    ids.dedup();
    if ids.is_empty() {
        return Ok(RefreshReport::default());
    }
    let mut tx = db.begin_write().await?;
    // Under the enterprises' row locks no submit of theirs commits between the read and the
    // write, so two refreshes of the same enterprise cannot cross.
    tx.lock_enterprises(&ids).await?;
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let records = load(&mut tx, &texts).await?;
    let ledger = Ledger::from_documents(&records.documents, &records.openings);
    let input = WarningInput {
        today,
        enterprises: &records.enterprises,
        products: &records.products,
        partners: &records.partners,
        documents: &records.documents,
        items: &records.items,
        recalls: &records.recalls,
        nonconforming: &records.nonconforming,
        openings: &records.openings,
        ledger: &ledger,
        params: WarningParams::default(),
    };
    let scope: HashSet<EnterpriseId> = ids.iter().copied().collect();
    let computed: Vec<Warning> = run(&input)
        .into_iter()
        .filter(|w| w.enterprise_id.is_some_and(|e| scope.contains(&e)))
        .collect();
    let mut report = reconcile(&mut tx, &texts, &records, &computed, today, now).await?;
    report.enterprises = ids.len() as u64;
    tx.commit().await?;
    Ok(report)
}

async fn reconcile(
    tx: &mut WriteTx,
    ids: &[String],
    records: &Records,
    computed: &[Warning],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let mut existing: HashMap<String, Existing> = HashMap::new();
    for r in rows_for(
        tx,
        "SELECT id, key, state, body FROM warnings WHERE enterprise_id IN ({ids})",
        ids,
    )
    .await?
    {
        existing.insert(
            r.try_get("key")?,
            Existing {
                id: r.try_get("id")?,
                state: WarningState::from_code(&r.try_get::<String, _>("state")?)?,
                body: r.try_get("body")?,
            },
        );
    }
    let names: HashMap<EnterpriseId, &str> = records
        .enterprises
        .iter()
        .map(|e| (e.id, e.name.as_str()))
        .collect();
    let at = timestamp(now);
    let mut report = RefreshReport::default();
    for w in computed {
        let body = serde_json::to_string(w)?;
        let enterprise = w.enterprise_id;
        let name = enterprise
            .and_then(|e| names.get(&e).copied())
            .unwrap_or_default();
        let search = search_text([
            name,
            w.batch.as_deref().unwrap_or(""),
            w.kind.code(),
            w.message_zh.as_str(),
            w.message_en.as_str(),
        ]);
        match existing.remove(&w.key) {
            Some(old) if old.state != WarningState::Resolved => {
                if old.body != body {
                    sqlx::query(
                        "UPDATE warnings SET body = $1, search = $2, enterprise_name = $3, \
                         updated_at = $4 WHERE id = $5",
                    )
                    .bind(body)
                    .bind(search)
                    .bind(name)
                    .bind(&at)
                    .bind(&old.id)
                    .execute(&mut **tx)
                    .await?;
                    report.updated += 1;
                }
            }
            Some(old) => {
                sqlx::query(
                    "UPDATE warnings SET state = 'new', body = $1, search = $2, enterprise_name = $3, \
                     raised_on = $4, updated_at = $5, resolved_at = NULL, acknowledged_by = NULL, \
                     acknowledged_at = NULL WHERE id = $6",
                )
                .bind(body)
                .bind(search)
                .bind(name)
                .bind(today.to_string())
                .bind(&at)
                .bind(&old.id)
                .execute(&mut **tx)
                .await?;
                report.reopened += 1;
            }
            None => {
                let region = enterprise.and_then(|e| records.regions.get(&e)).cloned();
                sqlx::query(
                    "INSERT INTO warnings (id, key, kind, severity, severity_rank, state, enterprise_id, \
                     enterprise_name, region_code, product_id, batch, raised_on, search, body, \
                     created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
                )
                .bind(Uuid::new_v4().to_string())
                .bind(w.key.as_str())
                .bind(w.kind.code())
                .bind(severity_code(w.severity))
                .bind(severity_rank(w.severity))
                .bind(enterprise.map(|e| e.to_string()))
                .bind(name)
                .bind(region)
                .bind(w.product_id.map(|p| p.to_string()))
                .bind(w.batch.clone())
                .bind(today.to_string())
                .bind(search)
                .bind(body)
                .bind(&at)
                .execute(&mut **tx)
                .await?;
                report.raised += 1;
            }
        }
    }
    for old in existing.into_values() {
        if old.state != WarningState::Resolved {
            sqlx::query(
                "UPDATE warnings SET state = 'resolved', resolved_at = $1, updated_at = $1 WHERE id = $2",
            )
            .bind(&at)
            .bind(&old.id)
            .execute(&mut **tx)
            .await?;
            report.resolved += 1;
        }
    }
    Ok(report)
}

/// Recomputes the warnings of every enterprise (of `scope`, when given), [`FULL_CHUNK`]
/// enterprises a transaction, so writers wait for one chunk at most.
pub async fn refresh_all(
    db: &Db,
    scope: Option<&RegionScope>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let rows = match scope {
        Some(s) => {
            sqlx::query(
                "SELECT id FROM enterprises WHERE region_code BETWEEN $1 AND $2 ORDER BY id",
            )
            .bind(&s.low)
            .bind(&s.high)
            .fetch_all(&db.pool)
            .await?
        }
        None => {
            sqlx::query("SELECT id FROM enterprises ORDER BY id")
                .fetch_all(&db.pool)
                .await?
        }
    };
    let ids = rows
        .iter()
        .map(|r| Ok(EnterpriseId(uuid_of(&r.try_get::<String, _>("id")?)?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    let mut report = RefreshReport::default();
    for chunk in ids.chunks(FULL_CHUNK) {
        report.add(refresh_enterprises(db, chunk, today, now).await?);
    }
    Ok(report)
}

/// The enterprises whose warnings a recall or listing of `product` can change: every one
/// whose records moved the product (holders, and sellers whose sales it may now concern).
pub async fn enterprises_moving(db: &Db, product: ProductId) -> Result<Vec<EnterpriseId>, DbError> {
    sqlx::query("SELECT DISTINCT enterprise_id FROM transaction_lines WHERE product_id = $1")
        .bind(product.to_string())
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(EnterpriseId(uuid_of(
                &r.try_get::<String, _>("enterprise_id")?,
            )?))
        })
        .collect()
}
