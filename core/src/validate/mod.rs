//! Validators: each reports every problem it finds at once, as data.
//!
//! Field checks (`check_*`) take the field path to report under, so the same check serves a
//! top-level `uscc` and a nested `counterparty.uscc`. Record validators (`validate_*`) know
//! which fields the seed's forms mark as required. Nothing here reads the clock: callers
//! pass `today`.

pub mod dates;
pub mod gtin;
pub mod label;
pub mod phone;
pub mod records;
pub mod region;
pub mod registration;
pub mod resident_id;
pub mod uscc;

pub use dates::{check_batch_dates, check_not_future, check_order, derive_expiry};
pub use gtin::{check_gtin, gtin_check_digit, is_valid_gtin, to_gtin14};
pub use label::{Label, required};
pub use phone::{check_phone, is_landline, is_mobile};
pub use records::{
    validate_barcode, validate_enterprise, validate_inspection, validate_nonconforming,
    validate_partner, validate_photo, validate_product, validate_recall, validate_transaction,
};
pub use region::{check_region, province_of, within};
pub use registration::{
    Category, Origin, RegistrationNumber, check_registration, parse_registration,
};
pub use resident_id::{check_resident_id, resident_id_check_char};
pub use uscc::{check_uscc, uscc_check_char};
