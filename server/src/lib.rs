//! Suyuan's HTTP service. So far: configuration, the database layer on SQLite and PostgreSQL,
//! and `/healthz`. The enterprise API is issue 4.

pub mod config;
pub mod db;
pub mod http;

pub use http::{AppState, app};
