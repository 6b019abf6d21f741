//! `/api/v1/barcodes`: the barcode library, a GTIN lookup for scanning phones, and barcode
//! photo recognition that pre-fills a new barcode. Reading is open to every account; only
//! the owner writes, and another enterprise's barcode answers 404 to writes.

use super::AppState;
use super::attachments::{BODY_LIMIT, MAX_UPLOAD, body_error, resolve_attachments, too_large};
use super::caller::Caller;
use super::error::ApiError;
use super::input::{RecordBody, blank, parse_id, refuse_blocking, writer};
use super::list::{ListParams, Page};
use super::products::{ProductView, owner_filter, views};
use super::query::Query;
use super::schemas::{self, ListQuery};
use crate::db::{self, BarcodeQuery, Removal, Stamped};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use suyuan_core::Problem;
use suyuan_core::barcode::{CodeMeaning, DecodeError, DecodedCode, decode_image};
use suyuan_core::model::{
    Barcode, BarcodeId, EnterpriseId, PackagingLevel, ProductId, RecordStatus,
};
use suyuan_core::rules::lifecycle::{self, Action};
use suyuan_core::validate::{check_gtin, validate_barcode};
use utoipa::OpenApi;

/// A barcode as answered, with its times.
#[derive(Debug, Serialize)]
struct BarcodeView {
    barcode: Barcode,
    created_at: String,
    updated_at: String,
}

impl From<Stamped<Barcode>> for BarcodeView {
    fn from(s: Stamped<Barcode>) -> Self {
        BarcodeView {
            barcode: s.record,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Deserialize)]
struct BarcodeFilters {
    /// `me` (default) or `all`.
    owner: Option<String>,
    product_id: Option<String>,
    gtin: Option<String>,
}

/// Lists barcodes; `q` matches names and numbers.
#[utoipa::path(get, path = "/api/v1/barcodes", operation_id = "list_barcodes", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `gtin` or `created_at`"),
        ("owner" = Option<String>, Query, description = "`me` (default) or `all` enterprises' barcodes"),
        ("product_id" = Option<Uuid>, Query, description = "Only this product's barcodes"),
        ("gtin" = Option<String>, Query, description = "Only this GTIN"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::BarcodeView>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filters): Query<BarcodeFilters>,
) -> Result<Json<Page<BarcodeView>>, ApiError> {
    let owner = owner_filter(filters.owner.as_deref(), &caller)?;
    let product_id = match filters.product_id.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(ProductId(uuid::Uuid::parse_str(p).map_err(|_| {
            ApiError::Validation(vec![Problem::error(
                "product_id",
                "id.format",
                "产品 ID 格式有误",
                "product_id is not a valid id",
            )])
        })?)),
    };
    let query = BarcodeQuery {
        owner,
        keyword: params.keyword(),
        product_id,
        gtin: filters.gtin.filter(|g| !g.trim().is_empty()),
    };
    let window = params.db_window(&db::BARCODE_SORTS)?;
    let (rows, total) = db::list_barcodes(&state.db, &query, &window).await?;
    let items = rows.into_iter().map(BarcodeView::from).collect();
    Ok(Json(Page::of(items, total, &params)))
}

/// Validation, product and photo checks of a barcode about to be written; 422 if any blocks.
pub(super) async fn checked(
    state: &AppState,
    owner: EnterpriseId,
    b: &mut Barcode,
    ack: &[String],
) -> Result<String, ApiError> {
    b.gtin = b.gtin.trim().to_owned();
    let mut problems = validate_barcode(b);
    // Any enterprise's product may be named: the library is shared.
    let mut product_name = String::new();
    if !b.product_id.0.is_nil() {
        match db::get_product(&state.db, b.product_id).await? {
            Some(p) => product_name = p.record.generic_name,
            None => problems.push(Problem::error(
                "product_id",
                "product.not_found",
                "产品不存在",
                "No such product",
            )),
        }
    }
    if let Some(photo) = b.photo.as_mut() {
        for mut p in resolve_attachments(state, owner, std::slice::from_mut(photo)).await? {
            p.field = "photo".into();
            problems.push(p);
        }
    }
    refuse_blocking(&problems, ack)?;
    Ok(product_name)
}

