//! The offline ledger: each submitted document's effect per product and batch, kept in
//! `stock_moves`, so a submit reads only the rows of its own products.

use super::StoreError;
use crate::model::{EnterpriseId, ProductId, StockDirection, Transaction};
use crate::rules::ledger::{Balance, Ledger, OpeningBalance};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// Quantity held of one batch on this phone's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    /// The product.
    pub product_id: ProductId,
    /// The batch.
    pub batch: String,
    /// Quantity held now.
    pub held: i64,
    /// Expiry as the incoming documents state it.
    pub expiry: Option<NaiveDate>,
}

/// Records the effect of a submitted document, replacing the document it corrects.
pub(super) fn apply_document(
    tx: &rusqlite::Transaction<'_>,
    doc: &Transaction,
) -> rusqlite::Result<()> {
    if let Some(old) = doc.corrects {
        tx.execute(
            "DELETE FROM stock_moves WHERE document_id = ?1",
            [old.to_string()],
        )?;
    }
    let mut per_batch: BTreeMap<(ProductId, &str), Balance> = BTreeMap::new();
    for l in &doc.lines {
        let b = per_batch
            .entry((l.product_id, l.batch.as_str()))
            .or_default();
        match doc.kind.direction() {
            StockDirection::In => {
                b.inbound += u64::from(l.quantity);
                b.expiry = b.expiry.max(l.expiry_date);
            }
            StockDirection::Out => b.outbound += u64::from(l.quantity),
        }
    }
    let id = doc.id.to_string();
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO stock_moves (document_id, product_id, batch, inbound, outbound, expiry) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for ((product, batch), b) in per_batch {
        st.execute(params![
            id,
            product.to_string(),
            batch,
            b.inbound as i64,
            b.outbound as i64,
            b.expiry.map(|d| d.to_string())
        ])?;
    }
    Ok(())
}

/// Records opening balances accepted by an override at submit, as inbound of their own.
pub(super) fn apply_openings(
    tx: &rusqlite::Transaction<'_>,
    openings: &[OpeningBalance],
) -> rusqlite::Result<()> {
    for o in openings {
        tx.execute(
            "INSERT OR REPLACE INTO stock_moves (document_id, product_id, batch, inbound, outbound, expiry) \
             VALUES (?1, ?2, ?3, ?4, 0, NULL)",
            params![format!("opening:{}", o.document), o.product_id.to_string(), o.batch, o.quantity as i64],
        )?;
    }
    Ok(())
}

/// The ledger of `enterprise` restricted to `products`.
pub(super) fn ledger_for(
    conn: &Connection,
    enterprise: EnterpriseId,
    products: &[ProductId],
) -> Result<Ledger, StoreError> {
    let mut ledger = Ledger::new();
    let mut seen = std::collections::HashSet::new();
    let mut st = conn.prepare_cached(
        "SELECT batch, SUM(inbound), SUM(outbound), MAX(expiry) FROM stock_moves \
         WHERE product_id = ?1 GROUP BY batch",
    )?;
    for p in products {
        if !seen.insert(*p) {
            continue;
        }
        let rows = st.query_map([p.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        for row in rows {
            let (batch, inbound, outbound, expiry) = row?;
            let balance = Balance {
                inbound: inbound as u64,
                outbound: outbound as u64,
                opening: 0,
                expiry: expiry.and_then(|d| d.parse().ok()),
            };
            ledger.insert_balance(enterprise, *p, &batch, balance);
        }
    }
    Ok(ledger)
}

/// Every batch with stock, by product then batch.
pub(super) fn levels(conn: &Connection) -> Result<Vec<StockLevel>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT product_id, batch, SUM(inbound) - SUM(outbound), MAX(expiry) FROM stock_moves \
         GROUP BY product_id, batch HAVING SUM(inbound) - SUM(outbound) <> 0 ORDER BY product_id, batch",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (p, batch, held, expiry) = row?;
        Ok(StockLevel {
            product_id: ProductId(super::parse_uuid(&p)?),
            batch,
            held,
            expiry: expiry.and_then(|d| d.parse().ok()),
        })
    })
    .collect()
}

impl super::Store {
    /// Stock by product and batch on this phone's records (batches at zero left out).
    pub fn stock(&self) -> Result<Vec<StockLevel>, StoreError> {
        levels(&self.conn)
    }
}
