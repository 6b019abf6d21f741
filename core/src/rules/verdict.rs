//! The field inspector's verdict on a scanned product (现场检查): is it registered or filed,
//! is the batch recalled, listed nonconforming or expired, and do the shop's own records
//! cover the batch. Pure: the phone's store gathers the inputs, offline.

use super::status::Blocks;
use crate::model::{Product, ProductId};
use crate::validate::registration::parse_registration;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing wrong.
    Pass,
    /// The data on the phone cannot answer (no batch on the code, product not cached).
    Unknown,
    /// Something wrong: the inspector acts on it.
    Fail,
}

/// The questions an inspector asks of one product in a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckItem {
    /// Registered (注册) or filed (备案).
    Registration,
    /// Under a recall (召回).
    Recall,
    /// Listed nonconforming (不合格).
    Nonconforming,
    /// Past its expiry date (过期).
    Expiry,
    /// The shop's purchase records cover the batch (进货记录).
    Records,
}

/// One answer, with a message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The question.
    pub item: CheckItem,
    /// The answer.
    pub outcome: Outcome,
    /// Simplified Chinese (may be left out by a client recording the outcome alone).
    #[serde(default)]
    pub message_zh: String,
    /// English.
    #[serde(default)]
    pub message_en: String,
}

/// Every check, and the worst outcome among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `Fail` if any check failed, else `Unknown` if any could not be answered, else `Pass`.
    pub overall: Outcome,
    /// In the order of [`CheckItem`].
    pub checks: Vec<Check>,
}

/// What the shop's records say of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BatchRecords {
    /// Quantity received (purchases, returns from customers, own production).
    pub inbound: u64,
    /// Quantity held now.
    pub held: i64,
}

/// Everything the verdict looks at.
#[derive(Debug, Clone, Copy)]
pub struct VerdictInput<'a> {
    /// The product the code matched in the phone's library, if any.
    pub product: Option<&'a Product>,
    /// The product's id when only documents name it (a product the library does not hold yet
    /// still has its batches checked); ignored when `product` is given.
    pub product_id: Option<ProductId>,
    /// The batch, from the code (GS1 AI 10) or typed by the inspector.
    pub batch: Option<&'a str>,
    /// The expiry, from the code (AI 17) or, failing that, from the shop's records.
    pub expiry: Option<NaiveDate>,
    /// The recalls and nonconforming listings cached on the phone.
    pub blocks: Blocks<'a>,
    /// The shop's records of this product and batch; `None` if it has none.
    pub records: Option<BatchRecords>,
    /// The inspection day.
    pub today: NaiveDate,
}

/// Answers every question at once.
pub fn verdict(input: &VerdictInput<'_>) -> Verdict {
    let checks = vec![
        registration(input.product),
        recall(input),
        nonconforming(input),
        expiry(input.expiry, input.today),
        records(input),
    ];
    let overall = if checks.iter().any(|c| c.outcome == Outcome::Fail) {
        Outcome::Fail
    } else if checks.iter().any(|c| c.outcome == Outcome::Unknown) {
        Outcome::Unknown
    } else {
        Outcome::Pass
    };
    Verdict { overall, checks }
}

fn check(item: CheckItem, outcome: Outcome, zh: String, en: String) -> Check {
    Check {
        item,
        outcome,
        message_zh: zh,
        message_en: en,
    }
}

fn registration(product: Option<&Product>) -> Check {
    let item = CheckItem::Registration;
    let Some(p) = product else {
        // The phone holds the library as last synced; absence there is not proof of absence.
        return check(
            item,
            Outcome::Unknown,
            "本机产品库中没有该产品，请联网后查询注册备案信息".into(),
            "The product is not in this phone's library: check its registration online".into(),
        );
    };
    if parse_registration(&p.registration_number).is_some() {
        check(
            item,
            Outcome::Pass,
            format!("已注册/备案：{}", p.registration_number),
            format!("Registered or filed: {}", p.registration_number),
        )
    } else {
        check(
            item,
            Outcome::Fail,
            format!("注册证号/备案号无效：{:?}", p.registration_number),
            format!(
                "Registration or filing number is not valid: {:?}",
                p.registration_number
            ),
        )
    }
}

/// The product and batch both known, or the check that cannot be answered without them.
fn product_batch<'a>(
    input: &VerdictInput<'a>,
    item: CheckItem,
) -> Result<(ProductId, &'a str), Check> {
    match (
        input.product.map(|p| p.id).or(input.product_id),
        input.batch,
    ) {
        (Some(p), Some(b)) => Ok((p, b)),
        (None, _) => Err(check(
            item,
            Outcome::Unknown,
            "产品未知，无法核对批次".into(),
            "Unknown product: the batch cannot be checked".into(),
        )),
        (Some(_), None) => Err(check(
            item,
            Outcome::Unknown,
            "条码不含批号，请输入批号后核对".into(),
            "The code carries no batch: enter the batch number to check it".into(),
        )),
    }
}

