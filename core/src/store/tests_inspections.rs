//! Inspections on a regulator's phone: recorded offline with their photos and queued, every
//! problem refused at once with its field, settled by the server's answer (photos leave the
//! phone once it recorded the inspection), and kept from another account's session.

use super::*;
use crate::model::*;
use crate::rules::testing::{day, ent, prod};
use crate::rules::verdict::{Check, CheckItem, Outcome as Verdicted, Verdict};
use crate::sync::wire::{ChangeResult, Operation, Outcome, PushResponse};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];

fn inspector() -> Uuid {
    Uuid::from_u128(0x5EC)
}

fn regulator_phone() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.log_in_regulator(inspector(), "620100").unwrap();
    s
}

fn check(item: CheckItem, outcome: Verdicted) -> Check {
    Check {
        item,
        outcome,
        message_zh: String::new(),
        message_en: String::new(),
    }
}

/// A visit to enterprise 1: a recalled batch on the shelf, an unknown code, two photos.
fn visit(n: u128) -> NewInspection {
    NewInspection {
        id: InspectionId(Uuid::from_u128(0x1500 + n)),
        enterprise_id: ent(1),
        date: day(5, 2),
        inspectors: vec![" 李检查 ".into(), "王执法".into()],
        items: vec![
            InspectedItem {
                code: "(01)06941234567898(10)B1".into(),
                product_id: Some(prod(1)),
                product_name: "舒唯雅皮肤身体护肤霜".into(),
                batch: Some("B1".into()),
                verdict: Verdict {
                    overall: Verdicted::Fail,
                    checks: vec![
                        check(CheckItem::Registration, Verdicted::Pass),
                        check(CheckItem::Recall, Verdicted::Fail),
                    ],
                },
                note: "召回批次仍在货架".into(),
            },
            InspectedItem {
                code: "6901234567892".into(),
                product_id: None,
                product_name: String::new(),
                batch: None,
                verdict: Verdict {
                    overall: Verdicted::Unknown,
                    checks: vec![check(CheckItem::Registration, Verdicted::Unknown)],
                },
                note: String::new(),
            },
        ],
        findings: " 货架上发现召回批次 B1 两瓶，已责令下架 ".into(),
        photos: vec![
            PhotoInput {
                file_name: "shelf.png".into(),
                data: PNG.to_vec(),
            },
            PhotoInput {
                file_name: "IMG_0042.jpg".into(),
                data: JPEG.to_vec(),
            },
        ],
    }
}

fn fields(e: StoreError) -> Vec<(String, String)> {
    let mut out: Vec<_> = e
        .problems()
        .iter()
        .map(|p| (p.field.clone(), p.rule.clone()))
        .collect();
    out.sort();
    out
}

fn answer(change_id: Uuid, outcome: Outcome) -> PushResponse {
    PushResponse {
        results: vec![ChangeResult { change_id, outcome }],
    }
}

#[test]
fn an_inspector_records_a_visit_offline_and_it_waits_in_the_outbox() {
    let mut s = regulator_phone();
    let session = s.session().unwrap().unwrap();
    assert_eq!(
        (
            session.enterprise_id,
            session.regulator_id,
            session.region_code
        ),
        (None, Some(inspector()), Some("620100".to_owned()))
    );
    let kept = s.record_inspection(visit(1), day(5, 2)).unwrap();
    assert_eq!(kept.sync, SyncState::Pending);
    assert_eq!(
        kept.inspection.findings,
        "货架上发现召回批次 B1 两瓶，已责令下架"
    );
    assert_eq!(kept.inspection.inspectors, ["李检查", "王执法"]);
    let types: Vec<_> = kept
        .photos
        .iter()
        .map(|p| (p.file_name.as_str(), p.content_type.as_str(), p.size))
        .collect();
    assert_eq!(
        types,
        [
            ("shelf.png", "image/png", PNG.len() as u64),
            ("IMG_0042.jpg", "image/jpeg", JPEG.len() as u64)
        ]
    );
    assert!(kept.photos.iter().all(|p| p.on_phone && !p.uploaded));
    let photo_ids: Vec<AttachmentId> = kept.photos.iter().map(|p| p.id).collect();
    assert_eq!(kept.inspection.photos, photo_ids);
    assert_eq!(s.inspections().unwrap(), std::slice::from_ref(&kept));
    assert_eq!(
        s.inspection_photo(photo_ids[1]).unwrap().as_deref(),
        Some(JPEG)
    );

    let push = s.next_push(10).unwrap().expect("queued");
    let [change] = &push.changes[..] else {
        panic!("{push:?}")
    };
    let Operation::RecordInspection { id, inspection } = &change.operation else {
        panic!("{change:?}")
    };
    assert_eq!(*id, kept.inspection.id.0);
    let sent: Inspection = serde_json::from_value(inspection.clone()).unwrap();
    assert_eq!(sent, kept.inspection);
    let uploads = s.photos_to_upload(kept.inspection.id).unwrap();
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[0].1, PNG);

    // Saving the same visit again records it once.
    let again = s.record_inspection(visit(1), day(5, 2)).unwrap_err();
    assert_eq!(fields(again), [("id".to_owned(), "id.taken".to_owned())]);
    assert_eq!(s.pending_count().unwrap(), 1);
}

