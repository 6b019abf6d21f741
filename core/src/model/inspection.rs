//! Field inspections (现场检查): a regulator's visit to an enterprise, the products scanned
//! there with the verdict on each, what was found, and photos.

use super::ids::{AttachmentId, EnterpriseId, InspectionId, ProductId};
use crate::rules::verdict::Verdict;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One product looked at during an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectedItem {
    /// The code as scanned or typed (GS1 element string, Digital Link, retail barcode...).
    pub code: String,
    /// The product the code matched, when it matched one.
    #[serde(default)]
    pub product_id: Option<ProductId>,
    /// Product name as recorded.
    #[serde(default)]
    pub product_name: String,
    /// The batch (批号), from the code or typed.
    #[serde(default)]
    pub batch: Option<String>,
    /// The checks made on it (registration, recall, nonconforming, expiry, records), as the
    /// phone's verdict rule gives them.
    pub verdict: Verdict,
    /// The inspector's note on this item.
    #[serde(default)]
    pub note: String,
}

/// A field inspection of one enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// Identifier, chosen by the client so a retried upload is harmless.
    pub id: InspectionId,
    /// The enterprise inspected (被检查单位).
    pub enterprise_id: EnterpriseId,
    /// Day of the visit (检查日期).
    pub date: NaiveDate,
    /// Names of the inspectors present (检查人员).
    #[serde(default)]
    pub inspectors: Vec<String>,
    /// Products scanned, each with its verdict.
    #[serde(default)]
    pub items: Vec<InspectedItem>,
    /// What was found (检查情况).
    pub findings: String,
    /// Photos taken, as uploaded inspection photos.
    #[serde(default)]
    pub photos: Vec<AttachmentId>,
}
