//! A regulator's batch trace as a workbook: holders (each with what it holds now), movements
//! (one row per document between two holders) and the traceability tree, indented.

use crate::db::regulator::{DocumentLine, HolderNode, TraceReport};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Sheet of the holders.
pub const HOLDERS_SHEET: &str = "持有人 Holders";
/// Sheet of the movements.
pub const MOVEMENTS_SHEET: &str = "流向 Movements";
/// Sheet of the tree.
pub const TREE_SHEET: &str = "追溯树 Tree";

/// One cell: text, or a number Excel can sum.
enum Cell {
    Text(String),
    Number(f64),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn num(n: impl Into<f64>) -> Cell {
    Cell::Number(n.into())
}

fn opt_num(n: Option<i64>) -> Cell {
    n.map_or(Cell::Text(String::new()), |n| Cell::Number(n as f64))
}

fn sheet(
    book: &mut Workbook,
    name: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 20)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.into_iter().enumerate() {
        for (c, cell) in row.into_iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, n)?;
                }
            }
        }
    }
    Ok(())
}

fn party(n: Option<&HolderNode>) -> Cell {
    text(n.map(|n| n.name.clone()).unwrap_or_default())
}

fn document_cells(d: &DocumentLine) -> [Cell; 4] {
    [
        text(d.number.clone()),
        text(d.kind.clone()),
        text(d.date.to_string()),
        num(d.quantity as f64),
    ]
}

/// The workbook of a trace.
pub fn export(report: &TraceReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let holders = report
        .nodes
        .iter()
        .map(|n| {
            vec![
                text(n.name.clone()),
                text(n.uscc.clone().unwrap_or_default()),
                text(n.region_code.clone().unwrap_or_default()),
                text(n.kind.clone().unwrap_or_default()),
                text(if n.in_region { "是 yes" } else { "否 no" }),
                num(n.produced as f64),
                num(n.received as f64),
                num(n.passed_on as f64),
                num(n.returned_out as f64),
                num(n.returns_in as f64),
                opt_num(n.held),
            ]
        })
        .collect();
    sheet(
        &mut book,
        HOLDERS_SHEET,
        &[
            "名称 Name",
            "统一社会信用代码 USCC",
            "地区 Region",
            "类型 Kind",
            "辖区内 In region",
            "生产 Produced",
            "购进 Received",
            "售出 Passed on",
            "退货 Returned out",
            "退入 Returns in",
            "现持有 Held now",
        ],
        holders,
    )?;
    let node = |i: u32| report.nodes.get(i as usize);
    let mut movements = Vec::new();
    for e in &report.edges {
        for d in &e.documents {
            let mut row = vec![party(node(e.from)), party(node(e.to)), text(e.kind.clone())];
            row.extend(document_cells(d));
            row.push(text(d.recorded_by.clone()));
            movements.push(row);
        }
    }
    for n in &report.nodes {
        for d in &n.production {
            let mut row = vec![text(""), text(n.name.clone()), text("production")];
            row.extend(document_cells(d));
            row.push(text(d.recorded_by.clone()));
            movements.push(row);
        }
    }
    sheet(
        &mut book,
        MOVEMENTS_SHEET,
        &[
            "发出方 From",
            "接收方 To",
            "类型 Kind",
            "单号 Number",
            "单据类型 Document kind",
            "日期 Date",
            "数量 Quantity",
            "记录方 Recorded by",
        ],
        movements,
    )?;
    let tree = report
        .tree
        .iter()
        .map(|t| {
            let name = |i: u32| node(i).map_or("", |n| n.name.as_str());
            let indent = "    ".repeat(t.depth as usize);
            // Each line hangs under the holder it leads from: downstream the sender, upstream
            // the receiver; the arrow always points the way the goods went.
            let path = if t.direction == "forward" {
                format!("{indent}{} → {}", name(t.from), name(t.to))
            } else {
                format!("{indent}{} ← {}", name(t.to), name(t.from))
            };
            let mut row = vec![text(t.direction.clone()), num(t.depth), text(path)];
            row.extend(document_cells(&t.document));
            row.push(text(if t.repeat { "是 yes" } else { "" }));
            row
        })
        .collect();
    sheet(
        &mut book,
        TREE_SHEET,
        &[
            "方向 Direction",
            "层级 Depth",
            "流向 Path",
            "单号 Number",
            "单据类型 Document kind",
            "日期 Date",
            "数量 Quantity",
            "已在上文展开 Repeat",
        ],
        tree,
    )?;
    book.save_to_buffer()
}
