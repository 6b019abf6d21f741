//! Documents of the five kinds: save, list, read, edit and delete drafts, submit.

use super::AppState;
use super::caller::Caller;
use super::error::ApiError;
use super::idempotency::{key_of, replay};
use super::json::Json;
use super::list::{ListParams, Page};
use super::path_id::PathId;
use super::schemas::{self, ListQuery};
use crate::db::{
    self, DocError, StoredDocument, SubmitOptions, TRANSACTION_SORTS, TransactionFilter, Written,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use suyuan_core::Problem;
use suyuan_core::model::{
    Counterparty, EnterpriseId, ProductId, RecordStatus, Transaction, TransactionId,
    TransactionKind, TransactionLine,
};
use utoipa::OpenApi;
use uuid::Uuid;

impl From<DocError> for ApiError {
    fn from(e: DocError) -> Self {
        match e {
            DocError::NotFound => ApiError::NotFound,
            DocError::Conflict(p) => ApiError::Conflict(p),
            DocError::Invalid(ps) => ApiError::Validation(ps),
            DocError::Db(e) => e.into(),
        }
    }
}

/// A line as sent by a client. Every field may be left out so that a missing one is reported
/// with its line index (`lines[2].batch`) by the validator rather than as unparsable JSON.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct LineInput {
    #[serde(default = "nil_product")]
    product_id: ProductId,
    #[serde(default)]
    product_name: String,
    gtin: Option<String>,
    #[serde(default)]
    quantity: u32,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    batch: String,
    production_date: Option<NaiveDate>,
    expiry_date: Option<NaiveDate>,
}

fn nil_product() -> ProductId {
    ProductId(Uuid::nil())
}

impl From<LineInput> for TransactionLine {
    fn from(l: LineInput) -> Self {
        TransactionLine {
            product_id: l.product_id,
            product_name: l.product_name,
            gtin: l.gtin,
            quantity: l.quantity,
            unit: l.unit,
            batch: l.batch,
            production_date: l.production_date,
            expiry_date: l.expiry_date,
        }
    }
}

/// The lines of a request as the core's lines.
pub(super) fn lines_of(lines: Vec<LineInput>) -> Vec<TransactionLine> {
    lines.into_iter().map(Into::into).collect()
}

/// A draft as sent by a client; the service assigns the id and, when absent, the number.
#[derive(Debug, Deserialize)]
pub(super) struct DraftInput {
    kind: TransactionKind,
    number: Option<String>,
    counterparty: Option<Counterparty>,
    date: Option<NaiveDate>,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    lines: Vec<LineInput>,
    corrects: Option<TransactionId>,
    #[serde(default)]
    remarks: String,
}

impl DraftInput {
    /// The draft, or the problem of a missing date (the validator needs one to check the rest).
    pub(super) fn into_draft(
        self,
        id: TransactionId,
        enterprise: EnterpriseId,
        current_number: Option<String>,
    ) -> Result<Transaction, ApiError> {
        let date = self.date.ok_or_else(|| {
            ApiError::Validation(vec![Problem::error(
                "date",
                "required",
                "日期：必填",
                "Date: required",
            )])
        })?;
        let number = self
            .number
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .or(current_number)
            .unwrap_or_else(|| db::default_number(self.kind, date, id));
        Ok(Transaction {
            id,
            enterprise_id: enterprise,
            kind: self.kind,
            number,
            counterparty: self.counterparty,
            date,
            contact: self.contact,
            phone: self.phone,
            lines: lines_of(self.lines),
            status: RecordStatus::Draft,
            corrects: self.corrects,
            reconciles: None,
            remarks: self.remarks,
        })
    }
}

/// Parses a raw body (kept raw for the idempotency hash); an empty body is `{}`.
pub(super) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        ApiError::Validation(vec![Problem::error(
            "body",
            "body.json",
            format!("请求内容不是有效的 JSON 或缺少字段：{e}"),
            format!("The request body is not valid JSON for this endpoint: {e}"),
        )])
    })
}

fn json_response<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    (status, axum::Json(value)).into_response()
}

