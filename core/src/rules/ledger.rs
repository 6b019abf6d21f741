//! The stock ledger (库存台账) per enterprise × product × batch, built from submitted documents.
//!
//! In: 成品入库, 采购入库, 销售退入. Out: 销售出库, 采购退出. A document corrected by another
//! submitted document no longer counts. Opening balances are stock an enterprise held before it
//! kept records here; they enter the ledger only through an explicit override recorded as an anomaly.

use crate::model::{
    EnterpriseId, ProductId, RecordStatus, StockDirection, Transaction, TransactionId,
};
use chrono::NaiveDate;
use hashbrown::{Equivalent, HashMap};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Quantities of one batch at one holder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Σ quantities of incoming documents.
    pub inbound: u64,
    /// Σ quantities of outgoing documents.
    pub outbound: u64,
    /// Σ opening balances recorded by override.
    pub opening: u64,
    /// Expiry date of the batch as incoming documents state it (the latest one seen); an
    /// outgoing line cannot vouch for stock, so it never moves this date.
    pub expiry: Option<NaiveDate>,
}

impl Balance {
    /// Quantity held now; negative means the records are inconsistent.
    pub fn held(&self) -> i64 {
        self.opening as i64 + self.inbound as i64 - self.outbound as i64
    }
}

/// Stock an enterprise declares it held before its records here, accepted by an explicit
/// override at submit and kept as an anomaly for the regulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningBalance {
    /// The holder.
    pub enterprise_id: EnterpriseId,
    /// The product.
    pub product_id: ProductId,
    /// The batch.
    pub batch: String,
    /// The quantity added.
    pub quantity: u64,
    /// The document whose submission needed it.
    pub document: TransactionId,
    /// The reason the user gave.
    pub reason: String,
}

/// One row of the ledger, for listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    /// The holder.
    pub enterprise_id: EnterpriseId,
    /// The product.
    pub product_id: ProductId,
    /// The batch.
    pub batch: String,
    /// Its quantities.
    pub balance: Balance,
}

/// Key of a stock row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RowKey {
    enterprise: EnterpriseId,
    product: ProductId,
    batch: String,
}

/// The borrowed form of [`RowKey`], so a lookup allocates nothing; it must hash exactly like it.
#[derive(Hash)]
struct RowRef<'a> {
    enterprise: EnterpriseId,
    product: ProductId,
    batch: &'a str,
}

impl Equivalent<RowKey> for RowRef<'_> {
    fn equivalent(&self, key: &RowKey) -> bool {
        self.enterprise == key.enterprise && self.product == key.product && self.batch == key.batch
    }
}

/// Stock per enterprise × product × batch.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    // One flat map: one hash per line, one allocation per new row.
    stock: HashMap<RowKey, Balance>,
}

