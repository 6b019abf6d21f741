//! Rules over the other side of purchases and sales: licences, quality agreements, and suppliers
//! outside the platform.

use super::{
    Context, DocumentRef, Evidence, Target, Warning, WarningInput, WarningKind, group_lines, single,
};
use crate::model::{Partner, Transaction, TransactionKind};

/// A 采购入库 or 销售出库 dated after the counterparty partner's licence expired (Medium).
pub fn counterparty_licence_expired(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, counterparty_licence_expired_into)
}

/// A 采购入库 dated outside the supplier's quality agreement (Medium).
pub fn supplier_agreement_expired(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, supplier_agreement_expired_into)
}

/// A 采购入库 from a counterparty that is not a platform enterprise, per batch (Low).
pub fn unregistered_supplier(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, unregistered_supplier_into)
}

/// The partner record a document names, if it is one the document's enterprise keeps: another
/// enterprise's partner record says nothing about this relationship.
fn partner_of<'a>(ctx: &Context<'a>, doc: &Transaction) -> Option<&'a Partner> {
    let id = doc.counterparty.as_ref()?.partner_id?;
    ctx.partner(id).filter(|p| p.owner == doc.enterprise_id)
}

fn document_target(doc: &Transaction) -> Target<'static> {
    Target {
        enterprise: Some(doc.enterprise_id),
        product: None,
        batch: None,
        subject: Some(doc.id.0),
    }
}

fn total(doc: &Transaction) -> u64 {
    doc.lines.iter().map(|l| u64::from(l.quantity)).sum()
}

pub(super) fn counterparty_licence_expired_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let docs = ctx.live_documents().filter(|d| {
        matches!(
            d.kind,
            TransactionKind::PurchaseInbound | TransactionKind::SalesOutbound
        )
    });
    for doc in docs {
        let Some(partner) = partner_of(ctx, doc) else {
            continue;
        };
        let Some(valid_to) = partner
            .licence
            .as_ref()
            .and_then(|l| l.valid_to)
            .filter(|&to| to < doc.date)
        else {
            continue;
        };
        let e = ctx.enterprise_name(doc.enterprise_id);
        let (kz, ke) = (doc.kind.label_zh(), doc.kind.label_en().to_lowercase());
        let (name, no, date) = (&partner.name, &doc.number, doc.date);
        out.push(Warning::new(
            WarningKind::CounterpartyLicenceExpired,
            document_target(doc),
            Evidence {
                documents: vec![DocumentRef::of(doc, total(doc))],
                date: Some(valid_to),
                ..Evidence::default()
            },
            format!(
                "{e} 于 {date} 与 {name} 发生{kz}（单号 {no}），对方许可证已于 {valid_to} 到期"
            ),
            format!(
                "{e} recorded a {ke} {no} with {name} on {date}, after the counterparty's licence expired on {valid_to}"
            ),
        ));
    }
}

pub(super) fn supplier_agreement_expired_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let docs = ctx
        .live_documents()
        .filter(|d| d.kind == TransactionKind::PurchaseInbound);
    for doc in docs {
        // A supplier without a recorded agreement is a gap in the partner record, which the
        // partner validators report; this rule only judges recorded agreements.
        let Some((partner, range)) =
            partner_of(ctx, doc).and_then(|p| p.quality_agreement.map(|r| (p, r)))
        else {
            continue;
        };
        if range.contains(doc.date) {
            continue;
        }
        let e = ctx.enterprise_name(doc.enterprise_id);
        let (name, no, date, from, to) =
            (&partner.name, &doc.number, doc.date, range.from, range.to);
        out.push(Warning::new(
            WarningKind::SupplierAgreementExpired,
            document_target(doc),
            Evidence {
                documents: vec![DocumentRef::of(doc, total(doc))],
                date: Some(if date < from { from } else { to }),
                ..Evidence::default()
            },
            format!(
                "{e} 于 {date} 从 {name} 采购入库（单号 {no}），不在质量协议有效期 {from} 至 {to} 内"
            ),
            format!(
                "{e} bought from {name} on {date} (document {no}), outside the quality agreement's validity {from} to {to}"
            ),
        ));
    }
}

