//! Serialized unit codes (issue 8): issuance, packaging and lookups. The rules are the core's
//! (`suyuan_core::serial`); an action loads the codes it concerns, with everything packed in
//! them, into a `UnitRegistry`, runs the rule there, and writes back what changed, all in one
//! write transaction.

use super::accounts::parse_uuid;
use super::rows::Marks;
use super::transactions::DocError;
use super::unit_registry::load_registry;
use super::{Db, DbError, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashSet;
use suyuan_core::Problem;
use suyuan_core::model::{EnterpriseId, PackagingLevel, ProductId};
use suyuan_core::serial::{
    EnterpriseCode, UnitCode, UnitEvent, UnitState, UnitView, check_application, issue_codes,
};
use uuid::Uuid;

/// An application for codes (赋码申请) and what it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CodeApplication {
    /// Identifier.
    pub id: Uuid,
    /// The applicant.
    pub enterprise_id: Uuid,
    /// The product the codes are for.
    pub product_id: Uuid,
    /// The batch.
    pub batch: String,
    /// The packaging level the codes mark.
    #[schema(value_type = String)]
    pub level: PackagingLevel,
    /// Codes issued.
    pub quantity: i64,
    /// The application date (digits 1–8 of every code).
    pub applied_on: NaiveDate,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// What an enterprise asks for.
#[derive(Debug, Clone)]
pub struct CodeRequest {
    /// The applicant.
    pub enterprise: EnterpriseId,
    /// Its product.
    pub product: ProductId,
    /// The batch.
    pub batch: String,
    /// The packaging level.
    pub level: PackagingLevel,
    /// How many codes.
    pub quantity: u32,
}

/// The stored code of a packaging level (its serde name).
pub fn level_code(level: PackagingLevel) -> &'static str {
    match level {
        PackagingLevel::Unit => "unit",
        PackagingLevel::Box => "box",
        PackagingLevel::Case => "case",
        PackagingLevel::Pallet => "pallet",
    }
}

/// A count as the answers carry it (a package or file never holds 4 billion codes).
pub(super) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) fn level_of(code: &str) -> Result<PackagingLevel, DbError> {
    Ok(match code {
        "unit" => PackagingLevel::Unit,
        "box" => PackagingLevel::Box,
        "case" => PackagingLevel::Case,
        "pallet" => PackagingLevel::Pallet,
        _ => return Err(DbError::Invalid(format!("packaging level {code}"))),
    })
}

pub(super) fn code_of(s: &str) -> Result<UnitCode, DbError> {
    UnitCode::parse("code", s).map_err(|_| DbError::Invalid(format!("unit code {s}")))
}

pub(super) fn state_json(state: UnitState) -> Result<String, DbError> {
    Ok(serde_json::to_string(&state)?)
}

/// The 5-digit number of `enterprise` inside its codes, given the first time it applies.
/// Numbers go in order; two enterprises applying for the first time at once may pick the same
/// one, and the loser of the unique constraint tries the next.
async fn enterprise_number(db: &Db, enterprise: EnterpriseId) -> Result<EnterpriseCode, DocError> {
    let id = enterprise.to_string();
    for _ in 0..8 {
        let found =
            sqlx::query("SELECT number FROM code_enterprise_numbers WHERE enterprise_id = $1")
                .bind(&id)
                .fetch_optional(&db.pool)
                .await?;
        if let Some(row) = found {
            let n: i64 = row.try_get("number")?;
            return EnterpriseCode::new(n as u32)
                .ok_or_else(|| DbError::Invalid(format!("enterprise number {n}")).into());
        }
        let mut tx = db.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO code_enterprise_numbers (enterprise_id, number) \
             SELECT $1, COALESCE(MAX(number) + 1, 1) FROM code_enterprise_numbers",
        )
        .bind(&id)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => tx.commit().await?,
            Err(e) if matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation()) => {
                tx.rollback().await?;
            }
            Err(e) => return Err(DbError::from(e).into()),
        }
    }
    Err(DocError::Conflict(Problem::error(
        "",
        "unit_code.busy",
        "企业标识分配繁忙，请重试",
        "Enterprise identifiers are busy; try again",
    )))
}

fn not_own_product() -> Problem {
    Problem::error(
        "product_id",
        "unit_code.product_not_own",
        "只能为本企业的产品申请追溯码",
        "Codes are issued only for your own products",
    )
}

