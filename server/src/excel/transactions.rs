//! The document sheets (进销存单据): a documents sheet and a lines sheet joined by the document
//! number. Parsing yields drafts whose lines still name their product as the user wrote it
//! (registration number, GTIN or product id); the database layer resolves those.

use super::workbook::{
    Column, cell_problem, column_notes, file_problem, open, parse_date, read_sheet,
    write_instructions, write_sheet,
};
use chrono::NaiveDate;
use rust_xlsxwriter::{Workbook, XlsxError};
use std::collections::HashMap;
use suyuan_core::Problem;
use suyuan_core::model::{
    Counterparty, EnterpriseId, ProductId, RecordStatus, Transaction, TransactionId,
    TransactionKind, TransactionLine,
};
use uuid::Uuid;

/// Name of the documents sheet.
pub const DOC_SHEET: &str = "单据 Documents";
/// Name of the lines sheet.
pub const LINE_SHEET: &str = "明细 Lines";

const KIND_CHOICES: [&str; 5] = [
    "成品入库 Finished-goods inbound",
    "采购入库 Purchase inbound",
    "采购退出 Purchase return",
    "销售出库 Sales outbound",
    "销售退入 Sales return",
];

/// Columns of the documents sheet.
pub const DOC_COLUMNS: [Column; 8] = [
    Column::text("number", "单据编号", "Document number", true),
    Column {
        choices: &KIND_CHOICES,
        ..Column::text("kind", "单据类型", "Kind", true)
    },
    Column::text("date", "日期", "Date", true),
    Column::text(
        "counterparty_name",
        "往来单位名称",
        "Counterparty name",
        false,
    ),
    Column::text(
        "counterparty_uscc",
        "往来单位统一社会信用代码",
        "Counterparty USCC",
        false,
    ),
    Column::text("contact", "联系人", "Contact", false),
    Column::text("phone", "联系电话", "Phone", false),
    Column::text("remarks", "备注", "Remarks", false),
];

/// Columns of the lines sheet.
pub const LINE_COLUMNS: [Column; 7] = [
    Column::text("number", "单据编号", "Document number", true),
    Column::text(
        "product",
        "产品（注册证号/备案号、条形码或产品ID）",
        "Product (registration number, GTIN or product id)",
        true,
    ),
    Column {
        positive_integer: true,
        ..Column::text("quantity", "数量", "Quantity", true)
    },
    Column::text("unit", "单位", "Unit", true),
    Column::text("batch", "批号", "Batch", true),
    Column::text("production_date", "生产日期", "Production date", false),
    Column::text("expiry_date", "有效期至", "Expiry date", false),
];

/// A document read from the file, its lines' product references not yet resolved.
#[derive(Debug, Clone)]
pub struct ImportDoc {
    /// Row of the document on the documents sheet.
    pub row: u32,
    /// The draft; each line's product id is nil until resolved.
    pub doc: Transaction,
    /// Row of each line on the lines sheet, in line order.
    pub line_rows: Vec<u32>,
    /// Product reference of each line as written.
    pub line_refs: Vec<String>,
}

fn kind_of(raw: &str) -> Option<TransactionKind> {
    TransactionKind::ALL.into_iter().find(|k| {
        let code = serde_json::to_value(k).ok();
        let code = code.as_ref().and_then(|c| c.as_str()).unwrap_or("");
        raw == code
            || raw == k.label_zh()
            || raw.eq_ignore_ascii_case(k.label_en())
            || raw == format!("{} {}", k.label_zh(), k.label_en())
    })
}

fn kind_text(k: TransactionKind) -> String {
    format!("{} {}", k.label_zh(), k.label_en())
}

