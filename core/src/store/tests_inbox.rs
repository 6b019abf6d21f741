//! The holder's part offline: confirming and disputing inbox items, acknowledging and
//! reporting recalls, and undoing each when the server refuses it.

use super::*;
use crate::Problem;
use crate::model::*;
use crate::rules::recall::RULE_EXCEEDS_HELD;
use crate::rules::reconciliation::{Confirmation, item_id};
use crate::rules::status::tests::{listing, recall};
use crate::rules::testing::{day, doc, ent, instant, line, prod};
use crate::sync::wire::{
    ChangeResult, Operation, Outcome, PullResponse, PushResponse, ServerChange,
};

const ME: u128 = 1;
const SUPPLIER: u128 = 2;

fn store() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.log_in(ent(ME)).unwrap();
    s
}

fn rules(err: StoreError) -> Vec<String> {
    err.problems().iter().map(|p| p.rule.clone()).collect()
}

/// Applies one feed row of a server-owned record.
fn pull<T: serde::Serialize>(s: &mut Store, seq: i64, entity: &str, id: Uuid, body: &T) -> u32 {
    s.apply_pull(&PullResponse {
        changes: vec![ServerChange {
            seq,
            entity: entity.into(),
            id,
            body: serde_json::to_value(body).unwrap(),
        }],
        next_cursor: seq,
        more: false,
    })
    .unwrap()
    .kept_local
}

/// The supplier's sale of 30 of batch B1 to me, pending in my inbox.
fn pending_item(s: &mut Store) -> ReconciliationItem {
    let sale = doc(
        ent(SUPPLIER),
        TransactionKind::SalesOutbound,
        Some(ent(ME)),
        vec![line(prod(1), "B1", 30)],
    );
    let item = ReconciliationItem {
        id: item_id(sale.id, ReconciliationKind::PurchaseInbound),
        kind: ReconciliationKind::PurchaseInbound,
        source: sale.id,
        source_number: sale.number.clone(),
        from: ent(SUPPLIER),
        to: ent(ME),
        date: sale.date,
        lines: sale.lines.clone(),
        state: ReconciliationState::Pending,
    };
    pull(s, 1, entity::RECONCILIATION_ITEM, item.id.0, &item);
    item
}

fn confirmation(lines: Option<Vec<TransactionLine>>, reason: Option<&str>) -> Confirmation {
    Confirmation {
        document_id: TransactionId::random(),
        number: "CGRK-0001".into(),
        date: day(3, 2),
        counterparty: Counterparty {
            partner_id: None,
            name: "兰州批发".into(),
            uscc: None,
            enterprise_id: None,
        },
        contact: "李四".into(),
        phone: "13900139000".into(),
        lines,
        reason: reason.map(str::to_owned),
    }
}

fn item_of(s: &Store, id: ReconciliationItemId) -> ReconciliationItem {
    s.reconciliation_items()
        .unwrap()
        .into_iter()
        .find(|i| i.id == id)
        .expect("cached item")
}

/// Answers every queued change: refused with `rule` when `refuse` picks it, else applied.
fn answer(s: &mut Store, refuse: impl Fn(&Operation) -> Option<&'static str>) -> Vec<Operation> {
    let push = s.next_push(100).unwrap().expect("something to push");
    let results = push
        .changes
        .iter()
        .map(|c| ChangeResult {
            change_id: c.change_id,
            outcome: match refuse(&c.operation) {
                Some(rule) => Outcome::Rejected {
                    problems: vec![Problem::error("item", rule, "拒绝", "refused")],
                },
                None => Outcome::Ok {
                    id: c.operation.record_id(),
                },
            },
        })
        .collect();
    s.apply_push_response(&PushResponse { results }).unwrap();
    push.changes.into_iter().map(|c| c.operation).collect()
}

