//! Unit upload files (追溯数据上传): parsed and audited by the core, stored with their verdicts
//! once per enterprise, type and document number, so the same file uploaded again changes
//! nothing and gets the first answer; and the counterfeit signals they raise.

use super::accounts::parse_uuid;
use super::partners::enterprise_by_uscc_on;
use super::rows::insert_rows;
use super::transactions::DocError;
use super::unit_codes::{
    NewEvent, append_events, changed_records, load_registry, snapshot, store_records,
};
use super::{Db, DbError, sha256_hex, timestamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use suyuan_core::Problem;
use suyuan_core::model::EnterpriseId;
use suyuan_core::serial::{UnitMove, UploadKind, audit_upload, parse_upload};
use uuid::Uuid;

/// The verdict on one line of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadLineResult {
    /// 1-based line number in the file.
    pub line: usize,
    /// The code as written.
    pub code: String,
    /// Accepted (the code and everything packed in it moved).
    pub accepted: bool,
    /// Codes moved with it (1 for a single unit, more for a box or case).
    pub moved: usize,
    /// Why it was refused.
    #[schema(value_type = Option<Object>)]
    pub problem: Option<Problem>,
    /// The refusal is a counterfeit signal.
    pub suspicious: bool,
}

/// The audit of an upload file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadResult {
    /// Identifier.
    pub id: Uuid,
    /// inbound, outbound, retail or destroy.
    #[schema(value_type = String)]
    pub kind: UploadKind,
    /// The document number.
    pub number: String,
    /// Lines accepted.
    pub accepted: usize,
    /// Lines refused.
    pub refused: usize,
    /// Every line's verdict, in file order.
    pub lines: Vec<UploadLineResult>,
}

/// What an upload call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    /// The file was audited now.
    Audited(UploadResult),
    /// The same file came before: its first audit, and nothing changed.
    Again(UploadResult),
}

fn kind_code(kind: UploadKind) -> &'static str {
    match kind {
        UploadKind::Inbound => "inbound",
        UploadKind::Outbound => "outbound",
        UploadKind::Retail => "retail",
        UploadKind::Destroy => "destroy",
    }
}

fn action_of(mv: UnitMove) -> &'static str {
    match mv {
        UnitMove::Apply { .. } => "apply",
        UnitMove::Receive { .. } => "receive",
        UnitMove::Ship { .. } => "ship",
        UnitMove::Sell { .. } => "sell",
        UnitMove::Destroy { .. } => "destroy",
        UnitMove::Recall { .. } => "recall",
        UnitMove::Lose { .. } => "lose",
    }
}

