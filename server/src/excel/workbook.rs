//! Shared spreadsheet plumbing: columns with bilingual headers, reading a sheet into rows of
//! text (whichever program saved it), and writing a sheet plus the instructions sheet.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};
use std::io::Cursor;
use suyuan_core::Problem;

/// Name of the instructions sheet every template and export carries.
pub const INSTRUCTIONS_SHEET: &str = "说明 Instructions";

/// Most data rows a file may hold; more is refused before anything is parsed further.
pub const MAX_ROWS: usize = 100_000;

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Field name in the API (and in problem paths).
    pub key: &'static str,
    /// Chinese header.
    pub zh: &'static str,
    /// English header.
    pub en: &'static str,
    /// Must be filled.
    pub required: bool,
    /// Allowed values, offered as a drop-down list.
    pub choices: &'static [&'static str],
    /// A whole number of at least 1.
    pub positive_integer: bool,
}

impl Column {
    /// A column with no drop-down and no number rule.
    pub const fn text(
        key: &'static str,
        zh: &'static str,
        en: &'static str,
        required: bool,
    ) -> Self {
        Self {
            key,
            zh,
            en,
            required,
            choices: &[],
            positive_integer: false,
        }
    }

    /// The header as written: `化妆品通用名称 Generic name *` (the star marks required).
    pub fn header(&self) -> String {
        let star = if self.required { " *" } else { "" };
        format!("{} {}{star}", self.zh, self.en)
    }

    /// Whether a header cell names this column: the full header, or either language alone,
    /// with or without the star, so a user who retyped a header is still understood.
    fn matches(&self, cell: &str) -> bool {
        let cell = cell.replace('*', "");
        let cell = cell.trim();
        cell == self.key
            || cell == self.zh
            || cell.eq_ignore_ascii_case(self.en)
            || cell == format!("{} {}", self.zh, self.en)
    }
}

/// A sheet read as text: its name and its data rows, each with its number as the spreadsheet
/// shows it (1-based, header on row 1) and one cell a column, in the order of `columns`.
#[derive(Debug, Clone)]
pub struct SheetRows {
    /// Data rows that have at least one filled cell.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// A problem with the file as a whole (not one of its rows).
pub fn file_problem(rule: &str, zh: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::error("file", rule, zh, en)
}

/// A problem at one cell: field `rows[N].key` where N is the spreadsheet row number, messages
/// starting with `第 N 行 / 列名` so the user can find the cell.
pub fn cell_problem(row: u32, col: &Column, rule: &str, zh: &str, en: &str) -> Problem {
    Problem::error(
        format!("rows[{row}].{}", col.key),
        rule,
        format!("第 {row} 行 / {}：{zh}", col.zh),
        format!("Row {row} / {}: {en}", col.en),
    )
}

/// Re-addresses a validator's problem (field `generic_name`) to its row: `rows[N].generic_name`.
pub fn at_row(row: u32, sheet_prefix: &str, p: Problem) -> Problem {
    let field = if p.field.is_empty() {
        format!("{sheet_prefix}[{row}]")
    } else {
        format!("{sheet_prefix}[{row}].{}", p.field)
    };
    Problem {
        field,
        message_zh: format!("第 {row} 行：{}", p.message_zh),
        message_en: format!("Row {row}: {}", p.message_en),
        ..p
    }
}

/// Opens an .xlsx from bytes.
pub fn open(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, Problem> {
    Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        file_problem(
            "excel.unreadable",
            format!("无法读取该文件，请上传 .xlsx 格式的 Excel 文件（{e}）"),
            format!("The file cannot be read; upload an .xlsx Excel workbook ({e})"),
        )
    })
}

/// Reads the sheet whose name starts with one of `names` (or, when `first_if_missing`, the
/// first sheet) and maps its header row onto `columns`. A missing required column is a problem.
pub fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    names: &[&str],
    first_if_missing: bool,
    columns: &[Column],
) -> Result<SheetRows, Problem> {
    let sheets = book.sheet_names();
    let name = sheets
        .iter()
        .find(|s| names.iter().any(|n| s.starts_with(n)))
        .or_else(|| {
            first_if_missing
                .then(|| sheets.iter().find(|s| s.as_str() != INSTRUCTIONS_SHEET))
                .flatten()
        })
        .cloned()
        .ok_or_else(|| {
            let wanted = names.join(" / ");
            file_problem(
                "excel.sheet_missing",
                format!("文件中缺少工作表：{wanted}"),
                format!("The workbook has no sheet named {wanted}"),
            )
        })?;
    let range = book.worksheet_range(&name).map_err(|e| {
        file_problem(
            "excel.unreadable",
            format!("无法读取工作表 {name}（{e}）"),
            format!("Sheet {name} cannot be read ({e})"),
        )
    })?;
    // Row numbers as the user sees them, even when the used range starts below row 1.
    let first_row = range.start().map_or(0, |(r, _)| r) + 1;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    let mut positions = Vec::with_capacity(columns.len());
    for col in columns {
        let at = header.iter().position(|h| col.matches(h));
        if at.is_none() && col.required {
            return Err(file_problem(
                "excel.column_missing",
                format!("工作表 {name} 缺少必填列：{}", col.header()),
                format!("Sheet {name} lacks the required column {}", col.header()),
            ));
        }
        positions.push(at);
    }
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let cells: Vec<String> = positions
            .iter()
            .map(|p| {
                p.and_then(|p| row.get(p))
                    .map(cell_text)
                    .unwrap_or_default()
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(file_problem(
                "excel.too_many_rows",
                format!("每个文件最多 {MAX_ROWS} 行"),
                format!("A file holds at most {MAX_ROWS} rows"),
            ));
        }
        out.push((first_row + 1 + i as u32, cells));
    }
    Ok(SheetRows { rows: out })
}

