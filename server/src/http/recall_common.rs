//! What the enterprise and regulator recall routes share: the answer's shape, who the caller
//! is to recalls, the list page and detail, the recall a client sends, and status steps.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, blank, writer};
use super::list::{ListParams, Page};
use crate::db::{
    self, Author, RECALL_SORTS, RecallFilter, RecallHolder, RecallStep, StoredRecall, Viewer,
};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use suyuan_core::Problem;
use suyuan_core::model::{
    EnterpriseId, Product, ProductId, Recall, RecallId, RecallInitiator, RecallStatus,
};
use suyuan_core::rules::recall::{RecallSummary, summarize};
use suyuan_core::validate::validate_recall;
use utoipa::ToSchema;

/// A recall as answered: the record, its region and times, and what the caller may see of its
/// holders.
#[derive(Debug, Serialize)]
pub(super) struct RecallView {
    #[serde(flatten)]
    stored: StoredRecall,
    /// The caller's own holder row, when the recall reached the caller's enterprise.
    #[serde(skip_serializing_if = "Option::is_none")]
    mine: Option<RecallHolder>,
    /// Every holder: for the initiator and regulators, in details only.
    #[serde(skip_serializing_if = "Option::is_none")]
    holders: Option<Vec<RecallHolder>>,
    /// The progress: for the initiator and regulators.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<RecallSummary>,
}

/// `{recall, region_code, created_at, updated_at, mine?, holders?, summary?}`: `recall` is
/// suyuan-core's `Recall` (its `progress` stays empty: see `mine` and `holders`); `holders` lists each enterprise reached with `quantity_received`,
/// `quantity_held` (including `quantity_in_transit`), per-batch figures, `acknowledged_at`,
/// `quantity_returned`, `quantity_destroyed`; `summary` has `holders`, `acknowledged`,
/// `not_acknowledged`, the quantities and `recovered_share`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
pub(super) struct RecallAnswer(Value);

/// `{product_id, batches ([] = every batch), level: one|two|three, reason, scope, start_date,
/// deadline, status: planned|active (default active)}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
pub(super) struct RecallInput(Value);

/// One holder's row: quantities when reached, acknowledgement, returned and destroyed.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
pub(super) struct HolderRow(Value);

/// Filters of a recall list.
#[derive(Debug, Deserialize)]
pub(super) struct RecallQuery {
    pub(super) status: Option<String>,
}

/// An enterprise caller's viewer and enterprise.
pub(super) fn enterprise_viewer(caller: &Caller) -> Result<(Viewer, EnterpriseId), ApiError> {
    let me = caller.enterprise()?;
    Ok((Viewer::Enterprise(me), me))
}

/// A regulator's viewer; a malformed scope sees nothing, so it is refused outright.
pub(super) fn regulator_viewer(caller: &Caller) -> Result<(Viewer, String), ApiError> {
    let region = caller.regulator_region()?;
    let prefix = db::scope_prefix(region).ok_or(ApiError::Forbidden)?;
    Ok((
        Viewer::Regulator {
            prefix: prefix.to_owned(),
        },
        region.to_owned(),
    ))
}

pub(super) fn status_of(
    raw: Option<&str>,
    allowed: &[RecallStatus],
) -> Result<Option<RecallStatus>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    allowed
        .iter()
        .copied()
        .find(|s| db::recall_status_code(*s) == raw)
        .map(Some)
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|s| db::recall_status_code(*s)).collect();
            ApiError::Validation(vec![Problem::error(
                "status",
                "param.invalid",
                format!("status 只能是：{}", names.join(", ")),
                format!("status must be one of: {}", names.join(", ")),
            )])
        })
}

pub(super) const ALL_STATUSES: [RecallStatus; 3] = [
    RecallStatus::Planned,
    RecallStatus::Active,
    RecallStatus::Completed,
];

/// The page of recalls `viewer` may see. `me` is the calling enterprise (none for a
/// regulator): it gets its own holder row, and the progress only of the recalls it started.
pub(super) async fn page(
    state: &AppState,
    viewer: &Viewer,
    me: Option<EnterpriseId>,
    params: &ListParams,
    status: Option<&str>,
) -> Result<Page<RecallView>, ApiError> {
    let filter = RecallFilter {
        status: status_of(status, &ALL_STATUSES)?,
        keyword: params.keyword(),
    };
    let window = params.db_window(&RECALL_SORTS)?;
    let (rows, total) = db::list_recalls(&state.db, viewer, &filter, &window).await?;
    let ids: Vec<RecallId> = rows.iter().map(|r| r.recall.id).collect();
    let mut holders = db::holders_by_recall(&state.db, &ids).await?;
    let items = rows
        .into_iter()
        .map(|stored| {
            let all = holders.remove(&stored.recall.id).unwrap_or_default();
            let sees_all = me.is_none() || initiated_by(&stored.recall, me);
            let mine = me.and_then(|m| all.iter().find(|h| h.enterprise_id == m).cloned());
            let summary = sees_all.then(|| summary_of(&all));
            RecallView {
                stored,
                mine,
                holders: None,
                summary,
            }
        })
        .collect();
    Ok(Page::of(items, total, params))
}

