//! Uploaded files (licences, test reports, photos), private to the enterprise that uploaded them.

use super::audit::{Actor, audit};
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{Attachment, AttachmentId, EnterpriseId};

/// The stored code of a kind: its serde name.
fn kind_code(a: &Attachment) -> Result<String, DbError> {
    match serde_json::to_value(a.kind)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(DbError::Invalid(format!("attachment kind {other}"))),
    }
}

/// Stores a file and its metadata.
pub async fn insert_attachment(
    db: &Db,
    a: &Attachment,
    data: &[u8],
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let at = timestamp(now);
    let id = a.id.to_string();
    let meta = serde_json::to_string(a)?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO attachments (id, owner_id, kind, file_name, content_type, size, sha256, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(actor.enterprise_id.to_string())
    .bind(kind_code(a)?)
    .bind(&a.file_name)
    .bind(&a.content_type)
    .bind(i64::try_from(a.size).map_err(|_| DbError::Invalid("attachment size".into()))?)
    .bind(&a.sha256)
    .bind(data.to_vec())
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        &actor.entry(&at, "create", "attachment", &id, None, Some(&meta)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn attachment_of(row: &AnyRow) -> Result<Attachment, DbError> {
    let kind: String = row.try_get("kind")?;
    let size: i64 = row.try_get("size")?;
    let id: String = row.try_get("id")?;
    Ok(Attachment {
        id: AttachmentId(
            uuid::Uuid::parse_str(&id).map_err(|_| DbError::Invalid(format!("id {id}")))?,
        ),
        kind: serde_json::from_value(serde_json::Value::String(kind))?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: u64::try_from(size).map_err(|_| DbError::Invalid(format!("size {size}")))?,
        sha256: row.try_get("sha256")?,
    })
}

/// An attachment of `owner` with its bytes.
pub async fn get_attachment(
    db: &Db,
    id: AttachmentId,
    owner: EnterpriseId,
) -> Result<Option<(Attachment, Vec<u8>)>, DbError> {
    let row = sqlx::query(
        "SELECT id, kind, file_name, content_type, size, sha256, data FROM attachments \
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(id.to_string())
    .bind(owner.to_string())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| Ok((attachment_of(&r)?, r.try_get::<Vec<u8>, _>("data")?)))
        .transpose()
}

/// The metadata of an attachment of `owner`, without its bytes.
pub async fn attachment_meta(
    db: &Db,
    id: AttachmentId,
    owner: EnterpriseId,
) -> Result<Option<Attachment>, DbError> {
    let row = sqlx::query(
        "SELECT id, kind, file_name, content_type, size, sha256 FROM attachments \
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(id.to_string())
    .bind(owner.to_string())
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(attachment_of).transpose()
}
