//! The stock ledger table (库存台账): loaded for the rows a submit touches, written back in the same
//! transaction, and listed by product and batch.

use super::rows::{CHUNK_ROWS, Marks, insert_rows};
use super::{Db, DbError};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashSet;
use suyuan_core::model::{EnterpriseId, ProductId};
use suyuan_core::rules::ledger::{Balance, Ledger};

fn count(row: &AnyRow, column: &str) -> Result<u64, DbError> {
    let v: i64 = row.try_get(column)?;
    u64::try_from(v).map_err(|_| DbError::Invalid(format!("{column} {v}")))
}

fn date(s: Option<String>) -> Result<Option<NaiveDate>, DbError> {
    s.map(|s| s.parse().map_err(|_| DbError::Invalid(format!("date {s}"))))
        .transpose()
}

fn balance_of(row: &AnyRow) -> Result<Balance, DbError> {
    Ok(Balance {
        inbound: count(row, "inbound")?,
        outbound: count(row, "outbound")?,
        opening: count(row, "opening")?,
        expiry: date(row.try_get("expiry_date")?)?,
    })
}

/// A ledger holding only the stored rows of `keys` (product and batch) of one enterprise, read
/// with one statement per [`CHUNK_ROWS`] keys.
pub(super) async fn load_ledger(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    keys: &[(ProductId, String)],
) -> Result<Ledger, DbError> {
    let mut ledger = Ledger::new();
    for chunk in keys.chunks(CHUNK_ROWS) {
        // Placeholders only, in binding order. Joined to a VALUES list, both databases look
        // each key up in an index; PostgreSQL scans the whole index for
        // `(product_id, batch) IN (VALUES …)`.
        let mut marks = Marks::on(conn);
        let keys_list = marks.rows(chunk.len(), 2);
        let sql = format!(
            "SELECT s.product_id, s.batch, s.inbound, s.outbound, s.opening, s.expiry_date \
             FROM (VALUES {keys_list}) AS k JOIN stock s ON s.product_id = k.column1 AND s.batch = k.column2 \
             WHERE s.enterprise_id = {}",
            marks.one()
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (product, batch) in chunk {
            q = q.bind(product.to_string()).bind(batch.clone());
        }
        q = q.bind(enterprise.to_string());
        for row in q.fetch_all(&mut *conn).await? {
            let product: String = row.try_get("product_id")?;
            let product = product
                .parse()
                .map(ProductId)
                .map_err(|_| DbError::Invalid(format!("product id {product}")))?;
            let batch: String = row.try_get("batch")?;
            ledger.insert_balance(enterprise, product, &batch, balance_of(&row)?);
        }
    }
    Ok(ledger)
}

fn as_i64(v: u64) -> Result<i64, DbError> {
    i64::try_from(v).map_err(|_| DbError::Invalid(format!("quantity {v}")))
}

/// Writes the ledger's rows for `keys` back to the table, with one statement per
/// [`CHUNK_ROWS`] rows.
pub(super) async fn store_ledger(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    keys: &[(ProductId, String)],
    ledger: &Ledger,
    at: &str,
) -> Result<(), DbError> {
    let mut rows = Vec::with_capacity(keys.len());
    for (product, batch) in keys {
        if let Some(b) = ledger.balance(enterprise, *product, batch) {
            rows.push((
                product.to_string(),
                batch.clone(),
                [as_i64(b.inbound)?, as_i64(b.outbound)?, as_i64(b.opening)?],
                b.expiry.map(|d| d.to_string()),
            ));
        }
    }
    let me = enterprise.to_string();
    insert_rows(
        conn,
        "INSERT INTO stock (enterprise_id, product_id, batch, inbound, outbound, opening, expiry_date, updated_at)",
        "ON CONFLICT (enterprise_id, product_id, batch) DO UPDATE SET inbound = excluded.inbound, \
         outbound = excluded.outbound, opening = excluded.opening, expiry_date = excluded.expiry_date, \
         updated_at = excluded.updated_at",
        8,
        &rows,
        |q, (product, batch, [inbound, outbound, opening], expiry)| {
            q.bind(me.clone())
                .bind(product.clone())
                .bind(batch.clone())
                .bind(*inbound)
                .bind(*outbound)
                .bind(*opening)
                .bind(expiry.clone())
                .bind(at.to_owned())
        },
    )
    .await
}

/// The stock rows the submits of one write transaction read and moved: each row read once,
/// the moved ones written once when the transaction ends ([`StockRows::store`]). Only a submit
/// writes stock, holding its enterprise's lock, so within the transaction these rows are what
/// the table would hold.
#[derive(Debug, Default)]
pub(super) struct StockRows {
    ledger: Ledger,
    loaded: HashSet<(EnterpriseId, ProductId, String)>,
    /// Rows moved, with their balance before, oldest first (for [`StockRows::rewind`]).
    moved: Vec<((EnterpriseId, ProductId, String), Balance)>,
}

impl StockRows {
    /// Reads the rows of `keys` of `enterprise` not read before.
    pub(super) async fn load(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        enterprise: EnterpriseId,
        keys: &[(ProductId, String)],
    ) -> Result<(), DbError> {
        let mut missing: Vec<(ProductId, String)> = keys
            .iter()
            .filter(|(p, b)| !self.loaded.contains(&(enterprise, *p, b.clone())))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let read = load_ledger(conn, enterprise, &missing).await?;
        for (p, b) in missing {
            if let Some(balance) = read.balance(enterprise, p, &b) {
                self.ledger.insert_balance(enterprise, p, &b, *balance);
            }
            self.loaded.insert((enterprise, p, b));
        }
        Ok(())
    }

    /// The rows read and moved so far.
    pub(super) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger, to move the rows of `keys` of `enterprise` (read before): their balances
    /// now are kept, to be put back by [`StockRows::rewind`].
    pub(super) fn moving(
        &mut self,
        enterprise: EnterpriseId,
        keys: &[(ProductId, String)],
    ) -> &mut Ledger {
        for (p, b) in keys {
            let before = self
                .ledger
                .balance(enterprise, *p, b)
                .copied()
                .unwrap_or_default();
            self.moved.push(((enterprise, *p, b.clone()), before));
        }
        &mut self.ledger
    }

    /// How many moves were made.
    pub(super) fn mark(&self) -> usize {
        self.moved.len()
    }

    /// Puts back the balances moved after `mark` (a balance never seen goes back to zero,
    /// which reads as no row).
    pub(super) fn rewind(&mut self, mark: usize) {
        while self.moved.len() > mark {
            if let Some(((e, p, b), before)) = self.moved.pop() {
                self.ledger.insert_balance(e, p, &b, before);
            }
        }
    }

    /// Writes the moved rows.
    pub(super) async fn store(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        at: &str,
    ) -> Result<(), DbError> {
        let mut rows: Vec<(EnterpriseId, ProductId, String)> =
            self.moved.drain(..).map(|(k, _)| k).collect();
        rows.sort();
        rows.dedup();
        let mut enterprises: Vec<EnterpriseId> = rows.iter().map(|r| r.0).collect();
        enterprises.dedup();
        for e in enterprises {
            let keys: Vec<(ProductId, String)> = rows
                .iter()
                .filter(|r| r.0 == e)
                .map(|(_, p, b)| (*p, b.clone()))
                .collect();
            store_ledger(&mut *conn, e, &keys, &self.ledger, at).await?;
        }
        Ok(())
    }
}

/// One row of the stock list.
#[derive(Debug, Clone, Serialize)]
pub struct StockLine {
    /// The product.
    pub product_id: String,
    /// Its generic name, when the product is in the library.
    pub product_name: Option<String>,
    /// Batch (批号).
    pub batch: String,
    /// Σ inbound.
    pub inbound: u64,
    /// Σ outbound.
    pub outbound: u64,
    /// Σ opening balances (期初库存).
    pub opening: u64,
    /// Held now.
    pub held: i64,
    /// Expiry of the batch as inbound documents state it.
    pub expiry_date: Option<NaiveDate>,
    /// Last change.
    pub updated_at: String,
}

/// Filters of the stock list.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    /// Keyword over the product's names and numbers, lower-cased.
    pub keyword: Option<String>,
    /// One product.
    pub product_id: Option<ProductId>,
    /// One batch.
    pub batch: Option<String>,
    /// Batches expiring before this day.
    pub expiring_before: Option<NaiveDate>,
}