fn recall(input: &VerdictInput<'_>) -> Check {
    let item = CheckItem::Recall;
    let (p, batch) = match product_batch(input, item) {
        Ok(pb) => pb,
        Err(c) => return c,
    };
    match input.blocks.recall(p, batch) {
        Some(r) => check(
            item,
            Outcome::Fail,
            format!("批次 {batch} 在召回中：{}", r.reason),
            format!("Batch {batch} is under recall: {}", r.reason),
        ),
        None => check(
            item,
            Outcome::Pass,
            format!("批次 {batch} 无召回"),
            format!("Batch {batch} is not recalled"),
        ),
    }
}

fn nonconforming(input: &VerdictInput<'_>) -> Check {
    let item = CheckItem::Nonconforming;
    let (p, batch) = match product_batch(input, item) {
        Ok(pb) => pb,
        Err(c) => return c,
    };
    match input.blocks.nonconforming(p, batch) {
        Some(n) => check(
            item,
            Outcome::Fail,
            format!("批次 {batch} 列为不合格：{}", n.defect),
            format!("Batch {batch} is listed nonconforming: {}", n.defect),
        ),
        None => check(
            item,
            Outcome::Pass,
            format!("批次 {batch} 未列为不合格"),
            format!("Batch {batch} is not listed nonconforming"),
        ),
    }
}

fn expiry(expiry: Option<NaiveDate>, today: NaiveDate) -> Check {
    let item = CheckItem::Expiry;
    match expiry {
        None => check(
            item,
            Outcome::Unknown,
            "不知道有效期，请查看包装".into(),
            "Expiry unknown: read it on the package".into(),
        ),
        Some(d) if d < today => check(
            item,
            Outcome::Fail,
            format!("已过期（有效期至 {d}）"),
            format!("Expired (use by {d})"),
        ),
        Some(d) => check(
            item,
            Outcome::Pass,
            format!("有效期至 {d}"),
            format!("Use by {d}"),
        ),
    }
}

