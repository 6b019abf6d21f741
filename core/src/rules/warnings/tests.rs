use super::fixtures::*;
use super::*;
use crate::model::TransactionKind::*;
use crate::model::*;
use crate::rules::status::Blocks;
use crate::rules::status::tests::{listing, recall};
use crate::rules::testing::*;
use proptest::prelude::*;

#[test]
fn every_kind_serialises_as_its_code_and_has_a_rule() {
    for kind in WarningKind::ALL {
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::String(kind.code().into())
        );
        assert!(!kind.label_zh().is_empty() && !kind.label_en().is_empty());
    }
    let distinct: HashSet<_> = WarningKind::ALL.iter().collect();
    assert_eq!(distinct.len(), WarningKind::ALL.len());
    assert_eq!(serde_json::to_value(WarningSeverity::High).unwrap(), "high");
}

#[test]
fn a_batch_cannot_make_two_keys_collide() {
    let a = Target {
        enterprise: Some(ent(1)),
        product: Some(prod(1)),
        batch: Some("B1:x"),
        subject: None,
    };
    let b = Target {
        batch: Some("B1"),
        subject: Some(Uuid::nil()),
        ..a
    };
    assert_ne!(
        key(WarningKind::NegativeStock, &a),
        key(WarningKind::NegativeStock, &b)
    );
    assert!(key(WarningKind::NegativeStock, &a).ends_with(":B1:x"));
}

#[test]
fn the_block_index_agrees_with_blocks() {
    let p = prod(1);
    let recalls = [
        recall(p, &["R1"], RecallStatus::Active),
        recall(p, &["P1"], RecallStatus::Planned),
        recall(prod(2), &[], RecallStatus::Completed),
    ];
    let listings = [
        listing(p, &["N1", "R1"], NonconformingStatus::Open),
        listing(p, &["X1"], NonconformingStatus::Revoked),
    ];
    let blocks = Blocks::new(&recalls, &listings);
    let index = BlockIndex::new(&recalls, &listings);
    for product in [p, prod(2), prod(3)] {
        for batch in ["R1", "P1", "N1", "X1", "OK"] {
            assert_eq!(
                index.recall(product, batch).map(|r| r.id),
                blocks.recall(product, batch).map(|r| r.id),
                "{batch}"
            );
            assert_eq!(
                index.listing(product, batch).map(|n| n.id),
                blocks.nonconforming(product, batch).map(|n| n.id),
                "{batch}"
            );
        }
    }
}

#[test]
fn run_kinds_runs_only_the_asked_rules() {
    let mut w = World::new(day(3, 1));
    w.documents = vec![
        on(
            day(1, 1),
            ent(1),
            FinishedGoodsInbound,
            None,
            vec![expiring(prod(1), "E", 5, Some(day(2, 1)))],
        ),
        on(
            day(1, 1),
            ent(1),
            SalesOutbound,
            None,
            vec![line(prod(1), "N", 3)],
        ),
    ];
    let all = w.run(run);
    let kinds: HashSet<WarningKind> = all.iter().map(|w| w.kind).collect();
    assert!(kinds.contains(&WarningKind::ExpiredStockHeld));
    assert!(kinds.contains(&WarningKind::NegativeStock));
    let only = w.run(|i| run_kinds(i, &[WarningKind::NegativeStock, WarningKind::NegativeStock]));
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].kind, WarningKind::NegativeStock);
    assert_eq!(w.run(negative_stock), only);
}

/// Enterprise `i` of `n`: one 成品入库 of 100 and nine 销售出库, shaped so each kind's count
/// follows from `i`.
fn region(n: u128) -> World {
    let mut w = World::new(day(3, 1));
    w.enterprises.clear();
    w.products = (0..10)
        .map(|k| fixtures::product(prod(k), &format!("产品{k}"), "国妆特字G20190372"))
        .collect();
    w.recalls = vec![recall(prod(3), &[], RecallStatus::Active)]; // starts 2026-03-01
    for i in 0..n {
        let e = ent(i);
        let sent = if i % 2 == 0 { day(2, 1) } else { day(2, 28) };
        w.items.push(pending_item(i, ent((i + 1) % n), e, sent));
        w.enterprises.push(enterprise(e, &format!("企业{i}")));
        let p = prod(i % 10);
        let batch = format!("B{i}");
        let expiry = if i % 4 == 0 { day(1, 31) } else { day(12, 31) };
        w.documents.push(on(
            day(1, 1),
            e,
            FinishedGoodsInbound,
            None,
            vec![expiring(p, &batch, 100, Some(expiry))],
        ));
        let out = if i % 10 == 0 { 12 } else { 10 };
        for _ in 0..9 {
            // Sales lines leave the expiry out, so the ledger's (the inbound's) applies.
            w.documents.push(on(
                day(3, 1),
                e,
                SalesOutbound,
                None,
                vec![expiring(p, &batch, out, None)],
            ));
        }
    }
    w
}

