//! The HTTP surface: one router per resource, assembled by [`app`], one OpenAPI document
//! to which each resource module contributes its paths, and the web pages ([`web`]).

mod accounts;
mod admin;
mod attachments;
mod barcodes;
mod batch;
mod caller;
pub mod error;
mod excel;
mod health;
mod idempotency;
mod input;
mod inspections;
pub mod json;
pub mod list;
mod nonconforming;
mod openapi;
mod partner_excel;
mod partners;
mod path_id;
mod products;
mod profile;
mod query;
mod recall_common;
mod recalls;
mod reconciliation;
mod records;
mod regulator;
mod schemas;
mod sessions;
mod staff;
mod stock;
mod sync;
mod sync_barcodes;
mod sync_catalog;
mod sync_documents;
mod sync_inspections;
mod transactions;
mod unit_codes;
pub mod web;

pub use caller::{CSRF_HEADER, Caller, Credential, SESSION_COOKIE};
pub use openapi::openapi;

use crate::auth::LoginLimiter;
use crate::db::Db;
use crate::identity::{IdentityProvider, LocalAccounts};
use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Failed-login counter.
    pub limiter: Arc<LoginLimiter>,
    /// Who checks logins and passwords.
    pub identity: Arc<dyn IdentityProvider>,
}

impl AppState {
    /// State over a database, with the default login limit and local accounts.
    pub fn new(db: Db) -> Self {
        Self {
            identity: Arc::new(LocalAccounts::new(db.clone())),
            db,
            limiter: Arc::new(LoginLimiter::default()),
        }
    }

    /// The same state with another identity provider (e.g. a provincial single sign-on).
    pub fn with_identity(mut self, identity: Arc<dyn IdentityProvider>) -> Self {
        self.identity = identity;
        self
    }
}

/// Logs each request's method, path, status and duration (never its query or body, which may
/// carry personal data).
async fn log_requests(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    res
}

/// The service's router, apart from serving, so tests send requests through it without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(accounts::router())
        .merge(profile::router())
        .merge(products::router())
        .merge(barcodes::router())
        .merge(partners::router())
        .merge(attachments::router())
        .merge(sessions::router())
        .merge(staff::router())
        .merge(admin::router())
        .merge(openapi::router())
        .merge(transactions::router())
        .merge(reconciliation::router())
        .merge(stock::router())
        .merge(excel::router())
        .merge(partner_excel::router())
        .merge(batch::router())
        .merge(sync::router())
        .merge(regulator::router())
        .merge(recalls::router())
        .merge(nonconforming::router())
        .merge(unit_codes::router())
        .merge(web::router())
        .merge(inspections::router())
        .layer(axum::middleware::from_fn(error::localize_errors))
        .layer(axum::middleware::from_fn(log_requests))
        .with_state(state)
}
