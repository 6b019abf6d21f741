//! The core's unit-code records (一物一码) as Kotlin, Swift and Python see them, mirrored field
//! for field like `types.rs`.

use chrono::NaiveDate;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, PackagingLevel};
use suyuan_core::serial::{
    BatchRecord, UnitEvent, UnitState, UnitView, UploadKind, UploadLineResult, UploadRequest,
    UploadResult,
};
use suyuan_core::store::UnitUpload;
use uuid::Uuid;

/// A packaging level: unit → box → case → pallet.
#[uniffi::remote(Enum)]
pub enum PackagingLevel {
    /// The sales unit (最小销售单元).
    Unit,
    /// An inner box (盒).
    Box,
    /// A shipping case (箱).
    Case,
    /// A pallet (托).
    Pallet,
}

/// What the scanned units did.
#[uniffi::remote(Enum)]
pub enum UploadKind {
    /// Taken into stock (入库), from production or from the counterparty.
    Inbound,
    /// Shipped to the counterparty (出库).
    Outbound,
    /// Sold to consumers or used (零售/使用).
    Retail,
    /// Destroyed (销毁).
    Destroy,
}

/// Scans to upload.
#[uniffi::remote(Record)]
pub struct UploadRequest {
    pub id: Uuid,
    pub kind: UploadKind,
    pub number: String,
    pub date: NaiveDate,
    pub counterparty_uscc: Option<String>,
    pub codes: Vec<String>,
}

/// The verdict on one scanned code.
#[uniffi::remote(Record)]
pub struct UploadLineResult {
    pub line: u32,
    pub code: String,
    pub accepted: bool,
    pub moved: u32,
    pub problem: Option<Problem>,
    pub suspicious: bool,
}

/// The batch document an upload was recorded as.
#[uniffi::remote(Record)]
pub struct BatchRecord {
    pub id: Uuid,
    pub number: String,
    pub derived: bool,
    pub counterparty_id: Option<Uuid>,
}

/// The server's audit of an upload.
#[uniffi::remote(Record)]
pub struct UploadResult {
    pub id: Uuid,
    pub kind: UploadKind,
    pub number: String,
    pub accepted: u32,
    pub refused: u32,
    pub lines: Vec<UploadLineResult>,
    pub document: Option<BatchRecord>,
}

/// An upload made on this phone: queued, or audited.
#[uniffi::remote(Enum)]
pub enum UnitUpload {
    /// Not yet audited.
    Queued { request: UploadRequest },
    /// The server's audit.
    Audited { result: UploadResult },
}

/// Where a unit is.
#[uniffi::remote(Enum)]
pub enum UnitState {
    /// Issued, not yet on a package.
    Issued { to: EnterpriseId },
    /// Printed on a package.
    Applied { by: EnterpriseId },
    /// In an enterprise's stock.
    InStock { at: EnterpriseId },
    /// Shipped, not yet received.
    InTransit {
        from: EnterpriseId,
        to: EnterpriseId,
    },
    /// Sold or used.
    Sold { by: EnterpriseId },
    /// Destroyed.
    Destroyed { by: EnterpriseId },
    /// Withdrawn by a recall.
    Recalled { by: EnterpriseId },
    /// Reported lost.
    Lost { by: EnterpriseId },
}

/// One line of a code's history.
#[uniffi::remote(Record)]
pub struct UnitEvent {
    pub at: String,
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    pub action: String,
    pub state: UnitState,
    pub upload_id: Option<Uuid>,
    pub document_number: Option<String>,
}

/// A scanned code as the platform knows it.
#[uniffi::remote(Record)]
pub struct UnitView {
    pub code: String,
    pub level: PackagingLevel,
    pub product_id: Uuid,
    pub product_name: String,
    pub batch: String,
    pub issued_to: Uuid,
    pub state: UnitState,
    pub parent: Option<String>,
    pub children: Vec<String>,
    pub units_inside: u32,
    pub history: Vec<UnitEvent>,
}
