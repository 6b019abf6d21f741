//! A region's figures for the regulator's charts: enterprises registered and active, documents
//! per month, the reconciliation rate, open warnings and recalls. Dates are compared as the
//! stored text (`YYYY-MM-DD` document dates, RFC 3339 UTC timestamps), so both databases count
//! alike; the caller computes the bounds.

use super::RegionScope;
use crate::db::{Db, DbError};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// Enterprises of the region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EnterpriseCounts {
    /// Registered on the platform.
    pub registered: u64,
    /// Submitted at least one document in the last 30 days.
    pub active: u64,
}

/// Documents submitted by the region's enterprises, dated in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthCount {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Submitted documents dated in it (by their document date).
    pub documents: u64,
}

/// Reconciliation items (勾兑) addressed to the region's enterprises, by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReconciliationCounts {
    /// Confirmed by the addressee.
    pub confirmed: u64,
    /// Waiting for the addressee.
    pub pending: u64,
    /// Disputed by the addressee.
    pub disputed: u64,
    /// Replaced by the item of a correcting document; not counted in `total`.
    pub superseded: u64,
    /// confirmed + pending + disputed.
    pub total: u64,
    /// confirmed / total, from 0 to 1; none when there are no items.
    pub rate: Option<f64>,
}

/// Recalls concerning the region, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RecallCounts {
    /// Prepared, not yet announced.
    pub planned: u64,
    /// Under way.
    pub active: u64,
    /// Finished.
    pub completed: u64,
}

/// The figures of one region.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionStatistics {
    /// The regulator's region code.
    pub region_code: String,
    /// Enterprises registered and active.
    pub enterprises: EnterpriseCounts,
    /// The last 12 months, oldest first, the current month last; months without documents
    /// count 0.
    pub documents_per_month: Vec<MonthCount>,
    /// Reconciliation items and the rate of confirmed ones.
    pub reconciliation: ReconciliationCounts,
    /// Open risk warnings (new or acknowledged) of the region's enterprises.
    pub open_warnings: u64,
    /// Recalls initiated in the region (by its regulators or enterprises) or reaching one of
    /// its enterprises, by status.
    pub recalls: RecallCounts,
}

fn n(row: &sqlx::any::AnyRow) -> Result<u64, DbError> {
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

/// Counts by a grouping column: `sql` selects `k` and `n` and takes the scope as `$1`, `$2`.
async fn grouped(
    db: &Db,
    sql: &'static str,
    scope: &RegionScope,
    more: &[String],
) -> Result<HashMap<String, u64>, DbError> {
    let mut q = sqlx::query(sql).bind(&scope.low).bind(&scope.high);
    for m in more {
        q = q.bind(m.as_str());
    }
    q.fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>("k")?, n(r)?)))
        .collect()
}

/// The 12 months ending with `today`'s, as `YYYY-MM`, oldest first, and the first one's day 1.
pub fn last_twelve_months(today: NaiveDate) -> (NaiveDate, Vec<String>) {
    use chrono::Datelike;
    let index = today.year() * 12 + today.month0() as i32;
    let months: Vec<(i32, u32)> = (index - 11..=index)
        .map(|i| (i.div_euclid(12), i.rem_euclid(12) as u32 + 1))
        .collect();
    let (y, m) = months[0];
    let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today);
    (
        first,
        months
            .iter()
            .map(|(y, m)| format!("{y:04}-{m:02}"))
            .collect(),
    )
}

/// The figures of the region `scope` (named `region_code`) as of `today`.
pub async fn region_statistics(
    db: &Db,
    region_code: &str,
    scope: &RegionScope,
    today: NaiveDate,
    active_since: &str,
) -> Result<RegionStatistics, DbError> {
    let registered = sqlx::query(
        "SELECT COUNT(*) AS n FROM enterprises e WHERE e.region_code BETWEEN $1 AND $2",
    )
    .bind(&scope.low)
    .bind(&scope.high)
    .fetch_one(&db.pool)
    .await?;
    let active = sqlx::query(
        "SELECT COUNT(*) AS n FROM enterprises e WHERE e.region_code BETWEEN $1 AND $2 AND EXISTS \
         (SELECT 1 FROM transactions t WHERE t.enterprise_id = e.id AND t.submitted_at >= $3)",
    )
    .bind(&scope.low)
    .bind(&scope.high)
    .bind(active_since)
    .fetch_one(&db.pool)
    .await?;

    let (first_day, months) = last_twelve_months(today);
    let per_month = grouped(
        db,
        "SELECT SUBSTR(t.doc_date, 1, 7) AS k, COUNT(*) AS n \
         FROM enterprises e JOIN transactions t ON t.enterprise_id = e.id \
         WHERE e.region_code BETWEEN $1 AND $2 AND t.status = 'submitted' \
         AND t.doc_date >= $3 AND t.doc_date <= $4 \
         GROUP BY SUBSTR(t.doc_date, 1, 7)",
        scope,
        &[first_day.to_string(), today.to_string()],
    )
    .await?;
    let documents_per_month = months
        .into_iter()
        .map(|month| MonthCount {
            documents: per_month.get(&month).copied().unwrap_or(0),
            month,
        })
        .collect();

    let states = grouped(
        db,
        "SELECT r.state AS k, COUNT(*) AS n \
         FROM enterprises e JOIN reconciliation_items r ON r.to_enterprise_id = e.id \
         WHERE e.region_code BETWEEN $1 AND $2 GROUP BY r.state",
        scope,
        &[],
    )
    .await?;
    let state = |s: &str| states.get(s).copied().unwrap_or(0);
    let (confirmed, pending, disputed) = (state("confirmed"), state("pending"), state("disputed"));
    let total = confirmed + pending + disputed;
    let reconciliation = ReconciliationCounts {
        confirmed,
        pending,
        disputed,
        superseded: state("superseded"),
        total,
        rate: (total > 0).then(|| confirmed as f64 / total as f64),
    };

    let recalls = grouped(
        db,
        "SELECT r.status AS k, COUNT(*) AS n FROM recalls r \
         WHERE r.initiator_region_code BETWEEN $1 AND $2 \
         OR EXISTS (SELECT 1 FROM enterprises e WHERE e.id = r.initiator_enterprise_id \
                    AND e.region_code BETWEEN $1 AND $2) \
         OR EXISTS (SELECT 1 FROM recall_holders h JOIN enterprises e ON e.id = h.enterprise_id \
                    WHERE h.recall_id = r.id AND e.region_code BETWEEN $1 AND $2) \
         GROUP BY r.status",
        scope,
        &[],
    )
    .await?;
    let recall = |s: &str| recalls.get(s).copied().unwrap_or(0);

    Ok(RegionStatistics {
        region_code: region_code.to_owned(),
        enterprises: EnterpriseCounts {
            registered: n(&registered)?,
            active: n(&active)?,
        },
        documents_per_month,
        reconciliation,
        open_warnings: crate::db::warnings::count_open_warnings(db, scope).await?,
        recalls: RecallCounts {
            planned: recall("planned"),
            active: recall("active"),
            completed: recall("completed"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::last_twelve_months;
    use chrono::NaiveDate;

    #[test]
    fn twelve_months_cross_the_new_year() {
        let (first, months) = last_twelve_months(NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
        assert_eq!(first, NaiveDate::from_ymd_opt(2025, 4, 1).unwrap());
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2025-04");
        assert_eq!(months[8], "2025-12");
        assert_eq!(months[11], "2026-03");
    }
}
