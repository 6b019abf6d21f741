//! Risk warnings (风险预警) the regulator side computes over a region's records.
//!
//! Every rule is a pure function of a [`WarningInput`]; `today` is a parameter so a rerun over
//! the same records gives the same warnings. Each warning carries a stable [`Warning::key`] so the
//! server can keep its own state (new / acknowledged / resolved) across recomputations: a warning
//! whose key disappears has been resolved by the records.

mod counterparties;
mod products;
mod reconciliation;
mod sales;
mod stock;

pub use counterparties::{
    counterparty_licence_expired, supplier_agreement_expired, unregistered_supplier,
};
pub use products::invalid_registration;
pub use reconciliation::{quantity_mismatch, transfer_disputed, unreconciled_transfer};
pub use sales::{nonconforming_batch_sold, recalled_batch_sold, sold_after_expiry};
pub use stock::{
    expired_stock_held, near_expiry_stock, negative_stock, nonconforming_batch_held,
    opening_balance_anomaly, recalled_batch_held,
};

use crate::model::{
    Enterprise, EnterpriseId, NonconformingId, NonconformingRecord, Partner, PartnerId, Product,
    ProductId, Recall, RecallId, ReconciliationItem, ReconciliationItemId, Transaction,
    TransactionId, TransactionKind, TransactionLine,
};
use crate::rules::ledger::{Ledger, OpeningBalance, StockRow, corrected_ids};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Thresholds of the time-based rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningParams {
    /// Stock expiring within this many days from today is near expiry (default 90).
    pub near_expiry_days: u32,
    /// A pending reconciliation item older than this many days is overdue (default 7).
    pub unreconciled_days: u32,
}

impl Default for WarningParams {
    fn default() -> Self {
        Self {
            near_expiry_days: 90,
            unreconciled_days: 7,
        }
    }
}

/// Everything the rules look at; the caller builds `ledger` from the same documents and openings.
#[derive(Debug, Clone, Copy)]
pub struct WarningInput<'a> {
    /// The day the warnings are computed for.
    pub today: NaiveDate,
    /// Enterprises, to name them in messages.
    pub enterprises: &'a [Enterprise],
    /// Products, to name them and check their registration numbers.
    pub products: &'a [Product],
    /// Suppliers and customers, for licence and quality-agreement checks.
    pub partners: &'a [Partner],
    /// Documents (drafts and corrected ones are ignored).
    pub documents: &'a [Transaction],
    /// Reconciliation items.
    pub items: &'a [ReconciliationItem],
    /// Recalls.
    pub recalls: &'a [Recall],
    /// Nonconforming listings.
    pub nonconforming: &'a [NonconformingRecord],
    /// Opening balances recorded by override.
    pub openings: &'a [OpeningBalance],
    /// The stock ledger of `documents` and `openings`.
    pub ledger: &'a Ledger,
    /// Thresholds.
    pub params: WarningParams,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Stock of a batch past its expiry date is still held.
    ExpiredStockHeld,
    /// Stock of a batch expires within `near_expiry_days`.
    NearExpiryStock,
    /// A batch was sold after its expiry date.
    SoldAfterExpiry,
    /// Stock of a recalled batch is still held.
    RecalledBatchHeld,
    /// Stock of a nonconforming batch is still held.
    NonconformingBatchHeld,
    /// A recalled batch was sold on or after the recall started.
    RecalledBatchSold,
    /// A nonconforming batch was sold on or after it was found.
    NonconformingBatchSold,
    /// A transfer waits for the counterparty's reconciliation longer than `unreconciled_days`.
    UnreconciledTransfer,
    /// The counterparty confirmed a transfer with different quantities.
    QuantityMismatch,
    /// The counterparty disputes a transfer.
    TransferDisputed,
    /// The records take more of a batch out than they brought in.
    NegativeStock,
    /// A purchase or sale happened after the counterparty's licence expired.
    CounterpartyLicenceExpired,
    /// A purchase happened outside the supplier's quality agreement.
    SupplierAgreementExpired,
    /// A purchase from a supplier not registered on the platform.
    UnregisteredSupplier,
    /// A product's registration or filing number is missing or unrecognised.
    InvalidRegistration,
    /// Stock entered as an opening balance, without a source document.
    OpeningBalanceAnomaly,
}

