//! Product recalls (产品召回).

use super::{PRODUCT_LABEL, batches_non_blank, required_id};
use crate::model::{Recall, RecallInitiator, RecallStatus};
use crate::problem::Problem;
use crate::validate::dates::check_order;
use crate::validate::label::{Label, missing, required};
use crate::validate::region::check_region;

const REASON_LABEL: Label = Label::new("召回原因", "Recall reason");
const START_DATE_LABEL: Label = Label::new("召回开始日期", "Start date");
const DEADLINE_LABEL: Label = Label::new("计划完成日期", "Planned completion date");
const COMPLETED_ON_LABEL: Label = Label::new("完成日期", "Completion date");

/// Every problem with a recall: the product and reason, no blank batch entries, a
/// well-formed region for a regulator's recall, planned and actual end dates not before the
/// start, and an actual end date once the recall is completed.
pub fn validate_recall(r: &Recall) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required_id("product_id", PRODUCT_LABEL, r.product_id.0));
    problems.extend(batches_non_blank(&r.batches));
    problems.extend(required("reason", REASON_LABEL, &r.reason));
    if let RecallInitiator::Regulator { region_code } = &r.initiator {
        problems.extend(check_region("initiator.region_code", region_code));
    }
    if let Some(deadline) = r.deadline {
        problems.extend(check_order(
            "deadline",
            START_DATE_LABEL,
            r.start_date,
            DEADLINE_LABEL,
            deadline,
        ));
    }
    match r.completed_on {
        Some(done) => problems.extend(check_order(
            "completed_on",
            START_DATE_LABEL,
            r.start_date,
            COMPLETED_ON_LABEL,
            done,
        )),
        None if r.status == RecallStatus::Completed => {
            problems.push(missing("completed_on", COMPLETED_ON_LABEL));
        }
        None => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, pairs, recall, summary};
    use super::*;
    use crate::model::{EnterpriseId, ProductId};
    use uuid::Uuid;

    #[test]
    fn sample_is_clean() {
        assert_eq!(validate_recall(&recall()), vec![]);
    }

    #[test]
    fn table_of_breakages() {
        type Edit = fn(&mut Recall);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (
                |r| r.product_id = ProductId(Uuid::nil()),
                &[("product_id", "required")],
            ),
            (|r| r.reason.clear(), &[("reason", "required")]),
            (|r| r.batches.clear(), &[]),
            (
                |r| r.batches = vec![" ".into(), "A".into()],
                &[("batches[0]", "required")],
            ),
            (
                |r| {
                    r.initiator = RecallInitiator::Regulator {
                        region_code: "62".into(),
                    }
                },
                &[("initiator.region_code", "region.format")],
            ),
            (
                |r| {
                    r.initiator = RecallInitiator::Enterprise {
                        enterprise_id: EnterpriseId(Uuid::from_u128(1)),
                    }
                },
                &[],
            ),
            (|r| r.deadline = None, &[]),
            (|r| r.deadline = Some(d(2025, 5, 21)), &[]),
            (
                |r| r.deadline = Some(d(2025, 5, 20)),
                &[("deadline", "date.order")],
            ),
            (
                |r| r.completed_on = Some(d(2025, 5, 1)),
                &[("completed_on", "date.order")],
            ),
            (
                |r| r.status = RecallStatus::Completed,
                &[("completed_on", "required")],
            ),
            (
                |r| {
                    r.status = RecallStatus::Completed;
                    r.completed_on = Some(d(2025, 6, 20));
                },
                &[],
            ),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut r = recall();
            edit(&mut r);
            assert_eq!(summary(&validate_recall(&r)), pairs(want), "case {i}");
        }
    }

    #[test]
    fn deadline_message() {
        let mut r = recall();
        r.deadline = Some(d(2025, 5, 20));
        let ps = validate_recall(&r);
        assert_eq!(
            ps[0].message_zh,
            "计划完成日期（2025-05-20）早于召回开始日期（2025-05-21）"
        );
        assert_eq!(
            ps[0].message_en,
            "Planned completion date: 2025-05-20 is before the start date (2025-05-21)"
        );
    }
}