fn instructions() -> Vec<String> {
    let mut lines = vec![
        "单据导入说明：「单据 Documents」每行一张单据，「明细 Lines」每行一条明细，两表以单据编号关联。标 * 的列为必填。".to_owned(),
        "How to import documents: one document a row on 单据 Documents, one line a row on 明细 Lines, joined by the document number. Columns marked * are required.".to_owned(),
        "导入的单据保存为草稿，或选择导入并提交（submit=true）时按文件顺序逐张提交，执行库存和禁售规则；整个文件要么全部导入，要么（任何一行或任何一张单据有误时）一行也不导入，并列出每个有误的行和列。".to_owned(),
        "Imported documents are saved as drafts or, when imported with submit (submit=true), submitted one by one in file order under the stock and sales-block rules. The whole file is imported or, if any row or document is wrong, nothing is, and every wrong row and column is listed.".to_owned(),
        "日期格式 YYYY-MM-DD（也接受 2026/1/5 和 Excel 日期）；产品可填注册证号/备案号、条形码（GTIN，请设为文本以保留开头的 0）或产品ID。".to_owned(),
        "Dates as YYYY-MM-DD (2026/1/5 and Excel dates are accepted too); a product is named by its registration number, GTIN (format the cell as text to keep leading zeros; lost ones are restored) or product id.".to_owned(),
        String::new(),
        "单据列 Document columns:".to_owned(),
    ];
    lines.extend(column_notes(&DOC_COLUMNS));
    lines.push(String::new());
    lines.push("明细列 Line columns:".to_owned());
    lines.extend(column_notes(&LINE_COLUMNS));
    lines
}

fn book(docs: &[Vec<String>], lines: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    write_sheet(&mut book, DOC_SHEET, &DOC_COLUMNS, docs)?;
    write_sheet(&mut book, LINE_SHEET, &LINE_COLUMNS, lines)?;
    write_instructions(&mut book, &instructions())?;
    book.save_to_buffer()
}

/// The empty template with one example document of one line.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let doc = [
        "CG-20260301-001",
        KIND_CHOICES[1],
        "2026-03-01",
        "福州海峡化妆品有限公司",
        "91350100M000100Y43",
        "张三",
        "0931-7617990",
        "",
    ];
    let line = [
        "CG-20260301-001",
        "甘G妆网备字2022000123",
        "10",
        "支",
        "B20260101",
        "2026-01-01",
        "2028-12-31",
    ];
    book(
        &[doc.map(String::from).to_vec()],
        &[line.map(String::from).to_vec()],
    )
}

/// Documents in the template's layout; lines name their product by id, which any enterprise
/// can resolve (the product library is public), so an export imports again.
pub fn export(docs: &[Transaction]) -> Result<Vec<u8>, XlsxError> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut doc_rows = Vec::with_capacity(docs.len());
    let mut line_rows = Vec::new();
    for d in docs {
        let cp = d.counterparty.as_ref();
        doc_rows.push(vec![
            d.number.clone(),
            kind_text(d.kind),
            d.date.to_string(),
            cp.map(|c| c.name.clone()).unwrap_or_default(),
            cp.and_then(|c| c.uscc.clone()).unwrap_or_default(),
            d.contact.clone(),
            d.phone.clone(),
            d.remarks.clone(),
        ]);
        for l in &d.lines {
            line_rows.push(vec![
                d.number.clone(),
                l.product_id.to_string(),
                l.quantity.to_string(),
                l.unit.clone(),
                l.batch.clone(),
                date(l.production_date),
                date(l.expiry_date),
            ]);
        }
    }
    book(&doc_rows, &line_rows)
}