/// Saves a draft transaction document (admin or clerk).
#[utoipa::path(post, path = "/api/v1/transactions", operation_id = "create_transaction", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first answer and writes nothing")),
    request_body = schemas::DraftInput,
    responses(
        (status = 201, description = "The draft", body = schemas::StoredDocument),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 409, description = "Number taken, or the idempotency key was used for another request"),
        (status = 422, description = "Invalid field"),
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let enterprise = caller.writer()?;
    let key = key_of(&headers, enterprise, &method, uri.path(), &body)?;
    let input: DraftInput = parse_body(&body)?;
    let doc = input.into_draft(TransactionId::random(), enterprise, None)?;
    let written =
        db::create_draft(&state.db, doc, caller.account.id, key.as_ref(), Utc::now()).await?;
    match (written, key) {
        (Written::Done(doc), _) => Ok(json_response(
            StatusCode::CREATED,
            &StoredDocument {
                document: doc,
                content_hash: None,
                corrected_by: None,
            },
        )),
        (Written::Replayed(first), Some(key)) => replay(&key, first),
        (Written::Replayed(_), None) => Err(ApiError::Internal("replay without a key".into())),
    }
}

/// Filters particular to the document list.
#[derive(Debug, Deserialize)]
pub(super) struct DocumentQuery {
    kind: Option<TransactionKind>,
    status: Option<String>,
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
    counterparty: Option<Uuid>,
}

fn bad_param(field: &str, allowed: &str) -> ApiError {
    ApiError::Validation(vec![Problem::error(
        field,
        "param.invalid",
        format!("参数 {field} 只能是：{allowed}"),
        format!("Parameter {field} must be one of: {allowed}"),
    )])
}

/// The filter, sort column and order of a document list from its query parameters.
pub(super) fn document_list_query(
    params: &ListParams,
    filter: DocumentQuery,
) -> Result<(TransactionFilter, &'static str, &'static str), ApiError> {
    let submitted = match filter.status.as_deref() {
        None => None,
        Some("draft") => Some(false),
        Some("submitted") => Some(true),
        Some(_) => return Err(bad_param("status", "draft, submitted")),
    };
    let wanted = params.sort.as_deref().unwrap_or("updated_at");
    let sort = TRANSACTION_SORTS
        .iter()
        .copied()
        .find(|s| *s == wanted)
        .ok_or_else(|| bad_param("sort", &TRANSACTION_SORTS.join(", ")))?;
    let order = params.order.unwrap_or_default().sql();
    let f = TransactionFilter {
        keyword: params.keyword(),
        kind: filter.kind,
        submitted,
        date_from: filter.date_from,
        date_to: filter.date_to,
        counterparty: filter.counterparty.map(EnterpriseId),
    };
    Ok((f, sort, order))
}

/// The caller's documents; `q` matches number, counterparty and products.
#[utoipa::path(get, path = "/api/v1/transactions", operation_id = "list_transactions", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(
        ListQuery,
        ("sort" = Option<String>, Query, description = "`updated_at` (default), `doc_date` or `number`"),
        ("kind" = Option<String>, Query, description = "Document kind, e.g. `purchase_inbound`, `sales_outbound`"),
        ("status" = Option<String>, Query, description = "`draft` or `submitted`"),
        ("date_from" = Option<String>, Query, format = Date, description = "Earliest document date"),
        ("date_to" = Option<String>, Query, format = Date, description = "Latest document date"),
        ("counterparty" = Option<Uuid>, Query, description = "Counterparty enterprise id"),
    ),
    responses(
        (status = 200, description = "One page", body = Page<schemas::StoredDocument>),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Not an enterprise account"),
        (status = 422, description = "Unknown sort column or filter value"),
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
    Query(filter): Query<DocumentQuery>,
) -> Result<axum::Json<Page<StoredDocument>>, ApiError> {
    let enterprise = caller.enterprise()?;
    let (f, sort, order) = document_list_query(&params, filter)?;
    let window = params.window();
    let (items, total) =
        db::list_transactions(&state.db, enterprise, &f, (sort, order), window).await?;
    Ok(axum::Json(Page::of(items, total, &params)))
}

