//! The core's records as Kotlin, Swift and Python see them. Each definition mirrors a
//! `suyuan-core` type field for field (UniFFI's "remote" types), so no conversion code sits
//! here: the core's values cross the FFI as they are. Identifiers, dates and instants cross
//! as strings (UUID, `YYYY-MM-DD`, RFC 3339), which every language can show and parse.

use chrono::{DateTime, NaiveDate, Utc};
pub use suyuan_core::Lang;
use suyuan_core::barcode::{CodeFields, CodeKind, Symbology};
use suyuan_core::model::{
    Attachment, AttachmentId, AttachmentKind, BarcodeId, Counterparty, EnterpriseId, InspectionId,
    LineDifference, NonconformingId, NonconformingRecord, NonconformingSource, NonconformingStatus,
    PartnerId, Product, ProductId, Recall, RecallId, RecallInitiator, RecallLevel, RecallProgress,
    RecallStatus, ReconciliationItem, ReconciliationItemId, ReconciliationKind,
    ReconciliationState, RecordStatus, Transaction, TransactionId, TransactionKind,
    TransactionLine,
};
use suyuan_core::rules::reconciliation::Confirmation;
use suyuan_core::rules::verdict::{Check, CheckItem, Outcome, Verdict};
use suyuan_core::store::{DocumentQuery, Rejection, Session, StockLevel, SyncStatus};
use suyuan_core::sync::client::SyncReport;
use suyuan_core::{Problem, Severity};
use uuid::Uuid;

macro_rules! uuid_string {
    ($($id:ident),* $(,)?) => {$(
        uniffi::custom_type!($id, String, {
            remote,
            lower: |id| id.to_string(),
            try_lift: |s| Ok($id(Uuid::parse_str(&s)?)),
        });
    )*};
}

uuid_string!(
    EnterpriseId,
    ProductId,
    BarcodeId,
    PartnerId,
    TransactionId,
    ReconciliationItemId,
    NonconformingId,
    RecallId,
    AttachmentId,
    InspectionId,
);

uniffi::custom_type!(Uuid, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |s| Ok(Uuid::parse_str(&s)?),
});

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| Ok(NaiveDate::parse_from_str(&s, "%Y-%m-%d")?),
});

/// An instant, crossing as RFC 3339 text.
pub type Instant = DateTime<Utc>;

uniffi::custom_type!(Instant, String, {
    remote,
    lower: |t| t.to_rfc3339(),
    try_lift: |s| Ok(DateTime::parse_from_rfc3339(&s)?.with_timezone(&Utc)),
});

/// Save (保存) versus submit (提交).
#[uniffi::remote(Enum)]
pub enum RecordStatus {
    /// Saved, still editable and deletable.
    Draft,
    /// Submitted; immutable from then on.
    Submitted { at: Instant },
}

/// The five document types.
#[uniffi::remote(Enum)]
pub enum TransactionKind {
    /// 成品入库
    FinishedGoodsInbound,
    /// 采购入库
    PurchaseInbound,
    /// 采购退出
    PurchaseReturn,
    /// 销售出库
    SalesOutbound,
    /// 销售退入
    SalesReturn,
}

/// The other side of a document (往来单位).
#[uniffi::remote(Record)]
pub struct Counterparty {
    pub partner_id: Option<PartnerId>,
    pub name: String,
    pub uscc: Option<String>,
    pub enterprise_id: Option<EnterpriseId>,
}

/// One line of a document (交易明细).
#[uniffi::remote(Record)]
pub struct TransactionLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub gtin: Option<String>,
    pub quantity: u32,
    pub unit: String,
    pub batch: String,
    pub production_date: Option<NaiveDate>,
    pub expiry_date: Option<NaiveDate>,
}

/// A purchase, sales or stock document (进销存交易).
#[uniffi::remote(Record)]
pub struct Transaction {
    pub id: TransactionId,
    pub enterprise_id: EnterpriseId,
    pub kind: TransactionKind,
    pub number: String,
    pub counterparty: Option<Counterparty>,
    pub date: NaiveDate,
    pub contact: String,
    pub phone: String,
    pub lines: Vec<TransactionLine>,
    pub status: RecordStatus,
    pub corrects: Option<TransactionId>,
    pub reconciles: Option<ReconciliationItemId>,
    pub remarks: String,
}

