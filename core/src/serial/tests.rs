//! Properties of the unit rules over random move sequences, and the packaging scenarios.

use super::*;
use crate::model::{EnterpriseId, PackagingLevel, ProductId};
use chrono::NaiveDate;
use proptest::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

fn e(n: u8) -> EnterpriseId {
    EnterpriseId(Uuid::from_u128(u128::from(n) + 1))
}

fn code(n: u64) -> UnitCode {
    UnitCode::from_parts(
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        EnterpriseCode::new(7).unwrap(),
        n,
    )
}

fn product() -> ProductId {
    ProductId(Uuid::from_u128(99))
}

fn record(n: u64, level: PackagingLevel, state: UnitState) -> CodeRecord {
    CodeRecord {
        code: code(n),
        level,
        product: product(),
        batch: "B1".into(),
        state,
        parent: None,
    }
}

fn a_move() -> impl Strategy<Value = UnitMove> {
    let who = (0u8..4).prop_map(e);
    prop_oneof![
        who.clone().prop_map(|by| UnitMove::Apply { by }),
        (who.clone(), proptest::option::of((0u8..4).prop_map(e)))
            .prop_map(|(at, from)| UnitMove::Receive { at, from }),
        (who.clone(), (0u8..4).prop_map(e)).prop_map(|(from, to)| UnitMove::Ship { from, to }),
        who.clone().prop_map(|by| UnitMove::Sell { by }),
        who.clone().prop_map(|by| UnitMove::Destroy { by }),
        who.clone().prop_map(|by| UnitMove::Recall { by }),
        who.prop_map(|by| UnitMove::Lose { by }),
    ]
}

proptest! {
    /// Whatever is scanned in whatever order, a unit is never somewhere impossible, an ended
    /// trade never resumes, and each holder's units in stock are exactly what its accepted
    /// moves say: received, minus shipped, sold, destroyed, recalled or lost.
    #[test]
    fn random_moves_keep_every_unit_somewhere_possible(
        moves in proptest::collection::vec((0usize..3, a_move()), 0..120)
    ) {
        let maker = e(0);
        let mut states = [Some(UnitState::Issued { to: maker }); 3];
        let mut stock: HashMap<EnterpriseId, i64> = HashMap::new();
        for (unit, mv) in moves {
            let before = states[unit].unwrap();
            match next_state(Some(before), mv) {
                Ok(after) => {
                    prop_assert!(!before.is_final());
                    if let UnitState::InTransit { from, to } = after {
                        prop_assert_ne!(from, to);
                    }
                    if let UnitState::InStock { at } = after {
                        *stock.entry(at).or_default() += 1;
                    }
                    if let UnitState::InStock { at } = before {
                        *stock.entry(at).or_default() -= 1;
                        prop_assert_eq!(mv.actor(), at, "only the holder moves stock out");
                    }
                    states[unit] = Some(after);
                }
                Err(r) => {
                    prop_assert_eq!(r.state, Some(before));
                    if before.is_final() {
                        prop_assert_eq!(r.reason, RefusalReason::Ended);
                    }
                }
            }
        }
        for holder in (0..4).map(e) {
            let held = states.iter().filter(|s| s.unwrap().holder() == Some(holder)
                && matches!(s.unwrap(), UnitState::InStock { .. })).count() as i64;
            prop_assert_eq!(stock.get(&holder).copied().unwrap_or(0), held);
        }
    }

    /// Packing, unpacking and moving packages never lose or duplicate a unit: every unit lies
    /// under exactly one outermost package, and a packed code is always where its package is.
    #[test]
    fn packing_conserves_units(
        ops in proptest::collection::vec((0u8..4, 0u64..16, proptest::collection::vec(0u64..16, 0..5)), 0..80)
    ) {
        let maker = e(0);
        let shop = e(1);
        let mut reg = UnitRegistry::new();
        // 0..8 units, 8..12 boxes, 12..16 cases, all in the maker's stock.
        for n in 0..16 {
            let level = match n {
                0..8 => PackagingLevel::Unit,
                8..12 => PackagingLevel::Box,
                _ => PackagingLevel::Case,
            };
            reg.insert(record(n, level, UnitState::InStock { at: maker }));
        }
        for (op, target, kids) in ops {
            let kids: Vec<UnitCode> = kids.into_iter().map(code).collect();
            let _ = match op {
                0 => reg.pack(code(target), &kids, maker).map(|_| ()).map_err(|_| ()),
                1 => reg.unpack(code(target), maker).map(|_| ()).map_err(|_| ()),
                2 => reg.apply(code(target), UnitMove::Ship { from: maker, to: shop })
                    .map(|_| ()).map_err(|_| ()),
                _ => reg.apply(code(target), UnitMove::Receive { at: maker, from: None })
                    .map(|_| ()).map_err(|_| ()),
            };
            let mut under_roots = Vec::new();
            for r in reg.records() {
                if let Some(p) = r.parent {
                    let parent = reg.get(p).unwrap();
                    prop_assert_eq!(parent.state, r.state);
                    prop_assert!(reg.children(p).contains(&r.code));
                } else {
                    under_roots.extend(reg.units_in(r.code));
                }
            }
            under_roots.sort();
            let mut all: Vec<UnitCode> = (0..8).map(code).collect();
            all.sort();
            prop_assert_eq!(under_roots, all);
        }
    }
}

