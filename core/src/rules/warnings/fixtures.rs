//! A small world of records for the rules' tests.

use super::*;
use crate::model::*;
use crate::rules::testing::*;

pub(crate) const WHOLESALER: &str = "甘肃某某化妆品批发有限公司";
pub(crate) const CREAM: &str = "舒唯雅皮肤身体护肤霜";

pub(crate) fn enterprise(id: EnterpriseId, name: &str) -> Enterprise {
    Enterprise {
        id,
        name: name.into(),
        uscc: "91620100MA74XXXX0X".into(),
        kind: EnterpriseKind::Wholesaler,
        region_code: "620100".into(),
        address: "兰州市城关区".into(),
        legal_representative: "李四".into(),
        licence: None,
        contact: "张三".into(),
        phone: "13800138000".into(),
    }
}

pub(crate) fn product(id: ProductId, name: &str, registration: &str) -> Product {
    Product {
        id,
        owner: ent(1),
        generic_name: name.into(),
        brand: "舒唯雅".into(),
        registration_number: registration.into(),
        registrant: "某某生物科技有限公司".into(),
        manufacturer: "某某生物科技有限公司".into(),
        specification: "50g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Submitted { at: instant() },
    }
}

pub(crate) fn partner(n: u128, owner: EnterpriseId, role: PartnerRole) -> Partner {
    Partner {
        id: PartnerId(Uuid::from_u128(0xA000 + n)),
        owner,
        role,
        kind: EnterpriseKind::Wholesaler,
        state: PartnerState::Normal,
        name: format!("伙伴{n}"),
        uscc: String::new(),
        contact: String::new(),
        phone: String::new(),
        region_code: "620100".into(),
        address: String::new(),
        legal_representative: String::new(),
        licence: None,
        quality_agreement: None,
        authorised_person: None,
        remittance_account: String::new(),
        attachments: vec![],
        enterprise_id: None,
        status: RecordStatus::Submitted { at: instant() },
    }
}

/// A line with a chosen expiry date.
pub(crate) fn expiring(
    p: ProductId,
    batch: &str,
    qty: u32,
    expiry: Option<NaiveDate>,
) -> TransactionLine {
    TransactionLine {
        expiry_date: expiry,
        ..line(p, batch, qty)
    }
}

/// A submitted document on a chosen day.
pub(crate) fn on(
    date: NaiveDate,
    e: EnterpriseId,
    kind: TransactionKind,
    other: Option<EnterpriseId>,
    lines: Vec<TransactionLine>,
) -> Transaction {
    Transaction {
        date,
        ..submitted(doc(e, kind, other, lines))
    }
}

/// The records of one test; `run` builds the ledger from its documents and openings.
pub(crate) struct World {
    pub today: NaiveDate,
    pub enterprises: Vec<Enterprise>,
    pub products: Vec<Product>,
    pub partners: Vec<Partner>,
    pub documents: Vec<Transaction>,
    pub items: Vec<ReconciliationItem>,
    pub recalls: Vec<Recall>,
    pub nonconforming: Vec<NonconformingRecord>,
    pub openings: Vec<OpeningBalance>,
    pub params: WarningParams,
}

impl World {
    /// Enterprise 1 is the wholesaler, 2 and 3 its partners; product 1 is the cream.
    pub(crate) fn new(today: NaiveDate) -> Self {
        Self {
            today,
            enterprises: vec![
                enterprise(ent(1), WHOLESALER),
                enterprise(ent(2), "兰州某某商贸有限公司"),
                enterprise(ent(3), "天水某某美容院"),
            ],
            products: vec![
                product(prod(1), CREAM, "甘G妆网备字2024000123"),
                product(prod(2), "舒唯雅洁面乳", "国妆特字G20190372"),
            ],
            partners: vec![],
            documents: vec![],
            items: vec![],
            recalls: vec![],
            nonconforming: vec![],
            openings: vec![],
            params: WarningParams::default(),
        }
    }

    pub(crate) fn run(&self, rule: impl Fn(&WarningInput<'_>) -> Vec<Warning>) -> Vec<Warning> {
        let ledger = Ledger::from_documents(&self.documents, &self.openings);
        let input = WarningInput {
            today: self.today,
            enterprises: &self.enterprises,
            products: &self.products,
            partners: &self.partners,
            documents: &self.documents,
            items: &self.items,
            recalls: &self.recalls,
            nonconforming: &self.nonconforming,
            openings: &self.openings,
            ledger: &ledger,
            params: self.params,
        };
        rule(&input)
    }
}

/// What warnings are attached to: enterprise, product, batch.
pub(crate) type Seen = Vec<(Option<EnterpriseId>, Option<ProductId>, Option<String>)>;

/// Asserts every warning is of `kind` and has a unique key, and returns what they are attached to.
pub(crate) fn targets(ws: &[Warning], kind: WarningKind) -> Seen {
    let keys: HashSet<&str> = ws.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(keys.len(), ws.len(), "duplicate keys in {ws:#?}");
    for w in ws {
        assert_eq!(w.kind, kind, "{w:#?}");
        assert_eq!(w.severity, kind.severity());
        assert!(w.key.starts_with(kind.code()), "{}", w.key);
        assert!(!w.message_zh.is_empty() && !w.message_en.is_empty());
    }
    ws.iter()
        .map(|w| (w.enterprise_id, w.product_id, w.batch.clone()))
        .collect()
}
