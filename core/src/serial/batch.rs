//! Unit moves at batch level. The ledger, trace, recalls and warnings all read batch records,
//! so an upload that moved units is also recorded as the batch document it stands for (成品入库
//! from production, 采购入库 from a supplier, 销售出库 to a customer or to consumers), unless
//! the enterprise recorded that document itself: then the upload is linked to it and nothing
//! is counted twice.

use super::registry::UnitRegistry;
use super::upload::{LineVerdict, UploadHeader, UploadKind};
use crate::model::{
    Counterparty, EnterpriseId, PackagingLevel, ProductId, RecordStatus, Transaction,
    TransactionId, TransactionKind, TransactionLine,
};
use std::collections::BTreeMap;

/// The minimal unit of lines made from unit codes: one code marks one sales unit (件).
pub const UNIT_OF_CODES: &str = "件";

/// Sales units an audit moved, by product and batch; boxes and cases count by the units inside.
pub fn units_by_batch(
    registry: &UnitRegistry,
    verdicts: &[LineVerdict],
) -> BTreeMap<(ProductId, String), u32> {
    let mut counts = BTreeMap::new();
    for change in verdicts.iter().flat_map(|v| &v.changes) {
        if let Some(r) = registry.get(change.code)
            && r.level == PackagingLevel::Unit
        {
            *counts.entry((r.product, r.batch.clone())).or_insert(0) += 1;
        }
    }
    counts
}

/// The batch document an upload of `kind` stands for; none for destruction, which no batch
/// document records.
pub fn batch_kind(kind: UploadKind, from_counterparty: bool) -> Option<TransactionKind> {
    match (kind, from_counterparty) {
        (UploadKind::Inbound, false) => Some(TransactionKind::FinishedGoodsInbound),
        (UploadKind::Inbound, true) => Some(TransactionKind::PurchaseInbound),
        (UploadKind::Outbound | UploadKind::Retail, _) => Some(TransactionKind::SalesOutbound),
        (UploadKind::Destroy, _) => None,
    }
}

/// The draft of the batch document for an upload: its number and date, one line per product
/// and batch. Retail sales go to consumers, named as such.
pub fn batch_document(
    id: TransactionId,
    enterprise: EnterpriseId,
    header: &UploadHeader,
    kind: TransactionKind,
    counterparty: Option<Counterparty>,
    counts: &BTreeMap<(ProductId, String), u32>,
    product_name: &dyn Fn(ProductId) -> String,
) -> Transaction {
    let counterparty = match header.kind {
        UploadKind::Retail => Some(Counterparty {
            partner_id: None,
            name: "零售消费者 (retail consumers)".into(),
            uscc: None,
            enterprise_id: None,
        }),
        _ => counterparty,
    };
    Transaction {
        id,
        enterprise_id: enterprise,
        kind,
        number: header.number.clone(),
        counterparty,
        date: header.date,
        contact: String::new(),
        phone: String::new(),
        lines: counts
            .iter()
            .map(|((product, batch), n)| TransactionLine {
                product_id: *product,
                product_name: product_name(*product),
                gtin: None,
                quantity: *n,
                unit: UNIT_OF_CODES.into(),
                batch: batch.clone(),
                production_date: None,
                expiry_date: None,
            })
            .collect(),
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: None,
        remarks: format!(
            "由追溯码上传文件生成（设备厂商 {}）Recorded from a unit-code upload (vendor {})",
            header.vendor, header.vendor
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serial::{CodeRecord, EnterpriseCode, UnitCode, UnitMove, UnitState};
    use chrono::NaiveDate;
    use uuid::Uuid;

    #[test]
    fn a_case_counts_as_the_units_inside_per_batch() {
        let maker = EnterpriseId(Uuid::from_u128(1));
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let code = |n| UnitCode::from_parts(day, EnterpriseCode::new(3).unwrap(), n);
        let p = ProductId(Uuid::from_u128(7));
        let mut reg = UnitRegistry::new();
        let here = UnitState::InStock { at: maker };
        for (n, level, batch) in [
            (0, PackagingLevel::Unit, "A"),
            (1, PackagingLevel::Unit, "A"),
            (2, PackagingLevel::Unit, "A"),
            (9, PackagingLevel::Box, "A"),
        ] {
            reg.insert(CodeRecord {
                code: code(n),
                level,
                product: p,
                batch: batch.into(),
                state: here,
                parent: None,
            });
        }
        reg.pack(code(9), &[code(0), code(1)], maker).unwrap();
        let to = EnterpriseId(Uuid::from_u128(2));
        let verdicts: Vec<LineVerdict> = [code(9), code(2)]
            .into_iter()
            .enumerate()
            .map(|(i, c)| LineVerdict {
                line: i + 1,
                text: c.to_string(),
                changes: reg.apply(c, UnitMove::Ship { from: maker, to }).unwrap(),
                problem: None,
                suspicious: false,
            })
            .collect();
        let counts = units_by_batch(&reg, &verdicts);
        assert_eq!(counts, BTreeMap::from([((p, "A".to_owned()), 3)]));

        let header = UploadHeader {
            enterprise: "x".into(),
            vendor: "V1".into(),
            kind: UploadKind::Retail,
            number: "XS-1".into(),
            date: day,
            counterparty: None,
        };
        let kind = batch_kind(UploadKind::Retail, false).unwrap();
        let doc = batch_document(
            TransactionId(Uuid::from_u128(5)),
            maker,
            &header,
            kind,
            None,
            &counts,
            &|_| "霜".into(),
        );
        assert_eq!(doc.kind, TransactionKind::SalesOutbound);
        assert_eq!(doc.number, "XS-1");
        assert_eq!(doc.lines[0].quantity, 3);
        assert!(doc.counterparty.unwrap().enterprise_id.is_none());
        assert_eq!(batch_kind(UploadKind::Destroy, false), None);
        assert_eq!(
            batch_kind(UploadKind::Inbound, true),
            Some(TransactionKind::PurchaseInbound)
        );
    }
}
