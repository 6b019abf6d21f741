//! Field inspections (现场检查): a regulator records a visit to an enterprise of its region
//! (scanned items with verdicts, findings, photos) from the phone app or the API; regulators
//! of the region read them, and the inspected enterprise reads its own.

use super::AppState;
use super::attachments::{
    BODY_LIMIT, MAX_UPLOAD, body_error, checked_type, clean_file_name, disposition, hex, too_large,
};
use super::caller::Caller;
use super::error::ApiError;
use super::input::today;
use super::json::Json;
use super::list::{ListParams, Page};
use super::path_id::PathId;
use super::query::Query;
use super::schemas::{self, ListQuery};
use crate::db::inspections::{
    INSPECTION_SORTS, InspectionFilter, InspectionPhoto, InspectionViewer, Inspector, PhotoStored,
    StoredInspection,
};
use crate::db::{self, regulator::RegionScope};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use suyuan_core::Problem;
use suyuan_core::model::{AttachmentId, EnterpriseId, InspectedItem, Inspection, InspectionId};
use suyuan_core::validate::validate_inspection;
use utoipa::OpenApi;
use uuid::Uuid;

fn scope_of(caller: &Caller) -> Result<RegionScope, ApiError> {
    RegionScope::of(caller.regulator_region()?).ok_or(ApiError::Forbidden)
}

/// What a client sends; the id is the client's, so a retried upload is harmless.
#[derive(Debug, Deserialize)]
pub(super) struct InspectionInput {
    id: Option<Uuid>,
    enterprise_id: Option<Uuid>,
    date: Option<NaiveDate>,
    #[serde(default)]
    inspectors: Vec<String>,
    #[serde(default)]
    items: Vec<InspectedItem>,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    photos: Vec<AttachmentId>,
}

impl InspectionInput {
    /// The inspection it describes: a fresh id and today's date when absent.
    pub(super) fn into_inspection(self) -> Inspection {
        Inspection {
            id: self.id.map_or_else(InspectionId::random, InspectionId),
            enterprise_id: EnterpriseId(self.enterprise_id.unwrap_or(Uuid::nil())),
            date: self.date.unwrap_or_else(today),
            inspectors: self.inspectors,
            items: self.items,
            findings: self.findings,
            photos: self.photos,
        }
    }
}

/// `{id?, enterprise_id, date (default today), inspectors, items: [{code, product_id?,
/// product_name?, batch?, verdict: {overall, checks: [{item, outcome}]}, note?}], findings,
/// photos: [photo id]}`.
#[derive(utoipa::ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
struct InspectionBody(serde_json::Value);

fn problem(field: String, rule: &str, zh: &str, en: &str) -> Problem {
    Problem::error(field, rule, zh, en)
}

/// Records an inspection of an enterprise of the caller's region.
#[utoipa::path(post, path = "/api/v1/regulator/inspections", operation_id = "regulator_create_inspection", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    request_body = InspectionBody,
    responses(
        (status = 201, description = "Recorded", body = StoredInspection),
        (status = 200, description = "Already recorded with this id and content (a retry)", body = StoredInspection),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 409, description = "The id is taken by another inspection"),
        (status = 422, description = "Invalid inspection, an enterprise outside the region, an unknown product or photo"),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<InspectionInput>,
) -> Result<Response, ApiError> {
    let scope = scope_of(&caller)?;
    let inspection = input.into_inspection();
    let (inspection, created) = record(&state, &caller, &scope, inspection).await?;
    let viewer = InspectionViewer::Region(scope);
    let stored = db::inspections::get_inspection(&state.db, &viewer, inspection.id).await?;
    match (created, stored) {
        (true, Some(s)) => Ok((StatusCode::CREATED, axum::Json(s)).into_response()),
        (false, Some(s)) if s.inspection == inspection => {
            Ok((StatusCode::OK, axum::Json(s)).into_response())
        }
        _ => Err(id_taken()),
    }
}

/// The refusal of an id another inspection has.
pub(super) fn id_taken() -> ApiError {
    ApiError::Conflict(Problem::error(
        "id",
        "id.taken",
        "该编号已被另一检查记录使用",
        "The id is taken by another inspection",
    ))
}

