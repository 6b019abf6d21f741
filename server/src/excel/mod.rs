//! Excel (.xlsx) templates, imports and exports: pure parsing and row mapping, no SQL and no
//! HTTP. Reads files saved by Excel, WPS or LibreOffice (calamine); writes with rust_xlsxwriter.

pub mod partners;
pub mod products;
pub mod trace;
pub mod transactions;
pub mod warnings;
pub mod workbook;
