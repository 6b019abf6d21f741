//! Recomputing warnings: load what the rules read for some records, run every rule, and
//! reconcile by key the stored warnings those records decide.
//!
//! Two scopes, each giving for the warnings it decides what one run over every record gives:
//!
//! - By enterprise ([`refresh_enterprises`], and [`refresh_all`] in chunks): each warning the
//!   core raises names exactly one enterprise and depends only on records loaded for it: its
//!   submitted documents, opening balances and partners, the reconciliation items it sent or
//!   received (and the documents confirming the ones it sent), the products it owns or moved
//!   with their recalls and listings, and the names of the enterprises these mention. Keeping
//!   only the warnings naming the enterprises, and reconciling only theirs, leaves every other
//!   warning as it was. The periodic job runs this over everyone, which also catches what only
//!   the passing of time changes (expiry, overdue reconciliation).
//! - After one write ([`refresh_narrow`]): an enterprise's warning about a product depends only
//!   on its documents with that product, its opening balances of it, the product and its
//!   recalls and listings; a warning about a reconciliation item on the item; a warning about
//!   a document (counterparty licence, quality agreement) on the document and its partner. A
//!   submit changes only its enterprise's records of its products (and of the corrected
//!   document's), the warnings about itself and the corrected document, and the items they
//!   raised or superseded; a confirmation or dispute also the item; a recall or listing only
//!   the warnings about its product. So the narrow scope loads just those records and
//!   reconciles just those warnings, which the tests check against a full recomputation.

use super::load::{Decides, Narrow, Records, Sql, load_narrow, load_whole, texts, uuid_of};
use super::{WarningState, severity_code, severity_rank};
use crate::db::{Db, DbError, WriteTx, regulator::RegionScope, search_text, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use suyuan_core::model::{EnterpriseId, ProductId};
use suyuan_core::rules::ledger::Ledger;
use suyuan_core::rules::warnings::{Warning, WarningInput, WarningKind, WarningParams, run};
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

/// A warning as stored, with what [`Decides`] looks at.
struct Existing {
    id: String,
    state: WarningState,
    body: String,
}

fn sorted_ids(ids: &[EnterpriseId]) -> Vec<EnterpriseId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    ids
}

/// Runs every rule over `records` and reconciles the warnings `decides` covers; `stored`
/// selects at least the stored ones it covers.
async fn recompute(
    tx: &mut WriteTx,
    records: &Records,
    decides: &Decides,
    stored: Sql,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
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
    let computed: Vec<Warning> = run(&input)
        .into_iter()
        .filter(|w| decides.covers_warning(w))
        .collect();
    let mut existing: HashMap<String, Existing> = HashMap::new();
    for r in stored.fetch(tx).await? {
        let kind: String = r.try_get("kind")?;
        let about_item = WarningKind::ALL
            .iter()
            .find(|k| k.code() == kind)
            .is_some_and(|k| k.is_about_item());
        let id_in = |column: &str| -> Result<Option<Uuid>, DbError> {
            r.try_get::<Option<String>, _>(column)?
                .map(|s| uuid_of(&s))
                .transpose()
        };
        let covered = decides.covers(
            about_item,
            id_in("enterprise_id")?.map(EnterpriseId),
            id_in("product_id")?.map(ProductId),
            id_in("subject_id")?,
        );
        if covered {
            existing.insert(
                r.try_get("key")?,
                Existing {
                    id: r.try_get("id")?,
                    state: WarningState::from_code(&r.try_get::<String, _>("state")?)?,
                    body: r.try_get("body")?,
                },
            );
        }
    }
    reconcile(tx, existing, records, &computed, today, now).await
}

const STORED: &str =
    "SELECT id, key, state, body, kind, enterprise_id, product_id, subject_id FROM warnings WHERE ";

/// Recomputes every warning of the enterprises `ids` as of `today` in one write transaction
/// and reconciles the stored ones by key: a new key is inserted as new, an open one keeps its
/// state (acknowledged stays acknowledged) with its details brought up to date, a resolved one
/// raised again is new again, and an open one no longer raised is resolved.
pub async fn refresh_enterprises(
    db: &Db,
    ids: &[EnterpriseId],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let ids = sorted_ids(ids);
    if ids.is_empty() {
        return Ok(RefreshReport::default());
    }
    let mut tx = db.begin_write().await?;
    // Under the enterprises' row locks no submit of theirs commits between the read and the
    // write, so two refreshes of the same enterprise cannot cross.
    tx.lock_enterprises(&ids).await?;
    let own = texts(&ids);
    let records = load_whole(&mut tx, &own).await?;
    let decides = Decides::Enterprises(ids.iter().copied().collect());
    let mut stored = Sql::on(&tx);
    stored
        .push(STORED)
        .push("enterprise_id IN (")
        .list(&own)
        .push(")");
    let mut report = recompute(&mut tx, &records, &decides, stored, today, now).await?;
    report.enterprises = ids.len() as u64;
    tx.commit().await?;
    Ok(report)
}

/// Recomputes, as of `today`, only the warnings a write could change (see [`Narrow`]): the
/// enterprises' warnings about the products, and the warnings about the written documents and
/// items. For those it gives what [`refresh_enterprises`] gives, because each depends only on
/// records loaded here: a warning of an enterprise about a product on that enterprise's
/// documents with the product (and their corrections), its opening balances of the product,
/// the product, its recalls and listings, and a document's partner; a warning about a
/// reconciliation item on the item alone. Warnings about other products and other records
/// cannot have changed.
pub async fn refresh_narrow(
    db: &Db,
    scope: &Narrow,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let mut n = scope.clone();
    n.enterprises = sorted_ids(&n.enterprises);
    if n.is_empty() {
        return Ok(RefreshReport::default());
    }
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&n.enterprises).await?;
    let (records, decides) = load_narrow(&mut tx, &n).await?;
    let Decides::Narrow {
        products, subjects, ..
    } = &decides
    else {
        return Err(DbError::Invalid("narrow scope".into()));
    };
    let mut stored = Sql::on(&tx);
    stored
        .push(STORED)
        .push("(enterprise_id IN (")
        .list(&texts(&n.enterprises))
        .push(") AND product_id IN (")
        .list(&texts(products))
        .push(")) OR subject_id IN (")
        .list(&texts(subjects))
        .push(")");
    let mut report = recompute(&mut tx, &records, &decides, stored, today, now).await?;
    report.enterprises = n.enterprises.len() as u64;
    tx.commit().await?;
    Ok(report)
}

async fn reconcile(
    tx: &mut WriteTx,
    mut existing: HashMap<String, Existing>,
    records: &Records,
    computed: &[Warning],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
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
                     enterprise_name, region_code, product_id, batch, subject_id, raised_on, search, \
                     body, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
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
                .bind(w.subject.map(|u| u.to_string()))
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