impl WarningKind {
    /// Every kind, in the order [`run`] evaluates them.
    pub const ALL: [WarningKind; 16] = [
        WarningKind::ExpiredStockHeld,
        WarningKind::NearExpiryStock,
        WarningKind::SoldAfterExpiry,
        WarningKind::RecalledBatchHeld,
        WarningKind::NonconformingBatchHeld,
        WarningKind::RecalledBatchSold,
        WarningKind::NonconformingBatchSold,
        WarningKind::UnreconciledTransfer,
        WarningKind::QuantityMismatch,
        WarningKind::TransferDisputed,
        WarningKind::NegativeStock,
        WarningKind::CounterpartyLicenceExpired,
        WarningKind::SupplierAgreementExpired,
        WarningKind::UnregisteredSupplier,
        WarningKind::InvalidRegistration,
        WarningKind::OpeningBalanceAnomaly,
    ];

    /// The snake_case code, as serialised and used in keys.
    pub fn code(self) -> &'static str {
        match self {
            WarningKind::ExpiredStockHeld => "expired_stock_held",
            WarningKind::NearExpiryStock => "near_expiry_stock",
            WarningKind::SoldAfterExpiry => "sold_after_expiry",
            WarningKind::RecalledBatchHeld => "recalled_batch_held",
            WarningKind::NonconformingBatchHeld => "nonconforming_batch_held",
            WarningKind::RecalledBatchSold => "recalled_batch_sold",
            WarningKind::NonconformingBatchSold => "nonconforming_batch_sold",
            WarningKind::UnreconciledTransfer => "unreconciled_transfer",
            WarningKind::QuantityMismatch => "quantity_mismatch",
            WarningKind::TransferDisputed => "transfer_disputed",
            WarningKind::NegativeStock => "negative_stock",
            WarningKind::CounterpartyLicenceExpired => "counterparty_licence_expired",
            WarningKind::SupplierAgreementExpired => "supplier_agreement_expired",
            WarningKind::UnregisteredSupplier => "unregistered_supplier",
            WarningKind::InvalidRegistration => "invalid_registration",
            WarningKind::OpeningBalanceAnomaly => "opening_balance_anomaly",
        }
    }

    /// Whether a warning of this kind is about a reconciliation item (its `subject`), and so
    /// depends on that item alone rather than on the enterprise's records of the product.
    pub fn is_about_item(self) -> bool {
        matches!(
            self,
            WarningKind::UnreconciledTransfer
                | WarningKind::QuantityMismatch
                | WarningKind::TransferDisputed
        )
    }

    /// How serious warnings of this kind are.
    pub fn severity(self) -> WarningSeverity {
        use WarningKind::*;
        match self {
            ExpiredStockHeld
            | SoldAfterExpiry
            | RecalledBatchHeld
            | NonconformingBatchHeld
            | RecalledBatchSold
            | NonconformingBatchSold
            | NegativeStock => WarningSeverity::High,
            UnreconciledTransfer
            | QuantityMismatch
            | TransferDisputed
            | CounterpartyLicenceExpired
            | SupplierAgreementExpired
            | InvalidRegistration => WarningSeverity::Medium,
            NearExpiryStock | UnregisteredSupplier | OpeningBalanceAnomaly => WarningSeverity::Low,
        }
    }

    /// Simplified Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            WarningKind::ExpiredStockHeld => "持有过期产品",
            WarningKind::NearExpiryStock => "临近有效期",
            WarningKind::SoldAfterExpiry => "销售过期产品",
            WarningKind::RecalledBatchHeld => "持有召回批次",
            WarningKind::NonconformingBatchHeld => "持有不合格批次",
            WarningKind::RecalledBatchSold => "销售召回批次",
            WarningKind::NonconformingBatchSold => "销售不合格批次",
            WarningKind::UnreconciledTransfer => "勾兑超期未处理",
            WarningKind::QuantityMismatch => "勾兑数量不符",
            WarningKind::TransferDisputed => "勾兑存在异议",
            WarningKind::NegativeStock => "库存为负",
            WarningKind::CounterpartyLicenceExpired => "往来单位许可证过期",
            WarningKind::SupplierAgreementExpired => "质量协议不在有效期",
            WarningKind::UnregisteredSupplier => "供应商未在平台注册",
            WarningKind::InvalidRegistration => "注册证号/备案号无效",
            WarningKind::OpeningBalanceAnomaly => "期初库存无来源",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            WarningKind::ExpiredStockHeld => "Expired stock held",
            WarningKind::NearExpiryStock => "Stock near expiry",
            WarningKind::SoldAfterExpiry => "Sold after expiry",
            WarningKind::RecalledBatchHeld => "Recalled batch held",
            WarningKind::NonconformingBatchHeld => "Nonconforming batch held",
            WarningKind::RecalledBatchSold => "Recalled batch sold",
            WarningKind::NonconformingBatchSold => "Nonconforming batch sold",
            WarningKind::UnreconciledTransfer => "Transfer not reconciled",
            WarningKind::QuantityMismatch => "Quantity mismatch",
            WarningKind::TransferDisputed => "Transfer disputed",
            WarningKind::NegativeStock => "Negative stock",
            WarningKind::CounterpartyLicenceExpired => "Counterparty licence expired",
            WarningKind::SupplierAgreementExpired => "Supplier quality agreement not valid",
            WarningKind::UnregisteredSupplier => "Supplier not on the platform",
            WarningKind::InvalidRegistration => "Invalid registration number",
            WarningKind::OpeningBalanceAnomaly => "Opening balance without source",
        }
    }

    fn rule(self) -> Rule {
        match self {
            WarningKind::ExpiredStockHeld => stock::expired_stock_held_into,
            WarningKind::NearExpiryStock => stock::near_expiry_stock_into,
            WarningKind::SoldAfterExpiry => sales::sold_after_expiry_into,
            WarningKind::RecalledBatchHeld => stock::recalled_batch_held_into,
            WarningKind::NonconformingBatchHeld => stock::nonconforming_batch_held_into,
            WarningKind::RecalledBatchSold => sales::recalled_batch_sold_into,
            WarningKind::NonconformingBatchSold => sales::nonconforming_batch_sold_into,
            WarningKind::UnreconciledTransfer => reconciliation::unreconciled_transfer_into,
            WarningKind::QuantityMismatch => reconciliation::quantity_mismatch_into,
            WarningKind::TransferDisputed => reconciliation::transfer_disputed_into,
            WarningKind::NegativeStock => stock::negative_stock_into,
            WarningKind::CounterpartyLicenceExpired => {
                counterparties::counterparty_licence_expired_into
            }
            WarningKind::SupplierAgreementExpired => {
                counterparties::supplier_agreement_expired_into
            }
            WarningKind::UnregisteredSupplier => counterparties::unregistered_supplier_into,
            WarningKind::InvalidRegistration => products::invalid_registration_into,
            WarningKind::OpeningBalanceAnomaly => stock::opening_balance_anomaly_into,
        }
    }
}

