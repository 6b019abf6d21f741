use super::*;
use crate::model::TransactionKind::*;
use crate::rules::testing::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn confirmation(
    other_name: &str,
    lines: Option<Vec<TransactionLine>>,
    reason: Option<&str>,
) -> Confirmation {
    Confirmation {
        document_id: TransactionId::random(),
        number: "RK-001".into(),
        date: day(3, 2),
        counterparty: Counterparty {
            partner_id: None,
            name: other_name.into(),
            uscc: None,
            enterprise_id: None,
        },
        contact: "李四".into(),
        phone: "13900139000".into(),
        lines,
        reason: reason.map(str::to_owned),
    }
}

#[test]
fn a_sales_outbound_lands_in_the_buyers_inbox() {
    let (a, b) = (ent(1), ent(2));
    let out = submitted(doc(
        a,
        SalesOutbound,
        Some(b),
        vec![line(prod(1), "B1", 10)],
    ));
    let change = on_submit(&out, &[]);
    assert!(change.updated.is_empty());
    let [item] = change.created.as_slice() else {
        panic!("one item expected")
    };
    assert_eq!(item.kind, ReconciliationKind::PurchaseInbound);
    assert_eq!((item.from, item.to, item.source), (a, b, out.id));
    assert_eq!(item.lines, out.lines);
    assert_eq!(
        item.id,
        item_id(out.id, ReconciliationKind::PurchaseInbound)
    );
    assert_eq!(
        on_submit(&out, &[]),
        change,
        "a replay yields the same item"
    );
}

#[test]
fn documents_without_a_registered_counterparty_raise_nothing() {
    let a = ent(1);
    for d in [
        doc(a, SalesOutbound, None, vec![line(prod(1), "B1", 1)]),
        doc(a, FinishedGoodsInbound, None, vec![line(prod(1), "B1", 1)]),
        doc(a, SalesOutbound, Some(a), vec![line(prod(1), "B1", 1)]),
    ] {
        assert_eq!(on_submit(&submitted(d), &[]), InboxChange::default());
    }
}

#[test]
fn the_buyer_confirms_as_is_or_with_a_reasoned_difference() {
    let (a, b) = (ent(1), ent(2));
    let p = prod(1);
    let out = submitted(doc(
        a,
        SalesOutbound,
        Some(b),
        vec![line(p, "B1", 10), line(p, "B2", 5)],
    ));
    let item = on_submit(&out, &[]).created.remove(0);

    let ok = confirm(&item, b, confirmation("企业1", None, None)).unwrap();
    assert_eq!(ok.document.kind, PurchaseInbound);
    assert_eq!(ok.document.enterprise_id, b);
    assert_eq!(
        ok.document.counterparty.as_ref().unwrap().enterprise_id,
        Some(a)
    );
    assert_eq!(ok.document.reconciles, Some(item.id));
    assert_eq!(ok.document.lines, out.lines);
    assert!(ok.item.differences().is_empty());
    assert_eq!(
        on_submit(&submitted(ok.document), std::slice::from_ref(&item)),
        InboxChange::default()
    );

    let short = vec![line(p, "B1", 9), line(p, "B2", 5)];
    let err = confirm(
        &item,
        b,
        confirmation("企业1", Some(short.clone()), Some("  ")),
    )
    .unwrap_err();
    assert_eq!(err[0].rule, "reconciliation.reason_required");
    let diff = confirm(
        &item,
        b,
        confirmation("企业1", Some(short), Some("运输破损一瓶")),
    )
    .unwrap();
    assert_eq!(
        diff.item.differences(),
        [LineDifference {
            product_id: p,
            batch: "B1".into(),
            sent: 10,
            received: 9
        }]
    );
    assert_eq!(diff.document.remarks, "运输破损一瓶");
}

#[test]
fn a_wrong_batch_shows_as_one_missing_and_one_extra() {
    let p = prod(1);
    let d = differences(&[line(p, "B1", 3)], &[line(p, "B9", 3)]);
    assert_eq!(d.len(), 2);
    assert_eq!(
        (d[0].batch.as_str(), d[0].sent, d[0].received),
        ("B1", 3, 0)
    );
    assert_eq!(
        (d[1].batch.as_str(), d[1].sent, d[1].received),
        ("B9", 0, 3)
    );
    assert!(differences(&[line(p, "B1", 3)], &[line(p, "B1", 1), line(p, "B1", 2)]).is_empty());
}

#[test]
fn only_the_inbox_owner_acts_and_only_once() {
    let (a, b) = (ent(1), ent(2));
    let out = submitted(doc(a, SalesOutbound, Some(b), vec![line(prod(1), "B1", 1)]));
    let item = on_submit(&out, &[]).created.remove(0);
    assert_eq!(
        confirm(&item, a, confirmation("x", None, None)).unwrap_err()[0].rule,
        "reconciliation.not_yours"
    );
    let done = confirm(&item, b, confirmation("x", None, None))
        .unwrap()
        .item;
    assert_eq!(
        confirm(&done, b, confirmation("x", None, None)).unwrap_err()[0].rule,
        "reconciliation.not_pending"
    );
    assert_eq!(dispute(&item, b, "").unwrap_err().rule, "required");
    let disputed = dispute(&item, b, "未收到货物").unwrap();
    assert!(matches!(
        disputed.state,
        ReconciliationState::Disputed { .. }
    ));
    assert_eq!(
        dispute(&disputed, b, "again").unwrap_err().rule,
        "reconciliation.not_pending"
    );
}

