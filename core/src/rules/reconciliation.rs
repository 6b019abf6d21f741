//! Counterparty reconciliation (勾兑): one side's submitted document appears in the other side's
//! inbox, and the two records of a transfer are matched, with differences kept visible.
//!
//! - A seller's 销售出库 to a registered buyer raises a pending 采购入库 in the buyer's inbox.
//! - A buyer's 采购退出 to a registered seller raises a pending 销售退入 in the seller's inbox.
//! - A buyer's own 采购入库 from a registered seller matches a pending item with the same lines,
//!   or else raises an unmatched item in the seller's inbox (and likewise for 销售退入).
//! - Confirming an item creates the inbox owner's document from the item's lines, as is or with
//!   per-line differences and a reason.

use crate::model::{
    Counterparty, EnterpriseId, LineDifference, ProductId, ReconciliationItem,
    ReconciliationItemId, ReconciliationKind, ReconciliationState, RecordStatus, Transaction,
    TransactionId, TransactionKind, TransactionLine,
};
use crate::problem::Problem;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Namespace of item ids, so an item's id follows from its source document and kind.
const ITEM_NAMESPACE: Uuid = Uuid::from_u128(0x5e0c_a11d_0f0e_4b5a_9d3c_8a6f_2b1e_7c40);

/// The id of the item a document raises: replaying the same submit yields the same id.
pub fn item_id(source: TransactionId, kind: ReconciliationKind) -> ReconciliationItemId {
    let mut name = source.0.as_bytes().to_vec();
    name.push(kind as u8);
    ReconciliationItemId::derived(ITEM_NAMESPACE, &name)
}

/// What a submit changes in the inboxes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxChange {
    /// New items.
    pub created: Vec<ReconciliationItem>,
    /// Existing items in their new state.
    pub updated: Vec<ReconciliationItem>,
}

/// Quantities per product and batch; lines are compared this way because line order and
/// splitting one batch over several lines do not change what was transferred.
pub fn quantities(lines: &[TransactionLine]) -> BTreeMap<(ProductId, &str), u64> {
    let mut map = BTreeMap::new();
    for l in lines {
        *map.entry((l.product_id, l.batch.as_str())).or_insert(0) += u64::from(l.quantity);
    }
    map
}

/// Per product and batch differences between what was sent and what was received; empty when equal.
pub fn differences(sent: &[TransactionLine], received: &[TransactionLine]) -> Vec<LineDifference> {
    let s = quantities(sent);
    let r = quantities(received);
    let mut keys: Vec<_> = s.keys().chain(r.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (
                s.get(&k).copied().unwrap_or(0),
                r.get(&k).copied().unwrap_or(0),
            );
            (a != b).then(|| LineDifference {
                product_id: k.0,
                batch: k.1.to_owned(),
                sent: a,
                received: b,
            })
        })
        .collect()
}

/// The reconciliation role of a document kind: the item it raises in the counterparty's inbox
/// when nothing matches, the open item kind it can match, and the kind of the counterparty's
/// matching document.
fn role(kind: TransactionKind) -> Option<(ReconciliationKind, ReconciliationKind)> {
    use ReconciliationKind as R;
    use TransactionKind as T;
    match kind {
        T::SalesOutbound => Some((R::PurchaseInbound, R::UnmatchedInbound)),
        T::PurchaseReturn => Some((R::SalesReturn, R::UnmatchedSalesReturn)),
        T::PurchaseInbound => Some((R::UnmatchedInbound, R::PurchaseInbound)),
        T::SalesReturn => Some((R::UnmatchedSalesReturn, R::SalesReturn)),
        T::FinishedGoodsInbound => None,
    }
}

/// The document the inbox owner records to confirm an item of this kind.
pub fn confirming_kind(kind: ReconciliationKind) -> TransactionKind {
    match kind {
        ReconciliationKind::PurchaseInbound => TransactionKind::PurchaseInbound,
        ReconciliationKind::SalesReturn => TransactionKind::SalesReturn,
        ReconciliationKind::UnmatchedInbound => TransactionKind::SalesOutbound,
        ReconciliationKind::UnmatchedSalesReturn => TransactionKind::PurchaseReturn,
    }
}

/// The registered counterparty of a document, if any.
fn platform_counterparty(doc: &Transaction) -> Option<EnterpriseId> {
    doc.counterparty.as_ref().and_then(|c| c.enterprise_id)
}

