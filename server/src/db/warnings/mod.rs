//! Risk warnings (风险预警) as the service keeps them: the core's warnings, one row per stable
//! key, with the state a regulator gives them (new → acknowledged) and the state the records
//! give them (resolved when the rule no longer raises the key, new again if it does later).

mod load;
mod refresh;

pub use load::Narrow;
pub use refresh::{
    RefreshReport, enterprises_moving, refresh_all, refresh_enterprises, refresh_narrow,
};

use super::listing::escape_like;
use super::regulator::RegionScope;
use super::{Db, DbError, Window, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{EnterpriseId, ProductId};
use suyuan_core::rules::warnings::{Warning, WarningKind, WarningSeverity};
use uuid::Uuid;

/// Columns the warning list sorts by; the first is the default. `severity` puts high first
/// when ascending.
pub const WARNING_SORTS: [&str; 5] = [
    "severity",
    "updated_at",
    "created_at",
    "raised_on",
    "enterprise_name",
];

/// Where a warning stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Hash)]
#[serde(rename_all = "snake_case")]
pub enum WarningState {
    /// Raised and not yet looked at (新).
    New,
    /// A regulator has seen it (已确认); it stays so while the rule keeps raising it.
    Acknowledged,
    /// The records no longer raise it (已消除).
    Resolved,
}

impl WarningState {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            WarningState::New => "new",
            WarningState::Acknowledged => "acknowledged",
            WarningState::Resolved => "resolved",
        }
    }

    fn from_code(s: &str) -> Result<Self, DbError> {
        match s {
            "new" => Ok(WarningState::New),
            "acknowledged" => Ok(WarningState::Acknowledged),
            "resolved" => Ok(WarningState::Resolved),
            other => Err(DbError::Invalid(format!("warning state {other}"))),
        }
    }
}

/// The stored code of a severity.
pub fn severity_code(s: WarningSeverity) -> &'static str {
    match s {
        WarningSeverity::High => "high",
        WarningSeverity::Medium => "medium",
        WarningSeverity::Low => "low",
    }
}

/// 0 for high, 1 for medium, 2 for low.
fn severity_rank(s: WarningSeverity) -> i64 {
    match s {
        WarningSeverity::High => 0,
        WarningSeverity::Medium => 1,
        WarningSeverity::Low => 2,
    }
}

/// One warning of the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredWarning {
    /// Identifier.
    pub id: Uuid,
    /// Where it stands.
    pub state: WarningState,
    /// The warning as the rules raised it last (suyuan-core `Warning`: key, kind, severity,
    /// enterprise, product, batch, evidence, messages).
    #[schema(value_type = Object)]
    pub warning: Warning,
    /// The enterprise's name.
    pub enterprise_name: String,
    /// The enterprise's region code.
    pub region_code: Option<String>,
    /// The day (China time) it was last raised as new.
    pub raised_on: NaiveDate,
    /// When it was first raised.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When the records stopped raising it.
    pub resolved_at: Option<String>,
    /// The regulator account that acknowledged it.
    pub acknowledged_by: Option<Uuid>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<String>,
}

const COLUMNS: &str = "w.id, w.state, w.body, w.enterprise_name, w.region_code, w.raised_on, \
     w.created_at, w.updated_at, w.resolved_at, w.acknowledged_by, w.acknowledged_at";

fn stored_of(r: &AnyRow) -> Result<StoredWarning, DbError> {
    let id: String = r.try_get("id")?;
    let raised: String = r.try_get("raised_on")?;
    Ok(StoredWarning {
        id: Uuid::parse_str(&id).map_err(|_| DbError::Invalid(format!("id {id}")))?,
        state: WarningState::from_code(&r.try_get::<String, _>("state")?)?,
        warning: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
        enterprise_name: r.try_get("enterprise_name")?,
        region_code: r.try_get("region_code")?,
        raised_on: raised
            .parse()
            .map_err(|_| DbError::Invalid(format!("date {raised}")))?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        resolved_at: r.try_get("resolved_at")?,
        acknowledged_by: r
            .try_get::<Option<String>, _>("acknowledged_by")?
            .and_then(|a| Uuid::parse_str(&a).ok()),
        acknowledged_at: r.try_get("acknowledged_at")?,
    })
}

/// Which warnings a list shows.
#[derive(Debug, Clone)]
pub struct WarningFilter {
    /// The regulator's region.
    pub scope: RegionScope,
    /// One kind.
    pub kind: Option<WarningKind>,
    /// One severity.
    pub severity: Option<WarningSeverity>,
    /// One state.
    pub state: Option<WarningState>,
    /// Only open ones (new or acknowledged); ignored when `state` is given.
    pub open: bool,
    /// One enterprise.
    pub enterprise: Option<EnterpriseId>,
    /// One product.
    pub product: Option<ProductId>,
    /// One batch (exact).
    pub batch: Option<String>,
    /// Lower-cased keyword matched against names, batch and messages.
    pub keyword: Option<String>,
    /// Raised on or after this day.
    pub raised_from: Option<NaiveDate>,
    /// Raised on or before this day.
    pub raised_to: Option<NaiveDate>,
}

