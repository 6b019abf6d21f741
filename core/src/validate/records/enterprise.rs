//! The enterprise profile (企业主体信息).

use super::{ADDRESS_LABEL, CONTACT_LABEL, LEGAL_REPRESENTATIVE_LABEL, check_licence};
use crate::model::Enterprise;
use crate::problem::Problem;
use crate::validate::label::{Label, required};
use crate::validate::phone::{PHONE_LABEL, check_phone};
use crate::validate::region::{REGION_LABEL, check_region};
use crate::validate::uscc::{USCC_LABEL, check_uscc};

const NAME_LABEL: Label = Label::new("企业名称", "Enterprise name");

/// Every problem with an enterprise profile: the required fields (name, USCC, region,
/// address, legal representative, contact, phone; the kind is always set by its type), the
/// formats of USCC, region and phone, and the licence's number and period.
pub fn validate_enterprise(e: &Enterprise) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required("name", NAME_LABEL, &e.name));
    match required("uscc", USCC_LABEL, &e.uscc) {
        Some(p) => problems.push(p),
        None => problems.extend(check_uscc("uscc", &e.uscc)),
    }
    match required("region_code", REGION_LABEL, &e.region_code) {
        Some(p) => problems.push(p),
        None => problems.extend(check_region("region_code", &e.region_code)),
    }
    problems.extend(required("address", ADDRESS_LABEL, &e.address));
    problems.extend(required(
        "legal_representative",
        LEGAL_REPRESENTATIVE_LABEL,
        &e.legal_representative,
    ));
    problems.extend(required("contact", CONTACT_LABEL, &e.contact));
    match required("phone", PHONE_LABEL, &e.phone) {
        Some(p) => problems.push(p),
        None => problems.extend(check_phone("phone", PHONE_LABEL, &e.phone)),
    }
    if let Some(licence) = &e.licence {
        problems.extend(check_licence("licence", licence));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, enterprise, pairs, summary};
    use super::*;
    use crate::model::Licence;
    use crate::problem::Severity;

    #[test]
    fn sample_is_clean() {
        assert_eq!(validate_enterprise(&enterprise()), vec![]);
    }

    #[test]
    fn table_of_breakages() {
        type Edit = fn(&mut Enterprise);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (|e| e.name = " ".into(), &[("name", "required")]),
            (|e| e.uscc.clear(), &[("uscc", "required")]),
            (
                |e| e.uscc = "91350100M000100Y4".into(),
                &[("uscc", "uscc.format")],
            ),
            (
                |e| e.uscc = "91350100M0001TGQXM".into(),
                &[("uscc", "uscc.checksum")],
            ),
            (|e| e.region_code.clear(), &[("region_code", "required")]),
            (
                |e| e.region_code = "990102".into(),
                &[("region_code", "region.format")],
            ),
            (|e| e.address.clear(), &[("address", "required")]),
            (
                |e| e.legal_representative.clear(),
                &[("legal_representative", "required")],
            ),
            (|e| e.contact.clear(), &[("contact", "required")]),
            (|e| e.phone.clear(), &[("phone", "required")]),
            (|e| e.phone = "7617990".into(), &[("phone", "phone.format")]),
            (
                |e| {
                    e.licence = Some(Licence {
                        number: String::new(),
                        valid_from: Some(d(2025, 1, 1)),
                        valid_to: Some(d(2024, 1, 1)),
                    })
                },
                &[
                    ("licence.number", "required"),
                    ("licence.valid_to", "date.order"),
                ],
            ),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut e = enterprise();
            edit(&mut e);
            assert_eq!(summary(&validate_enterprise(&e)), pairs(want), "case {i}");
        }
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let mut e = enterprise();
        e.name.clear();
        e.uscc = "91350100M0001TGQXM".into();
        e.phone = "123".into();
        let ps = validate_enterprise(&e);
        assert_eq!(
            summary(&ps),
            pairs(&[
                ("name", "required"),
                ("uscc", "uscc.checksum"),
                ("phone", "phone.format")
            ])
        );
        assert_eq!(ps[1].severity, Severity::Warning);
        assert_eq!(ps[0].message_zh, "企业名称为必填项");
    }
}
