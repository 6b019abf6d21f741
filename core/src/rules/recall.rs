//! Recall impact and progress (召回影响与进度): who a recall or a nonconforming listing reaches,
//! with what each received and holds now, and how far the recall has got.
//!
//! The holders come from the batch trace ([`trace_movements`]) of each affected batch: every
//! platform enterprise of the batch network that produced, received or holds some of it, or
//! was sent some it has not booked yet (goods in transit or an unconfirmed inbound). A party
//! that only appears as someone's counterparty and got nothing is not a holder.

use super::trace::{Movement, TraceDirection, TraceStart, trace_movements};
use crate::model::{EnterpriseId, ProductId, RecallProgress};
use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One batch's movements, as an index query returns them (see [`Movement`]).
#[derive(Debug, Clone, Copy)]
pub struct BatchMovements<'m, 'a> {
    /// The batch (批号).
    pub batch: &'m str,
    /// Its counted movements.
    pub movements: &'m [Movement<'a>],
}

/// What one holder has of one batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderBatch {
    /// The batch.
    pub batch: String,
    /// Produced (成品入库) plus bought; returns taken back are not counted again.
    pub received: u64,
    /// What its own records say it holds now (never below zero).
    pub held: u64,
    /// Sent to it (or returned to it) by others and not yet booked by it.
    pub in_transit: u64,
}

/// A platform enterprise a recall or listing reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The enterprise.
    pub enterprise_id: EnterpriseId,
    /// Σ received over the batches.
    pub quantity_received: u64,
    /// Σ held now plus Σ in transit to it: what it has to return or destroy.
    pub quantity_held: u64,
    /// Σ in transit to it (part of `quantity_held`).
    pub quantity_in_transit: u64,
    /// Per batch, in batch order.
    pub batches: Vec<HolderBatch>,
}

/// Every platform enterprise that holds or received any of the `batches` of `product`,
/// ordered by id. Each batch is traced whole, both ways, so the result does not depend on
/// where the problem was found.
pub fn recall_impact(product: ProductId, batches: &[BatchMovements<'_, '_>]) -> Vec<Holder> {
    let mut by_holder: BTreeMap<EnterpriseId, Holder> = BTreeMap::new();
    let mut ordered: Vec<&BatchMovements<'_, '_>> = batches.iter().collect();
    ordered.sort_by_key(|b| b.batch);
    for b in ordered {
        let trace = trace_movements(
            b.movements,
            product,
            b.batch,
            TraceStart::Whole,
            TraceDirection::Both,
        );
        let mut in_transit = vec![0u64; trace.nodes.len()];
        for e in &trace.edges {
            if let Some(slot) = in_transit.get_mut(e.to as usize) {
                *slot += e.sent.saturating_sub(e.received);
            }
        }
        for (node, transit) in trace.nodes.iter().zip(in_transit) {
            let super::trace::Party::Enterprise(id) = node.party else {
                continue;
            };
            let received = node.produced + node.received;
            let held = node.held.map_or(0, |h| u64::try_from(h).unwrap_or(0));
            if received == 0 && held == 0 && transit == 0 {
                continue;
            }
            let h = by_holder.entry(id).or_insert_with(|| Holder {
                enterprise_id: id,
                quantity_received: 0,
                quantity_held: 0,
                quantity_in_transit: 0,
                batches: Vec::new(),
            });
            h.quantity_received += received;
            h.quantity_held += held + transit;
            h.quantity_in_transit += transit;
            h.batches.push(HolderBatch {
                batch: b.batch.to_owned(),
                received,
                held,
                in_transit: transit,
            });
        }
    }
    by_holder.into_values().collect()
}

/// How far a recall has got, over its holders' progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecallSummary {
    /// Holders reached.
    pub holders: u32,
    /// Holders that acknowledged.
    pub acknowledged: u32,
    /// Holders that have not acknowledged yet, by id.
    pub not_acknowledged: Vec<EnterpriseId>,
    /// Σ quantity held when reached: what is to be recovered.
    pub quantity_held: u64,
    /// Σ returned.
    pub quantity_returned: u64,
    /// Σ destroyed.
    pub quantity_destroyed: u64,
    /// Σ returned + destroyed.
    pub quantity_recovered: u64,
    /// Recovered ÷ held, in 0..=1; `None` when nothing was held (there is nothing to recover).
    pub recovered_share: Option<f64>,
}

