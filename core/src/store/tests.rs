//! The offline store's behaviour: local rules, the outbox's folding and acknowledgement, and
//! pulls applied once.

use super::*;
use crate::model::*;
use crate::rules::status::tests::recall;
use crate::rules::testing::{day, doc, ent, instant, line, prod};
use crate::sync::wire::{
    ChangeResult, Operation, Outcome, PullResponse, PushResponse, ServerChange,
};
use serde_json::json;

fn store_of(e: EnterpriseId) -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.log_in(e).unwrap();
    s
}

fn rules(err: StoreError) -> Vec<String> {
    err.problems().iter().map(|p| p.rule.clone()).collect()
}

fn ops(s: &mut Store) -> Vec<&'static str> {
    let push = s.next_push(100).unwrap();
    push.map(|p| p.changes)
        .unwrap_or_default()
        .iter()
        .map(|c| match c.operation {
            Operation::SaveTransaction { .. } => "save",
            Operation::UpdateTransaction { .. } => "update",
            Operation::DeleteTransaction { .. } => "delete",
            Operation::SubmitTransaction { .. } => "submit",
            Operation::SaveProduct { .. } => "product",
            _ => "inbox or recall",
        })
        .collect()
}

fn ok_all(s: &mut Store) {
    let push = s.next_push(1000).unwrap().expect("something to push");
    let results = push
        .changes
        .iter()
        .map(|c| ChangeResult {
            change_id: c.change_id,
            outcome: Outcome::Ok { id: Uuid::nil() },
        })
        .collect();
    s.apply_push_response(&PushResponse { results }).unwrap();
}

/// 100 units of batch B1 received and submitted.
fn with_stock(s: &mut Store, e: EnterpriseId) {
    let inbound = doc(
        e,
        TransactionKind::PurchaseInbound,
        Some(ent(9)),
        vec![line(prod(1), "B1", 100)],
    );
    s.save_draft(inbound.clone(), &[], day(3, 2)).unwrap();
    s.submit(inbound.id, None, &[], instant()).unwrap();
}

