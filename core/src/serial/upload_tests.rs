//! The upload file: header refusals, and an audit case for every refusal reason.

use super::*;
use crate::model::{EnterpriseId, PackagingLevel, ProductId};
use crate::validate::uscc::uscc_check_char;
use chrono::NaiveDate;
use uuid::Uuid;

fn uscc(first17: &str) -> String {
    format!("{first17}{}", uscc_check_char(first17).unwrap())
}

fn code(n: u64) -> UnitCode {
    UnitCode::from_parts(
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        EnterpriseCode::new(124).unwrap(),
        n,
    )
}

fn file(kind: &str, counterparty: Option<&str>, lines: &[String]) -> String {
    let mut s = format!(
        "SUYUAN-UNITS 1\n# a comment\nenterprise={}\nvendor=V0001\ntype={kind}\nnumber=CK-1\ndate=2026-12-01\n",
        uscc("91620100MA7123456")
    );
    if let Some(c) = counterparty {
        s += &format!("counterparty={c}\n");
    }
    s += "---\n";
    for l in lines {
        s += l;
        s += "\n";
    }
    s
}

fn registry(maker: EnterpriseId) -> UnitRegistry {
    let mut reg = UnitRegistry::new();
    for n in 0..6 {
        reg.insert(CodeRecord {
            code: code(n),
            level: PackagingLevel::Unit,
            product: ProductId(Uuid::from_u128(9)),
            batch: "B1".into(),
            state: UnitState::Issued { to: maker },
            parent: None,
        });
    }
    reg
}

#[test]
fn the_header_is_checked_whole_and_every_problem_reported() {
    let bad = "SUYUAN-UNITS 1\nenterprise=123\ntype=transfer\ndate=1.12.2026\nnonsense\n---\n";
    let problems = parse_upload(bad).unwrap_err();
    let fields: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.rule.as_str()))
        .collect();
    for want in [
        ("line[5]", "upload.header_line"),
        ("header.vendor", "required"),
        ("header.number", "required"),
        ("header.type", "upload.type"),
        ("header.date", "date.format"),
        ("lines", "required"),
    ] {
        assert!(fields.contains(&want), "{want:?} in {fields:?}");
    }
    assert!(fields.iter().any(|(f, _)| *f == "header.enterprise"));
    assert_eq!(
        parse_upload("SUYUAN-UNITS 2\n").unwrap_err()[0].rule,
        "upload.version"
    );
    assert_eq!(
        parse_upload("codes\n").unwrap_err()[0].rule,
        "upload.format"
    );
    let no_receiver = parse_upload(&file("outbound", None, &[code(0).to_string()])).unwrap_err();
    assert_eq!(no_receiver[0].field, "header.counterparty");
}

#[test]
fn every_line_is_judged_on_its_own_with_its_reason() {
    let (maker, shop, other) = (
        EnterpriseId(Uuid::from_u128(1)),
        EnterpriseId(Uuid::from_u128(2)),
        EnterpriseId(Uuid::from_u128(3)),
    );
    let mut reg = registry(maker);
    // The maker takes codes 0..4 into stock from production; 5 stays issued only.
    let inbound = parse_upload(&file(
        "inbound",
        None,
        &(0..4)
            .map(|n| format!("{},1盒*10支", code(n)))
            .collect::<Vec<_>>(),
    ))
    .unwrap();
    assert_eq!(inbound.lines[0].spec, "1盒*10支");
    let verdicts = audit_upload(&inbound, maker, None, &mut reg);
    assert!(
        verdicts
            .iter()
            .all(|v| v.problem.is_none() && v.changes.len() == 1)
    );
    assert_eq!(
        verdicts[0].line, 9,
        "line numbers count the header and comments"
    );

    // The maker ships 0 and 1 to the shop; the other lines fail for their reasons.
    let receiver = uscc("91440101MA5ABCDE1");
    let outbound = parse_upload(&file(
        "outbound",
        Some(&receiver),
        &[
            code(0).to_string(),
            code(1).to_string(),
            code(0).to_string(),
            "2026120100124".to_owned(),
            code(77).to_string(),
        ],
    ))
    .unwrap();
    let v = audit_upload(&outbound, maker, Some(shop), &mut reg);
    let rules: Vec<Option<&str>> = v
        .iter()
        .map(|v| v.problem.as_ref().map(|p| p.rule.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            None,
            None,
            Some("upload.repeated"),
            Some("unit_code.format"),
            Some("unit.never_issued")
        ]
    );
    assert!(v[4].suspicious, "a code the platform never issued");
    assert_eq!(v[3].problem.as_ref().unwrap().field, "line[13].code");

    // The same outbound to an unregistered receiver refuses every line.
    let mut reg2 = reg.clone();
    let unregistered = audit_upload(&outbound, maker, None, &mut reg2);
    assert!(unregistered.iter().all(|v| v.problem.as_ref().unwrap().rule
        == "upload.receiver_unregistered"
        || v.problem.as_ref().unwrap().rule == "unit_code.format"));

    // Another enterprise claims the shipped unit: refused and a counterfeit signal.
    let stolen = parse_upload(&file("retail", None, &[code(0).to_string()])).unwrap();
    let v = audit_upload(&stolen, other, None, &mut reg);
    assert_eq!(v[0].problem.as_ref().unwrap().rule, "unit.not_held");
    assert!(v[0].suspicious);

    // The shop receives 0 (good), 2 (never shipped to it), then 0 again in a second file.
    let maker_uscc = uscc("91620100MA7123456");
    let receipt = parse_upload(&file(
        "inbound",
        Some(&maker_uscc),
        &[code(0).to_string(), code(2).to_string()],
    ))
    .unwrap();
    let v = audit_upload(&receipt, shop, Some(maker), &mut reg);
    assert!(v[0].problem.is_none());
    assert_eq!(v[1].problem.as_ref().unwrap().rule, "unit.not_shipped_here");
    assert!(
        v[1].suspicious,
        "code 2 is in the maker's stock, not on its way to the shop"
    );
    let twice = audit_upload(&receipt, shop, Some(maker), &mut reg);
    assert_eq!(
        twice[0].problem.as_ref().unwrap().rule,
        "unit.already_received"
    );
    assert!(!twice[0].suspicious);

    // Sold by the shop, then seen again anywhere: ended.
    let sale = parse_upload(&file("retail", None, &[code(0).to_string()])).unwrap();
    assert!(
        audit_upload(&sale, shop, None, &mut reg)[0]
            .problem
            .is_none()
    );
    let again = audit_upload(&receipt, other, Some(shop), &mut reg);
    assert_eq!(again[0].problem.as_ref().unwrap().rule, "unit.ended");
    assert!(again[0].suspicious);

    // The maker destroys 3; 5 was never taken into stock, so it cannot be destroyed.
    let destroy = parse_upload(&file(
        "destroy",
        None,
        &[code(3).to_string(), code(5).to_string()],
    ))
    .unwrap();
    let v = audit_upload(&destroy, maker, None, &mut reg);
    assert!(v[0].problem.is_none());
    assert_eq!(v[1].problem.as_ref().unwrap().rule, "unit.not_held");
    assert!(
        !v[1].suspicious,
        "the maker holds the printed code, not yet in stock"
    );
}