/// The summary of `progress` (one entry per holder).
pub fn summarize(progress: &[RecallProgress]) -> RecallSummary {
    let mut s = RecallSummary {
        holders: 0,
        acknowledged: 0,
        not_acknowledged: Vec::new(),
        quantity_held: 0,
        quantity_returned: 0,
        quantity_destroyed: 0,
        quantity_recovered: 0,
        recovered_share: None,
    };
    for p in progress {
        s.holders += 1;
        match p.acknowledged_at {
            Some(_) => s.acknowledged += 1,
            None => s.not_acknowledged.push(p.enterprise_id),
        }
        s.quantity_held += p.quantity_held;
        s.quantity_returned += p.quantity_returned;
        s.quantity_destroyed += p.quantity_destroyed;
    }
    s.not_acknowledged.sort();
    s.quantity_recovered = s.quantity_returned + s.quantity_destroyed;
    if s.quantity_held > 0 {
        // A report never exceeds what its holder held, so the share stays within 0..=1.
        s.recovered_share = Some((s.quantity_recovered as f64 / s.quantity_held as f64).min(1.0));
    }
    s
}

/// Rule code: a reported quantity below zero.
pub const RULE_NEGATIVE: &str = "recall.quantity_negative";
/// Rule code: returned plus destroyed above what the holder held.
pub const RULE_EXCEEDS_HELD: &str = "recall.report_exceeds_held";