#[test]
fn confirming_offline_submits_the_own_inbound_and_queues_the_confirmation() {
    let mut s = store();
    let item = pending_item(&mut s);
    let c = confirmation(None, None);
    let doc_id = c.document_id;
    let inbound = s
        .confirm_reconciliation(item.id, c, None, &[], instant())
        .unwrap();
    assert_eq!(inbound.id, doc_id);
    assert_eq!(inbound.kind, TransactionKind::PurchaseInbound);
    assert_eq!(inbound.reconciles, Some(item.id));
    assert!(
        inbound.status.is_submitted(),
        "the REST confirm submits too"
    );
    assert_eq!(
        inbound.counterparty.as_ref().unwrap().enterprise_id,
        Some(ent(SUPPLIER))
    );
    assert_eq!(s.document(doc_id).unwrap().unwrap(), inbound);
    let stock = s.stock().unwrap();
    assert_eq!((stock[0].batch.as_str(), stock[0].held), ("B1", 30));
    assert!(matches!(
        item_of(&s, item.id).state,
        ReconciliationState::Confirmed { document, .. } if document == doc_id
    ));

    // A pull of the older pending copy does not undo the confirmation before it is pushed.
    assert_eq!(
        pull(&mut s, 2, entity::RECONCILIATION_ITEM, item.id.0, &item),
        1
    );
    assert!(!item_of(&s, item.id).is_open());

    let sent = answer(&mut s, |_| None);
    match &sent[..] {
        [
            Operation::ConfirmReconciliation {
                item_id,
                document_id,
                number,
                lines,
                ..
            },
        ] => {
            assert_eq!((*item_id, *document_id), (item.id.0, doc_id.0));
            assert_eq!(number.as_deref(), Some("CGRK-0001"));
            assert_eq!(lines, &None, "confirmed as sent");
        }
        other => panic!("sent {other:?}"),
    }
    assert_eq!(s.pending_count().unwrap(), 0);
    // Acknowledged, the server's copies count again: of the item and of the document.
    let mut server_doc = inbound.clone();
    server_doc.counterparty.as_mut().unwrap().name = "兰州批发有限公司".into();
    assert_eq!(
        pull(&mut s, 3, entity::TRANSACTION, doc_id.0, &server_doc),
        0
    );
    assert_eq!(
        s.document(doc_id)
            .unwrap()
            .unwrap()
            .counterparty
            .unwrap()
            .name,
        "兰州批发有限公司"
    );
    assert_eq!(s.stock().unwrap()[0].held, 30, "counted once");
}

#[test]
fn a_confirmation_with_other_lines_needs_a_reason_and_writes_nothing_without_one() {
    let mut s = store();
    let item = pending_item(&mut s);
    let received = vec![line(prod(1), "B1", 28)];
    let err = s
        .confirm_reconciliation(
            item.id,
            confirmation(Some(received.clone()), None),
            None,
            &[],
            instant(),
        )
        .unwrap_err();
    assert_eq!(rules(err), ["reconciliation.reason_required"]);
    assert_eq!(s.pending_count().unwrap(), 0);
    assert!(s.stock().unwrap().is_empty());
    assert!(item_of(&s, item.id).is_open());

    let doc = s
        .confirm_reconciliation(
            item.id,
            confirmation(Some(received), Some("运输破损两瓶")),
            None,
            &[],
            instant(),
        )
        .unwrap();
    assert_eq!(s.stock().unwrap()[0].held, 28);
    assert_eq!(doc.remarks, "运输破损两瓶");
    assert_eq!(item_of(&s, item.id).differences()[0].received, 28);
}

#[test]
fn an_item_is_confirmed_or_disputed_once() {
    let mut s = store();
    let item = pending_item(&mut s);
    s.confirm_reconciliation(item.id, confirmation(None, None), None, &[], instant())
        .unwrap();
    let again = s
        .confirm_reconciliation(item.id, confirmation(None, None), None, &[], instant())
        .unwrap_err();
    assert_eq!(rules(again), ["reconciliation.not_pending"]);
    let dispute = s.dispute_reconciliation(item.id, "没收到").unwrap_err();
    assert_eq!(rules(dispute), ["reconciliation.not_pending"]);
    assert_eq!(s.pending_count().unwrap(), 1);
}

