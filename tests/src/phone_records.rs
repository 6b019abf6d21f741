//! Records the phone tests and benchmarks create offline: a cosmetic of the library and a
//! one-line draft, with dates the core's rules accept today.

use crate::loopback::Party;
use chrono::{Days, NaiveDate, Utc};
use suyuan_core::model::*;
use suyuan_core::validate::derive_expiry;

/// Today, as the phone's clock says.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Production date of the test batches: a month ago.
pub fn made() -> NaiveDate {
    today() - Days::new(30)
}

/// A product of `owner`'s library named `name`, with a 36-month shelf life.
pub fn product(owner: EnterpriseId, name: &str, registration_number: &str) -> Product {
    Product {
        id: ProductId::random(),
        owner,
        generic_name: name.into(),
        brand: "舒唯雅".into(),
        registration_number: registration_number.into(),
        registrant: "广州舒唯雅化妆品有限公司".into(),
        manufacturer: "广州舒唯雅化妆品有限公司".into(),
        specification: "50g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    }
}

/// A draft of `owner` with one line of `qty` of `batch`, made a month ago; `to` is the
/// registered counterparty, if any.
pub fn draft(
    owner: EnterpriseId,
    kind: TransactionKind,
    to: Option<&Party>,
    product: &Product,
    batch: &str,
    qty: u32,
) -> Transaction {
    let id = TransactionId::random();
    Transaction {
        id,
        enterprise_id: owner,
        kind,
        number: format!("APP-{}", &id.0.simple().to_string()[..8]),
        counterparty: to.map(|p| Counterparty {
            partner_id: None,
            name: p.name.clone(),
            uscc: Some(p.uscc.clone()),
            enterprise_id: Some(p.id),
        }),
        date: today(),
        contact: "张三".into(),
        phone: "13800138000".into(),
        lines: vec![TransactionLine {
            product_id: product.id,
            product_name: product.generic_name.clone(),
            gtin: None,
            quantity: qty,
            unit: "瓶".into(),
            batch: batch.into(),
            production_date: Some(made()),
            expiry_date: derive_expiry(made(), 36),
        }],
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: None,
        remarks: String::new(),
    }
}
