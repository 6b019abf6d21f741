//! The directory of the region's enterprises with their reporting activity (辖区企业名录).

use super::{enterprise_in_region, scope_of};
use crate::db::{self, DIRECTORY_SORTS, DirectoryQuery, EnterpriseActivity, timestamp};
use crate::http::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::list::{ListParams, Page};
use crate::http::partners::filter_problem;
use crate::http::query::Query;
use crate::http::schemas::ListQuery;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{Duration, NaiveDate, NaiveTime};
use serde::Deserialize;
use suyuan_core::model::EnterpriseKind;

/// Filters of the directory.
#[derive(Debug, Deserialize)]
pub(super) struct DirectoryFilters {
    kind: Option<EnterpriseKind>,
    region_code: Option<String>,
    active_since: Option<NaiveDate>,
}

/// The stored timestamp of the start of `day` in China (UTC+8), when documents are dated.
fn china_day_start(day: NaiveDate) -> String {
    let utc = day.and_time(NaiveTime::MIN) - Duration::hours(8);
    timestamp(utc.and_utc())
}

/// The region's enterprises with their reporting activity; `q` matches name and USCC.
#[utoipa::path(get, path = "/api/v1/regulator/enterprises", operation_id = "regulator_list_enterprises", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`name` (default), `last_submitted_at`, `created_at`, `region_code`, `submitted`, `drafts` or `unreconciled`; enterprises that never submitted sort last by `last_submitted_at` either way"),
        ("kind" = Option<String>, Query, description = "Operator kind, e.g. `wholesaler`, `beauty_salon`"),
        ("region_code" = Option<String>, Query, description = "Region code prefix (1 to 6 digits) inside the regulator's region"),
        ("active_since" = Option<String>, Query, format = Date, description = "Only enterprises that submitted a document on or after this day (China time)"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<EnterpriseActivity>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<DirectoryFilters>,
) -> Result<Json<Page<EnterpriseActivity>>, ApiError> {
    let scope = scope_of(&caller)?;
    let prefix = filters
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(r) = prefix
        && (r.len() > 6 || !r.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(filter_problem(
            "region_code",
            "地区代码前缀应为 1 至 6 位数字",
            "region_code is a prefix of 1 to 6 digits",
        ));
    }
    let window = params.db_window(&DIRECTORY_SORTS)?;
    // A prefix outside the region matches nothing the regulator may see.
    let Some(scope) = (match prefix {
        Some(p) => scope.narrowed(p),
        None => Some(scope),
    }) else {
        return Ok(Json(Page::of(Vec::new(), 0, &params)));
    };
    let query = DirectoryQuery {
        scope,
        keyword: params.keyword(),
        kind: filters.kind,
        active_since: filters.active_since.map(china_day_start),
    };
    let (items, total) = db::regulator::list_directory(&state.db, &query, &window).await?;
    Ok(Json(Page::of(items, total, &params)))
}

/// One enterprise of the region with its reporting activity.
#[utoipa::path(get, path = "/api/v1/regulator/enterprises/{id}", operation_id = "regulator_read_enterprise", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Enterprise id")),
    responses(
        (status = 200, description = "The enterprise", body = EnterpriseActivity),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such enterprise in the regulator's region"),
    ))]
pub(super) async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EnterpriseActivity>, ApiError> {
    Ok(Json(enterprise_in_region(&state, &caller, &id).await?))
}

#[cfg(test)]
mod tests {
    use super::china_day_start;
    use chrono::NaiveDate;

    #[test]
    fn a_china_day_starts_at_four_pm_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(china_day_start(day), "2026-10-31T16:00:00.000000Z");
    }
}
