//! Rules over counterparty reconciliation (勾兑): transfers left pending, confirmed with different
//! quantities, or disputed.

use super::{Context, DocumentRef, Evidence, Target, Warning, WarningInput, WarningKind, single};
use crate::model::{
    ProductId, ReconciliationItem, ReconciliationKind, ReconciliationState, TransactionKind,
};
use std::collections::BTreeMap;

/// A pending item whose date is more than `unreconciled_days` before today (Medium).
pub fn unreconciled_transfer(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, unreconciled_transfer_into)
}

/// A confirmed item whose quantities differ, one warning per product and batch (Medium).
pub fn quantity_mismatch(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, quantity_mismatch_into)
}

/// A disputed item (Medium).
pub fn transfer_disputed(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, transfer_disputed_into)
}

/// The type of the document that raised an item, which the item does not store.
fn source_kind(kind: ReconciliationKind) -> TransactionKind {
    match kind {
        ReconciliationKind::PurchaseInbound => TransactionKind::SalesOutbound,
        ReconciliationKind::SalesReturn => TransactionKind::PurchaseReturn,
        ReconciliationKind::UnmatchedInbound => TransactionKind::PurchaseInbound,
        ReconciliationKind::UnmatchedSalesReturn => TransactionKind::SalesReturn,
    }
}

/// The source document as the item records it, so the evidence holds even when the document
/// belongs to another region's records.
fn source_ref(item: &ReconciliationItem, quantity: u64) -> DocumentRef {
    DocumentRef {
        id: item.source,
        number: item.source_number.clone(),
        kind: source_kind(item.kind),
        date: item.date,
        quantity,
    }
}

fn total(item: &ReconciliationItem) -> u64 {
    item.lines.iter().map(|l| u64::from(l.quantity)).sum()
}

fn item_target(item: &ReconciliationItem, enterprise_is_sender: bool) -> Target<'static> {
    Target {
        enterprise: Some(if enterprise_is_sender {
            item.from
        } else {
            item.to
        }),
        product: None,
        batch: None,
        subject: Some(item.id.0),
    }
}

pub(super) fn unreconciled_transfer_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let (today, limit) = (
        ctx.input.today,
        i64::from(ctx.input.params.unreconciled_days),
    );
    for item in ctx.input.items {
        let days = (today - item.date).num_days();
        if !item.is_open() || days <= limit {
            continue;
        }
        let (from, to) = (ctx.enterprise_name(item.from), ctx.enterprise_name(item.to));
        let kind = source_kind(item.kind);
        let (kz, ke) = (kind.label_zh(), kind.label_en().to_lowercase());
        let (no, date) = (&item.source_number, item.date);
        let q = total(item);
        out.push(Warning::new(
            WarningKind::UnreconciledTransfer,
            // The inbox owner is the one who has to act.
            item_target(item, false),
            Evidence {
                documents: vec![source_ref(item, q)],
                items: vec![item.id],
                quantity: Some(i64::try_from(q).unwrap_or(i64::MAX)),
                date: Some(date),
                ..Evidence::default()
            },
            format!("{from} 的{kz}（单号 {no}，{date}）已 {days} 天未经 {to} 勾兑"),
            format!("{to} has not reconciled {from}'s {ke} {no} of {date} for {days} days"),
        ));
    }
}

