//! The OpenAPI 3.1 document at `/api/openapi.json`, generated from the handlers' annotations.
//! Each resource module declares `pub(super) struct Api` (`#[derive(OpenApi)]` listing its
//! paths); [`openapi`] merges them, so a new module adds one line here.

use super::AppState;
use super::{
    accounts, admin, attachments, barcodes, batch, excel, health, inspections, nonconforming,
    partner_excel, partners, products, profile, recalls, reconciliation, regulator, schemas,
    sessions, staff, stock, sync, transactions, unit_codes,
};
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, RefOr, Response};

/// The document's root: title, version and the two ways to authenticate.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Suyuan (溯源) API",
        description = "Product traceability for cosmetics: enterprise records, reconciliation, trace and recall. \
                       Errors are `{message, errors: [{field, rule, message}]}` in the `Accept-Language` language.",
    ),
    tags(
        (name = "accounts", description = "Registration, login, sessions, the caller"),
        (name = "staff", description = "An enterprise admin's staff accounts"),
        (name = "admin", description = "The platform admin's regulator accounts"),
        (name = "catalog", description = "Profile, products, barcodes, suppliers, customers, attachments"),
        (name = "documents", description = "Transactions, reconciliation inbox, stock, record chain"),
        (name = "regulator", description = "A regulator's region: enterprise directory and drill-down, batch trace, statistics, risk warnings, field inspections"),
        (name = "recalls", description = "Recalls and nonconforming listings, for enterprises and regulators"),
        (name = "unit codes", description = "Serialized 24-digit unit codes: issuance, labels, packing, audited uploads, lookup"),
        (name = "health", description = "Liveness"),
    ),
    paths(document),
    components(schemas(schemas::ErrorBody, schemas::FieldError))
)]
struct Root;

/// The whole document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Root::openapi();
    for part in [
        accounts::Api::openapi(),
        sessions::Api::openapi(),
        staff::Api::openapi(),
        admin::Api::openapi(),
        health::Api::openapi(),
        profile::Api::openapi(),
        products::Api::openapi(),
        barcodes::Api::openapi(),
        partners::Api::openapi(),
        attachments::Api::openapi(),
        transactions::Api::openapi(),
        reconciliation::Api::openapi(),
        stock::Api::openapi(),
        excel::Api::openapi(),
        partner_excel::Api::openapi(),
        batch::Api::openapi(),
        sync::Api::openapi(),
        regulator::Api::openapi(),
        recalls::Api::openapi(),
        nonconforming::Api::openapi(),
        unit_codes::Api::openapi(),
        inspections::Api::openapi(),
    ] {
        doc.merge(part);
    }
    customers_like_suppliers(&mut doc);
    errors_have_bodies(&mut doc);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            super::SESSION_COOKIE,
            "Browser session from POST /api/v1/auth/session; requests other than GET/HEAD \
             also need the X-CSRF-Token header",
        ))),
    );
    doc
}

/// Customers are served by the suppliers' handlers (one generic handler per operation), so
/// their paths are the suppliers' with the words and operation ids changed.
fn customers_like_suppliers(doc: &mut utoipa::openapi::OpenApi) {
    let copies: Vec<(String, PathItem)> = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix("/api/v1/suppliers")?;
            let mut item = item.clone();
            for op in operations(&mut item) {
                for text in [&mut op.operation_id, &mut op.summary, &mut op.description]
                    .into_iter()
                    .flatten()
                {
                    *text = text
                        .replace("suppliers", "customers")
                        .replace("supplier", "customer");
                }
            }
            Some((format!("/api/v1/customers{rest}"), item))
        })
        .collect();
    for (path, item) in copies {
        doc.paths.paths.insert(path, item);
    }
}

/// Every failure answers the one error body (see `error.rs`); annotations name the statuses
/// and this adds the body, so no operation can forget it.
fn errors_have_bodies(doc: &mut utoipa::openapi::OpenApi) {
    let body = Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
        "ErrorBody",
    ))));
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            for (status, response) in op.responses.responses.iter_mut() {
                if let (true, RefOr::T(Response { content, .. })) =
                    (status.starts_with('4') || status.starts_with('5'), response)
                    && content.is_empty()
                {
                    content.insert("application/json".into(), body.clone());
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi())
}

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}
