//! Counterparty reconciliation items (采购/销售退入勾兑).

use super::ids::{EnterpriseId, ProductId, ReconciliationItemId, TransactionId};
use super::transaction::TransactionLine;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the item asks of the enterprise whose inbox it sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconciliationKind {
    /// A seller's 销售出库 awaits the buyer's 采购入库.
    PurchaseInbound,
    /// A buyer's 采购退出 awaits the seller's 销售退入.
    SalesReturn,
    /// A buyer recorded 采购入库 from a registered seller that has no matching 销售出库;
    /// it sits in the seller's inbox.
    UnmatchedInbound,
    /// A seller recorded 销售退入 from a registered buyer that has no matching 采购退出;
    /// it sits in the buyer's inbox.
    UnmatchedSalesReturn,
}

/// How one product and batch differs between what was sent and what was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDifference {
    /// Product.
    pub product_id: ProductId,
    /// Batch.
    pub batch: String,
    /// Quantity the sender recorded.
    pub sent: u64,
    /// Quantity the receiver recorded.
    pub received: u64,
}

/// Where an item stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReconciliationState {
    /// Waiting for the inbox owner.
    Pending,
    /// Matched by a document of the inbox owner; `differences` is empty when both sides agree.
    Confirmed {
        /// The inbox owner's document.
        document: TransactionId,
        /// Per product and batch differences.
        differences: Vec<LineDifference>,
        /// Why they differ, when they do.
        reason: Option<String>,
    },
    /// The inbox owner says this never happened as recorded.
    Disputed {
        /// The reason given.
        reason: String,
    },
    /// The source document was corrected; a newer item replaces this one.
    Superseded {
        /// The replacing item.
        by: ReconciliationItemId,
    },
}

/// An item in an enterprise's reconciliation inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationItem {
    /// Identifier, derived from the source document so a replay yields the same id.
    pub id: ReconciliationItemId,
    /// What is expected.
    pub kind: ReconciliationKind,
    /// The document that raised the item.
    pub source: TransactionId,
    /// Its number (单号).
    pub source_number: String,
    /// Who submitted the source document.
    pub from: EnterpriseId,
    /// Whose inbox the item sits in.
    pub to: EnterpriseId,
    /// Date of the source document.
    pub date: NaiveDate,
    /// The source document's lines, to prefill the confirmation.
    pub lines: Vec<TransactionLine>,
    /// Where it stands.
    pub state: ReconciliationState,
}

impl ReconciliationItem {
    /// Whether the item still waits for its inbox owner.
    pub fn is_open(&self) -> bool {
        matches!(self.state, ReconciliationState::Pending)
    }

    /// Differences recorded at confirmation (empty if none or not confirmed).
    pub fn differences(&self) -> &[LineDifference] {
        match &self.state {
            ReconciliationState::Confirmed { differences, .. } => differences,
            _ => &[],
        }
    }
}
