//! Product recalls (产品召回).

use super::ids::{EnterpriseId, ProductId, RecallId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Recall level by severity of the risk (一级 most severe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecallLevel {
    /// 一级召回.
    One,
    /// 二级召回.
    Two,
    /// 三级召回.
    Three,
}

/// Where a recall stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecallStatus {
    /// Prepared, not yet announced (计划).
    Planned,
    /// Announced; holders must stop selling and return (进行中).
    Active,
    /// Finished (已完成); the batches stay recalled.
    Completed,
}

/// Who started the recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RecallInitiator {
    /// The registrant or another enterprise (主动召回).
    Enterprise {
        /// Which enterprise.
        enterprise_id: EnterpriseId,
    },
    /// A regulator of a region (责令召回).
    Regulator {
        /// GB/T 2260 region code of the regulator.
        region_code: String,
    },
}

/// One holder's progress on a recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallProgress {
    /// The holder.
    pub enterprise_id: EnterpriseId,
    /// When it acknowledged the recall, if it has.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Quantity it held when the recall reached it.
    pub quantity_held: u64,
    /// Quantity sent back up the chain.
    pub quantity_returned: u64,
    /// Quantity destroyed on site.
    pub quantity_destroyed: u64,
}

/// A product recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recall {
    /// Identifier.
    pub id: RecallId,
    /// Who started it.
    pub initiator: RecallInitiator,
    /// The product.
    pub product_id: ProductId,
    /// Product name as recorded.
    pub product_name: String,
    /// Recalled batches; empty means every batch.
    pub batches: Vec<String>,
    /// Level.
    pub level: RecallLevel,
    /// Reason (召回原因).
    pub reason: String,
    /// Start date (召回开始日期).
    pub start_date: NaiveDate,
    /// Planned end (计划完成日期).
    pub deadline: Option<NaiveDate>,
    /// Actual end (完成日期).
    pub completed_on: Option<NaiveDate>,
    /// Scope: regions, channels (召回范围).
    pub scope: String,
    /// Status.
    pub status: RecallStatus,
    /// Per-holder progress.
    pub progress: Vec<RecallProgress>,
}

impl Recall {
    /// Whether this recall, as it stands, makes `batch` of `product` recalled.
    pub fn covers(&self, product: ProductId, batch: &str) -> bool {
        self.status != RecallStatus::Planned
            && self.product_id == product
            && (self.batches.is_empty() || self.batches.iter().any(|b| b == batch))
    }
}
