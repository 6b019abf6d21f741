//! The supplier and customer sheets (供应商管理 / 销售客户管理): template, parsing a filled
//! file into validated partners, and export in the same layout so an export imports again.
//! Every field of the seed's forms is a column; suppliers add the quality agreement and the
//! authorised person, which customers do not have.

use super::workbook::{
    Column, at_row, cell_problem, column_notes, file_problem, open, parse_date, read_sheet,
    write_instructions, write_sheet,
};
use chrono::NaiveDate;
use rust_xlsxwriter::{Workbook, XlsxError};
use std::collections::HashMap;
use suyuan_core::Problem;
use suyuan_core::model::{
    AuthorisedPerson, DateRange, EnterpriseId, EnterpriseKind, Licence, Partner, PartnerId,
    PartnerRole, PartnerState, RecordStatus,
};
use suyuan_core::problem::blocking;
use suyuan_core::validate::validate_partner;

/// Name of the supplier sheet.
pub const SUPPLIER_SHEET: &str = "供应商 Suppliers";
/// Name of the customer sheet.
pub const CUSTOMER_SHEET: &str = "销售客户 Customers";

/// The kinds as the drop-down offers them, in `EnterpriseKind::ALL` order.
const KIND_CHOICES: [&str; 7] = [
    "注册人/备案人/生产企业 Registrant / filer / manufacturer",
    "境内责任人 Domestic responsible person (importer)",
    "批发企业 Wholesaler",
    "化妆品专营店 Retail shop",
    "商超 Supermarket",
    "美容美发机构 Beauty salon / hairdresser",
    "电子商务经营者 E-commerce",
];

const STATE_CHOICES: [&str; 2] = ["正常 Normal", "停用 Disabled"];

/// Builds the column list of one role: the customer form's fields, then the supplier's own.
macro_rules! partner_columns {
    ($kind_zh:literal, $kind_en:literal, $name_zh:literal, $name_en:literal $(, $extra:expr)*) => {
        [
            Column {
                choices: &KIND_CHOICES,
                ..Column::text("kind", $kind_zh, $kind_en, true)
            },
            Column {
                choices: &STATE_CHOICES,
                ..Column::text("state", "状态", "Status", false)
            },
            Column::text("name", $name_zh, $name_en, true),
            Column::text("uscc", "统一社会信用代码", "Unified social credit code", true),
            Column::text("contact", "联系人", "Contact", true),
            Column::text("phone", "联系电话", "Phone", false),
            Column::text("region_code", "所属地区代码", "Region code", false),
            Column::text("address", "住所", "Address", false),
            Column::text("legal_representative", "法定代表人", "Legal representative", true),
            Column::text("licence.number", "许可证号", "Licence number", false),
            Column::text("licence.valid_from", "许可证有效期起", "Licence valid from", false),
            Column::text("licence.valid_to", "许可证有效期止", "Licence valid to", false),
            Column::text("remittance_account", "汇款账号", "Remittance account", false),
            $($extra,)*
        ]
    };
}

/// Columns of the supplier sheet.
pub const SUPPLIER_COLUMNS: [Column; 19] = partner_columns!(
    "供应商类型",
    "Supplier type",
    "供应商名称",
    "Supplier name",
    Column::text(
        "quality_agreement.from",
        "质量协议有效期起",
        "Quality agreement valid from",
        false
    ),
    Column::text(
        "quality_agreement.to",
        "质量协议有效期止",
        "Quality agreement valid to",
        false
    ),
    Column::text(
        "authorised_person.name",
        "法定授权人姓名",
        "Authorised person's name",
        false
    ),
    Column::text(
        "authorised_person.phone",
        "法定授权人联系电话",
        "Authorised person's phone",
        false
    ),
    Column::text(
        "authorised_person.id_number",
        "法定授权人身份证号",
        "Authorised person's ID number",
        false
    ),
    Column::text(
        "authorised_person.scope",
        "授权范围",
        "Scope of authorisation",
        false
    )
);

/// Columns of the customer sheet.
pub const CUSTOMER_COLUMNS: [Column; 13] =
    partner_columns!("销售客户类型", "Customer type", "客户名称", "Customer name");

/// The columns of a role's sheet.
pub fn columns(role: PartnerRole) -> &'static [Column] {
    match role {
        PartnerRole::Supplier => &SUPPLIER_COLUMNS,
        PartnerRole::Customer => &CUSTOMER_COLUMNS,
    }
}

fn sheet_name(role: PartnerRole) -> &'static str {
    match role {
        PartnerRole::Supplier => SUPPLIER_SHEET,
        PartnerRole::Customer => CUSTOMER_SHEET,
    }
}