#[test]
fn a_region_of_ten_thousand_documents() {
    let mut w = region(1_000);
    assert_eq!(w.documents.len(), 10_000);
    let count = |ws: &[Warning]| {
        let mut c: BTreeMap<WarningKind, usize> = BTreeMap::new();
        for x in ws {
            *c.entry(x.kind).or_default() += 1;
        }
        c
    };
    let got = w.run(run);
    let want = BTreeMap::from([
        // i % 4 == 0 holds stock (unless i % 10 == 0 too, which sold more than it had).
        (WarningKind::ExpiredStockHeld, 250 - 50),
        // Every outbound of an expired batch, 9 per enterprise.
        (WarningKind::SoldAfterExpiry, 250 * 9),
        (WarningKind::NegativeStock, 100),
        // i % 10 == 3: product 3, recalled from the day they sold.
        (WarningKind::RecalledBatchHeld, 100),
        (WarningKind::RecalledBatchSold, 100 * 9),
        // Items sent a month before today; the others are two days old.
        (WarningKind::UnreconciledTransfer, 500),
        // 2026-12-31 is more than 90 days after 2026-03-01.
    ]);
    assert_eq!(count(&got), want);
    w.documents.reverse();
    assert_eq!(w.run(run), got);
}

fn arb_documents() -> impl Strategy<Value = Vec<Transaction>> {
    let kinds = prop::sample::select(TransactionKind::ALL.to_vec());
    let one = (
        0..3u128,
        kinds,
        prop::option::of(0..3u128),
        prop::collection::vec((0..3u128, 0..3u8, 1..40u32, 0..4u32), 1..4),
        1..28u32,
        any::<bool>(),
    );
    prop::collection::vec(one, 0..40).prop_map(|docs| {
        docs.into_iter()
            .enumerate()
            .map(|(n, (e, kind, other, lines, d, submit))| {
                let lines = lines
                    .into_iter()
                    .map(|(p, b, q, exp)| {
                        expiring(prod(p), &format!("B{b}"), q, Some(day(1 + exp * 3, 1)))
                    })
                    .collect();
                let mut t = on(day(3, d), ent(e), kind, other.map(ent), lines);
                t.id = TransactionId(Uuid::from_u128(n as u128 + 1));
                t.number = format!("D{n}");
                if !submit {
                    t.status = RecordStatus::Draft;
                }
                t
            })
            .collect()
    })
}

fn world_with(documents: Vec<Transaction>) -> World {
    let mut w = World::new(day(3, 15));
    w.recalls = vec![recall(prod(1), &["B1"], RecallStatus::Active)];
    w.nonconforming = vec![listing(prod(2), &[], NonconformingStatus::Open)];
    w.items = vec![pending_item(1, ent(1), ent(2), day(3, 1))];
    w.openings = documents
        .iter()
        .take(2)
        .map(|d| OpeningBalance {
            enterprise_id: d.enterprise_id,
            product_id: d.lines[0].product_id,
            batch: d.lines[0].batch.clone(),
            quantity: 3,
            document: d.id,
            reason: "期初".into(),
        })
        .collect();
    w.documents = documents;
    w
}

fn pending_item(
    n: u128,
    from: EnterpriseId,
    to: EnterpriseId,
    date: NaiveDate,
) -> ReconciliationItem {
    ReconciliationItem {
        id: ReconciliationItemId(Uuid::from_u128(0xC000 + n)),
        kind: ReconciliationKind::PurchaseInbound,
        source: TransactionId(Uuid::from_u128(0xD000 + n)),
        source_number: format!("XS{n}"),
        from,
        to,
        date,
        lines: vec![line(prod(1), "B1", 1)],
        state: ReconciliationState::Pending,
    }
}

proptest! {
    #[test]
    fn negative_stock_matches_the_ledger_exactly(documents in arb_documents()) {
        let w = world_with(documents);
        let ledger = Ledger::from_documents(&w.documents, &w.openings);
        let want: BTreeSet<_> = ledger
            .rows()
            .into_iter()
            .filter(|r| r.balance.held() < 0)
            .map(|r| (r.enterprise_id, r.product_id, r.batch))
            .collect();
        let got: BTreeSet<_> = w
            .run(run)
            .into_iter()
            .filter(|x| x.kind == WarningKind::NegativeStock)
            .map(|x| (x.enterprise_id.unwrap(), x.product_id.unwrap(), x.batch.unwrap()))
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn run_is_deterministic_and_ignores_document_order(
        (documents, shuffled) in arb_documents().prop_flat_map(|d| (Just(d.clone()), Just(d).prop_shuffle()))
    ) {
        let mut w = world_with(documents);
        let first = w.run(run);
        prop_assert_eq!(&w.run(run), &first);
        let keys: HashSet<&str> = first.iter().map(|x| x.key.as_str()).collect();
        prop_assert_eq!(keys.len(), first.len());
        prop_assert!(first.windows(2).all(|p| p[0].key < p[1].key));
        w.documents = shuffled;
        prop_assert_eq!(w.run(run), first);
    }
}

use std::collections::BTreeSet;

#[test]
fn the_subject_names_the_item_or_document_a_warning_rests_on() {
    let ws = region(20).run(run);
    assert!(!ws.is_empty());
    for w in &ws {
        if w.kind.is_about_item() {
            assert_eq!(w.subject, w.evidence.items.first().map(|i| i.0), "{w:?}");
        } else if matches!(
            w.kind,
            WarningKind::SoldAfterExpiry | WarningKind::RecalledBatchSold
        ) {
            assert_eq!(
                w.subject,
                w.evidence.documents.first().map(|d| d.id.0),
                "{w:?}"
            );
        } else {
            // Stock rules are about a batch held, not one record.
            assert_eq!(w.subject, None, "{w:?}");
        }
        assert!(
            w.key
                .contains(&w.subject.map_or("-".to_owned(), |s| s.to_string()))
        );
    }
    let kinds: HashSet<WarningKind> = ws.iter().map(|w| w.kind).collect();
    assert!(kinds.contains(&WarningKind::UnreconciledTransfer));
    assert!(kinds.contains(&WarningKind::RecalledBatchSold));
}
