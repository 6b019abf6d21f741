//! Small builders for the rules' unit tests.

use crate::model::*;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// Enterprise number `n`.
pub fn ent(n: u128) -> EnterpriseId {
    EnterpriseId(Uuid::from_u128(0xE000 + n))
}

/// Product number `n`.
pub fn prod(n: u128) -> ProductId {
    ProductId(Uuid::from_u128(0xF000 + n))
}

/// A fixed day in 2026.
pub fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

/// A fixed instant.
pub fn instant() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap()
}

/// A line of `qty` of `batch`, expiring at the end of 2028.
pub fn line(p: ProductId, batch: &str, qty: u32) -> TransactionLine {
    TransactionLine {
        product_id: p,
        product_name: "舒唯雅皮肤身体护肤霜".into(),
        gtin: None,
        quantity: qty,
        unit: "瓶".into(),
        batch: batch.into(),
        production_date: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        expiry_date: Some(NaiveDate::from_ymd_opt(2028, 12, 31).unwrap()),
    }
}

/// A draft document of `e` with a platform counterparty `other` (or an external one when `None`
/// and the kind needs one).
pub fn doc(
    e: EnterpriseId,
    kind: TransactionKind,
    other: Option<EnterpriseId>,
    lines: Vec<TransactionLine>,
) -> Transaction {
    let id = TransactionId::random();
    let counterparty = if kind.needs_counterparty() {
        Some(Counterparty {
            partner_id: None,
            name: other.map_or("散客".to_owned(), |o| {
                format!("企业{}", o.0.as_u128() - 0xE000)
            }),
            uscc: None,
            enterprise_id: other,
        })
    } else {
        None
    };
    Transaction {
        id,
        enterprise_id: e,
        kind,
        number: format!("NO-{}", &id.0.simple().to_string()[..8]),
        counterparty,
        date: day(3, 1),
        contact: "张三".into(),
        phone: "13800138000".into(),
        lines,
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: None,
        remarks: String::new(),
    }
}

/// The same document, submitted.
pub fn submitted(mut d: Transaction) -> Transaction {
    d.status = RecordStatus::Submitted { at: instant() };
    d
}