/// One partner read from a row, with the row's number for reports.
#[derive(Debug, Clone)]
pub struct PartnerRow {
    /// Spreadsheet row number (1-based).
    pub row: u32,
    /// The partner, a draft kept by the importing enterprise, not yet linked.
    pub partner: Partner,
}

fn kind_text(k: EnterpriseKind) -> String {
    format!("{} {}", k.label_zh(), k.label_en())
}

fn kind_of(raw: &str) -> Option<EnterpriseKind> {
    EnterpriseKind::ALL.into_iter().find(|k| {
        let code = serde_json::to_value(k).ok();
        let code = code.as_ref().and_then(|c| c.as_str()).unwrap_or("");
        raw == code
            || raw == k.label_zh()
            || raw.eq_ignore_ascii_case(k.label_en())
            || raw == kind_text(*k)
    })
}

fn state_of(raw: &str) -> Option<PartnerState> {
    match raw {
        "" | "正常" | "正常 Normal" => Some(PartnerState::Normal),
        "停用" | "停用 Disabled" => Some(PartnerState::Disabled),
        _ if raw.eq_ignore_ascii_case("normal") => Some(PartnerState::Normal),
        _ if raw.eq_ignore_ascii_case("disabled") => Some(PartnerState::Disabled),
        _ => None,
    }
}

fn state_text(s: PartnerState) -> &'static str {
    match s {
        PartnerState::Normal => STATE_CHOICES[0],
        PartnerState::Disabled => STATE_CHOICES[1],
    }
}

fn example(role: PartnerRole) -> Vec<String> {
    let mut row = vec![
        KIND_CHOICES[2],
        STATE_CHOICES[0],
        "福州海峡化妆品有限公司",
        "91350100M000100Y43",
        "李四",
        "0591-87654321",
        "350102",
        "福建省福州市鼓楼区五四路100号",
        "王五",
        "闽妆20160001",
        "2024-06-01",
        "2029-05-31",
        "6222020200112233445",
    ];
    if role == PartnerRole::Supplier {
        row.extend([
            "2026-01-01",
            "2028-12-31",
            "赵六",
            "13912345678",
            "11010519491231002X",
            "化妆品采购与销售",
        ]);
    }
    row.into_iter().map(String::from).collect()
}

fn instructions(role: PartnerRole) -> Vec<String> {
    let (zh, en, sheet) = match role {
        PartnerRole::Supplier => ("供应商", "suppliers", SUPPLIER_SHEET),
        PartnerRole::Customer => ("销售客户", "customers", CUSTOMER_SHEET),
    };
    let mut lines = vec![
        format!("{zh}导入说明：在「{sheet}」工作表中每行填写一个{zh}，标 * 的列为必填。第 2 行是示例，导入前请删除或改写。"),
        format!("How to import {en}: fill one a row on the sheet {sheet}; columns marked * are required. Row 2 is an example: delete or overwrite it before importing."),
        "整个文件要么全部导入，要么（任何一行有误时）一行也不导入，并列出每个有误的行和列。统一社会信用代码在文件中和已有记录中都不能重复。".to_owned(),
        "The whole file is imported or, if any row is wrong, nothing is, and every wrong row and column is listed. A unified social credit code may appear once, in the file and among the records already kept.".to_owned(),
        "统一社会信用代码属于平台上已注册企业的，导入后自动关联该企业，对账单据将送达其收件箱。".to_owned(),
        "A record whose unified social credit code belongs to an enterprise registered on the platform is linked to it, so documents addressed to it reach its reconciliation inbox.".to_owned(),
        "日期格式 YYYY-MM-DD（也接受 2026/1/5 和 Excel 日期）；所属地区填 6 位行政区划代码，例如 620102；状态留空即为正常。".to_owned(),
        "Dates as YYYY-MM-DD (2026/1/5 and Excel dates are accepted too); the region is a 6-digit division code such as 620102; an empty status means normal.".to_owned(),
    ];
    if role == PartnerRole::Supplier {
        lines.push("许可证或质量协议已过期的正常状态供应商会被拒绝，除非导入时确认该警告（acknowledge=licence.expired,quality_agreement.expired）。".to_owned());
        lines.push("An active supplier whose licence or quality agreement has expired is refused unless the import acknowledges the warning (acknowledge=licence.expired,quality_agreement.expired).".to_owned());
    }
    lines.push(String::new());
    lines.push("列 Columns:".to_owned());
    lines.extend(column_notes(columns(role)));
    lines
}

fn book(role: PartnerRole, rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    write_sheet(&mut book, sheet_name(role), columns(role), rows)?;
    write_instructions(&mut book, &instructions(role))?;
    book.save_to_buffer()
}

/// The empty template of a role with one example row.
pub fn template(role: PartnerRole) -> Result<Vec<u8>, XlsxError> {
    book(role, &[example(role)])
}