/// How urgently a warning needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningSeverity {
    /// Unsafe goods may reach consumers, or the records are inconsistent (高).
    High,
    /// A traceability or compliance gap (中).
    Medium,
    /// Worth a look (低).
    Low,
}

/// A document cited as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// The document.
    pub id: TransactionId,
    /// Its number (单号).
    pub number: String,
    /// Its type.
    pub kind: TransactionKind,
    /// Its date.
    pub date: NaiveDate,
    /// The quantity of its lines the warning is about.
    pub quantity: u64,
}

impl DocumentRef {
    fn of(doc: &Transaction, quantity: u64) -> Self {
        Self {
            id: doc.id,
            number: doc.number.clone(),
            kind: doc.kind,
            date: doc.date,
            quantity,
        }
    }
}

/// The records a warning rests on, so the regulator can check it without recomputing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Documents involved.
    pub documents: Vec<DocumentRef>,
    /// Reconciliation items involved.
    pub items: Vec<ReconciliationItemId>,
    /// The recall involved.
    pub recall: Option<RecallId>,
    /// The nonconforming listing involved.
    pub nonconforming: Option<NonconformingId>,
    /// The quantity at stake (held, sold, or received minus sent).
    pub quantity: Option<i64>,
    /// The date at stake (expiry, recall start, licence end...).
    pub date: Option<NaiveDate>,
}

/// One risk warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable identity across recomputations: kind, enterprise, product, subject record, batch.
    pub key: String,
    /// What it is about.
    pub kind: WarningKind,
    /// How serious it is.
    pub severity: WarningSeverity,
    /// The enterprise concerned.
    pub enterprise_id: Option<EnterpriseId>,
    /// The product concerned.
    pub product_id: Option<ProductId>,
    /// The batch concerned.
    pub batch: Option<String>,
    /// The record it is about, when the batch alone does not identify it: the document
    /// (sales, counterparty and opening-balance rules) or the reconciliation item
    /// (reconciliation rules). A caller recomputing only some records uses it to tell which
    /// warnings those records decide.
    #[serde(default)]
    pub subject: Option<Uuid>,
    /// The records it rests on.
    pub evidence: Evidence,
    /// Message in Simplified Chinese.
    pub message_zh: String,
    /// Message in English.
    pub message_en: String,
}

