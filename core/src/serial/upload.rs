//! The unit upload file (追溯数据上传文件): what a scanner or packing line writes when units
//! go into or out of an enterprise, and its automatic audit, line by line.
//!
//! Format version 1, UTF-8 text, one item a line, blank lines and `#` comments ignored:
//!
//! ```text
//! SUYUAN-UNITS 1
//! enterprise=91620100MA71234567      USCC of the uploading enterprise
//! vendor=V0001                       trace-equipment vendor code (追溯设备厂商代码)
//! type=outbound                      inbound | outbound | retail | destroy
//! number=CK20261201001               document number, unique per enterprise and type
//! date=2026-12-01
//! counterparty=91440101MA5ABCDE12    USCC: required for outbound (the receiver), the
//!                                    sender for inbound (none: from own production)
//! ---
//! 202612010001245678901234,1盒*10支  a code (unit, box or case) and its package specification
//! ```
//!
//! A bad header refuses the whole file; after the header, every line is judged on its own
//! and accepted or refused with its reason, so a file with one bad code still records the
//! rest.

use super::code::UnitCode;
use super::registry::{Change, UnitRegistry};
use super::state::UnitMove;
use crate::Problem;
use crate::model::EnterpriseId;
use crate::validate::uscc::check_uscc;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The first line of a version-1 file.
pub const MAGIC: &str = "SUYUAN-UNITS";
/// The format version this code reads.
pub const VERSION: u32 = 1;

/// What the units of a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    /// Taken into stock (入库), from production or from the counterparty.
    Inbound,
    /// Shipped to the counterparty (出库).
    Outbound,
    /// Sold to consumers or used (零售/使用).
    Retail,
    /// Destroyed (销毁).
    Destroy,
}

impl UploadKind {
    /// The kind as a file's `type=` and the store write it.
    pub fn code(self) -> &'static str {
        match self {
            UploadKind::Inbound => "inbound",
            UploadKind::Outbound => "outbound",
            UploadKind::Retail => "retail",
            UploadKind::Destroy => "destroy",
        }
    }

    /// The kind a `type=` names.
    pub fn from_code(code: &str) -> Option<UploadKind> {
        [
            UploadKind::Inbound,
            UploadKind::Outbound,
            UploadKind::Retail,
            UploadKind::Destroy,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// The header of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadHeader {
    /// Uploader's USCC.
    pub enterprise: String,
    /// Trace-equipment vendor code.
    pub vendor: String,
    /// What the units did.
    pub kind: UploadKind,
    /// Document number.
    pub number: String,
    /// Document date.
    pub date: NaiveDate,
    /// Counterparty's USCC.
    pub counterparty: Option<String>,
}

/// One code line: its line number in the file, the code (or why it is unreadable), and the
/// package specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The text of the code as written.
    pub text: String,
    /// The code, or why it could not be read.
    pub code: Result<UnitCode, Problem>,
    /// Package specification (包装规格), may be empty.
    pub spec: String,
}

/// A parsed upload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitUpload {
    /// Its header.
    pub header: UploadHeader,
    /// Its code lines, in file order.
    pub lines: Vec<UploadLine>,
}

fn header_problem(field: &str, rule: &str, zh: &str, en: &str) -> Problem {
    Problem::error(format!("header.{field}"), rule, zh, en)
}

