//! A batch's life across five enterprises, through the core's rules only: a manufacturer makes
//! it, a wholesaler buys it, three salons buy from the wholesaler; one confirms short, one
//! returns goods, one never confirms; then the regulator recalls the batch.

use suyuan_core::model::*;
use suyuan_core::rules::status::Blocks;
use suyuan_core::rules::trace::{Party, TraceDirection, TraceStart, trace_batch};
use suyuan_core::rules::warnings::{WarningInput, WarningKind, WarningParams, run};
use suyuan_core::validate::{validate_enterprise, validate_product};
use suyuan_e2e::{Platform, day, now};

const BATCH: &str = "B20260115";

fn enterprise(name: &str, uscc: &str, kind: EnterpriseKind) -> Enterprise {
    Enterprise {
        id: EnterpriseId::random(),
        name: name.into(),
        uscc: uscc.into(),
        kind,
        region_code: "620102".into(),
        address: "甘肃省兰州市城关区".into(),
        legal_representative: "张三".into(),
        licence: None,
        contact: "张三".into(),
        phone: "0931-7618101".into(),
    }
}

/// Walk-in customers of a salon, who are not on the platform.
fn walk_in() -> Option<Counterparty> {
    Some(Counterparty {
        partner_id: None,
        name: "散客".into(),
        uscc: None,
        enterprise_id: None,
    })
}

fn line(p: &Product, qty: u32) -> TransactionLine {
    TransactionLine {
        product_id: p.id,
        product_name: p.generic_name.clone(),
        gtin: Some("6901234567892".into()),
        quantity: qty,
        unit: "瓶".into(),
        batch: BATCH.into(),
        production_date: Some(day(1, 15)),
        expiry_date: Some(
            day(1, 15)
                .checked_add_months(chrono::Months::new(36))
                .unwrap()
                .pred_opt()
                .unwrap(),
        ),
    }
}