/// A cell as trimmed text: whole numbers without `.0`, dates as `YYYY-MM-DD`.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_owned(),
    }
}

/// An Excel serial date (days since 1899-12-30, the 1900 system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    serial_date(serial.floor() as i64)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The day of an Excel serial number (1900 date system, as Excel, WPS and LibreOffice write).
fn serial_date(serial: i64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_signed(chrono::Duration::days(serial))
}

/// Serial numbers read as dates: 1 (1900-01-01) to 2958465 (9999-12-31). A bare number in a
/// date column is what a sheet holds when the cell lost its date format.
const SERIALS: std::ops::RangeInclusive<i64> = 1..=2_958_465;

/// A date as users type it or spreadsheets store it: `2026-01-05`, `2026/1/5`, `2026.1.5`,
/// `2026年1月5日`, `20260105`, an Excel serial number such as `46027`, or any of these with a
/// time of day after it (`2026-01-05 00:00:00`, `2026-01-05T00:00:00`).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(raw, "%Y%m%d").ok();
    }
    if let Ok(serial) = raw.parse::<f64>() {
        let whole = serial.floor() as i64;
        return (serial.is_finite() && SERIALS.contains(&whole))
            .then(|| serial_date(whole))
            .flatten();
    }
    // A time of day after the date (a datetime cell, or text copied from one) is dropped.
    let day = raw
        .split(['T', ' '])
        .next()
        .filter(|d| !d.is_empty())
        .unwrap_or(raw);
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())
}

/// Adds a data sheet: bold header row (frozen), column widths, drop-downs and number rules
/// over the first `rules_rows` data rows, then `rows` of text.
pub fn write_sheet(
    book: &mut Workbook,
    name: &str,
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let sheet: &mut Worksheet = book.add_worksheet();
    sheet.set_name(name)?;
    let rules_last = (rows.len() as u32 + 1000).min(1_048_575);
    for (c, col) in columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, col.header(), &bold)?;
        sheet.set_column_width(c, 24)?;
        if !col.choices.is_empty() {
            let dv = DataValidation::new().allow_list_strings(col.choices)?;
            sheet.add_data_validation(1, c, rules_last, c, &dv)?;
        } else if col.positive_integer {
            let dv = DataValidation::new()
                .allow_whole_number(rust_xlsxwriter::DataValidationRule::GreaterThanOrEqualTo(1));
            sheet.add_data_validation(1, c, rules_last, c, &dv)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, value)?;
            }
        }
    }
    Ok(())
}

/// Adds the instructions sheet: one paragraph a row, Chinese then English.
pub fn write_instructions(book: &mut Workbook, lines: &[String]) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(INSTRUCTIONS_SHEET)?;
    sheet.set_column_width(0, 120)?;
    for (r, line) in lines.iter().enumerate() {
        sheet.write_string(r as u32, 0, line)?;
    }
    Ok(())
}

/// The instruction lines about columns: one per column, with its required mark and choices.
pub fn column_notes(columns: &[Column]) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            let need = if c.required {
                "必填 required"
            } else {
                "选填 optional"
            };
            let choices = if c.choices.is_empty() {
                String::new()
            } else {
                format!("；可选值 values: {}", c.choices.join(" / "))
            };
            format!("{} {}（{need}{choices}）", c.zh, c.en)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_every_way_users_and_programs_write_them() {
        for raw in [
            "2026-01-05",
            "2026-1-5",
            "2026/1/5",
            "2026/01/05",
            "2026.1.5",
            "2026年1月5日",
            "20260105",
            "46027",
            "46027.0",
            "46027.75",
            "2026-01-05 00:00:00",
            "2026-01-05T08:30:00",
            " 2026-01-05 ",
        ] {
            assert_eq!(parse_date(raw), d(2026, 1, 5), "{raw}");
        }
    }

    #[test]
    fn non_dates_are_refused() {
        for raw in [
            "",
            "2026-13-01",
            "2026-02-30",
            "明天",
            "0",
            "-3",
            "9999999",
            "20261305",
            "1/5/2026",
        ] {
            assert_eq!(parse_date(raw), None, "{raw}");
        }
    }

    #[test]
    fn serial_dates_render_as_iso_days() {
        assert_eq!(excel_date(46027.0), "2026-01-05");
        assert_eq!(excel_date(46027.999), "2026-01-05");
    }
}
