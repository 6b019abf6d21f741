//! Test databases: every test runs once on a fresh SQLite file and once on a fresh schema of
//! the PostgreSQL at 127.0.0.1:5432 (or `SUYUAN_TEST_POSTGRES`). A missing PostgreSQL fails
//! the test: it never skips.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use suyuan_server::db::Db;
use suyuan_server::{AppState, app};
use tower::ServiceExt;

/// Sends one request through a fresh router; returns the status and the JSON body (Null if none).
pub async fn call(
    state: &AppState,
    method: &str,
    path: &str,
    token: Option<&str>,
    lang: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON body")
    };
    (status, json)
}

/// The PostgreSQL the tests use.
pub fn postgres_url() -> String {
    std::env::var("SUYUAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A migrated database that cleans up after itself.
pub struct TestDb {
    /// The handle under test.
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl TestDb {
    /// A fresh SQLite file in a temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = suyuan_server::config::sqlite_url(&dir.path().join("test.sqlite"));
        let db = Db::connect(&url).await.expect("open SQLite");
        db.migrate().await.expect("migrate SQLite");
        TestDb {
            db,
            _dir: Some(dir),
            schema: None,
        }
    }

    /// A fresh schema in the test PostgreSQL.
    pub async fn postgres() -> TestDb {
        let base = postgres_url();
        let admin = Db::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is required for this test ({base}): {e}"));
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        // The schema name is a UUID we made, never user input.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin.pool)
            .await
            .expect("create schema");
        admin.pool.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let db = Db::connect(&url).await.expect("open PostgreSQL schema");
        db.migrate().await.expect("migrate PostgreSQL");
        TestDb {
            db,
            _dir: None,
            schema: Some(schema),
        }
    }

    /// Drops what the test created.
    pub async fn cleanup(self) {
        self.db.pool.close().await;
        if let Some(schema) = self.schema {
            let admin = Db::connect(&postgres_url()).await.expect("reconnect");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&admin.pool)
                .await
                .expect("drop schema");
        }
    }
}

/// Runs an async test body on both databases, as two tests `sqlite` and `postgres` in a module.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let t = $crate::common::TestDb::sqlite().await;
                let $db = t.db.clone();
                $body
                t.cleanup().await;
            }

            #[tokio::test]
            async fn postgres() {
                let t = $crate::common::TestDb::postgres().await;
                let $db = t.db.clone();
                $body
                t.cleanup().await;
            }
        }
    };
}
