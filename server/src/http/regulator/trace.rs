//! Batch trace for regulators (批次追溯): by product and batch, by GTIN and batch, or straight
//! from a scanned code; as JSON (graph and tree) or as a workbook.
//!
//! What a regulator sees of holders outside its region: their name, USCC, region, kind, the
//! quantities they produced, received, passed on and hold now, and the numbers and dates of
//! the documents on the trace, because following a batch across provinces is what a trace is
//! for. It cannot open their records: the drill-down routes answer 404 for them, and each
//! node's `in_region` says which holders it may open. A 24-digit unit code (一物一码) traces
//! the batch it belongs to, and the report carries that unit's own history.

use super::scope_of;
use crate::db::{self, UnitView, regulator::TraceReport};
use crate::excel;
use crate::http::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::excel::{download, xlsx_error};
use crate::http::query::Query;
use crate::http::schemas;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use suyuan_core::Problem;
use suyuan_core::barcode::Symbology;
use suyuan_core::barcode::parse::{CodeMeaning, parse_payload};
use suyuan_core::model::{EnterpriseId, ProductId};
use suyuan_core::rules::trace::TraceDirection;
use suyuan_core::serial::UnitCode;
use suyuan_core::validate::to_gtin14;
use uuid::Uuid;

/// What to trace. One of `product_id`, `gtin` or `code` names the product; `batch` is needed
/// unless the code carries it.
#[derive(Debug, Deserialize)]
pub(super) struct TraceQuery {
    product_id: Option<Uuid>,
    gtin: Option<String>,
    code: Option<String>,
    batch: Option<String>,
    serial: Option<String>,
    direction: Option<TraceDirection>,
    from: Option<Uuid>,
}

fn problem(field: &str, rule: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![Problem::error(field, rule, zh, en)])
}

fn serial_not_built(field: &str) -> ApiError {
    problem(
        field,
        "trace.serial_unsupported",
        "GS1 序列号未在平台登记，请同时给出批号，或按 24 位追溯码追溯",
        "GS1 serial numbers are not registered on the platform; give the batch too, or trace by a 24-digit unit code",
    )
}

/// The product and batch of a 24-digit unit code, with the unit itself.
async fn unit_target(
    state: &AppState,
    field: &str,
    code: &str,
) -> Result<(ProductId, String, Option<UnitView>), ApiError> {
    let code = UnitCode::parse(field, code).map_err(|p| ApiError::Validation(vec![p]))?;
    let Some(view) = db::unit_view(&state.db, code).await? else {
        return Err(problem(
            field,
            "unit.never_issued",
            "平台未发放该追溯码",
            "The platform never issued this code",
        ));
    };
    Ok((ProductId(view.product_id), view.batch.clone(), Some(view)))
}

fn is_serial(code: &str) -> bool {
    code.len() == 24 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The product a GTIN stands for in the barcode library. When several enterprises' barcodes
/// map it to different products, the brand owner's own barcode decides; if that does not,
/// the caller must name the product.
async fn product_of_gtin(state: &AppState, field: &str, gtin: &str) -> Result<ProductId, ApiError> {
    let Some(gtin14) = to_gtin14(gtin) else {
        return Err(problem(
            field,
            "gtin.format",
            format!("{gtin} 不是有效的 GTIN（8、12、13 或 14 位数字，校验位正确）"),
            format!(
                "{gtin} is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit)"
            ),
        ));
    };
    let found = db::regulator::products_of_gtin(&state.db, &gtin14).await?;
    if let [only] = found.as_slice() {
        return Ok(only.product_id);
    }
    if found.is_empty() {
        return Err(problem(
            field,
            "gtin.unknown",
            format!("条码库中没有 GTIN {gtin14} 对应的产品"),
            format!("No product in the barcode library has GTIN {gtin14}"),
        ));
    }
    let owners: Vec<_> = found.iter().filter(|p| p.by_owner).collect();
    if let [only] = owners.as_slice() {
        return Ok(only.product_id);
    }
    let names: Vec<String> = found
        .iter()
        .map(|p| format!("{} ({})", p.generic_name, p.product_id))
        .collect();
    Err(problem(
        field,
        "gtin.ambiguous",
        format!(
            "GTIN {gtin14} 对应多个产品，请用 product_id 指定：{}",
            names.join("、")
        ),
        format!(
            "GTIN {gtin14} maps to several products; name one with product_id: {}",
            names.join(", ")
        ),
    ))
}

/// The product and batch a query names, and the unit when it names one by its code.
async fn target(
    state: &AppState,
    q: &TraceQuery,
) -> Result<(ProductId, String, Option<UnitView>), ApiError> {
    if let Some(serial) = q.serial.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return unit_target(state, "serial", serial).await;
    }
    for (field, value) in [("code", &q.code), ("gtin", &q.gtin)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| is_serial(v)) {
            return unit_target(state, field, v).await;
        }
    }
    let (product, batch) = batch_target(state, q).await?;
    Ok((product, batch, None))
}

