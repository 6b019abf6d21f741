//! Helpers of the Excel tests: workbooks filled as a user fills them, raw requests with an
//! Idempotency-Key, and reading an answered workbook back.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use std::io::Cursor;
use suyuan_server::{AppState, app};
use tower::ServiceExt;

/// One cell as a user types it: text, or a number Excel stores as a number.
#[derive(Clone)]
pub enum Cell {
    /// Text.
    T(&'static str),
    /// A number.
    N(f64),
    /// A date cell: the serial number (1900 system) with a date format, as Excel stores a
    /// typed date.
    D(f64),
}
use Cell::{D, N, T};

/// One sheet to write: name, header row, data rows.
pub type Sheet<'a> = (&'a str, &'a [&'a str], &'a [Vec<Cell>]);

/// A workbook of sheets `(name, headers, rows)`: headers on row 1, then the rows.
pub fn workbook_of(sheets: &[Sheet<'_>]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, headers, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    T("") => {}
                    T(s) => {
                        sheet.write_string(r, c, *s).unwrap();
                    }
                    N(n) => {
                        sheet.write_number(r, c, *n).unwrap();
                    }
                    D(n) => {
                        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
                        sheet.write_number_with_format(r, c, *n, &date).unwrap();
                    }
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// A workbook with one sheet `name`: `headers` on row 1, then `rows`.
pub fn workbook(name: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    workbook_of(&[(name, headers, rows)])
}

/// Sends raw bytes (an .xlsx) with an optional Idempotency-Key; status, headers and body.
pub async fn send(
    state: &AppState,
    method: &str,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    send_in(state, method, path, token, key, None, body).await
}

/// [`send`] with an Accept-Language.
pub async fn send_in(
    state: &AppState,
    method: &str,
    path: &str,
    token: &str,
    key: Option<&str>,
    lang: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    let req = req.body(Body::from(body)).expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .expect("body");
    (status, headers, bytes.to_vec())
}

/// Every sheet of a workbook as rows of text.
pub fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an .xlsx");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::String(s) => s.clone(),
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (n, rows)
        })
        .collect()
}

/// Percent-encodes every byte (enough for a query value).
pub fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The XML of one part of a workbook, e.g. `xl/worksheets/sheet1.xml`.
pub fn part_xml(bytes: &[u8], part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut file = zip.by_name(part).expect("the part");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 XML");
    text
}
