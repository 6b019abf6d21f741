//! A regulator's phone pushing the inspections it recorded offline (`record_inspection`):
//! each applied with the REST route's rules and region scope, at most once by the
//! inspection's own id, which the phone chose. A regulator syncs nothing else; an enterprise
//! account may not record inspections. Refusals come back as the change's problems.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::inspections::{InspectionInput, id_taken, record};
use super::records::problems_of;
use super::sync::rejected;
use crate::db::{self, regulator::RegionScope};
use suyuan_core::Problem;
use suyuan_core::model::InspectionId;
use suyuan_core::sync::wire::{ChangeResult, ClientChange, Operation, Outcome};
use uuid::Uuid;

/// The refusal of an inspection pushed by an account that is not a regulator's.
pub(super) fn regulator_only() -> Problem {
    Problem::error(
        "op",
        "inspection.regulator_only",
        "现场检查须由监管账号记录",
        "Only a regulator account records inspections",
    )
}

fn inspections_only() -> Problem {
    Problem::error(
        "op",
        "sync.inspections_only",
        "监管账号只同步现场检查记录",
        "A regulator account syncs field inspections only",
    )
}

/// Applies a regulator's push: its inspections, in order; any other change is refused.
pub(super) async fn push_as_regulator(
    state: &AppState,
    caller: &Caller,
    changes: Vec<ClientChange>,
) -> Result<Vec<ChangeResult>, ApiError> {
    let scope = RegionScope::of(caller.regulator_region()?).ok_or(ApiError::Forbidden)?;
    let mut results = Vec::with_capacity(changes.len());
    for change in changes {
        let outcome = match change.operation {
            Operation::RecordInspection { id, inspection } => {
                record_inspection(state, caller, &scope, id, inspection).await?
            }
            _ => rejected(vec![inspections_only()]),
        };
        results.push(ChangeResult {
            change_id: change.change_id,
            outcome,
        });
    }
    Ok(results)
}

/// Records one pushed inspection, or answers its first recording when it is a replay.
async fn record_inspection(
    state: &AppState,
    caller: &Caller,
    scope: &RegionScope,
    id: Uuid,
    fields: serde_json::Value,
) -> Result<Outcome, ApiError> {
    // Checked first, so a replay is answered as it was even if its enterprise, products or
    // photos have changed since.
    if let Some(outcome) = recorded_before(state, caller, id).await? {
        return Ok(outcome);
    }
    let input: InspectionInput = match serde_json::from_value(fields) {
        Ok(i) => i,
        Err(e) => {
            return Ok(rejected(vec![Problem::error(
                "inspection",
                "body.json",
                format!("检查记录格式有误：{e}"),
                format!("The inspection does not fit its record: {e}"),
            )]));
        }
    };
    let mut inspection = input.into_inspection();
    // The change's id is the one the phone keeps; a different one in the body is ignored.
    inspection.id = InspectionId(id);
    match record(state, caller, scope, inspection).await {
        Ok((_, true)) => Ok(Outcome::Ok { id }),
        // Another delivery of it got there in between.
        Ok((_, false)) => Ok(recorded_before(state, caller, id)
            .await?
            .unwrap_or_else(|| rejected(problems_of(id_taken()).unwrap_or_default()))),
        Err(e) => Ok(rejected(problems_of(e)?)),
    }
}

/// The outcome of an inspection id already recorded: applied when by this regulator (a
/// replay), refused when by another.
async fn recorded_before(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<Outcome>, ApiError> {
    Ok(
        match db::inspections::recorded_by(&state.db, InspectionId(id)).await? {
            Some(by) if by == caller.account.id => Some(Outcome::Ok { id }),
            Some(_) => Some(rejected(problems_of(id_taken())?)),
            None => None,
        },
    )
}
