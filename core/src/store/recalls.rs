//! Recalls and nonconforming listings that reached this enterprise, as the server last sent
//! them, and the holder's part offline: acknowledging a recall (签收) and reporting what was
//! returned and destroyed, checked against what the phone knows was held.

use super::inbox::write_cached;
use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity, stock};
use crate::Problem;
use crate::model::{
    EnterpriseId, NonconformingRecord, Recall, RecallId, RecallInitiator, RecallProgress,
    RecallStatus,
};
use crate::rules::recall::check_report;
use crate::sync::wire::Operation;
use chrono::{DateTime, Utc};

impl Store {
    /// Recalls that reached this enterprise or that it started, newest start date first. Each
    /// carries this enterprise's own progress when it is a holder.
    pub fn recalls(&self) -> Result<Vec<Recall>, StoreError> {
        let mut all: Vec<Recall> = self.cached(entity::RECALL)?;
        all.sort_by(|a, b| b.start_date.cmp(&a.start_date).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    /// Nonconforming listings that reached this enterprise or that it reported.
    pub fn nonconforming(&self) -> Result<Vec<NonconformingRecord>, StoreError> {
        self.cached(entity::NONCONFORMING)
    }

    /// Acknowledges a recall offline (签收); the first acknowledgement's time is kept.
    pub fn acknowledge_recall(
        &mut self,
        id: RecallId,
        now: DateTime<Utc>,
    ) -> Result<Recall, StoreError> {
        self.holder_acts(id, now, None)
    }

    /// Reports this enterprise's totals returned and destroyed so far (acknowledging the
    /// recall too). Together they may not exceed what it held when the recall reached it, as
    /// the server sent it; before the server has sent that, the stock of the recalled batches
    /// on this phone stands in.
    pub fn report_recall(
        &mut self,
        id: RecallId,
        returned: i64,
        destroyed: i64,
        now: DateTime<Utc>,
    ) -> Result<Recall, StoreError> {
        self.holder_acts(id, now, Some((returned, destroyed)))
    }

    fn holder_acts(
        &mut self,
        id: RecallId,
        now: DateTime<Utc>,
        report: Option<(i64, i64)>,
    ) -> Result<Recall, StoreError> {
        let me = self.me()?;
        let mut recall: Recall =
            self.record(entity::RECALL, &id.to_string())?
                .ok_or_else(|| StoreError::NotFound {
                    entity: entity::RECALL,
                    id: id.to_string(),
                })?;
        let undo = serde_json::to_string(&recall)?;
        if recall.status != RecallStatus::Active {
            return Err(StoreError::Invalid(vec![Problem::error(
                "status",
                "recall.not_active",
                "该召回不在进行中，不能确认或报告",
                "This recall is not active; it takes no acknowledgements or reports",
            )]));
        }
        let mine = recall.progress.iter().position(|p| p.enterprise_id == me);
        if mine.is_none() && started_by(&recall, me) {
            // The server sends the initiator its recall whether or not it holds any.
            return Err(StoreError::NotFound {
                entity: "recall_holder",
                id: format!("{id}/{me}"),
            });
        }
        let i = match mine {
            Some(i) => i,
            None => {
                let held = self.held_of(&recall)?;
                recall.progress.push(RecallProgress {
                    enterprise_id: me,
                    acknowledged_at: None,
                    quantity_held: held,
                    quantity_returned: 0,
                    quantity_destroyed: 0,
                });
                recall.progress.len() - 1
            }
        };
        let progress = &mut recall.progress[i];
        let op = match report {
            None => Operation::AcknowledgeRecall { recall_id: id.0 },
            Some((returned, destroyed)) => {
                let problems = check_report(progress.quantity_held, returned, destroyed);
                if !problems.is_empty() {
                    return Err(StoreError::Invalid(problems));
                }
                progress.quantity_returned = returned.unsigned_abs();
                progress.quantity_destroyed = destroyed.unsigned_abs();
                Operation::ReportRecall {
                    recall_id: id.0,
                    quantity_returned: returned,
                    quantity_destroyed: destroyed,
                }
            }
        };
        progress.acknowledged_at.get_or_insert(now);
        let tx = self.conn.transaction()?;
        write_cached(&tx, entity::RECALL, &recall)?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::RECALL,
                record_id: id.0,
                op,
                undo: Some(undo),
            },
        )?;
        tx.commit()?;
        Ok(recall)
    }

    /// What this phone's records hold of the recalled batches now.
    fn held_of(&self, recall: &Recall) -> Result<u64, StoreError> {
        Ok(stock::levels(&self.conn)?
            .iter()
            .filter(|l| recall.covers(l.product_id, &l.batch))
            .map(|l| l.held.max(0).unsigned_abs())
            .sum())
    }
}

fn started_by(recall: &Recall, me: EnterpriseId) -> bool {
    matches!(recall.initiator, RecallInitiator::Enterprise { enterprise_id } if enterprise_id == me)
}