/// The documents that another submitted document in `docs` corrects.
pub fn corrected_ids(docs: &[Transaction]) -> HashSet<TransactionId> {
    docs.iter()
        .filter(|d| d.status.is_submitted())
        .filter_map(|d| d.corrects)
        .collect()
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the ledger from documents (drafts and corrected documents are skipped) and opening balances.
    pub fn from_documents(docs: &[Transaction], openings: &[OpeningBalance]) -> Self {
        let corrected = corrected_ids(docs);
        let mut ledger = Ledger::new();
        for doc in docs {
            if doc.status.is_submitted() && !corrected.contains(&doc.id) {
                ledger.apply(doc);
            }
        }
        for o in openings {
            ledger.apply_opening(o);
        }
        ledger
    }

    /// Applies `f` to one balance, creating it on first sight.
    fn update(&mut self, e: EnterpriseId, p: ProductId, batch: &str, f: impl FnOnce(&mut Balance)) {
        let key = RowRef {
            enterprise: e,
            product: p,
            batch,
        };
        match self.stock.get_mut(&key) {
            Some(balance) => f(balance),
            None => {
                let mut balance = Balance::default();
                f(&mut balance);
                let row = RowKey {
                    enterprise: e,
                    product: p,
                    batch: batch.to_owned(),
                };
                self.stock.insert(row, balance);
            }
        }
    }

    /// Sets one row to a stored balance, so a service can load only the rows a document touches
    /// instead of replaying every document.
    pub fn insert_balance(&mut self, e: EnterpriseId, p: ProductId, batch: &str, balance: Balance) {
        self.update(e, p, batch, |b| *b = balance);
    }

    /// Adds a submitted document's effect. Drafts are ignored.
    pub fn apply(&mut self, doc: &Transaction) {
        self.add(doc, 1);
    }

    /// Removes a document's effect, e.g. when a correction replaces it.
    pub fn revert(&mut self, doc: &Transaction) {
        self.add(doc, -1);
    }

    fn add(&mut self, doc: &Transaction, sign: i8) {
        if matches!(doc.status, RecordStatus::Draft) {
            return;
        }
        let direction = doc.kind.direction();
        for line in &doc.lines {
            let q = u64::from(line.quantity);
            self.update(doc.enterprise_id, line.product_id, &line.batch, |b| {
                let slot = match direction {
                    StockDirection::In => &mut b.inbound,
                    StockDirection::Out => &mut b.outbound,
                };
                *slot = if sign > 0 {
                    *slot + q
                } else {
                    slot.saturating_sub(q)
                };
                if sign > 0 && direction == StockDirection::In && line.expiry_date.is_some() {
                    b.expiry = b.expiry.max(line.expiry_date);
                }
            });
        }
    }

    /// Adds an opening balance.
    pub fn apply_opening(&mut self, o: &OpeningBalance) {
        self.update(o.enterprise_id, o.product_id, &o.batch, |b| {
            b.opening += o.quantity
        });
    }

    /// The balance of one batch at one holder, if it ever moved there.
    pub fn balance(&self, e: EnterpriseId, p: ProductId, batch: &str) -> Option<&Balance> {
        self.stock.get(&RowRef {
            enterprise: e,
            product: p,
            batch,
        })
    }

    /// Quantity of a batch held by an enterprise (0 when it never moved there).
    pub fn held(&self, e: EnterpriseId, p: ProductId, batch: &str) -> i64 {
        self.balance(e, p, batch).map_or(0, Balance::held)
    }

    /// Every row, sorted by enterprise, product, batch.
    pub fn rows(&self) -> Vec<StockRow> {
        let mut rows: Vec<StockRow> = self
            .stock
            .iter()
            .map(|(k, balance)| StockRow {
                enterprise_id: k.enterprise,
                product_id: k.product,
                batch: k.batch.clone(),
                balance: *balance,
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.enterprise_id, a.product_id, &a.batch).cmp(&(
                b.enterprise_id,
                b.product_id,
                &b.batch,
            ))
        });
        rows
    }

    /// Number of (enterprise, product, batch) rows.
    pub fn len(&self) -> usize {
        self.stock.len()
    }

    /// Whether nothing was ever recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::rules::testing::*;

    #[test]
    fn the_borrowed_key_hashes_like_the_owned_one() {
        use std::hash::BuildHasher;
        let state = hashbrown::DefaultHashBuilder::default();
        for batch in ["", "B1", "批号2026-01", &"x".repeat(300)] {
            let owned = RowKey {
                enterprise: ent(1),
                product: prod(2),
                batch: batch.to_owned(),
            };
            let borrowed = RowRef {
                enterprise: ent(1),
                product: prod(2),
                batch,
            };
            assert_eq!(state.hash_one(&owned), state.hash_one(&borrowed));
            assert!(borrowed.equivalent(&owned));
        }
    }

    #[test]
    fn in_and_out_kinds_move_stock_the_right_way() {
        let (a, b) = (ent(1), ent(2));
        let p = prod(1);
        let docs = vec![
            submitted(doc(a, FinishedGoodsInbound, None, vec![line(p, "B1", 100)])),
            submitted(doc(a, SalesOutbound, Some(b), vec![line(p, "B1", 30)])),
            submitted(doc(a, SalesReturn, Some(b), vec![line(p, "B1", 5)])),
            submitted(doc(b, PurchaseInbound, Some(a), vec![line(p, "B1", 30)])),
            submitted(doc(b, PurchaseReturn, Some(a), vec![line(p, "B1", 5)])),
            doc(b, SalesOutbound, None, vec![line(p, "B1", 25)]), // draft: does not count
        ];
        let l = Ledger::from_documents(&docs, &[]);
        assert_eq!(l.held(a, p, "B1"), 75);
        assert_eq!(l.held(b, p, "B1"), 25);
        assert_eq!(l.held(b, p, "other"), 0);
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn a_corrected_document_stops_counting() {
        let a = ent(1);
        let p = prod(1);
        let first = submitted(doc(a, FinishedGoodsInbound, None, vec![line(p, "B1", 100)]));
        let mut fix = submitted(doc(a, FinishedGoodsInbound, None, vec![line(p, "B1", 90)]));
        fix.corrects = Some(first.id);
        let l = Ledger::from_documents(&[first.clone(), fix.clone()], &[]);
        assert_eq!(l.held(a, p, "B1"), 90);

        let mut inc = Ledger::from_documents(std::slice::from_ref(&first), &[]);
        inc.revert(&first);
        inc.apply(&fix);
        assert_eq!(inc.held(a, p, "B1"), 90);
    }

    #[test]
    fn stored_rows_continue_like_a_replayed_ledger() {
        let a = ent(1);
        let p = prod(1);
        let first = submitted(doc(a, FinishedGoodsInbound, None, vec![line(p, "B1", 100)]));
        let sale = submitted(doc(a, SalesOutbound, None, vec![line(p, "B1", 30)]));
        let replayed = Ledger::from_documents(&[first.clone(), sale.clone()], &[]);
        let mut loaded = Ledger::new();
        let stored = *Ledger::from_documents(&[first], &[])
            .balance(a, p, "B1")
            .unwrap();
        loaded.insert_balance(a, p, "B1", stored);
        loaded.apply(&sale);
        assert_eq!(loaded.balance(a, p, "B1"), replayed.balance(a, p, "B1"));
        assert_eq!(loaded.held(a, p, "B1"), 70);
    }

    #[test]
    fn opening_balances_count_as_stock() {
        let a = ent(1);
        let p = prod(1);
        let out = submitted(doc(a, SalesOutbound, None, vec![line(p, "B1", 10)]));
        let o = OpeningBalance {
            enterprise_id: a,
            product_id: p,
            batch: "B1".into(),
            quantity: 10,
            document: out.id,
            reason: "期初库存".into(),
        };
        let l = Ledger::from_documents(&[out], &[o]);
        assert_eq!(l.held(a, p, "B1"), 0);
        assert_eq!(l.balance(a, p, "B1").unwrap().opening, 10);
    }
}
