//! Rules over submitted 销售出库: goods sold after expiry, or after a recall or nonconforming
//! listing reached the batch.

use super::{
    Context, DocumentRef, Evidence, LineGroup, Target, Warning, WarningInput, WarningKind,
    group_lines, single,
};
use crate::model::{Transaction, TransactionKind};

/// A 销售出库 line whose expiry (the line's, else the ledger's) is before the document date (High).
pub fn sold_after_expiry(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, sold_after_expiry_into)
}

/// A 销售出库 of a recalled batch dated on or after the recall's start date (High).
pub fn recalled_batch_sold(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, recalled_batch_sold_into)
}

/// A 销售出库 of a nonconforming batch dated on or after the day it was found (High).
pub fn nonconforming_batch_sold(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, nonconforming_batch_sold_into)
}

fn sales<'a, 'c>(ctx: &'c Context<'a>) -> impl Iterator<Item = &'a Transaction> + 'c {
    ctx.live_documents()
        .filter(|d| d.kind == TransactionKind::SalesOutbound)
}

fn buyer(doc: &Transaction) -> &str {
    doc.counterparty.as_ref().map_or("", |c| c.name.as_str())
}

fn sale_target<'d, T>(doc: &Transaction, g: &LineGroup<'d, T>) -> Target<'d> {
    Target {
        enterprise: Some(doc.enterprise_id),
        product: Some(g.product),
        batch: Some(g.batch),
        subject: Some(doc.id.0),
    }
}

fn quantity(q: u64) -> Option<i64> {
    Some(i64::try_from(q).unwrap_or(i64::MAX))
}

pub(super) fn sold_after_expiry_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let ledger = ctx.input.ledger;
    for doc in sales(ctx) {
        let hits = doc.lines.iter().filter_map(|l| {
            // Lines often leave the expiry out; the batch's expiry from its inbound documents then
            // stands in.
            let expiry = l.expiry_date.or_else(|| {
                ledger
                    .balance(doc.enterprise_id, l.product_id, &l.batch)
                    .and_then(|b| b.expiry)
            })?;
            (expiry < doc.date).then_some((l, expiry))
        });
        for g in group_lines(hits, std::cmp::min) {
            let (e, p) = (
                ctx.enterprise_name(doc.enterprise_id),
                ctx.product_name(g.product, g.product_name),
            );
            let (b, q, expiry, date, no, to) = (
                g.batch,
                g.quantity,
                g.extra,
                doc.date,
                &doc.number,
                buyer(doc),
            );
            out.push(Warning::new(
                WarningKind::SoldAfterExpiry,
                sale_target(doc, &g),
                Evidence {
                    documents: vec![DocumentRef::of(doc, q)],
                    quantity: quantity(q),
                    date: Some(expiry),
                    ..Evidence::default()
                },
                format!(
                    "{e} 于 {date} 向 {to} 销售出库已过期批次 {p} 批号 {b}（有效期至 {expiry}），数量 {q}，单号 {no}"
                ),
                format!(
                    "{e} sold {q} of batch {b} of {p} to {to} on {date}, after its expiry date {expiry} (document {no})"
                ),
            ));
        }
    }
}

pub(super) fn recalled_batch_sold_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let blocks = ctx.blocks();
    for doc in sales(ctx) {
        let hits = doc.lines.iter().filter_map(|l| {
            // The earliest covering recall is the one to compare with: if even it started after
            // the sale, no recall applied yet.
            let r = blocks.recall(l.product_id, &l.batch)?;
            (r.start_date <= doc.date).then_some((l, r))
        });
        for g in group_lines(hits, |a, _| a) {
            let r = g.extra;
            let (e, p) = (
                ctx.enterprise_name(doc.enterprise_id),
                ctx.product_name(g.product, g.product_name),
            );
            let (b, q, start, date, no, to) = (
                g.batch,
                g.quantity,
                r.start_date,
                doc.date,
                &doc.number,
                buyer(doc),
            );
            out.push(Warning::new(
                WarningKind::RecalledBatchSold,
                sale_target(doc, &g),
                Evidence {
                    documents: vec![DocumentRef::of(doc, q)],
                    recall: Some(r.id),
                    quantity: quantity(q),
                    date: Some(start),
                    ..Evidence::default()
                },
                format!(
                    "{e} 于 {date} 向 {to} 销售出库召回批次 {p} 批号 {b}，数量 {q}，单号 {no}（召回开始于 {start}）"
                ),
                format!(
                    "{e} sold {q} of recalled batch {b} of {p} to {to} on {date} (document {no}); the recall started {start}"
                ),
            ));
        }
    }
}

