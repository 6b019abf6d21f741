//! Purchase, sales and stock documents (进销存交易) and their lines (交易明细).

use super::{BATCH_LABEL, PRODUCT_LABEL, required_id};
use crate::model::{ProductId, Transaction, TransactionKind, TransactionLine};
use crate::problem::Problem;
use crate::validate::dates::{
    PRODUCTION_DATE_LABEL, RULE_DATE_FUTURE, RULE_DATE_ORDER, check_batch_dates, check_not_future,
};
use crate::validate::gtin::check_gtin;
use crate::validate::label::{Label, indexed, join, missing, required};
use crate::validate::phone::{PHONE_LABEL, check_phone};
use crate::validate::uscc::check_uscc;
use chrono::NaiveDate;

const NUMBER_LABEL: Label = Label::new("单号", "Document number");
const COUNTERPARTY_LABEL: Label = Label::new("往来单位", "Counterparty");
const COUNTERPARTY_NAME_LABEL: Label = Label::new("往来单位名称", "Counterparty name");
const LINES_LABEL: Label = Label::new("交易明细", "Lines");
const QUANTITY_LABEL: Label = Label::new("数量", "Quantity");
const UNIT_LABEL: Label = Label::new("最小计量单位", "Unit");

/// Rule code for a counterparty on a 成品入库, which has none.
pub const RULE_COUNTERPARTY_NOT_ALLOWED: &str = "counterparty.not_allowed";
/// Rule code for a document without lines.
pub const RULE_LINES_EMPTY: &str = "lines.empty";
/// Rule code for a line quantity of zero.
pub const RULE_QUANTITY_POSITIVE: &str = "quantity.positive";

/// The date field's label, named after the document type as on the seed's forms
/// (e.g. 采购退出时间).
fn date_label(kind: TransactionKind) -> Label {
    match kind {
        TransactionKind::FinishedGoodsInbound => {
            Label::new("成品入库时间", "Finished-goods inbound date")
        }
        TransactionKind::PurchaseInbound => Label::new("采购入库时间", "Purchase inbound date"),
        TransactionKind::PurchaseReturn => Label::new("采购退出时间", "Purchase return date"),
        TransactionKind::SalesOutbound => Label::new("销售出库时间", "Sales outbound date"),
        TransactionKind::SalesReturn => Label::new("销售退入时间", "Sales return date"),
    }
}

/// Every problem with a document: its number, a date not after `today`, a counterparty
/// exactly when the type needs one (with a name, and a well-formed USCC when given), a
/// well-formed phone when given, and at least one line. Each line needs a product, a positive
/// quantity, a unit and a batch; its GTIN must check when given, and its dates must pass
/// [`check_batch_dates`] with the product's shelf life from `shelf_life`, and the goods
/// cannot have been produced after the document's date.
pub fn validate_transaction(
    t: &Transaction,
    shelf_life: &dyn Fn(ProductId) -> Option<u32>,
    today: NaiveDate,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let date_label = date_label(t.kind);
    problems.extend(required("number", NUMBER_LABEL, &t.number));
    problems.extend(check_not_future("date", date_label, t.date, today));

    match (&t.counterparty, t.kind.needs_counterparty()) {
        (None, true) => problems.push(missing("counterparty", COUNTERPARTY_LABEL)),
        (Some(_), false) => problems.push(COUNTERPARTY_LABEL.error(
            "counterparty",
            RULE_COUNTERPARTY_NOT_ALLOWED,
            format!("不适用于{}", t.kind.label_zh()),
            format!("does not apply to a {}", t.kind.label_en().to_lowercase()),
        )),
        (Some(c), true) => {
            problems.extend(required(
                "counterparty.name",
                COUNTERPARTY_NAME_LABEL,
                &c.name,
            ));
            if let Some(uscc) = c.uscc.as_deref().filter(|u| !u.trim().is_empty()) {
                problems.extend(check_uscc("counterparty.uscc", uscc));
            }
        }
        (None, false) => {}
    }
    problems.extend(check_phone("phone", PHONE_LABEL, &t.phone));

    if t.lines.is_empty() {
        problems.push(LINES_LABEL.error(
            "lines",
            RULE_LINES_EMPTY,
            "至少需要一条",
            "at least one line is needed",
        ));
    }
    for (i, line) in t.lines.iter().enumerate() {
        let prefix = indexed("lines", i);
        problems.extend(validate_line(
            &prefix,
            line,
            t.date,
            date_label,
            shelf_life(line.product_id),
            today,
        ));
    }
    problems
}