fn gtin_taken() -> ApiError {
    ApiError::Conflict(Problem::error(
        "gtin",
        "gtin.taken",
        "本企业已登记该条形码",
        "Your enterprise already has a barcode with this GTIN",
    ))
}

pub(super) fn map_unique(e: db::DbError) -> ApiError {
    if db::violates_unique(&e, "barcodes_owner_gtin_key", "barcodes.gtin") {
        gtin_taken()
    } else {
        e.into()
    }
}

pub(super) fn barcode_defaults() -> Vec<(&'static str, serde_json::Value)> {
    let mut d = blank(&["gtin", "specification", "package_specification"]);
    d.extend([
        ("product_id", json!(uuid::Uuid::nil())),
        ("level", json!("unit")),
        ("contains_quantity", json!(1)),
    ]);
    d
}

/// Adds a barcode owned by the caller's enterprise (admin or clerk).
#[utoipa::path(post, path = "/api/v1/barcodes", operation_id = "create_barcode", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    request_body = schemas::BarcodeInput,
    responses(
        (status = 201, description = "Created", body = schemas::BarcodeView),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 409, description = "Duplicate of an existing record"),
        (status = 422, description = "Invalid field or unacknowledged warning"),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: RecordBody,
) -> Result<(StatusCode, Json<BarcodeView>), ApiError> {
    let actor = writer(&caller)?;
    let (mut barcode, ack): (Barcode, _) = body.into_record(
        &barcode_defaults(),
        &[
            ("id", json!(BarcodeId::random())),
            ("owner", json!(actor.enterprise_id)),
            ("status", json!(RecordStatus::Draft)),
        ],
    )?;
    let name = checked(&state, actor.enterprise_id, &mut barcode, &ack).await?;
    db::insert_barcode(&state.db, &barcode, &name, &actor, Utc::now())
        .await
        .map_err(map_unique)?;
    let stored = db::get_barcode(&state.db, barcode.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// One barcode. Any enterprise reads.
#[utoipa::path(get, path = "/api/v1/barcodes/{id}", operation_id = "get_barcode", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = schemas::BarcodeView),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such record visible to the caller"),
    ))]
async fn get_one(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<BarcodeView>, ApiError> {
    let row = db::get_barcode(&state.db, parse_id(&id)?)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

async fn own(state: &AppState, owner: EnterpriseId, id: &str) -> Result<Barcode, ApiError> {
    db::get_barcode(&state.db, parse_id(id)?)
        .await?
        .map(|r| r.record)
        .filter(|b| b.owner == owner)
        .ok_or(ApiError::NotFound)
}

/// Changes a barcode of the caller's enterprise.
#[utoipa::path(put, path = "/api/v1/barcodes/{id}", operation_id = "update_barcode", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = schemas::BarcodeInput,
    responses(
        (status = 200, description = "The changed record", body = schemas::BarcodeView),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such record of the caller's enterprise"),
        (status = 409, description = "Duplicate, or the record's state forbids the change"),
        (status = 422, description = "Invalid field or unacknowledged warning"),
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: RecordBody,
) -> Result<Json<BarcodeView>, ApiError> {
    let actor = writer(&caller)?;
    let current = own(&state, actor.enterprise_id, &id).await?;
    let (edited, ack): (Barcode, _) = body.into_record(
        &barcode_defaults(),
        &[
            ("id", json!(current.id)),
            ("owner", json!(current.owner)),
            ("status", json!(current.status)),
        ],
    )?;
    let mut barcode = lifecycle::edit(&current, edited).map_err(ApiError::Conflict)?;
    let name = checked(&state, actor.enterprise_id, &mut barcode, &ack).await?;
    if !db::update_barcode(&state.db, &barcode, &name, &actor, Utc::now())
        .await
        .map_err(map_unique)?
    {
        return Err(ApiError::NotFound);
    }
    let stored = db::get_barcode(&state.db, barcode.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(stored.into()))
}

/// Deletes a barcode of the caller's enterprise that no document refers to.
#[utoipa::path(delete, path = "/api/v1/barcodes/{id}", operation_id = "delete_barcode", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such record of the caller's enterprise"),
        (status = 409, description = "Referenced by other records; disable it instead"),
    ))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = writer(&caller)?;
    let current = own(&state, actor.enterprise_id, &id).await?;
    lifecycle::check(&current.status, Action::Delete).map_err(ApiError::Conflict)?;
    match db::delete_barcode(&state.db, current.id, &actor, Utc::now()).await? {
        Removal::Deleted => Ok(StatusCode::NO_CONTENT),
        Removal::NotFound => Err(ApiError::NotFound),
        Removal::Referenced(what) => Err(ApiError::Conflict(super::products::referenced(what))),
    }
}