pub(super) fn quantity_mismatch_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    for item in ctx.input.items {
        let ReconciliationState::Confirmed {
            document,
            differences,
            reason,
        } = &item.state
        else {
            continue;
        };
        // Summed per product and batch so each keeps one key even if listed twice.
        let mut merged: BTreeMap<(ProductId, &str), (u64, u64)> = BTreeMap::new();
        for d in differences {
            let slot = merged.entry((d.product_id, d.batch.as_str())).or_default();
            slot.0 += d.sent;
            slot.1 += d.received;
        }
        let confirming = ctx.document(*document);
        let (from, to) = (ctx.enterprise_name(item.from), ctx.enterprise_name(item.to));
        let kind = source_kind(item.kind);
        let (kz, ke) = (kind.label_zh(), kind.label_en().to_lowercase());
        let no = &item.source_number;
        let (why_zh, why_en) = match reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => (format!("；原因：{r}"), format!("; reason: {r}")),
            None => (String::new(), String::new()),
        };
        for ((product, batch), (sent, received)) in merged {
            if sent == received {
                continue;
            }
            let on_item = item
                .lines
                .iter()
                .find(|l| l.product_id == product)
                .map_or("", |l| l.product_name.as_str());
            let p = ctx.product_name(product, on_item);
            let mut documents = vec![source_ref(item, sent)];
            // The confirming document is cited only when it is among the records, since the
            // item does not keep its number or date.
            documents.extend(confirming.map(|d| DocumentRef::of(d, received)));
            out.push(Warning::new(
                WarningKind::QuantityMismatch,
                // The sender's record is the one the difference calls into question.
                Target {
                    product: Some(product),
                    batch: Some(batch),
                    ..item_target(item, true)
                },
                Evidence {
                    documents,
                    items: vec![item.id],
                    quantity: Some(received as i64 - sent as i64),
                    date: Some(item.date),
                    ..Evidence::default()
                },
                format!(
                    "{to} 确认 {from} 的{kz}（单号 {no}）数量不符：{p} 批号 {batch} 发出 {sent}，收到 {received}{why_zh}"
                ),
                format!(
                    "{to} confirmed {from}'s {ke} {no} with a different quantity: {p} batch {batch}, sent {sent}, received {received}{why_en}"
                ),
            ));
        }
    }
}

