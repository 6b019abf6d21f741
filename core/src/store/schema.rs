//! The local schema and its migrations. `PRAGMA user_version` holds the version; each step
//! runs in its own transaction, so an app killed mid-upgrade resumes from the last whole step.

use super::StoreError;
use rusqlite::Connection;

/// One step of the schema, applied to a file of the version before it.
const MIGRATIONS: &[&str] = &[
    // 1: session, records, outbox, rejections, stock moves.
    r#"
    -- Who is logged in and where the pull stands; one row.
    CREATE TABLE session (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enterprise_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        cursor INTEGER NOT NULL DEFAULT 0,
        last_sync_at TEXT,
        last_error TEXT
    );

    -- Every record the phone shows, its own (written here first) and the server's (pulled),
    -- as the JSON the server stores. `dirty`: changed here and not yet acknowledged, so a pull
    -- must not overwrite it with an older server copy.
    CREATE TABLE records (
        entity TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        search TEXT NOT NULL,
        submitted INTEGER NOT NULL DEFAULT 0,
        dirty INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (entity, id)
    ) WITHOUT ROWID;
    CREATE INDEX records_by_time ON records (entity, updated_at);

    -- Changes waiting for the server, in the order they were made. `sent` is set before a
    -- push goes out: a sent change is never rewritten, only followed by a new one.
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id TEXT NOT NULL UNIQUE,
        entity TEXT NOT NULL,
        record_id TEXT NOT NULL,
        op TEXT NOT NULL,
        change TEXT NOT NULL,
        sent INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE INDEX outbox_record ON outbox (entity, record_id);

    -- Changes the server refused, with its problems, for the user to see and fix.
    CREATE TABLE rejections (
        change_id TEXT PRIMARY KEY,
        entity TEXT NOT NULL,
        record_id TEXT NOT NULL,
        problems TEXT NOT NULL,
        at TEXT NOT NULL
    );

    -- The stock effect of each submitted document that still counts (a corrected one does
    -- not), per product and batch: the offline ledger.
    CREATE TABLE stock_moves (
        document_id TEXT NOT NULL,
        product_id TEXT NOT NULL,
        batch TEXT NOT NULL,
        inbound INTEGER NOT NULL,
        outbound INTEGER NOT NULL,
        expiry TEXT,
        PRIMARY KEY (document_id, product_id, batch)
    ) WITHOUT ROWID;
    CREATE INDEX stock_moves_batch ON stock_moves (product_id, batch);
    "#,
    // 2: what to put back when the server refuses a change to a record the server owns.
    r#"
    -- The record's body before a change to a server-owned record (an inbox item, a recall),
    -- or the server's newer copy pulled while the change waited: restored if it is refused.
    ALTER TABLE outbox ADD COLUMN undo TEXT;
    "#,
    // 3: the server's bearer token, so an app restarted offline syncs later without a login.
    r#"
    ALTER TABLE session ADD COLUMN token TEXT;
    "#,
    // 4: the stock screen and the submit check read only this index (a covering one), not the
    // table: 100,000 moves are summed in a fraction of the time.
    r#"
    DROP INDEX stock_moves_batch;
    CREATE INDEX stock_moves_batch ON stock_moves (product_id, batch, inbound, outbound, expiry);
    "#,
];

/// The version a fully migrated file has.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The file's version.
pub(super) fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the file to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings the file to `target` (tests build every old version with it).
pub(super) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for v in found..target {
        let tx = conn.transaction()?;
        tx.execute_batch(MIGRATIONS[v as usize])?;
        tx.pragma_update(None, "user_version", v + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// Names and definitions of every table and index, to compare two files' schemas.
    fn shape(conn: &Connection) -> Vec<(String, String)> {
        let mut st = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn every_old_version_upgrades_to_the_schema_of_a_fresh_file() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
        assert_eq!(fresh.schema_version().unwrap(), SCHEMA_VERSION);
        for old in 0..SCHEMA_VERSION {
            let path = dir.path().join(format!("v{old}.db"));
            let mut conn = Connection::open(&path).unwrap();
            migrate_to(&mut conn, old).unwrap();
            assert_eq!(version(&conn).unwrap(), old);
            drop(conn);
            let upgraded = Store::open(&path).unwrap();
            assert_eq!(upgraded.schema_version().unwrap(), SCHEMA_VERSION);
            assert_eq!(
                shape(&upgraded.conn),
                shape(&fresh.conn),
                "from version {old}"
            );
        }
    }

    #[test]
    fn opening_twice_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let first = shape(&Store::open(&path).unwrap().conn);
        let again = Store::open(&path).unwrap();
        assert_eq!(shape(&again.conn), first);
    }

    #[test]
    fn a_file_from_a_newer_app_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        match Store::open(&path) {
            Err(StoreError::TooNew { found, known }) => {
                assert_eq!((found, known), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected TooNew, got {:?}", other.err()),
        }
        let conn = Connection::open(&path).unwrap();
        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION + 1);
    }
}
