//! `/healthz`: the service is up and its database answers.

use super::AppState;
use super::schemas;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::OpenApi;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    database: &'static str,
}

/// Liveness and database reachability; public.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses(
        (status = 200, description = "Up", body = schemas::Health),
        (status = 503, description = "The database does not answer", body = schemas::Health),
    ))]
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let ok = sqlx::query("SELECT 1")
        .execute(&state.db.pool)
        .await
        .is_ok();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let health = Health {
        status: if ok { "ok" } else { "database unavailable" },
        version: env!("CARGO_PKG_VERSION"),
        database: match state.db.backend {
            crate::db::Backend::Sqlite => "sqlite",
            crate::db::Backend::Postgres => "postgres",
        },
    };
    (status, Json(health))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(healthz))]
pub(super) struct Api;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}
