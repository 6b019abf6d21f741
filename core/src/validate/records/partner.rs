//! Suppliers (供应商信息) and sales customers (销售客户信息).

use super::{CONTACT_LABEL, LEGAL_REPRESENTATIVE_LABEL, check_licence};
use crate::model::{Partner, PartnerRole, PartnerState};
use crate::problem::Problem;
use crate::validate::dates::check_order;
use crate::validate::label::{Label, required};
use crate::validate::phone::{PHONE_LABEL, check_phone};
use crate::validate::region::check_region;
use crate::validate::resident_id::check_resident_id;
use crate::validate::uscc::{USCC_LABEL, check_uscc};
use chrono::NaiveDate;

const SUPPLIER_NAME_LABEL: Label = Label::new("供应商名称", "Supplier name");
const CUSTOMER_NAME_LABEL: Label = Label::new("客户名称", "Customer name");
const AGREEMENT_FROM_LABEL: Label = Label::new("质量协议有效期起", "Quality agreement valid from");
const AGREEMENT_TO_LABEL: Label = Label::new("质量协议有效期止", "Quality agreement valid to");
const LICENCE_TO_LABEL: Label = Label::new("许可证有效期止", "Licence valid to");
const AUTHORISED_NAME_LABEL: Label = Label::new("法定授权人姓名", "Authorised person's name");
const AUTHORISED_PHONE_LABEL: Label = Label::new("法定授权人联系电话", "Authorised person's phone");

/// Rule code for an active supplier whose licence has run out (a warning).
pub const RULE_LICENCE_EXPIRED: &str = "licence.expired";
/// Rule code for an active supplier whose quality agreement has run out (a warning).
pub const RULE_QUALITY_AGREEMENT_EXPIRED: &str = "quality_agreement.expired";