/// Issues `request.quantity` new codes. Codes are drawn from `random` (the caller's
/// cryptographic source) and inserted so that a code another application took first is
/// skipped and drawn again: the primary key decides, so no two applications ever share a
/// code, however many run at once.
pub async fn apply_for_codes(
    db: &Db,
    request: &CodeRequest,
    account: Uuid,
    now: DateTime<Utc>,
    random: &mut (dyn FnMut() -> u64 + Send),
) -> Result<CodeApplication, DocError> {
    let mut problems = Vec::new();
    if let Err(p) = check_application(request.quantity) {
        problems.push(p);
    }
    if request.batch.trim().is_empty() {
        problems.push(Problem::error(
            "batch",
            "required",
            "批号必填",
            "The batch is required",
        ));
    }
    if !problems.is_empty() {
        return Err(DocError::Invalid(problems));
    }
    let number = enterprise_number(db, request.enterprise).await?;
    let applied_on = super::china_today(now);
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    // Codes of two enterprises never collide (the enterprise identifier is in them), so
    // queueing one enterprise's applications is all it takes for an insert never to wait on
    // another in-flight application's rows, which could deadlock two of them on PostgreSQL.
    tx.lock_enterprises(&[request.enterprise]).await?;
    let owner = sqlx::query("SELECT owner_id FROM products WHERE id = $1")
        .bind(request.product.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<String, _>("owner_id"))
        .transpose()?;
    if owner != Some(request.enterprise.to_string()) {
        return Err(DocError::Invalid(vec![not_own_product()]));
    }
    let application = CodeApplication {
        id: Uuid::new_v4(),
        enterprise_id: request.enterprise.0,
        product_id: request.product.0,
        batch: request.batch.trim().to_owned(),
        level: request.level,
        quantity: i64::from(request.quantity),
        applied_on,
        created_at: at.clone(),
    };
    sqlx::query(
        "INSERT INTO code_applications (id, enterprise_id, product_id, batch, level, quantity, \
         applied_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(application.id.to_string())
    .bind(request.enterprise.to_string())
    .bind(request.product.to_string())
    .bind(&application.batch)
    .bind(level_code(request.level))
    .bind(application.quantity)
    .bind(applied_on.to_string())
    .bind(account.to_string())
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    let ctx = InsertContext {
        application: application.id.to_string(),
    };
    let mut mine: HashSet<UnitCode> = HashSet::with_capacity(request.quantity as usize);
    let mut seq = 0i64;
    while mine.len() < request.quantity as usize {
        let wanted = (request.quantity as usize - mine.len()).min(CODES_PER_STATEMENT * 5);
        let drawn = issue_codes(
            applied_on,
            number,
            wanted as u32,
            &|c| mine.contains(&c),
            random,
        );
        for chunk in drawn.chunks(CODES_PER_STATEMENT) {
            let inserted = insert_codes(&mut tx, &ctx, chunk, seq).await?;
            seq += chunk.len() as i64;
            mine.extend(inserted);
        }
    }
    tx.commit().await?;
    Ok(application)
}

struct InsertContext {
    application: String,
}

/// Codes a statement inserts: two values a row, far under both databases' limits on bound
/// values.
const CODES_PER_STATEMENT: usize = 2_000;

/// Inserts `codes` unless taken; returns those inserted. A code is only its digits, its
/// application and its place in it: a million codes cost two bound values each.
async fn insert_codes(
    conn: &mut sqlx::AnyConnection,
    ctx: &InsertContext,
    codes: &[UnitCode],
    first_seq: i64,
) -> Result<Vec<UnitCode>, DbError> {
    let mut marks = Marks::on(conn);
    // Placeholders are numbered (PostgreSQL) or bound (SQLite) in the order the text reads:
    // the application first, then the rows.
    let application = marks.one();
    let rows = marks.rows(codes.len(), 2);
    // Constant SQL and placeholders only. `WHERE true` tells SQLite's parser that ON CONFLICT
    // belongs to the INSERT, not to a join of the SELECT.
    let sql = format!(
        "INSERT INTO unit_codes (code, application_id, seq) \
         SELECT v.column1, {application}, v.column2 FROM (VALUES {rows}) AS v WHERE true \
         ON CONFLICT (code) DO NOTHING RETURNING code"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&ctx.application);
    for (i, c) in codes.iter().enumerate() {
        q = q.bind(c.to_string()).bind(first_seq + i as i64);
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| code_of(&r.try_get::<String, _>("code")?))
        .collect()
}

fn application_of(row: &AnyRow) -> Result<CodeApplication, DbError> {
    let applied_on: String = row.try_get("applied_on")?;
    Ok(CodeApplication {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        enterprise_id: parse_uuid(&row.try_get::<String, _>("enterprise_id")?)?,
        product_id: parse_uuid(&row.try_get::<String, _>("product_id")?)?,
        batch: row.try_get("batch")?,
        level: level_of(&row.try_get::<String, _>("level")?)?,
        quantity: row.try_get("quantity")?,
        applied_on: applied_on
            .parse()
            .map_err(|_| DbError::Invalid(format!("date {applied_on}")))?,
        created_at: row.try_get("created_at")?,
    })
}

/// One of `enterprise`'s applications.
pub async fn get_application(
    db: &Db,
    enterprise: EnterpriseId,
    id: Uuid,
) -> Result<Option<CodeApplication>, DbError> {
    sqlx::query("SELECT * FROM code_applications WHERE id = $1 AND enterprise_id = $2")
        .bind(id.to_string())
        .bind(enterprise.to_string())
        .fetch_optional(&db.pool)
        .await?
        .map(|r| application_of(&r))
        .transpose()
}

/// `enterprise`'s applications, newest first, with their total.
pub async fn list_applications(
    db: &Db,
    enterprise: EnterpriseId,
    limit: u32,
    offset: u32,
) -> Result<(Vec<CodeApplication>, u64), DbError> {
    let rows = sqlx::query(
        "SELECT * FROM code_applications WHERE enterprise_id = $1 \
         ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
    )
    .bind(enterprise.to_string())
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(&db.pool)
    .await?;
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM code_applications WHERE enterprise_id = $1")
            .bind(enterprise.to_string())
            .fetch_one(&db.pool)
            .await?;
    let items = rows.iter().map(application_of).collect::<Result<_, _>>()?;
    Ok((items, total as u64))
}

/// The codes of an application in issue order, `limit` from `offset`.
pub async fn application_codes(
    db: &Db,
    application: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<UnitCode>, DbError> {
    sqlx::query(
        "SELECT code FROM unit_codes WHERE application_id = $1 ORDER BY seq LIMIT $2 OFFSET $3",
    )
    .bind(application.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| code_of(&r.try_get::<String, _>("code")?))
    .collect()
}

/// `code` with its contents and history, if issued.
pub async fn unit_view(db: &Db, code: UnitCode) -> Result<Option<UnitView>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let registry = load_registry(&mut conn, &[code]).await?;
    let Some(record) = registry.get(code) else {
        return Ok(None);
    };
    let head = sqlx::query(
        "SELECT a.enterprise_id, a.created_at, p.generic_name, e.name FROM unit_codes u \
         JOIN code_applications a ON a.id = u.application_id \
         JOIN products p ON p.id = a.product_id JOIN enterprises e ON e.id = a.enterprise_id \
         WHERE u.code = $1",
    )
    .bind(code.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let issued_to = parse_uuid(&head.try_get::<String, _>("enterprise_id")?)?;
    let mut history = vec![UnitEvent {
        at: head.try_get("created_at")?,
        enterprise_id: issued_to,
        enterprise_name: head.try_get("name")?,
        action: "issue".into(),
        state: UnitState::Issued {
            to: EnterpriseId(issued_to),
        },
        upload_id: None,
        document_number: None,
    }];
    let rows = sqlx::query(
        "SELECT v.at, v.enterprise_id, e.name, v.action, v.state, v.upload_id, v.document_number \
         FROM unit_events v JOIN enterprises e ON e.id = v.enterprise_id \
         WHERE v.code = $1 ORDER BY v.at, v.n",
    )
    .bind(code.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let state: String = r.try_get("state")?;
        let upload: Option<String> = r.try_get("upload_id")?;
        history.push(UnitEvent {
            at: r.try_get("at")?,
            enterprise_id: parse_uuid(&r.try_get::<String, _>("enterprise_id")?)?,
            enterprise_name: r.try_get("name")?,
            action: r.try_get("action")?,
            state: serde_json::from_str(&state)?,
            upload_id: upload.as_deref().map(parse_uuid).transpose()?,
            document_number: r.try_get("document_number")?,
        });
    }
    Ok(Some(UnitView {
        code: code.to_string(),
        level: record.level,
        product_id: record.product.0,
        product_name: head.try_get("generic_name")?,
        batch: record.batch.clone(),
        issued_to,
        state: record.state,
        parent: record.parent.map(|p| p.to_string()),
        children: registry
            .children(code)
            .iter()
            .map(ToString::to_string)
            .collect(),
        units_inside: count(registry.units_in(code).len()),
        history,
    }))
}