/// Reads a filled file into drafts of `enterprise`, or every problem found in it: fields
/// `documents[N].column` and `lines[N].column`, N the row number on that sheet.
pub fn parse(bytes: &[u8], enterprise: EnterpriseId) -> Result<Vec<ImportDoc>, Vec<Problem>> {
    let mut book = open(bytes).map_err(|p| vec![p])?;
    let docs =
        read_sheet(&mut book, &["单据", "Documents"], false, &DOC_COLUMNS).map_err(|p| vec![p])?;
    let lines =
        read_sheet(&mut book, &["明细", "Lines"], false, &LINE_COLUMNS).map_err(|p| vec![p])?;
    if docs.rows.is_empty() {
        return Err(vec![file_problem(
            "excel.empty",
            "文件中没有单据行",
            "The file has no document rows",
        )]);
    }
    let mut problems = Vec::new();
    let doc_problem = |row, c: usize, rule: &str, zh: &str, en: &str| {
        let p = cell_problem(row, &DOC_COLUMNS[c], rule, zh, en);
        Problem {
            field: p.field.replacen("rows", "documents", 1),
            ..p
        }
    };
    let line_problem = |row, c: usize, rule: &str, zh: &str, en: &str| {
        let p = cell_problem(row, &LINE_COLUMNS[c], rule, zh, en);
        Problem {
            field: p.field.replacen("rows", "lines", 1),
            ..p
        }
    };
    let mut out: Vec<ImportDoc> = Vec::with_capacity(docs.rows.len());
    let mut by_number: HashMap<String, usize> = HashMap::new();
    for (row, c) in docs.rows {
        let mut ok = true;
        if c[0].is_empty() {
            problems.push(doc_problem(row, 0, "required", "必填", "required"));
            ok = false;
        } else if by_number.contains_key(&c[0]) {
            problems.push(doc_problem(
                row,
                0,
                "excel.duplicate",
                "单据编号在文件中重复",
                "the number appears twice in the file",
            ));
            ok = false;
        }
        let kind = kind_of(&c[1]);
        if kind.is_none() {
            problems.push(doc_problem(
                row,
                1,
                "excel.choice",
                "请从下拉列表中选择",
                "pick a value from the drop-down list",
            ));
            ok = false;
        }
        let date = parse_date(&c[2]);
        if date.is_none() {
            problems.push(doc_problem(
                row,
                2,
                "excel.date",
                "应为日期，格式 YYYY-MM-DD",
                "must be a date as YYYY-MM-DD",
            ));
            ok = false;
        }
        let (Some(kind), Some(date), true) = (kind, date, ok) else {
            continue;
        };
        let counterparty = (!c[3].is_empty() || !c[4].is_empty()).then(|| Counterparty {
            partner_id: None,
            name: c[3].clone(),
            uscc: Some(c[4].clone()).filter(|u| !u.is_empty()),
            enterprise_id: None,
        });
        by_number.insert(c[0].clone(), out.len());
        out.push(ImportDoc {
            row,
            doc: Transaction {
                id: TransactionId::random(),
                enterprise_id: enterprise,
                kind,
                number: c[0].clone(),
                counterparty,
                date,
                contact: c[5].clone(),
                phone: c[6].clone(),
                lines: vec![],
                status: RecordStatus::Draft,
                corrects: None,
                reconciles: None,
                remarks: c[7].clone(),
            },
            line_rows: vec![],
            line_refs: vec![],
        });
    }
    for (row, c) in lines.rows {
        let Some(&at) = by_number.get(&c[0]) else {
            problems.push(line_problem(
                row,
                0,
                "excel.unknown_document",
                "「单据」表中没有该单据编号",
                "no such document number on the documents sheet",
            ));
            continue;
        };
        let quantity = c[2].parse::<u32>().ok().filter(|q| *q > 0);
        if quantity.is_none() {
            problems.push(line_problem(
                row,
                2,
                "excel.whole_number",
                "应为正整数",
                "must be a whole number of at least 1",
            ));
        }
        let mut dates = [None, None];
        for (i, col) in [5, 6].into_iter().enumerate() {
            if !c[col].is_empty() {
                dates[i] = parse_date(&c[col]);
                if dates[i].is_none() {
                    problems.push(line_problem(
                        row,
                        col,
                        "excel.date",
                        "应为日期，格式 YYYY-MM-DD",
                        "must be a date as YYYY-MM-DD",
                    ));
                }
            }
        }
        if c[1].is_empty() {
            problems.push(line_problem(row, 1, "required", "必填", "required"));
        }
        let target = &mut out[at];
        target.doc.lines.push(TransactionLine {
            product_id: ProductId(Uuid::nil()),
            product_name: String::new(),
            gtin: None,
            quantity: quantity.unwrap_or(0),
            unit: c[3].clone(),
            batch: c[4].clone(),
            production_date: dates[0],
            expiry_date: dates[1],
        });
        target.line_rows.push(row);
        target.line_refs.push(c[1].clone());
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Re-addresses a problem of a document's validation to the sheet rows: `lines[i].x` becomes
/// `lines[R].x` (R the line's row), any other field `documents[R].x`.
pub fn at_rows(d: &ImportDoc, p: Problem) -> Problem {
    let (field, row, sheet_zh, sheet_en) = match p
        .field
        .strip_prefix("lines[")
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(i, tail)| Some((d.line_rows.get(i.parse::<usize>().ok()?)?, tail)))
    {
        Some((row, tail)) => (format!("lines[{row}]{tail}"), *row, "明细", "Lines"),
        None if p.field.is_empty() => (format!("documents[{}]", d.row), d.row, "单据", "Documents"),
        None => (
            format!("documents[{}].{}", d.row, p.field),
            d.row,
            "单据",
            "Documents",
        ),
    };
    Problem {
        field,
        message_zh: format!("「{sheet_zh}」第 {row} 行：{}", p.message_zh),
        message_en: format!("{sheet_en} row {row}: {}", p.message_en),
        ..p
    }
}