/// Reads an upload file; a problem in the header refuses it whole (every one is reported).
pub fn parse_upload(text: &str) -> Result<UnitUpload, Vec<Problem>> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let version = rows
        .next()
        .and_then(|(_, l)| l.strip_prefix(MAGIC))
        .map(|v| v.trim().parse::<u32>());
    match version {
        Some(Ok(VERSION)) => {}
        Some(_) => {
            return Err(vec![header_problem(
                "version",
                "upload.version",
                "不支持的文件版本，请使用版本 1",
                "Unsupported file version; use version 1",
            )]);
        }
        None => {
            return Err(vec![header_problem(
                "version",
                "upload.format",
                "文件应以 SUYUAN-UNITS 1 开头",
                "The file must start with SUYUAN-UNITS 1",
            )]);
        }
    }
    let mut fields = std::collections::HashMap::new();
    let mut problems = Vec::new();
    let mut body_started = false;
    for (n, l) in rows.by_ref() {
        if l == "---" {
            body_started = true;
            break;
        }
        match l.split_once('=') {
            Some((k, v)) => {
                fields.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            None => problems.push(Problem::error(
                format!("line[{n}]"),
                "upload.header_line",
                "表头行应为 名称=值",
                "A header line is name=value",
            )),
        }
    }
    if !body_started {
        problems.push(header_problem(
            "---",
            "upload.format",
            "表头后应有 --- 分隔行",
            "The header must end with a --- line",
        ));
    }
    let take = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
    let required = |k: &str, zh: &str, en: &str, problems: &mut Vec<Problem>| {
        let v = take(k);
        if v.is_none() {
            problems.push(header_problem(k, "required", zh, en));
        }
        v
    };
    let enterprise = required(
        "enterprise",
        "缺少上传企业统一社会信用代码",
        "The uploading enterprise's USCC is required",
        &mut problems,
    );
    let vendor = required(
        "vendor",
        "缺少追溯设备厂商代码",
        "The trace-equipment vendor code is required",
        &mut problems,
    );
    let kind = required(
        "type",
        "缺少单据类型",
        "The document type is required",
        &mut problems,
    );
    let number = required(
        "number",
        "缺少单据号",
        "The document number is required",
        &mut problems,
    );
    let date = required(
        "date",
        "缺少单据日期",
        "The document date is required",
        &mut problems,
    );
    let counterparty = take("counterparty");
    for (field, value) in [("enterprise", &enterprise), ("counterparty", &counterparty)] {
        if let Some(v) = value {
            problems.extend(
                check_uscc(&format!("header.{field}"), v)
                    .into_iter()
                    .filter(|p| p.severity == crate::Severity::Error),
            );
        }
    }
    let kind = kind.and_then(|k| {
        let parsed = UploadKind::from_code(&k);
        if parsed.is_none() {
            problems.push(header_problem(
                "type",
                "upload.type",
                "单据类型应为 inbound、outbound、retail 或 destroy",
                "The type is inbound, outbound, retail or destroy",
            ));
        }
        parsed
    });
    if kind == Some(UploadKind::Outbound) && counterparty.is_none() {
        problems.push(header_problem(
            "counterparty",
            "required",
            "出库单须填写收货企业统一社会信用代码",
            "An outbound file names the receiving enterprise's USCC",
        ));
    }
    let date = date.and_then(|d| {
        let parsed = NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok();
        if parsed.is_none() {
            problems.push(header_problem(
                "date",
                "date.format",
                "日期格式应为 YYYY-MM-DD",
                "The date is written YYYY-MM-DD",
            ));
        }
        parsed
    });
    let lines = rows
        .map(|(line, l)| {
            let (text, spec) = l.split_once(',').unwrap_or((l, ""));
            UploadLine {
                line,
                text: text.trim().to_owned(),
                code: UnitCode::parse(&format!("line[{line}].code"), text),
                spec: spec.trim().to_owned(),
            }
        })
        .collect::<Vec<_>>();
    if lines.is_empty() {
        problems.push(Problem::error(
            "lines",
            "required",
            "文件中没有追溯码",
            "The file holds no codes",
        ));
    }
    match (enterprise, vendor, kind, number, date) {
        (Some(enterprise), Some(vendor), Some(kind), Some(number), Some(date))
            if problems.is_empty() =>
        {
            Ok(UnitUpload {
                header: UploadHeader {
                    enterprise,
                    vendor,
                    kind,
                    number,
                    date,
                    counterparty,
                },
                lines,
            })
        }
        _ => Err(problems),
    }
}