fn records(input: &VerdictInput<'_>) -> Check {
    let item = CheckItem::Records;
    let (_, batch) = match product_batch(input, item) {
        Ok(pb) => pb,
        Err(c) => return c,
    };
    match input.records {
        Some(r) if r.inbound > 0 && r.held > 0 => check(
            item,
            Outcome::Pass,
            format!("本店进货记录含批次 {batch}，账面库存 {}", r.held),
            format!(
                "The shop's records cover batch {batch}; {} held on the books",
                r.held
            ),
        ),
        Some(r) if r.inbound > 0 => check(
            item,
            Outcome::Fail,
            format!("批次 {batch} 有进货记录，但账面已无库存（账实不符）"),
            format!(
                "Batch {batch} was received but the books show none left (records and shelf disagree)"
            ),
        ),
        _ => check(
            item,
            Outcome::Fail,
            format!("本店没有批次 {batch} 的进货记录（来源不明）"),
            format!("The shop has no purchase record of batch {batch} (source unknown)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        EnterpriseId, NonconformingRecord, ProductId, Recall, RecallId, RecallInitiator,
        RecallLevel, RecallStatus, RecordStatus,
    };

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn product(registration: &str) -> Product {
        Product {
            id: ProductId::derived(uuid::Uuid::nil(), b"cream"),
            owner: EnterpriseId::derived(uuid::Uuid::nil(), b"maker"),
            generic_name: "舒唯雅皮肤身体护肤霜".into(),
            brand: "舒唯雅".into(),
            registration_number: registration.into(),
            registrant: "某公司".into(),
            manufacturer: "某公司".into(),
            specification: "50g".into(),
            shelf_life_months: Some(36),
            attachments: vec![],
            status: RecordStatus::Draft,
        }
    }

    fn recall_of(p: &Product, batch: &str) -> Recall {
        Recall {
            id: RecallId::derived(uuid::Uuid::nil(), b"r"),
            initiator: RecallInitiator::Regulator {
                region_code: "330000".into(),
            },
            product_id: p.id,
            product_name: p.generic_name.clone(),
            batches: vec![batch.into()],
            level: RecallLevel::One,
            reason: "微生物超标".into(),
            start_date: day("2026-11-01"),
            deadline: None,
            completed_on: None,
            scope: String::new(),
            status: RecallStatus::Active,
            progress: vec![],
        }
    }

    fn input<'a>(
        p: Option<&'a Product>,
        batch: Option<&'a str>,
        recalls: &'a [Recall],
        nc: &'a [NonconformingRecord],
        records: Option<BatchRecords>,
    ) -> VerdictInput<'a> {
        VerdictInput {
            product: p,
            product_id: None,
            batch,
            expiry: Some(day("2027-06-30")),
            blocks: Blocks::new(recalls, nc),
            records,
            today: day("2026-11-30"),
        }
    }

    fn outcome(v: &Verdict, item: CheckItem) -> Outcome {
        v.checks.iter().find(|c| c.item == item).unwrap().outcome
    }

    const FILED: &str = "浙G妆网备字2023001234";

    #[test]
    fn a_covered_filed_batch_passes_every_check() {
        let p = product(FILED);
        let held = BatchRecords {
            inbound: 12,
            held: 5,
        };
        let v = verdict(&input(Some(&p), Some("B1"), &[], &[], Some(held)));
        assert_eq!(v.overall, Outcome::Pass, "{v:?}");
        assert_eq!(v.checks.len(), 5);
        assert!(v.checks[4].message_zh.contains("库存 5"));
    }

    #[test]
    fn a_recalled_batch_fails_and_names_the_reason() {
        let p = product(FILED);
        let recalls = [recall_of(&p, "B1")];
        let held = BatchRecords {
            inbound: 12,
            held: 5,
        };
        let v = verdict(&input(Some(&p), Some("B1"), &recalls, &[], Some(held)));
        assert_eq!(v.overall, Outcome::Fail);
        assert_eq!(outcome(&v, CheckItem::Recall), Outcome::Fail);
        assert!(v.checks[1].message_en.contains("under recall: 微生物超标"));
        // Another batch of the same product is not touched by the recall.
        let v = verdict(&input(Some(&p), Some("B2"), &recalls, &[], Some(held)));
        assert_eq!(outcome(&v, CheckItem::Recall), Outcome::Pass);
    }

    #[test]
    fn expiry_before_today_fails_and_on_today_passes() {
        let today = day("2026-11-30");
        assert_eq!(
            expiry(Some(day("2026-11-29")), today).outcome,
            Outcome::Fail
        );
        assert_eq!(expiry(Some(today), today).outcome, Outcome::Pass);
        assert_eq!(expiry(None, today).outcome, Outcome::Unknown);
    }

    #[test]
    fn a_batch_without_purchase_records_fails_and_one_sold_out_on_the_books_fails_too() {
        let p = product(FILED);
        let none = verdict(&input(Some(&p), Some("B1"), &[], &[], None));
        assert_eq!(outcome(&none, CheckItem::Records), Outcome::Fail);
        assert!(none.checks[4].message_en.contains("no purchase record"));
        let sold_out = BatchRecords {
            inbound: 12,
            held: 0,
        };
        let v = verdict(&input(Some(&p), Some("B1"), &[], &[], Some(sold_out)));
        assert_eq!(outcome(&v, CheckItem::Records), Outcome::Fail);
        assert!(v.checks[4].message_en.contains("books show none left"));
    }

    #[test]
    fn unknown_product_or_batch_is_unknown_not_a_failure() {
        let v = verdict(&input(None, Some("B1"), &[], &[], None));
        assert_eq!(v.overall, Outcome::Unknown, "{v:?}");
        let p = product(FILED);
        let v = verdict(&input(Some(&p), None, &[], &[], None));
        assert_eq!(v.overall, Outcome::Unknown, "{v:?}");
        assert_eq!(outcome(&v, CheckItem::Registration), Outcome::Pass);
        assert!(v.checks[1].message_en.contains("enter the batch"));
    }

    #[test]
    fn a_product_known_only_from_documents_still_has_its_batch_checked() {
        let p = product(FILED);
        let recalls = [recall_of(&p, "B1")];
        let mut i = input(None, Some("B1"), &recalls, &[], None);
        i.product_id = Some(p.id);
        let v = verdict(&i);
        assert_eq!(outcome(&v, CheckItem::Registration), Outcome::Unknown);
        assert_eq!(outcome(&v, CheckItem::Recall), Outcome::Fail);
    }

    #[test]
    fn an_invalid_registration_number_fails() {
        let p = product("ABC123");
        let v = verdict(&input(Some(&p), Some("B1"), &[], &[], None));
        assert_eq!(outcome(&v, CheckItem::Registration), Outcome::Fail);
    }
}