/// A barcode found for a scanned GTIN, with its product.
#[derive(Debug, Serialize)]
struct LookupHit {
    barcode: Barcode,
    product: ProductView,
}

/// Every enterprise's barcodes of a GTIN with their products, the caller's own first.
async fn hits(state: &AppState, caller: &Caller, gtin: &str) -> Result<Vec<LookupHit>, ApiError> {
    let barcodes = db::barcodes_by_gtin(&state.db, gtin, caller.account.enterprise_id).await?;
    let mut products = Vec::new();
    for b in &barcodes {
        if let Some(p) = db::get_product(&state.db, b.product_id).await? {
            products.push(p);
        }
    }
    let views = views(state, products).await?;
    Ok(barcodes
        .into_iter()
        .filter_map(|b| {
            let i = views.iter().position(|v| v.product_id() == b.product_id)?;
            Some((b, i))
        })
        .map(|(barcode, i)| LookupHit {
            product: views[i].clone(),
            barcode,
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct LookupParams {
    gtin: Option<String>,
}

#[derive(Debug, Serialize)]
struct Lookup {
    /// The GTIN looked up, as 14 digits.
    gtin: String,
    matches: Vec<LookupHit>,
}

/// Every enterprise's barcodes of a scanned GTIN with their products, the caller's own first.
#[utoipa::path(get, path = "/api/v1/barcodes/lookup", operation_id = "lookup_barcode", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("gtin" = String, Query, description = "GTIN-8/12/13/14 as scanned")),
    responses(
        (status = 200, description = "The matches (possibly none)", body = schemas::BarcodeLookup),
        (status = 401, description = "Not logged in"),
        (status = 422, description = "Missing GTIN or bad check digit"),
    ))]
async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<LookupParams>,
) -> Result<Json<Lookup>, ApiError> {
    let gtin = params.gtin.unwrap_or_default().trim().to_owned();
    let problems = if gtin.is_empty() {
        vec![Problem::error(
            "gtin",
            "required",
            "条形码为必填项",
            "GTIN is required",
        )]
    } else {
        check_gtin("gtin", &gtin)
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    Ok(Json(Lookup {
        gtin: db::gtin_key(&gtin),
        matches: hits(&state, &caller, &gtin).await?,
    }))
}

/// The fields of a new barcode that a photo tells.
#[derive(Debug, Serialize)]
struct BarcodeDraft {
    gtin: String,
    product_id: Option<ProductId>,
    specification: String,
    package_specification: String,
    level: PackagingLevel,
    contains_quantity: u32,
}

#[derive(Debug, Serialize)]
struct Recognition {
    /// Every code found, with its meaning.
    codes: Vec<DecodedCode>,
    /// A barcode pre-filled from the first GTIN found; none when no code carries one.
    draft: Option<BarcodeDraft>,
    /// Barcodes already entered for that GTIN, the caller's own first.
    matches: Vec<LookupHit>,
}

/// The GTIN a code carries, as printed on a retail pack (13 digits when it starts with 0).
fn gtin_of(code: &DecodedCode) -> Option<String> {
    let gtin14 = match &code.meaning {
        CodeMeaning::Gtin {
            gtin_as_printed, ..
        } => return Some(gtin_as_printed.clone()),
        CodeMeaning::Gs1(d) | CodeMeaning::DigitalLink(d) => d.gtin.clone()?,
        _ => return None,
    };
    Some(match gtin14.strip_prefix('0') {
        Some(ean13) => ean13.to_owned(),
        None => gtin14,
    })
}

/// The image of a recognize request: the raw body, or the first file of a multipart form.
async fn image_bytes(state: &AppState, req: Request) -> Result<Bytes, ApiError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bytes = if is_form {
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|r| body_error("image", r.status(), r.body_text()))?;
        let mut found = None;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| body_error("image", e.status(), e.body_text()))?
        {
            if field.file_name().is_some() || field.name() == Some("image") {
                found = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| body_error("image", e.status(), e.body_text()))?,
                );
                break;
            }
        }
        found.ok_or_else(|| {
            ApiError::Validation(vec![Problem::error(
                "image",
                "required",
                "表单中没有图片文件",
                "The form has no image file",
            )])
        })?
    } else {
        Bytes::from_request(req, state)
            .await
            .map_err(|r| body_error("image", r.status(), r.body_text()))?
    };
    if bytes.len() > MAX_UPLOAD {
        return Err(too_large("image"));
    }
    Ok(bytes)
}

