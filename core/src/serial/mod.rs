//! Serialized unit codes (一物一码) beside batch records: the 24-digit code and its issuance,
//! packaging aggregation, and each unit's life from issuance to sale, as pure rules.

pub mod batch;
pub mod code;
pub mod registry;
pub mod result;
pub mod state;
#[cfg(test)]
mod tests;
pub mod upload;
#[cfg(test)]
mod upload_tests;
pub mod view;

pub use batch::{UNIT_OF_CODES, batch_document, batch_kind, units_by_batch};
pub use code::{
    EnterpriseCode, MAX_CODES_PER_APPLICATION, UnitCode, check_application, issue_codes,
};
pub use registry::{Change, CodeRecord, ScanRefusal, UnitRegistry};
pub use result::{BatchRecord, PHONE_VENDOR, UploadLineResult, UploadRequest, UploadResult};
pub use state::{Refusal, RefusalReason, UnitMove, UnitState, next_state};
pub use upload::{
    LineVerdict, UnitUpload, UploadHeader, UploadKind, UploadLine, audit_upload, format_upload,
    parse_upload, upload_move,
};
pub use view::{UnitEvent, UnitView};
