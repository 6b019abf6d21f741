//! Unit upload files (追溯数据上传): parsed and audited by the core, stored with their verdicts
//! once per enterprise, type and document number, so the same file uploaded again changes
//! nothing and gets the first answer; and the counterfeit signals they raise.

use super::accounts::parse_uuid;
use super::journal::append_feed;
use super::rows::{CHUNK_ROWS, Marks, insert_rows};
use super::submit::{SubmitOptions, Submits, submit_on};
use super::transactions::DocError;
use super::unit_codes::count;
use super::unit_registry::{
    NewEvent, append_events, changed_records, load_registry, snapshot, store_records,
};
use super::{Db, DbError, sha256_hex, timestamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;
use suyuan_core::Problem;
use suyuan_core::model::{
    Counterparty, EnterpriseId, ProductId, ReconciliationItem, ReconciliationState, TransactionId,
    TransactionKind,
};
use suyuan_core::serial::{
    BatchRecord, UnitCode, UnitMove, UploadHeader, UploadLineResult, UploadResult, audit_upload,
    batch_document, batch_kind, parse_upload, units_by_batch, upload_move,
};
use uuid::Uuid;

/// Who uploads: the enterprise and account, and the enterprise's USCC (the file must name
/// it) and region (its counterfeit signals belong there).
#[derive(Debug, Clone, Copy)]
pub struct Uploader<'a> {
    /// The uploading enterprise.
    pub enterprise: EnterpriseId,
    /// The account, for the audit trail of a derived document.
    pub account: Uuid,
    /// The enterprise's USCC.
    pub uscc: &'a str,
    /// The enterprise's region code.
    pub region_code: &'a str,
}

/// What an upload call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    /// The file was audited now.
    Audited(UploadResult),
    /// The same file came before: its first audit, and nothing changed.
    Again(UploadResult),
}

