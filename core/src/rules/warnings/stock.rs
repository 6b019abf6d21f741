//! Rules over the stock ledger: expired, near-expiry, negative, recalled or nonconforming stock
//! still held, and opening balances without a source document.

use super::{Context, DocumentRef, Evidence, Target, Warning, WarningInput, WarningKind, single};
use crate::model::{EnterpriseId, ProductId, TransactionId};
use crate::rules::ledger::StockRow;
use chrono::Days;
use std::collections::{BTreeMap, BTreeSet};

/// Stock held (held > 0) of a batch whose expiry date is before today (High).
pub fn expired_stock_held(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, expired_stock_held_into)
}

/// Stock held of a batch expiring between today and today + `near_expiry_days` (Low).
pub fn near_expiry_stock(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, near_expiry_stock_into)
}

/// Stock held of a batch a recall covers (High).
pub fn recalled_batch_held(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, recalled_batch_held_into)
}

/// Stock held of a batch listed as nonconforming (High).
pub fn nonconforming_batch_held(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, nonconforming_batch_held_into)
}

/// Ledger rows whose held quantity is negative: more went out than came in (High).
pub fn negative_stock(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, negative_stock_into)
}

/// Every opening balance recorded by override: stock that appeared without a source (Low).
pub fn opening_balance_anomaly(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, opening_balance_anomaly_into)
}

fn held_rows<'c>(ctx: &'c Context<'_>) -> impl Iterator<Item = (&'c StockRow, i64)> {
    ctx.rows()
        .iter()
        .map(|r| (r, r.balance.held()))
        .filter(|&(_, held)| held > 0)
}

fn row_target(row: &StockRow) -> Target<'_> {
    Target {
        enterprise: Some(row.enterprise_id),
        product: Some(row.product_id),
        batch: Some(&row.batch),
        subject: None,
    }
}

pub(super) fn expired_stock_held_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let today = ctx.input.today;
    for (row, held) in held_rows(ctx) {
        let Some(expiry) = row.balance.expiry.filter(|&x| x < today) else {
            continue;
        };
        let (e, p) = (
            ctx.enterprise_name(row.enterprise_id),
            ctx.product_name(row.product_id, ""),
        );
        let b = &row.batch;
        out.push(Warning::new(
            WarningKind::ExpiredStockHeld,
            row_target(row),
            Evidence {
                quantity: Some(held),
                date: Some(expiry),
                ..Evidence::default()
            },
            format!("{e} 持有已过期批次 {p} 批号 {b}（有效期至 {expiry}），数量 {held}"),
            format!("{e} holds {held} of expired batch {b} of {p} (expiry date {expiry})"),
        ));
    }
}

pub(super) fn near_expiry_stock_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let today = ctx.input.today;
    let horizon = today
        .checked_add_days(Days::new(u64::from(ctx.input.params.near_expiry_days)))
        .unwrap_or(chrono::NaiveDate::MAX);
    for (row, held) in held_rows(ctx) {
        let Some(expiry) = row.balance.expiry.filter(|&x| today <= x && x <= horizon) else {
            continue;
        };
        let left = (expiry - today).num_days();
        let (e, p) = (
            ctx.enterprise_name(row.enterprise_id),
            ctx.product_name(row.product_id, ""),
        );
        let b = &row.batch;
        out.push(Warning::new(
            WarningKind::NearExpiryStock,
            row_target(row),
            Evidence {
                quantity: Some(held),
                date: Some(expiry),
                ..Evidence::default()
            },
            format!(
                "{e} 持有临近有效期批次 {p} 批号 {b}（有效期至 {expiry}，剩余 {left} 天），数量 {held}"
            ),
            format!(
                "{e} holds {held} of batch {b} of {p} expiring on {expiry} ({left} days left)"
            ),
        ));
    }
}

pub(super) fn recalled_batch_held_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let blocks = ctx.blocks();
    for (row, held) in held_rows(ctx) {
        let Some(recall) = blocks.recall(row.product_id, &row.batch) else {
            continue;
        };
        let (e, p) = (
            ctx.enterprise_name(row.enterprise_id),
            ctx.product_name(row.product_id, &recall.product_name),
        );
        let (b, start) = (&row.batch, recall.start_date);
        out.push(Warning::new(
            WarningKind::RecalledBatchHeld,
            row_target(row),
            Evidence {
                recall: Some(recall.id),
                quantity: Some(held),
                date: Some(start),
                ..Evidence::default()
            },
            format!("{e} 持有召回批次 {p} 批号 {b}，数量 {held}（召回开始于 {start}）"),
            format!("{e} holds {held} of recalled batch {b} of {p} (recall started {start})"),
        ));
    }
}