#[test]
fn scanning_a_case_moves_every_unit_inside_and_opening_a_box_takes_it_out() {
    let (maker, shop) = (e(0), e(1));
    let here = UnitState::InStock { at: maker };
    let mut reg = UnitRegistry::new();
    for n in 0..4 {
        reg.insert(record(n, PackagingLevel::Unit, here));
    }
    reg.insert(record(10, PackagingLevel::Box, here));
    reg.insert(record(11, PackagingLevel::Box, here));
    reg.insert(record(20, PackagingLevel::Case, here));
    reg.pack(code(10), &[code(0), code(1)], maker).unwrap();
    reg.pack(code(11), &[code(2), code(3)], maker).unwrap();
    reg.pack(code(20), &[code(10), code(11)], maker).unwrap();
    assert_eq!(reg.units_in(code(20)).len(), 4);

    let changes = reg
        .apply(
            code(20),
            UnitMove::Ship {
                from: maker,
                to: shop,
            },
        )
        .unwrap();
    assert_eq!(changes.len(), 7, "the case, two boxes and four units");
    let received = reg
        .apply(
            code(20),
            UnitMove::Receive {
                at: shop,
                from: Some(maker),
            },
        )
        .unwrap();
    assert!(
        received
            .iter()
            .all(|c| c.after == UnitState::InStock { at: shop })
    );

    // The shop sells one unit out of a box: the box is opened, the rest stays packed.
    reg.apply(code(0), UnitMove::Sell { by: shop }).unwrap();
    assert_eq!(reg.get(code(0)).unwrap().parent, None);
    assert_eq!(reg.units_in(code(20)).len(), 3);

    // Receiving the case again is refused for the first code met, and nothing moves.
    let refused = reg
        .apply(
            code(20),
            UnitMove::Receive {
                at: shop,
                from: Some(maker),
            },
        )
        .unwrap_err();
    assert_eq!(refused.code, code(20));
    assert_eq!(refused.refusal.reason, RefusalReason::AlreadyReceived);
    // A unit already sold inside a scan refuses the scan as a whole.
    let mut reg2 = reg.clone();
    let sold = reg2
        .apply(
            code(0),
            UnitMove::Ship {
                from: shop,
                to: maker,
            },
        )
        .unwrap_err();
    assert_eq!(sold.refusal.reason, RefusalReason::Ended);
    assert!(
        reg2.records()
            .all(|r| r.code == code(0) || r.state == UnitState::InStock { at: shop })
    );
}

#[test]
fn packing_reports_every_problem_and_changes_nothing() {
    let (maker, other) = (e(0), e(1));
    let here = UnitState::InStock { at: maker };
    let mut reg = UnitRegistry::new();
    reg.insert(record(0, PackagingLevel::Unit, here));
    reg.insert(record(
        1,
        PackagingLevel::Unit,
        UnitState::Applied { by: maker },
    ));
    let mut other_batch = record(2, PackagingLevel::Unit, here);
    other_batch.batch = "B2".into();
    reg.insert(other_batch);
    reg.insert(record(3, PackagingLevel::Unit, here));
    reg.insert(record(10, PackagingLevel::Box, here));
    reg.insert(record(11, PackagingLevel::Box, here));
    reg.insert(record(20, PackagingLevel::Case, here));
    reg.pack(code(11), &[code(3)], maker).unwrap();

    let problems = reg
        .pack(
            code(10),
            &[
                code(0),
                code(0),
                code(1),
                code(2),
                code(3),
                code(20),
                code(99),
            ],
            maker,
        )
        .unwrap_err();
    let rules: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.rule.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            ("children[1]", "packaging.repeated"),
            ("children[2]", "packaging.state"),
            ("children[3]", "packaging.mixed"),
            ("children[4]", "packaging.already_packed"),
            ("children[5]", "packaging.level"),
            ("children[6]", "unit.never_issued"),
        ]
    );
    assert!(reg.children(code(10)).is_empty());
    assert_eq!(reg.get(code(0)).unwrap().parent, None);

    let not_mine = reg.pack(code(10), &[code(0)], other).unwrap_err();
    assert_eq!(not_mine[0].rule, "unit.not_held");
    assert_eq!(
        reg.unpack(code(11), other).unwrap_err().rule,
        "unit.not_held"
    );
    assert_eq!(reg.unpack(code(11), maker).unwrap(), vec![code(3)]);
    assert_eq!(reg.get(code(3)).unwrap().parent, None);
}

#[test]
fn a_code_never_issued_is_a_suspicious_scan() {
    let mut reg = UnitRegistry::new();
    let r = reg
        .apply(
            code(5),
            UnitMove::Receive {
                at: e(2),
                from: Some(e(1)),
            },
        )
        .unwrap_err();
    assert_eq!(r.refusal.reason, RefusalReason::NeverIssued);
    assert!(r.refusal.suspicious);
}
