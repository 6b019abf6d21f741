//! A product's or batch's status — valid, nonconforming, recalled — derived from records.

use crate::model::{NonconformingRecord, ProductId, Recall};
use serde::{Deserialize, Serialize};

/// Derived status of a product or batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Nothing against it (有效).
    Valid,
    /// Listed nonconforming (不合格).
    Nonconforming,
    /// Under an active or completed recall (召回).
    Recalled,
}

/// The recalls and nonconforming listings in force, for lookups by product and batch.
#[derive(Debug, Clone, Copy)]
pub struct Blocks<'a> {
    /// Recalls to consult.
    pub recalls: &'a [Recall],
    /// Nonconforming records to consult.
    pub nonconforming: &'a [NonconformingRecord],
}

impl<'a> Blocks<'a> {
    /// Lookups over these records.
    pub fn new(recalls: &'a [Recall], nonconforming: &'a [NonconformingRecord]) -> Self {
        Self {
            recalls,
            nonconforming,
        }
    }

    /// The first recall covering this batch.
    pub fn recall(&self, product: ProductId, batch: &str) -> Option<&'a Recall> {
        self.recalls.iter().find(|r| r.covers(product, batch))
    }

    /// The first nonconforming listing of this batch.
    pub fn nonconforming(
        &self,
        product: ProductId,
        batch: &str,
    ) -> Option<&'a NonconformingRecord> {
        self.nonconforming.iter().find(|n| n.lists(product, batch))
    }

    /// Status of one batch; a recall outranks a nonconforming listing.
    pub fn batch_status(&self, product: ProductId, batch: &str) -> ProductStatus {
        if self.recall(product, batch).is_some() {
            ProductStatus::Recalled
        } else if self.nonconforming(product, batch).is_some() {
            ProductStatus::Nonconforming
        } else {
            ProductStatus::Valid
        }
    }

    /// Status of a product as a whole: the worst status any record gives any of its batches,
    /// which is what the seed's three libraries (有效/不合格/召回) sort products by.
    pub fn product_status(&self, product: ProductId) -> ProductStatus {
        let recalled = self
            .recalls
            .iter()
            .any(|r| r.product_id == product && r.status != crate::model::RecallStatus::Planned);
        let nonconforming = self.nonconforming.iter().any(|n| {
            n.product_id == product
                && n.status.is_submitted()
                && n.state != crate::model::NonconformingStatus::Revoked
        });
        if recalled {
            ProductStatus::Recalled
        } else if nonconforming {
            ProductStatus::Nonconforming
        } else {
            ProductStatus::Valid
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::*;
    use crate::rules::testing::*;

    pub(crate) fn recall(p: ProductId, batches: &[&str], status: RecallStatus) -> Recall {
        Recall {
            id: RecallId::random(),
            initiator: RecallInitiator::Regulator {
                region_code: "620000".into(),
            },
            product_id: p,
            product_name: "舒唯雅皮肤身体护肤霜".into(),
            batches: batches.iter().map(|b| b.to_string()).collect(),
            level: RecallLevel::Two,
            reason: "微生物超标".into(),
            start_date: day(3, 1),
            deadline: None,
            completed_on: None,
            scope: "甘肃省".into(),
            status,
            progress: vec![],
        }
    }

    pub(crate) fn listing(
        p: ProductId,
        batches: &[&str],
        state: NonconformingStatus,
    ) -> NonconformingRecord {
        NonconformingRecord {
            id: NonconformingId::random(),
            reported_by: None,
            product_id: p,
            product_name: "舒唯雅皮肤身体护肤霜".into(),
            batches: batches.iter().map(|b| b.to_string()).collect(),
            source: NonconformingSource::SamplingInspection,
            defect: "菌落总数超标".into(),
            test_report_number: "GS2026-001".into(),
            handling_measures: String::new(),
            found_on: day(2, 1),
            handled_on: None,
            state,
            attachments: vec![],
            status: RecordStatus::Submitted { at: instant() },
        }
    }

    #[test]
    fn status_is_derived_from_recalls_and_listings() {
        let p = prod(1);
        let recalls = [
            recall(p, &["R1"], RecallStatus::Active),
            recall(p, &["P1"], RecallStatus::Planned),
        ];
        let listings = [
            listing(p, &["N1", "R1"], NonconformingStatus::Open),
            listing(p, &["X1"], NonconformingStatus::Revoked),
        ];
        let b = Blocks::new(&recalls, &listings);
        let cases = [
            ("R1", ProductStatus::Recalled),
            ("N1", ProductStatus::Nonconforming),
            ("P1", ProductStatus::Valid),
            ("X1", ProductStatus::Valid),
            ("OK", ProductStatus::Valid),
        ];
        for (batch, want) in cases {
            assert_eq!(b.batch_status(p, batch), want, "batch {batch}");
        }
        assert_eq!(b.batch_status(prod(2), "R1"), ProductStatus::Valid);
        assert_eq!(b.product_status(p), ProductStatus::Recalled);
        assert_eq!(
            Blocks::new(&[], &listings).product_status(p),
            ProductStatus::Nonconforming
        );
        assert_eq!(
            Blocks::new(&[], &[]).product_status(p),
            ProductStatus::Valid
        );
    }

    #[test]
    fn an_empty_batch_list_covers_every_batch() {
        let p = prod(1);
        let recalls = [recall(p, &[], RecallStatus::Completed)];
        assert_eq!(
            Blocks::new(&recalls, &[]).batch_status(p, "ANY"),
            ProductStatus::Recalled
        );
        let drafts = [NonconformingRecord {
            status: RecordStatus::Draft,
            ..listing(p, &[], NonconformingStatus::Open)
        }];
        assert_eq!(
            Blocks::new(&[], &drafts).batch_status(p, "ANY"),
            ProductStatus::Valid
        );
    }
}
