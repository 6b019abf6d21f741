//! The core's field-inspection records (现场检查) as Kotlin, Swift and Python see them,
//! mirrored field for field like `types.rs`.

use crate::types::Instant;
use chrono::NaiveDate;
use suyuan_core::Problem;
use suyuan_core::model::{
    AttachmentId, EnterpriseId, InspectedItem, Inspection, InspectionId, ProductId,
};
use suyuan_core::rules::verdict::Verdict;
use suyuan_core::store::{InspectionPhoto, LocalInspection, NewInspection, PhotoInput, SyncState};

/// One product looked at during an inspection, with the verdict the phone gave.
#[uniffi::remote(Record)]
pub struct InspectedItem {
    pub code: String,
    pub product_id: Option<ProductId>,
    pub product_name: String,
    pub batch: Option<String>,
    pub verdict: Verdict,
    pub note: String,
}

/// A field inspection of one enterprise, as sent to the server.
#[uniffi::remote(Record)]
pub struct Inspection {
    pub id: InspectionId,
    pub enterprise_id: EnterpriseId,
    pub date: NaiveDate,
    pub inspectors: Vec<String>,
    pub items: Vec<InspectedItem>,
    pub findings: String,
    pub photos: Vec<AttachmentId>,
}

/// A photo the inspector took: its file name and its bytes (JPEG, PNG or WebP, at most 10 MB).
#[uniffi::remote(Record)]
pub struct PhotoInput {
    pub file_name: String,
    pub data: Vec<u8>,
}

/// An inspection as the inspector records it; `id` from `new_id()`, chosen once.
#[uniffi::remote(Record)]
pub struct NewInspection {
    pub id: InspectionId,
    pub enterprise_id: EnterpriseId,
    pub date: NaiveDate,
    pub inspectors: Vec<String>,
    pub items: Vec<InspectedItem>,
    pub findings: String,
    pub photos: Vec<PhotoInput>,
}

/// Where a record made on the phone stands with the server.
#[uniffi::remote(Enum)]
pub enum SyncState {
    /// Waiting to be sent, or sent with no answer yet.
    Pending,
    /// The server has it.
    Synced,
    /// The server refused it, with its problems.
    Rejected { problems: Vec<Problem> },
}

/// A photo of an inspection recorded on the phone.
#[uniffi::remote(Record)]
pub struct InspectionPhoto {
    pub id: AttachmentId,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub uploaded: bool,
    pub on_phone: bool,
    pub refused: Option<String>,
}

/// An inspection recorded on the phone, with its photos and sync state.
#[uniffi::remote(Record)]
pub struct LocalInspection {
    pub inspection: Inspection,
    pub photos: Vec<InspectionPhoto>,
    pub sync: SyncState,
    pub recorded_at: Instant,
}
