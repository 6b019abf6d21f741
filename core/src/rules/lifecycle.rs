//! Save versus submit: a draft may be edited or deleted, a submitted record never changes.

use crate::model::{Barcode, NonconformingRecord, Partner, Product, RecordStatus, Transaction};
use crate::problem::Problem;
use chrono::{DateTime, Utc};

/// Something a user may try to do to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Change its fields (修改).
    Edit,
    /// Remove it (删除).
    Delete,
    /// Freeze it (提交/上报).
    Submit,
}

impl Action {
    fn label_zh(self) -> &'static str {
        match self {
            Action::Edit => "修改",
            Action::Delete => "删除",
            Action::Submit => "再次提交",
        }
    }

    fn label_en(self) -> &'static str {
        match self {
            Action::Edit => "edited",
            Action::Delete => "deleted",
            Action::Submit => "submitted again",
        }
    }
}

/// A record with a save/submit state.
pub trait HasStatus {
    /// Its state.
    fn status(&self) -> &RecordStatus;
    /// Sets its state.
    fn set_status(&mut self, status: RecordStatus);
}

macro_rules! has_status {
    ($($t:ty),*) => {$(
        impl HasStatus for $t {
            fn status(&self) -> &RecordStatus { &self.status }
            fn set_status(&mut self, status: RecordStatus) { self.status = status; }
        }
    )*};
}
has_status!(Transaction, Product, Barcode, Partner, NonconformingRecord);

/// Whether `action` is allowed on a record in `status`; only drafts may change.
pub fn check(status: &RecordStatus, action: Action) -> Result<(), Problem> {
    match status {
        RecordStatus::Draft => Ok(()),
        RecordStatus::Submitted { at } => Err(Problem::error(
            "status",
            "lifecycle.submitted",
            format!(
                "该记录已于 {} 提交，不能{}；如需更正，请新建更正单据",
                at.format("%Y-%m-%d %H:%M"),
                action.label_zh()
            ),
            format!(
                "This record was submitted on {} and cannot be {}; create a correcting record instead",
                at.format("%Y-%m-%d %H:%M"),
                action.label_en()
            ),
        )),
    }
}

/// Replaces a draft with its edited version; identity and state cannot be changed by an edit.
pub fn edit<T: HasStatus>(current: &T, mut edited: T) -> Result<T, Problem> {
    check(current.status(), Action::Edit)?;
    edited.set_status(RecordStatus::Draft);
    Ok(edited)
}

/// Freezes a draft at `at`.
pub fn submit<T: HasStatus>(mut record: T, at: DateTime<Utc>) -> Result<T, Problem> {
    check(record.status(), Action::Submit)?;
    record.set_status(RecordStatus::Submitted { at });
    Ok(record)
}

/// Whether `correction` may correct `original`: same enterprise and kind, the original submitted
/// and not corrected already (`already_corrected`), so corrections form a chain, never a fork.
pub fn check_correction(
    correction: &Transaction,
    original: &Transaction,
    already_corrected: bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if correction.enterprise_id != original.enterprise_id || correction.kind != original.kind {
        problems.push(Problem::error(
            "corrects",
            "correction.mismatch",
            "更正单据须与原单据属于同一企业、同一交易类型",
            "A correction must belong to the same enterprise and have the same type as the original",
        ));
    }
    if !original.status.is_submitted() {
        problems.push(Problem::error(
            "corrects",
            "correction.original_draft",
            "原单据尚未提交，可直接修改，无需更正",
            "The original is still a draft: edit it instead of correcting it",
        ));
    }
    if already_corrected {
        problems.push(Problem::error(
            "corrects",
            "correction.already_corrected",
            format!("单据 {} 已被更正，请更正最新的单据", original.number),
            format!(
                "Document {} was already corrected: correct the latest version",
                original.number
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TransactionKind::*;
    use crate::rules::testing::*;

    #[test]
    fn drafts_change_submitted_records_do_not() {
        let d = doc(
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![line(prod(1), "B", 1)],
        );
        for action in [Action::Edit, Action::Delete, Action::Submit] {
            assert!(check(&d.status, action).is_ok());
        }
        let s = submit(d.clone(), instant()).unwrap();
        assert!(s.status.is_submitted());
        for action in [Action::Edit, Action::Delete, Action::Submit] {
            let p = check(&s.status, action).unwrap_err();
            assert_eq!(p.rule, "lifecycle.submitted");
            assert!(p.message_zh.contains("不能"));
        }
        assert!(edit(&s, d.clone()).is_err());
        assert!(submit(s, instant()).is_err());
    }

    #[test]
    fn an_edit_cannot_smuggle_in_a_submitted_state() {
        let d = doc(
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![line(prod(1), "B", 1)],
        );
        let sneaky = submitted(d.clone());
        let e = edit(&d, sneaky).unwrap();
        assert_eq!(e.status, RecordStatus::Draft);
    }

    #[test]
    fn corrections_chain_on_the_same_kind_and_enterprise() {
        let orig = submitted(doc(
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![line(prod(1), "B", 1)],
        ));
        let mut fix = doc(
            ent(1),
            SalesOutbound,
            Some(ent(2)),
            vec![line(prod(1), "B", 2)],
        );
        fix.corrects = Some(orig.id);
        assert!(check_correction(&fix, &orig, false).is_empty());
        let rules: Vec<_> = check_correction(&fix, &orig, true)
            .into_iter()
            .map(|p| p.rule)
            .collect();
        assert_eq!(rules, ["correction.already_corrected"]);
        let other = doc(ent(3), PurchaseInbound, Some(ent(1)), vec![]);
        assert_eq!(
            check_correction(&other, &orig, false)[0].rule,
            "correction.mismatch"
        );
        let draft = doc(ent(1), SalesOutbound, Some(ent(2)), vec![]);
        assert_eq!(
            check_correction(&fix, &draft, false)[0].rule,
            "correction.original_draft"
        );
    }
}
