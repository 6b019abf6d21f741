//! Bulk loading of a generated history (`crate::generate`) for the benchmarks: every document
//! passes the core's submit rules against a ledger kept in memory, is submitted, chained and
//! matched in the inboxes by the core's rules as a one-by-one submit would be, and a day's
//! documents are written many rows to a statement in one transaction.
//!
//! Differences from the submit path, on purpose: no audit rows (nobody wrote these records);
//! a reconciliation item is written once, in its last state; the feed gets a product and its
//! barcodes the first time the product reaches an enterprise rather than with every item.
//! Only for enterprises with no documents yet: their stock and open items are kept in memory.

use super::chain::{canonical_json, chain_hash};
use super::impact::uuid_of;
use super::journal::{FeedRow, insert_feed_rows};
use super::lines::Lines;
use super::reconciliation::insert_items;
use super::rows::insert_rows;
use super::transactions::{SubmittedRow, insert_submitted_rows};
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use suyuan_core::model::{Barcode, EnterpriseId, ProductId, ReconciliationItem, Transaction};
use suyuan_core::rules::ledger::Ledger;
use suyuan_core::rules::lifecycle;
use suyuan_core::rules::reconciliation::on_submit;
use suyuan_core::rules::status::Blocks;
use suyuan_core::rules::submit::{SubmitContext, check_submit};

/// What a load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Submitted documents.
    pub documents: u64,
    /// Their lines.
    pub lines: u64,
    /// Reconciliation items confirmed by the counterparty's own document.
    pub items_confirmed: u64,
    /// Items still open in an inbox.
    pub items_pending: u64,
    /// Stock rows (enterprise × product × batch).
    pub stock_rows: u64,
}

/// A load in progress: the state a submit would read from the database, kept in memory.
#[derive(Debug, Default)]
pub struct BulkLoader {
    ledger: Ledger,
    heads: HashMap<EnterpriseId, String>,
    feed_seq: HashMap<EnterpriseId, i64>,
    /// Open items by (from, to).
    open: HashMap<(EnterpriseId, EnterpriseId), Vec<ReconciliationItem>>,
    reached: HashSet<(EnterpriseId, ProductId)>,
    barcodes: HashMap<ProductId, Vec<String>>,
    last: Option<DateTime<Utc>>,
    stats: LoadStats,
}

impl BulkLoader {
    /// A loader for documents about products with these barcodes, starting from each
    /// enterprise's chain head and feed counter as stored (the catalog's own writes fed it).
    pub async fn start(db: &Db, barcodes: &[Barcode]) -> Result<BulkLoader, DbError> {
        let mut by_product: HashMap<ProductId, Vec<String>> = HashMap::new();
        for b in barcodes {
            by_product
                .entry(b.product_id)
                .or_default()
                .push(b.id.to_string());
        }
        let mut loader = BulkLoader {
            barcodes: by_product,
            ..BulkLoader::default()
        };
        let rows = sqlx::query("SELECT id, chain_head, feed_seq FROM enterprises")
            .fetch_all(&db.pool)
            .await?;
        for r in rows {
            let id = EnterpriseId(uuid_of(&r.try_get::<String, _>("id")?)?);
            if let Some(head) = r.try_get::<Option<String>, _>("chain_head")? {
                loader.heads.insert(id, head);
            }
            loader.feed_seq.insert(id, r.try_get("feed_seq")?);
        }
        Ok(loader)
    }

    /// What was written so far.
    pub fn stats(&self) -> LoadStats {
        self.stats
    }