/// What submitting `doc` changes in the inboxes. `open_items` are the items that may concern it:
/// the pending items between its enterprise and its counterparty, and the item of the document it
/// corrects. Documents created by confirming an item (`reconciles` set) change nothing here: the
/// confirmation already matched them.
pub fn on_submit(doc: &Transaction, open_items: &[ReconciliationItem]) -> InboxChange {
    let mut change = InboxChange::default();
    let (Some((raises, matches)), Some(other)) = (role(doc.kind), platform_counterparty(doc))
    else {
        return change;
    };
    if doc.reconciles.is_some() || other == doc.enterprise_id {
        return change;
    }
    let wanted = quantities(&doc.lines);
    let matched = open_items.iter().find(|i| {
        i.kind == matches
            && i.is_open()
            && i.from == other
            && i.to == doc.enterprise_id
            && quantities(&i.lines) == wanted
    });
    // The item that represents this document from now on: the one it matched, or a new one.
    let representative = match matched {
        Some(item) => {
            let mut done = item.clone();
            done.state = ReconciliationState::Confirmed {
                document: doc.id,
                differences: vec![],
                reason: None,
            };
            change.updated.push(done);
            item.id
        }
        None => {
            let id = item_id(doc.id, raises);
            change.created.push(ReconciliationItem {
                id,
                kind: raises,
                source: doc.id,
                source_number: doc.number.clone(),
                from: doc.enterprise_id,
                to: other,
                date: doc.date,
                lines: doc.lines.clone(),
                state: ReconciliationState::Pending,
            });
            id
        }
    };
    // An open item raised by the corrected document is replaced.
    if let Some(old) = doc.corrects {
        for item in open_items.iter().filter(|i| i.source == old && i.is_open()) {
            let mut superseded = item.clone();
            superseded.state = ReconciliationState::Superseded { by: representative };
            change.updated.push(superseded);
        }
    }
    change
}

/// How the inbox owner confirms an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Id of the document to create (client-generated, so a retry is harmless).
    pub document_id: TransactionId,
    /// Its number (单号).
    pub number: String,
    /// Its date.
    pub date: NaiveDate,
    /// The counterparty as the inbox owner names it (its partner record of the item's sender).
    pub counterparty: Counterparty,
    /// Contact person.
    pub contact: String,
    /// Contact phone.
    pub phone: String,
    /// The lines actually received; `None` confirms the item's lines as they are.
    pub lines: Option<Vec<TransactionLine>>,
    /// Why the lines differ; required when they do.
    pub reason: Option<String>,
}

/// The result of a confirmation: the inbox owner's document (a draft, to be submitted with the
/// usual submit checks in the same database transaction) and the item in its new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    /// The inbox owner's new document.
    pub document: Transaction,
    /// The item, confirmed.
    pub item: ReconciliationItem,
}

fn not_actionable(item: &ReconciliationItem, by: EnterpriseId) -> Option<Problem> {
    if item.to != by {
        return Some(Problem::error(
            "item",
            "reconciliation.not_yours",
            "该勾兑事项不属于本企业",
            "This reconciliation item is not addressed to your enterprise",
        ));
    }
    if !item.is_open() {
        return Some(Problem::error(
            "item",
            "reconciliation.not_pending",
            format!("单据 {} 的勾兑事项已处理，不能再次处理", item.source_number),
            format!(
                "The item for document {} was already handled",
                item.source_number
            ),
        ));
    }
    None
}

/// Confirms an item as is or with differences.
pub fn confirm(
    item: &ReconciliationItem,
    by: EnterpriseId,
    c: Confirmation,
) -> Result<Confirmed, Vec<Problem>> {
    if let Some(p) = not_actionable(item, by) {
        return Err(vec![p]);
    }
    let lines = c.lines.unwrap_or_else(|| item.lines.clone());
    let diffs = differences(&item.lines, &lines);
    let reason = c.reason.filter(|r| !r.trim().is_empty());
    if !diffs.is_empty() && reason.is_none() {
        return Err(vec![Problem::error(
            "reason",
            "reconciliation.reason_required",
            "确认数量与对方单据不一致，请填写差异原因",
            "The confirmed lines differ from the other side's document: give the reason",
        )]);
    }
    let document = Transaction {
        id: c.document_id,
        enterprise_id: by,
        kind: confirming_kind(item.kind),
        number: c.number,
        counterparty: Some(Counterparty {
            enterprise_id: Some(item.from),
            ..c.counterparty
        }),
        date: c.date,
        contact: c.contact,
        phone: c.phone,
        lines,
        status: RecordStatus::Draft,
        corrects: None,
        reconciles: Some(item.id),
        remarks: reason.clone().unwrap_or_default(),
    };
    let mut confirmed = item.clone();
    confirmed.state = ReconciliationState::Confirmed {
        document: document.id,
        differences: diffs,
        reason,
    };
    Ok(Confirmed {
        document,
        item: confirmed,
    })
}

/// Disputes an item: the inbox owner says the transfer did not happen as recorded.
pub fn dispute(
    item: &ReconciliationItem,
    by: EnterpriseId,
    reason: &str,
) -> Result<ReconciliationItem, Problem> {
    if let Some(p) = not_actionable(item, by) {
        return Err(p);
    }
    if reason.trim().is_empty() {
        return Err(Problem::error(
            "reason",
            "required",
            "异议原因：必填",
            "Reason for the dispute: required",
        ));
    }
    let mut disputed = item.clone();
    disputed.state = ReconciliationState::Disputed {
        reason: reason.trim().to_owned(),
    };
    Ok(disputed)
}

#[cfg(test)]
#[path = "reconciliation_tests.rs"]
mod tests;
