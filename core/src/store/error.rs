//! What can go wrong in the offline store.

use crate::Problem;

/// An error of the offline store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input breaks a rule; every problem is listed, with field and rule.
    #[error("invalid: {}", .0.iter().map(|p| p.message_en.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    /// No record of this kind has this id.
    #[error("no {entity} with id {id}")]
    NotFound {
        /// The kind of record.
        entity: &'static str,
        /// The id asked for.
        id: String,
    },
    /// Nobody is logged in on this phone.
    #[error("not logged in")]
    NotLoggedIn,
    /// Another enterprise's changes still wait to be pushed.
    #[error("{0} changes of the previous account are not synced yet")]
    UnsyncedChanges(u64),
    /// The file is newer than this app (it was opened by a later version).
    #[error("the local database has schema version {found}; this app knows up to {known}")]
    TooNew {
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        known: u32,
    },
    /// A stored value does not parse: the file was changed outside the app.
    #[error("corrupt local data: {0}")]
    Corrupt(String),
    /// SQLite failed.
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A record did not serialize.
    #[error("record encoding: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// The problems of an invalid input; empty for other errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            StoreError::Invalid(p) => p,
            _ => &[],
        }
    }
}