/// The product and batch a query names by product, GTIN or a scanned batch-level code.
async fn batch_target(state: &AppState, q: &TraceQuery) -> Result<(ProductId, String), ApiError> {
    let batch_param = q
        .batch
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned);
    let need_batch = |b: Option<String>| {
        b.ok_or_else(|| {
            problem(
                "batch",
                "required",
                "批号：必填（扫描的条码不含批号时须另行填写）",
                "Batch: required (give it when the scanned code carries none)",
            )
        })
    };
    if let Some(code) = q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return match parse_payload(code, Symbology::Unknown) {
            CodeMeaning::Gs1(data) | CodeMeaning::DigitalLink(data) => {
                let Some(gtin) = data.gtin.as_deref() else {
                    return Err(problem(
                        "code",
                        "code.no_gtin",
                        "该 GS1 码不含 GTIN（AI 01），无法确定产品",
                        "The GS1 code carries no GTIN (AI 01), so the product is unknown",
                    ));
                };
                if data.batch.is_none() && batch_param.is_none() && data.serial.is_some() {
                    return Err(serial_not_built("code"));
                }
                let product = product_of_gtin(state, "code", gtin).await?;
                Ok((product, need_batch(data.batch.or(batch_param))?))
            }
            CodeMeaning::Gtin { gtin14, .. } => {
                let product = product_of_gtin(state, "code", &gtin14).await?;
                Ok((product, need_batch(batch_param)?))
            }
            _ => Err(problem(
                "code",
                "code.unrecognized",
                "无法从该码中读出产品：应为 GS1 元素串、GS1 数字链接或商品条码",
                "No product can be read from this code: expected a GS1 element string, a GS1 Digital Link or a retail barcode",
            )),
        };
    }
    if let Some(id) = q.product_id {
        return Ok((ProductId(id), need_batch(batch_param)?));
    }
    if let Some(gtin) = q.gtin.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        let product = product_of_gtin(state, "gtin", gtin).await?;
        return Ok((product, need_batch(batch_param)?));
    }
    Err(problem(
        "product_id",
        "required",
        "请给出 product_id、gtin 或 code 之一",
        "Give one of product_id, gtin or code",
    ))
}

/// Runs the trace a query asks for.
async fn report(
    state: &AppState,
    caller: &Caller,
    q: &TraceQuery,
) -> Result<TraceReport, ApiError> {
    let scope = scope_of(caller)?;
    let (product, batch, unit) = target(state, q).await?;
    let stored = db::get_product(&state.db, product)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut report = db::regulator::trace_report(
        &state.db,
        product,
        Some(stored.record.generic_name),
        &batch,
        q.from.map(EnterpriseId),
        q.direction.unwrap_or(TraceDirection::Both),
        &scope,
    )
    .await?;
    report.unit = unit;
    Ok(report)
}

/// Traces one batch across every holder: where it came from and where it went, with what each
/// holder has now.
#[utoipa::path(get, path = "/api/v1/regulator/trace", operation_id = "regulator_trace", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("product_id" = Option<Uuid>, Query, description = "The product (or give `gtin` or `code`)"),
        ("gtin" = Option<String>, Query, description = "A GTIN-8/12/13/14, resolved through the barcode library"),
        ("code" = Option<String>, Query, description = "A scanned payload: GS1 element string (with FNC1 or brackets), GS1 Digital Link or GS1 DataMatrix text (its GTIN names the product and its (10) the batch), or a 24-digit unit code"),
        ("batch" = Option<String>, Query, description = "The batch (批号); required unless `code` carries it"),
        ("serial" = Option<String>, Query, description = "A 24-digit unit code (一物一码): traces its batch, and the report carries the unit's history"),
        ("direction" = Option<String>, Query, description = "`both` (default), `forward` (downstream) or `backward` (upstream)"),
        ("from" = Option<Uuid>, Query, description = "Start at this enterprise instead of the whole network"),
    ),
    responses(
        (status = 200, description = "The trace: holders, movements and tree. Holders outside the regulator's region are listed with names and quantities but `in_region: false` (their records cannot be opened)", body = TraceReport),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such product"),
        (status = 422, description = "No product named, missing batch, an unknown or ambiguous GTIN, an unreadable code, a code never issued, or a GS1 serial without a batch"),
    ))]
pub(super) async fn trace(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TraceQuery>,
) -> Result<Json<TraceReport>, ApiError> {
    Ok(Json(report(&state, &caller, &q).await?))
}

/// A file name made of the batch's safe characters.
fn file_name(batch: &str) -> String {
    let safe: String = batch
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(40)
        .collect();
    format!("trace-{safe}.xlsx")
}

/// The same trace as a workbook: sheets of holders, movements and the tree.
#[utoipa::path(get, path = "/api/v1/regulator/trace.xlsx", operation_id = "regulator_trace_xlsx", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("product_id" = Option<Uuid>, Query, description = "As for /api/v1/regulator/trace"),
        ("gtin" = Option<String>, Query, description = "As for /api/v1/regulator/trace"),
        ("code" = Option<String>, Query, description = "As for /api/v1/regulator/trace"),
        ("batch" = Option<String>, Query, description = "As for /api/v1/regulator/trace"),
        ("direction" = Option<String>, Query, description = "As for /api/v1/regulator/trace"),
        ("from" = Option<Uuid>, Query, description = "As for /api/v1/regulator/trace"),
    ),
    responses(
        (status = 200, description = "Sheets 持有人 Holders, 流向 Movements, 追溯树 Tree", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such product"),
        (status = 422, description = "As for /api/v1/regulator/trace"),
    ))]
pub(super) async fn trace_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TraceQuery>,
) -> Result<Response, ApiError> {
    let report = report(&state, &caller, &q).await?;
    let name = file_name(&report.batch);
    let bytes = tokio::task::spawn_blocking(move || excel::trace::export(&report))
        .await
        .map_err(|e| ApiError::Internal(format!("export task: {e}")))?
        .map_err(xlsx_error)?;
    Ok(download(bytes, &name))
}
