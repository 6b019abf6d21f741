//! The real server on a loopback port, on SQLite or PostgreSQL, for tests that drive it over
//! HTTP as the phone does; and the registration of the enterprises they play.

use serde_json::{Value, json};
use suyuan_core::model::EnterpriseId;
use suyuan_core::validate::uscc_check_char;
use suyuan_server::db::Db;
use suyuan_server::{AppState, app};

/// The password of every account these tests register.
pub const PASSWORD: &str = "兰州-2026-pass";

/// The server on a loopback port, with its runtime and database. A PostgreSQL server lives in
/// a schema of its own, dropped with it.
pub struct Server {
    /// Its base URL, `http://127.0.0.1:port`.
    pub url: String,
    /// The runtime it runs on (a proxy in front of it may share it).
    pub rt: tokio::runtime::Runtime,
    db: Db,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl Server {
    /// Starts a server on a fresh database: PostgreSQL at `SUYUAN_TEST_POSTGRES` (default
    /// `postgres://postgres@127.0.0.1:5432/test`), which must be there, or a SQLite file.
    pub fn start(postgres: bool) -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (db, dir, schema) = rt.block_on(async {
            if postgres {
                let base = std::env::var("SUYUAN_TEST_POSTGRES")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
                let admin = Db::connect(&base)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL is required ({base}): {e}"));
                let schema = format!("phone_{}", uuid::Uuid::new_v4().simple());
                // The schema name is a UUID made here, never input.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&admin.pool)
                    .await
                    .expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                let db = Db::connect(&format!("{base}{sep}options=-c%20search_path%3D{schema}"))
                    .await
                    .expect("open schema");
                db.migrate().await.expect("migrate");
                (db, None, Some(schema))
            } else {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = suyuan_server::config::sqlite_url(&dir.path().join("server.sqlite"));
                let db = Db::connect(&url).await.expect("open SQLite");
                db.migrate().await.expect("migrate");
                (db, Some(dir), None)
            }
        });
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState::new(db.clone());
        rt.spawn(async move { axum::serve(listener, app(state)).await });
        Server {
            url,
            rt,
            db,
            _dir: dir,
            schema,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            let db = self.db.clone();
            self.rt.block_on(async move {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                    .execute(&db.pool)
                    .await
                    .expect("drop schema");
            });
        }
    }
}

/// A registered enterprise.
pub struct Party {
    /// Its id on the server.
    pub id: EnterpriseId,
    /// Its name.
    pub name: String,
    /// Its credit code, which is also its admin's login.
    pub uscc: String,
}

/// Registers enterprise number `n` (it makes the credit code) of `kind` on the server at `url`.
pub fn register(
    http: &reqwest::blocking::Client,
    url: &str,
    n: u32,
    name: &str,
    kind: &str,
) -> Party {
    let first = format!("91620102MA{n:07}");
    let uscc = format!("{first}{}", uscc_check_char(&first).expect("valid"));
    let res = http
        .post(format!("{url}/api/v1/enterprises/register"))
        .json(&json!({
            "enterprise": {
                "name": name, "uscc": uscc, "kind": kind, "region_code": "620102",
                "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
                "licence": null, "contact": "张三", "phone": "0931-7617990"
            },
            "password": PASSWORD
        }))
        .send()
        .expect("register");
    assert_eq!(res.status().as_u16(), 201);
    let session: Value = res.json().expect("json");
    Party {
        id: serde_json::from_value(session["account"]["enterprise_id"].clone()).expect("id"),
        name: name.to_owned(),
        uscc,
    }
}
