//! All SQL of the service. One code path serves SQLite and PostgreSQL through sqlx's Any
//! driver: portable SQL, `$N` placeholders, ids and timestamps as text, JSON bodies as text.

mod accounts;
mod attachments;
mod audit;
mod barcodes;
mod batch;
mod bulk;
mod chain;
mod demo;
mod enterprises;
mod impact;
mod imports;
mod inbox;
pub mod inspections;
mod journal;
mod lines;
mod listing;
mod nonconforming;
mod partners;
mod product_refs;
mod products;
mod push;
mod recall_holders;
mod recalls;
mod reconciliation;
pub mod regulator;
mod rows;
mod staff;
mod stock;
mod submit;
mod sync;
mod transactions;
mod unit_codes;
mod unit_registry;
mod unit_uploads;
pub mod warnings;
mod write;

pub use accounts::*;
pub use attachments::*;
pub use audit::*;
pub use barcodes::*;
pub use batch::{BatchItem, at_index, import_batch};
pub use bulk::{BulkLoader, LoadStats};
pub use chain::{ChainReport, canonical_json, chain_hash, sha256_hex, verify_chain};
pub use demo::*;
pub use enterprises::*;
pub use impact::{batch_holders, enterprise_region, product_in_region, scope_prefix};
pub use imports::{DocumentImport, Imported, import_documents, import_partners, import_products};
pub use inbox::{ConfirmInput, ConfirmedItem, confirm_item, dispute_item};
pub use journal::{IdempotencyKey, StoredAnswer, idempotent_answer};
pub use listing::{Filter, ListQuery, Stamped, Window, list_bodies};
pub use nonconforming::{
    LISTING_SORTS, ListingFilter, ListingHolder, StoredListing, create_listing, get_listing,
    list_listings, listing_holders, listing_state_code, managed_listing, update_listing,
};
pub use partners::*;
pub use products::*;
pub use push::{BatchSubmit, PushBatch};
pub use recall_holders::{
    HolderAction, RecallHolder, holder_acts, holders_by_recall, my_holding, recall_holders,
};
pub use recalls::{
    Author, RECALL_SORTS, RecallFilter, RecallStep, StoredRecall, Viewer, create_recall,
    get_recall, list_recalls, recall_status_code, step_recall,
};
pub use reconciliation::{get_item, list_inbox, reconciliation_kind_code, state_code};
pub use regulator::{DIRECTORY_SORTS, DirectoryQuery, EnterpriseActivity};
pub use staff::*;
pub use stock::{StockFilter, StockLine, list_stock};
pub use submit::{SubmitOptions, submit_transaction};
pub use suyuan_core::serial::UnitView;
pub use sync::{FeedRow, RecordTable, pull_feed, record_owner};
pub use transactions::{
    DocError, StoredDocument, TRANSACTION_SORTS, TransactionFilter, Written, china_today,
    create_draft, default_number, delete_draft, get_transaction, kind_code, list_transactions,
    submitted_problem, update_draft,
};
pub use unit_codes::{
    CodeApplication, CodeRequest, application_codes, apply_for_codes, get_application, level_code,
    list_applications, unit_view,
};
pub use unit_registry::{pack_units, unpack_units};
pub use unit_uploads::{UnitSignal, Uploaded, Uploader, list_unit_signals, upload_units};
pub use write::WriteTx;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Once;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Errors of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported database.
    #[error("unsupported database URL (use sqlite://… or postgres://…)")]
    UnsupportedUrl,
    /// A query or connection failed.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON body did not parse: the row was changed outside the service.
    #[error("stored record does not parse: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// A stored value is not one the service writes.
    #[error("stored value is invalid: {0}")]
    Invalid(String),
}

/// The database handle shared by handlers.
#[derive(Debug, Clone)]
pub struct Db {
    /// The connection pool.
    pub pool: AnyPool,
    /// What is behind it.
    pub backend: Backend,
    /// Where SQLite writers queue (see [`WriteTx`]).
    gate: write::WriteGate,
}

impl Db {
    /// Connects; SQLite connections get WAL, foreign keys and a busy timeout.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl);
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = pool_options(backend, if backend == Backend::Sqlite { 8 } else { 16 })
            .connect_with(options.clone())
            .await?;
        // SQLite's writes go through one connection of their own, so a write never waits for
        // a connection behind the readers.
        let writer = match backend {
            Backend::Sqlite => Some(pool_options(backend, 1).connect_with(options).await?),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            backend,
            gate: write::WriteGate::new(writer),
        })
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }
}

/// How the pools connect; SQLite connections get WAL, foreign keys, a busy timeout, and a
/// page cache of 64 MiB: SQLite's default 2 MiB sends random-keyed inserts (unit codes, ids)
/// through the kernel's page cache for every page, which was most of an issuance's time.
fn pool_options(backend: Backend, max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                         PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                         PRAGMA cache_size = -65536;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
}

/// Current time as stored: RFC 3339 in UTC with microseconds, so text order is time order.
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The text a keyword search matches, as stored in a `search` column.
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for p in parts {
        let p = p.trim();
        if !p.is_empty() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&p.to_lowercase());
        }
    }
    s
}
