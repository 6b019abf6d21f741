//! Barcode entry on the phone: validated offline, unsent edits folded into the unsent save,
//! a refused edit or delete undone, pulled barcodes read-only, and the scanner finds them.

use super::*;
use crate::model::*;
use crate::rules::testing::{ent, prod};
use crate::sync::wire::{ChangeResult, Operation, Outcome, PushResponse};

fn store_of(e: EnterpriseId) -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.log_in(e).unwrap();
    s
}

fn barcode(owner: EnterpriseId, gtin: &str) -> Barcode {
    Barcode {
        id: BarcodeId::random(),
        owner,
        product_id: prod(1),
        gtin: gtin.into(),
        specification: "50g".into(),
        package_specification: "1支".into(),
        level: PackagingLevel::Unit,
        contains_quantity: 1,
        contains_gtin: None,
        photo: None,
        status: RecordStatus::Draft,
    }
}

fn ops(s: &mut Store) -> Vec<Operation> {
    s.next_push(100)
        .unwrap()
        .map(|p| p.changes.into_iter().map(|c| c.operation).collect())
        .unwrap_or_default()
}

fn answer(s: &mut Store, outcome: Outcome) {
    let push = s.next_push(100).unwrap().expect("something to push");
    let results = push
        .changes
        .iter()
        .map(|c| ChangeResult {
            change_id: c.change_id,
            outcome: outcome.clone(),
        })
        .collect();
    s.apply_push_response(&PushResponse { results }).unwrap();
}

#[test]
fn a_barcode_is_checked_offline_and_unsent_edits_fold_into_its_save() {
    let e = ent(1);
    let mut s = store_of(e);
    let err = s
        .save_barcode(barcode(e, "6901234567890"), &[])
        .unwrap_err();
    assert!(err.problems().iter().any(|p| p.field == "gtin"), "{err:?}");
    let mut b = barcode(e, "6901234567892");
    s.save_barcode(b.clone(), &[]).unwrap();
    let err = s
        .save_barcode(barcode(e, "06901234567892"), &[])
        .unwrap_err();
    assert_eq!(
        err.problems()[0].rule,
        "gtin.taken",
        "the same GTIN in its 14-digit form"
    );
    b.specification = "100g".into();
    s.save_barcode(b.clone(), &[]).unwrap();
    assert_eq!(
        s.product_by_gtin("6901234567892").unwrap(),
        None,
        "no product here yet"
    );
    match &ops(&mut s)[..] {
        [Operation::SaveBarcode { barcode, .. }] => assert_eq!(barcode["specification"], "100g"),
        other => panic!("expected one save, got {other:?}"),
    }
    assert_eq!(s.barcodes("100g").unwrap(), vec![b]);
}

#[test]
fn a_refused_barcode_edit_or_delete_puts_the_servers_copy_back() {
    let e = ent(1);
    let mut s = store_of(e);
    let b = barcode(e, "6901234567892");
    s.save_barcode(b.clone(), &[]).unwrap();
    answer(&mut s, Outcome::Ok { id: b.id.0 });
    let mut edited = b.clone();
    edited.specification = "1kg".into();
    s.save_barcode(edited, &[]).unwrap();
    assert!(matches!(
        &ops(&mut s)[..],
        [Operation::UpdateBarcode { .. }]
    ));
    answer(&mut s, Outcome::Rejected { problems: vec![] });
    assert_eq!(s.barcode(b.id).unwrap(), Some(b.clone()));

    s.delete_barcode(b.id).unwrap();
    assert!(s.barcodes("").unwrap().is_empty());
    answer(&mut s, Outcome::Rejected { problems: vec![] });
    assert_eq!(s.barcodes("").unwrap(), vec![b.clone()], "back as it was");

    // Deleting one the server never saw leaves nothing to send.
    let never = barcode(e, "6921168509256");
    s.save_barcode(never.clone(), &[]).unwrap();
    s.delete_barcode(never.id).unwrap();
    assert_eq!(s.pending_count().unwrap(), 0);
}

#[test]
fn another_enterprises_barcode_is_read_only_here() {
    let e = ent(1);
    let mut s = store_of(e);
    let theirs = barcode(ent(2), "6901234567892");
    s.apply_pull(&crate::sync::wire::PullResponse {
        changes: vec![crate::sync::wire::ServerChange {
            seq: 1,
            entity: entity::BARCODE.into(),
            id: theirs.id.0,
            body: serde_json::to_value(&theirs).unwrap(),
        }],
        next_cursor: 1,
        more: false,
    })
    .unwrap();
    let rule = |e: StoreError| e.problems()[0].rule.clone();
    assert_eq!(
        rule(s.save_barcode(theirs.clone(), &[]).unwrap_err()),
        "barcode.not_own"
    );
    assert_eq!(
        rule(s.delete_barcode(theirs.id).unwrap_err()),
        "barcode.not_own"
    );
    // Its GTIN is another enterprise's: this one may register the same code.
    s.save_barcode(barcode(e, "6901234567892"), &[]).unwrap();
}
