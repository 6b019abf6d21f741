//! The product sheet (产品信息库): template, parsing a filled file into validated products,
//! and export in the same layout so an export imports again.

use super::workbook::{
    Column, at_row, cell_problem, column_notes, open, read_sheet, write_instructions, write_sheet,
};
use rust_xlsxwriter::{Workbook, XlsxError};
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, Product, ProductId, RecordStatus};
use suyuan_core::validate::validate_product;

/// Name of the product sheet.
pub const SHEET: &str = "产品 Products";

/// The product columns, in template order.
pub const COLUMNS: [Column; 7] = [
    Column::text("generic_name", "化妆品通用名称", "Generic name", true),
    Column::text("brand", "品牌", "Brand", false),
    Column::text(
        "registration_number",
        "注册证号/备案号",
        "Registration or filing number",
        true,
    ),
    Column::text("registrant", "注册人/备案人", "Registrant or filer", true),
    Column::text("manufacturer", "生产企业", "Manufacturer", true),
    Column::text("specification", "规格", "Specification", true),
    Column {
        positive_integer: true,
        ..Column::text(
            "shelf_life_months",
            "保质期（月）",
            "Shelf life (months)",
            false,
        )
    },
];

/// One product read from a row, with the row's number for reports.
#[derive(Debug, Clone)]
pub struct ProductRow {
    /// Spreadsheet row number (1-based).
    pub row: u32,
    /// The product, a draft owned by the importing enterprise.
    pub product: Product,
}

fn example_row() -> Vec<String> {
    [
        "舒唯雅皮肤身体护肤霜",
        "舒唯雅",
        "甘G妆网备字2022000123",
        "甘肃舒来纽化妆品有限责任公司",
        "甘肃舒来纽化妆品有限责任公司",
        "50g",
        "36",
    ]
    .map(String::from)
    .to_vec()
}

fn instructions() -> Vec<String> {
    let mut lines = vec![
        "产品导入说明：在「产品 Products」工作表中每行填写一个产品，标 * 的列为必填。第 2 行是示例，导入前请删除或改写。".to_owned(),
        "How to import products: fill one product a row on the sheet 产品 Products; columns marked * are required. Row 2 is an example: delete or overwrite it before importing.".to_owned(),
        "整个文件要么全部导入，要么（任何一行有误时）一行也不导入，并列出每个有误的行和列。".to_owned(),
        "The whole file is imported or, if any row is wrong, nothing is, and every wrong row and column is listed.".to_owned(),
        "保质期填写整数月数，例如 36。The shelf life is a whole number of months, e.g. 36.".to_owned(),
        String::new(),
        "列 Columns:".to_owned(),
    ];
    lines.extend(column_notes(&COLUMNS));
    lines
}

/// The empty template with one example row.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    write_sheet(&mut book, SHEET, &COLUMNS, &[example_row()])?;
    write_instructions(&mut book, &instructions())?;
    book.save_to_buffer()
}

/// Products in the template's layout.
pub fn export(products: &[Product]) -> Result<Vec<u8>, XlsxError> {
    let rows: Vec<Vec<String>> = products
        .iter()
        .map(|p| {
            vec![
                p.generic_name.clone(),
                p.brand.clone(),
                p.registration_number.clone(),
                p.registrant.clone(),
                p.manufacturer.clone(),
                p.specification.clone(),
                p.shelf_life_months
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut book = Workbook::new();
    write_sheet(&mut book, SHEET, &COLUMNS, &rows)?;
    write_instructions(&mut book, &instructions())?;
    book.save_to_buffer()
}

/// Reads a filled file into products owned by `owner`, or every problem of every row
/// (fields `rows[N].column`, N the spreadsheet row number). An empty file is a problem too.
pub fn parse(bytes: &[u8], owner: EnterpriseId) -> Result<Vec<ProductRow>, Vec<Problem>> {
    let mut book = open(bytes).map_err(|p| vec![p])?;
    let sheet =
        read_sheet(&mut book, &["产品", "Products"], true, &COLUMNS).map_err(|p| vec![p])?;
    if sheet.rows.is_empty() {
        return Err(vec![super::workbook::file_problem(
            "excel.empty",
            "文件中没有产品行",
            "The file has no product rows",
        )]);
    }
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(sheet.rows.len());
    for (row, cells) in sheet.rows {
        let text = |i: usize| cells[i].clone();
        let shelf_life_months = match cells[6].as_str() {
            "" => None,
            raw => match raw.parse::<u32>() {
                Ok(m) => Some(m),
                Err(_) => {
                    problems.push(cell_problem(
                        row,
                        &COLUMNS[6],
                        "excel.whole_number",
                        "应为整数月数",
                        "must be a whole number of months",
                    ));
                    None
                }
            },
        };
        let product = Product {
            id: ProductId::random(),
            owner,
            generic_name: text(0),
            brand: text(1),
            registration_number: text(2),
            registrant: text(3),
            manufacturer: text(4),
            specification: text(5),
            shelf_life_months,
            attachments: vec![],
            status: RecordStatus::Draft,
        };
        problems.extend(
            validate_product(&product)
                .into_iter()
                .filter(|p| p.severity == suyuan_core::Severity::Error)
                .map(|p| at_row(row, "rows", p)),
        );
        out.push(ProductRow { row, product });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