#[test]
fn every_problem_is_refused_at_once_with_its_field() {
    let mut s = regulator_phone();
    let mut bad = visit(1);
    bad.findings = "  ".into();
    bad.date = day(5, 3);
    bad.items[0].verdict.overall = Verdicted::Pass;
    bad.photos[0].data = b"%PDF-1.4".to_vec();
    bad.photos[1].file_name = String::new();
    bad.enterprise_id = EnterpriseId(Uuid::nil());
    let e = s.record_inspection(bad, day(5, 2)).unwrap_err();
    let want: Vec<(String, String)> = [
        ("date", "date.future"),
        ("enterprise_id", "required"),
        ("findings", "required"),
        ("items[0].verdict.overall", "verdict.overall"),
        ("photos[0].data", "photo.type"),
        ("photos[1].file_name", "required"),
    ]
    .iter()
    .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
    .collect();
    assert_eq!(fields(e), want);
    assert!(s.inspections().unwrap().is_empty());
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn only_a_regulators_phone_records_inspections_and_it_keeps_no_enterprise_records() {
    let mut shop = Store::open_in_memory().unwrap();
    shop.log_in(ent(1)).unwrap();
    let e = shop.record_inspection(visit(1), day(5, 2)).unwrap_err();
    assert_eq!(
        fields(e),
        [("session".to_owned(), "session.regulator_only".to_owned())]
    );
    let mut s = regulator_phone();
    let product = Product {
        id: prod(1),
        owner: ent(1),
        generic_name: "面霜".into(),
        brand: "舒唯雅".into(),
        registration_number: "甘G妆网备字2026000123".into(),
        registrant: "兰州舒唯雅生物科技有限公司".into(),
        manufacturer: "兰州舒唯雅生物科技有限公司".into(),
        specification: "200g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Draft,
    };
    let e = s.save_product(product, &[]).unwrap_err();
    assert_eq!(
        fields(e),
        [("session".to_owned(), "session.enterprise_only".to_owned())]
    );
}

#[test]
fn the_servers_answer_settles_each_inspection() {
    let mut s = regulator_phone();
    let first = s.record_inspection(visit(1), day(5, 2)).unwrap();
    let second = s.record_inspection(visit(2), day(5, 2)).unwrap();
    let push = s.next_push(10).unwrap().unwrap();
    assert_eq!(push.changes.len(), 2);
    for p in &first.photos {
        s.photo_uploaded(p.id, None).unwrap();
    }
    s.photo_uploaded(second.photos[0].id, Some("图片太大"))
        .unwrap();
    assert_eq!(
        s.photos_to_upload(second.inspection.id).unwrap().len(),
        1,
        "a refused photo is not sent again"
    );
    s.apply_push_response(&answer(
        push.changes[0].change_id,
        Outcome::Ok {
            id: first.inspection.id.0,
        },
    ))
    .unwrap();
    let refused = vec![Problem::error(
        "enterprise_id",
        "inspection.out_of_region",
        "被检查单位不在本辖区内",
        "The inspected enterprise is not in your region",
    )];
    s.apply_push_response(&answer(
        push.changes[1].change_id,
        Outcome::Rejected {
            problems: refused.clone(),
        },
    ))
    .unwrap();

    let done = s.inspection(first.inspection.id).unwrap().unwrap();
    assert_eq!(done.sync, SyncState::Synced);
    assert!(done.photos.iter().all(|p| p.uploaded && !p.on_phone));
    assert_eq!(s.inspection_photo(first.photos[0].id).unwrap(), None);
    let no = s.inspection(second.inspection.id).unwrap().unwrap();
    assert_eq!(no.sync, SyncState::Rejected { problems: refused });
    assert_eq!(no.photos[0].refused.as_deref(), Some("图片太大"));
    assert!(no.photos.iter().all(|p| p.on_phone), "kept to record again");
    assert_eq!(s.pending_count().unwrap(), 0);
    assert_eq!(s.rejections().unwrap().len(), 1);
}

#[test]
fn another_account_waits_until_the_inspections_are_sent() {
    let mut s = regulator_phone();
    let kept = s.record_inspection(visit(1), day(5, 2)).unwrap();
    assert!(matches!(
        s.log_in(ent(1)),
        Err(StoreError::UnsyncedChanges(1))
    ));
    assert!(matches!(
        s.log_in_regulator(Uuid::from_u128(0x5ED), "620100"),
        Err(StoreError::UnsyncedChanges(1))
    ));
    // The same inspector again, now bound to the province, keeps everything.
    let session = s.log_in_regulator(inspector(), "620000").unwrap();
    assert_eq!(session.region_code.as_deref(), Some("620000"));
    assert_eq!(s.inspections().unwrap().len(), 1);

    let push = s.next_push(10).unwrap().unwrap();
    s.apply_push_response(&answer(
        push.changes[0].change_id,
        Outcome::Ok {
            id: kept.inspection.id.0,
        },
    ))
    .unwrap();
    let session = s.log_in(ent(1)).unwrap();
    assert_eq!(
        (session.enterprise_id, session.regulator_id),
        (Some(ent(1)), None)
    );
    assert!(s.inspections().unwrap().is_empty());
    let photos: i64 = s
        .conn
        .query_row("SELECT COUNT(*) FROM inspection_photos", [], |r| r.get(0))
        .unwrap();
    assert_eq!(photos, 0);
}