/// Filters of the local document list.
#[uniffi::remote(Record)]
pub struct DocumentQuery {
    pub keyword: Option<String>,
    pub submitted: Option<bool>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// What an uploaded file is for.
#[uniffi::remote(Enum)]
pub enum AttachmentKind {
    Licence,
    TestReport,
    Photo,
    QualityAgreement,
    Other,
}

/// Metadata of an uploaded file.
#[uniffi::remote(Record)]
pub struct Attachment {
    pub id: AttachmentId,
    pub kind: AttachmentKind,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// A cosmetic product (产品信息).
#[uniffi::remote(Record)]
pub struct Product {
    pub id: ProductId,
    pub owner: EnterpriseId,
    pub generic_name: String,
    pub brand: String,
    pub registration_number: String,
    pub registrant: String,
    pub manufacturer: String,
    pub specification: String,
    pub shelf_life_months: Option<u32>,
    pub attachments: Vec<Attachment>,
    pub status: RecordStatus,
}

/// Quantity held of one batch.
#[uniffi::remote(Record)]
pub struct StockLevel {
    pub product_id: ProductId,
    pub batch: String,
    pub held: i64,
    pub expiry: Option<NaiveDate>,
}

/// Why an item sits in an inbox.
#[uniffi::remote(Enum)]
pub enum ReconciliationKind {
    PurchaseInbound,
    SalesReturn,
    UnmatchedInbound,
    UnmatchedSalesReturn,
}

/// A line whose confirmed quantity differs from the other side's.
#[uniffi::remote(Record)]
pub struct LineDifference {
    pub product_id: ProductId,
    pub batch: String,
    pub sent: u64,
    pub received: u64,
}

/// Where a reconciliation item stands.
#[uniffi::remote(Enum)]
pub enum ReconciliationState {
    Pending,
    Confirmed {
        document: TransactionId,
        differences: Vec<LineDifference>,
        reason: Option<String>,
    },
    Disputed {
        reason: String,
    },
    Superseded {
        by: ReconciliationItemId,
    },
}

/// A reconciliation item (勾兑): the other side's document awaiting this enterprise.
#[uniffi::remote(Record)]
pub struct ReconciliationItem {
    pub id: ReconciliationItemId,
    pub kind: ReconciliationKind,
    pub source: TransactionId,
    pub source_number: String,
    pub from: EnterpriseId,
    pub to: EnterpriseId,
    pub date: NaiveDate,
    pub lines: Vec<TransactionLine>,
    pub state: ReconciliationState,
}

/// Recall level (一级/二级/三级).
#[uniffi::remote(Enum)]
pub enum RecallLevel {
    One,
    Two,
    Three,
}

/// Recall state.
#[uniffi::remote(Enum)]
pub enum RecallStatus {
    Planned,
    Active,
    Completed,
}

/// Who started a recall.
#[uniffi::remote(Enum)]
pub enum RecallInitiator {
    Enterprise { enterprise_id: EnterpriseId },
    Regulator { region_code: String },
}

/// One holder's progress on a recall.
#[uniffi::remote(Record)]
pub struct RecallProgress {
    pub enterprise_id: EnterpriseId,
    pub acknowledged_at: Option<Instant>,
    pub quantity_held: u64,
    pub quantity_returned: u64,
    pub quantity_destroyed: u64,
}

/// A product recall (产品召回).
#[uniffi::remote(Record)]
pub struct Recall {
    pub id: RecallId,
    pub initiator: RecallInitiator,
    pub product_id: ProductId,
    pub product_name: String,
    pub batches: Vec<String>,
    pub level: RecallLevel,
    pub reason: String,
    pub start_date: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub scope: String,
    pub status: RecallStatus,
    pub progress: Vec<RecallProgress>,
}

/// How a nonconformity was found.
#[uniffi::remote(Enum)]
pub enum NonconformingSource {
    SamplingInspection,
    Complaint,
    SelfCheck,
    RegulatorNotice,
}

/// Where a nonconforming record stands.
#[uniffi::remote(Enum)]
pub enum NonconformingStatus {
    Open,
    Handling,
    Closed,
    Revoked,
}

/// A nonconforming-product record (不合格化妆品).
#[uniffi::remote(Record)]
pub struct NonconformingRecord {
    pub id: NonconformingId,
    pub reported_by: Option<EnterpriseId>,
    pub product_id: ProductId,
    pub product_name: String,
    pub batches: Vec<String>,
    pub source: NonconformingSource,
    pub defect: String,
    pub test_report_number: String,
    pub handling_measures: String,
    pub found_on: NaiveDate,
    pub handled_on: Option<NaiveDate>,
    pub state: NonconformingStatus,
    pub attachments: Vec<Attachment>,
    pub status: RecordStatus,
}

/// Error or warning.
#[uniffi::remote(Enum)]
pub enum Severity {
    Error,
    Warning,
}

/// One broken rule, naming the field and the rule, in both languages.
#[uniffi::remote(Record)]
pub struct Problem {
    pub field: String,
    pub rule: String,
    pub severity: Severity,
    pub message_zh: String,
    pub message_en: String,
}

/// Who is logged in on this phone, and where its sync stands.
#[uniffi::remote(Record)]
pub struct Session {
    pub enterprise_id: Option<EnterpriseId>,
    pub regulator_id: Option<Uuid>,
    pub region_code: Option<String>,
    pub client_id: Uuid,
    pub cursor: i64,
    pub last_sync_at: Option<Instant>,
    pub last_error: Option<String>,
}

/// Barcode symbologies the scanner reads.
#[uniffi::remote(Enum)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    UpcE,
    Itf,
    Code128,
    QrCode,
    DataMatrix,
    Unknown,
}

/// The app's language.
#[uniffi::remote(Enum)]
pub enum Lang {
    /// Simplified Chinese (the default).
    ZhCn,
    /// English.
    En,
}

/// A change the server refused.
#[uniffi::remote(Record)]
pub struct Rejection {
    pub change_id: Uuid,
    pub entity: String,
    pub record_id: Uuid,
    pub problems: Vec<Problem>,
}

/// What one sync did.
#[uniffi::remote(Record)]
pub struct SyncReport {
    pub pushed: u32,
    pub rejected: u32,
    pub pulled: u32,
    pub cursor: i64,
}

/// Which kind of code was read.
#[uniffi::remote(Enum)]
pub enum CodeKind {
    Gtin,
    Gs1,
    DigitalLink,
    TraceCode,
    Registration,
    Url,
    Text,
}

/// A scanned code's fields; each is `None` when the code does not carry it.
#[uniffi::remote(Record)]
pub struct CodeFields {
    pub kind: CodeKind,
    pub gtin: Option<String>,
    pub batch: Option<String>,
    pub production_date: Option<NaiveDate>,
    pub expiry: Option<NaiveDate>,
    pub serial: Option<String>,
    pub trace_code: Option<String>,
    pub registration_number: Option<String>,
    pub url: Option<String>,
}

/// What one inspector's check found.
#[uniffi::remote(Enum)]
pub enum Outcome {
    Pass,
    Unknown,
    Fail,
}

/// The inspector's questions.
#[uniffi::remote(Enum)]
pub enum CheckItem {
    Registration,
    Recall,
    Nonconforming,
    Expiry,
    Records,
}

/// One answer of the verdict.
#[uniffi::remote(Record)]
pub struct Check {
    pub item: CheckItem,
    pub outcome: Outcome,
    pub message_zh: String,
    pub message_en: String,
}

/// The inspector's verdict on a scanned product.
#[uniffi::remote(Record)]
pub struct Verdict {
    pub overall: Outcome,
    pub checks: Vec<Check>,
}

/// The inbox owner's confirmation of a reconciliation item (勾兑确认).
#[uniffi::remote(Record)]
pub struct Confirmation {
    pub document_id: TransactionId,
    pub number: String,
    pub date: NaiveDate,
    pub counterparty: Counterparty,
    pub contact: String,
    pub phone: String,
    pub lines: Option<Vec<TransactionLine>>,
    pub reason: Option<String>,
}

/// Where the phone's sync stands.
#[uniffi::remote(Record)]
pub struct SyncStatus {
    pub pending_changes: u64,
    pub rejected_changes: u64,
    pub last_sync_at: Option<Instant>,
    pub last_error: Option<String>,
    pub logged_in_online: bool,
}