#[test]
fn nothing_is_written_before_log_in() {
    let mut s = Store::open_in_memory().unwrap();
    let d = doc(
        ent(1),
        TransactionKind::FinishedGoodsInbound,
        None,
        vec![line(prod(1), "B1", 5)],
    );
    assert!(matches!(
        s.save_draft(d, &[], day(3, 2)),
        Err(StoreError::NotLoggedIn)
    ));
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn a_draft_is_validated_with_every_problem_at_once() {
    let mut s = store_of(ent(1));
    let mut d = doc(
        ent(1),
        TransactionKind::SalesOutbound,
        Some(ent(2)),
        vec![line(prod(1), "", 0)],
    );
    d.number.clear();
    let err = s.save_draft(d, &[], day(3, 2)).unwrap_err();
    let r = rules(err);
    assert!(r.contains(&"required".to_owned()), "{r:?}");
    assert!(
        r.len() >= 3,
        "number, batch and quantity all reported: {r:?}"
    );
    assert_eq!(s.pending_count().unwrap(), 0, "nothing half written");
}

#[test]
fn offline_submit_applies_the_stock_rule_and_keeps_the_ledger() {
    let e = ent(1);
    let mut s = store_of(e);
    with_stock(&mut s, e);
    let too_many = doc(
        e,
        TransactionKind::SalesOutbound,
        Some(ent(2)),
        vec![line(prod(1), "B1", 101)],
    );
    s.save_draft(too_many.clone(), &[], day(3, 2)).unwrap();
    let err = s.submit(too_many.id, None, &[], instant()).unwrap_err();
    assert_eq!(rules(err), ["stock.insufficient"]);
    assert!(
        !s.document(too_many.id)
            .unwrap()
            .unwrap()
            .status
            .is_submitted()
    );

    let sale = doc(
        e,
        TransactionKind::SalesOutbound,
        Some(ent(2)),
        vec![line(prod(1), "B1", 40)],
    );
    s.save_draft(sale.clone(), &[], day(3, 2)).unwrap();
    s.submit(sale.id, None, &[], instant()).unwrap();
    let stock = s.stock().unwrap();
    assert_eq!(stock.len(), 1);
    assert_eq!((stock[0].batch.as_str(), stock[0].held), ("B1", 60));
}

#[test]
fn a_submitted_document_is_final_on_the_phone() {
    let e = ent(1);
    let mut s = store_of(e);
    with_stock(&mut s, e);
    let d = s.documents(&DocumentQuery::default()).unwrap().remove(0);
    let mut edited = d.clone();
    edited.contact = "李四".into();
    let err = s.save_draft(edited, &[], day(3, 2)).unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert!(s.delete_draft(d.id).is_err());
    assert_eq!(s.document(d.id).unwrap().unwrap().contact, "张三");
}

#[test]
fn a_cached_recall_blocks_the_sale_offline() {
    let e = ent(1);
    let mut s = store_of(e);
    with_stock(&mut s, e);
    let r = recall(prod(1), &["B1"], RecallStatus::Active);
    s.apply_pull(&PullResponse {
        changes: vec![ServerChange {
            seq: 1,
            entity: entity::RECALL.into(),
            id: r.id.0,
            body: serde_json::to_value(&r).unwrap(),
        }],
        next_cursor: 1,
        more: false,
    })
    .unwrap();
    let sale = doc(
        e,
        TransactionKind::SalesOutbound,
        Some(ent(2)),
        vec![line(prod(1), "B1", 1)],
    );
    s.save_draft(sale.clone(), &[], day(3, 2)).unwrap();
    let err = s.submit(sale.id, None, &[], instant()).unwrap_err();
    assert_eq!(rules(err), ["sale.recalled"]);
}

#[test]
fn edits_of_an_unsent_draft_fold_into_its_save_and_later_ones_follow_it() {
    let e = ent(1);
    let mut s = store_of(e);
    let mut d = doc(
        e,
        TransactionKind::FinishedGoodsInbound,
        None,
        vec![line(prod(1), "B1", 5)],
    );
    s.save_draft(d.clone(), &[], day(3, 2)).unwrap();
    d.contact = "李四".into();
    s.save_draft(d.clone(), &[], day(3, 2)).unwrap();
    assert_eq!(s.pending_count().unwrap(), 1, "one save carrying the edit");
    let push = s.next_push(10).unwrap().unwrap();
    match &push.changes[0].operation {
        Operation::SaveTransaction { document, .. } => assert_eq!(document["contact"], "李四"),
        other => panic!("expected a save, got {other:?}"),
    }
    // Sent but not acknowledged: an edit now must not rewrite what the server may have.
    d.contact = "王五".into();
    s.save_draft(d.clone(), &[], day(3, 2)).unwrap();
    assert_eq!(ops(&mut s), ["save", "update"]);
    let again = s.next_push(10).unwrap().unwrap();
    assert_eq!(
        again.changes[0].change_id, push.changes[0].change_id,
        "resent with its id"
    );
}

#[test]
fn deleting_a_draft_the_server_never_saw_leaves_nothing_to_send() {
    let e = ent(1);
    let mut s = store_of(e);
    let d = doc(
        e,
        TransactionKind::FinishedGoodsInbound,
        None,
        vec![line(prod(1), "B1", 5)],
    );
    s.save_draft(d.clone(), &[], day(3, 2)).unwrap();
    s.delete_draft(d.id).unwrap();
    assert_eq!(s.pending_count().unwrap(), 0);
    assert!(s.document(d.id).unwrap().is_none());

    let kept = doc(
        e,
        TransactionKind::FinishedGoodsInbound,
        None,
        vec![line(prod(1), "B2", 5)],
    );
    s.save_draft(kept.clone(), &[], day(3, 2)).unwrap();
    ok_all(&mut s);
    s.delete_draft(kept.id).unwrap();
    assert_eq!(ops(&mut s), ["delete"]);
}

#[test]
fn a_submit_the_server_refuses_reopens_the_draft_and_undoes_its_stock() {
    let e = ent(1);
    let mut s = store_of(e);
    with_stock(&mut s, e);
    let push = s.next_push(10).unwrap().unwrap();
    let results = push
        .changes
        .iter()
        .map(|c| ChangeResult {
            change_id: c.change_id,
            outcome: match c.operation {
                Operation::SubmitTransaction { .. } => Outcome::Rejected {
                    problems: vec![crate::Problem::error(
                        "lines[0].batch",
                        "sale.recalled",
                        "召回",
                        "recalled",
                    )],
                },
                _ => Outcome::Ok { id: Uuid::nil() },
            },
        })
        .collect();
    s.apply_push_response(&PushResponse { results }).unwrap();
    assert_eq!(s.pending_count().unwrap(), 0);
    let d = s.documents(&DocumentQuery::default()).unwrap().remove(0);
    assert!(!d.status.is_submitted());
    assert!(s.stock().unwrap().is_empty());
    let rejected = s.rejections().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].record_id, d.id.0);
    assert_eq!(rejected[0].problems[0].rule, "sale.recalled");
}