pub(super) fn nonconforming_batch_sold_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let blocks = ctx.blocks();
    for doc in sales(ctx) {
        let hits = doc.lines.iter().filter_map(|l| {
            let n = blocks.listing(l.product_id, &l.batch)?;
            (n.found_on <= doc.date).then_some((l, n))
        });
        for g in group_lines(hits, |a, _| a) {
            let n = g.extra;
            let (e, p) = (
                ctx.enterprise_name(doc.enterprise_id),
                ctx.product_name(g.product, g.product_name),
            );
            let (b, q, found, defect, date, no, to) = (
                g.batch,
                g.quantity,
                n.found_on,
                &n.defect,
                doc.date,
                &doc.number,
                buyer(doc),
            );
            out.push(Warning::new(
                WarningKind::NonconformingBatchSold,
                sale_target(doc, &g),
                Evidence {
                    documents: vec![DocumentRef::of(doc, q)],
                    nonconforming: Some(n.id),
                    quantity: quantity(q),
                    date: Some(found),
                    ..Evidence::default()
                },
                format!(
                    "{e} 于 {date} 向 {to} 销售出库不合格批次 {p} 批号 {b}，数量 {q}，单号 {no}（{found} 发现：{defect}）"
                ),
                format!(
                    "{e} sold {q} of nonconforming batch {b} of {p} to {to} on {date} (document {no}); found {found}: {defect}"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::model::*;
    use crate::rules::status::tests::{listing, recall};
    use crate::rules::testing::*;
    use chrono::NaiveDate;

    type SeenQ = Vec<(
        Option<EnterpriseId>,
        Option<ProductId>,
        Option<String>,
        Option<i64>,
    )>;

    fn b1(q: i64) -> SeenQ {
        vec![(Some(ent(1)), Some(prod(1)), Some("B1".into()), Some(q))]
    }

    fn seen(ws: &[Warning], kind: WarningKind) -> SeenQ {
        targets(ws, kind)
            .into_iter()
            .zip(ws)
            .map(|((e, p, b), w)| (e, p, b, w.evidence.quantity))
            .collect()
    }

    #[test]
    fn sold_after_expiry_uses_the_line_else_the_ledger() {
        // (inbound expiry, sale line expiry, sale date, kind of the sale, submitted?, expected)
        type Case = (
            Option<NaiveDate>,
            Option<NaiveDate>,
            NaiveDate,
            TransactionKind,
            bool,
            bool,
        );
        let cases: [Case; 8] = [
            (None, Some(day(2, 28)), day(3, 1), SalesOutbound, true, true),
            (None, Some(day(3, 1)), day(3, 1), SalesOutbound, true, false), // last valid day
            (Some(day(2, 28)), None, day(3, 1), SalesOutbound, true, true), // from the ledger
            (Some(day(3, 2)), None, day(3, 1), SalesOutbound, true, false),
            (None, None, day(3, 1), SalesOutbound, true, false), // expiry unknown
            (
                Some(day(2, 28)),
                Some(day(12, 1)),
                day(3, 1),
                SalesOutbound,
                true,
                false,
            ), // line wins
            (
                None,
                Some(day(2, 28)),
                day(3, 1),
                PurchaseReturn,
                true,
                false,
            ),
            (
                None,
                Some(day(2, 28)),
                day(3, 1),
                SalesOutbound,
                false,
                false,
            ), // draft
        ];
        for (i, (in_expiry, line_expiry, date, kind, submit, want)) in cases.into_iter().enumerate()
        {
            let mut w = World::new(day(3, 10));
            w.documents.push(on(
                day(1, 1),
                ent(1),
                FinishedGoodsInbound,
                None,
                vec![expiring(prod(1), "B1", 50, in_expiry)],
            ));
            let mut sale = on(
                date,
                ent(1),
                kind,
                Some(ent(2)),
                vec![expiring(prod(1), "B1", 7, line_expiry)],
            );
            if !submit {
                sale.status = RecordStatus::Draft;
            }
            w.documents.push(sale.clone());
            let got = w.run(sold_after_expiry);
            assert_eq!(
                seen(&got, WarningKind::SoldAfterExpiry),
                if want { b1(7) } else { vec![] },
                "case {i}"
            );
            if want {
                assert_eq!(got[0].evidence.documents[0].id, sale.id);
                assert_eq!(got[0].evidence.documents[0].quantity, 7);
                assert!(
                    got[0].message_zh.contains("已过期批次"),
                    "{}",
                    got[0].message_zh
                );
            }
        }
    }

    #[test]
    fn lines_of_one_batch_merge_and_corrected_sales_do_not_count() {
        let mut w = World::new(day(3, 10));
        let old = Some(day(1, 1));
        let sale = on(
            day(3, 1),
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![
                expiring(prod(1), "B1", 3, old),
                expiring(prod(1), "B1", 4, old),
                expiring(prod(1), "B2", 1, None),
            ],
        );
        w.documents.push(sale.clone());
        let got = w.run(sold_after_expiry);
        assert_eq!(seen(&got, WarningKind::SoldAfterExpiry), b1(7));

        let mut fix = on(
            day(3, 1),
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![line(prod(1), "B1", 7)],
        );
        fix.corrects = Some(sale.id);
        w.documents.push(fix);
        assert!(w.run(sold_after_expiry).is_empty());
    }

    #[test]
    fn recalled_and_nonconforming_batches_sold() {
        // The recall starts 2026-03-01, the listing was found 2026-02-01.
        // (sale date, recall batches & status, listing state, recalled?, nonconforming?)
        type Case = (
            NaiveDate,
            Option<(&'static [&'static str], RecallStatus)>,
            Option<NonconformingStatus>,
            bool,
            bool,
        );
        let cases: [Case; 8] = [
            (
                day(3, 1),
                Some((&["B1"], RecallStatus::Active)),
                None,
                true,
                false,
            ),
            (
                day(2, 28),
                Some((&["B1"], RecallStatus::Active)),
                None,
                false,
                false,
            ),
            (
                day(3, 5),
                Some((&[], RecallStatus::Completed)),
                None,
                true,
                false,
            ),
            (
                day(3, 5),
                Some((&["B1"], RecallStatus::Planned)),
                None,
                false,
                false,
            ),
            (
                day(3, 5),
                Some((&["B9"], RecallStatus::Active)),
                None,
                false,
                false,
            ),
            (
                day(2, 1),
                None,
                Some(NonconformingStatus::Open),
                false,
                true,
            ),
            (
                day(1, 31),
                None,
                Some(NonconformingStatus::Open),
                false,
                false,
            ),
            (
                day(3, 5),
                None,
                Some(NonconformingStatus::Revoked),
                false,
                false,
            ),
        ];
        for (i, (date, r, n, recalled, nonconforming)) in cases.into_iter().enumerate() {
            let mut w = World::new(day(3, 10));
            w.recalls.extend(r.map(|(b, s)| recall(prod(1), b, s)));
            w.nonconforming
                .extend(n.map(|s| listing(prod(1), &["B1"], s)));
            w.documents.push(on(
                date,
                ent(1),
                SalesOutbound,
                Some(ent(2)),
                vec![line(prod(1), "B1", 3)],
            ));
            w.documents.push(on(
                date,
                ent(1),
                SalesReturn,
                Some(ent(2)),
                vec![line(prod(1), "B1", 1)],
            ));
            let got = w.run(recalled_batch_sold);
            assert_eq!(
                seen(&got, WarningKind::RecalledBatchSold),
                if recalled { b1(3) } else { vec![] },
                "case {i}"
            );
            if recalled {
                assert_eq!(got[0].evidence.recall, Some(w.recalls[0].id));
            }
            let got = w.run(nonconforming_batch_sold);
            assert_eq!(
                seen(&got, WarningKind::NonconformingBatchSold),
                if nonconforming { b1(3) } else { vec![] },
                "case {i}"
            );
            if nonconforming {
                assert_eq!(got[0].evidence.nonconforming, Some(w.nonconforming[0].id));
                assert!(
                    got[0]
                        .message_en
                        .contains("sold 3 of nonconforming batch B1")
                );
            }
        }
    }

    #[test]
    fn a_later_recall_of_the_same_batch_does_not_hide_an_earlier_one() {
        let mut w = World::new(day(3, 10));
        let mut later = recall(prod(1), &["B1"], RecallStatus::Active);
        later.start_date = day(3, 8);
        let mut earlier = recall(prod(1), &[], RecallStatus::Active);
        earlier.start_date = day(2, 1);
        w.recalls = vec![later, earlier.clone()];
        w.documents.push(on(
            day(3, 5),
            ent(1),
            SalesOutbound,
            None,
            vec![line(prod(1), "B1", 2)],
        ));
        let got = w.run(recalled_batch_sold);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].evidence.recall, Some(earlier.id));
    }
}
