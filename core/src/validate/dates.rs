//! Dates on batches and records: production and expiry, and the ordering every period obeys.

use super::label::{Label, join};
use crate::problem::Problem;
use chrono::{Months, NaiveDate};

/// The field label of a production date.
pub const PRODUCTION_DATE_LABEL: Label = Label::new("生产日期", "Production date");
/// The field label of an expiry date.
pub const EXPIRY_DATE_LABEL: Label = Label::new("有效期至", "Expiry date");

/// Rule code for a period that ends before it starts.
pub const RULE_DATE_ORDER: &str = "date.order";
/// Rule code for a date after today where only the past makes sense.
pub const RULE_DATE_FUTURE: &str = "date.future";
/// Rule code for an expiry date far from production date + shelf life (a warning).
pub const RULE_SHELF_LIFE_MISMATCH: &str = "date.shelf_life_mismatch";

/// How far a printed expiry date may be from the derived one before we ask for confirmation;
/// manufacturers round to month ends or print the production month only.
const SHELF_LIFE_TOLERANCE_DAYS: i64 = 31;

/// The expiry date (有效期至) of a batch from its production date and shelf life in months.
///
/// We follow the label convention of Chinese cosmetics: a product made on 2024-03-15 with a
/// 36-month shelf life is labelled 有效期至 2027-03-14, i.e. production + months − 1 day,
/// the last day it may still be used. Months are calendar months and the day of month is
/// clamped (2024-01-31 + 1 month is 2024-02-29, so expiry 2024-02-28).
/// `None` for a zero shelf life (no such product) or a result outside chrono's range.
pub fn derive_expiry(production: NaiveDate, shelf_life_months: u32) -> Option<NaiveDate> {
    if shelf_life_months == 0 {
        return None;
    }
    production
        .checked_add_months(Months::new(shelf_life_months))?
        .pred_opt()
}

/// Rule `date.future` (error): `date` is after `today`, for things that have already happened.
pub fn check_not_future(
    field: &str,
    label: Label,
    date: NaiveDate,
    today: NaiveDate,
) -> Option<Problem> {
    (date > today).then(|| {
        label.error(
            field,
            RULE_DATE_FUTURE,
            format!("（{date}）晚于今天（{today}）"),
            format!("{date} is after today ({today})"),
        )
    })
}

/// Rule `date.order` (error), reported on the later field: `later` is before `earlier`.
/// Equal dates are fine (a one-day period).
pub fn check_order(
    later_field: &str,
    earlier_label: Label,
    earlier: NaiveDate,
    later_label: Label,
    later: NaiveDate,
) -> Option<Problem> {
    (later < earlier).then(|| {
        later_label.error(
            later_field,
            RULE_DATE_ORDER,
            format!("（{later}）早于{}（{earlier}）", earlier_label.zh),
            format!(
                "{later} is before the {} ({earlier})",
                earlier_label.en_inline()
            ),
        )
    })
}

