//! The OpenAPI 3.1 document at `/api/openapi.json`, generated from the handlers' annotations.
//! Each resource module declares `pub(super) struct Api` (`#[derive(OpenApi)]` listing its
//! paths); [`openapi`] merges them, so a new module adds one line here.

use super::AppState;
use super::{accounts, admin, sessions, staff};
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

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
    )
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
    ] {
        doc.merge(part);
    }
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

async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi())
}

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}