    /// Checks, submits and writes one day's drafts, in order, in one write transaction. A
    /// draft the submit rules refuse stops the load with its problems; nothing of that day is
    /// written.
    pub async fn load_day(
        &mut self,
        db: &Db,
        day: NaiveDate,
        drafts: Vec<Transaction>,
    ) -> Result<(), DbError> {
        let mut docs = Vec::with_capacity(drafts.len());
        let mut hashes = Vec::with_capacity(drafts.len());
        let mut feed: Vec<FeedRow> = vec![];
        let mut settled: Vec<ReconciliationItem> = vec![];
        let opening = day.and_hms_opt(9, 0, 0).expect("a time").and_utc();
        for draft in drafts {
            let check = check_submit(
                &draft,
                &SubmitContext {
                    ledger: &self.ledger,
                    blocks: Blocks::new(&[], &[]),
                    corrected: None,
                    opening_override: None,
                },
            );
            if !check.is_ok() {
                let reasons: Vec<String> = check
                    .problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message_en))
                    .collect();
                return Err(DbError::Invalid(format!(
                    "generated document {} refused: {}",
                    draft.number,
                    reasons.join("; ")
                )));
            }
            let instant = match self.last {
                Some(t) if t >= opening => t + Duration::microseconds(1),
                _ => opening,
            };
            self.last = Some(instant);
            let doc = lifecycle::submit(draft, instant)
                .map_err(|p| DbError::Invalid(p.message_en.clone()))?;
            let body = serde_json::to_string(&doc)?;
            let me = doc.enterprise_id;
            let prev = self.heads.get(&me).cloned();
            let hash = chain_hash(prev.as_deref(), &canonical_json(&body)?);
            self.heads.insert(me, hash.clone());
            self.ledger.apply(&doc);
            self.reconcile(&doc, &mut feed, &mut settled);
            self.feed(&mut feed, me, "transaction", doc.id.to_string());
            self.stats.documents += 1;
            self.stats.lines += doc.lines.len() as u64;
            hashes.push((body, hash, prev));
            docs.push(doc);
        }
        let rows: Vec<SubmittedRow<'_>> = docs
            .iter()
            .zip(hashes)
            .map(|(doc, (body, hash, prev))| SubmittedRow {
                doc,
                body,
                hash,
                prev,
            })
            .collect();
        let at = timestamp(self.last.unwrap_or(opening));
        let refs: Vec<&Transaction> = docs.iter().collect();
        let mut tx = db.begin_write().await?;
        insert_submitted_rows(&mut tx, &rows, &at).await?;
        let mut lines = Lines::default();
        for doc in &refs {
            lines.add(doc)?;
        }
        lines.write(&mut tx).await?;
        insert_items(&mut tx, &settled, &at).await?;
        insert_feed_rows(&mut tx, &feed, &at).await?;
        tx.commit().await?;
        self.stats.items_confirmed += settled.len() as u64;
        Ok(())
    }

    /// Matches `doc` against the open items between it and its counterparty, as a submit does.
    fn reconcile(
        &mut self,
        doc: &Transaction,
        feed: &mut Vec<FeedRow>,
        settled: &mut Vec<ReconciliationItem>,
    ) {
        let Some(other) = doc.counterparty.as_ref().and_then(|c| c.enterprise_id) else {
            return;
        };
        let pair = (other, doc.enterprise_id);
        let open = self.open.get(&pair).map_or(&[][..], Vec::as_slice);
        let change = on_submit(doc, open);
        for item in change.updated {
            if let Some(list) = self.open.get_mut(&pair) {
                list.retain(|i| i.id != item.id);
            }
            self.feed(feed, item.from, "reconciliation_item", item.id.to_string());
            self.feed(feed, item.to, "reconciliation_item", item.id.to_string());
            settled.push(item);
        }
        for item in change.created {
            self.feed(feed, item.from, "reconciliation_item", item.id.to_string());
            self.feed(feed, item.to, "reconciliation_item", item.id.to_string());
            let mut products: Vec<ProductId> = item.lines.iter().map(|l| l.product_id).collect();
            products.sort();
            products.dedup();
            for p in products {
                if self.reached.insert((item.to, p)) {
                    self.feed(feed, item.to, "product", p.to_string());
                    let barcodes = self.barcodes.get(&p).cloned().unwrap_or_default();
                    for b in barcodes {
                        self.feed(feed, item.to, "barcode", b);
                    }
                }
            }
            self.open
                .entry((item.from, item.to))
                .or_default()
                .push(item);
        }
    }

    fn feed(
        &mut self,
        feed: &mut Vec<FeedRow>,
        enterprise: EnterpriseId,
        entity: &'static str,
        id: String,
    ) {
        let seq = self.feed_seq.entry(enterprise).or_insert(0);
        *seq += 1;
        feed.push((enterprise.to_string(), *seq, entity, id));
    }

    /// Writes what waits in memory: the stock ledger, the items still open, and each
    /// enterprise's chain head and feed counter.
    pub async fn finish(mut self, db: &Db) -> Result<LoadStats, DbError> {
        let at = timestamp(self.last.unwrap_or_else(Utc::now));
        let mut tx = db.begin_write().await?;
        let stock: Vec<_> = self
            .ledger
            .rows()
            .into_iter()
            .map(|r| {
                let b = r.balance;
                (
                    r.enterprise_id.to_string(),
                    r.product_id.to_string(),
                    r.batch,
                    [b.inbound, b.outbound, b.opening]
                        .map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
                    b.expiry.map(|d| d.to_string()),
                )
            })
            .collect();
        insert_rows(
            &mut tx,
            "INSERT INTO stock (enterprise_id, product_id, batch, inbound, outbound, opening, expiry_date, updated_at)",
            "",
            8,
            &stock,
            |q, (e, p, batch, [inbound, outbound, opening], expiry)| {
                q.bind(e.clone())
                    .bind(p.clone())
                    .bind(batch.clone())
                    .bind(*inbound)
                    .bind(*outbound)
                    .bind(*opening)
                    .bind(expiry.clone())
                    .bind(at.clone())
            },
        )
        .await?;
        let open: Vec<ReconciliationItem> = self.open.drain().flat_map(|(_, v)| v).collect();
        insert_items(&mut tx, &open, &at).await?;
        let mut ids: Vec<EnterpriseId> = self
            .heads
            .keys()
            .chain(self.feed_seq.keys())
            .copied()
            .collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            sqlx::query("UPDATE enterprises SET chain_head = $1, feed_seq = $2 WHERE id = $3")
                .bind(self.heads.get(&id).cloned())
                .bind(self.feed_seq.get(&id).copied().unwrap_or(0))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        // The planner's statistics, which a bulk load leaves far behind the tables; on
        // PostgreSQL also the visibility map, without which no scan is index-only until
        // autovacuum comes by.
        let analyze = match db.backend {
            super::Backend::Sqlite => "ANALYZE",
            super::Backend::Postgres => {
                "VACUUM ANALYZE enterprises, transactions, transaction_lines, stock, \
                 reconciliation_items, change_feed"
            }
        };
        sqlx::query(analyze).execute(&db.pool).await?;
        self.stats.items_pending = open.len() as u64;
        self.stats.stock_rows = stock.len() as u64;
        Ok(self.stats)
    }

    /// The stock of `enterprise` in `product`'s `batch` as loaded.
    pub fn held(&self, enterprise: EnterpriseId, product: ProductId, batch: &str) -> i64 {
        self.ledger.held(enterprise, product, batch)
    }
}
