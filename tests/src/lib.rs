//! Shared fixtures for the end-to-end tests in `tests/tests/`: a small in-memory platform that
//! moves records only through `suyuan-core`'s rules, the way the server and the phone will;
//! the real server on loopback, and a fault-injecting proxy to put in front of it.

pub mod fault_proxy;
pub mod loopback;
pub mod phone_records;

use chrono::{DateTime, NaiveDate, Utc};
use suyuan_core::Problem;
use suyuan_core::model::*;
use suyuan_core::rules::ledger::{Ledger, OpeningBalance};
use suyuan_core::rules::lifecycle;
use suyuan_core::rules::reconciliation::{self, Confirmation};
use suyuan_core::rules::status::Blocks;
use suyuan_core::rules::submit::{SubmitContext, check_submit};
use suyuan_core::validate::validate_transaction;

/// A day of 2026.
pub fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).expect("valid day")
}

/// The instant documents are submitted at in these tests.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).expect("valid instant")
}

/// Records of every enterprise, changed only through the core's rules.
#[derive(Default)]
pub struct Platform {
    /// Registered enterprises.
    pub enterprises: Vec<Enterprise>,
    /// The shared product library.
    pub products: Vec<Product>,
    /// Every document, drafts included.
    pub documents: Vec<Transaction>,
    /// Every reconciliation item.
    pub items: Vec<ReconciliationItem>,
    /// Recalls.
    pub recalls: Vec<Recall>,
    /// Nonconforming listings.
    pub nonconforming: Vec<NonconformingRecord>,
    /// Opening balances accepted by override.
    pub openings: Vec<OpeningBalance>,
    counter: u32,
}

impl Platform {
    /// The ledger of everything submitted so far.
    pub fn ledger(&self) -> Ledger {
        Ledger::from_documents(&self.documents, &self.openings)
    }

    /// A counterparty naming a registered enterprise.
    pub fn party(&self, e: EnterpriseId) -> Counterparty {
        let ent = self
            .enterprises
            .iter()
            .find(|x| x.id == e)
            .expect("registered");
        Counterparty {
            partner_id: None,
            name: ent.name.clone(),
            uscc: Some(ent.uscc.clone()),
            enterprise_id: Some(e),
        }
    }

    /// A draft document of `e`.
    pub fn draft(
        &mut self,
        e: EnterpriseId,
        kind: TransactionKind,
        counterparty: Option<Counterparty>,
        date: NaiveDate,
        lines: Vec<TransactionLine>,
    ) -> Transaction {
        self.counter += 1;
        Transaction {
            id: TransactionId::random(),
            enterprise_id: e,
            kind,
            number: format!(
                "{}-{:04}",
                kind.label_en().chars().next().unwrap_or('D'),
                self.counter
            ),
            counterparty,
            date,
            contact: "王经理".into(),
            phone: "0931-7617990".into(),
            lines,
            status: RecordStatus::Draft,
            corrects: None,
            reconciles: None,
            remarks: String::new(),
        }
    }

    /// Validates and submits a draft as the service will: every problem at once, nothing
    /// written unless all checks pass; on success the counterparty's inbox is updated.
    pub fn submit(
        &mut self,
        doc: Transaction,
        today: NaiveDate,
        opening_override: Option<&str>,
    ) -> Result<TransactionId, Vec<Problem>> {
        let shelf = |p: ProductId| {
            self.products
                .iter()
                .find(|x| x.id == p)
                .and_then(|x| x.shelf_life_months)
        };
        let mut problems = validate_transaction(&doc, &shelf, today);
        let ledger = self.ledger();
        let check = check_submit(
            &doc,
            &SubmitContext {
                ledger: &ledger,
                blocks: Blocks::new(&self.recalls, &self.nonconforming),
                corrected: None,
                opening_override,
            },
        );
        problems.extend(check.problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let doc = lifecycle::submit(doc, now()).map_err(|p| vec![p])?;
        let change = reconciliation::on_submit(&doc, &self.items);
        for updated in change.updated {
            if let Some(slot) = self.items.iter_mut().find(|i| i.id == updated.id) {
                *slot = updated;
            }
        }
        self.items.extend(change.created);
        self.openings.extend(check.openings);
        let id = doc.id;
        self.documents.push(doc);
        Ok(id)
    }

    /// The open items in `e`'s inbox.
    pub fn inbox(&self, e: EnterpriseId) -> Vec<ReconciliationItem> {
        self.items
            .iter()
            .filter(|i| i.to == e && i.is_open())
            .cloned()
            .collect()
    }

    /// Confirms an item from `e`'s inbox, with the received lines when they differ.
    pub fn confirm(
        &mut self,
        e: EnterpriseId,
        item: &ReconciliationItem,
        date: NaiveDate,
        received: Option<Vec<TransactionLine>>,
        reason: Option<&str>,
    ) -> Result<TransactionId, Vec<Problem>> {
        self.counter += 1;
        let confirmed = reconciliation::confirm(
            item,
            e,
            Confirmation {
                document_id: TransactionId::random(),
                number: format!("RK-{:04}", self.counter),
                date,
                counterparty: self.party(item.from),
                contact: "李店长".into(),
                phone: "13912345678".into(),
                lines: received,
                reason: reason.map(str::to_owned),
            },
        )?;
        let id = self.submit(confirmed.document, date, None)?;
        let slot = self
            .items
            .iter_mut()
            .find(|i| i.id == item.id)
            .expect("item exists");
        *slot = confirmed.item;
        Ok(id)
    }
}