pub(super) fn nonconforming_batch_held_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let blocks = ctx.blocks();
    for (row, held) in held_rows(ctx) {
        let Some(listing) = blocks.listing(row.product_id, &row.batch) else {
            continue;
        };
        let (e, p) = (
            ctx.enterprise_name(row.enterprise_id),
            ctx.product_name(row.product_id, &listing.product_name),
        );
        let (b, found, defect) = (&row.batch, listing.found_on, &listing.defect);
        out.push(Warning::new(
            WarningKind::NonconformingBatchHeld,
            row_target(row),
            Evidence {
                nonconforming: Some(listing.id),
                quantity: Some(held),
                date: Some(found),
                ..Evidence::default()
            },
            format!("{e} 持有不合格批次 {p} 批号 {b}，数量 {held}（{found} 发现：{defect}）"),
            format!("{e} holds {held} of nonconforming batch {b} of {p} (found {found}: {defect})"),
        ));
    }
}

pub(super) fn negative_stock_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    for row in ctx.rows() {
        let held = row.balance.held();
        if held >= 0 {
            continue;
        }
        let (e, p) = (
            ctx.enterprise_name(row.enterprise_id),
            ctx.product_name(row.product_id, ""),
        );
        let b = &row.batch;
        let (i, o, opening) = (
            row.balance.inbound,
            row.balance.outbound,
            row.balance.opening,
        );
        out.push(Warning::new(
            WarningKind::NegativeStock,
            row_target(row),
            Evidence {
                quantity: Some(held),
                ..Evidence::default()
            },
            format!("{e} 的 {p} 批号 {b} 库存为负：{held}（入库 {i}，期初 {opening}，出库 {o}）"),
            format!(
                "{e}'s stock of batch {b} of {p} is negative: {held} (in {i}, opening {opening}, out {o})"
            ),
        ));
    }
}

type OpeningKey<'o> = (EnterpriseId, ProductId, TransactionId, &'o str);

