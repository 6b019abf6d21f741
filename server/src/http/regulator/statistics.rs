//! The region's figures for the regulator's charts.

use super::scope_of;
use crate::db::{self, china_today, regulator::RegionStatistics, timestamp};
use crate::http::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use axum::Json;
use axum::extract::State;
use chrono::{Duration, Utc};

/// Enterprises registered and active (submitted in the last 30 days), submitted documents per
/// month over the last 12 months (by document date, China time), the reconciliation rate,
/// open risk warnings (new or acknowledged) and recalls by status.
#[utoipa::path(get, path = "/api/v1/regulator/statistics", operation_id = "regulator_statistics", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The region's figures", body = RegionStatistics),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
    ))]
pub(super) async fn statistics(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RegionStatistics>, ApiError> {
    let scope = scope_of(&caller)?;
    let region = caller.regulator_region()?;
    let now = Utc::now();
    let stats = db::regulator::region_statistics(
        &state.db,
        region,
        &scope,
        china_today(now),
        &timestamp(now - Duration::days(30)),
    )
    .await?;
    Ok(Json(stats))
}