/// Every problem with a supplier or customer: the red-star fields of the customer form (name,
/// USCC, contact, legal representative; the type is always set by its type), the formats of
/// the USCC, phone and region when given, the licence and quality agreement periods, the
/// authorised person's ID number and phone when given, and, for an active supplier, warnings
/// when its licence or quality agreement has expired by `today` (purchase inspection relies
/// on both).
pub fn validate_partner(p: &Partner, today: NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name_label = match p.role {
        PartnerRole::Supplier => SUPPLIER_NAME_LABEL,
        PartnerRole::Customer => CUSTOMER_NAME_LABEL,
    };
    problems.extend(required("name", name_label, &p.name));
    match required("uscc", USCC_LABEL, &p.uscc) {
        Some(problem) => problems.push(problem),
        None => problems.extend(check_uscc("uscc", &p.uscc)),
    }
    problems.extend(required("contact", CONTACT_LABEL, &p.contact));
    problems.extend(check_phone("phone", PHONE_LABEL, &p.phone));
    if !p.region_code.trim().is_empty() {
        problems.extend(check_region("region_code", &p.region_code));
    }
    problems.extend(required(
        "legal_representative",
        LEGAL_REPRESENTATIVE_LABEL,
        &p.legal_representative,
    ));

    let active_supplier = p.role == PartnerRole::Supplier && p.state == PartnerState::Normal;
    if let Some(licence) = &p.licence {
        problems.extend(check_licence("licence", licence));
        if active_supplier
            && let Some(to) = licence.valid_to
            && to < today
        {
            problems.push(LICENCE_TO_LABEL.warning(
                "licence.valid_to",
                RULE_LICENCE_EXPIRED,
                format!("（{to}）已过期"),
                format!("the licence expired on {to}"),
            ));
        }
    }
    if let Some(agreement) = &p.quality_agreement {
        problems.extend(check_order(
            "quality_agreement.to",
            AGREEMENT_FROM_LABEL,
            agreement.from,
            AGREEMENT_TO_LABEL,
            agreement.to,
        ));
        if active_supplier && agreement.to < today {
            problems.push(AGREEMENT_TO_LABEL.warning(
                "quality_agreement.to",
                RULE_QUALITY_AGREEMENT_EXPIRED,
                format!("（{}）已过期", agreement.to),
                format!("the quality agreement expired on {}", agreement.to),
            ));
        }
    }
    if let Some(person) = &p.authorised_person {
        let given = [
            &person.name,
            &person.phone,
            &person.id_number,
            &person.scope,
        ]
        .iter()
        .any(|s| !s.trim().is_empty());
        if given {
            problems.extend(required(
                "authorised_person.name",
                AUTHORISED_NAME_LABEL,
                &person.name,
            ));
        }
        problems.extend(check_phone(
            "authorised_person.phone",
            AUTHORISED_PHONE_LABEL,
            &person.phone,
        ));
        if !person.id_number.trim().is_empty() {
            problems.extend(check_resident_id(
                "authorised_person.id_number",
                &person.id_number,
                today,
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, pairs, partner, summary, today};
    use super::*;
    use crate::model::{AuthorisedPerson, DateRange};
    use crate::problem::Severity;

    #[test]
    fn samples_are_clean() {
        assert_eq!(
            validate_partner(&partner(PartnerRole::Supplier), today()),
            vec![]
        );
        assert_eq!(
            validate_partner(&partner(PartnerRole::Customer), today()),
            vec![]
        );
    }

    #[test]
    fn supplier_breakages() {
        type Edit = fn(&mut Partner);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (|p| p.name.clear(), &[("name", "required")]),
            (|p| p.uscc.clear(), &[("uscc", "required")]),
            (
                |p| p.uscc = "91512081MA62K0260I".into(),
                &[("uscc", "uscc.format")],
            ),
            (|p| p.contact.clear(), &[("contact", "required")]),
            (|p| p.phone.clear(), &[]),
            (
                |p| p.phone = "1381234567".into(),
                &[("phone", "phone.format")],
            ),
            (|p| p.region_code.clear(), &[]),
            (
                |p| p.region_code = "62010".into(),
                &[("region_code", "region.format")],
            ),
            (
                |p| p.legal_representative.clear(),
                &[("legal_representative", "required")],
            ),
            (|p| p.licence = None, &[]),
            (
                |p| p.licence.as_mut().unwrap().valid_to = Some(d(2020, 1, 1)),
                &[
                    ("licence.valid_to", "date.order"),
                    ("licence.valid_to", "licence.expired"),
                ],
            ),
            (
                |p| p.licence.as_mut().unwrap().valid_to = Some(d(2025, 5, 31)),
                &[("licence.valid_to", "licence.expired")],
            ),
            (
                |p| {
                    p.state = PartnerState::Disabled;
                    p.licence.as_mut().unwrap().valid_to = Some(d(2025, 5, 31));
                },
                &[],
            ),
            (
                |p| {
                    p.quality_agreement = Some(DateRange {
                        from: d(2025, 12, 31),
                        to: d(2025, 7, 1),
                    })
                },
                &[("quality_agreement.to", "date.order")],
            ),
            (
                |p| {
                    p.quality_agreement = Some(DateRange {
                        from: d(2024, 1, 1),
                        to: d(2024, 12, 31),
                    })
                },
                &[("quality_agreement.to", "quality_agreement.expired")],
            ),
            (|p| p.authorised_person = None, &[]),
            (
                |p| p.authorised_person = Some(AuthorisedPerson::default()),
                &[],
            ),
            (
                |p| p.authorised_person.as_mut().unwrap().id_number.clear(),
                &[],
            ),
            (
                |p| p.authorised_person.as_mut().unwrap().id_number = "110105194912310021".into(),
                &[("authorised_person.id_number", "id_number.checksum")],
            ),
            (
                |p| p.authorised_person.as_mut().unwrap().phone = "12".into(),
                &[("authorised_person.phone", "phone.format")],
            ),
            (
                |p| p.authorised_person.as_mut().unwrap().name.clear(),
                &[("authorised_person.name", "required")],
            ),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut p = partner(PartnerRole::Supplier);
            edit(&mut p);
            assert_eq!(
                summary(&validate_partner(&p, today())),
                pairs(want),
                "case {i}"
            );
        }
    }

    #[test]
    fn customers_get_no_expiry_warnings() {
        let mut p = partner(PartnerRole::Customer);
        p.licence.as_mut().unwrap().valid_to = Some(d(2025, 5, 31));
        p.quality_agreement = None;
        assert_eq!(validate_partner(&p, today()), vec![]);
    }

    #[test]
    fn name_label_follows_the_role() {
        let mut p = partner(PartnerRole::Customer);
        p.name.clear();
        let ps = validate_partner(&p, today());
        assert_eq!(ps[0].message_zh, "客户名称为必填项");
        assert_eq!(ps[0].message_en, "Customer name is required");
        p.role = PartnerRole::Supplier;
        let ps = validate_partner(&p, today());
        assert_eq!(ps[0].message_zh, "供应商名称为必填项");
    }

    #[test]
    fn expiry_is_a_warning() {
        let mut p = partner(PartnerRole::Supplier);
        p.licence.as_mut().unwrap().valid_to = Some(d(2025, 5, 31));
        let ps = validate_partner(&p, today());
        assert_eq!(ps[0].severity, Severity::Warning);
        assert_eq!(ps[0].message_zh, "许可证有效期止（2025-05-31）已过期");
    }
}
