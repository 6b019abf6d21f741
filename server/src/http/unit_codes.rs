//! `/api/v1/unit-codes/…`: serialized unit codes (issue 8) — apply for codes and download them
//! as a code file or printable QR label sheets; pack and unpack; upload audited inbound and
//! outbound files; look a code up with its history. `/api/v1/regulator/unit-signals` lists the
//! counterfeit signals of a regulator's region.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::writer;
use super::json::Json;
use super::list::{ListParams, Page};
use super::schemas::{self, ListQuery};
use crate::db::{self, CodeApplication, CodeRequest, UnitSignal, Uploaded, regulator::RegionScope};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use suyuan_core::Problem;
use suyuan_core::barcode::Symbology;
use suyuan_core::barcode::encode::{Label, LabelPayload, SheetLayout, label_sheet_svg};
use suyuan_core::model::{PackagingLevel, ProductId};
use suyuan_core::serial::{UnitCode, UnitView, UploadResult};
use utoipa::OpenApi;
use uuid::Uuid;

/// Upload files of 100,000 codes and more: 24 digits, a specification and a line break each.
const MAX_UPLOAD_BYTES: usize = 32 << 20;

/// 64-bit words from the operating system's cryptographic generator, read 4 KiB at a time.
fn os_random() -> impl FnMut() -> u64 + Send {
    let mut buf = [0u8; 4096];
    let mut pos = buf.len();
    move || {
        if pos == buf.len() {
            getrandom::fill(&mut buf).expect("the OS random generator is available");
            pos = 0;
        }
        let word = u64::from_le_bytes(buf[pos..pos + 8].try_into().expect("8 bytes"));
        pos += 8;
        word
    }
}

fn required(field: &str, zh: &str, en: &str) -> Problem {
    Problem::error(field, "required", zh, en)
}

/// An application as a client sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct ApplicationInput {
    /// The product (one of the caller's own).
    product_id: Option<Uuid>,
    /// The batch.
    batch: Option<String>,
    /// Packaging level the codes mark: unit (default), box, case or pallet.
    #[schema(value_type = Option<String>)]
    level: Option<PackagingLevel>,
    /// How many codes (1 to 10,000,000).
    quantity: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/unit-codes/applications", operation_id = "apply_for_codes",
    tag = "unit codes", summary = "Apply for unique 24-digit codes for a product and batch",
    security(("bearer" = []), ("session" = [])),
    request_body = ApplicationInput,
    responses(
        (status = 201, description = "The codes are issued", body = CodeApplication),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise writer"),
        (status = 422, description = "Missing or bad fields", body = schemas::ErrorBody),
    ))]
async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<ApplicationInput>,
) -> Result<(StatusCode, axum::Json<CodeApplication>), ApiError> {
    let actor = writer(&caller)?;
    let mut problems = Vec::new();
    if input.product_id.is_none() {
        problems.push(required(
            "product_id",
            "产品必填",
            "The product is required",
        ));
    }
    if input.quantity.is_none() {
        problems.push(required(
            "quantity",
            "申请数量必填",
            "The quantity is required",
        ));
    }
    let (Some(product), Some(quantity)) = (input.product_id, input.quantity) else {
        return Err(ApiError::Validation(problems));
    };
    let request = CodeRequest {
        enterprise: actor.enterprise_id,
        product: ProductId(product),
        batch: input.batch.unwrap_or_default(),
        level: input.level.unwrap_or(PackagingLevel::Unit),
        quantity,
    };
    let mut random = os_random();
    let application = db::apply_for_codes(
        &state.db,
        &request,
        actor.account_id,
        Utc::now(),
        &mut random,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(application)))
}

#[utoipa::path(get, path = "/api/v1/unit-codes/applications", operation_id = "list_code_applications",
    tag = "unit codes", summary = "My applications for codes, newest first",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = Page<CodeApplication>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
    ))]
async fn applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<axum::Json<Page<CodeApplication>>, ApiError> {
    let me = caller.enterprise()?;
    let (limit, offset) = params.window();
    let (items, total) = db::list_applications(&state.db, me, limit, offset).await?;
    Ok(axum::Json(Page::of(items, total, &params)))
}

async fn my_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<CodeApplication, ApiError> {
    let me = caller.enterprise()?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound)?;
    db::get_application(&state.db, me, id)
        .await?
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/unit-codes/applications/{id}/codes.csv",
    operation_id = "download_codes", tag = "unit codes",
    summary = "The application's codes as a CSV file (code, level, batch), in issue order",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Application")),
    responses(
        (status = 200, description = "The code file", content_type = "text/csv", body = String),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such application of mine"),
    ))]