/// What a warning is attached to; together with the kind it makes the key.
#[derive(Debug, Clone, Copy, Default)]
struct Target<'b> {
    enterprise: Option<EnterpriseId>,
    product: Option<ProductId>,
    batch: Option<&'b str>,
    /// The record the warning is about (document, item, recall...), when the batch alone
    /// does not identify it.
    subject: Option<Uuid>,
}

impl Warning {
    fn new(kind: WarningKind, at: Target<'_>, evidence: Evidence, zh: String, en: String) -> Self {
        Self {
            key: key(kind, &at),
            kind,
            severity: kind.severity(),
            enterprise_id: at.enterprise,
            product_id: at.product,
            batch: at.batch.map(str::to_owned),
            subject: at.subject,
            evidence,
            message_zh: zh,
            message_en: en,
        }
    }
}

/// The batch goes last: it is the only free-text part, so no batch value can make two keys
/// collide.
fn key(kind: WarningKind, at: &Target<'_>) -> String {
    fn part(out: &mut String, v: Option<impl std::fmt::Display>) {
        use std::fmt::Write;
        match v {
            Some(v) => write!(out, "{v}:").expect("writing to a String"),
            None => out.push_str("-:"),
        }
    }
    let mut out = String::with_capacity(150);
    out.push_str(kind.code());
    out.push(':');
    part(&mut out, at.enterprise);
    part(&mut out, at.product);
    part(&mut out, at.subject);
    out.push_str(at.batch.unwrap_or("-"));
    out
}

type Rule = fn(&Context<'_>, &mut Vec<Warning>);

/// Runs every rule and returns the warnings sorted by key.
pub fn run(input: &WarningInput<'_>) -> Vec<Warning> {
    run_kinds(input, &WarningKind::ALL)
}

/// Runs only the rules of `kinds` (e.g. those a submitted document can trigger), sorted by key.
pub fn run_kinds(input: &WarningInput<'_>, kinds: &[WarningKind]) -> Vec<Warning> {
    let ctx = Context::new(input);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for &kind in kinds {
        if seen.insert(kind) {
            (kind.rule())(&ctx, &mut out);
        }
    }
    finish(out)
}

fn single(input: &WarningInput<'_>, rule: Rule) -> Vec<Warning> {
    let mut out = Vec::new();
    rule(&Context::new(input), &mut out);
    finish(out)
}

fn finish(mut out: Vec<Warning>) -> Vec<Warning> {
    out.sort_by(|a, b| a.key.cmp(&b.key));
    // Keys are unique by construction unless the input repeats a record id; one warning per key
    // is what the server's state tracking needs.
    out.dedup_by(|a, b| a.key == b.key);
    out
}

/// Lookups built once per run, each only when a rule first needs it.
struct Context<'a> {
    input: &'a WarningInput<'a>,
    enterprises: OnceCell<HashMap<EnterpriseId, &'a Enterprise>>,
    products: OnceCell<HashMap<ProductId, &'a Product>>,
    partners: OnceCell<HashMap<PartnerId, &'a Partner>>,
    documents: OnceCell<HashMap<TransactionId, &'a Transaction>>,
    corrected: OnceCell<HashSet<TransactionId>>,
    rows: OnceCell<Vec<StockRow>>,
    blocks: OnceCell<BlockIndex<'a>>,
}

impl<'a> Context<'a> {
    fn new(input: &'a WarningInput<'a>) -> Self {
        Self {
            input,
            enterprises: OnceCell::new(),
            products: OnceCell::new(),
            partners: OnceCell::new(),
            documents: OnceCell::new(),
            corrected: OnceCell::new(),
            rows: OnceCell::new(),
            blocks: OnceCell::new(),
        }
    }

    fn enterprise_name(&self, id: EnterpriseId) -> String {
        let map = self
            .enterprises
            .get_or_init(|| self.input.enterprises.iter().map(|e| (e.id, e)).collect());
        map.get(&id)
            .map_or_else(|| id.to_string(), |e| e.name.clone())
    }