/// Partners of one role in the template's layout.
pub fn export(role: PartnerRole, partners: &[Partner]) -> Result<Vec<u8>, XlsxError> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = partners
        .iter()
        .map(|p| {
            let licence = p.licence.clone().unwrap_or_default();
            let mut row = vec![
                kind_text(p.kind),
                state_text(p.state).to_owned(),
                p.name.clone(),
                p.uscc.clone(),
                p.contact.clone(),
                p.phone.clone(),
                p.region_code.clone(),
                p.address.clone(),
                p.legal_representative.clone(),
                licence.number,
                date(licence.valid_from),
                date(licence.valid_to),
                p.remittance_account.clone(),
            ];
            if role == PartnerRole::Supplier {
                let person = p.authorised_person.clone().unwrap_or_default();
                row.extend([
                    date(p.quality_agreement.map(|q| q.from)),
                    date(p.quality_agreement.map(|q| q.to)),
                    person.name,
                    person.phone,
                    person.id_number,
                    person.scope,
                ]);
            }
            row
        })
        .collect();
    book(role, &rows)
}

/// What the import of one file is told besides the bytes.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// Suppliers or customers.
    pub role: PartnerRole,
    /// The importing enterprise, which keeps the records.
    pub owner: EnterpriseId,
    /// Today on the platform's calendar (expired licences are judged against it).
    pub today: NaiveDate,
    /// Warning rules the importer overrides, as a save's `acknowledge`.
    pub acknowledge: &'a [String],
}

/// One row's cells, looked up by column key.
struct RowCells<'a> {
    row: u32,
    columns: &'static [Column],
    cells: &'a [String],
}

impl RowCells<'_> {
    fn at(&self, key: &str) -> Option<(usize, &str)> {
        let i = self.columns.iter().position(|c| c.key == key)?;
        Some((i, self.cells[i].as_str()))
    }

    fn text(&self, key: &str) -> String {
        self.at(key).map(|(_, v)| v.to_owned()).unwrap_or_default()
    }

    /// An optional date; an unreadable one is a problem.
    fn date(&self, key: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
        let (i, raw) = self.at(key)?;
        if raw.is_empty() {
            return None;
        }
        let day = parse_date(raw);
        if day.is_none() {
            problems.push(cell_problem(
                self.row,
                &self.columns[i],
                "excel.date",
                "应为日期，格式 YYYY-MM-DD",
                "must be a date as YYYY-MM-DD",
            ));
        }
        day
    }

    fn problem(&self, key: &str, rule: &str, zh: &str, en: &str) -> Problem {
        let i = self.columns.iter().position(|c| c.key == key).unwrap_or(0);
        cell_problem(self.row, &self.columns[i], rule, zh, en)
    }
}

/// Reads one row into a partner, pushing the problems of its cells.
fn partner_of(r: &RowCells<'_>, cx: &ParseContext<'_>, problems: &mut Vec<Problem>) -> Partner {
    let kind = kind_of(&r.text("kind"));
    if kind.is_none() {
        let (zh, en, rule) = if r.text("kind").is_empty() {
            ("必填", "required", "required")
        } else {
            (
                "请从下拉列表中选择",
                "pick a value from the drop-down list",
                "excel.choice",
            )
        };
        problems.push(r.problem("kind", rule, zh, en));
    }
    let state = state_of(&r.text("state"));
    if state.is_none() {
        problems.push(r.problem(
            "state",
            "excel.choice",
            "请从下拉列表中选择",
            "pick a value from the drop-down list",
        ));
    }
    let licence_number = r.text("licence.number");
    let licence_from = r.date("licence.valid_from", problems);
    let licence_to = r.date("licence.valid_to", problems);
    let licence = (!licence_number.is_empty() || licence_from.is_some() || licence_to.is_some())
        .then_some(Licence {
            number: licence_number,
            valid_from: licence_from,
            valid_to: licence_to,
        });
    let mut quality_agreement = None;
    let mut authorised_person = None;
    if cx.role == PartnerRole::Supplier {
        let from = r.date("quality_agreement.from", problems);
        let to = r.date("quality_agreement.to", problems);
        let blank = |k| r.text(k).is_empty();
        match (from, to) {
            (Some(from), Some(to)) => quality_agreement = Some(DateRange { from, to }),
            // A half-filled period: the empty end is the problem (an unreadable one is already).
            (Some(_), None) if blank("quality_agreement.to") => problems.push(r.problem(
                "quality_agreement.to",
                "required",
                "填写了起始日期时必填",
                "required when the start is given",
            )),
            (None, Some(_)) if blank("quality_agreement.from") => problems.push(r.problem(
                "quality_agreement.from",
                "required",
                "填写了截止日期时必填",
                "required when the end is given",
            )),
            _ => {}
        }
        let person = AuthorisedPerson {
            name: r.text("authorised_person.name"),
            phone: r.text("authorised_person.phone"),
            id_number: r.text("authorised_person.id_number"),
            scope: r.text("authorised_person.scope"),
        };
        authorised_person = (person != AuthorisedPerson::default()).then_some(person);
    }
    Partner {
        id: PartnerId::random(),
        owner: cx.owner,
        role: cx.role,
        kind: kind.unwrap_or(EnterpriseKind::Wholesaler),
        state: state.unwrap_or(PartnerState::Normal),
        name: r.text("name"),
        uscc: r.text("uscc").to_uppercase(),
        contact: r.text("contact"),
        phone: r.text("phone"),
        region_code: r.text("region_code"),
        address: r.text("address"),
        legal_representative: r.text("legal_representative"),
        licence,
        quality_agreement,
        authorised_person,
        remittance_account: r.text("remittance_account"),
        attachments: vec![],
        enterprise_id: None,
        status: RecordStatus::Draft,
    }
}