#[test]
fn a_batch_is_traceable_from_maker_to_salon_and_recallable() {
    let mut p = Platform::default();
    // USCCs with valid check characters (GB 32100-2015).
    let maker = enterprise(
        "甘肃舒来纽化妆品有限责任公司",
        "91350100M000100Y43",
        EnterpriseKind::RegistrantManufacturer,
    );
    let wholesaler = enterprise(
        "兰州美源化妆品批发有限公司",
        "91512081MA62K0260E",
        EnterpriseKind::Wholesaler,
    );
    for e in [&maker, &wholesaler] {
        assert_eq!(validate_enterprise(e), vec![], "{}", e.name);
    }
    let salons: Vec<Enterprise> = (1..=3)
        .map(|i| {
            enterprise(
                &format!("城关区丽人美容院{i}号店"),
                "91350100M000100Y43",
                EnterpriseKind::BeautySalon,
            )
        })
        .collect();
    p.enterprises.extend([maker.clone(), wholesaler.clone()]);
    p.enterprises.extend(salons.iter().cloned());

    let cream = Product {
        id: ProductId::random(),
        owner: maker.id,
        generic_name: "舒唯雅皮肤身体护肤霜".into(),
        brand: "舒唯雅".into(),
        registration_number: "甘G妆网备字2022000123".into(),
        registrant: maker.name.clone(),
        manufacturer: maker.name.clone(),
        specification: "200g".into(),
        shelf_life_months: Some(36),
        attachments: vec![],
        status: RecordStatus::Submitted { at: now() },
    };
    assert_eq!(validate_product(&cream), vec![]);
    p.products.push(cream.clone());
    let today = day(3, 1);

    // The maker books 1,000 from production and sells 300 to the wholesaler.
    let made = p.draft(
        maker.id,
        TransactionKind::FinishedGoodsInbound,
        None,
        day(1, 20),
        vec![line(&cream, 1000)],
    );
    p.submit(made, today, None).unwrap();
    let sale = p.draft(
        maker.id,
        TransactionKind::SalesOutbound,
        Some(p.party(wholesaler.id)),
        day(2, 1),
        vec![line(&cream, 300)],
    );
    p.submit(sale, today, None).unwrap();

    // It lands in the wholesaler's inbox; the wholesaler confirms as is.
    let inbox = p.inbox(wholesaler.id);
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].kind, ReconciliationKind::PurchaseInbound);
    p.confirm(wholesaler.id, &inbox[0], day(2, 2), None, None)
        .unwrap();

    // The wholesaler sells 50, 60 and 70 to the salons.
    for (salon, qty) in salons.iter().zip([50, 60, 70]) {
        let d = p.draft(
            wholesaler.id,
            TransactionKind::SalesOutbound,
            Some(p.party(salon.id)),
            day(2, 10),
            vec![line(&cream, qty)],
        );
        p.submit(d, today, None).unwrap();
    }
    // Salon 1 confirms as is, salon 2 one bottle short with a reason, salon 3 never.
    let item1 = p.inbox(salons[0].id).remove(0);
    p.confirm(salons[0].id, &item1, day(2, 11), None, None)
        .unwrap();
    let item2 = p.inbox(salons[1].id).remove(0);
    let short = p.confirm(
        salons[1].id,
        &item2,
        day(2, 11),
        Some(vec![line(&cream, 59)]),
        None,
    );
    assert_eq!(short.unwrap_err()[0].rule, "reconciliation.reason_required");
    p.confirm(
        salons[1].id,
        &item2,
        day(2, 11),
        Some(vec![line(&cream, 59)]),
        Some("到货破损一瓶"),
    )
    .unwrap();

    // Salon 1 returns 5; the return lands in the wholesaler's inbox, who books it.
    let ret = p.draft(
        salons[0].id,
        TransactionKind::PurchaseReturn,
        Some(p.party(wholesaler.id)),
        day(2, 20),
        vec![line(&cream, 5)],
    );
    p.submit(ret, today, None).unwrap();
    let ret_item = p.inbox(wholesaler.id).remove(0);
    assert_eq!(ret_item.kind, ReconciliationKind::SalesReturn);
    p.confirm(wholesaler.id, &ret_item, day(2, 21), None, None)
        .unwrap();

    // Ledgers: maker 700; wholesaler 300 − 180 + 5; salons 45, 59, 0 (salon 3 has not booked its 70).
    let ledger = p.ledger();
    let held = |e: &Enterprise| ledger.held(e.id, cream.id, BATCH);
    assert_eq!(held(&maker), 700);
    assert_eq!(held(&wholesaler), 125);
    assert_eq!(
        [held(&salons[0]), held(&salons[1]), held(&salons[2])],
        [45, 59, 0]
    );

    // Selling more than is held is refused, naming the line.
    let over = p.draft(
        salons[0].id,
        TransactionKind::SalesOutbound,
        walk_in(),
        day(2, 25),
        vec![line(&cream, 46)],
    );
    let problems = p.submit(over, today, None).unwrap_err();
    assert_eq!(
        (problems[0].rule.as_str(), problems[0].field.as_str()),
        ("stock.insufficient", "lines[0].quantity")
    );

    // Forward trace from the maker reaches the wholesaler and all three salons; salon 3's edge
    // shows 70 sent and nothing received yet.
    let forward = trace_batch(
        &p.documents,
        cream.id,
        BATCH,
        TraceStart::From(Party::Enterprise(maker.id)),
        TraceDirection::Forward,
    );
    let reached: Vec<&Party> = forward.nodes.iter().map(|n| &n.party).collect();
    for e in std::iter::once(&wholesaler).chain(&salons) {
        assert!(
            reached.contains(&&Party::Enterprise(e.id)),
            "{} reached",
            e.name
        );
    }
    let idx = |party: Party| forward.nodes.iter().position(|n| n.party == party).unwrap() as u32;
    let to_salon3 = forward
        .edges
        .iter()
        .find(|e| e.to == idx(Party::Enterprise(salons[2].id)))
        .unwrap();
    assert_eq!((to_salon3.sent, to_salon3.received), (70, 0));
    let wholesaler_node = &forward.nodes[idx(Party::Enterprise(wholesaler.id)) as usize];
    assert_eq!(wholesaler_node.held, Some(125));
    assert!(!forward.tree.is_empty());

    // Backward from salon 2 ends at the maker.
    let backward = trace_batch(
        &p.documents,
        cream.id,
        BATCH,
        TraceStart::From(Party::Enterprise(salons[1].id)),
        TraceDirection::Backward,
    );
    let upstream: Vec<&Party> = backward.nodes.iter().map(|n| &n.party).collect();
    assert!(upstream.contains(&&Party::Enterprise(maker.id)));
    assert!(!upstream.contains(&&Party::Enterprise(salons[0].id)));

    // The regulator recalls the batch: salon 1 can no longer sell it.
    p.recalls.push(Recall {
        id: RecallId::random(),
        initiator: RecallInitiator::Regulator {
            region_code: "620000".into(),
        },
        product_id: cream.id,
        product_name: cream.generic_name.clone(),
        batches: vec![BATCH.into()],
        level: RecallLevel::Two,
        reason: "菌落总数超标".into(),
        start_date: day(3, 1),
        deadline: Some(day(3, 31)),
        completed_on: None,
        scope: "甘肃省".into(),
        status: RecallStatus::Active,
        progress: vec![],
    });
    assert_eq!(
        Blocks::new(&p.recalls, &p.nonconforming).batch_status(cream.id, BATCH),
        suyuan_core::rules::status::ProductStatus::Recalled
    );
    let sell = p.draft(
        salons[0].id,
        TransactionKind::SalesOutbound,
        walk_in(),
        day(3, 2),
        vec![line(&cream, 1)],
    );
    let problems = p.submit(sell, day(3, 2), None).unwrap_err();
    assert_eq!(problems[0].rule, "sale.recalled");

    // Warnings: every holder holds a recalled batch; salon 3's transfer is overdue; salon 2's
    // confirmation differs from what the wholesaler sent.
    let ledger = p.ledger();
    let warnings = run(&WarningInput {
        today: day(3, 5),
        enterprises: &p.enterprises,
        products: &p.products,
        partners: &[],
        documents: &p.documents,
        items: &p.items,
        recalls: &p.recalls,
        nonconforming: &p.nonconforming,
        openings: &p.openings,
        ledger: &ledger,
        params: WarningParams::default(),
    });
    let of = |kind: WarningKind| -> Vec<Option<EnterpriseId>> {
        let mut v: Vec<_> = warnings
            .iter()
            .filter(|w| w.kind == kind)
            .map(|w| w.enterprise_id)
            .collect();
        v.sort();
        v
    };
    let mut holders = vec![
        Some(maker.id),
        Some(wholesaler.id),
        Some(salons[0].id),
        Some(salons[1].id),
    ];
    holders.sort();
    assert_eq!(of(WarningKind::RecalledBatchHeld), holders);
    assert_eq!(of(WarningKind::UnreconciledTransfer), [Some(salons[2].id)]);
    assert_eq!(of(WarningKind::QuantityMismatch), [Some(wholesaler.id)]);
    assert!(of(WarningKind::NegativeStock).is_empty());
}
