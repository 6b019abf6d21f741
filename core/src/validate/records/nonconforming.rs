//! Nonconforming cosmetics (不合格化妆品信息).

use super::{PRODUCT_LABEL, batches_non_blank, required_id};
use crate::model::{NonconformingRecord, NonconformingStatus};
use crate::problem::Problem;
use crate::validate::dates::{check_not_future, check_order};
use crate::validate::label::{Label, missing, required};
use chrono::NaiveDate;

const DEFECT_LABEL: Label = Label::new("不合格项目", "Nonconforming item");
const FOUND_ON_LABEL: Label = Label::new("发现日期", "Date found");
const HANDLED_ON_LABEL: Label = Label::new("处置日期", "Date handled");

/// Every problem with a nonconforming-product record: the product and defect, no blank batch
/// entries, a finding date not after `today`, and a handling date that is not before the
/// finding, not after `today`, and present once the record is closed (已处置).
pub fn validate_nonconforming(r: &NonconformingRecord, today: NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required_id("product_id", PRODUCT_LABEL, r.product_id.0));
    problems.extend(batches_non_blank(&r.batches));
    problems.extend(required("defect", DEFECT_LABEL, &r.defect));
    problems.extend(check_not_future(
        "found_on",
        FOUND_ON_LABEL,
        r.found_on,
        today,
    ));
    match r.handled_on {
        Some(handled) => {
            problems.extend(check_order(
                "handled_on",
                FOUND_ON_LABEL,
                r.found_on,
                HANDLED_ON_LABEL,
                handled,
            ));
            problems.extend(check_not_future(
                "handled_on",
                HANDLED_ON_LABEL,
                handled,
                today,
            ));
        }
        None if r.state == NonconformingStatus::Closed => {
            problems.push(missing("handled_on", HANDLED_ON_LABEL));
        }
        None => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, nonconforming, pairs, summary, today};
    use super::*;
    use crate::model::ProductId;
    use uuid::Uuid;

    #[test]
    fn sample_is_clean() {
        assert_eq!(validate_nonconforming(&nonconforming(), today()), vec![]);
    }

    #[test]
    fn table_of_breakages() {
        type Edit = fn(&mut NonconformingRecord);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (
                |r| r.product_id = ProductId(Uuid::nil()),
                &[("product_id", "required")],
            ),
            (|r| r.defect = "  ".into(), &[("defect", "required")]),
            (|r| r.batches.clear(), &[]),
            (
                |r| r.batches.push(String::new()),
                &[("batches[1]", "required")],
            ),
            (|r| r.found_on = d(2025, 6, 1), &[]),
            (
                |r| r.found_on = d(2025, 6, 2),
                &[("found_on", "date.future")],
            ),
            (|r| r.handled_on = Some(d(2025, 5, 20)), &[]),
            (
                |r| r.handled_on = Some(d(2025, 5, 19)),
                &[("handled_on", "date.order")],
            ),
            (
                |r| r.handled_on = Some(d(2025, 6, 2)),
                &[("handled_on", "date.future")],
            ),
            (
                |r| r.state = NonconformingStatus::Closed,
                &[("handled_on", "required")],
            ),
            (
                |r| {
                    r.state = NonconformingStatus::Closed;
                    r.handled_on = Some(d(2025, 5, 30));
                },
                &[],
            ),
            (|r| r.test_report_number.clear(), &[]),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut r = nonconforming();
            edit(&mut r);
            assert_eq!(
                summary(&validate_nonconforming(&r, today())),
                pairs(want),
                "case {i}"
            );
        }
    }
}
