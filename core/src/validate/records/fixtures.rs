//! Valid sample records; each test breaks one thing and checks exactly that is reported.

use crate::model::*;
use crate::problem::Problem;
use chrono::NaiveDate;
use uuid::Uuid;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

/// The "today" of every records test.
pub(crate) fn today() -> NaiveDate {
    d(2025, 6, 1)
}

pub(crate) fn product_id() -> ProductId {
    ProductId(Uuid::from_u128(0x10))
}

fn enterprise_id() -> EnterpriseId {
    EnterpriseId(Uuid::from_u128(0x20))
}

/// `(field, rule)` pairs, the shape table-driven tests compare.
pub(crate) fn summary(ps: &[Problem]) -> Vec<(String, String)> {
    ps.iter()
        .map(|p| (p.field.clone(), p.rule.clone()))
        .collect()
}

/// Owned `(field, rule)` pairs from string literals.
pub(crate) fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
        .collect()
}

pub(crate) fn enterprise() -> Enterprise {
    Enterprise {
        id: enterprise_id(),
        name: "甘肃舒来纽化妆品有限责任公司".into(),
        uscc: "91350100M000100Y43".into(),
        kind: EnterpriseKind::Wholesaler,
        region_code: "620102".into(),
        address: "甘肃省兰州市城关区某路 1 号".into(),
        legal_representative: "张三".into(),
        licence: None,
        contact: "李四".into(),
        phone: "0931-7617990".into(),
    }
}

pub(crate) fn product() -> Product {
    Product {
        id: product_id(),
        owner: enterprise_id(),
        generic_name: "舒唯雅皮肤身体护肤霜".into(),
        brand: "舒唯雅".into(),
        registration_number: "甘G妆网备字2022000123".into(),
        registrant: "甘肃舒来纽化妆品有限责任公司".into(),
        manufacturer: "甘肃舒来纽化妆品有限责任公司".into(),
        specification: "50g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    }
}

pub(crate) fn barcode() -> Barcode {
    Barcode {
        id: BarcodeId(Uuid::from_u128(0x30)),
        owner: enterprise_id(),
        product_id: product_id(),
        gtin: "6901234567892".into(),
        specification: "50g".into(),
        package_specification: "1支".into(),
        level: PackagingLevel::Unit,
        contains_quantity: 1,
        contains_gtin: None,
        photo: None,
        status: RecordStatus::Draft,
    }
}

pub(crate) fn partner(role: PartnerRole) -> Partner {
    Partner {
        id: PartnerId(Uuid::from_u128(0x40)),
        owner: enterprise_id(),
        role,
        kind: EnterpriseKind::RegistrantManufacturer,
        state: PartnerState::Normal,
        name: "甘肃舒来纽化妆品有限责任公司".into(),
        uscc: "91512081MA62K0260E".into(),
        contact: "王五".into(),
        phone: "13812345678".into(),
        region_code: "620100".into(),
        address: String::new(),
        legal_representative: "赵六".into(),
        licence: Some(Licence {
            number: "甘妆20160001".into(),
            valid_from: Some(d(2021, 1, 1)),
            valid_to: Some(d(2026, 1, 1)),
        }),
        quality_agreement: Some(DateRange {
            from: d(2025, 1, 1),
            to: d(2025, 12, 31),
        }),
        authorised_person: Some(AuthorisedPerson {
            name: "孙七".into(),
            phone: "0931-7618101".into(),
            id_number: "11010519491231002X".into(),
            scope: "采购".into(),
        }),
        remittance_account: String::new(),
        attachments: vec![],
        enterprise_id: None,
        status: RecordStatus::Draft,
    }
}

pub(crate) fn line() -> TransactionLine {
    TransactionLine {
        product_id: product_id(),
        product_name: "舒唯雅皮肤身体护肤霜".into(),
        gtin: Some("6901234567892".into()),
        quantity: 12,
        unit: "瓶".into(),
        batch: "20250110A".into(),
        production_date: Some(d(2025, 1, 10)),
        expiry_date: Some(d(2028, 1, 9)),
    }
}

pub(crate) fn transaction(kind: TransactionKind) -> Transaction {
    Transaction {
        id: TransactionId(Uuid::from_u128(0x50)),
        enterprise_id: enterprise_id(),
        kind,
        number: "CGRK-20250501-001".into(),
        counterparty: kind.needs_counterparty().then(|| Counterparty {
            partner_id: Some(PartnerId(Uuid::from_u128(0x40))),
            name: "甘肃舒来纽化妆品有限责任公司".into(),
            uscc: Some("91512081MA62K0260E".into()),
            enterprise_id: None,
        }),
        date: d(2025, 5, 1),
        contact: String::new(),
        phone: String::new(),
        lines: vec![line()],
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: None,
        remarks: String::new(),
    }
}

pub(crate) fn nonconforming() -> NonconformingRecord {
    NonconformingRecord {
        id: NonconformingId(Uuid::from_u128(0x60)),
        reported_by: Some(enterprise_id()),
        product_id: product_id(),
        product_name: "舒唯雅皮肤身体护肤霜".into(),
        batches: vec!["20250110A".into()],
        source: NonconformingSource::SamplingInspection,
        defect: "菌落总数超标".into(),
        test_report_number: "GS2025-001".into(),
        handling_measures: String::new(),
        found_on: d(2025, 5, 20),
        handled_on: None,
        state: NonconformingStatus::Open,
        attachments: vec![],
        status: RecordStatus::Draft,
    }
}

pub(crate) fn recall() -> Recall {
    Recall {
        id: RecallId(Uuid::from_u128(0x70)),
        initiator: RecallInitiator::Regulator {
            region_code: "620000".into(),
        },
        product_id: product_id(),
        product_name: "舒唯雅皮肤身体护肤霜".into(),
        batches: vec!["20250110A".into()],
        level: RecallLevel::Two,
        reason: "菌落总数超标".into(),
        start_date: d(2025, 5, 21),
        deadline: Some(d(2025, 6, 30)),
        completed_on: None,
        scope: "甘肃省".into(),
        status: RecallStatus::Active,
        progress: vec![],
    }
}