pub(super) fn transfer_disputed_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    for item in ctx.input.items {
        let ReconciliationState::Disputed { reason } = &item.state else {
            continue;
        };
        let (from, to) = (ctx.enterprise_name(item.from), ctx.enterprise_name(item.to));
        let kind = source_kind(item.kind);
        let (kz, ke) = (kind.label_zh(), kind.label_en().to_lowercase());
        let (no, date) = (&item.source_number, item.date);
        let q = total(item);
        out.push(Warning::new(
            WarningKind::TransferDisputed,
            // The disputed record is the sender's.
            item_target(item, true),
            Evidence {
                documents: vec![source_ref(item, q)],
                items: vec![item.id],
                quantity: Some(i64::try_from(q).unwrap_or(i64::MAX)),
                date: Some(date),
                ..Evidence::default()
            },
            format!("{to} 对 {from} 的{kz}（单号 {no}，{date}）提出异议：{reason}"),
            format!("{to} disputes {from}'s {ke} {no} of {date}: {reason}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::model::*;
    use crate::rules::testing::*;
    use uuid::Uuid;

    fn item(n: u128, date: chrono::NaiveDate, state: ReconciliationState) -> ReconciliationItem {
        ReconciliationItem {
            id: ReconciliationItemId(Uuid::from_u128(0xC000 + n)),
            kind: ReconciliationKind::PurchaseInbound,
            source: TransactionId(Uuid::from_u128(0xD000 + n)),
            source_number: format!("XS{n}"),
            from: ent(1),
            to: ent(2),
            date,
            lines: vec![line(prod(1), "B1", 10), line(prod(2), "B2", 5)],
            state,
        }
    }

    #[test]
    fn pending_items_older_than_the_limit() {
        // today 2026-03-10, limit 7 days. (item date, state, expected)
        let confirmed = ReconciliationState::Confirmed {
            document: TransactionId(Uuid::nil()),
            differences: vec![],
            reason: None,
        };
        let cases = [
            (day(3, 2), ReconciliationState::Pending, true), // 8 days
            (day(3, 3), ReconciliationState::Pending, false), // exactly 7
            (day(3, 10), ReconciliationState::Pending, false),
            (day(1, 1), confirmed, false),
            (
                day(1, 1),
                ReconciliationState::Disputed { reason: "x".into() },
                false,
            ),
            (
                day(1, 1),
                ReconciliationState::Superseded {
                    by: ReconciliationItemId(Uuid::nil()),
                },
                false,
            ),
        ];
        for (i, (date, state, want)) in cases.into_iter().enumerate() {
            let mut w = World::new(day(3, 10));
            w.items = vec![item(1, date, state)];
            let got = w.run(unreconciled_transfer);
            let t = targets(&got, WarningKind::UnreconciledTransfer);
            assert_eq!(
                t,
                if want {
                    vec![(Some(ent(2)), None, None)]
                } else {
                    vec![]
                },
                "case {i}"
            );
            if want {
                let ev = &got[0].evidence;
                assert_eq!(ev.items, vec![w.items[0].id]);
                assert_eq!(ev.documents[0].id, w.items[0].source);
                assert_eq!(ev.documents[0].kind, SalesOutbound);
                assert_eq!(ev.documents[0].quantity, 15);
                assert!(
                    got[0]
                        .message_zh
                        .contains("已 8 天未经 兰州某某商贸有限公司 勾兑"),
                    "{}",
                    got[0].message_zh
                );
            }
        }
        let mut w = World::new(day(3, 10));
        w.items = vec![item(1, day(3, 5), ReconciliationState::Pending)];
        w.params.unreconciled_days = 4;
        assert_eq!(w.run(unreconciled_transfer).len(), 1);
    }

    #[test]
    fn confirmed_with_differences_and_disputed_items() {
        let confirming = on(
            day(3, 3),
            ent(2),
            PurchaseInbound,
            Some(ent(1)),
            vec![line(prod(1), "B1", 8)],
        );
        let diff = |p, b: &str, sent, received| LineDifference {
            product_id: p,
            batch: b.into(),
            sent,
            received,
        };
        let confirmed = |differences| ReconciliationState::Confirmed {
            document: confirming.id,
            differences,
            reason: Some("运输破损".into()),
        };
        // (state, expected mismatches as (product, batch, received - sent), disputed?)
        type Case = (
            ReconciliationState,
            Vec<(ProductId, &'static str, i64)>,
            bool,
        );
        let cases: Vec<Case> = vec![
            (confirmed(vec![]), vec![], false),
            (confirmed(vec![diff(prod(1), "B1", 10, 10)]), vec![], false),
            (
                confirmed(vec![diff(prod(1), "B1", 10, 8)]),
                vec![(prod(1), "B1", -2)],
                false,
            ),
            (
                confirmed(vec![diff(prod(2), "B2", 5, 6), diff(prod(1), "B1", 10, 8)]),
                vec![(prod(1), "B1", -2), (prod(2), "B2", 1)],
                false,
            ),
            (ReconciliationState::Pending, vec![], false),
            (
                ReconciliationState::Disputed {
                    reason: "未收到货".into(),
                },
                vec![],
                true,
            ),
        ];
        for (i, (state, want, disputed)) in cases.into_iter().enumerate() {
            let mut w = World::new(day(3, 10));
            w.items = vec![item(1, day(3, 9), state)];
            w.documents = vec![confirming.clone()];
            let got = w.run(quantity_mismatch);
            targets(&got, WarningKind::QuantityMismatch);
            let seen: Vec<_> = got
                .iter()
                .map(|x| {
                    (
                        x.product_id.unwrap(),
                        x.batch.as_deref().unwrap(),
                        x.evidence.quantity.unwrap(),
                    )
                })
                .collect();
            let mut want = want;
            want.sort();
            let mut seen = seen;
            seen.sort();
            assert_eq!(seen, want, "case {i}");
            for x in &got {
                assert_eq!(x.enterprise_id, Some(ent(1)));
                assert_eq!(x.evidence.documents.len(), 2);
                assert_eq!(x.evidence.documents[1].id, confirming.id);
            }
            let got = w.run(transfer_disputed);
            let t = targets(&got, WarningKind::TransferDisputed);
            assert_eq!(
                t,
                if disputed {
                    vec![(Some(ent(1)), None, None)]
                } else {
                    vec![]
                },
                "case {i}"
            );
            if disputed {
                assert!(got[0].message_zh.contains("提出异议：未收到货"));
            }
        }
    }

    #[test]
    fn the_mismatch_message_lists_both_quantities() {
        let mut w = World::new(day(3, 10));
        w.items = vec![item(
            1,
            day(3, 9),
            ReconciliationState::Confirmed {
                document: TransactionId(Uuid::nil()),
                differences: vec![LineDifference {
                    product_id: prod(1),
                    batch: "B1".into(),
                    sent: 10,
                    received: 8,
                }],
                reason: None,
            },
        )];
        let got = w.run(quantity_mismatch);
        assert_eq!(
            got[0].message_zh,
            format!(
                "兰州某某商贸有限公司 确认 {WHOLESALER} 的销售出库（单号 XS1）数量不符：{CREAM} 批号 B1 发出 10，收到 8"
            )
        );
        // The confirming document is not among the records: only the source is cited.
        assert_eq!(got[0].evidence.documents.len(), 1);
    }
}
