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
mod inspections;
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
pub use inspections::{InspectionPhoto, LocalInspection, NewInspection, PhotoInput, SyncState};
pub use outbox::{PendingPush, Rejection};
pub use schema::SCHEMA_VERSION;
pub use stock::StockLevel;
pub use units::UnitUpload;

use crate::Problem;
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
    /// A field inspection recorded on this phone by a regulator (现场检查).
    pub const INSPECTION: &str = "inspection";
}

/// Who is logged in on this phone, and where its sync stands: an enterprise's account, or a
/// regulator's (an inspector's phone, which keeps the inspections it records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The enterprise the records belong to; `None` on a regulator's phone.
    pub enterprise_id: Option<EnterpriseId>,
    /// The regulator account logged in; `None` on an enterprise's phone.
    pub regulator_id: Option<Uuid>,
    /// That regulator's region (监管辖区, GB/T 2260 code); `None` on an enterprise's phone.
    pub region_code: Option<String>,
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

    /// Starts a session for `enterprise`. Logging in as another account than the one whose
    /// records the phone holds is refused while changes of the first still wait in the outbox.
    pub fn log_in(&mut self, enterprise: EnterpriseId) -> Result<Session, StoreError> {
        self.open_session(&Owner::Enterprise(enterprise))
    }

    /// Starts a session for a regulator account of `region_code` (an inspector's phone), with
    /// the same rule as [`Store::log_in`] about another account's unsynced changes.
    pub fn log_in_regulator(
        &mut self,
        account: Uuid,
        region_code: &str,
    ) -> Result<Session, StoreError> {
        self.open_session(&Owner::Regulator {
            account,
            region_code: region_code.to_owned(),
        })
    }

    fn open_session(&mut self, owner: &Owner) -> Result<Session, StoreError> {
        let tx = self.conn.transaction()?;
        let current: Option<(Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT enterprise_id, regulator_id FROM session WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match current {
            Some(ids) if ids == owner.ids() => {
                // A regulator's region may have changed since the last login.
                if let Owner::Regulator { region_code, .. } = owner {
                    tx.execute(
                        "UPDATE session SET region_code = ?1 WHERE id = 1",
                        [region_code],
                    )?;
                }
            }
            Some(_) => {
                let pending: i64 = tx.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
                if pending > 0 {
                    return Err(StoreError::UnsyncedChanges(pending as u64));
                }
                // Another account's cache must not show under this one.
                tx.execute_batch(
                    "DELETE FROM stock_moves; DELETE FROM records; DELETE FROM rejections; \
                     DELETE FROM inspection_photos; DELETE FROM session;",
                )?;
                insert_session(&tx, owner)?;
            }
            None => insert_session(&tx, owner)?,
        }
        tx.commit()?;
        self.session()?.ok_or(StoreError::NotLoggedIn)
    }

    /// The session, if someone logged in on this phone.
    pub fn session(&self) -> Result<Option<Session>, StoreError> {
        self.conn
            .query_row(
                "SELECT enterprise_id, regulator_id, region_code, client_id, cursor, \
                 last_sync_at, last_error FROM session WHERE id = 1",
                [],
                |r| {
                    Ok((
                        (
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ),
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?
            .map(|((e, reg, region), c, cursor, at, err)| {
                Ok(Session {
                    enterprise_id: e.map(|e| parse_uuid(&e).map(EnterpriseId)).transpose()?,
                    regulator_id: reg.map(|r| parse_uuid(&r)).transpose()?,
                    region_code: region,
                    client_id: parse_uuid(&c)?,
                    cursor,
                    last_sync_at: at.map(|s| parse_time(&s)).transpose()?,
                    last_error: err,
                })
            })
            .transpose()
    }

    /// The logged-in enterprise, or [`StoreError::NotLoggedIn`]; a regulator's phone keeps
    /// no enterprise records and is refused.
    pub(crate) fn me(&self) -> Result<EnterpriseId, StoreError> {
        let session = self.session()?.ok_or(StoreError::NotLoggedIn)?;
        session.enterprise_id.ok_or_else(|| {
            StoreError::Invalid(vec![Problem::error(
                "session",
                "session.enterprise_only",
                "监管账号不记录企业的进销存数据",
                "A regulator account keeps no enterprise records",
            )])
        })
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

/// Whose records a session holds.
enum Owner {
    Enterprise(EnterpriseId),
    Regulator { account: Uuid, region_code: String },
}

impl Owner {
    /// The session row's `enterprise_id` and `regulator_id`.
    fn ids(&self) -> (Option<String>, Option<String>) {
        match self {
            Owner::Enterprise(e) => (Some(e.to_string()), None),
            Owner::Regulator { account, .. } => (None, Some(account.to_string())),
        }
    }
}

fn insert_session(tx: &rusqlite::Transaction<'_>, owner: &Owner) -> rusqlite::Result<()> {
    let (enterprise, regulator) = owner.ids();
    let region = match owner {
        Owner::Regulator { region_code, .. } => Some(region_code.as_str()),
        Owner::Enterprise(_) => None,
    };
    tx.execute(
        "INSERT INTO session (id, enterprise_id, regulator_id, region_code, client_id, cursor) \
         VALUES (1, ?1, ?2, ?3, ?4, 0)",
        params![enterprise, regulator, region, Uuid::new_v4().to_string()],
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
mod tests_inspections;
#[cfg(test)]
mod tests_partners;
