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
    // 5: an inspector's phone. A regulator account has no enterprise, so the session belongs
    // to an enterprise or to a regulator (SQLite cannot drop a NOT NULL: the table is rebuilt);
    // inspections recorded offline keep their photos here until the server has them.
    r#"
    CREATE TABLE session_v5 (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enterprise_id TEXT,
        regulator_id TEXT,
        region_code TEXT,
        client_id TEXT NOT NULL,
        cursor INTEGER NOT NULL DEFAULT 0,
        last_sync_at TEXT,
        last_error TEXT,
        token TEXT,
        CHECK ((enterprise_id IS NULL) <> (regulator_id IS NULL)),
        CHECK ((regulator_id IS NULL) = (region_code IS NULL))
    );
    INSERT INTO session_v5 (id, enterprise_id, client_id, cursor, last_sync_at, last_error, token)
        SELECT id, enterprise_id, client_id, cursor, last_sync_at, last_error, token FROM session;
    DROP TABLE session;
    ALTER TABLE session_v5 RENAME TO session;

    -- Photos of inspections recorded here, in the order taken. `data` is dropped (NULL) once
    -- the server recorded the inspection; `uploaded` once the server has the photo under
    -- this id; `refused`: the server's problems when it would not take it.
    CREATE TABLE inspection_photos (
        id TEXT PRIMARY KEY,
        inspection_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        file_name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB,
        uploaded INTEGER NOT NULL DEFAULT 0,
        refused TEXT
    );
    CREATE INDEX inspection_photos_inspection ON inspection_photos (inspection_id, position);
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
    fn a_version_4_session_and_outbox_survive_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO session (id, enterprise_id, client_id, cursor, last_sync_at, token) \
             VALUES (1, '00000000-0000-0000-0000-000000000007', \
             '00000000-0000-0000-0000-0000000000c1', 42, '2026-05-01T08:00:00+00:00', 'tok'); \
             INSERT INTO outbox (change_id, entity, record_id, op, change, created_at) \
             VALUES ('00000000-0000-0000-0000-0000000000a1', 'partner', \
             '00000000-0000-0000-0000-0000000000b1', 'delete_partner', \
             '{\"change_id\":\"00000000-0000-0000-0000-0000000000a1\",\"op\":\"delete_partner\",\
             \"id\":\"00000000-0000-0000-0000-0000000000b1\"}', '2026-05-01T08:00:00+00:00');",
        )
        .unwrap();
        drop(conn);
        let mut s = Store::open(&path).unwrap();
        let session = s.session().unwrap().expect("session kept");
        assert_eq!(
            session.enterprise_id.map(|e| e.0.as_u128()),
            Some(7),
            "{session:?}"
        );
        assert_eq!((session.cursor, session.regulator_id), (42, None));
        assert_eq!(session.client_id.as_u128(), 0xc1);
        assert_eq!(s.token().unwrap().as_deref(), Some("tok"));
        let push = s.next_push(10).unwrap().expect("the queued change");
        assert_eq!(push.changes.len(), 1);
        assert_eq!(push.changes[0].change_id.as_u128(), 0xa1);
        assert!(s.inspections().unwrap().is_empty());
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