pub(super) fn opening_balance_anomaly_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    // One opening per document and batch is what submit records; merging keeps keys unique
    // should a document have needed two.
    let mut merged: BTreeMap<OpeningKey<'_>, (u64, BTreeSet<&str>)> = BTreeMap::new();
    for o in ctx.input.openings {
        let slot = merged
            .entry((o.enterprise_id, o.product_id, o.document, o.batch.as_str()))
            .or_default();
        slot.0 += o.quantity;
        slot.1.insert(o.reason.as_str());
    }
    for ((enterprise, product, document, batch), (quantity, reasons)) in merged {
        let source = ctx.document(document);
        let on_document = source
            .and_then(|d| d.lines.iter().find(|l| l.product_id == product))
            .map_or("", |l| l.product_name.as_str());
        let (e, p) = (
            ctx.enterprise_name(enterprise),
            ctx.product_name(product, on_document),
        );
        let number = source.map_or_else(|| document.to_string(), |d| d.number.clone());
        let reason = reasons.into_iter().collect::<Vec<_>>().join("；");
        let documents = source
            .map(|d| {
                let moved = d
                    .lines
                    .iter()
                    .filter(|l| l.product_id == product && l.batch == batch)
                    .map(|l| u64::from(l.quantity))
                    .sum();
                vec![DocumentRef::of(d, moved)]
            })
            .unwrap_or_default();
        out.push(Warning::new(
            WarningKind::OpeningBalanceAnomaly,
            Target {
                enterprise: Some(enterprise),
                product: Some(product),
                batch: Some(batch),
                subject: Some(document.0),
            },
            Evidence {
                documents,
                quantity: Some(i64::try_from(quantity).unwrap_or(i64::MAX)),
                ..Evidence::default()
            },
            format!(
                "{e} 以期初库存录入 {p} 批号 {b}，数量 {quantity}，无来源单据（单号 {number}）；理由：{reason}",
                b = batch
            ),
            format!(
                "{e} entered an opening balance of {quantity} of batch {b} of {p} without a source document (document {number}); reason: {reason}",
                b = batch
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::model::*;
    use crate::rules::ledger::OpeningBalance;
    use crate::rules::status::tests::{listing, recall};
    use crate::rules::testing::*;
    use chrono::NaiveDate;

    /// Enterprise 1 receives `inbound` of product 1 batch B1 expiring on `expiry`, then sells `out`.
    fn stock(today: NaiveDate, inbound: u32, out: u32, expiry: Option<NaiveDate>) -> World {
        let mut w = World::new(today);
        w.documents.push(on(
            day(1, 1),
            ent(1),
            FinishedGoodsInbound,
            None,
            vec![expiring(prod(1), "B1", inbound, expiry)],
        ));
        if out > 0 {
            w.documents.push(on(
                day(1, 2),
                ent(1),
                SalesOutbound,
                Some(ent(2)),
                vec![expiring(prod(1), "B1", out, None)],
            ));
        }
        w
    }

    fn b1() -> Seen {
        vec![(Some(ent(1)), Some(prod(1)), Some("B1".into()))]
    }

    #[test]
    fn expired_and_near_expiry_stock() {
        let today = day(3, 1);
        // (inbound, out, expiry, expired?, near?)
        let cases = [
            (12, 0, Some(day(2, 28)), true, false),
            (12, 0, Some(day(3, 1)), false, true),
            (12, 0, Some(day(5, 30)), false, true), // exactly today + 90
            (12, 0, Some(day(5, 31)), false, false),
            (12, 12, Some(day(2, 28)), false, false), // nothing held
            (12, 14, Some(day(2, 28)), false, false), // negative, not "held"
            (12, 0, None, false, false),
        ];
        for (inbound, out, expiry, expired, near) in cases {
            let w = stock(today, inbound, out, expiry);
            let got = w.run(expired_stock_held);
            assert_eq!(
                targets(&got, WarningKind::ExpiredStockHeld),
                if expired { b1() } else { vec![] },
                "{expiry:?} {inbound}-{out}"
            );
            let got_near = w.run(near_expiry_stock);
            assert_eq!(
                targets(&got_near, WarningKind::NearExpiryStock),
                if near { b1() } else { vec![] },
                "{expiry:?} {inbound}-{out}"
            );
        }
    }

    #[test]
    fn the_expired_message_names_enterprise_product_batch_and_quantity() {
        let w = stock(day(3, 1), 20, 8, Some(day(1, 31)));
        let got = w.run(expired_stock_held);
        assert_eq!(
            got[0].message_zh,
            format!("{WHOLESALER} 持有已过期批次 {CREAM} 批号 B1（有效期至 2026-01-31），数量 12")
        );
        assert!(got[0].message_en.contains("holds 12 of expired batch B1"));
        assert_eq!(got[0].evidence.quantity, Some(12));
        assert_eq!(got[0].evidence.date, Some(day(1, 31)));
    }

    #[test]
    fn the_near_expiry_window_follows_the_parameter() {
        let mut w = stock(day(3, 1), 5, 0, Some(day(3, 20)));
        w.params.near_expiry_days = 10;
        assert!(w.run(near_expiry_stock).is_empty());
        w.params.near_expiry_days = 19;
        assert_eq!(w.run(near_expiry_stock).len(), 1);
    }

    #[test]
    fn recalled_and_nonconforming_batches_held() {
        // (recall batches & status, listing batches & state, held, recalled?, nonconforming?)
        type Case = (
            Option<(&'static [&'static str], RecallStatus)>,
            Option<(&'static [&'static str], NonconformingStatus)>,
            u32,
            bool,
            bool,
        );
        let cases: [Case; 8] = [
            (Some((&["B1"], RecallStatus::Active)), None, 5, true, false),
            (Some((&[], RecallStatus::Completed)), None, 5, true, false),
            (
                Some((&["B1"], RecallStatus::Planned)),
                None,
                5,
                false,
                false,
            ),
            (Some((&["B2"], RecallStatus::Active)), None, 5, false, false),
            (Some((&["B1"], RecallStatus::Active)), None, 0, false, false),
            (
                None,
                Some((&["B1"], NonconformingStatus::Closed)),
                5,
                false,
                true,
            ),
            (
                None,
                Some((&["B1"], NonconformingStatus::Revoked)),
                5,
                false,
                false,
            ),
            (
                Some((&["B1"], RecallStatus::Active)),
                Some((&[], NonconformingStatus::Open)),
                5,
                true,
                true,
            ),
        ];
        for (i, (r, n, held, recalled, nonconforming)) in cases.into_iter().enumerate() {
            let mut w = stock(day(3, 1), 5, 5 - held, None);
            w.recalls.extend(r.map(|(b, s)| recall(prod(1), b, s)));
            w.nonconforming
                .extend(n.map(|(b, s)| listing(prod(1), b, s)));
            let got = w.run(recalled_batch_held);
            assert_eq!(
                targets(&got, WarningKind::RecalledBatchHeld),
                if recalled { b1() } else { vec![] },
                "case {i}"
            );
            if recalled {
                assert_eq!(got[0].evidence.recall, Some(w.recalls[0].id));
                assert_eq!(got[0].evidence.quantity, Some(i64::from(held)));
            }
            let got = w.run(nonconforming_batch_held);
            assert_eq!(
                targets(&got, WarningKind::NonconformingBatchHeld),
                if nonconforming { b1() } else { vec![] },
                "case {i}"
            );
            if nonconforming {
                assert_eq!(got[0].evidence.nonconforming, Some(w.nonconforming[0].id));
            }
        }
    }

    #[test]
    fn the_earliest_recall_is_cited_whatever_the_input_order() {
        let mut w = stock(day(3, 1), 5, 0, None);
        let mut late = recall(prod(1), &[], RecallStatus::Active);
        late.start_date = day(2, 20);
        let mut early = recall(prod(1), &["B1"], RecallStatus::Active);
        early.start_date = day(2, 10);
        w.recalls = vec![late, early.clone()];
        let got = w.run(recalled_batch_held);
        assert_eq!(got[0].evidence.recall, Some(early.id));
        w.recalls.reverse();
        assert_eq!(w.run(recalled_batch_held), got);
    }

    #[test]
    fn negative_stock_only_below_zero() {
        // (inbound, out, negative?)
        let cases = [(10, 11, true), (10, 10, false), (10, 3, false)];
        for (inbound, out, negative) in cases {
            let w = stock(day(3, 1), inbound, out, None);
            let got = w.run(negative_stock);
            assert_eq!(
                targets(&got, WarningKind::NegativeStock),
                if negative { b1() } else { vec![] },
                "{inbound}-{out}"
            );
            if negative {
                assert_eq!(
                    got[0].evidence.quantity,
                    Some(i64::from(inbound) - i64::from(out))
                );
                assert!(got[0].message_zh.contains("库存为负：-1"));
            }
        }
    }

    #[test]
    fn every_opening_balance_is_an_anomaly() {
        let mut w = World::new(day(3, 1));
        let sale = on(
            day(2, 1),
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![line(prod(1), "B1", 10)],
        );
        let opening = |batch: &str, quantity| OpeningBalance {
            enterprise_id: ent(1),
            product_id: prod(1),
            batch: batch.into(),
            quantity,
            document: sale.id,
            reason: "上线前库存".into(),
        };
        // (openings, expected (batch, quantity))
        type Case = (Vec<OpeningBalance>, Vec<(&'static str, i64)>);
        let cases: [Case; 3] = [
            (vec![], vec![]),
            (vec![opening("B1", 10)], vec![("B1", 10)]),
            (
                vec![opening("B1", 4), opening("B1", 6), opening("B2", 1)],
                vec![("B1", 10), ("B2", 1)],
            ),
        ];
        w.documents = vec![sale.clone()];
        for (openings, want) in cases {
            w.openings = openings;
            let got = w.run(opening_balance_anomaly);
            targets(&got, WarningKind::OpeningBalanceAnomaly);
            let got: Vec<(&str, i64)> = got
                .iter()
                .map(|x| (x.batch.as_deref().unwrap(), x.evidence.quantity.unwrap()))
                .collect();
            assert_eq!(got, want);
        }
        w.openings = vec![opening("B1", 10)];
        let got = w.run(opening_balance_anomaly);
        assert_eq!(got[0].evidence.documents[0].id, sale.id);
        assert_eq!(got[0].evidence.documents[0].quantity, 10);
        assert!(got[0].message_zh.contains("上线前库存"));
        assert!(got[0].message_zh.contains(&sale.number));
    }
}
