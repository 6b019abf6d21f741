//! Suppliers and customers on the phone: validated offline, their unsent edits folded into
//! the unsent save, refused changes undone, and pulled rows kept.

use super::*;
use crate::Problem;
use crate::model::*;
use crate::rules::testing::{day, doc, ent, line, prod};
use crate::sync::wire::{
    ChangeResult, Operation, Outcome, PullResponse, PushResponse, ServerChange,
};
use crate::validate::records::fixtures;

fn store_of(e: EnterpriseId) -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.log_in(e).unwrap();
    s
}

/// A valid partner numbered `n` (its own id and USCC) in `role`.
fn partner(n: u128, role: PartnerRole, uscc: &str) -> Partner {
    Partner {
        id: PartnerId(Uuid::from_u128(0x9000 + n)),
        name: format!("兰州美源化妆品批发有限公司{n}"),
        uscc: uscc.into(),
        licence: None,
        quality_agreement: None,
        authorised_person: None,
        ..fixtures::partner(role)
    }
}

const USCC_A: &str = "91512081MA62K0260E";
const USCC_B: &str = "91110000802100433B";

/// The ops waiting, as their wire names.
fn ops(s: &mut Store) -> Vec<Operation> {
    s.next_push(100)
        .unwrap()
        .map(|p| p.changes.into_iter().map(|c| c.operation).collect())
        .unwrap_or_default()
}

fn answer(s: &mut Store, outcome: impl Fn(&Operation) -> Outcome) {
    let push = s.next_push(100).unwrap().expect("something to push");
    let results = push
        .changes
        .iter()
        .map(|c| ChangeResult {
            change_id: c.change_id,
            outcome: outcome(&c.operation),
        })
        .collect();
    s.apply_push_response(&PushResponse { results }).unwrap();
}

fn refused(_: &Operation) -> Outcome {
    Outcome::Rejected {
        problems: vec![Problem::error(
            "id",
            "referenced.document",
            "被引用",
            "named",
        )],
    }
}

fn ok(_: &Operation) -> Outcome {
    Outcome::Ok { id: Uuid::nil() }
}

#[test]
fn a_partner_is_validated_offline_with_the_servers_rules() {
    let e = ent(1);
    let mut s = store_of(e);
    let mut bad = partner(1, PartnerRole::Supplier, "not-a-uscc");
    bad.name = String::new();
    let err = s.save_partner(bad, &[], day(3, 2)).unwrap_err();
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"uscc"),
        "{fields:?}"
    );
    assert_eq!(s.pending_count().unwrap(), 0, "nothing written");

    let saved = s
        .save_partner(partner(1, PartnerRole::Supplier, USCC_A), &[], day(3, 2))
        .unwrap();
    assert_eq!(saved.owner, e);
    // The same USCC again in the same role is refused; as a customer it is another record.
    let err = s
        .save_partner(partner(2, PartnerRole::Supplier, USCC_A), &[], day(3, 2))
        .unwrap_err();
    assert_eq!(err.problems()[0].rule, "uscc.taken");
    s.save_partner(partner(3, PartnerRole::Customer, USCC_A), &[], day(3, 2))
        .unwrap();
}

#[test]
fn edits_of_an_unsent_partner_fold_into_its_save_and_its_delete_drops_both() {
    let mut s = store_of(ent(1));
    let mut p = partner(1, PartnerRole::Customer, USCC_A);
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    p.contact = "王五五".into();
    p.role = PartnerRole::Supplier;
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    assert_eq!(s.pending_count().unwrap(), 1, "one save carrying the edit");
    let stored = s.partner(p.id).unwrap().unwrap();
    assert_eq!(stored.role, PartnerRole::Customer, "an edit keeps the role");
    match &ops(&mut s)[..] {
        [Operation::SavePartner { partner, .. }] => {
            assert_eq!(partner["contact"], "王五五");
            assert_eq!(partner["role"], "customer");
        }
        other => panic!("expected one save, got {other:?}"),
    }
    // Sent but unanswered: a later edit is a change of its own.
    p.contact = "赵六六".into();
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    assert!(matches!(
        &ops(&mut s)[..],
        [
            Operation::SavePartner { .. },
            Operation::UpdatePartner { .. }
        ]
    ));

    let never_sent = partner(2, PartnerRole::Supplier, USCC_B);
    s.save_partner(never_sent.clone(), &[], day(3, 2)).unwrap();
    s.delete_partner(never_sent.id).unwrap();
    assert!(s.partner(never_sent.id).unwrap().is_none());
    assert_eq!(s.pending_count().unwrap(), 2, "nothing of it left to send");
}

