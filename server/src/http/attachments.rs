//! `/api/v1/attachments`: licence scans, test reports and photos, uploaded as the raw request
//! body and readable only by the enterprise that uploaded them.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::input::writer;
use super::query::Query;
use super::schemas;
use crate::db;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use suyuan_core::Problem;
use suyuan_core::model::{Attachment, AttachmentId, AttachmentKind, EnterpriseId};
use utoipa::OpenApi;

/// Largest file accepted, in bytes (10 MiB).
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// Room above [`MAX_UPLOAD`] for multipart framing, so the size check that answers is ours.
pub(super) const BODY_LIMIT: usize = MAX_UPLOAD + 256 * 1024;

/// The file types an attachment may be, each with the bytes its files start with.
const ALLOWED: [(&str, &[u8]); 4] = [
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", &[0xFF, 0xD8, 0xFF]),
    (
        "image/png",
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
    ),
    ("image/webp", b"RIFF"),
];

/// 413 for a file over the limit.
pub(super) fn too_large(field: &str) -> ApiError {
    ApiError::TooLarge(Problem::error(
        field,
        "upload.too_large",
        format!("文件不能超过 {} MB", MAX_UPLOAD / (1024 * 1024)),
        format!("The file must not exceed {} MB", MAX_UPLOAD / (1024 * 1024)),
    ))
}

/// A body that could not be read: over the limit (413) or broken off (422).
pub(super) fn body_error(field: &str, status: StatusCode, detail: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(field)
    } else {
        ApiError::Validation(vec![Problem::error(
            field,
            "upload.unreadable",
            format!("上传内容无法读取：{detail}"),
            format!("The upload could not be read: {detail}"),
        )])
    }
}

fn unsupported(content_type: &str) -> ApiError {
    ApiError::UnsupportedType(Problem::error(
        "content_type",
        "attachment.type",
        format!("不支持的文件类型 {content_type}，只接受 PDF、JPEG、PNG、WebP"),
        format!("Unsupported file type {content_type}; PDF, JPEG, PNG and WebP are accepted"),
    ))
}

/// The declared type, if allowed and matching the file's first bytes.
pub(super) fn checked_type(headers: &HeaderMap, data: &[u8]) -> Result<&'static str, ApiError> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let (name, magic) = ALLOWED
        .iter()
        .find(|(name, _)| *name == declared)
        .ok_or_else(|| unsupported(&declared))?;
    let webp_ok = *name != "image/webp" || data.get(8..12) == Some(b"WEBP".as_slice());
    if data.starts_with(magic) && webp_ok {
        Ok(name)
    } else {
        Err(ApiError::UnsupportedType(Problem::error(
            "content_type",
            "attachment.content_mismatch",
            format!("文件内容不是声明的类型 {declared}"),
            format!("The file's content is not the declared type {declared}"),
        )))
    }
}

#[derive(Debug, Deserialize)]
struct UploadParams {
    kind: Option<String>,
    file_name: Option<String>,
}

fn kind_of(raw: Option<&str>) -> Result<AttachmentKind, Problem> {
    let raw = raw.unwrap_or("other");
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
        Problem::error(
            "kind",
            "attachment.kind",
            format!("附件类别 {raw} 无效，可选 licence、test_report、photo、quality_agreement、other"),
            format!(
                "Attachment kind {raw} is not one of licence, test_report, photo, quality_agreement, other"
            ),
        )
    })
}

/// The last path segment of a client's file name, without control characters.
pub(super) fn clean_file_name(raw: Option<&str>) -> Result<String, Problem> {
    let base = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let base = base.trim();
    if base.is_empty() || base.chars().count() > 255 {
        Err(Problem::error(
            "file_name",
            "required",
            "文件名为必填项（不超过 255 个字符）",
            "File name is required (at most 255 characters)",
        ))
    } else {
        Ok(base.to_owned())
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores a file (licence scan, test report, ...) of the caller's enterprise; the body is the file.
#[utoipa::path(post, path = "/api/v1/attachments", operation_id = "upload_attachment", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(
        ("kind" = Option<String>, Query, description = "What the file is (default `other`)"),
        ("file_name" = String, Query, description = "Original file name (at most 255 characters)"),
    ),
    request_body(content(
        (schemas::Binary = "application/pdf"),
        (schemas::Binary = "image/png"),
        (schemas::Binary = "image/jpeg"),
        (schemas::Binary = "image/webp"),
    ), description = "The file's bytes"),
    responses(
        (status = 201, description = "Stored", body = schemas::Attachment),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 413, description = "File too large"),
        (status = 415, description = "Type not allowed"),
        (status = 422, description = "Bad kind or missing file name"),
    ))]
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, axum::Json<Attachment>), ApiError> {
    let actor = writer(&caller)?;
    let data = body.map_err(|r| body_error("body", r.status(), r.body_text()))?;
    if data.len() > MAX_UPLOAD {
        return Err(too_large("body"));
    }
    let content_type = checked_type(&headers, &data)?;
    let mut problems = Vec::new();
    let kind = kind_of(params.kind.as_deref()).map_err(|p| problems.push(p));
    let file_name = clean_file_name(params.file_name.as_deref()).map_err(|p| problems.push(p));
    let (Ok(kind), Ok(file_name)) = (kind, file_name) else {
        return Err(ApiError::Validation(problems));
    };
    let attachment = Attachment {
        id: AttachmentId::random(),
        kind,
        file_name,
        content_type: content_type.to_owned(),
        size: data.len() as u64,
        sha256: hex(&Sha256::digest(&data)),
    };
    db::insert_attachment(&state.db, &attachment, &data, &actor, Utc::now()).await?;
    Ok((StatusCode::CREATED, axum::Json(attachment)))
}

/// `filename*` of a Content-Disposition: RFC 5987 percent-encoding of UTF-8.
pub(super) fn disposition(file_name: &str) -> String {
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename*=UTF-8''{encoded}")
}

/// The file, to the enterprise that uploaded it.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", operation_id = "download_attachment", tag = "catalog",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The file's bytes with its content type", content_type = "application/octet-stream", body = schemas::Binary),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such file of the caller's enterprise"),
    ))]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let owner = caller.enterprise()?;
    let id: AttachmentId = super::input::parse_id(&id)?;
    let (meta, data) = db::get_attachment(&state.db, id, owner)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut res = Body::from(data).into_response();
    let h = res.headers_mut();
    let value = |s: &str| {
        HeaderValue::from_str(s).map_err(|_| ApiError::Internal("attachment header".into()))
    };
    h.insert(header::CONTENT_TYPE, value(&meta.content_type)?);
    h.insert(
        header::CONTENT_DISPOSITION,
        value(&disposition(&meta.file_name))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::ETAG, value(&format!("\"{}\"", meta.sha256))?);
    Ok(res)
}

/// Replaces each attachment a record lists with the caller's stored metadata; an id the
/// caller did not upload is a problem naming its position.
pub(super) async fn resolve_attachments(
    state: &AppState,
    owner: EnterpriseId,
    list: &mut [Attachment],
) -> Result<Vec<Problem>, ApiError> {
    let mut problems = Vec::new();
    for (i, a) in list.iter_mut().enumerate() {
        match db::attachment_meta(&state.db, a.id, owner).await? {
            Some(stored) => *a = stored,
            None => problems.push(Problem::error(
                format!("attachments[{i}]"),
                "attachment.not_found",
                "附件不存在，请先上传",
                "No such attachment; upload it first",
            )),
        }
    }
    Ok(problems)
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(upload, download))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/attachments", post(upload))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route("/api/v1/attachments/{id}", get(download))
}
