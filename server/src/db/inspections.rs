//! Field inspections (现场检查) and their photos. A regulator sees the inspections of the
//! enterprises of its region; an enterprise sees its own.

use super::audit::{AuditEntry, audit};
use super::listing::escape_like;
use super::regulator::RegionScope;
use super::{Db, DbError, Window, search_text, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{AttachmentId, EnterpriseId, Inspection, InspectionId};
use suyuan_core::rules::verdict::Outcome;
use uuid::Uuid;

/// Columns the inspection list sorts by; the first is the default.
pub const INSPECTION_SORTS: [&str; 3] = ["inspection_date", "created_at", "overall"];

/// An inspection as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredInspection {
    /// The inspection (suyuan-core `Inspection`).
    #[schema(value_type = Object)]
    pub inspection: Inspection,
    /// The worst verdict among its items: `pass`, `unknown`, `fail`, or `none` without items.
    pub overall: String,
    /// The inspected enterprise's region code.
    pub region_code: String,
    /// The regulator account that recorded it.
    pub inspector_id: Uuid,
    /// That account's display name.
    pub inspector_name: String,
    /// When it was recorded.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// The worst verdict among an inspection's items.
pub fn overall_code(i: &Inspection) -> &'static str {
    let outcomes = i.items.iter().map(|it| it.verdict.overall);
    let mut worst = None;
    for o in outcomes {
        worst = Some(match (worst, o) {
            (_, Outcome::Fail) | (Some(Outcome::Fail), _) => Outcome::Fail,
            (_, Outcome::Unknown) | (Some(Outcome::Unknown), _) => Outcome::Unknown,
            _ => Outcome::Pass,
        });
    }
    match worst {
        None => "none",
        Some(Outcome::Pass) => "pass",
        Some(Outcome::Unknown) => "unknown",
        Some(Outcome::Fail) => "fail",
    }
}

const COLUMNS: &str = "i.body, i.overall, i.region_code, i.inspector_id, i.inspector_name, i.created_at, i.updated_at";