/// Records an inspection by the regulator `caller` of `scope`, as the REST route and the
/// phone's sync both do: valid, of an enterprise of the region, naming products of the
/// library and photos uploaded in the region (every problem at once); blank product names
/// are filled from the library. The inspection as stored, and `false` when its id was taken.
pub(super) async fn record(
    state: &AppState,
    caller: &Caller,
    scope: &RegionScope,
    mut inspection: Inspection,
) -> Result<(Inspection, bool), ApiError> {
    let mut problems = validate_inspection(&inspection, today());
    let enterprise = if inspection.enterprise_id.0.is_nil() {
        None
    } else {
        let found =
            db::regulator::directory_entry(&state.db, scope, inspection.enterprise_id).await?;
        if found.is_none() {
            problems.push(problem(
                "enterprise_id".into(),
                "inspection.out_of_region",
                "被检查单位不在本辖区内",
                "The inspected enterprise is not in your region",
            ));
        }
        found
    };
    for (i, item) in inspection.items.iter_mut().enumerate() {
        let Some(id) = item.product_id else { continue };
        match db::get_product(&state.db, id).await? {
            Some(p) if item.product_name.trim().is_empty() => {
                item.product_name = p.record.generic_name;
            }
            Some(_) => {}
            None => problems.push(problem(
                format!("items[{i}].product_id"),
                "not_found",
                "产品库中没有该产品",
                "No such product in the library",
            )),
        }
    }
    for (i, photo) in inspection.photos.iter().enumerate() {
        if db::inspections::get_inspection_photo(&state.db, scope, *photo, false)
            .await?
            .is_none()
        {
            problems.push(problem(
                format!("photos[{i}]"),
                "photo.not_found",
                "照片不存在，请先上传",
                "No such photo; upload it first",
            ));
        }
    }
    let Some(enterprise) = enterprise.filter(|_| problems.is_empty()) else {
        return Err(ApiError::Validation(problems));
    };
    let by = Inspector {
        account: caller.account.id,
        name: &caller.account.display_name,
    };
    let created = db::inspections::create_inspection(
        &state.db,
        &inspection,
        &enterprise.enterprise.region_code,
        by,
        &enterprise.enterprise.name,
        Utc::now(),
    )
    .await?;
    Ok((inspection, created))
}

/// Filters of an inspection list.
#[derive(Debug, Deserialize)]
struct InspectionFilters {
    enterprise_id: Option<Uuid>,
    overall: Option<String>,
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
}

fn filter_of(
    viewer: InspectionViewer,
    params: &ListParams,
    f: InspectionFilters,
) -> Result<InspectionFilter, ApiError> {
    let overall = match f
        .overall
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        None => None,
        Some(o) => Some(
            ["pass", "unknown", "fail", "none"]
                .into_iter()
                .find(|c| *c == o)
                .ok_or_else(|| {
                    ApiError::Validation(vec![Problem::error(
                        "overall",
                        "overall.filter",
                        "检查结论应为 pass、unknown、fail 或 none",
                        "overall is one of pass, unknown, fail, none",
                    )])
                })?,
        ),
    };
    Ok(InspectionFilter {
        viewer,
        enterprise: f.enterprise_id.map(EnterpriseId),
        overall,
        date_from: f.date_from,
        date_to: f.date_to,
        keyword: params.keyword(),
    })
}

async fn page(
    state: &AppState,
    viewer: InspectionViewer,
    params: &ListParams,
    filters: InspectionFilters,
) -> Result<axum::Json<Page<StoredInspection>>, ApiError> {
    let filter = filter_of(viewer, params, filters)?;
    let window = params.db_window(&INSPECTION_SORTS)?;
    let window = crate::db::Window {
        // Visits are read newest first unless asked otherwise.
        descending: params.order.is_none() || window.descending,
        ..window
    };
    let (items, total) = db::inspections::list_inspections(&state.db, &filter, &window).await?;
    Ok(axum::Json(Page::of(items, total, params)))
}

