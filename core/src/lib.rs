//! Suyuan core: the traceability domain of the cosmetics record-keeping duty (来源可溯、去向可追),
//! its validators and its rules as pure functions over data.

pub mod barcode;
pub mod model;
pub mod problem;
pub mod rules;
pub mod serial;
#[cfg(feature = "store")]
pub mod store;
pub mod sync;
pub mod validate;

pub use problem::{Lang, Problem, Severity};
