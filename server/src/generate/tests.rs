use super::{Generator, Plan, Tier, catalog};
use chrono::DateTime;
use chrono::NaiveDate;
use suyuan_core::model::TransactionKind;
use suyuan_core::rules::ledger::Ledger;
use suyuan_core::rules::lifecycle;
use suyuan_core::rules::status::Blocks;
use suyuan_core::rules::submit::{SubmitContext, check_submit};
use suyuan_core::validate::{
    validate_barcode, validate_enterprise, validate_product, validate_transaction,
};

fn small() -> Plan {
    Plan {
        enterprises: 300,
        lines: 20_000,
        seed: 7,
        start: NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date"),
    }
}

#[test]
fn the_catalog_passes_the_core_validators() {
    let c = catalog(&small());
    assert_eq!(c.enterprises.len(), 300);
    assert_eq!(c.tiers, (3, 30));
    for e in &c.enterprises {
        assert_eq!(validate_enterprise(e), vec![], "{}", e.name);
    }
    assert_eq!(c.products.len(), 30);
    for p in &c.products {
        assert_eq!(validate_product(p), vec![], "{}", p.registration_number);
    }
    assert_eq!(c.barcodes.len(), 60);
    for b in &c.barcodes {
        assert_eq!(validate_barcode(b), vec![], "{}", b.gtin);
    }
    let mut usccs: Vec<&str> = c.enterprises.iter().map(|e| e.uscc.as_str()).collect();
    usccs.sort_unstable();
    usccs.dedup();
    assert_eq!(usccs.len(), 300, "every USCC is distinct");
}

#[test]
fn the_same_plan_gives_the_same_documents() {
    let (mut a, mut b) = (Generator::new(small()), Generator::new(small()));
    for _ in 0..20 {
        assert_eq!(a.next_day(), b.next_day());
    }
    let mut other = Generator::new(Plan { seed: 8, ..small() });
    let first = |g: &mut Generator| {
        (0..20)
            .flat_map(|_| g.next_day().map(|d| d.1).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_ne!(first(&mut Generator::new(small())), first(&mut other));
}

/// Every generated document is valid and passes the submit rules against the ledger of the
/// documents before it; the run stops on the day it reaches the plan's line count.
#[test]
fn every_document_passes_the_submit_rules_in_order() {
    let plan = small();
    let mut g = Generator::new(plan);
    let (mut ledger, mut lines, mut days) = (Ledger::new(), 0u64, 0);
    let mut kinds = std::collections::BTreeMap::new();
    let mut numbers = std::collections::HashSet::new();
    while let Some((day, docs)) = g.next_day() {
        days += 1;
        let shelf_life = |_| Some(36);
        for doc in docs {
            assert!(doc.date <= day, "never dated after the day it is submitted");
            assert_eq!(
                validate_transaction(&doc, &shelf_life, NaiveDate::MAX),
                vec![],
                "{}",
                doc.number
            );
            let check = check_submit(
                &doc,
                &SubmitContext {
                    ledger: &ledger,
                    blocks: Blocks::new(&[], &[]),
                    corrected: None,
                    opening_override: None,
                },
            );
            assert!(check.is_ok(), "{}: {:?}", doc.number, check.problems);
            assert!(numbers.insert((doc.enterprise_id, doc.number.clone())));
            let doc = lifecycle::submit(
                doc,
                DateTime::from_timestamp(1_780_000_000, 0).expect("an instant"),
            )
            .expect("a draft");
            ledger.apply(&doc);
            lines += doc.lines.len() as u64;
            *kinds.entry(doc.kind).or_insert(0u64) += 1;
        }
    }
    assert_eq!(lines, g.lines());
    assert!(lines >= plan.lines && days > 1);
    for kind in [
        TransactionKind::FinishedGoodsInbound,
        TransactionKind::PurchaseInbound,
        TransactionKind::SalesOutbound,
        TransactionKind::PurchaseReturn,
        TransactionKind::SalesReturn,
    ] {
        assert!(kinds.get(&kind).copied().unwrap_or(0) > 0, "{kind:?}");
    }
    // The tiers are as documented: only registrants make goods.
    let c = g.catalog();
    assert_eq!(c.tier(0), Tier::Registrant);
    assert_eq!(c.tier(3), Tier::Wholesaler);
    assert_eq!(c.tier(299), Tier::Retail);
}