#[test]
fn a_confirmation_the_server_refuses_removes_its_document_and_reopens_the_item() {
    let mut s = store();
    let item = pending_item(&mut s);
    let c = confirmation(None, None);
    let doc_id = c.document_id;
    s.confirm_reconciliation(item.id, c, None, &[], instant())
        .unwrap();
    answer(&mut s, |_| Some("sale.recalled"));
    assert!(s.document(doc_id).unwrap().is_none());
    assert!(s.stock().unwrap().is_empty());
    assert!(item_of(&s, item.id).is_open());
    let rejected = s.rejections().unwrap();
    assert_eq!(
        (rejected[0].entity.as_str(), rejected[0].record_id),
        (entity::RECONCILIATION_ITEM, item.id.0)
    );
    // Reopened, it can be confirmed again, and a pull of the server's copy applies.
    s.confirm_reconciliation(item.id, confirmation(None, None), None, &[], instant())
        .unwrap();
    assert_eq!(s.stock().unwrap()[0].held, 30);
}

#[test]
fn a_refused_change_restores_the_servers_copy_pulled_while_it_waited() {
    let mut s = store();
    let item = pending_item(&mut s);
    s.dispute_reconciliation(item.id, "  数量不符  ").unwrap();
    // Meanwhile the supplier corrected its sale: the server superseded the item.
    let mut superseded = item.clone();
    superseded.state = ReconciliationState::Superseded {
        by: ReconciliationItemId::random(),
    };
    assert_eq!(
        pull(
            &mut s,
            2,
            entity::RECONCILIATION_ITEM,
            item.id.0,
            &superseded
        ),
        1
    );
    assert!(matches!(
        item_of(&s, item.id).state,
        ReconciliationState::Disputed { ref reason } if reason == "数量不符"
    ));
    let sent = answer(&mut s, |_| Some("reconciliation.not_pending"));
    assert!(matches!(
        &sent[..],
        [Operation::DisputeReconciliation { reason, .. }] if reason == "数量不符"
    ));
    assert_eq!(item_of(&s, item.id), superseded);
}

#[test]
fn a_dispute_needs_a_reason_and_a_refused_one_reopens_the_item() {
    let mut s = store();
    let item = pending_item(&mut s);
    assert_eq!(
        rules(s.dispute_reconciliation(item.id, " ").unwrap_err()),
        ["required"]
    );
    let disputed = s.dispute_reconciliation(item.id, "未收到货").unwrap();
    assert_eq!(item_of(&s, item.id), disputed);
    answer(&mut s, |_| Some("reconciliation.not_pending"));
    assert!(item_of(&s, item.id).is_open());
    assert!(matches!(
        s.dispute_reconciliation(ReconciliationItemId::random(), "x"),
        Err(StoreError::NotFound { .. })
    ));
}

/// 30 of B1 booked, and an active recall of B1 that reached me holding `held` (or, when
/// `None`, before the server sent my progress).
fn recalled(s: &mut Store, held: Option<u64>) -> Recall {
    let item = pending_item(s);
    s.confirm_reconciliation(item.id, confirmation(None, None), None, &[], instant())
        .unwrap();
    answer(s, |_| None);
    let mut r = recall(prod(1), &["B1"], RecallStatus::Active);
    r.progress = held
        .map(|h| RecallProgress {
            enterprise_id: ent(ME),
            acknowledged_at: None,
            quantity_held: h,
            quantity_returned: 0,
            quantity_destroyed: 0,
        })
        .into_iter()
        .collect();
    pull(s, 10, entity::RECALL, r.id.0, &r);
    r
}

fn my_progress(s: &Store, id: RecallId) -> RecallProgress {
    let r = s
        .recalls()
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    r.progress
        .into_iter()
        .find(|p| p.enterprise_id == ent(ME))
        .expect("my progress")
}

