//! `POST /api/v1/batch`: ERP import of up to 10,000 products and documents in one call.
//!
//! All-or-nothing: one refused record and nothing is written; the 422 lists every problem
//! with its record's index (`records[3].lines[0].batch`). Each record carries the client's
//! UUID, which becomes the record's id. A batch is identified by the set of its ids: a retry
//! answers the first answer and writes nothing, while the same ids with other content are
//! refused (`idempotency.key_reused`); an id already used outside the batch is `id.taken`.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::idempotency::replay;
use super::input::writer;
use super::records::{draft_of, problems_of, product_of};
use super::schemas;
use super::transactions::parse_body;
use crate::db::{self, BatchItem, IdempotencyKey, SubmitOptions, Written, at_index, sha256_hex};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use std::collections::HashSet;
use suyuan_core::Problem;
use suyuan_core::sync::batch::{BatchRecord, BatchRequest, MAX_BATCH_RECORDS};

/// Largest body a batch may have; 10,000 records of a few lines each fit.
const MAX_BATCH_BYTES: usize = 64 << 20;

#[utoipa::path(post, path = "/api/v1/batch", operation_id = "import_batch", tag = "import",
    summary = "Up to 10,000 products and documents under client ids, all or nothing, idempotent",
    security(("bearer" = []), ("session" = [])),
    request_body = schemas::BatchRequest,
    responses(
        (status = 200, description = "Every record stored (or the first answer, replayed)", body = schemas::BatchResponse),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 413, description = "More than 10,000 records"),
        (status = 422, description = "Bad records: nothing written, each named by its index"),
    ))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = writer(&caller)?;
    let request: BatchRequest = parse_body(&body)?;
    let n = request.records.len();
    if n > MAX_BATCH_RECORDS {
        return Err(ApiError::TooLarge(Problem::error(
            "records",
            "batch.too_large",
            format!("一次最多导入 {MAX_BATCH_RECORDS} 条记录，本次 {n} 条，请分批提交"),
            format!(
                "A batch holds at most {MAX_BATCH_RECORDS} records, this one has {n}; split it"
            ),
        )));
    }
    if n == 0 {
        return Err(ApiError::Validation(vec![Problem::error(
            "records",
            "required",
            "记录：必填",
            "Records: required",
        )]));
    }
    let mut problems = Vec::new();
    let mut items = Vec::with_capacity(n);
    let mut seen = HashSet::with_capacity(n);
    for (i, record) in request.records.into_iter().enumerate() {
        if !seen.insert(record.id()) {
            problems.push(Problem::error(
                format!("records[{i}].id"),
                "id.duplicate",
                "同一批次中 id 重复",
                "This id appears twice in the batch",
            ));
            continue;
        }
        let shaped = match record {
            BatchRecord::Product { id, product } => product_of(&state, &actor, id, product)
                .await
                .map(BatchItem::Product),
            BatchRecord::Transaction {
                id,
                submit,
                document,
                opening_override,
                acknowledge,
            } => draft_of(&actor, id, document).map(|doc| {
                let options = submit.then_some(SubmitOptions {
                    opening_override,
                    acknowledge,
                });
                BatchItem::Transaction(doc, options)
            }),
        };
        match shaped {
            Ok(item) => items.push(item),
            Err(e) => problems.extend(at_index(i, problems_of(e)?)),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let mut ids: Vec<String> = seen.iter().map(ToString::to_string).collect();
    ids.sort();
    let mut request_text = b"POST /api/v1/batch\n".to_vec();
    request_text.extend_from_slice(&body);
    let key = IdempotencyKey {
        scope: actor.enterprise_id.to_string(),
        key: format!("batch:{}", sha256_hex(ids.join(",").as_bytes())),
        request_hash: sha256_hex(&request_text),
    };
    let mut touched = vec![actor.enterprise_id];
    for item in &items {
        if let db::BatchItem::Transaction(doc, Some(_)) = item {
            touched.extend(crate::warnings::touched_by(doc).enterprises);
        }
    }
    match db::import_batch(&state.db, items, &actor, &key, Utc::now()).await? {
        Written::Done(answer) => {
            crate::warnings::after_write(&state.db, &touched).await;
            Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
        }
        Written::Replayed(first) => replay(&key, first),
    }
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(import))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/batch",
        post(import).layer(DefaultBodyLimit::max(MAX_BATCH_BYTES)),
    )
}
