//! The regulator's warning list as a workbook: one row a warning, bilingual headers.

use super::workbook::{Column, write_sheet};
use crate::db::warnings::{StoredWarning, WarningState, severity_code};
use rust_xlsxwriter::{Workbook, XlsxError};

/// Sheet of the warnings.
pub const WARNINGS_SHEET: &str = "风险预警 Warnings";

/// The columns, in order.
pub const COLUMNS: [Column; 12] = [
    Column::text("id", "预警编号", "ID", false),
    Column::text("kind", "预警类型", "Kind", false),
    Column::text("severity", "风险等级", "Severity", false),
    Column::text("state", "状态", "State", false),
    Column::text("enterprise_name", "企业名称", "Enterprise", false),
    Column::text("region_code", "地区代码", "Region", false),
    Column::text("product_id", "产品", "Product", false),
    Column::text("batch", "批号", "Batch", false),
    Column::text("raised_on", "预警日期", "Raised on", false),
    Column::text("message_zh", "说明", "Message (zh)", false),
    Column::text("message_en", "Message", "Message (en)", false),
    Column::text("documents", "相关单据", "Documents", false),
];

fn state_label(s: WarningState) -> &'static str {
    match s {
        WarningState::New => "新 new",
        WarningState::Acknowledged => "已确认 acknowledged",
        WarningState::Resolved => "已消除 resolved",
    }
}

fn severity_label(w: &StoredWarning) -> String {
    let zh = match severity_code(w.warning.severity) {
        "high" => "高",
        "medium" => "中",
        _ => "低",
    };
    format!("{zh} {}", severity_code(w.warning.severity))
}

/// The workbook of `warnings`, in the given order.
pub fn export(warnings: &[StoredWarning]) -> Result<Vec<u8>, XlsxError> {
    let rows: Vec<Vec<String>> = warnings
        .iter()
        .map(|s| {
            let w = &s.warning;
            vec![
                s.id.to_string(),
                format!("{} {}", w.kind.label_zh(), w.kind.label_en()),
                severity_label(s),
                state_label(s.state).to_owned(),
                s.enterprise_name.clone(),
                s.region_code.clone().unwrap_or_default(),
                w.product_id.map(|p| p.to_string()).unwrap_or_default(),
                w.batch.clone().unwrap_or_default(),
                s.raised_on.to_string(),
                w.message_zh.clone(),
                w.message_en.clone(),
                w.evidence
                    .documents
                    .iter()
                    .map(|d| d.number.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    let mut book = Workbook::new();
    write_sheet(&mut book, WARNINGS_SHEET, &COLUMNS, &rows)?;
    book.save_to_buffer()
}