/// Every problem with a holder's report of `returned` and `destroyed` (totals so far) against
/// the `held` it was reached with: neither may be negative, and together they may not exceed
/// `held`. The excess is reported on each field that contributes to it, since either may be
/// the one to correct.
pub fn check_report(held: u64, returned: i64, destroyed: i64) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (field, zh, en, v) in [
        (
            "quantity_returned",
            "退回数量",
            "Quantity returned",
            returned,
        ),
        (
            "quantity_destroyed",
            "销毁数量",
            "Quantity destroyed",
            destroyed,
        ),
    ] {
        if v < 0 {
            problems.push(Problem::error(
                field,
                RULE_NEGATIVE,
                format!("{zh}不能为负数（{v}）"),
                format!("{en} cannot be negative ({v})"),
            ));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let total = i128::from(returned) + i128::from(destroyed);
    if total > i128::from(held) {
        for (field, v) in [
            ("quantity_returned", returned),
            ("quantity_destroyed", destroyed),
        ] {
            if v > 0 {
                problems.push(Problem::error(
                    field,
                    RULE_EXCEEDS_HELD,
                    format!("退回数量与销毁数量之和（{total}）超过召回时持有的数量（{held}）"),
                    format!(
                        "Returned plus destroyed ({total}) exceeds the quantity held when the recall arrived ({held})"
                    ),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RecordStatus, Transaction, TransactionKind};
    use crate::rules::testing::{doc, ent, instant, line, prod};
    use crate::rules::trace::movements_of;
    use chrono::DateTime;

    use TransactionKind::{
        FinishedGoodsInbound as Make, PurchaseInbound as Buy, PurchaseReturn as ReturnOut,
        SalesOutbound as Sell,
    };

    fn sub(
        e: u128,
        kind: TransactionKind,
        other: Option<u128>,
        batch: &str,
        qty: u32,
    ) -> Transaction {
        let mut d = doc(
            ent(e),
            kind,
            other.map(ent),
            vec![line(prod(1), batch, qty)],
        );
        d.status = RecordStatus::Submitted { at: instant() };
        d
    }

    /// Maker 1 → wholesaler 2 → salons 3 and 4 (4 has not booked its inbound); salon 5 is named
    /// by nobody's goods; salon 3 returns one to the wholesaler. Batch B also goes to salon 5.
    fn chain() -> Vec<Transaction> {
        vec![
            sub(1, Make, None, "A", 100),
            sub(1, Sell, Some(2), "A", 40),
            sub(2, Buy, Some(1), "A", 40),
            sub(2, Sell, Some(3), "A", 10),
            sub(3, Buy, Some(2), "A", 10),
            sub(2, Sell, Some(4), "A", 6),
            sub(3, ReturnOut, Some(2), "A", 1),
            sub(1, Make, None, "B", 50),
            sub(1, Sell, Some(5), "B", 5),
            sub(5, Buy, Some(1), "B", 5),
        ]
    }

    fn impact(docs: &[Transaction], batches: &[&str]) -> Vec<Holder> {
        let movements: Vec<(String, Vec<Movement<'_>>)> = batches
            .iter()
            .map(|b| (b.to_string(), movements_of(docs, prod(1), b)))
            .collect();
        let input: Vec<BatchMovements<'_, '_>> = movements
            .iter()
            .map(|(b, m)| BatchMovements {
                batch: b,
                movements: m,
            })
            .collect();
        recall_impact(prod(1), &input)
    }

    fn row(h: &Holder) -> (EnterpriseId, u64, u64, u64) {
        (
            h.enterprise_id,
            h.quantity_received,
            h.quantity_held,
            h.quantity_in_transit,
        )
    }

    #[test]
    fn a_recall_of_one_batch_reaches_its_holders_with_their_quantities() {
        let docs = chain();
        let holders = impact(&docs, &["A"]);
        // The wholesaler's returned unit is in transit to it until it books the return.
        let want = vec![
            (ent(1), 100, 60, 0),
            (ent(2), 40, 24 + 1, 1),
            (ent(3), 10, 9, 0),
            (ent(4), 0, 6, 6),
        ];
        assert_eq!(holders.iter().map(row).collect::<Vec<_>>(), want);
        assert!(
            holders.iter().all(|h| h.enterprise_id != ent(5)),
            "salon 5 got none of batch A"
        );
    }

    #[test]
    fn holders_of_several_batches_add_up_per_batch() {
        let docs = chain();
        let holders = impact(&docs, &["B", "A"]);
        let maker = &holders[0];
        assert_eq!(maker.enterprise_id, ent(1));
        assert_eq!((maker.quantity_received, maker.quantity_held), (150, 105));
        let batches: Vec<(&str, u64)> = maker
            .batches
            .iter()
            .map(|b| (b.batch.as_str(), b.held))
            .collect();
        assert_eq!(batches, [("A", 60), ("B", 45)]);
        assert!(holders.iter().any(|h| h.enterprise_id == ent(5)));
    }

    #[test]
    fn a_batch_nobody_has_reaches_nobody() {
        assert!(impact(&chain(), &["Z"]).is_empty());
    }

    fn progress(e: u128, held: u64, ack: bool, ret: u64, des: u64) -> RecallProgress {
        RecallProgress {
            enterprise_id: ent(e),
            acknowledged_at: ack.then(|| DateTime::from_timestamp(1_780_000_000, 0).unwrap()),
            quantity_held: held,
            quantity_returned: ret,
            quantity_destroyed: des,
        }
    }

    #[test]
    fn progress_is_the_share_recovered_and_who_has_not_acknowledged() {
        let s = summarize(&[
            progress(3, 10, true, 6, 2),
            progress(1, 30, false, 0, 0),
            progress(2, 0, false, 0, 0),
        ]);
        assert_eq!((s.holders, s.acknowledged), (3, 1));
        assert_eq!(s.not_acknowledged, vec![ent(1), ent(2)]);
        assert_eq!((s.quantity_held, s.quantity_recovered), (40, 8));
        assert_eq!(s.recovered_share, Some(0.2));
        assert_eq!(summarize(&[]).recovered_share, None);
        assert_eq!(
            summarize(&[progress(1, 0, true, 0, 0)]).recovered_share,
            None
        );
    }

    fn rules(ps: &[Problem]) -> Vec<(&str, &str)> {
        ps.iter()
            .map(|p| (p.field.as_str(), p.rule.as_str()))
            .collect()
    }

    #[test]
    fn a_report_stays_within_what_was_held() {
        assert!(check_report(10, 6, 4).is_empty());
        assert!(check_report(0, 0, 0).is_empty());
        assert_eq!(
            rules(&check_report(10, 11, 0)),
            [("quantity_returned", RULE_EXCEEDS_HELD)]
        );
        assert_eq!(
            rules(&check_report(10, 6, 5)),
            [
                ("quantity_returned", RULE_EXCEEDS_HELD),
                ("quantity_destroyed", RULE_EXCEEDS_HELD)
            ]
        );
        assert_eq!(
            rules(&check_report(10, -1, 2)),
            [("quantity_returned", RULE_NEGATIVE)]
        );
        let p = &check_report(10, 0, 12)[0];
        assert_eq!(
            p.message_zh,
            "退回数量与销毁数量之和（12）超过召回时持有的数量（10）"
        );
        assert!(p.message_en.contains("(10)"), "{}", p.message_en);
        assert_eq!(check_report(u64::MAX, i64::MAX, i64::MAX).len(), 0);
    }
}