fn stored_of(r: &AnyRow) -> Result<StoredInspection, DbError> {
    let inspector: String = r.try_get("inspector_id")?;
    Ok(StoredInspection {
        inspection: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
        overall: r.try_get("overall")?,
        region_code: r.try_get("region_code")?,
        inspector_id: Uuid::parse_str(&inspector)
            .map_err(|_| DbError::Invalid(format!("id {inspector}")))?,
        inspector_name: r.try_get("inspector_name")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Who records an inspection.
#[derive(Debug, Clone, Copy)]
pub struct Inspector<'a> {
    /// The regulator account.
    pub account: Uuid,
    /// Its display name.
    pub name: &'a str,
}

/// Stores a validated inspection of an enterprise of `region_code`. `false` if its id is
/// taken.
pub async fn create_inspection(
    db: &Db,
    i: &Inspection,
    region_code: &str,
    by: Inspector<'_>,
    enterprise_name: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let at = timestamp(now);
    let body = serde_json::to_string(i)?;
    let id = i.id.to_string();
    let mut parts: Vec<&str> = vec![enterprise_name, i.findings.as_str(), by.name];
    for item in &i.items {
        parts.push(&item.code);
        parts.push(&item.product_name);
        parts.extend(item.batch.as_deref());
    }
    let mut tx = db.begin_write().await?;
    let taken = sqlx::query("SELECT 1 FROM inspections WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if taken {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO inspections (id, enterprise_id, region_code, inspector_id, inspector_name, \
         inspection_date, overall, search, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(i.enterprise_id.to_string())
    .bind(region_code)
    .bind(by.account.to_string())
    .bind(by.name)
    .bind(i.date.to_string())
    .bind(overall_code(i))
    .bind(search_text(parts))
    .bind(&body)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        &AuditEntry {
            at: &at,
            account_id: Some(by.account),
            enterprise_id: Some(i.enterprise_id),
            action: "create",
            entity: "inspection",
            entity_id: &id,
            before: None,
            after: Some(&body),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The regulator account that recorded inspection `id`, if one has that id.
pub async fn recorded_by(db: &Db, id: InspectionId) -> Result<Option<Uuid>, DbError> {
    let row = sqlx::query("SELECT inspector_id FROM inspections WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        let by: String = r.try_get("inspector_id")?;
        Uuid::parse_str(&by).map_err(|_| DbError::Invalid(format!("account {by}")))
    })
    .transpose()
}

/// Who may see which inspections.
#[derive(Debug, Clone)]
pub enum InspectionViewer {
    /// A regulator: the inspections of its region.
    Region(RegionScope),
    /// An enterprise: its own.
    Enterprise(EnterpriseId),
}

impl InspectionViewer {
    fn clause(&self, binds: &mut Vec<String>) -> String {
        match self {
            InspectionViewer::Region(s) => {
                binds.push(s.low.clone());
                binds.push(s.high.clone());
                format!(
                    "i.region_code BETWEEN ${} AND ${}",
                    binds.len() - 1,
                    binds.len()
                )
            }
            InspectionViewer::Enterprise(e) => {
                binds.push(e.to_string());
                format!("i.enterprise_id = ${}", binds.len())
            }
        }
    }
}

/// Which inspections a list shows.
#[derive(Debug, Clone)]
pub struct InspectionFilter {
    /// Whose view.
    pub viewer: InspectionViewer,
    /// One enterprise.
    pub enterprise: Option<EnterpriseId>,
    /// One overall verdict code.
    pub overall: Option<&'static str>,
    /// Visits on or after this day.
    pub date_from: Option<NaiveDate>,
    /// Visits on or before this day.
    pub date_to: Option<NaiveDate>,
    /// Lower-cased keyword (enterprise, findings, codes, batches, inspector).
    pub keyword: Option<String>,
}

/// One page of inspections and how many match in all.
pub async fn list_inspections(
    db: &Db,
    f: &InspectionFilter,
    window: &Window,
) -> Result<(Vec<StoredInspection>, u64), DbError> {
    let mut binds = Vec::new();
    let mut wheres = vec![f.viewer.clause(&mut binds)];
    let mut add = |clause: &str, v: String, binds: &mut Vec<String>| {
        binds.push(v);
        wheres.push(clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(e) = f.enterprise {
        add("i.enterprise_id = ?", e.to_string(), &mut binds);
    }
    if let Some(o) = f.overall {
        add("i.overall = ?", o.to_owned(), &mut binds);
    }
    if let Some(d) = f.date_from {
        add("i.inspection_date >= ?", d.to_string(), &mut binds);
    }
    if let Some(d) = f.date_to {
        add("i.inspection_date <= ?", d.to_string(), &mut binds);
    }
    if let Some(k) = &f.keyword {
        add(
            "i.search LIKE ? ESCAPE '\\'",
            format!("%{}%", escape_like(k)),
            &mut binds,
        );
    }
    let wheres = wheres.join(" AND ");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM inspections i WHERE {wheres}"
    )));
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let total: i64 = q.fetch_one(&db.pool).await?.try_get("n")?;
    let sort = INSPECTION_SORTS
        .iter()
        .find(|s| **s == window.sort)
        .ok_or_else(|| DbError::Invalid(format!("sort {}", window.sort)))?;
    let dir = if window.descending { "DESC" } else { "ASC" };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM inspections i WHERE {wheres} \
         ORDER BY i.{sort} {dir}, i.created_at DESC, i.id ASC LIMIT {} OFFSET {}",
        window.limit, window.offset
    )));
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let items = q
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(stored_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// One inspection `viewer` may see.
pub async fn get_inspection(
    db: &Db,
    viewer: &InspectionViewer,
    id: InspectionId,
) -> Result<Option<StoredInspection>, DbError> {
    let mut binds = vec![id.to_string()];
    let clause = viewer.clause(&mut binds);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM inspections i WHERE i.id = $1 AND {clause}"
    )));
    for b in &binds {
        q = q.bind(b.as_str());
    }
    q.fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(stored_of)
        .transpose()
}

/// An inspection photo's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InspectionPhoto {
    /// Identifier, listed in an inspection's `photos`.
    #[schema(value_type = String, format = Uuid)]
    pub id: AttachmentId,
    /// Original file name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// The uploading regulator's region code.
    pub region_code: String,
}

