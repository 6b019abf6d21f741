//! The flat input of the trace: the movements of one product and batch, one per document line,
//! as a server reads them from an index instead of loading whole documents.

use super::Party;
use crate::model::{
    Counterparty, EnterpriseId, ProductId, Transaction, TransactionId, TransactionKind,
};
use chrono::NaiveDate;

/// The party a document's counterparty designates, keyed as the trace keys parties.
///
/// The variant order matches [`Party`], so sorting keys sorts parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CounterpartyKey<'a> {
    /// A registered enterprise.
    Enterprise(EnterpriseId),
    /// An external known by its USCC (trimmed, not empty).
    Uscc(&'a str),
    /// An external known only by its name (trimmed); the empty name stands for none at all.
    Name(&'a str),
}

impl<'a> CounterpartyKey<'a> {
    /// The key of a counterparty given by its columns: the enterprise when registered, else the
    /// USCC when one is written, else the name.
    pub fn new(enterprise: Option<EnterpriseId>, uscc: Option<&'a str>, name: &'a str) -> Self {
        match (enterprise, uscc.map(str::trim)) {
            (Some(id), _) => CounterpartyKey::Enterprise(id),
            (None, Some(uscc)) if !uscc.is_empty() => CounterpartyKey::Uscc(uscc),
            (None, _) => CounterpartyKey::Name(name.trim()),
        }
    }

    /// The key of a document's counterparty; a missing one is the nameless external, so the
    /// holder's own balance still adds up.
    pub fn of_counterparty(counterparty: Option<&'a Counterparty>) -> Self {
        match counterparty {
            Some(c) => CounterpartyKey::new(c.enterprise_id, c.uscc.as_deref(), &c.name),
            None => CounterpartyKey::Name(""),
        }
    }

    /// The key of a party, trimmed as the documents' keys are.
    pub fn of_party(party: &'a Party) -> Self {
        match party {
            Party::Enterprise(id) => CounterpartyKey::Enterprise(*id),
            Party::Uscc(s) => CounterpartyKey::Uscc(s.trim()),
            Party::Name(s) => CounterpartyKey::Name(s.trim()),
        }
    }

    /// The owned party.
    pub fn to_party(self) -> Party {
        match self {
            CounterpartyKey::Enterprise(id) => Party::Enterprise(id),
            CounterpartyKey::Uscc(s) => Party::Uscc(s.to_owned()),
            CounterpartyKey::Name(s) => Party::Name(s.to_owned()),
        }
    }

    /// Whether this is a platform enterprise.
    pub fn is_platform(self) -> bool {
        matches!(self, CounterpartyKey::Enterprise(_))
    }
}

/// One counted document's quantity of the traced batch (or one line of it), flattened.
///
/// Only submitted documents that no submitted document corrects may be passed; drafts and
/// corrected documents are the caller's to leave out (an index query does it in its `WHERE`).
/// Several movements with the same `document` are one document whose quantities add up; they
/// must then agree on every other field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement<'a> {
    /// The document.
    pub document: TransactionId,
    /// Its number (单号).
    pub number: &'a str,
    /// Its type.
    pub kind: TransactionKind,
    /// Its date.
    pub date: NaiveDate,
    /// The enterprise whose document it is.
    pub holder: EnterpriseId,
    /// The other side, ignored for 成品入库; see [`CounterpartyKey::new`].
    pub counterparty: CounterpartyKey<'a>,
    /// The counterparty's name as written, a candidate display name of that party.
    pub counterparty_name: &'a str,
    /// Quantity of the batch.
    pub quantity: u64,
}

/// The movements of `batch` of `product` in `docs`: one per submitted, uncorrected document with
/// a line of it, its lines of the batch summed; in the order of `docs`.
pub fn movements_of<'a>(
    docs: &'a [Transaction],
    product: ProductId,
    batch: &str,
) -> Vec<Movement<'a>> {
    let mut out = Vec::with_capacity(docs.len());
    movements_into(docs, product, batch, &mut out);
    out
}

/// [`movements_of`] into `out`, which is cleared first.
pub(super) fn movements_into<'a>(
    docs: &'a [Transaction],
    product: ProductId,
    batch: &str,
    out: &mut Vec<Movement<'a>>,
) {
    out.clear();
    // Corrections are collected in the same pass and applied afterwards.
    let mut corrected: Vec<TransactionId> = Vec::new();
    for d in docs {
        if !d.status.is_submitted() {
            continue;
        }
        if let Some(c) = d.corrects {
            corrected.push(c);
        }
        let Some(quantity) = batch_quantity(d, product, batch) else {
            continue;
        };
        let (counterparty, counterparty_name) = match d.kind {
            TransactionKind::FinishedGoodsInbound => (CounterpartyKey::Name(""), ""),
            _ => {
                let cp = d.counterparty.as_ref();
                (
                    CounterpartyKey::of_counterparty(cp),
                    cp.map_or("", |c| c.name.as_str()),
                )
            }
        };
        out.push(Movement {
            document: d.id,
            number: &d.number,
            kind: d.kind,
            date: d.date,
            holder: d.enterprise_id,
            counterparty,
            counterparty_name,
            quantity,
        });
    }
    if !corrected.is_empty() {
        corrected.sort_unstable();
        out.retain(|m| corrected.binary_search(&m.document).is_err());
    }
}

/// Sum of the lines of `product` and `batch` on a document, if it has any.
fn batch_quantity(d: &Transaction, product: ProductId, batch: &str) -> Option<u64> {
    let mut hit = false;
    let mut qty = 0u64;
    for l in &d.lines {
        if l.product_id == product && l.batch == batch {
            hit = true;
            qty += u64::from(l.quantity);
        }
    }
    hit.then_some(qty)
}