/// Audits the upload file `text` of `enterprise` (whose USCC is `uscc`): a bad header refuses
/// it whole; otherwise every line is judged, the accepted ones move their codes, refusals at
/// an unexpected place are kept as counterfeit signals, and the verdicts are stored.
pub async fn upload_units(
    db: &Db,
    enterprise: EnterpriseId,
    uscc: &str,
    region_code: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Uploaded, DocError> {
    let upload = parse_upload(text).map_err(DocError::Invalid)?;
    let header = &upload.header;
    if header.enterprise.trim() != uscc {
        return Err(DocError::Invalid(vec![Problem::error(
            "header.enterprise",
            "upload.not_you",
            "文件中的企业统一社会信用代码与当前登录企业不符",
            "The file's enterprise USCC is not your enterprise's",
        )]));
    }
    let hash = sha256_hex(text.as_bytes());
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[enterprise]).await?;
    let first = sqlx::query(
        "SELECT content_hash, body FROM unit_uploads \
         WHERE enterprise_id = $1 AND kind = $2 AND number = $3",
    )
    .bind(enterprise.to_string())
    .bind(kind_code(header.kind))
    .bind(&header.number)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = first {
        let first_hash: String = row.try_get("content_hash")?;
        if first_hash != hash {
            return Err(DocError::Conflict(Problem::error(
                "header.number",
                "upload.number_taken",
                "该单据号已上传过内容不同的文件",
                "A different file was already uploaded with this document number",
            )));
        }
        let body: String = row.try_get("body")?;
        return Ok(Uploaded::Again(serde_json::from_str(&body)?));
    }
    let counterparty = match &header.counterparty {
        Some(u) => enterprise_by_uscc_on(&mut tx, u).await?,
        None => None,
    };
    let codes: Vec<_> = upload
        .lines
        .iter()
        .filter_map(|l| l.code.as_ref().ok().copied())
        .collect();
    let mut registry = load_registry(&mut tx, &codes).await?;
    let before = snapshot(&registry);
    let verdicts = audit_upload(&upload, enterprise, counterparty, &mut registry);
    let id = Uuid::new_v4();
    let mut events = Vec::new();
    let mut signals = Vec::new();
    for v in &verdicts {
        for ch in &v.changes {
            // Every change of a line comes from the one move the file's type makes.
            let mv = match header.kind {
                UploadKind::Inbound => UnitMove::Receive {
                    at: enterprise,
                    from: counterparty,
                },
                UploadKind::Outbound => UnitMove::Ship {
                    from: enterprise,
                    to: counterparty.unwrap_or(enterprise),
                },
                UploadKind::Retail => UnitMove::Sell { by: enterprise },
                UploadKind::Destroy => UnitMove::Destroy { by: enterprise },
            };
            events.push(NewEvent {
                code: ch.code,
                enterprise,
                action: action_of(mv),
                state: ch.after,
                upload: Some(id),
                number: Some(header.number.clone()),
            });
        }
        if v.suspicious {
            let seen_at = upload
                .lines
                .iter()
                .find(|l| l.line == v.line)
                .and_then(|l| l.code.as_ref().ok())
                .and_then(|c| registry.get(*c))
                .map(|r| r.state.last_seen_at().to_string());
            signals.push((
                v.text.clone(),
                v.problem
                    .as_ref()
                    .map_or("", |p| p.rule.as_str())
                    .to_owned(),
                seen_at,
            ));
        }
    }
    let changed = changed_records(&before, &registry);
    store_records(&mut tx, &changed, &at).await?;
    append_events(&mut tx, &events, &at).await?;
    insert_rows(
        &mut tx,
        "INSERT INTO unit_signals (id, code, enterprise_id, region_code, upload_id, rule, seen_at, created_at)",
        "",
        8,
        &signals,
        |q, (code, rule, seen_at)| {
            q.bind(Uuid::new_v4().to_string())
                .bind(code.clone())
                .bind(enterprise.to_string())
                .bind(region_code.to_owned())
                .bind(id.to_string())
                .bind(rule.clone())
                .bind(seen_at.clone())
                .bind(at.clone())
        },
    )
    .await?;
    let lines: Vec<UploadLineResult> = verdicts
        .into_iter()
        .map(|v| UploadLineResult {
            line: v.line,
            code: v.text,
            accepted: v.problem.is_none(),
            moved: v.changes.len(),
            problem: v.problem,
            suspicious: v.suspicious,
        })
        .collect();
    let accepted = lines.iter().filter(|l| l.accepted).count();
    let result = UploadResult {
        id,
        kind: header.kind,
        number: header.number.clone(),
        accepted,
        refused: lines.len() - accepted,
        lines,
    };
    sqlx::query(
        "INSERT INTO unit_uploads (id, enterprise_id, kind, number, content_hash, vendor, \
         counterparty_id, accepted, refused, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_string())
    .bind(enterprise.to_string())
    .bind(kind_code(header.kind))
    .bind(&header.number)
    .bind(&hash)
    .bind(&header.vendor)
    .bind(counterparty.map(|c| c.to_string()))
    .bind(result.accepted as i64)
    .bind(result.refused as i64)
    .bind(serde_json::to_string(&result)?)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Uploaded::Audited(result))
}

/// A counterfeit signal: a code refused where its records do not place it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnitSignal {
    /// Identifier.
    pub id: Uuid,
    /// The code as scanned.
    pub code: String,
    /// The enterprise that uploaded it.
    pub enterprise_id: Uuid,
    /// Its name.
    pub enterprise_name: String,
    /// The refusal's rule, e.g. `unit.not_held`, `unit.never_issued`.
    pub rule: String,
    /// Where the records place the code (none if never issued).
    pub seen_at: Option<Uuid>,
    /// The upload it came with.
    pub upload_id: Option<Uuid>,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Signals raised by enterprises of `scope`, newest first, and their total.
pub async fn list_unit_signals(
    db: &Db,
    scope: &super::regulator::RegionScope,
    limit: u32,
    offset: u32,
) -> Result<(Vec<UnitSignal>, u64), DbError> {
    let rows = sqlx::query(
        "SELECT s.id, s.code, s.enterprise_id, e.name, s.rule, s.seen_at, s.upload_id, s.created_at \
         FROM unit_signals s JOIN enterprises e ON e.id = s.enterprise_id \
         WHERE s.region_code BETWEEN $1 AND $2 ORDER BY s.created_at DESC, s.id LIMIT $3 OFFSET $4",
    )
    .bind(&scope.low)
    .bind(&scope.high)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(&db.pool)
    .await?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM unit_signals WHERE region_code BETWEEN $1 AND $2")
            .bind(&scope.low)
            .bind(&scope.high)
            .fetch_one(&db.pool)
            .await?;
    let items = rows
        .iter()
        .map(|r| {
            let seen_at: Option<String> = r.try_get("seen_at")?;
            let upload: Option<String> = r.try_get("upload_id")?;
            Ok(UnitSignal {
                id: parse_uuid(&r.try_get::<String, _>("id")?)?,
                code: r.try_get("code")?,
                enterprise_id: parse_uuid(&r.try_get::<String, _>("enterprise_id")?)?,
                enterprise_name: r.try_get("name")?,
                rule: r.try_get("rule")?,
                seen_at: seen_at.as_deref().map(parse_uuid).transpose()?,
                upload_id: upload.as_deref().map(parse_uuid).transpose()?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok((items, total as u64))
}