#[test]
fn an_answer_delivered_twice_changes_nothing_more() {
    let e = ent(1);
    let mut s = store_of(e);
    with_stock(&mut s, e);
    let push = s.next_push(10).unwrap().unwrap();
    let response = PushResponse {
        results: push
            .changes
            .iter()
            .map(|c| ChangeResult {
                change_id: c.change_id,
                outcome: Outcome::Ok { id: Uuid::nil() },
            })
            .collect(),
    };
    s.apply_push_response(&response).unwrap();
    s.apply_push_response(&response).unwrap();
    assert_eq!(s.pending_count().unwrap(), 0);
    assert_eq!(s.stock().unwrap()[0].held, 100);
}

fn inbound_from_server(e: EnterpriseId, seq: i64) -> (Transaction, ServerChange) {
    let mut d = doc(
        e,
        TransactionKind::PurchaseInbound,
        Some(ent(9)),
        vec![line(prod(1), "B7", 12)],
    );
    d.status = RecordStatus::Submitted { at: instant() };
    let change = ServerChange {
        seq,
        entity: entity::TRANSACTION.into(),
        id: d.id.0,
        body: serde_json::to_value(&d).unwrap(),
    };
    (d, change)
}

#[test]
fn a_pull_applied_twice_counts_stock_once_and_moves_the_cursor() {
    let e = ent(1);
    let mut s = store_of(e);
    let (d, change) = inbound_from_server(e, 5);
    let pull = PullResponse {
        changes: vec![change],
        next_cursor: 5,
        more: false,
    };
    let first = s.apply_pull(&pull).unwrap();
    assert_eq!((first.applied, first.cursor), (1, 5));
    let again = s.apply_pull(&pull).unwrap();
    assert_eq!(again.applied, 0);
    assert_eq!(s.session().unwrap().unwrap().cursor, 5);
    assert_eq!(s.stock().unwrap()[0].held, 12);
    assert!(s.document(d.id).unwrap().unwrap().status.is_submitted());
    let found = s
        .documents(&DocumentQuery {
            keyword: Some("肤 b7".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "keyword search over names and batches, case-insensitive"
    );
}

#[test]
fn a_pull_does_not_overwrite_a_record_changed_here_and_not_yet_pushed() {
    let e = ent(1);
    let mut s = store_of(e);
    let mut d = doc(
        e,
        TransactionKind::FinishedGoodsInbound,
        None,
        vec![line(prod(1), "B1", 5)],
    );
    s.save_draft(d.clone(), &[], day(3, 2)).unwrap();
    d.contact = "服务器上的旧值".into();
    let pulled = s
        .apply_pull(&PullResponse {
            changes: vec![ServerChange {
                seq: 1,
                entity: entity::TRANSACTION.into(),
                id: d.id.0,
                body: serde_json::to_value(&d).unwrap(),
            }],
            next_cursor: 1,
            more: false,
        })
        .unwrap();
    assert_eq!(pulled.kept_local, 1);
    assert_eq!(s.document(d.id).unwrap().unwrap().contact, "张三");
}

#[test]
fn products_are_added_and_edited_offline_and_found_by_any_character() {
    let e = ent(1);
    let mut s = store_of(e);
    let p = Product {
        id: ProductId::random(),
        owner: e,
        generic_name: "舒唯雅皮肤身体护肤霜".into(),
        brand: "舒唯雅".into(),
        registration_number: "甘G妆网备字2026000123".into(),
        registrant: "兰州舒唯雅生物科技有限公司".into(),
        manufacturer: "兰州舒唯雅生物科技有限公司".into(),
        specification: "200g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    };
    s.save_product(p.clone(), &[]).unwrap();
    assert_eq!(s.products("肤", 10).unwrap().len(), 1);
    assert!(s.products("面膜", 10).unwrap().is_empty());
    assert_eq!(ops(&mut s), ["product"]);
    s.apply_push_response(&PushResponse { results: vec![] })
        .unwrap();
    ok_all(&mut s);
    let mut edited = p.clone();
    edited.specification = "100g".into();
    s.save_product(edited.clone(), &[]).unwrap();
    edited.brand = "舒唯雅 SWY".into();
    s.save_product(edited.clone(), &[]).unwrap();
    let push = s.next_push(10).unwrap().expect("the edit");
    match &push.changes[..] {
        [c] => match &c.operation {
            Operation::UpdateProduct { product, .. } => {
                assert_eq!(
                    (&product["specification"], &product["brand"]),
                    (&json!("100g"), &json!("舒唯雅 SWY"))
                );
            }
            other => panic!("expected an edit, got {other:?}"),
        },
        other => panic!("expected one folded edit, got {other:?}"),
    }
    // Refused by the server: the phone goes back to the copy the server has.
    let results = push
        .changes
        .iter()
        .map(|c| ChangeResult {
            change_id: c.change_id,
            outcome: Outcome::Rejected { problems: vec![] },
        })
        .collect();
    s.apply_push_response(&PushResponse { results }).unwrap();
    assert_eq!(s.product(p.id).unwrap(), Some(p.clone()));
    assert_eq!(s.pending_count().unwrap(), 0);

    // Another enterprise's product, pulled for the library, is read-only here.
    let mut theirs = p;
    theirs.id = ProductId::random();
    theirs.owner = ent(2);
    s.apply_pull(&PullResponse {
        changes: vec![ServerChange {
            seq: 1,
            entity: entity::PRODUCT.into(),
            id: theirs.id.0,
            body: serde_json::to_value(&theirs).unwrap(),
        }],
        next_cursor: 1,
        more: false,
    })
    .unwrap();
    let err = s.save_product(theirs, &[]).unwrap_err();
    assert_eq!(rules(err), ["product.not_own"]);
}

#[test]
fn another_enterprise_cannot_log_in_over_unsynced_changes() {
    let mut s = store_of(ent(1));
    with_stock(&mut s, ent(1));
    assert!(matches!(
        s.log_in(ent(2)),
        Err(StoreError::UnsyncedChanges(2))
    ));
    ok_all(&mut s);
    let session = s.log_in(ent(2)).unwrap();
    assert_eq!(session.enterprise_id, Some(ent(2)));
    assert!(
        s.documents(&DocumentQuery::default()).unwrap().is_empty(),
        "the first one's records are gone"
    );
    assert!(s.stock().unwrap().is_empty());
}

#[test]
fn records_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.db");
    let e = ent(1);
    {
        let mut s = Store::open(&path).unwrap();
        s.log_in(e).unwrap();
        s.set_token(Some("t0ken")).unwrap();
        with_stock(&mut s, e);
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.session().unwrap().unwrap().enterprise_id, Some(e));
    assert_eq!(s.token().unwrap().as_deref(), Some("t0ken"));
    s.set_token(None).unwrap();
    assert_eq!(s.token().unwrap(), None);
    assert_eq!(s.pending_count().unwrap(), 2);
    assert_eq!(s.stock().unwrap()[0].held, 100);
    let _ = json!(null);
}

#[test]
fn sync_status_counts_what_waits_and_tells_the_last_outcome() {
    let e = ent(1);
    let mut s = store_of(e);
    with_stock(&mut s, e);
    let status = s.sync_status().unwrap();
    assert_eq!((status.pending_changes, status.rejected_changes), (2, 0));
    assert!(!status.logged_in_online && status.last_sync_at.is_none());
    s.set_token(Some("t")).unwrap();
    s.record_sync_result(instant(), Some("network: refused"))
        .unwrap();
    let status = s.sync_status().unwrap();
    assert!(status.logged_in_online);
    assert_eq!(status.last_error.as_deref(), Some("network: refused"));
    s.record_sync_result(instant(), None).unwrap();
    assert_eq!(s.sync_status().unwrap().last_sync_at, Some(instant()));
}
