//! A fresh database for a benchmark, shared by the examples that include this file.

use suyuan_server::db::Db;
use uuid::Uuid;

/// A fresh SQLite file in a temporary folder, or a fresh schema of the PostgreSQL at `url`
/// (drop it with [`drop_schema`]).
pub async fn fresh_db(url: &Option<String>) -> (Db, Option<tempfile::TempDir>, Option<String>) {
    match url {
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = suyuan_server::config::sqlite_url(&dir.path().join("bench.sqlite"));
            let db = Db::connect(&url).await.expect("open SQLite");
            db.migrate().await.expect("migrate");
            (db, Some(dir), None)
        }
        Some(base) => {
            let admin = Db::connect(base).await.expect("connect");
            let schema = format!("bench_{}", Uuid::new_v4().simple());
            // The schema name is a UUID made here, never input.
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&admin.pool)
                .await
                .expect("create schema");
            admin.pool.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            let db = Db::connect(&format!("{base}{sep}options=-c%20search_path%3D{schema}"))
                .await
                .expect("connect schema");
            db.migrate().await.expect("migrate");
            (db, None, Some(schema))
        }
    }
}

/// Drops a schema made by [`fresh_db`].
pub async fn drop_schema(url: &str, schema: &str) {
    let admin = Db::connect(url).await.expect("connect");
    // The schema name is a UUID made here, never input.
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin.pool)
        .await
        .expect("drop schema");
}
