//! Names for the OpenAPI document of bodies whose Rust types live in suyuan-core, which has no
//! utoipa dependency: each is documented as a JSON object under a descriptive name, so clients
//! see which shape an operation takes without the core crate growing a web dependency.
// These types are never built: they exist only to name schemas.
#![allow(dead_code)]

use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// The body of every error: a message and the problems, in the `Accept-Language` language.
#[derive(ToSchema)]
pub(super) struct ErrorBody {
    /// What went wrong, in one sentence.
    message: String,
    /// One entry per broken rule; empty for 401/403/404.
    errors: Vec<FieldError>,
}

/// One broken rule.
#[derive(ToSchema)]
pub(super) struct FieldError {
    /// The field, e.g. `uscc` or `lines[2].batch`.
    field: String,
    /// The rule's code, e.g. `required`, `uscc.checksum`, `sort.unknown`.
    rule: String,
    /// The problem in words.
    message: String,
}

/// Query parameters every list shares; `sort` is listed per operation with its columns.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Keyword matched case-insensitively against names and numbers.
    q: Option<String>,
    /// `asc` or `desc`.
    order: Option<String>,
    /// 1-based page number.
    page: Option<u32>,
    /// Rows a page (default 50, at most 500).
    per_page: Option<u32>,
}

/// A file's bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub(super) struct Binary(Vec<u8>);

macro_rules! object_schemas {
    ($($(#[doc = $doc:literal])* $name:ident),* $(,)?) => {$(
        $(#[doc = $doc])*
        #[derive(ToSchema)]
        #[schema(value_type = Object)]
        pub(super) struct $name(Value);
    )*};
}

object_schemas! {
    /// A unit code (suyuan-core `UnitView`): code, level, product_id, product_name, batch,
    /// issued_to, state, parent, children, units_inside, history `[{at, enterprise_id,
    /// enterprise_name, action, state, upload_id, document_number}]`.
    UnitView,
    /// The audit of a unit upload file (suyuan-core `UploadResult`): id, kind, number,
    /// accepted, refused, lines `[{line, code, accepted, moved, problem, suspicious}]`, and the
    /// batch `document` `{id, number, derived}` that records it.
    UploadResult,
    /// The enterprise profile (suyuan-core `Enterprise`): id, uscc, kind, name, region_code, ...
    Enterprise,
    /// The profile's editable fields, plus `acknowledge: [rule]` for overridden warnings.
    EnterpriseInput,
    /// `{product, status, created_at, updated_at}`; `product` is suyuan-core's `Product`.
    ProductView,
    /// A product's fields (suyuan-core `Product` without id/owner/state), plus `acknowledge`.
    ProductInput,
    /// `{barcode, created_at, updated_at}`; `barcode` is suyuan-core's `Barcode`.
    BarcodeView,
    /// A barcode's fields (suyuan-core `Barcode` without id/owner/state), plus `acknowledge`.
    BarcodeInput,
    /// `{gtin, matches: [{barcode, product}]}`: every enterprise's barcodes of a GTIN.
    BarcodeLookup,
    /// `{codes, draft, matches}`: the codes decoded from a photo and a pre-filled barcode.
    Recognition,
    /// `{partner, created_at, updated_at}`; `partner` is suyuan-core's `Partner`.
    PartnerView,
    /// A supplier's or customer's fields (suyuan-core `Partner`), plus `acknowledge`.
    PartnerInput,
    /// Stored file metadata: id, kind, file_name, content_type, size, sha256.
    Attachment,
    /// A transaction document with its lines, state and times.
    StoredDocument,
    /// A draft: kind, number, counterparty, date, contact, phone, lines, corrects, remarks.
    DraftInput,
    /// `{opening_override, acknowledge}`, both optional.
    SubmitInput,
    /// A counterparty's document waiting for (or done with) confirmation.
    ReconciliationItem,
    /// The own document's header (number, date, contact, phone), changed lines, reason, acknowledge.
    ConfirmInput,
    /// `{reason}`: why the document is wrong.
    DisputeInput,
    /// `{item, document}`: the confirmed item and the own document it produced.
    ConfirmedItem,
    /// One product batch's quantity on hand.
    StockLine,
    /// Whether the enterprise's record chain hashes verify, and where it breaks.
    ChainReport,
    /// `{status, database}` of the health check.
    Health,
}

/// The answer of a successful import: how many records and their ids.
#[derive(ToSchema)]
pub(super) struct ImportResult {
    /// Records written.
    imported: u64,
    /// Their ids, in file order.
    ids: Vec<String>,
}

/// `suyuan_core::sync::BatchRequest`: records (products, documents) under client-supplied ids.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub(super) struct BatchRequest(Value);

/// `suyuan_core::sync::BatchResponse`: one result per record.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub(super) struct BatchResponse(Value);

/// `suyuan_core::sync::PushRequest`: a device's changes, each with its change id and `op`
/// (`save_transaction`, `update_transaction`, `delete_transaction`, `submit_transaction`,
/// `save_product`, `update_product`, `save_barcode`, `update_barcode`, `delete_barcode`, `save_partner`, `update_partner`, `delete_partner`, `confirm_reconciliation`,
/// `dispute_reconciliation`, `acknowledge_recall`, `report_recall`, `upload_units`; a regulator's: `record_inspection`) beside the op's fields, as the matching REST body has them.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub(super) struct PushRequest(Value);

/// `suyuan_core::sync::PushResponse`: per change, ok with the record id or the problems.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub(super) struct PushResponse(Value);

/// `suyuan_core::sync::PullResponse`: changes after the cursor, the next cursor, whether more wait.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub(super) struct PullResponse(Value);
