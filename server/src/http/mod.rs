//! The HTTP surface: one router per resource, assembled by [`app`].

mod accounts;
mod caller;
pub mod error;
mod health;
mod idempotency;
pub mod json;
pub mod list;
mod path_id;
mod reconciliation;
mod stock;
mod transactions;

pub use caller::Caller;

use crate::auth::LoginLimiter;
use crate::db::Db;
use axum::Router;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Failed-login counter.
    pub limiter: Arc<LoginLimiter>,
}

impl AppState {
    /// State over a database, with the default login limit.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            limiter: Arc::new(LoginLimiter::default()),
        }
    }
}

/// The service's router, apart from serving, so tests send requests through it without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(accounts::router())
        .merge(transactions::router())
        .merge(reconciliation::router())
        .merge(stock::router())
        .layer(axum::middleware::from_fn(error::localize_errors))
        .with_state(state)
}