/// The inspections of the region's enterprises, latest visit first.
#[utoipa::path(get, path = "/api/v1/regulator/inspections", operation_id = "regulator_list_inspections", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`inspection_date` (default), `created_at` or `overall`"),
        ("enterprise_id" = Option<Uuid>, Query, description = "One enterprise"),
        ("overall" = Option<String>, Query, description = "`pass`, `unknown`, `fail` or `none` (no items)"),
        ("date_from" = Option<String>, Query, format = Date, description = "Visits on or after this day"),
        ("date_to" = Option<String>, Query, format = Date, description = "Visits on or before this day"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<StoredInspection>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn regulator_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<InspectionFilters>,
) -> Result<axum::Json<Page<StoredInspection>>, ApiError> {
    let viewer = InspectionViewer::Region(scope_of(&caller)?);
    page(&state, viewer, &params, filters).await
}

/// One inspection of the region.
#[utoipa::path(get, path = "/api/v1/regulator/inspections/{id}", operation_id = "regulator_read_inspection", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Inspection id")),
    responses(
        (status = 200, description = "The inspection", body = StoredInspection),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such inspection in the region"),
    ))]
async fn regulator_read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<StoredInspection>, ApiError> {
    let viewer = InspectionViewer::Region(scope_of(&caller)?);
    db::inspections::get_inspection(&state.db, &viewer, InspectionId(id))
        .await?
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// The inspections of the caller's enterprise, latest visit first.
#[utoipa::path(get, path = "/api/v1/inspections", operation_id = "list_my_inspections", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`inspection_date` (default), `created_at` or `overall`"),
        ("overall" = Option<String>, Query, description = "`pass`, `unknown`, `fail` or `none`"),
        ("date_from" = Option<String>, Query, format = Date, description = "Visits on or after this day"),
        ("date_to" = Option<String>, Query, format = Date, description = "Visits on or before this day"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<StoredInspection>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn my_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<InspectionFilters>,
) -> Result<axum::Json<Page<StoredInspection>>, ApiError> {
    let viewer = InspectionViewer::Enterprise(caller.enterprise()?);
    page(&state, viewer, &params, filters).await
}

/// One inspection of the caller's enterprise.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", operation_id = "read_my_inspection", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Inspection id")),
    responses(
        (status = 200, description = "The inspection", body = StoredInspection),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 404, description = "No such inspection of the caller's enterprise"),
    ))]
async fn my_read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<StoredInspection>, ApiError> {
    let viewer = InspectionViewer::Enterprise(caller.enterprise()?);
    db::inspections::get_inspection(&state.db, &viewer, InspectionId(id))
        .await?
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize)]
struct PhotoParams {
    id: Option<Uuid>,
    file_name: Option<String>,
}

/// Stores a photo for an inspection about to be recorded; the body is the image (JPEG, PNG or
/// WebP, at most 10 MB, as for attachments). With the client's `id` a retried upload is
/// harmless: the same photo under the same id answers as stored.
#[utoipa::path(post, path = "/api/v1/regulator/inspections/photos", operation_id = "regulator_upload_inspection_photo", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(
        ("file_name" = String, Query, description = "Original file name (at most 255 characters)"),
        ("id" = Option<Uuid>, Query, description = "The photo's id, chosen by the client (a fresh one when absent)"),
    ),
    request_body(content(
        (schemas::Binary = "image/jpeg"),
        (schemas::Binary = "image/png"),
        (schemas::Binary = "image/webp"),
    ), description = "The photo's bytes"),
    responses(
        (status = 201, description = "Stored", body = InspectionPhoto),
        (status = 200, description = "Already stored under this id by the caller, with this content (a retry)", body = InspectionPhoto),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 409, description = "The id is taken by another photo"),
        (status = 413, description = "File too large"),
        (status = 415, description = "Not an image of an allowed type"),
        (status = 422, description = "Missing file name"),
    ))]
