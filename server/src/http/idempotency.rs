//! `Idempotency-Key`: a retried call with the same key gets the first answer and writes
//! nothing; the same key with another request is refused.

use super::error::ApiError;
use crate::db::{IdempotencyKey, StoredAnswer, sha256_hex};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use suyuan_core::Problem;
use suyuan_core::model::EnterpriseId;

/// Most characters a key may have.
const MAX_KEY_CHARS: usize = 200;

/// The key of this request, scoped to the caller's enterprise, if the client sent one.
pub(super) fn key_of(
    headers: &HeaderMap,
    enterprise: EnterpriseId,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::Validation(vec![Problem::error(
                "Idempotency-Key",
                "idempotency.key_invalid",
                format!("Idempotency-Key 须为 1 至 {MAX_KEY_CHARS} 个可见字符"),
                format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible characters"),
            )])
        })?;
    let mut request = format!("{method} {path}\n").into_bytes();
    request.extend_from_slice(body);
    Ok(Some(IdempotencyKey {
        scope: enterprise.to_string(),
        key: key.to_owned(),
        request_hash: sha256_hex(&request),
    }))
}

/// The first answer again, if this is a retry of the same request; a refusal if the key was
/// used for another request.
pub(super) fn replay(key: &IdempotencyKey, first: StoredAnswer) -> Result<Response, ApiError> {
    if first.request_hash != key.request_hash {
        return Err(ApiError::Validation(vec![Problem::error(
            "Idempotency-Key",
            "idempotency.key_reused",
            "该 Idempotency-Key 已用于另一个请求，请为新请求使用新的键",
            "This Idempotency-Key was used for a different request; use a new key for a new request",
        )]));
    }
    let status = StatusCode::from_u16(first.status)
        .map_err(|_| ApiError::Internal(format!("stored status {}", first.status)))?;
    let mut res = (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        first.response,
    )
        .into_response();
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(res)
}
