//! The demo's documents, written through the real draft, submit and confirm functions: the
//! manufacturer books two batches as finished goods and sells part of them to the wholesaler,
//! who confirms and sells on to both salons; 悦容 confirms, 雅姿's item stays pending.

use super::{DemoRecords, NAMESPACE, actor};
use crate::db::{self, ConfirmInput, DocError, SubmitOptions, Written};
use chrono::{DateTime, Days, NaiveDate, Utc};
use suyuan_core::model::{
    Counterparty, Enterprise, RecordStatus, Transaction, TransactionId, TransactionKind,
    TransactionLine,
};

/// The batches: (product index, batch number, quantity made).
const BATCHES: [(usize, &str, u32); 2] = [(0, "SWY260105", 240), (1, "SWY260108", 120)];

/// One transfer: (sender index, receiver index, number, [(batch index, quantity)]).
type Transfer = (usize, usize, &'static str, &'static [(usize, u32)]);

/// Sales along the chain, in order; receivers listed in `CONFIRMING` confirm theirs.
const SALES: [Transfer; 3] = [
    (0, 1, "XS-DEMO-0001", &[(0, 120), (1, 48)]),
    (1, 2, "XS-DEMO-0002", &[(0, 24)]),
    (1, 3, "XS-DEMO-0003", &[(1, 12)]),
];

/// Enterprises that confirm what they receive: the wholesaler and 悦容 (雅姿 leaves it pending).
const CONFIRMING: [usize; 2] = [1, 2];

fn line(r: &DemoRecords, batch: usize, quantity: u32, made: NaiveDate) -> TransactionLine {
    let (product, number, _) = BATCHES[batch];
    let p = &r.products[product];
    TransactionLine {
        product_id: p.id,
        product_name: p.generic_name.clone(),
        gtin: r
            .barcodes
            .iter()
            .find(|b| b.product_id == p.id)
            .map(|b| b.gtin.clone()),
        quantity,
        unit: "支".to_owned(),
        batch: number.to_owned(),
        production_date: Some(made),
        expiry_date: p
            .shelf_life_months
            .and_then(|m| made.checked_add_months(chrono::Months::new(m))),
    }
}

fn counterparty(e: &Enterprise) -> Counterparty {
    Counterparty {
        partner_id: None,
        name: e.name.clone(),
        uscc: Some(e.uscc.clone()),
        enterprise_id: Some(e.id),
    }
}

/// Saves and submits one document as the admin of enterprise `from`.
async fn submit(
    db: &db::Db,
    r: &DemoRecords,
    from: usize,
    doc: Transaction,
    now: DateTime<Utc>,
) -> Result<(), DocError> {
    let author = actor(r, from);
    let id = doc.id;
    db::create_draft(db, doc, author.account_id, None, now).await?;
    match db::submit_transaction(
        db,
        author.enterprise_id,
        id,
        author.account_id,
        &SubmitOptions::default(),
        None,
        now,
    )
    .await?
    {
        Written::Done(_) => Ok(()),
        Written::Replayed(_) => Err(DocError::NotFound),
    }
}

/// Writes the chain; `load_demo` calls it once, right after the catalog.
pub(super) async fn load(db: &db::Db, r: &DemoRecords, now: DateTime<Utc>) -> Result<(), DocError> {
    let today = now.date_naive();
    let day = |back: u64| today.checked_sub_days(Days::new(back)).unwrap_or(today);
    let made = day(40);
    let e = &r.enterprises;
    let document = |from: usize, kind, number: &str, to: Option<usize>, lines, date| Transaction {
        id: TransactionId::derived(NAMESPACE, number.as_bytes()),
        enterprise_id: e[from].id,
        kind,
        number: number.to_owned(),
        counterparty: to.map(|t| counterparty(&e[t])),
        date,
        contact: e[from].contact.clone(),
        phone: e[from].phone.clone(),
        lines,
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: None,
        remarks: String::new(),
    };
    let inbound = BATCHES
        .iter()
        .enumerate()
        .map(|(i, (_, _, q))| line(r, i, *q, made))
        .collect();
    submit(
        db,
        r,
        0,
        document(
            0,
            TransactionKind::FinishedGoodsInbound,
            "CP-DEMO-0001",
            None,
            inbound,
            day(30),
        ),
        now,
    )
    .await?;
    for (step, (from, to, number, lines)) in SALES.iter().enumerate() {
        let date = day(20 - 5 * step as u64);
        let lines = lines.iter().map(|(b, q)| line(r, *b, *q, made)).collect();
        let doc = document(
            *from,
            TransactionKind::SalesOutbound,
            number,
            Some(*to),
            lines,
            date,
        );
        submit(db, r, *from, doc, now).await?;
        if CONFIRMING.contains(to) {
            let receiver = actor(r, *to);
            let (items, _) =
                db::list_inbox(db, receiver.enterprise_id, Some("pending"), None, (50, 0)).await?;
            for item in items {
                let input = ConfirmInput {
                    document_id: None,
                    number: None,
                    date: Some(date),
                    contact: e[*to].contact.clone(),
                    phone: e[*to].phone.clone(),
                    lines: None,
                    reason: None,
                    options: SubmitOptions::default(),
                };
                db::confirm_item(
                    db,
                    receiver.enterprise_id,
                    item.id,
                    input,
                    receiver.account_id,
                    None,
                    now,
                )
                .await?;
            }
        }
    }
    Ok(())
}
