//! The scanner's product lookup and the inspector's verdict, offline.

use super::*;
use crate::barcode::{Symbology, parse_payload};
use crate::model::*;
use crate::rules::status::tests::recall;
use crate::rules::testing::{day, doc, ent, instant, line, prod};
use crate::rules::verdict::{CheckItem, Outcome};
use crate::sync::wire::{PullResponse, ServerChange};

const GTIN13: &str = "6941234567898";

fn cream(e: EnterpriseId) -> Product {
    Product {
        id: prod(1),
        owner: e,
        generic_name: "舒唯雅皮肤身体护肤霜".into(),
        brand: "舒唯雅".into(),
        registration_number: "甘G妆网备字2026000123".into(),
        registrant: "兰州舒唯雅生物科技有限公司".into(),
        manufacturer: "兰州舒唯雅生物科技有限公司".into(),
        specification: "200g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    }
}

/// A salon that bought 12 of batch B1, scanned with its EAN-13.
fn salon() -> Store {
    let e = ent(1);
    let mut s = Store::open_in_memory().unwrap();
    s.log_in(e).unwrap();
    s.save_product(cream(e), &[]).unwrap();
    let mut l = line(prod(1), "B1", 12);
    l.gtin = Some(GTIN13.into());
    let inbound = doc(e, TransactionKind::PurchaseInbound, Some(ent(9)), vec![l]);
    s.save_draft(inbound.clone(), &[], day(3, 2)).unwrap();
    s.submit(inbound.id, None, &[], instant()).unwrap();
    s
}

fn outcome(v: &crate::rules::verdict::Verdict, item: CheckItem) -> Outcome {
    v.checks.iter().find(|c| c.item == item).unwrap().outcome
}

#[test]
fn a_gtin_finds_its_product_in_any_of_its_written_forms() {
    let s = salon();
    for form in [GTIN13, "06941234567898"] {
        let p = s.product_by_gtin(form).unwrap().expect(form);
        assert_eq!(p.id, prod(1));
    }
    assert!(s.product_by_gtin("6901234567892").unwrap().is_none());
    assert!(s.product_by_gtin("not a gtin").unwrap().is_none());
}

#[test]
fn a_datamatrix_of_a_held_batch_passes_and_of_an_unrecorded_batch_fails() {
    let s = salon();
    let ok = parse_payload(
        "]d2010694123456789810B1\u{1d}17281231",
        Symbology::DataMatrix,
    );
    let v = s.verdict(&ok.fields(), None, day(11, 30)).unwrap();
    assert_eq!(v.overall, Outcome::Pass, "{v:?}");
    let other = parse_payload(
        "]d2010694123456789810B9\u{1d}17281231",
        Symbology::DataMatrix,
    );
    let v = s.verdict(&other.fields(), None, day(11, 30)).unwrap();
    assert_eq!(outcome(&v, CheckItem::Records), Outcome::Fail);
}

#[test]
fn an_ean_needs_the_typed_batch_and_takes_expiry_from_the_records() {
    let s = salon();
    let ean = parse_payload(GTIN13, Symbology::Ean13).fields();
    let v = s.verdict(&ean, None, day(11, 30)).unwrap();
    assert_eq!(v.overall, Outcome::Unknown);
    let v = s.verdict(&ean, Some(" B1 "), day(11, 30)).unwrap();
    assert_eq!(v.overall, Outcome::Pass, "{v:?}");
    // The inbound line says 2028-12-31.
    assert!(v.checks[3].message_en.contains("2028-12-31"));
}

#[test]
fn a_recall_pulled_to_the_phone_fails_the_verdict_offline() {
    let mut s = salon();
    let r = recall(prod(1), &["B1"], RecallStatus::Active);
    s.apply_pull(&PullResponse {
        changes: vec![ServerChange {
            seq: 1,
            entity: entity::RECALL.into(),
            id: r.id.0,
            body: serde_json::to_value(&r).unwrap(),
        }],
        next_cursor: 1,
        more: false,
    })
    .unwrap();
    let ean = parse_payload(GTIN13, Symbology::Ean13).fields();
    let v = s.verdict(&ean, Some("B1"), day(11, 30)).unwrap();
    assert_eq!(v.overall, Outcome::Fail);
    assert_eq!(outcome(&v, CheckItem::Recall), Outcome::Fail);
}

#[test]
fn a_pulled_barcode_names_its_product_before_any_document_does() {
    let mut s = salon();
    let serum = Product {
        id: prod(2),
        generic_name: "舒唯雅修护精华液".into(),
        ..cream(ent(9))
    };
    let barcode = Barcode {
        id: BarcodeId::random(),
        owner: ent(9),
        product_id: serum.id,
        gtin: "6901234567892".into(),
        specification: "30ml".into(),
        package_specification: "1支".into(),
        level: PackagingLevel::Unit,
        contains_quantity: 1,
        contains_gtin: None,
        photo: None,
        status: RecordStatus::Submitted { at: instant() },
    };
    let change = |seq, entity: &str, id: uuid::Uuid, body| ServerChange {
        seq,
        entity: entity.into(),
        id,
        body,
    };
    s.apply_pull(&PullResponse {
        changes: vec![
            change(
                1,
                entity::PRODUCT,
                serum.id.0,
                serde_json::to_value(&serum).unwrap(),
            ),
            change(
                2,
                entity::BARCODE,
                barcode.id.0,
                serde_json::to_value(&barcode).unwrap(),
            ),
        ],
        next_cursor: 2,
        more: false,
    })
    .unwrap();
    let found = s
        .product_by_gtin("06901234567892")
        .unwrap()
        .expect("by barcode");
    assert_eq!(found.generic_name, "舒唯雅修护精华液");
    // The verdict knows the product and its filing; the shop has no record of the batch.
    let ean = parse_payload("6901234567892", Symbology::Ean13).fields();
    let v = s.verdict(&ean, Some("S1"), day(11, 30)).unwrap();
    assert_eq!(outcome(&v, CheckItem::Registration), Outcome::Pass);
    assert_eq!(outcome(&v, CheckItem::Records), Outcome::Fail);
}