async fn codes_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let application = my_application(&state, &caller, &id).await?;
    let codes = db::application_codes(&state.db, application.id, i64::MAX, 0).await?;
    let level = db::level_code(application.level);
    let mut csv = String::with_capacity(codes.len() * 40 + 32);
    csv.push_str("code,level,batch\n");
    for c in codes {
        csv.push_str(&format!("{c},{level},{}\n", csv_field(&application.batch)));
    }
    let name = format!("attachment; filename=\"codes-{}.csv\"", application.id);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

/// A CSV field, quoted when it holds a separator, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Which page of label sheets.
#[derive(Debug, Deserialize)]
pub(super) struct PageQuery {
    page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/unit-codes/applications/{id}/labels.svg",
    operation_id = "code_labels", tag = "unit codes",
    summary = "One A4 page of QR labels (3 × 8, black on white, UTF-8 payload) of the application's codes",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Application"),
        ("page" = Option<u32>, Query, description = "1-based page (24 labels a page)"),
    ),
    responses(
        (status = 200, description = "An SVG page in millimetres", content_type = "image/svg+xml", body = String),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such application of mine, or past its last page"),
    ))]
async fn labels_svg(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let application = my_application(&state, &caller, &id).await?;
    let layout = SheetLayout::default();
    let per_page = layout.per_page() as i64;
    let page = i64::from(q.page.unwrap_or(1).max(1));
    let codes =
        db::application_codes(&state.db, application.id, per_page, (page - 1) * per_page).await?;
    if codes.is_empty() {
        return Err(ApiError::NotFound);
    }
    let product = db::get_product(&state.db, ProductId(application.product_id))
        .await?
        .map(|p| p.record.generic_name)
        .unwrap_or_default();
    let labels: Vec<Label> = codes
        .iter()
        .map(|c| Label {
            symbology: Symbology::QrCode,
            payload: LabelPayload::text(c.to_string()),
            caption_lines: vec![c.to_string(), format!("{product} {}", application.batch)],
        })
        .collect();
    let svg = label_sheet_svg(&labels, &layout)
        .map_err(|e| ApiError::Internal(format!("label sheet: {e}")))?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal("no page".into()))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

fn code_from(field: &str, s: &str) -> Result<UnitCode, Problem> {
    UnitCode::parse(field, s)
}

/// Codes to pack into a package.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct PackInput {
    /// The box or case code.
    parent: String,
    /// The codes to put in it (units in a box, boxes in a case).
    #[serde(default)]
    children: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/unit-codes/pack", operation_id = "pack_codes",
    tag = "unit codes", summary = "Pack codes into a box or case code (装箱关联)",
    security(("bearer" = []), ("session" = [])),
    request_body = PackInput,
    responses(
        (status = 204, description = "Packed"),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise writer"),
        (status = 422, description = "Every reason a code cannot be packed", body = schemas::ErrorBody),
    ))]