async fn upload_photo(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<PhotoParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, axum::Json<InspectionPhoto>), ApiError> {
    let region = caller.regulator_region()?.to_owned();
    scope_of(&caller)?;
    let data = body.map_err(|r| body_error("body", r.status(), r.body_text()))?;
    if data.len() > MAX_UPLOAD {
        return Err(too_large("body"));
    }
    let content_type = checked_type(&headers, &data)?;
    if !content_type.starts_with("image/") {
        return Err(ApiError::UnsupportedType(Problem::error(
            "content_type",
            "photo.type",
            "检查照片只接受 JPEG、PNG、WebP 图片",
            "An inspection photo is a JPEG, PNG or WebP image",
        )));
    }
    let file_name =
        clean_file_name(params.file_name.as_deref()).map_err(|p| ApiError::Validation(vec![p]))?;
    let photo = InspectionPhoto {
        id: params.id.map_or_else(AttachmentId::random, AttachmentId),
        file_name,
        content_type: content_type.to_owned(),
        size: data.len() as u64,
        sha256: hex(&Sha256::digest(&data)),
        region_code: region,
    };
    let stored = db::inspections::insert_inspection_photo(
        &state.db,
        &photo,
        &data,
        caller.account.id,
        Utc::now(),
    )
    .await?;
    match stored {
        PhotoStored::Inserted => Ok((StatusCode::CREATED, axum::Json(photo))),
        PhotoStored::Taken {
            uploaded_by,
            sha256,
        } if uploaded_by == caller.account.id && sha256 == photo.sha256 => {
            let scope = scope_of(&caller)?;
            let (first, _) =
                db::inspections::get_inspection_photo(&state.db, &scope, photo.id, false)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            Ok((StatusCode::OK, axum::Json(first)))
        }
        PhotoStored::Taken { .. } => Err(ApiError::Conflict(Problem::error(
            "id",
            "id.taken",
            "该编号已被另一张照片使用",
            "The id is taken by another photo",
        ))),
    }
}

/// The bytes of a photo as a download.
fn photo_response(meta: &InspectionPhoto, data: Vec<u8>) -> Result<Response, ApiError> {
    let mut res = Body::from(data).into_response();
    let h = res.headers_mut();
    let value =
        |s: &str| HeaderValue::from_str(s).map_err(|_| ApiError::Internal("photo header".into()));
    h.insert(header::CONTENT_TYPE, value(&meta.content_type)?);
    h.insert(
        header::CONTENT_DISPOSITION,
        value(&disposition(&meta.file_name))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

/// A photo uploaded by a regulator of the caller's region.
#[utoipa::path(get, path = "/api/v1/regulator/inspections/photos/{id}", operation_id = "regulator_download_inspection_photo", tag = "regulator",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Photo id")),
    responses(
        (status = 200, description = "The image", content_type = "application/octet-stream", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not a regulator"),
        (status = 404, description = "No such photo in the region"),
    ))]
async fn regulator_photo(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let scope = scope_of(&caller)?;
    let (meta, data) =
        db::inspections::get_inspection_photo(&state.db, &scope, AttachmentId(id), true)
            .await?
            .ok_or(ApiError::NotFound)?;
    photo_response(&meta, data)
}

/// A photo of one of the caller's enterprise's inspections.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/photos/{photo_id}", operation_id = "download_my_inspection_photo", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = Uuid, Path, description = "Inspection id"),
        ("photo_id" = Uuid, Path, description = "Photo id, as the inspection lists it"),
    ),
    responses(
        (status = 200, description = "The image", content_type = "application/octet-stream", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 404, description = "No such photo of the caller's inspections"),
    ))]
async fn my_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let me = caller.enterprise()?;
    let parse = |s: &str| Uuid::parse_str(s).map_err(|_| ApiError::NotFound);
    let (meta, data) = db::inspections::photo_of_enterprise(
        &state.db,
        me,
        InspectionId(parse(&id)?),
        AttachmentId(parse(&photo_id)?),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    photo_response(&meta, data)
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    create,
    regulator_list,
    regulator_read,
    upload_photo,
    regulator_photo,
    my_list,
    my_read,
    my_photo,
))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/regulator/inspections",
            post(create).get(regulator_list),
        )
        .route("/api/v1/regulator/inspections/{id}", get(regulator_read))
        .route(
            "/api/v1/regulator/inspections/photos",
            post(upload_photo).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route(
            "/api/v1/regulator/inspections/photos/{id}",
            get(regulator_photo),
        )
        .route("/api/v1/inspections", get(my_list))
        .route("/api/v1/inspections/{id}", get(my_read))
        .route("/api/v1/inspections/{id}/photos/{photo_id}", get(my_photo))
}
