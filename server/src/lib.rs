//! Suyuan's HTTP service. So far: configuration, the database layer on SQLite and PostgreSQL,
//! accounts (registration, login, staff, regulators, browser sessions), demo data, the OpenAPI
//! document and `/healthz`. The enterprise API is issue 4.

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod excel;
pub mod generate;
pub mod http;
pub mod identity;
pub mod warnings;

pub use http::{AppState, app};
