//! The traceability rules, as pure functions over records: no I/O, no clock (callers pass `today`).

pub mod ledger;
pub mod lifecycle;
pub mod listing;
pub mod recall;
pub mod reconciliation;
pub mod sales_block;
pub mod status;
pub mod submit;
pub mod trace;
pub mod verdict;
pub mod warnings;

#[cfg(test)]
pub(crate) mod testing;