    fn product(&self, id: ProductId) -> Option<&'a Product> {
        let map = self
            .products
            .get_or_init(|| self.input.products.iter().map(|p| (p.id, p)).collect());
        map.get(&id).copied()
    }

    /// The library's generic name, else the name the document used, else the id.
    fn product_name(&self, id: ProductId, on_document: &str) -> String {
        match self.product(id) {
            Some(p) if !p.generic_name.is_empty() => p.generic_name.clone(),
            _ if !on_document.is_empty() => on_document.to_owned(),
            _ => id.to_string(),
        }
    }

    fn partner(&self, id: PartnerId) -> Option<&'a Partner> {
        let map = self
            .partners
            .get_or_init(|| self.input.partners.iter().map(|p| (p.id, p)).collect());
        map.get(&id).copied()
    }

    fn document(&self, id: TransactionId) -> Option<&'a Transaction> {
        let map = self
            .documents
            .get_or_init(|| self.input.documents.iter().map(|d| (d.id, d)).collect());
        map.get(&id).copied()
    }

    /// Submitted documents that no other submitted document corrects: what the records say now.
    fn live_documents(&self) -> impl Iterator<Item = &'a Transaction> + '_ {
        let corrected = self
            .corrected
            .get_or_init(|| corrected_ids(self.input.documents));
        self.input
            .documents
            .iter()
            .filter(move |d| d.status.is_submitted() && !corrected.contains(&d.id))
    }

    fn rows(&self) -> &[StockRow] {
        self.rows.get_or_init(|| self.input.ledger.rows())
    }

    fn blocks(&self) -> &BlockIndex<'a> {
        self.blocks
            .get_or_init(|| BlockIndex::new(self.input.recalls, self.input.nonconforming))
    }
}

/// Recalls and listings in force, by product, earliest first: the same answers as
/// [`crate::rules::status::Blocks`] without a scan of every record per lookup.
struct BlockIndex<'a> {
    recalls: HashMap<ProductId, Vec<&'a Recall>>,
    listings: HashMap<ProductId, Vec<&'a NonconformingRecord>>,
}

impl<'a> BlockIndex<'a> {
    fn new(recalls: &'a [Recall], listings: &'a [NonconformingRecord]) -> Self {
        let mut by_recall: HashMap<ProductId, Vec<&'a Recall>> = HashMap::new();
        for r in recalls {
            by_recall.entry(r.product_id).or_default().push(r);
        }
        for v in by_recall.values_mut() {
            v.sort_by_key(|r| (r.start_date, r.id));
        }
        let mut by_listing: HashMap<ProductId, Vec<&'a NonconformingRecord>> = HashMap::new();
        for n in listings {
            by_listing.entry(n.product_id).or_default().push(n);
        }
        for v in by_listing.values_mut() {
            v.sort_by_key(|n| (n.found_on, n.id));
        }
        Self {
            recalls: by_recall,
            listings: by_listing,
        }
    }

    /// The earliest-starting recall covering the batch.
    fn recall(&self, product: ProductId, batch: &str) -> Option<&'a Recall> {
        self.recalls
            .get(&product)?
            .iter()
            .find(|r| r.covers(product, batch))
            .copied()
    }

    /// The earliest listing of the batch.
    fn listing(&self, product: ProductId, batch: &str) -> Option<&'a NonconformingRecord> {
        self.listings
            .get(&product)?
            .iter()
            .find(|n| n.lists(product, batch))
            .copied()
    }
}

/// Lines of one document that trip a rule, merged per product and batch so a document yields
/// one warning per batch (and so one key).
struct LineGroup<'d, T> {
    product: ProductId,
    product_name: &'d str,
    batch: &'d str,
    quantity: u64,
    extra: T,
}

fn group_lines<'d, T>(
    hits: impl IntoIterator<Item = (&'d TransactionLine, T)>,
    merge: impl Fn(T, T) -> T,
) -> Vec<LineGroup<'d, T>> {
    let mut groups: BTreeMap<(ProductId, &'d str), LineGroup<'d, T>> = BTreeMap::new();
    for (line, extra) in hits {
        let k = (line.product_id, line.batch.as_str());
        match groups.remove(&k) {
            Some(g) => {
                groups.insert(
                    k,
                    LineGroup {
                        quantity: g.quantity + u64::from(line.quantity),
                        extra: merge(g.extra, extra),
                        ..g
                    },
                );
            }
            None => {
                groups.insert(
                    k,
                    LineGroup {
                        product: line.product_id,
                        product_name: &line.product_name,
                        batch: &line.batch,
                        quantity: u64::from(line.quantity),
                        extra,
                    },
                );
            }
        }
    }
    groups.into_values().collect()
}

#[cfg(test)]
pub(super) mod fixtures;

#[cfg(test)]
mod tests;
