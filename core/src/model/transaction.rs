//! Purchase, sales and stock documents (进销存交易) and their lines (交易明细).

use super::common::RecordStatus;
use super::ids::{EnterpriseId, PartnerId, ProductId, ReconciliationItemId, TransactionId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The five document types of the seed manual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// 成品入库: finished goods from own production.
    FinishedGoodsInbound,
    /// 采购入库: goods bought from a supplier.
    PurchaseInbound,
    /// 采购退出: goods returned to the supplier.
    PurchaseReturn,
    /// 销售出库: goods sold to a customer.
    SalesOutbound,
    /// 销售退入: goods a customer returned.
    SalesReturn,
}

/// Whether a document adds to or takes from the holder's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockDirection {
    /// Adds stock.
    In,
    /// Takes stock.
    Out,
}

impl TransactionKind {
    /// All five, in the seed's order.
    pub const ALL: [TransactionKind; 5] = [
        TransactionKind::FinishedGoodsInbound,
        TransactionKind::PurchaseInbound,
        TransactionKind::PurchaseReturn,
        TransactionKind::SalesOutbound,
        TransactionKind::SalesReturn,
    ];

    /// Effect on stock.
    pub fn direction(self) -> StockDirection {
        match self {
            TransactionKind::FinishedGoodsInbound
            | TransactionKind::PurchaseInbound
            | TransactionKind::SalesReturn => StockDirection::In,
            TransactionKind::PurchaseReturn | TransactionKind::SalesOutbound => StockDirection::Out,
        }
    }

    /// Whether the document needs a counterparty (all but 成品入库).
    pub fn needs_counterparty(self) -> bool {
        self != TransactionKind::FinishedGoodsInbound
    }

    /// Simplified Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            TransactionKind::FinishedGoodsInbound => "成品入库",
            TransactionKind::PurchaseInbound => "采购入库",
            TransactionKind::PurchaseReturn => "采购退出",
            TransactionKind::SalesOutbound => "销售出库",
            TransactionKind::SalesReturn => "销售退入",
        }
    }

    /// English name.
    pub fn label_en(self) -> &'static str {
        match self {
            TransactionKind::FinishedGoodsInbound => "Finished-goods inbound",
            TransactionKind::PurchaseInbound => "Purchase inbound",
            TransactionKind::PurchaseReturn => "Purchase return",
            TransactionKind::SalesOutbound => "Sales outbound",
            TransactionKind::SalesReturn => "Sales return",
        }
    }
}

/// The other side of a document (往来单位), as recorded at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterparty {
    /// The partner record it was chosen from, if any.
    pub partner_id: Option<PartnerId>,
    /// Name as written on the document.
    pub name: String,
    /// USCC, when known.
    pub uscc: Option<String>,
    /// The platform enterprise, when the counterparty is registered; reconciliation needs it.
    pub enterprise_id: Option<EnterpriseId>,
}

/// One line of a document (交易明细).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionLine {
    /// The product (化妆品名称).
    pub product_id: ProductId,
    /// Product name as shown on the document.
    pub product_name: String,
    /// GTIN scanned or chosen, when known.
    pub gtin: Option<String>,
    /// Quantity (数量), in `unit`; must be > 0.
    pub quantity: u32,
    /// Minimal unit (最小计量单位), e.g. 瓶, 支, 盒.
    pub unit: String,
    /// Batch number (批号).
    pub batch: String,
    /// Production date (生产日期).
    pub production_date: Option<NaiveDate>,
    /// Expiry date (有效期至).
    pub expiry_date: Option<NaiveDate>,
}

/// A purchase, sales or stock document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// Identifier (client-generated).
    pub id: TransactionId,
    /// The enterprise whose record this is.
    pub enterprise_id: EnterpriseId,
    /// One of the five types.
    pub kind: TransactionKind,
    /// Document number (单号), unique per enterprise.
    pub number: String,
    /// The other side; `None` only for 成品入库.
    pub counterparty: Option<Counterparty>,
    /// Transaction date (入库/出库/退出 时间).
    pub date: NaiveDate,
    /// Contact person (联系人).
    pub contact: String,
    /// Contact phone (联系电话).
    pub phone: String,
    /// Lines (交易明细).
    pub lines: Vec<TransactionLine>,
    /// Save/submit state.
    pub status: RecordStatus,
    /// The submitted document this one corrects; the corrected one then no longer counts.
    pub corrects: Option<TransactionId>,
    /// The reconciliation item this document confirms, when it was created from one.
    pub reconciles: Option<ReconciliationItemId>,
    /// Free remarks (备注).
    pub remarks: String,
}
