//! Sales blocks: a batch that is expired, recalled or listed nonconforming may not be sold.

use super::ledger::Ledger;
use super::status::Blocks;
use crate::model::{Transaction, TransactionKind};
use crate::problem::Problem;

/// Whether sales blocks apply to `doc` at all (only to a 销售出库), so that a service need not
/// read recalls and listings for the others.
pub fn blocks_apply(doc: &Transaction) -> bool {
    doc.kind == TransactionKind::SalesOutbound
}

/// The problems that block selling the lines of `doc` (only 销售出库 is checked: returning a
/// problem batch to its supplier is what a recall asks for). The expiry is the line's, else the
/// one the holder's earlier documents recorded for the batch.
pub fn check_sale(doc: &Transaction, blocks: &Blocks<'_>, ledger: &Ledger) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !blocks_apply(doc) {
        return problems;
    }
    for (i, line) in doc.lines.iter().enumerate() {
        let name = &line.product_name;
        let batch = &line.batch;
        let expiry = line.expiry_date.or_else(|| {
            ledger
                .balance(doc.enterprise_id, line.product_id, batch)
                .and_then(|b| b.expiry)
        });
        if let Some(expiry) = expiry.filter(|e| *e < doc.date) {
            problems.push(Problem::error(
                format!("lines[{i}].expiry_date"),
                "sale.expired",
                format!("{name} 批号 {batch} 已于 {expiry} 过期，禁止销售"),
                format!("{name} batch {batch} expired on {expiry} and may not be sold"),
            ));
        }
        if let Some(r) = blocks.recall(line.product_id, batch) {
            problems.push(Problem::error(
                format!("lines[{i}].batch"),
                "sale.recalled",
                format!("{name} 批号 {batch} 正在召回（{}），禁止销售", r.reason),
                format!(
                    "{name} batch {batch} is under recall ({}) and may not be sold",
                    r.reason
                ),
            ));
        }
        if let Some(n) = blocks.nonconforming(line.product_id, batch) {
            problems.push(Problem::error(
                format!("lines[{i}].batch"),
                "sale.nonconforming",
                format!("{name} 批号 {batch} 已列为不合格（{}），禁止销售", n.defect),
                format!(
                    "{name} batch {batch} is listed nonconforming ({}) and may not be sold",
                    n.defect
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::model::*;
    use crate::rules::status::tests::{listing, recall};
    use crate::rules::testing::*;

    fn rules_of(ps: Vec<Problem>) -> Vec<String> {
        ps.into_iter().map(|p| p.rule).collect()
    }

    #[test]
    fn each_block_is_reported_with_its_reason() {
        let p = prod(1);
        let recalls = [recall(p, &["R"], RecallStatus::Active)];
        let listings = [listing(p, &["N"], NonconformingStatus::Closed)];
        let blocks = Blocks::new(&recalls, &listings);
        let mut expired = line(p, "E", 1);
        expired.expiry_date = Some(day(2, 28)); // the document is dated 3-1
        let mut last_day = line(p, "L", 1);
        last_day.expiry_date = Some(day(3, 1));
        let cases: Vec<(TransactionLine, Vec<&str>)> = vec![
            (line(p, "OK", 1), vec![]),
            (last_day, vec![]),
            (expired, vec!["sale.expired"]),
            (line(p, "R", 1), vec!["sale.recalled"]),
            (line(p, "N", 1), vec!["sale.nonconforming"]),
        ];
        for (l, want) in cases {
            let batch = l.batch.clone();
            let d = doc(ent(1), SalesOutbound, Some(ent(2)), vec![l]);
            assert_eq!(
                rules_of(check_sale(&d, &blocks, &Ledger::new())),
                want,
                "batch {batch}"
            );
        }
        let r = check_sale(
            &doc(ent(1), SalesOutbound, None, vec![line(p, "R", 1)]),
            &blocks,
            &Ledger::new(),
        );
        assert!(r[0].message_zh.contains("微生物超标") && r[0].field == "lines[0].batch");
    }

    #[test]
    fn returns_to_the_supplier_are_never_blocked() {
        let p = prod(1);
        let recalls = [recall(p, &[], RecallStatus::Active)];
        let d = doc(ent(1), PurchaseReturn, Some(ent(2)), vec![line(p, "R", 1)]);
        assert!(check_sale(&d, &Blocks::new(&recalls, &[]), &Ledger::new()).is_empty());
    }

    #[test]
    fn the_ledger_supplies_the_expiry_a_line_leaves_out() {
        let (a, p) = (ent(1), prod(1));
        let mut inbound = line(p, "E", 5);
        inbound.expiry_date = Some(day(1, 31));
        let ledger = Ledger::from_documents(
            &[submitted(doc(a, FinishedGoodsInbound, None, vec![inbound]))],
            &[],
        );
        let mut sale = line(p, "E", 1);
        sale.expiry_date = None;
        let d = doc(a, SalesOutbound, None, vec![sale]);
        assert_eq!(
            rules_of(check_sale(&d, &Blocks::new(&[], &[]), &ledger)),
            ["sale.expired"]
        );
    }
}