pub(super) fn initiated_by(r: &Recall, me: Option<EnterpriseId>) -> bool {
    matches!((&r.initiator, me), (RecallInitiator::Enterprise { enterprise_id }, Some(m)) if *enterprise_id == m)
}

pub(super) fn summary_of(holders: &[RecallHolder]) -> RecallSummary {
    let progress: Vec<_> = holders.iter().map(RecallHolder::progress).collect();
    summarize(&progress)
}

/// The detail of a recall for `viewer`.
pub(super) async fn detail(
    state: &AppState,
    id: RecallId,
    viewer: &Viewer,
    me: Option<EnterpriseId>,
) -> Result<RecallView, ApiError> {
    let stored = db::get_recall(&state.db, id, viewer)
        .await?
        .ok_or(ApiError::NotFound)?;
    let all = db::recall_holders(&state.db, id).await?;
    let mine = me.and_then(|m| all.iter().find(|h| h.enterprise_id == m).cloned());
    let sees_all = me.is_none() || initiated_by(&stored.recall, me);
    Ok(RecallView {
        summary: sees_all.then(|| summary_of(&all)),
        holders: sees_all.then_some(all),
        mine,
        stored,
    })
}

/// The recall a client sent, with what the service assigns.
pub(super) async fn recall_of(
    state: &AppState,
    body: RecordBody,
    initiator: RecallInitiator,
) -> Result<(Recall, Product), ApiError> {
    let mut defaults = blank(&["reason", "scope"]);
    defaults.extend([
        ("batches", json!([])),
        ("start_date", json!(super::input::today())),
        ("status", json!("active")),
    ]);
    let (mut recall, _): (Recall, _) = body.into_record(
        &defaults,
        &[
            ("id", json!(RecallId::random())),
            ("initiator", json!(initiator)),
            ("product_name", json!("")),
            ("completed_on", Value::Null),
            ("progress", json!([])),
        ],
    )?;
    recall.batches = recall.batches.iter().map(|b| b.trim().to_owned()).collect();
    recall.batches.sort();
    recall.batches.dedup();
    let mut problems = validate_recall(&recall);
    if recall.status == RecallStatus::Completed {
        problems.push(Problem::error(
            "status",
            "recall.status",
            "新建的召回只能是计划中（planned）或进行中（active）",
            "A new recall is planned or active",
        ));
    }
    let product = known_product(state, recall.product_id, &mut problems).await?;
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let product = product.ok_or(ApiError::NotFound)?;
    recall.product_name = product.generic_name.clone();
    Ok((recall, product))
}

/// The product a record names, or a `product.unknown` problem.
pub(super) async fn known_product(
    state: &AppState,
    id: ProductId,
    problems: &mut Vec<Problem>,
) -> Result<Option<Product>, ApiError> {
    if id.0.is_nil() {
        return Ok(None);
    }
    let found = db::get_product(&state.db, id).await?.map(|s| s.record);
    if found.is_none() {
        problems.push(Problem::error(
            "product_id",
            "product.unknown",
            "产品库中没有该产品",
            "No such product in the library",
        ));
    }
    Ok(found)
}

/// The problem of a product a caller may not target.
pub(super) fn out_of_reach(rule: &str, zh: &str, en: &str) -> ApiError {
    ApiError::Validation(vec![Problem::error("product_id", rule, zh, en)])
}

pub(super) async fn step(
    state: &AppState,
    caller: &Caller,
    id: RecallId,
    step: RecallStep,
    regulator: bool,
) -> Result<axum::Json<RecallView>, ApiError> {
    let (viewer, author, me) = if regulator {
        let (viewer, _) = regulator_viewer(caller)?;
        let author = Author {
            account: caller.account.id,
            enterprise: None,
        };
        (viewer, author, None)
    } else {
        let actor = writer(caller)?;
        let author = Author {
            account: actor.account_id,
            enterprise: Some(actor.enterprise_id),
        };
        (
            Viewer::Enterprise(actor.enterprise_id),
            author,
            Some(actor.enterprise_id),
        )
    };
    db::step_recall(&state.db, id, &viewer, step, author, Utc::now()).await?;
    let view = detail(state, id, &viewer, me).await?;
    // A planned recall blocks nothing; announcing or completing it changes what it covers.
    crate::warnings::after_blocking(&state.db, view.stored.recall.product_id).await;
    Ok(axum::Json(view))
}
