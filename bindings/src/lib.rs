//! UniFFI bindings of `suyuan-core` for the phone apps (Kotlin, Swift) and for Python tests:
//! one [`App`] façade over the offline store, the sync client and the scanner.
//!
//! Thin by design: the records are the core's own types (see [`types`]), each method is a
//! call into the core, and errors reach the app as the small [`ApiError`].

mod app;
pub mod barcode_types;
mod error;
pub mod inspection_types;
pub mod partner_types;
pub mod types;
pub mod unit_types;

pub use app::{App, ScannedCode};
pub use error::ApiError;

uniffi::setup_scaffolding!();

/// A fresh identifier for a record created on the phone (documents, products, lines).
#[uniffi::export]
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The version of the library, for the settings screen and bug reports.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
