//! What the platform answers to an upload file, and an upload as the phone sends it (fields,
//! not a file: the server writes the header with the caller's own USCC).

use super::upload::{UploadHeader, UploadKind};
use crate::Problem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The verdict on one line of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLineResult {
    /// 1-based line number in the file.
    pub line: usize,
    /// The code as written.
    pub code: String,
    /// Accepted (the code and everything packed in it moved).
    pub accepted: bool,
    /// Codes moved with it (1 for a single unit, more for a box or case).
    pub moved: usize,
    /// Why it was refused.
    pub problem: Option<Problem>,
    /// The refusal is a counterfeit signal.
    pub suspicious: bool,
}

/// The audit of an upload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadResult {
    /// Identifier.
    pub id: Uuid,
    /// inbound, outbound, retail or destroy.
    pub kind: UploadKind,
    /// The document number.
    pub number: String,
    /// Lines accepted.
    pub accepted: usize,
    /// Lines refused.
    pub refused: usize,
    /// Every line's verdict, in file order.
    pub lines: Vec<UploadLineResult>,
    /// The batch document that records the same movement, if units moved (none for
    /// destruction, which no batch document records).
    pub document: Option<BatchRecord>,
}

/// The batch document an upload is recorded by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRecord {
    /// The document.
    pub id: Uuid,
    /// Its number.
    pub number: String,
    /// Made and submitted from this upload (true), or one the enterprise had recorded itself.
    pub derived: bool,
    /// The document's registered counterparty, whose inbox it may reach.
    #[serde(default)]
    pub counterparty_id: Option<Uuid>,
}

/// An upload made on a phone: scanned codes and what happened to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    /// The upload's id, chosen by the phone.
    pub id: Uuid,
    /// inbound, outbound, retail or destroy.
    pub kind: UploadKind,
    /// Document number.
    pub number: String,
    /// Document date.
    pub date: NaiveDate,
    /// USCC of the receiver (outbound) or sender (inbound from a supplier).
    pub counterparty_uscc: Option<String>,
    /// Codes as scanned (unit, box or case), in scan order.
    pub codes: Vec<String>,
}

/// Trace-equipment vendor code of uploads made with the Suyuan phone app.
pub const PHONE_VENDOR: &str = "SUYUAN-APP";

impl UploadRequest {
    /// The version-1 file of this upload by the enterprise whose USCC is `uscc`.
    pub fn to_file(&self, uscc: &str) -> String {
        let header = UploadHeader {
            enterprise: uscc.to_owned(),
            vendor: PHONE_VENDOR.to_owned(),
            kind: self.kind,
            number: self.number.clone(),
            date: self.date,
            counterparty: self.counterparty_uscc.clone(),
        };
        let lines: Vec<(&str, &str)> = self.codes.iter().map(|c| (c.as_str(), "")).collect();
        super::upload::format_upload(&header, &lines)
    }

    /// Every problem the phone can see before the server does: number, receiver, codes.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.number.trim().is_empty() {
            problems.push(Problem::error(
                "number",
                "required",
                "单据号必填",
                "The document number is required",
            ));
        }
        if self.kind == UploadKind::Outbound
            && self
                .counterparty_uscc
                .as_deref()
                .is_none_or(|u| u.trim().is_empty())
        {
            problems.push(Problem::error(
                "counterparty_uscc",
                "required",
                "出库须填写收货企业统一社会信用代码",
                "An outbound names the receiving enterprise's USCC",
            ));
        }
        if self.codes.is_empty() {
            problems.push(Problem::error(
                "codes",
                "required",
                "请扫描追溯码",
                "Scan at least one code",
            ));
        }
        for (i, c) in self.codes.iter().enumerate() {
            if let Err(p) = super::UnitCode::parse(&format!("codes[{i}]"), c) {
                problems.push(p);
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serial::parse_upload;

    #[test]
    fn a_phone_upload_is_the_same_file_a_scanner_writes() {
        let r = UploadRequest {
            id: Uuid::nil(),
            kind: UploadKind::Outbound,
            number: "CK-1".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            counterparty_uscc: Some("91350100M000100Y43".into()),
            codes: vec!["202612010012345678901234".into()],
        };
        assert!(r.problems().is_empty());
        let parsed = parse_upload(&r.to_file("91350100M0001TGQXM")).unwrap();
        assert_eq!(parsed.header.number, "CK-1");
        assert_eq!(parsed.header.vendor, PHONE_VENDOR);
        assert_eq!(
            parsed.header.counterparty.as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(parsed.lines[0].text, "202612010012345678901234");

        let bad = UploadRequest {
            number: " ".into(),
            counterparty_uscc: None,
            codes: vec!["12".into()],
            ..r
        };
        let rules: Vec<(String, String)> = bad
            .problems()
            .into_iter()
            .map(|p| (p.field, p.rule))
            .collect();
        assert_eq!(
            rules,
            [
                ("number".into(), "required".into()),
                ("counterparty_uscc".into(), "required".into()),
                ("codes[0]".into(), "unit_code.format".into()),
            ]
        );
    }
}