#[test]
fn an_independent_inbound_matches_the_pending_item_with_the_same_lines() {
    let (a, b) = (ent(1), ent(2));
    let p = prod(1);
    let out = submitted(doc(a, SalesOutbound, Some(b), vec![line(p, "B1", 10)]));
    let pending = on_submit(&out, &[]).created;
    let inbound = submitted(doc(
        b,
        PurchaseInbound,
        Some(a),
        vec![line(p, "B1", 4), line(p, "B1", 6)],
    ));
    let change = on_submit(&inbound, &pending);
    assert!(change.created.is_empty());
    assert!(
        matches!(change.updated[0].state, ReconciliationState::Confirmed { document, .. } if document == inbound.id)
    );
}

#[test]
fn an_inbound_without_an_outbound_is_unmatched_until_the_seller_records_it() {
    let (a, b) = (ent(1), ent(2));
    let p = prod(1);
    let inbound = submitted(doc(b, PurchaseInbound, Some(a), vec![line(p, "B1", 10)]));
    let unmatched = on_submit(&inbound, &[]).created;
    assert_eq!(unmatched[0].kind, ReconciliationKind::UnmatchedInbound);
    assert_eq!((unmatched[0].from, unmatched[0].to), (b, a));
    // A different quantity does not match: the seller's outbound raises its own item.
    let other = submitted(doc(a, SalesOutbound, Some(b), vec![line(p, "B1", 9)]));
    assert_eq!(on_submit(&other, &unmatched).created.len(), 1);
    let out = submitted(doc(a, SalesOutbound, Some(b), vec![line(p, "B1", 10)]));
    let change = on_submit(&out, &unmatched);
    assert!(change.created.is_empty());
    assert!(
        matches!(change.updated[0].state, ReconciliationState::Confirmed { document, .. } if document == out.id)
    );
    // Or the seller confirms it from the inbox, which records the seller's outbound.
    let c = confirm(&unmatched[0], a, confirmation("企业2", None, None)).unwrap();
    assert_eq!(c.document.kind, SalesOutbound);
}

#[test]
fn a_purchase_return_lands_in_the_sellers_inbox() {
    let (a, b) = (ent(1), ent(2));
    let ret = submitted(doc(
        b,
        PurchaseReturn,
        Some(a),
        vec![line(prod(1), "B1", 1)],
    ));
    let item = on_submit(&ret, &[]).created.remove(0);
    assert_eq!(
        (item.kind, item.from, item.to),
        (ReconciliationKind::SalesReturn, b, a)
    );
    let c = confirm(&item, a, confirmation("企业2", None, None)).unwrap();
    assert_eq!(c.document.kind, SalesReturn);
    let own = submitted(doc(a, SalesReturn, Some(b), vec![line(prod(1), "B1", 2)]));
    assert_eq!(
        on_submit(&own, &[item]).created[0].kind,
        ReconciliationKind::UnmatchedSalesReturn
    );
}

#[test]
fn a_correction_supersedes_the_pending_item_of_the_original() {
    let (a, b) = (ent(1), ent(2));
    let out = submitted(doc(
        a,
        SalesOutbound,
        Some(b),
        vec![line(prod(1), "B1", 10)],
    ));
    let items = on_submit(&out, &[]).created;
    let mut fix = submitted(doc(a, SalesOutbound, Some(b), vec![line(prod(1), "B1", 8)]));
    fix.corrects = Some(out.id);
    let change = on_submit(&fix, &items);
    assert_eq!(change.created.len(), 1);
    assert_eq!(
        change.updated[0].state,
        ReconciliationState::Superseded {
            by: change.created[0].id
        }
    );
}

/// One step of a random trading history.
#[derive(Debug, Clone)]
enum Step {
    Sell { from: u8, to: u8, qty: u8 },
    Return { from: u8, to: u8, qty: u8 },
    OwnInbound { buyer: u8, seller: u8, qty: u8 },
    Confirm { pick: u8, short: bool },
    Dispute { pick: u8 },
    Correct { pick: u8, qty: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    let e = 0u8..5;
    let q = 1u8..4;
    prop_oneof![
        (e.clone(), e.clone(), q.clone()).prop_map(|(from, to, qty)| Step::Sell { from, to, qty }),
        (e.clone(), e.clone(), q.clone()).prop_map(|(from, to, qty)| Step::Return {
            from,
            to,
            qty
        }),
        (e.clone(), e, q.clone()).prop_map(|(buyer, seller, qty)| Step::OwnInbound {
            buyer,
            seller,
            qty
        }),
        (any::<u8>(), any::<bool>()).prop_map(|(pick, short)| Step::Confirm { pick, short }),
        any::<u8>().prop_map(|pick| Step::Dispute { pick }),
        (any::<u8>(), q).prop_map(|(pick, qty)| Step::Correct { pick, qty }),
    ]
}

/// An in-memory platform: documents and items, changed only through the rules above.
#[derive(Default)]
struct Platform {
    docs: Vec<Transaction>,
    items: Vec<ReconciliationItem>,
}

impl Platform {
    fn submit(&mut self, d: Transaction) {
        let d = submitted(d);
        let change = on_submit(&d, &self.items);
        for u in change.updated {
            let slot = self.items.iter_mut().find(|i| i.id == u.id).unwrap();
            *slot = u;
        }
        self.items.extend(change.created);
        self.docs.push(d);
    }