fn decode_problem(e: &DecodeError) -> ApiError {
    match e {
        DecodeError::UnsupportedFormat => ApiError::UnsupportedType(Problem::error(
            "image",
            "image.format",
            "不是支持的图片格式（JPEG、PNG、WebP、BMP）",
            "Not a supported image (JPEG, PNG, WebP or BMP)",
        )),
        DecodeError::TooLarge { .. } => ApiError::TooLarge(Problem::error(
            "image",
            "image.too_large",
            "图片像素过多，请缩小后再上传",
            "The image has too many pixels; scale it down and upload again",
        )),
        other => ApiError::Validation(vec![Problem::error(
            "image",
            "image.corrupt",
            "图片已损坏或不完整",
            format!("The image is damaged or incomplete: {other}"),
        )]),
    }
}

/// Decodes the barcodes in a photo and pre-fills a barcode record from the first GTIN.
#[utoipa::path(post, path = "/api/v1/barcodes/recognize", operation_id = "recognize_barcode", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    request_body(content(
        (schemas::Binary = "image/png"),
        (schemas::Binary = "image/jpeg"),
        (Object = "multipart/form-data"),
    ), description = "The image as the raw body, or the first file (or field `image`) of a form"),
    responses(
        (status = 200, description = "The codes found (possibly none)", body = schemas::Recognition),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 413, description = "Image too large"),
        (status = 415, description = "Not an image"),
        (status = 422, description = "Missing or undecodable image"),
    ))]
async fn recognize(
    State(state): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Json<Recognition>, ApiError> {
    let bytes = image_bytes(&state, req).await?;
    // Decoding a photo takes tens of milliseconds of CPU: off the async workers.
    let codes = tokio::task::spawn_blocking(move || decode_image(&bytes))
        .await
        .map_err(|e| ApiError::Internal(format!("decoder task: {e}")))?
        .map_err(|e| decode_problem(&e))?;
    let Some(gtin) = codes.iter().find_map(gtin_of) else {
        return Ok(Json(Recognition {
            codes,
            draft: None,
            matches: vec![],
        }));
    };
    let matches = hits(&state, &caller, &gtin).await?;
    let known = matches.first().map(|h| &h.barcode);
    let draft = BarcodeDraft {
        product_id: known.map(|b| b.product_id),
        specification: known.map(|b| b.specification.clone()).unwrap_or_default(),
        package_specification: known
            .map(|b| b.package_specification.clone())
            .unwrap_or_default(),
        level: known.map_or(PackagingLevel::Unit, |b| b.level),
        contains_quantity: known.map_or(1, |b| b.contains_quantity),
        gtin,
    };
    Ok(Json(Recognition {
        codes,
        draft: Some(draft),
        matches,
    }))
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list, create, get_one, update, delete, lookup, recognize))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/barcodes/recognize", post(recognize))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route("/api/v1/barcodes", get(list).post(create))
        .route("/api/v1/barcodes/lookup", get(lookup))
        .route(
            "/api/v1/barcodes/{id}",
            get(get_one).put(update).delete(delete),
        )
}
