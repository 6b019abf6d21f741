//! A unit code as the platform shows it: product, batch, where it is, what is packed in it,
//! and every holder with dates (the answer to a scan, 扫码查询).

use super::state::UnitState;
use crate::model::{EnterpriseId, PackagingLevel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of a code's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEvent {
    /// When (RFC 3339).
    pub at: String,
    /// The enterprise that reported it.
    pub enterprise_id: Uuid,
    /// Its name.
    pub enterprise_name: String,
    /// What happened: issue, receive, ship, sell, destroy, recall, lose, pack, unpack.
    pub action: String,
    /// The state after it.
    pub state: UnitState,
    /// The upload file it came with.
    pub upload_id: Option<Uuid>,
    /// The document number of that file.
    pub document_number: Option<String>,
}

/// A code as the platform knows it, with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitView {
    /// The 24 digits.
    pub code: String,
    /// Packaging level.
    pub level: PackagingLevel,
    /// Product.
    pub product_id: Uuid,
    /// Product name.
    pub product_name: String,
    /// Batch.
    pub batch: String,
    /// The enterprise it was issued to.
    pub issued_to: Uuid,
    /// Where it is now.
    pub state: UnitState,
    /// The package it is in.
    pub parent: Option<String>,
    /// The codes packed directly in it.
    pub children: Vec<String>,
    /// Sales units inside it, at any depth (1 for a unit).
    pub units_inside: usize,
    /// Every event, oldest first (issuance first).
    pub history: Vec<UnitEvent>,
}

impl UnitView {
    /// Whether `enterprise` had any part in this code: it was issued the code, handled it, or
    /// has it on its way.
    pub fn concerns(&self, enterprise: EnterpriseId) -> bool {
        let involved = |s: &UnitState| match *s {
            UnitState::InTransit { from, to } => from == enterprise || to == enterprise,
            s => s.last_seen_at() == enterprise,
        };
        self.issued_to == enterprise.0
            || involved(&self.state)
            || self
                .history
                .iter()
                .any(|e| e.enterprise_id == enterprise.0 || involved(&e.state))
    }
}
