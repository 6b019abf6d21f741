//! Nonconforming cosmetics (不合格化妆品信息).

use super::common::{Attachment, RecordStatus};
use super::ids::{EnterpriseId, NonconformingId, ProductId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How the defect came to light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonconformingSource {
    /// Official sampling inspection (监督抽检).
    SamplingInspection,
    /// Consumer complaint (投诉举报).
    Complaint,
    /// The operator's own check (自查).
    SelfCheck,
    /// A notice from a regulator (监管通报).
    RegulatorNotice,
}

/// Where a nonconforming listing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonconformingStatus {
    /// Listed, not yet handled (待处置).
    Open,
    /// Handling under way (处置中).
    Handling,
    /// Handled; the batches stay nonconforming (已处置).
    Closed,
    /// Withdrawn as a mistake; the batches are no longer nonconforming (已撤销).
    Revoked,
}

/// A nonconforming-product record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonconformingRecord {
    /// Identifier.
    pub id: NonconformingId,
    /// The enterprise that reported it, or `None` when a regulator listed it.
    pub reported_by: Option<EnterpriseId>,
    /// The product (化妆品名称).
    pub product_id: ProductId,
    /// Product name as recorded.
    pub product_name: String,
    /// Affected batch numbers (批号); empty means every batch.
    pub batches: Vec<String>,
    /// Source of the finding.
    pub source: NonconformingSource,
    /// What is wrong (不合格项目).
    pub defect: String,
    /// Test report number (检验报告编号).
    pub test_report_number: String,
    /// Handling measures (处置措施).
    pub handling_measures: String,
    /// Day the defect was found (发现日期).
    pub found_on: NaiveDate,
    /// Day handling ended (处置日期).
    pub handled_on: Option<NaiveDate>,
    /// Handling status.
    pub state: NonconformingStatus,
    /// Test reports and photos.
    pub attachments: Vec<Attachment>,
    /// Save/submit state; only submitted records list a batch.
    pub status: RecordStatus,
}

impl NonconformingRecord {
    /// Whether this record, as it stands, marks `batch` of its product as nonconforming.
    pub fn lists(&self, product: ProductId, batch: &str) -> bool {
        self.status.is_submitted()
            && self.state != NonconformingStatus::Revoked
            && self.product_id == product
            && (self.batches.is_empty() || self.batches.iter().any(|b| b == batch))
    }
}