#[test]
fn a_refused_edit_or_delete_puts_the_servers_copy_back() {
    let mut s = store_of(ent(1));
    let mut p = partner(1, PartnerRole::Supplier, USCC_A);
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    answer(&mut s, ok);
    p.phone = "0931-0000000".into();
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    answer(&mut s, refused);
    assert_eq!(s.partner(p.id).unwrap().unwrap().phone, "13812345678");
    assert_eq!(s.rejections().unwrap()[0].entity, entity::PARTNER);

    let before = s.partner(p.id).unwrap();
    s.delete_partner(p.id).unwrap();
    assert!(s.partner(p.id).unwrap().is_none());
    assert!(matches!(
        &ops(&mut s)[..],
        [Operation::DeletePartner { .. }]
    ));
    answer(&mut s, refused);
    assert_eq!(s.partner(p.id).unwrap(), before, "back as it was");
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn a_partner_a_document_names_is_not_deleted() {
    let e = ent(1);
    let mut s = store_of(e);
    let p = partner(1, PartnerRole::Supplier, USCC_A);
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    let mut d = doc(
        e,
        TransactionKind::PurchaseInbound,
        Some(ent(9)),
        vec![line(prod(1), "B1", 5)],
    );
    d.counterparty.as_mut().unwrap().partner_id = Some(p.id);
    s.save_draft(d, &[], day(3, 2)).unwrap();
    let err = s.delete_partner(p.id).unwrap_err();
    assert_eq!(err.problems()[0].rule, "referenced.document");
    assert!(s.partner(p.id).unwrap().is_some());
}

#[test]
fn partners_are_listed_by_role_and_keyword_and_pulled_ones_join_them() {
    let e = ent(1);
    let mut s = store_of(e);
    let mut supplier = partner(1, PartnerRole::Supplier, USCC_A);
    supplier.name = "甘肃舒来纽化妆品有限责任公司".into();
    s.save_partner(supplier.clone(), &[], day(3, 2)).unwrap();
    let mut pulled = partner(2, PartnerRole::Customer, USCC_B);
    pulled.name = "城关区丽人化妆品店".into();
    pulled.owner = e;
    pulled.enterprise_id = Some(ent(2));
    let response = PullResponse {
        changes: vec![ServerChange {
            seq: 1,
            entity: entity::PARTNER.into(),
            id: pulled.id.0,
            body: serde_json::to_value(&pulled).unwrap(),
        }],
        next_cursor: 1,
        more: false,
    };
    assert_eq!(s.apply_pull(&response).unwrap().applied, 1);

    let names = |ps: Vec<Partner>| ps.into_iter().map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(s.partners(None, "").unwrap().len(), 2);
    assert_eq!(
        names(s.partners(Some(PartnerRole::Customer), "").unwrap()),
        ["城关区丽人化妆品店"]
    );
    assert_eq!(
        names(s.partners(None, "丽人").unwrap()),
        ["城关区丽人化妆品店"]
    );
    assert_eq!(
        names(s.partners(None, "91512081ma").unwrap()),
        ["甘肃舒来纽化妆品有限责任公司"],
        "by USCC, any case"
    );
    assert!(
        s.partners(Some(PartnerRole::Supplier), "丽人")
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.partner(pulled.id).unwrap(), Some(pulled.clone()));

    // Deleted on the server: gone here too.
    let gone = PullResponse {
        changes: vec![ServerChange {
            seq: 2,
            entity: entity::PARTNER.into(),
            id: pulled.id.0,
            body: serde_json::Value::Null,
        }],
        next_cursor: 2,
        more: false,
    };
    s.apply_pull(&gone).unwrap();
    assert!(s.partner(pulled.id).unwrap().is_none());
}

#[test]
fn a_pull_does_not_bring_back_a_partner_deleted_here_and_a_refusal_restores_the_pulled_copy() {
    let e = ent(1);
    let mut s = store_of(e);
    let p = partner(1, PartnerRole::Supplier, USCC_A);
    s.save_partner(p.clone(), &[], day(3, 2)).unwrap();
    answer(&mut s, ok);
    s.delete_partner(p.id).unwrap();
    let mut newer = p.clone();
    newer.contact = "服务器上的新联系人".into();
    let pulled = s
        .apply_pull(&PullResponse {
            changes: vec![ServerChange {
                seq: 1,
                entity: entity::PARTNER.into(),
                id: p.id.0,
                body: serde_json::to_value(&newer).unwrap(),
            }],
            next_cursor: 1,
            more: false,
        })
        .unwrap();
    assert_eq!(pulled.kept_local, 1);
    assert!(s.partner(p.id).unwrap().is_none(), "still deleted here");
    answer(&mut s, refused);
    assert_eq!(
        s.partner(p.id).unwrap(),
        Some(newer),
        "the server's newest copy"
    );
}