pub(super) fn unregistered_supplier_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    let docs = ctx.live_documents().filter(|d| {
        d.kind == TransactionKind::PurchaseInbound
            && d.counterparty
                .as_ref()
                .is_none_or(|c| c.enterprise_id.is_none())
    });
    for doc in docs {
        let supplier = doc
            .counterparty
            .as_ref()
            .map_or("（未填写）", |c| c.name.as_str());
        for g in group_lines(doc.lines.iter().map(|l| (l, ())), |(), ()| ()) {
            let (e, p) = (
                ctx.enterprise_name(doc.enterprise_id),
                ctx.product_name(g.product, g.product_name),
            );
            let (b, q, no) = (g.batch, g.quantity, &doc.number);
            out.push(Warning::new(
                WarningKind::UnregisteredSupplier,
                Target {
                    product: Some(g.product),
                    batch: Some(g.batch),
                    ..document_target(doc)
                },
                Evidence {
                    documents: vec![DocumentRef::of(doc, q)],
                    quantity: Some(i64::try_from(q).unwrap_or(i64::MAX)),
                    date: Some(doc.date),
                    ..Evidence::default()
                },
                format!(
                    "{e} 的采购入库（单号 {no}）来自未在平台注册的供应商 {supplier}：{p} 批号 {b}，数量 {q}，该批次来源无法继续追溯"
                ),
                format!(
                    "{e} bought {q} of batch {b} of {p} from {supplier}, a supplier not registered on the platform (document {no}); the batch's source cannot be traced further"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::model::*;
    use crate::rules::testing::*;
    use chrono::NaiveDate;

    /// Enterprise 1's partner 1 (owned by `owner`), with a licence to `licence_to` and an
    /// agreement over `agreement`.
    fn with_partner(
        owner: EnterpriseId,
        licence_to: Option<NaiveDate>,
        agreement: Option<(NaiveDate, NaiveDate)>,
    ) -> (World, PartnerId) {
        let mut w = World::new(day(3, 10));
        let mut p = partner(1, owner, PartnerRole::Supplier);
        p.licence = Some(Licence {
            number: "粤妆20160001".into(),
            valid_from: Some(day(1, 1)),
            valid_to: licence_to,
        });
        p.quality_agreement = agreement.map(|(from, to)| DateRange { from, to });
        let id = p.id;
        w.partners.push(p);
        (w, id)
    }

    fn naming(mut d: Transaction, partner: PartnerId) -> Transaction {
        if let Some(c) = d.counterparty.as_mut() {
            c.partner_id = Some(partner);
            c.name = "伙伴1".into();
        }
        d
    }

    #[test]
    fn counterparty_licence_expired() {
        // (licence valid to, partner owner, document kind, date, expected)
        let cases = [
            (Some(day(2, 28)), ent(1), PurchaseInbound, day(3, 1), true),
            (Some(day(2, 28)), ent(1), SalesOutbound, day(3, 1), true),
            (Some(day(3, 1)), ent(1), PurchaseInbound, day(3, 1), false), // last valid day
            (None, ent(1), PurchaseInbound, day(3, 1), false),
            (Some(day(2, 28)), ent(2), PurchaseInbound, day(3, 1), false), // not enterprise 1's
            (Some(day(2, 28)), ent(1), PurchaseReturn, day(3, 1), false),
            (Some(day(2, 28)), ent(1), SalesReturn, day(3, 1), false),
        ];
        for (i, (valid_to, owner, kind, date, want)) in cases.into_iter().enumerate() {
            let (mut w, pid) = with_partner(owner, valid_to, None);
            let d = naming(
                on(
                    date,
                    ent(1),
                    kind,
                    Some(ent(2)),
                    vec![line(prod(1), "B1", 5)],
                ),
                pid,
            );
            w.documents.push(d.clone());
            let got = w.run(super::counterparty_licence_expired);
            let t = targets(&got, WarningKind::CounterpartyLicenceExpired);
            assert_eq!(
                t,
                if want {
                    vec![(Some(ent(1)), None, None)]
                } else {
                    vec![]
                },
                "case {i}"
            );
            if want {
                assert_eq!(got[0].evidence.documents[0].id, d.id);
                assert_eq!(got[0].evidence.date, valid_to);
                assert!(got[0].message_zh.contains("对方许可证已于 2026-02-28 到期"));
            }
        }
    }

    #[test]
    fn supplier_agreement_expired() {
        let agreement = Some((day(2, 1), day(2, 28)));
        // (agreement, document kind, date, expected)
        let cases = [
            (agreement, PurchaseInbound, day(3, 1), true),
            (agreement, PurchaseInbound, day(1, 31), true),
            (agreement, PurchaseInbound, day(2, 1), false),
            (agreement, PurchaseInbound, day(2, 28), false),
            (agreement, SalesOutbound, day(3, 1), false),
            (None, PurchaseInbound, day(3, 1), false),
        ];
        for (i, (agreement, kind, date, want)) in cases.into_iter().enumerate() {
            let (mut w, pid) = with_partner(ent(1), None, agreement);
            w.documents.push(naming(
                on(
                    date,
                    ent(1),
                    kind,
                    Some(ent(2)),
                    vec![line(prod(1), "B1", 5)],
                ),
                pid,
            ));
            let got = w.run(super::supplier_agreement_expired);
            let t = targets(&got, WarningKind::SupplierAgreementExpired);
            assert_eq!(
                t,
                if want {
                    vec![(Some(ent(1)), None, None)]
                } else {
                    vec![]
                },
                "case {i}"
            );
        }
    }

    #[test]
    fn unregistered_supplier_per_batch() {
        // (counterparty enterprise, kind, submitted?, expected batches)
        let cases: [(Option<EnterpriseId>, TransactionKind, bool, Vec<&str>); 4] = [
            (None, PurchaseInbound, true, vec!["B1", "B2"]),
            (Some(ent(2)), PurchaseInbound, true, vec![]),
            (None, SalesOutbound, true, vec![]),
            (None, PurchaseInbound, false, vec![]),
        ];
        for (i, (other, kind, submit, want)) in cases.into_iter().enumerate() {
            let mut w = World::new(day(3, 10));
            let mut d = on(
                day(3, 1),
                ent(1),
                kind,
                other,
                vec![
                    line(prod(1), "B1", 5),
                    line(prod(1), "B2", 1),
                    line(prod(1), "B1", 2),
                ],
            );
            if !submit {
                d.status = RecordStatus::Draft;
            }
            w.documents.push(d);
            let got = w.run(super::unregistered_supplier);
            let t = targets(&got, WarningKind::UnregisteredSupplier);
            let batches: Vec<&str> = t.iter().map(|(_, _, b)| b.as_deref().unwrap()).collect();
            assert_eq!(batches, want, "case {i}");
            if !want.is_empty() {
                assert_eq!(got[0].evidence.quantity, Some(7));
                assert!(got[0].message_zh.contains("来自未在平台注册的供应商 散客"));
            }
        }
    }
}
