//! The checks a document passes at submit: lifecycle, stock on hand, sales blocks.

use super::ledger::{Ledger, OpeningBalance};
use super::lifecycle::{self, Action};
use super::sales_block::check_sale;
use super::status::Blocks;
use crate::model::{ProductId, StockDirection, Transaction};
use crate::problem::Problem;
use std::collections::BTreeMap;

/// What the submit checks consult.
#[derive(Debug, Clone, Copy)]
pub struct SubmitContext<'a> {
    /// The enterprise's stock before this document.
    pub ledger: &'a Ledger,
    /// Recalls and nonconforming listings in force.
    pub blocks: Blocks<'a>,
    /// The document this one corrects, whose effect it replaces.
    pub corrected: Option<&'a Transaction>,
    /// The user's explicit reason to accept stock that the records do not show (期初库存);
    /// without it, sending out more than is held is refused.
    pub opening_override: Option<&'a str>,
}

/// The outcome of the submit checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitCheck {
    /// Problems that refuse the submit; empty means it may go ahead.
    pub problems: Vec<Problem>,
    /// Opening balances to record as anomalies with the document (only under an override).
    pub openings: Vec<OpeningBalance>,
}

impl SubmitCheck {
    /// Whether the submit may go ahead.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Signed stock effect per product and batch, with the first line that touches each.
fn effects(doc: &Transaction, sign: i64, into: &mut BTreeMap<(ProductId, String), (i64, usize)>) {
    let s = match doc.kind.direction() {
        StockDirection::In => sign,
        StockDirection::Out => -sign,
    };
    for (i, l) in doc.lines.iter().enumerate() {
        let e = into
            .entry((l.product_id, l.batch.clone()))
            .or_insert((0, i));
        e.0 += s * i64::from(l.quantity);
    }
}

/// Runs every submit rule on a draft document and reports all problems at once.
pub fn check_submit(doc: &Transaction, ctx: &SubmitContext<'_>) -> SubmitCheck {
    let mut check = SubmitCheck::default();
    if let Err(p) = lifecycle::check(&doc.status, Action::Submit) {
        check.problems.push(p);
        return check;
    }
    // The net change this document makes, net of the document it replaces: a correction may
    // only take stock that the corrected version did not already take.
    let mut delta = BTreeMap::new();
    effects(doc, 1, &mut delta);
    if let Some(old) = ctx.corrected {
        effects(old, -1, &mut delta);
    }
    for ((product, batch), (change, first_line)) in delta {
        let held = ctx.ledger.held(doc.enterprise_id, product, &batch);
        let after = held + change;
        if change >= 0 || after >= 0 {
            continue;
        }
        let line = doc.lines.get(first_line);
        let name = line.map_or("", |l| l.product_name.as_str());
        match ctx.opening_override.map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => check.openings.push(OpeningBalance {
                enterprise_id: doc.enterprise_id,
                product_id: product,
                batch: batch.clone(),
                quantity: after.unsigned_abs(),
                document: doc.id,
                reason: reason.to_owned(),
            }),
            None => check.problems.push(Problem::error(
                format!("lines[{first_line}].quantity"),
                "stock.insufficient",
                format!(
                    "{name} 批号 {batch} 库存不足：现有 {held}，本单需 {}；如为系统外期初库存，请填写期初库存说明后提交",
                    held - after
                ),
                format!(
                    "{name} batch {batch}: only {held} in stock, this document needs {}; if the stock predates your records here, submit with an opening-balance note",
                    held - after
                ),
            )),
        }
    }
    check
        .problems
        .extend(check_sale(doc, &ctx.blocks, ctx.ledger));
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::model::*;
    use crate::rules::status::tests::recall;
    use crate::rules::testing::*;
    use proptest::prelude::*;

    fn ctx<'a>(ledger: &'a Ledger, recalls: &'a [Recall]) -> SubmitContext<'a> {
        SubmitContext {
            ledger,
            blocks: Blocks::new(recalls, &[]),
            corrected: None,
            opening_override: None,
        }
    }

    #[test]
    fn sending_out_more_than_is_held_is_refused() {
        let (a, p) = (ent(1), prod(1));
        let ledger = Ledger::from_documents(
            &[submitted(doc(
                a,
                FinishedGoodsInbound,
                None,
                vec![line(p, "B", 10)],
            ))],
            &[],
        );
        let ok = doc(
            a,
            SalesOutbound,
            None,
            vec![line(p, "B", 6), line(p, "B", 4)],
        );
        assert!(check_submit(&ok, &ctx(&ledger, &[])).is_ok());
        let over = doc(
            a,
            SalesOutbound,
            None,
            vec![line(p, "B", 6), line(p, "B", 5), line(p, "C", 1)],
        );
        let c = check_submit(&over, &ctx(&ledger, &[]));
        let fields: Vec<_> = c
            .problems
            .iter()
            .map(|p| (p.rule.as_str(), p.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("stock.insufficient", "lines[0].quantity"),
                ("stock.insufficient", "lines[2].quantity")
            ]
        );
        assert!(c.problems[0].message_zh.contains("现有 10，本单需 11"));
        assert!(c.openings.is_empty());
        // Inbound documents never lack stock.
        assert!(
            check_submit(
                &doc(a, PurchaseInbound, None, vec![line(p, "Z", 99)]),
                &ctx(&ledger, &[])
            )
            .is_ok()
        );
    }