/// One page of an enterprise's stock, by product name and batch, and the total row count.
pub async fn list_stock(
    db: &Db,
    enterprise: EnterpriseId,
    f: &StockFilter,
    (limit, offset): (u32, u32),
) -> Result<(Vec<StockLine>, u64), DbError> {
    let mut binds = vec![enterprise.to_string()];
    let mut wheres = vec!["s.enterprise_id = $1".to_owned()];
    let mut push = |cond: &str, value: String| {
        binds.push(value);
        wheres.push(cond.replace('?', &format!("${}", binds.len())));
    };
    if let Some(k) = &f.keyword {
        push("p.search LIKE ?", format!("%{k}%"));
    }
    if let Some(p) = f.product_id {
        push("s.product_id = ?", p.to_string());
    }
    if let Some(b) = &f.batch {
        push("s.batch = ?", b.clone());
    }
    if let Some(d) = f.expiring_before {
        push("s.expiry_date < ?", d.to_string());
    }
    let from = format!(
        "FROM stock s LEFT JOIN products p ON p.id = s.product_id WHERE {}",
        wheres.join(" AND ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n {from}")));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let total = count(&q.fetch_one(&db.pool).await?, "n")?;
    let sql = format!(
        "SELECT s.product_id, p.generic_name, s.batch, s.inbound, s.outbound, s.opening, s.expiry_date, s.updated_at \
         {from} ORDER BY p.generic_name, s.product_id, s.batch LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let mut lines = Vec::new();
    for row in q.fetch_all(&db.pool).await? {
        let b = balance_of(&row)?;
        lines.push(StockLine {
            product_id: row.try_get("product_id")?,
            product_name: row.try_get("generic_name")?,
            batch: row.try_get("batch")?,
            inbound: b.inbound,
            outbound: b.outbound,
            opening: b.opening,
            held: b.held(),
            expiry_date: b.expiry,
            updated_at: row.try_get("updated_at")?,
        });
    }
    Ok((lines, total))
}