/// One document of the caller's enterprise.
#[utoipa::path(get, path = "/api/v1/transactions/{id}", operation_id = "read_transaction", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The document", body = schemas::StoredDocument),
        (status = 401, description = "Not logged in"),
        (status = 404, description = "No such document of the caller's enterprise"),
    ))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<axum::Json<StoredDocument>, ApiError> {
    let enterprise = caller.enterprise()?;
    db::get_transaction(&state.db, enterprise, TransactionId(id))
        .await?
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// Replaces a draft; a submitted document cannot change (correct it with a new one).
#[utoipa::path(put, path = "/api/v1/transactions/{id}", operation_id = "edit_transaction", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = schemas::DraftInput,
    responses(
        (status = 200, description = "The draft", body = schemas::StoredDocument),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such document of the caller's enterprise"),
        (status = 409, description = "Already submitted, or number taken"),
        (status = 422, description = "Invalid field"),
    ))]
async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Json(input): Json<DraftInput>,
) -> Result<axum::Json<StoredDocument>, ApiError> {
    let enterprise = caller.writer()?;
    let id = TransactionId(id);
    let current = db::get_transaction(&state.db, enterprise, id)
        .await?
        .ok_or(ApiError::NotFound)?
        .document;
    if current.status.is_submitted() {
        return Err(ApiError::Conflict(db::submitted_problem(&current)));
    }
    let doc = input.into_draft(id, enterprise, Some(current.number))?;
    let doc = match db::update_draft(&state.db, doc, caller.account.id, None, Utc::now()).await? {
        Written::Done(doc) => doc,
        Written::Replayed(_) => return Err(ApiError::Internal("replay without a key".into())),
    };
    Ok(axum::Json(StoredDocument {
        document: doc,
        content_hash: None,
        corrected_by: None,
    }))
}

/// Deletes a draft.
#[utoipa::path(delete, path = "/api/v1/transactions/{id}", operation_id = "remove_transaction", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such document of the caller's enterprise"),
        (status = 409, description = "Already submitted"),
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    let enterprise = caller.writer()?;
    db::delete_draft(
        &state.db,
        enterprise,
        TransactionId(id),
        caller.account.id,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a submit may carry: the opening-balance note and acknowledged warnings.
#[derive(Debug, Default, Deserialize)]
struct SubmitInput {
    opening_override: Option<String>,
    #[serde(default)]
    acknowledge: Vec<String>,
}

/// Submits a draft: validates it, moves stock, links it into the enterprise's chain and puts
/// a reconciliation item into the counterparty's inbox.
#[utoipa::path(post, path = "/api/v1/transactions/{id}/submit", operation_id = "submit_transaction", tag = "documents",
    security(("bearer" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "Record id"), ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key answers the first answer and writes nothing")),
    request_body = schemas::SubmitInput,
    responses(
        (status = 200, description = "The submitted document", body = schemas::StoredDocument),
        (status = 401, description = "Not logged in"),
        (status = 403, description = "Read-only account"),
        (status = 404, description = "No such document of the caller's enterprise"),
        (status = 409, description = "Already submitted, or the idempotency key was used for another request"),
        (status = 422, description = "Invalid document, short stock, recalled batch or unacknowledged warning"),
    ))]
async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let enterprise = caller.writer()?;
    let key = key_of(&headers, enterprise, &method, uri.path(), &body)?;
    let input: SubmitInput = parse_body(&body)?;
    let options = SubmitOptions {
        opening_override: input.opening_override,
        acknowledge: input.acknowledge,
    };
    let written = db::submit_transaction(
        &state.db,
        enterprise,
        TransactionId(id),
        caller.account.id,
        &options,
        key.as_ref(),
        Utc::now(),
    )
    .await?;
    match (written, key) {
        (Written::Done(doc), _) => {
            crate::warnings::after_change(&state.db, &crate::warnings::touched_by(&doc.document))
                .await;
            Ok(json_response(StatusCode::OK, &doc))
        }
        (Written::Replayed(first), Some(key)) => replay(&key, first),
        (Written::Replayed(_), None) => Err(ApiError::Internal("replay without a key".into())),
    }
}

/// The paths of this module in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(create, list, read, edit, remove, submit))]
pub(super) struct Api;

/// Routes of this resource.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transactions", post(create).get(list))
        .route(
            "/api/v1/transactions/{id}",
            get(read).put(edit).delete(remove),
        )
        .route("/api/v1/transactions/{id}/submit", post(submit))
}