/// Reads a filled file into partners of `cx.role` kept by `cx.owner`, or every problem of
/// every row (fields `rows[N].column`, N the spreadsheet row number): unreadable cells, the
/// rules of a save (`validate_partner`; warnings unless acknowledged) and a USCC given twice.
pub fn parse(bytes: &[u8], cx: &ParseContext<'_>) -> Result<Vec<PartnerRow>, Vec<Problem>> {
    let mut book = open(bytes).map_err(|p| vec![p])?;
    let names: &[&str] = match cx.role {
        PartnerRole::Supplier => &["供应商", "Suppliers"],
        PartnerRole::Customer => &["销售客户", "Customers"],
    };
    let columns = columns(cx.role);
    let sheet = read_sheet(&mut book, names, true, columns).map_err(|p| vec![p])?;
    if sheet.rows.is_empty() {
        return Err(vec![file_problem(
            "excel.empty",
            "文件中没有数据行",
            "The file has no data rows",
        )]);
    }
    let acknowledged: Vec<&str> = cx.acknowledge.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    let mut out = Vec::with_capacity(sheet.rows.len());
    for (row, cells) in &sheet.rows {
        let r = RowCells {
            row: *row,
            columns,
            cells,
        };
        let mut partner = partner_of(&r, cx, &mut problems);
        partner.region_code = partner.region_code.trim().to_owned();
        let found = validate_partner(&partner, cx.today);
        problems.extend(
            blocking(&found, &acknowledged)
                .into_iter()
                .cloned()
                .map(|p| at_row(*row, "rows", p)),
        );
        if !partner.uscc.is_empty() {
            if let Some(first) = first_row_of.get(&partner.uscc) {
                problems.push(r.problem(
                    "uscc",
                    "excel.duplicate",
                    &format!("与第 {first} 行重复"),
                    &format!("the same as on row {first}"),
                ));
            } else {
                first_row_of.insert(partner.uscc.clone(), *row);
            }
        }
        out.push(PartnerRow { row: *row, partner });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_fits_the_drop_down_and_reads_back() {
        for (k, choice) in EnterpriseKind::ALL.into_iter().zip(KIND_CHOICES) {
            assert_eq!(kind_text(k), choice);
            assert_eq!(kind_of(choice), Some(k));
            assert_eq!(kind_of(k.label_zh()), Some(k));
        }
        assert_eq!(kind_of("wholesaler"), Some(EnterpriseKind::Wholesaler));
        assert_eq!(kind_of("进货商"), None);
        // Excel refuses an inline list longer than 255 characters.
        assert!(KIND_CHOICES.join(",").chars().count() <= 255);
    }

    #[test]
    fn states_read_in_either_language_and_default_to_normal() {
        assert_eq!(state_of(""), Some(PartnerState::Normal));
        assert_eq!(state_of("停用"), Some(PartnerState::Disabled));
        assert_eq!(state_of("DISABLED"), Some(PartnerState::Disabled));
        assert_eq!(state_of("暂停"), None);
    }

    #[test]
    fn templates_parse_their_own_example() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        for role in [PartnerRole::Supplier, PartnerRole::Customer] {
            let bytes = template(role).unwrap();
            let cx = ParseContext {
                role,
                owner: EnterpriseId(uuid::Uuid::nil()),
                today,
                acknowledge: &[],
            };
            let rows = parse(&bytes, &cx).unwrap();
            assert_eq!(rows.len(), 1);
            let p = &rows[0].partner;
            assert_eq!(p.kind, EnterpriseKind::Wholesaler);
            assert_eq!(p.uscc, "91350100M000100Y43");
            assert_eq!(
                p.licence.as_ref().and_then(|l| l.valid_to),
                NaiveDate::from_ymd_opt(2029, 5, 31)
            );
            assert_eq!(p.quality_agreement.is_some(), role == PartnerRole::Supplier);
        }
    }
}