impl WarningFilter {
    /// Every warning of `scope`.
    pub fn of(scope: RegionScope) -> Self {
        Self {
            scope,
            kind: None,
            severity: None,
            state: None,
            open: false,
            enterprise: None,
            product: None,
            batch: None,
            keyword: None,
            raised_from: None,
            raised_to: None,
        }
    }

    fn sql(&self) -> (String, Vec<String>) {
        let mut binds = vec![self.scope.low.clone(), self.scope.high.clone()];
        let mut wheres = vec!["w.region_code BETWEEN $1 AND $2".to_owned()];
        let mut add = |clause: &str, value: String, binds: &mut Vec<String>| {
            binds.push(value);
            wheres.push(clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(k) = self.kind {
            add("w.kind = ?", k.code().to_owned(), &mut binds);
        }
        if let Some(s) = self.severity {
            add("w.severity = ?", severity_code(s).to_owned(), &mut binds);
        }
        match self.state {
            Some(s) => add("w.state = ?", s.code().to_owned(), &mut binds),
            None if self.open => add("w.state <> ?", "resolved".to_owned(), &mut binds),
            None => {}
        }
        if let Some(e) = self.enterprise {
            add("w.enterprise_id = ?", e.to_string(), &mut binds);
        }
        if let Some(p) = self.product {
            add("w.product_id = ?", p.to_string(), &mut binds);
        }
        if let Some(b) = &self.batch {
            add("w.batch = ?", b.clone(), &mut binds);
        }
        if let Some(k) = &self.keyword {
            add(
                "w.search LIKE ? ESCAPE '\\'",
                format!("%{}%", escape_like(k)),
                &mut binds,
            );
        }
        if let Some(d) = self.raised_from {
            add("w.raised_on >= ?", d.to_string(), &mut binds);
        }
        if let Some(d) = self.raised_to {
            add("w.raised_on <= ?", d.to_string(), &mut binds);
        }
        (wheres.join(" AND "), binds)
    }
}

/// One page of the warnings `filter` matches, and how many match in all.
pub async fn list_warnings(
    db: &Db,
    filter: &WarningFilter,
    window: &Window,
) -> Result<(Vec<StoredWarning>, u64), DbError> {
    let (wheres, binds) = filter.sql();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM warnings w WHERE {wheres}"
    )));
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let total: i64 = q.fetch_one(&db.pool).await?.try_get("n")?;
    let sort = match window.sort {
        "severity" => "severity_rank",
        s => WARNING_SORTS
            .iter()
            .copied()
            .find(|c| *c == s)
            .ok_or_else(|| DbError::Invalid(format!("sort {s}")))?,
    };
    let dir = if window.descending { "DESC" } else { "ASC" };
    // Within equal sort keys the latest change comes first, then the id keeps pages stable.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM warnings w WHERE {wheres} \
         ORDER BY w.{sort} {dir}, w.updated_at DESC, w.id ASC LIMIT {} OFFSET {}",
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

/// One warning of `scope`.
pub async fn get_warning(
    db: &Db,
    scope: &RegionScope,
    id: Uuid,
) -> Result<Option<StoredWarning>, DbError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM warnings w WHERE w.id = $1 AND w.region_code BETWEEN $2 AND $3"
    )))
    .bind(id.to_string())
    .bind(&scope.low)
    .bind(&scope.high)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(stored_of)
    .transpose()
}

/// What acknowledging did.
#[derive(Debug)]
pub enum Acknowledged {
    /// The warning, now (or already) acknowledged.
    Done(StoredWarning),
    /// The records no longer raise it; there is nothing to acknowledge.
    Resolved(StoredWarning),
    /// No such warning in the scope.
    NotFound,
}

/// Marks a new warning of `scope` acknowledged by `account`; acknowledging twice keeps the
/// first acknowledgement.
pub async fn acknowledge_warning(
    db: &Db,
    scope: &RegionScope,
    id: Uuid,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<Acknowledged, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE warnings SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2, \
         updated_at = $2 WHERE id = $3 AND state = 'new' AND region_code BETWEEN $4 AND $5",
    )
    .bind(account.to_string())
    .bind(&at)
    .bind(id.to_string())
    .bind(&scope.low)
    .bind(&scope.high)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(match get_warning(db, scope, id).await? {
        None => Acknowledged::NotFound,
        Some(w) if w.state == WarningState::Resolved => Acknowledged::Resolved(w),
        Some(w) => Acknowledged::Done(w),
    })
}

/// Open warnings (new or acknowledged) of the region `scope`.
pub async fn count_open_warnings(db: &Db, scope: &RegionScope) -> Result<u64, DbError> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM warnings WHERE region_code BETWEEN $1 AND $2 \
         AND state IN ('new', 'acknowledged')",
    )
    .bind(&scope.low)
    .bind(&scope.high)
    .fetch_one(&db.pool)
    .await?
    .try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}