/// Audits the upload file `text` of `enterprise` (whose USCC is `uscc`): a bad header refuses
/// it whole; otherwise every line is judged, the accepted ones move their codes, refusals at
/// an unexpected place are kept as counterfeit signals, and the verdicts are stored.
pub async fn upload_units(
    db: &Db,
    id: Option<Uuid>,
    who: &Uploader<'_>,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Uploaded, DocError> {
    let Uploader {
        enterprise,
        account,
        uscc,
        region_code,
    } = *who;
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
    let counterparty = match &header.counterparty {
        Some(u) => super::partners::enterprise_by_uscc(db, u).await?,
        None => None,
    };
    // A derived sales document reaches the buyer's inbox: both rows are locked, in id order.
    let mut involved: Vec<EnterpriseId> = std::iter::once(enterprise).chain(counterparty).collect();
    involved.sort();
    involved.dedup();
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&involved).await?;
    let first = sqlx::query(
        "SELECT content_hash, body FROM unit_uploads \
         WHERE enterprise_id = $1 AND kind = $2 AND number = $3",
    )
    .bind(enterprise.to_string())
    .bind(header.kind.code())
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
    let codes: Vec<_> = upload
        .lines
        .iter()
        .filter_map(|l| l.code.as_ref().ok().copied())
        .collect();
    let mut registry = load_registry(&mut tx, &codes).await?;
    let before = snapshot(&registry);
    let verdicts = audit_upload(&upload, enterprise, counterparty, &mut registry);
    let id = id.unwrap_or_else(Uuid::new_v4);
    let mut events = Vec::new();
    let mut signals = Vec::new();
    // Every change comes from the one move the file's type makes (none moved without one).
    let action = upload_move(header.kind, enterprise, counterparty).map_or("", UnitMove::action);
    for v in &verdicts {
        for ch in &v.changes {
            events.push(NewEvent {
                code: ch.code,
                enterprise,
                action,
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
    let counts = units_by_batch(&registry, &verdicts);
    let document = match batch_kind(header.kind, counterparty.is_some()) {
        Some(kind) if !counts.is_empty() => Some(
            record_in_batches(
                &mut tx,
                BatchContext {
                    enterprise,
                    account,
                    header,
                    kind,
                    counterparty,
                    received: &codes,
                    now,
                },
                &counts,
            )
            .await?,
        ),
        _ => None,
    };
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
            line: count(v.line),
            code: v.text,
            accepted: v.problem.is_none(),
            moved: count(v.changes.len()),
            problem: v.problem,
            suspicious: v.suspicious,
        })
        .collect();
    let accepted = lines.iter().filter(|l| l.accepted).count();
    let result = UploadResult {
        id,
        kind: header.kind,
        number: header.number.clone(),
        accepted: count(accepted),
        refused: count(lines.len() - accepted),
        lines,
        document,
    };
    sqlx::query(
        "INSERT INTO unit_uploads (id, enterprise_id, kind, number, content_hash, vendor, \
         counterparty_id, accepted, refused, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_string())
    .bind(enterprise.to_string())
    .bind(header.kind.code())
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
    // The uploader's phones learn the audit (and, through the submit, the batch document).
    append_feed(&mut tx, enterprise, "unit_upload", &id.to_string(), &at).await?;
    tx.commit().await?;
    Ok(Uploaded::Audited(result))
}

/// What recording an upload at batch level needs.
struct BatchContext<'a> {
    enterprise: EnterpriseId,
    account: Uuid,
    header: &'a UploadHeader,
    kind: TransactionKind,
    counterparty: Option<EnterpriseId>,
    /// The codes of the file, to find the sender's shipment of a receipt.
    received: &'a [UnitCode],
    now: DateTime<Utc>,
}

fn number_used_otherwise(number: &str) -> Problem {
    Problem::error(
        "header.number",
        "upload.number_other_kind",
        format!("单号 {number} 已用于另一类单据"),
        format!("Number {number} is already used by a document of another type"),
    )
}

/// Records the units an upload moved as the batch document it stands for, inside the
/// upload's transaction, so a refused document (a recalled batch shipped, stock the batch
/// records do not show) refuses the upload and writes nothing. Nothing is counted twice: a
/// document of the enterprise under the upload's number is the record already, and a receipt
/// the buyer already confirmed in its reconciliation inbox is recorded by that confirmation.
async fn record_in_batches(
    conn: &mut sqlx::AnyConnection,
    c: BatchContext<'_>,
    counts: &BTreeMap<(ProductId, String), u32>,
) -> Result<BatchRecord, DocError> {
    let mine =
        sqlx::query("SELECT id, kind FROM transactions WHERE enterprise_id = $1 AND number = $2")
            .bind(c.enterprise.to_string())
            .bind(&c.header.number)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(row) = mine {
        let kind: String = row.try_get("kind")?;
        if kind != super::kind_code(c.kind) {
            return Err(DocError::Conflict(number_used_otherwise(&c.header.number)));
        }
        return Ok(BatchRecord {
            id: parse_uuid(&row.try_get::<String, _>("id")?)?,
            number: c.header.number.clone(),
            derived: false,
            counterparty_id: c.counterparty.map(|e| e.0),
        });
    }
    if let (TransactionKind::PurchaseInbound, Some(sender)) = (c.kind, c.counterparty)
        && let Some(confirmed) = confirmed_receipt(conn, sender, c.enterprise, c.received).await?
    {
        return Ok(confirmed);
    }
    let counterparty = match c.counterparty {
        Some(id) => {
            let row = sqlx::query("SELECT name, uscc FROM enterprises WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await?;
            Some(Counterparty {
                partner_id: None,
                name: row.try_get("name")?,
                uscc: Some(row.try_get("uscc")?),
                enterprise_id: Some(id),
            })
        }
        None => None,
    };
    let mut names = BTreeMap::new();
    for (product, _) in counts.keys() {
        let name: Option<String> =
            sqlx::query_scalar("SELECT generic_name FROM products WHERE id = $1")
                .bind(product.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        names.insert(*product, name.unwrap_or_default());
    }
    let draft = batch_document(
        TransactionId::random(),
        c.enterprise,
        c.header,
        c.kind,
        counterparty,
        counts,
        &|p| names.get(&p).cloned().unwrap_or_default(),
    );
    let mut submits = Submits::default();
    let (doc, _) = submit_on(
        &mut *conn,
        &mut submits,
        draft,
        false,
        &SubmitOptions::default(),
        c.account,
        c.now,
    )
    .await?;
    submits.finish(&mut *conn, &timestamp(c.now)).await?;
    Ok(BatchRecord {
        id: doc.id.0,
        number: doc.number,
        derived: true,
        counterparty_id: c.counterparty.map(|e| e.0),
    })
}

/// The buyer's own document that already confirmed the sender's shipment of `codes`, if the
/// buyer recorded the receipt in its inbox before uploading it.
async fn confirmed_receipt(
    conn: &mut sqlx::AnyConnection,
    sender: EnterpriseId,
    buyer: EnterpriseId,
    codes: &[UnitCode],
) -> Result<Option<BatchRecord>, DbError> {
    let mut numbers = std::collections::BTreeSet::new();
    for chunk in codes.chunks(CHUNK_ROWS) {
        let mut marks = Marks::on(conn);
        let keys = marks.rows(chunk.len(), 1);
        let who = marks.one();
        // Placeholders only.
        let sql = format!(
            "SELECT DISTINCT v.document_number FROM (VALUES {keys}) AS k \
             JOIN unit_events v ON v.code = k.column1 \
             WHERE v.action = 'ship' AND v.enterprise_id = {who}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for c in chunk {
            q = q.bind(c.to_string());
        }
        q = q.bind(sender.to_string());
        for row in q.fetch_all(&mut *conn).await? {
            let n: Option<String> = row.try_get("document_number")?;
            numbers.extend(n);
        }
    }
    for number in numbers {
        let items = sqlx::query(
            "SELECT body FROM reconciliation_items WHERE from_enterprise_id = $1 \
             AND to_enterprise_id = $2 AND source_number = $3 AND state = 'confirmed'",
        )
        .bind(sender.to_string())
        .bind(buyer.to_string())
        .bind(&number)
        .fetch_all(&mut *conn)
        .await?;
        for row in items {
            let item: ReconciliationItem =
                serde_json::from_str(&row.try_get::<String, _>("body")?)?;
            if let ReconciliationState::Confirmed { document, .. } = item.state {
                let own: Option<String> =
                    sqlx::query_scalar("SELECT number FROM transactions WHERE id = $1")
                        .bind(document.to_string())
                        .fetch_optional(&mut *conn)
                        .await?;
                return Ok(Some(BatchRecord {
                    id: document.0,
                    number: own.unwrap_or_default(),
                    derived: false,
                    counterparty_id: Some(sender.0),
                }));
            }
        }
    }
    Ok(None)
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