    #[test]
    fn an_override_records_the_shortfall_as_an_opening_balance() {
        let (a, p) = (ent(1), prod(1));
        let ledger = Ledger::new();
        let over = doc(a, SalesOutbound, None, vec![line(p, "B", 7)]);
        let blank = SubmitContext {
            opening_override: Some("  "),
            ..ctx(&ledger, &[])
        };
        assert!(
            !check_submit(&over, &blank).is_ok(),
            "a blank reason is no override"
        );
        let with = SubmitContext {
            opening_override: Some("系统上线前库存"),
            ..ctx(&ledger, &[])
        };
        let c = check_submit(&over, &with);
        assert!(c.is_ok());
        assert_eq!(c.openings.len(), 1);
        assert_eq!(
            (c.openings[0].quantity, c.openings[0].document),
            (7, over.id)
        );
    }

    #[test]
    fn a_correction_is_checked_net_of_the_original() {
        let (a, p) = (ent(1), prod(1));
        let inbound = submitted(doc(a, FinishedGoodsInbound, None, vec![line(p, "B", 10)]));
        let sale = submitted(doc(a, SalesOutbound, None, vec![line(p, "B", 8)]));
        let ledger = Ledger::from_documents(&[inbound.clone(), sale.clone()], &[]);
        let mut bigger = doc(a, SalesOutbound, None, vec![line(p, "B", 10)]);
        bigger.corrects = Some(sale.id);
        let c = SubmitContext {
            corrected: Some(&sale),
            ..ctx(&ledger, &[])
        };
        assert!(
            check_submit(&bigger, &c).is_ok(),
            "8 already taken, 2 more are held"
        );
        bigger.lines[0].quantity = 11;
        assert!(!check_submit(&bigger, &c).is_ok());
        // Lowering an inbound below what was already sold is refused too.
        let mut smaller = doc(a, FinishedGoodsInbound, None, vec![line(p, "B", 5)]);
        smaller.corrects = Some(inbound.id);
        let c = SubmitContext {
            corrected: Some(&inbound),
            ..ctx(&ledger, &[])
        };
        assert_eq!(
            check_submit(&smaller, &c).problems[0].rule,
            "stock.insufficient"
        );
    }

    #[test]
    fn submitted_documents_and_blocked_batches_are_refused() {
        let (a, p) = (ent(1), prod(1));
        let ledger = Ledger::from_documents(
            &[submitted(doc(
                a,
                FinishedGoodsInbound,
                None,
                vec![line(p, "R", 10)],
            ))],
            &[],
        );
        let recalls = [recall(p, &["R"], RecallStatus::Active)];
        let d = doc(a, SalesOutbound, None, vec![line(p, "R", 1)]);
        assert_eq!(
            check_submit(&d, &ctx(&ledger, &recalls)).problems[0].rule,
            "sale.recalled"
        );
        assert_eq!(
            check_submit(&submitted(d), &ctx(&ledger, &[])).problems[0].rule,
            "lifecycle.submitted"
        );
    }

    proptest! {
        /// Whatever is submitted through the checks, the ledger equals Σin − Σout (+ openings)
        /// and never goes negative.
        #[test]
        fn the_ledger_is_in_minus_out_and_never_negative(
            ops in prop::collection::vec((0u8..5, 0u8..3, 0u8..2, 1u32..20, any::<bool>()), 0..80)
        ) {
            let kinds = TransactionKind::ALL;
            let mut ledger = Ledger::new();
            let mut docs = Vec::new();
            let mut openings = Vec::new();
            for (k, e, b, q, force) in ops {
                let (ent_id, batch) = (ent(e.into()), if b == 0 { "B0" } else { "B1" });
                let d = doc(ent_id, kinds[k as usize], None, vec![line(prod(1), batch, q)]);
                let c = SubmitContext {
                    opening_override: force.then_some("期初"),
                    ..ctx(&ledger, &[])
                };
                let check = check_submit(&d, &c);
                if check.is_ok() {
                    let d = submitted(d);
                    for o in &check.openings { ledger.apply_opening(o); }
                    ledger.apply(&d);
                    openings.extend(check.openings);
                    docs.push(d);
                }
            }
            for e in 0..3u128 {
                for batch in ["B0", "B1"] {
                    let sum = |dir: StockDirection| -> i64 {
                        docs.iter()
                            .filter(|d| d.enterprise_id == ent(e) && d.kind.direction() == dir)
                            .flat_map(|d| &d.lines)
                            .filter(|l| l.batch == batch)
                            .map(|l| i64::from(l.quantity))
                            .sum()
                    };
                    let opening: i64 = openings.iter().filter(|o| o.enterprise_id == ent(e) && o.batch == batch).map(|o| o.quantity as i64).sum();
                    let held = ledger.held(ent(e), prod(1), batch);
                    prop_assert_eq!(held, opening + sum(StockDirection::In) - sum(StockDirection::Out));
                    prop_assert!(held >= 0);
                    prop_assert_eq!(Ledger::from_documents(&docs, &openings).held(ent(e), prod(1), batch), held);
                }
            }
        }
    }
}