/// Writes a version-1 file: `header`, then one `code,specification` line each.
pub fn format_upload(header: &UploadHeader, lines: &[(&str, &str)]) -> String {
    let kind = header.kind.code();
    let mut s = format!(
        "{MAGIC} {VERSION}\nenterprise={}\nvendor={}\ntype={kind}\nnumber={}\ndate={}\n",
        header.enterprise, header.vendor, header.number, header.date
    );
    if let Some(c) = &header.counterparty {
        s.push_str(&format!("counterparty={c}\n"));
    }
    s.push_str("---\n");
    for (code, spec) in lines {
        s.push_str(code);
        if !spec.is_empty() {
            s.push(',');
            s.push_str(spec);
        }
        s.push('\n');
    }
    s
}

/// The audit of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineVerdict {
    /// 1-based line number in the file.
    pub line: usize,
    /// The code as written.
    pub text: String,
    /// The state changes it made (the code and everything packed in it), empty if refused.
    pub changes: Vec<Change>,
    /// Why it was refused.
    pub problem: Option<Problem>,
    /// The refusal is a counterfeit signal for the regulator.
    pub suspicious: bool,
}

/// The move every code of an upload of `kind` by `me` makes; `counterparty` is the platform
/// enterprise the header names, if registered. An outbound to nobody registered cannot move.
pub fn upload_move(
    kind: UploadKind,
    me: EnterpriseId,
    counterparty: Option<EnterpriseId>,
) -> Result<UnitMove, Problem> {
    match (kind, counterparty) {
        (UploadKind::Inbound, from) => Ok(UnitMove::Receive { at: me, from }),
        (UploadKind::Outbound, Some(to)) => Ok(UnitMove::Ship { from: me, to }),
        (UploadKind::Outbound, None) => Err(Problem::error(
            "header.counterparty",
            "upload.receiver_unregistered",
            "收货企业未在平台注册",
            "The receiving enterprise is not registered on the platform",
        )),
        (UploadKind::Retail, _) => Ok(UnitMove::Sell { by: me }),
        (UploadKind::Destroy, _) => Ok(UnitMove::Destroy { by: me }),
    }
}

/// Audits `upload` by `me` against `registry`, moving the accepted units in it. `counterparty`
/// is the platform enterprise the header's counterparty USCC belongs to, if registered; an
/// outbound to an unregistered receiver refuses every line.
pub fn audit_upload(
    upload: &UnitUpload,
    me: EnterpriseId,
    counterparty: Option<EnterpriseId>,
    registry: &mut UnitRegistry,
) -> Vec<LineVerdict> {
    let mv = upload_move(upload.header.kind, me, counterparty);
    let mut seen = HashSet::new();
    upload
        .lines
        .iter()
        .map(|l| {
            let field = format!("line[{}].code", l.line);
            let verdict = |problem: Problem, suspicious| LineVerdict {
                line: l.line,
                text: l.text.clone(),
                changes: vec![],
                problem: Some(problem),
                suspicious,
            };
            let code = match (&l.code, &mv) {
                (Err(p), _) => return verdict(p.clone(), false),
                (Ok(_), Err(p)) => return verdict(p.clone(), false),
                (Ok(code), Ok(_)) => *code,
            };
            if !seen.insert(code) {
                return verdict(
                    Problem::error(
                        &field,
                        "upload.repeated",
                        "同一文件中该追溯码重复",
                        "This code appears twice in the file",
                    ),
                    false,
                );
            }
            match registry.apply(code, *mv.as_ref().expect("checked above")) {
                Ok(changes) => LineVerdict {
                    line: l.line,
                    text: l.text.clone(),
                    changes,
                    problem: None,
                    suspicious: false,
                },
                Err(r) => {
                    let mut p = r.refusal.problem(&field);
                    if r.code != code {
                        p.message_zh = format!("包装内追溯码 {}：{}", r.code, p.message_zh);
                        p.message_en = format!("Code {} inside: {}", r.code, p.message_en);
                    }
                    verdict(p, r.refusal.suspicious)
                }
            }
        })
        .collect()
}