/// What storing a photo under its id did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoStored {
    /// Stored.
    Inserted,
    /// The id was taken (a retried upload, or another photo): by whom, with what content.
    Taken {
        /// The account that uploaded the photo under this id.
        uploaded_by: Uuid,
        /// Its content's SHA-256.
        sha256: String,
    },
}

/// Stores a photo uploaded by a regulator of `region_code`, unless its id is taken (the
/// phone chooses the id, so that a retried upload stores nothing twice).
pub async fn insert_inspection_photo(
    db: &Db,
    p: &InspectionPhoto,
    data: &[u8],
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<PhotoStored, DbError> {
    let at = timestamp(now);
    let id = p.id.to_string();
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO inspection_photos (id, uploaded_by, region_code, file_name, content_type, size, \
         sha256, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(account.to_string())
    .bind(&p.region_code)
    .bind(&p.file_name)
    .bind(&p.content_type)
    .bind(i64::try_from(p.size).map_err(|_| DbError::Invalid("photo size".into()))?)
    .bind(&p.sha256)
    .bind(data.to_vec())
    .bind(&at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let row = sqlx::query("SELECT uploaded_by, sha256 FROM inspection_photos WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        let by: String = row.try_get("uploaded_by")?;
        let sha256: String = row.try_get("sha256")?;
        tx.rollback().await?;
        return Ok(PhotoStored::Taken {
            uploaded_by: Uuid::parse_str(&by)
                .map_err(|_| DbError::Invalid(format!("account {by}")))?,
            sha256,
        });
    }
    let meta = serde_json::to_string(p)?;
    audit(
        &mut tx,
        &AuditEntry {
            at: &at,
            account_id: Some(account),
            enterprise_id: None,
            action: "create",
            entity: "inspection_photo",
            entity_id: &id,
            before: None,
            after: Some(&meta),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PhotoStored::Inserted)
}

fn photo_of(r: &AnyRow) -> Result<InspectionPhoto, DbError> {
    let id: String = r.try_get("id")?;
    let size: i64 = r.try_get("size")?;
    Ok(InspectionPhoto {
        id: AttachmentId(Uuid::parse_str(&id).map_err(|_| DbError::Invalid(format!("id {id}")))?),
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: u64::try_from(size).map_err(|_| DbError::Invalid(format!("size {size}")))?,
        sha256: r.try_get("sha256")?,
        region_code: r.try_get("region_code")?,
    })
}

/// A photo uploaded by a regulator inside `scope`, with its bytes when `with_data`.
pub async fn get_inspection_photo(
    db: &Db,
    scope: &RegionScope,
    id: AttachmentId,
    with_data: bool,
) -> Result<Option<(InspectionPhoto, Vec<u8>)>, DbError> {
    let data = if with_data { ", data" } else { "" };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, file_name, content_type, size, sha256, region_code{data} FROM inspection_photos \
         WHERE id = $1 AND region_code BETWEEN $2 AND $3"
    )))
    .bind(id.to_string())
    .bind(&scope.low)
    .bind(&scope.high)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        let bytes = if with_data {
            r.try_get::<Vec<u8>, _>("data")?
        } else {
            Vec::new()
        };
        Ok((photo_of(&r)?, bytes))
    })
    .transpose()
}

/// A photo listed by one of `enterprise`'s inspections, with its bytes: the inspected
/// enterprise may see what was photographed at its premises.
pub async fn photo_of_enterprise(
    db: &Db,
    enterprise: EnterpriseId,
    inspection: InspectionId,
    id: AttachmentId,
) -> Result<Option<(InspectionPhoto, Vec<u8>)>, DbError> {
    let viewer = InspectionViewer::Enterprise(enterprise);
    let Some(stored) = get_inspection(db, &viewer, inspection).await? else {
        return Ok(None);
    };
    if !stored.inspection.photos.contains(&id) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT id, file_name, content_type, size, sha256, region_code, data \
         FROM inspection_photos WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| Ok((photo_of(&r)?, r.try_get::<Vec<u8>, _>("data")?)))
        .transpose()
}