fn validate_line(
    prefix: &str,
    line: &TransactionLine,
    document_date: NaiveDate,
    document_date_label: Label,
    shelf_life_months: Option<u32>,
    today: NaiveDate,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required_id(
        &join(prefix, "product_id"),
        PRODUCT_LABEL,
        line.product_id.0,
    ));
    if let Some(gtin) = line.gtin.as_deref().filter(|g| !g.trim().is_empty()) {
        problems.extend(check_gtin(&join(prefix, "gtin"), gtin));
    }
    if line.quantity == 0 {
        problems.push(QUANTITY_LABEL.error(
            &join(prefix, "quantity"),
            RULE_QUANTITY_POSITIVE,
            "应大于 0",
            "must be greater than 0",
        ));
    }
    problems.extend(required(&join(prefix, "unit"), UNIT_LABEL, &line.unit));
    problems.extend(required(&join(prefix, "batch"), BATCH_LABEL, &line.batch));

    let dates = check_batch_dates(
        prefix,
        line.production_date,
        line.expiry_date,
        shelf_life_months,
        today,
    );
    let production_in_future = dates.iter().any(|p| p.rule == RULE_DATE_FUTURE);
    problems.extend(dates);
    // Goods cannot move before they exist; skip when the future-date problem already says so.
    if let Some(produced) = line.production_date
        && produced > document_date
        && !production_in_future
    {
        problems.push(PRODUCTION_DATE_LABEL.error(
            &join(prefix, "production_date"),
            RULE_DATE_ORDER,
            format!(
                "（{produced}）晚于{}（{document_date}）",
                document_date_label.zh
            ),
            format!(
                "{produced} is after the {} ({document_date})",
                document_date_label.en_inline()
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, line, pairs, product_id, summary, today, transaction};
    use super::*;
    use crate::model::Counterparty;
    use crate::problem::Severity;
    use uuid::Uuid;

    fn shelf_life(id: ProductId) -> Option<u32> {
        (id == product_id()).then_some(36)
    }

    fn check(t: &Transaction) -> Vec<Problem> {
        validate_transaction(t, &shelf_life, today())
    }

    #[test]
    fn samples_are_clean() {
        for kind in TransactionKind::ALL {
            assert_eq!(check(&transaction(kind)), vec![], "{kind:?}");
        }
    }

    #[test]
    fn table_of_breakages() {
        type Edit = fn(&mut Transaction);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (|t| t.number.clear(), &[("number", "required")]),
            (|t| t.date = d(2025, 6, 2), &[("date", "date.future")]),
            (|t| t.date = d(2025, 6, 1), &[]),
            (|t| t.counterparty = None, &[("counterparty", "required")]),
            (
                |t| t.counterparty.as_mut().unwrap().name.clear(),
                &[("counterparty.name", "required")],
            ),
            (
                |t| t.counterparty.as_mut().unwrap().uscc = Some("91350100M000100Y44".into()),
                &[("counterparty.uscc", "uscc.checksum")],
            ),
            (
                |t| t.counterparty.as_mut().unwrap().uscc = Some(String::new()),
                &[],
            ),
            (|t| t.counterparty.as_mut().unwrap().uscc = None, &[]),
            (|t| t.phone = "12345".into(), &[("phone", "phone.format")]),
            (|t| t.phone = "13812345678".into(), &[]),
            (|t| t.lines.clear(), &[("lines", "lines.empty")]),
            (
                |t| t.lines[0].product_id = ProductId(Uuid::nil()),
                &[("lines[0].product_id", "required")],
            ),
            (
                |t| t.lines[0].quantity = 0,
                &[("lines[0].quantity", "quantity.positive")],
            ),
            (
                |t| t.lines[0].unit.clear(),
                &[("lines[0].unit", "required")],
            ),
            (
                |t| t.lines[0].batch = " ".into(),
                &[("lines[0].batch", "required")],
            ),
            (
                |t| t.lines[0].gtin = Some("6901234567893".into()),
                &[("lines[0].gtin", "gtin.check_digit")],
            ),
            (|t| t.lines[0].gtin = None, &[]),
            (
                |t| t.lines[0].expiry_date = Some(d(2027, 1, 9)),
                &[("lines[0].expiry_date", "date.shelf_life_mismatch")],
            ),
            (
                |t| t.lines[0].expiry_date = Some(d(2024, 1, 9)),
                &[("lines[0].expiry_date", "date.order")],
            ),
            (
                |t| {
                    t.lines[0].production_date = Some(d(2025, 5, 2));
                    t.lines[0].expiry_date = Some(d(2028, 5, 1));
                },
                &[("lines[0].production_date", "date.order")],
            ),
            (
                |t| {
                    t.lines[0].production_date = Some(d(2025, 7, 1));
                    t.lines[0].expiry_date = None;
                },
                &[("lines[0].production_date", "date.future")],
            ),
            (
                |t| {
                    t.lines[0].production_date = None;
                    t.lines[0].expiry_date = None;
                },
                &[],
            ),
            (
                |t| {
                    // A product without a known shelf life is never checked against one.
                    t.lines[0].product_id = ProductId(Uuid::from_u128(0x99));
                    t.lines[0].expiry_date = Some(d(2027, 1, 9));
                },
                &[],
            ),
            (
                |t| {
                    t.lines.push(line());
                    t.lines[1].quantity = 0;
                    t.lines[1].batch.clear();
                },
                &[
                    ("lines[1].quantity", "quantity.positive"),
                    ("lines[1].batch", "required"),
                ],
            ),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut t = transaction(TransactionKind::PurchaseInbound);
            edit(&mut t);
            assert_eq!(summary(&check(&t)), pairs(want), "case {i}");
        }
    }

    #[test]
    fn finished_goods_inbound_takes_no_counterparty() {
        let mut t = transaction(TransactionKind::FinishedGoodsInbound);
        t.counterparty = Some(Counterparty {
            partner_id: None,
            name: "x".into(),
            uscc: None,
            enterprise_id: None,
        });
        let ps = check(&t);
        assert_eq!(
            summary(&ps),
            pairs(&[("counterparty", "counterparty.not_allowed")])
        );
        assert_eq!(ps[0].message_zh, "往来单位不适用于成品入库");
        assert_eq!(
            ps[0].message_en,
            "Counterparty: does not apply to a finished-goods inbound"
        );
    }

    #[test]
    fn date_messages_name_the_document_type() {
        let mut t = transaction(TransactionKind::PurchaseReturn);
        t.date = d(2025, 6, 2);
        t.lines[0].production_date = Some(d(2025, 6, 1));
        t.lines[0].expiry_date = Some(d(2028, 5, 31));
        let ps = check(&t);
        assert_eq!(summary(&ps), pairs(&[("date", "date.future")]));
        assert_eq!(
            ps[0].message_zh,
            "采购退出时间（2025-06-02）晚于今天（2025-06-01）"
        );

        t.date = d(2025, 5, 1);
        let ps = check(&t);
        assert_eq!(
            ps[0].message_zh,
            "生产日期（2025-06-01）晚于采购退出时间（2025-05-01）"
        );
        assert_eq!(
            ps[0].message_en,
            "Production date: 2025-06-01 is after the purchase return date (2025-05-01)"
        );
    }

    #[test]
    fn everything_at_once() {
        let mut t = transaction(TransactionKind::SalesOutbound);
        t.number.clear();
        t.counterparty = None;
        t.lines[0].quantity = 0;
        t.lines[0].expiry_date = Some(d(2027, 1, 9));
        let ps = check(&t);
        assert_eq!(
            summary(&ps),
            pairs(&[
                ("number", "required"),
                ("counterparty", "required"),
                ("lines[0].quantity", "quantity.positive"),
                ("lines[0].expiry_date", "date.shelf_life_mismatch"),
            ])
        );
        assert_eq!(ps[3].severity, Severity::Warning);
    }
}