async fn pack(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<PackInput>,
) -> Result<StatusCode, ApiError> {
    let actor = writer(&caller)?;
    let mut problems = Vec::new();
    let parent = code_from("parent", &input.parent).map_err(|p| problems.push(p));
    let children: Vec<UnitCode> = input
        .children
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            code_from(&format!("children[{i}]"), c)
                .map_err(|p| problems.push(p))
                .ok()
        })
        .collect();
    if input.children.is_empty() {
        problems.push(required(
            "children",
            "请扫描要装入的追溯码",
            "Scan the codes to pack",
        ));
    }
    let Ok(parent) = parent else {
        return Err(ApiError::Validation(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    db::pack_units(
        &state.db,
        actor.enterprise_id,
        parent,
        &children,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A package to open.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct UnpackInput {
    /// The box or case code.
    parent: String,
}

#[utoipa::path(post, path = "/api/v1/unit-codes/unpack", operation_id = "unpack_codes",
    tag = "unit codes", summary = "Take every code out of a box or case (拆包)",
    security(("bearer" = []), ("session" = [])),
    request_body = UnpackInput,
    responses(
        (status = 200, description = "The codes that were in it", body = Vec<String>),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such code"),
        (status = 422, description = "Not in my hands", body = schemas::ErrorBody),
    ))]
async fn unpack(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<UnpackInput>,
) -> Result<axum::Json<Vec<String>>, ApiError> {
    let actor = writer(&caller)?;
    let parent = code_from("parent", &input.parent).map_err(|p| ApiError::Validation(vec![p]))?;
    let freed = db::unpack_units(&state.db, actor.enterprise_id, parent, Utc::now()).await?;
    Ok(axum::Json(freed.iter().map(ToString::to_string).collect()))
}

#[utoipa::path(post, path = "/api/v1/unit-codes/uploads", operation_id = "upload_unit_file",
    tag = "unit codes",
    summary = "Upload an inbound/outbound/retail/destroy file (format SUYUAN-UNITS 1), audited line by line",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "text/plain",
        description = "SUYUAN-UNITS 1, header lines name=value, ---, then one code[,specification] a line"),
    responses(
        (status = 201, description = "Audited now: each line accepted or refused with its reason", body = schemas::UploadResult),
        (status = 200, description = "The same file again: its first audit, nothing changed", body = schemas::UploadResult),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise writer"),
        (status = 409, description = "Another file already used this document number", body = schemas::ErrorBody),
        (status = 422, description = "A bad header: nothing was recorded", body = schemas::ErrorBody),
    ))]
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    body: String,
) -> Result<(StatusCode, axum::Json<UploadResult>), ApiError> {
    let actor = writer(&caller)?;
    let me = db::get_enterprise(&state.db, actor.enterprise_id)
        .await?
        .ok_or(ApiError::Forbidden)?;
    let who = db::Uploader {
        enterprise: actor.enterprise_id,
        account: actor.account_id,
        uscc: &me.uscc,
        region_code: &me.region_code,
    };
    let uploaded = db::upload_units(&state.db, None, &who, &body, Utc::now()).await?;
    Ok(match uploaded {
        Uploaded::Audited(r) => {
            let scope = crate::warnings::touched_by_upload(actor.enterprise_id, &r);
            if !scope.is_empty() {
                crate::warnings::after_change(&state.db, &scope).await;
            }
            (StatusCode::CREATED, axum::Json(r))
        }
        Uploaded::Again(r) => (StatusCode::OK, axum::Json(r)),
    })
}

#[utoipa::path(get, path = "/api/v1/unit-codes/{code}", operation_id = "look_up_code",
    tag = "unit codes",
    summary = "A scanned unit, box or case code: its state, contents and every holder with dates",
    security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "The 24 digits")),
    responses(
        (status = 200, description = "The code and its history", body = schemas::UnitView),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "Never issued, or never in my enterprise's hands"),
        (status = 422, description = "Not a 24-digit code", body = schemas::ErrorBody),
    ))]
async fn look_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<UnitView>, ApiError> {
    let code = code_from("code", &code).map_err(|p| ApiError::Validation(vec![p]))?;
    let view = db::unit_view(&state.db, code)
        .await?
        .ok_or(ApiError::NotFound)?;
    // A regulator may look up any code: a unit on a shelf of its region may have passed through
    // any province. An enterprise sees only codes it had a part in.
    if caller.regulator_region().is_err() {
        let me = caller.enterprise()?;
        if !view.concerns(me) {
            return Err(ApiError::NotFound);
        }
    }
    Ok(axum::Json(view))
}

#[utoipa::path(get, path = "/api/v1/regulator/unit-signals", operation_id = "list_unit_signals",
    tag = "regulator",
    summary = "Counterfeit signals of my region: codes refused where their records do not place them",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page, newest first", body = Page<UnitSignal>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
    ))]
async fn signals(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<axum::Json<Page<UnitSignal>>, ApiError> {
    let scope = RegionScope::of(caller.regulator_region()?).ok_or(ApiError::Forbidden)?;
    let (limit, offset) = params.window();
    let (items, total) = db::list_unit_signals(&state.db, &scope, limit, offset).await?;
    Ok(axum::Json(Page::of(items, total, &params)))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    apply,
    applications,
    codes_csv,
    labels_svg,
    pack,
    unpack,
    upload,
    look_up,
    signals
))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/unit-codes/applications",
            post(apply).get(applications),
        )
        .route(
            "/api/v1/unit-codes/applications/{id}/codes.csv",
            get(codes_csv),
        )
        .route(
            "/api/v1/unit-codes/applications/{id}/labels.svg",
            get(labels_svg),
        )
        .route("/api/v1/unit-codes/pack", post(pack))
        .route("/api/v1/unit-codes/unpack", post(unpack))
        .route(
            "/api/v1/unit-codes/uploads",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/unit-codes/{code}", get(look_up))
        .route("/api/v1/regulator/unit-signals", get(signals))
}
