//! Enterprise profiles (企业主体信息).

use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::{Enterprise, EnterpriseId, EnterpriseKind};

/// The stored code of a kind: its serde name.
pub(super) fn kind_code(kind: EnterpriseKind) -> Result<String, DbError> {
    match serde_json::to_value(kind)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(DbError::Invalid(format!("enterprise kind {other}"))),
    }
}

/// Stores a new enterprise.
pub async fn insert_enterprise(db: &Db, e: &Enterprise, now: DateTime<Utc>) -> Result<(), DbError> {
    let mut conn = db.pool.acquire().await?;
    insert_enterprise_on(&mut conn, e, &timestamp(now)).await
}

/// Stores a new enterprise on a connection (or inside a transaction).
pub(super) async fn insert_enterprise_on(
    conn: &mut sqlx::AnyConnection,
    e: &Enterprise,
    at: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO enterprises (id, uscc, name, kind, region_code, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(e.id.to_string())
    .bind(&e.uscc)
    .bind(&e.name)
    .bind(kind_code(e.kind)?)
    .bind(&e.region_code)
    .bind(serde_json::to_string(e)?)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// One enterprise by id.
pub async fn get_enterprise(db: &Db, id: EnterpriseId) -> Result<Option<Enterprise>, DbError> {
    let row = sqlx::query("SELECT body FROM enterprises WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(r) => Ok(Some(serde_json::from_str(
            &r.try_get::<String, _>("body")?,
        )?)),
        None => Ok(None),
    }
}

/// Replaces an enterprise's profile (the USCC stays as registered; the caller checks it).
pub async fn update_enterprise(
    db: &Db,
    e: &Enterprise,
    actor: &super::Actor,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let at = timestamp(now);
    let id = e.id.to_string();
    let mut tx = db.begin_write().await?;
    let Some(before) = sqlx::query("SELECT body FROM enterprises WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(false);
    };
    let before: String = before.try_get("body")?;
    let body = serde_json::to_string(e)?;
    sqlx::query(
        "UPDATE enterprises SET name = $1, kind = $2, region_code = $3, body = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(&e.name)
    .bind(kind_code(e.kind)?)
    .bind(&e.region_code)
    .bind(&body)
    .bind(&at)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    super::audit(
        &mut tx,
        &actor.entry(&at, "update", "enterprise", &id, Some(&before), Some(&body)),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
