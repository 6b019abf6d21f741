//! The phone's offline store (移动端离线存储): every write lands here first, with an outbox of
//! changes for the server; pulled server changes are cached here so the app works offline.
//!
//! One SQLite file in WAL mode, opened by one [`Store`]. The rules stay in [`crate::rules`]
//! and [`crate::validate`]; this module only loads their inputs and keeps their outputs.

mod barcodes;
mod documents;
mod error;
mod feed;
mod inbox;
mod inspect;
mod outbox;
mod partners;
mod products;
mod recalls;
mod schema;
mod stock;
mod units;

pub use documents::DocumentQuery;
pub use error::StoreError;
pub use feed::PulledChanges;
pub use outbox::{PendingPush, Rejection};
pub use schema::SCHEMA_VERSION;
pub use stock::StockLevel;
pub use units::UnitUpload;

use crate::model::EnterpriseId;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use uuid::Uuid;

/// Kinds of record the store keeps, as the server's change feed names them.
pub mod entity {
    /// A document (进销存交易).
    pub const TRANSACTION: &str = "transaction";
    /// A product of the library (产品信息库).
    pub const PRODUCT: &str = "product";
    /// A supplier or customer of the enterprise (供应商 / 销售客户).
    pub const PARTNER: &str = "partner";
    /// A barcode of the library (产品条形码库).
    pub const BARCODE: &str = "barcode";
    /// A reconciliation item (勾兑).
    pub const RECONCILIATION_ITEM: &str = "reconciliation_item";
    /// A recall that concerns this enterprise (产品召回).
    pub const RECALL: &str = "recall";
    /// A nonconforming listing that concerns this enterprise (不合格化妆品).
    pub const NONCONFORMING: &str = "nonconforming";
    /// A unit-code upload (queued scans, then the server's audit).
    pub const UNIT_UPLOAD: &str = "unit_upload";
}

/// Who is logged in on this phone, and where its sync stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The enterprise the records belong to.
    pub enterprise_id: EnterpriseId,
    /// This installation's id, sent with every push.
    pub client_id: Uuid,
    /// The last feed `seq` applied.
    pub cursor: i64,
    /// When the last sync finished.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<String>,
}

/// Where the phone's sync stands, for the home and settings screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    /// Changes waiting for the server.
    pub pending_changes: u64,
    /// Changes the server refused, for the user to fix.
    pub rejected_changes: u64,
    /// When the last sync succeeded.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<String>,
    /// Whether the phone holds a server login.
    pub logged_in_online: bool,
}

/// The local database of one phone installation.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating and migrating as needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::from_connection(Connection::open(path)?)
    }

    /// A store that lives in memory (tests, previews).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Store, StoreError> {
        // WAL lets the UI read while the sync thread writes; NORMAL is durable across app
        // crashes (only an OS crash may lose the last commits, which the outbox resends).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema::version(&self.conn)
    }

    /// Starts a session for `enterprise`. Logging in as another enterprise than the one whose
    /// records the phone holds is refused while changes of the first still wait in the outbox.
    pub fn log_in(&mut self, enterprise: EnterpriseId) -> Result<Session, StoreError> {
        let tx = self.conn.transaction()?;
        let current: Option<String> = tx
            .query_row("SELECT enterprise_id FROM session WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        match current {
            Some(e) if e == enterprise.to_string() => {}
            Some(_) => {
                let pending: i64 = tx.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
                if pending > 0 {
                    return Err(StoreError::UnsyncedChanges(pending as u64));
                }
                // Another enterprise's cache must not show under this one.
                tx.execute_batch(
                    "DELETE FROM stock_moves; DELETE FROM records; DELETE FROM rejections; \
                     DELETE FROM session;",
                )?;
                insert_session(&tx, enterprise)?;
            }
            None => insert_session(&tx, enterprise)?,
        }
        tx.commit()?;
        self.session()?.ok_or(StoreError::NotLoggedIn)
    }

    /// The session, if someone logged in on this phone.
    pub fn session(&self) -> Result<Option<Session>, StoreError> {
        self.conn
            .query_row(
                "SELECT enterprise_id, client_id, cursor, last_sync_at, last_error \
                 FROM session WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?
            .map(|(e, c, cursor, at, err)| {
                Ok(Session {
                    enterprise_id: EnterpriseId(parse_uuid(&e)?),
                    client_id: parse_uuid(&c)?,
                    cursor,
                    last_sync_at: at.map(|s| parse_time(&s)).transpose()?,
                    last_error: err,
                })
            })
            .transpose()
    }

    /// The logged-in enterprise, or [`StoreError::NotLoggedIn`].
    pub(crate) fn me(&self) -> Result<EnterpriseId, StoreError> {
        self.session()?
            .map(|s| s.enterprise_id)
            .ok_or(StoreError::NotLoggedIn)
    }

    /// Records the end of a sync attempt: its time, and its error if it failed.
    pub fn record_sync_result(
        &self,
        at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE session SET last_sync_at = CASE WHEN ?2 IS NULL THEN ?1 ELSE last_sync_at END, \
             last_error = ?2 WHERE id = 1",
            params![at.to_rfc3339(), error],
        )?;
        Ok(())
    }
}

impl Store {
    /// Keeps the server's bearer token with the session (`None` logs out of the server; the
    /// records and the outbox stay).
    pub fn set_token(&self, token: Option<&str>) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE session SET token = ?1 WHERE id = 1", [token])?;
        Ok(())
    }

    /// Where the sync stands: what waits, what was refused, the last attempt's outcome.
    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let session = self.session()?;
        Ok(SyncStatus {
            pending_changes: self.pending_count()?,
            rejected_changes: self.rejections()?.len() as u64,
            last_sync_at: session.as_ref().and_then(|s| s.last_sync_at),
            last_error: session.and_then(|s| s.last_error),
            logged_in_online: self.token()?.is_some(),
        })
    }

    /// The bearer token kept by [`Store::set_token`].
    pub fn token(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT token FROM session WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .flatten())
    }
}

fn insert_session(
    tx: &rusqlite::Transaction<'_>,
    enterprise: EnterpriseId,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO session (id, enterprise_id, client_id, cursor) VALUES (1, ?1, ?2, 0)",
        params![enterprise.to_string(), Uuid::new_v4().to_string()],
    )?;
    Ok(())
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("id {s:?}: {e}")))
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time {s:?}: {e}")))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_barcodes;
#[cfg(test)]
mod tests_inbox;
#[cfg(test)]
mod tests_inspect;
#[cfg(test)]
mod tests_partners;