#[test]
fn a_recall_is_acknowledged_and_reported_offline_within_what_was_held() {
    let mut s = store();
    let r = recalled(&mut s, Some(20));
    let acked = s.acknowledge_recall(r.id, instant()).unwrap();
    assert_eq!(acked.progress[0].acknowledged_at, Some(instant()));
    let err = s
        .report_recall(r.id, 15, 6, instant() + chrono::Duration::hours(1))
        .unwrap_err();
    assert_eq!(
        rules(err),
        [RULE_EXCEEDS_HELD, RULE_EXCEEDS_HELD],
        "held when reached (20) decides, not the 30 in stock"
    );
    s.report_recall(r.id, 15, 5, instant() + chrono::Duration::hours(1))
        .unwrap();
    let p = my_progress(&s, r.id);
    assert_eq!(
        (p.acknowledged_at, p.quantity_returned, p.quantity_destroyed),
        (Some(instant()), 15, 5),
        "the first acknowledgement is kept"
    );
    // A pull of the older copy keeps what was done here.
    assert_eq!(pull(&mut s, 11, entity::RECALL, r.id.0, &r), 1);
    let sent = answer(&mut s, |_| None);
    assert!(matches!(
        &sent[..],
        [
            Operation::AcknowledgeRecall { .. },
            Operation::ReportRecall {
                quantity_returned: 15,
                quantity_destroyed: 5,
                ..
            }
        ]
    ));
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn without_the_servers_figure_the_stock_on_the_phone_bounds_a_report() {
    let mut s = store();
    let r = recalled(&mut s, None);
    assert_eq!(
        rules(s.report_recall(r.id, 31, 0, instant()).unwrap_err()),
        [RULE_EXCEEDS_HELD]
    );
    s.report_recall(r.id, 30, 0, instant()).unwrap();
    assert_eq!(my_progress(&s, r.id).quantity_held, 30);
}

#[test]
fn refused_recall_acts_put_the_recall_back_as_the_server_had_it() {
    let mut s = store();
    let r = recalled(&mut s, Some(20));
    s.acknowledge_recall(r.id, instant()).unwrap();
    s.report_recall(r.id, 3, 0, instant()).unwrap();
    answer(&mut s, |_| Some("recall.not_active"));
    assert_eq!(my_progress(&s, r.id), r.progress[0]);
    assert_eq!(s.rejections().unwrap().len(), 2);
}

#[test]
fn only_an_active_recall_takes_acts() {
    let mut s = store();
    let mut r = recall(prod(1), &["B1"], RecallStatus::Completed);
    pull(&mut s, 1, entity::RECALL, r.id.0, &r);
    assert_eq!(
        rules(s.acknowledge_recall(r.id, instant()).unwrap_err()),
        ["recall.not_active"]
    );
    assert_eq!(
        rules(s.report_recall(r.id, -1, 0, instant()).unwrap_err()),
        ["recall.not_active"]
    );
    // The initiator is sent its own recall, but holds none of it.
    r.id = RecallId::random();
    r.status = RecallStatus::Active;
    r.initiator = RecallInitiator::Enterprise {
        enterprise_id: ent(ME),
    };
    pull(&mut s, 2, entity::RECALL, r.id.0, &r);
    assert!(matches!(
        s.acknowledge_recall(r.id, instant()),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn cached_recalls_and_listings_are_listed() {
    let mut s = store();
    let mut older = recall(prod(1), &["B1"], RecallStatus::Active);
    older.start_date = day(1, 5);
    let newer = recall(prod(2), &[], RecallStatus::Planned);
    let l = listing(prod(1), &["B2"], NonconformingStatus::Open);
    pull(&mut s, 1, entity::RECALL, older.id.0, &older);
    pull(&mut s, 2, entity::RECALL, newer.id.0, &newer);
    pull(&mut s, 3, entity::NONCONFORMING, l.id.0, &l);
    assert_eq!(s.recalls().unwrap(), [newer, older]);
    assert_eq!(s.nonconforming().unwrap(), [l]);
}
