//! The HTTP surface: one router per resource, assembled by [`app`].

mod health;

use crate::db::Db;
use axum::Router;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
}

/// The service's router, apart from serving, so tests send requests through it without a socket.
pub fn app(state: AppState) -> Router {
    Router::new().merge(health::router()).with_state(state)
}
