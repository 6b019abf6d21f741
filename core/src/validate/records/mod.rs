//! One validator per record of the seed manual. Required fields follow the red stars (*) of
//! the seed's forms; format checks run only on values that were given, so a blank field gets
//! exactly one problem (`required`) rather than a cascade.

pub mod enterprise;
pub mod inspection;
pub mod nonconforming;
pub mod partner;
pub mod product;
pub mod recall;
pub mod transaction;

pub use enterprise::validate_enterprise;
pub use inspection::{validate_inspection, validate_photo};
pub use nonconforming::validate_nonconforming;
pub use partner::validate_partner;
pub use product::{validate_barcode, validate_product};
pub use recall::validate_recall;
pub use transaction::validate_transaction;

use super::dates::check_order;
use super::label::{Label, indexed, join, missing, required};
use crate::model::Licence;
use crate::problem::Problem;
use uuid::Uuid;

/// Label of the product a record refers to (化妆品名称).
pub(crate) const PRODUCT_LABEL: Label = Label::new("化妆品名称", "Product");
/// Label of a batch number (批号).
pub(crate) const BATCH_LABEL: Label = Label::new("批号", "Batch number");
/// Label of a legal representative (法定代表人).
pub(crate) const LEGAL_REPRESENTATIVE_LABEL: Label =
    Label::new("法定代表人", "Legal representative");
/// Label of a contact person (联系人).
pub(crate) const CONTACT_LABEL: Label = Label::new("联系人", "Contact person");
/// Label of an address (住所).
pub(crate) const ADDRESS_LABEL: Label = Label::new("住所", "Address");

const LICENCE_NUMBER_LABEL: Label = Label::new("许可证号", "Licence number");
const LICENCE_FROM_LABEL: Label = Label::new("许可证有效期起", "Licence valid from");
const LICENCE_TO_LABEL: Label = Label::new("许可证有效期止", "Licence valid to");

/// Rule `required` for a reference chosen from a list: the nil id is what an unset picker sends.
pub(crate) fn required_id(field: &str, label: Label, id: Uuid) -> Option<Problem> {
    id.is_nil().then(|| missing(field, label))
}

/// Rule `required` on every blank entry of a list of batch numbers (an empty list means
/// "every batch" and is fine, but an empty entry is a slip that would match nothing).
pub(crate) fn batches_non_blank(batches: &[String]) -> Vec<Problem> {
    batches
        .iter()
        .enumerate()
        .filter_map(|(i, b)| required(&indexed("batches", i), BATCH_LABEL, b))
        .collect()
}

/// A licence's problems at `{prefix}.number`, `{prefix}.valid_to`: a number once any part
/// is filled in, and a validity period that does not end before it starts.
pub(crate) fn check_licence(prefix: &str, licence: &Licence) -> Vec<Problem> {
    let mut problems = Vec::new();
    let any_date = licence.valid_from.is_some() || licence.valid_to.is_some();
    if any_date {
        problems.extend(required(
            &join(prefix, "number"),
            LICENCE_NUMBER_LABEL,
            &licence.number,
        ));
    }
    if let (Some(from), Some(to)) = (licence.valid_from, licence.valid_to) {
        problems.extend(check_order(
            &join(prefix, "valid_to"),
            LICENCE_FROM_LABEL,
            from,
            LICENCE_TO_LABEL,
            to,
        ));
    }
    problems
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn licences() {
        let cases: &[(Licence, &[(&str, &str)])] = &[
            (Licence::default(), &[]),
            (
                Licence {
                    number: "甘妆 20160001".into(),
                    valid_from: d(2021, 1, 1),
                    valid_to: d(2026, 1, 1),
                },
                &[],
            ),
            (
                Licence {
                    number: String::new(),
                    valid_from: d(2021, 1, 1),
                    valid_to: None,
                },
                &[("licence.number", "required")],
            ),
            (
                Licence {
                    number: "x".into(),
                    valid_from: d(2026, 1, 1),
                    valid_to: d(2021, 1, 1),
                },
                &[("licence.valid_to", "date.order")],
            ),
        ];
        for (licence, want) in cases {
            let got = check_licence("licence", licence);
            let got: Vec<(&str, &str)> = got
                .iter()
                .map(|p| (p.field.as_str(), p.rule.as_str()))
                .collect();
            assert_eq!(got, *want, "{licence:?}");
        }
    }

    #[test]
    fn blank_batches_are_flagged_by_index() {
        let ps = batches_non_blank(&["A1".into(), " ".into(), "B2".into(), String::new()]);
        let fields: Vec<&str> = ps.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["batches[1]", "batches[3]"]);
    }

    #[test]
    fn nil_id_is_missing() {
        assert!(required_id("product_id", PRODUCT_LABEL, Uuid::nil()).is_some());
        assert!(required_id("product_id", PRODUCT_LABEL, Uuid::from_u128(7)).is_none());
    }
}