/// Every problem with a batch's production and expiry dates, at `{prefix}.production_date`
/// and `{prefix}.expiry_date` (plain names when `prefix` is empty): production after today
/// (`date.future`), expiry before production (`date.order`) and, when both dates and the
/// shelf life are known, an expiry more than 31 days from the derived one
/// (`date.shelf_life_mismatch`, a warning).
pub fn check_batch_dates(
    prefix: &str,
    production: Option<NaiveDate>,
    expiry: Option<NaiveDate>,
    shelf_life_months: Option<u32>,
    today: NaiveDate,
) -> Vec<Problem> {
    let production_field = join(prefix, "production_date");
    let expiry_field = join(prefix, "expiry_date");
    let mut problems = Vec::new();
    if let Some(p) = production {
        problems.extend(check_not_future(
            &production_field,
            PRODUCTION_DATE_LABEL,
            p,
            today,
        ));
    }
    let (Some(p), Some(e)) = (production, expiry) else {
        return problems;
    };
    if let Some(problem) = check_order(
        &expiry_field,
        PRODUCTION_DATE_LABEL,
        p,
        EXPIRY_DATE_LABEL,
        e,
    ) {
        problems.push(problem);
        return problems;
    }
    if let Some(months) = shelf_life_months
        && let Some(derived) = derive_expiry(p, months)
        && (e - derived).num_days().abs() > SHELF_LIFE_TOLERANCE_DAYS
    {
        problems.push(EXPIRY_DATE_LABEL.warning(
            &expiry_field,
            RULE_SHELF_LIFE_MISMATCH,
            format!("与保质期不符：按生产日期 {p} 和保质期 {months} 个月应为 {derived}"),
            format!(
                "does not match the shelf life: {months} months from production date {p} \
                 gives {derived}"
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn derived_expiry() {
        let cases = [
            (d(2024, 3, 15), 36, Some(d(2027, 3, 14))),
            (d(2024, 1, 1), 12, Some(d(2024, 12, 31))),
            (d(2024, 1, 31), 1, Some(d(2024, 2, 28))),
            (d(2023, 1, 31), 1, Some(d(2023, 2, 27))),
            (d(2024, 2, 29), 12, Some(d(2025, 2, 27))),
            (d(2024, 3, 1), 1, Some(d(2024, 3, 31))),
            (d(2024, 3, 1), 0, None),
            (NaiveDate::MAX, 1, None),
        ];
        for (production, months, want) in cases {
            assert_eq!(
                derive_expiry(production, months),
                want,
                "{production} + {months}"
            );
        }
    }

    #[test]
    fn batch_dates() {
        let today = d(2025, 6, 1);
        type Case = (
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<u32>,
            &'static [(&'static str, &'static str)],
        );
        let cases: &[Case] = &[
            (None, None, Some(36), &[]),
            (Some(d(2025, 1, 10)), None, Some(36), &[]),
            (None, Some(d(2020, 1, 1)), Some(36), &[]),
            (Some(d(2025, 1, 10)), Some(d(2028, 1, 9)), Some(36), &[]),
            // Within the 31-day tolerance (printed as month end).
            (Some(d(2025, 1, 10)), Some(d(2028, 1, 31)), Some(36), &[]),
            (Some(d(2025, 1, 10)), Some(d(2025, 1, 10)), None, &[]),
            (
                Some(d(2025, 1, 10)),
                Some(d(2027, 1, 9)),
                Some(36),
                &[("l.expiry_date", "date.shelf_life_mismatch")],
            ),
            (Some(d(2025, 1, 10)), Some(d(2027, 1, 9)), None, &[]),
            (
                Some(d(2025, 1, 10)),
                Some(d(2025, 1, 9)),
                Some(36),
                &[("l.expiry_date", "date.order")],
            ),
            (
                Some(d(2025, 6, 2)),
                Some(d(2028, 6, 1)),
                Some(36),
                &[("l.production_date", "date.future")],
            ),
            (
                Some(d(2025, 7, 1)),
                Some(d(2025, 6, 1)),
                Some(36),
                &[
                    ("l.production_date", "date.future"),
                    ("l.expiry_date", "date.order"),
                ],
            ),
        ];
        for (production, expiry, months, want) in cases {
            let ps = check_batch_dates("l", *production, *expiry, *months, today);
            let got: Vec<(&str, &str)> = ps
                .iter()
                .map(|p| (p.field.as_str(), p.rule.as_str()))
                .collect();
            assert_eq!(got, *want, "{production:?} {expiry:?} {months:?}");
        }
    }

    #[test]
    fn messages() {
        let today = d(2025, 6, 1);
        let ps = check_batch_dates("", Some(d(2025, 7, 1)), Some(d(2025, 6, 1)), None, today);
        assert_eq!(ps[0].field, "production_date");
        assert_eq!(
            ps[0].message_zh,
            "生产日期（2025-07-01）晚于今天（2025-06-01）"
        );
        assert_eq!(
            ps[0].message_en,
            "Production date: 2025-07-01 is after today (2025-06-01)"
        );
        assert_eq!(ps[1].field, "expiry_date");
        assert_eq!(
            ps[1].message_zh,
            "有效期至（2025-06-01）早于生产日期（2025-07-01）"
        );
        assert_eq!(
            ps[1].message_en,
            "Expiry date: 2025-06-01 is before the production date (2025-07-01)"
        );
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (1950i32..2100, 1u32..=366).prop_map(|(y, o)| {
            NaiveDate::from_yo_opt(y, o).unwrap_or_else(|| NaiveDate::from_yo_opt(y, 365).unwrap())
        })
    }

    proptest! {
        #[test]
        fn derive_expiry_is_monotonic_in_production(a in date(), b in date(), m in 1u32..240) {
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(derive_expiry(a, m).unwrap() <= derive_expiry(b, m).unwrap());
        }

        #[test]
        fn derive_expiry_is_monotonic_in_months(p in date(), m in 1u32..240, extra in 0u32..240) {
            prop_assert!(derive_expiry(p, m).unwrap() <= derive_expiry(p, m + extra).unwrap());
        }

        #[test]
        fn derived_expiry_never_warns(p in date(), m in 1u32..240) {
            let e = derive_expiry(p, m).unwrap();
            prop_assert!(e >= p);
            prop_assert_eq!(check_batch_dates("", Some(p), Some(e), Some(m), p), vec![]);
        }
    }
}
