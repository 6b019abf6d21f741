//! Small value types shared by several records.

use super::ids::AttachmentId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Save (保存) versus submit (提交/上报): a draft stays editable, a submitted record never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RecordStatus {
    /// Saved, still editable and deletable.
    Draft,
    /// Submitted at the given instant; immutable from then on.
    Submitted {
        /// When it was submitted.
        at: DateTime<Utc>,
    },
}

impl RecordStatus {
    /// Whether the record has been submitted.
    pub fn is_submitted(&self) -> bool {
        matches!(self, RecordStatus::Submitted { .. })
    }
}

/// A licence (许可证) with its number and validity period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Licence {
    /// Licence number (许可证号).
    pub number: String,
    /// Valid from (许可证有效期起).
    pub valid_from: Option<NaiveDate>,
    /// Valid to (许可证有效期止).
    pub valid_to: Option<NaiveDate>,
}

/// An inclusive date range, e.g. a quality agreement's validity (质量协议有效期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First valid day.
    pub from: NaiveDate,
    /// Last valid day.
    pub to: NaiveDate,
}

impl DateRange {
    /// Whether `day` falls inside the range.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// What an uploaded file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// Business or operating licence (许可证).
    Licence,
    /// Inspection or test report (检验报告).
    TestReport,
    /// A photo (product, barcode, package).
    Photo,
    /// Quality agreement with a supplier (质量协议).
    QualityAgreement,
    /// Anything else.
    Other,
}

/// Metadata of an uploaded file; the bytes live in storage, addressed by the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Identifier.
    pub id: AttachmentId,
    /// What it is for.
    pub kind: AttachmentKind,
    /// Original file name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}