    fn open(&self, pick: u8) -> Option<ReconciliationItem> {
        let open: Vec<_> = self.items.iter().filter(|i| i.is_open()).collect();
        (!open.is_empty()).then(|| open[pick as usize % open.len()].clone())
    }

    fn run(&mut self, s: Step) {
        let p = prod(1);
        match s {
            Step::Sell { from, to, qty } => self.submit(doc(
                ent(from.into()),
                SalesOutbound,
                Some(ent(to.into())),
                vec![line(p, "B", qty.into())],
            )),
            Step::Return { from, to, qty } => self.submit(doc(
                ent(from.into()),
                PurchaseReturn,
                Some(ent(to.into())),
                vec![line(p, "B", qty.into())],
            )),
            Step::OwnInbound { buyer, seller, qty } => self.submit(doc(
                ent(buyer.into()),
                PurchaseInbound,
                Some(ent(seller.into())),
                vec![line(p, "B", qty.into())],
            )),
            Step::Confirm { pick, short } => {
                if let Some(item) = self.open(pick) {
                    let lines = short.then(|| vec![line(p, "B", 1)]);
                    let c =
                        confirm(&item, item.to, confirmation("x", lines, Some("差异"))).unwrap();
                    let slot = self.items.iter_mut().find(|i| i.id == item.id).unwrap();
                    *slot = c.item;
                    self.submit(c.document);
                }
            }
            Step::Dispute { pick } => {
                if let Some(item) = self.open(pick) {
                    let d = dispute(&item, item.to, "不符").unwrap();
                    let slot = self.items.iter_mut().find(|i| i.id == item.id).unwrap();
                    *slot = d;
                }
            }
            Step::Correct { pick, qty } => {
                let corrected: HashSet<_> = self.docs.iter().filter_map(|d| d.corrects).collect();
                let candidates: Vec<_> = self
                    .docs
                    .iter()
                    .filter(|d| d.kind == SalesOutbound && !corrected.contains(&d.id))
                    .cloned()
                    .collect();
                if !candidates.is_empty() {
                    let old = &candidates[pick as usize % candidates.len()];
                    let mut fix = doc(
                        old.enterprise_id,
                        SalesOutbound,
                        platform_counterparty(old),
                        vec![line(p, "B", qty.into())],
                    );
                    fix.corrects = Some(old.id);
                    self.submit(fix);
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn any_history_of_reconciled_transfers_leaves_no_orphan(steps in prop::collection::vec(step(), 0..60)) {
        let mut platform = Platform::default();
        for s in steps {
            platform.run(s);
        }
        let docs: HashMap<_, _> = platform.docs.iter().map(|d| (d.id, d)).collect();
        let ids: HashSet<_> = platform.items.iter().map(|i| i.id).collect();
        prop_assert_eq!(ids.len(), platform.items.len(), "item ids are unique");
        let mut confirming: HashMap<TransactionId, usize> = HashMap::new();
        for item in &platform.items {
            let source = docs.get(&item.source).expect("an item's source document exists");
            prop_assert!(source.status.is_submitted());
            prop_assert_eq!(source.enterprise_id, item.from);
            prop_assert_eq!(platform_counterparty(source), Some(item.to));
            match &item.state {
                ReconciliationState::Confirmed { document, .. } => {
                    let d = docs.get(document).expect("a confirming document exists");
                    prop_assert_eq!(d.enterprise_id, item.to);
                    prop_assert_eq!(platform_counterparty(d), Some(item.from));
                    prop_assert!(d.reconciles == Some(item.id) || quantities(&d.lines) == quantities(&item.lines));
                    *confirming.entry(*document).or_default() += 1;
                }
                ReconciliationState::Superseded { by } => prop_assert!(ids.contains(by)),
                _ => {}
            }
        }
        prop_assert!(confirming.values().all(|&n| n == 1), "no document confirms two items");
        for d in platform.docs.iter().filter(|d| platform_counterparty(d).is_some_and(|o| o != d.enterprise_id)) {
            let raised = platform.items.iter().any(|i| i.source == d.id);
            prop_assert!(raised || confirming.contains_key(&d.id), "document {} is neither reconciled nor in an inbox", d.number);
        }
    }
}
