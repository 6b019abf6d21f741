//! Shaping records that arrive inside a batch or a sync push (not as a request body of their
//! own): a product or a draft under the client's id, or the problems that refuse it.

use super::AppState;
use super::attachments::resolve_attachments;
use super::error::ApiError;
use super::input::{RecordBody, refuse_blocking};
use super::products::product_defaults;
use super::transactions::DraftInput;
use crate::db::Actor;
use serde_json::{Value, json};
use suyuan_core::Problem;
use suyuan_core::model::{Product, ProductId, RecordStatus, Transaction, TransactionId};
use suyuan_core::validate::validate_product;
use uuid::Uuid;

/// The problems of a refusal, or the error that is not one.
pub(super) fn problems_of(e: ApiError) -> Result<Vec<Problem>, ApiError> {
    match e {
        ApiError::Validation(ps) => Ok(ps),
        ApiError::Conflict(p) => Ok(vec![p]),
        other => Err(other),
    }
}

fn not_an_object(field: &str) -> ApiError {
    ApiError::Validation(vec![Problem::error(
        field,
        "body.json",
        format!("{field} 应为 JSON 对象"),
        format!("{field} must be a JSON object"),
    )])
}

/// A record's fields as a change carries them (`field` names it in the problem when they are
/// not an object), with the warning rules the user overrides taken out.
pub(super) fn record_body(field: &str, fields: Value) -> Result<RecordBody, ApiError> {
    let Value::Object(mut fields) = fields else {
        return Err(not_an_object(field));
    };
    let acknowledge = match fields.remove("acknowledge") {
        None | Some(Value::Null) => vec![],
        Some(v) => serde_json::from_value(v).map_err(|_| not_an_object("acknowledge"))?,
    };
    Ok(RecordBody {
        fields,
        acknowledge,
    })
}

/// A product of `actor`'s enterprise under `id`, validated as the product API does.
pub(super) async fn product_of(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    fields: Value,
) -> Result<Product, ApiError> {
    let body = record_body("product", fields)?;
    let (mut product, ack): (Product, _) = body.into_record(
        &product_defaults(),
        &[
            ("id", json!(ProductId(id))),
            ("owner", json!(actor.enterprise_id)),
            ("status", json!(RecordStatus::Draft)),
        ],
    )?;
    let mut problems = validate_product(&product);
    problems
        .extend(resolve_attachments(state, actor.enterprise_id, &mut product.attachments).await?);
    refuse_blocking(&problems, &ack)?;
    Ok(product)
}

/// A draft of `actor`'s enterprise under `id`, from the fields the document API takes.
pub(super) fn draft_of(actor: &Actor, id: Uuid, fields: Value) -> Result<Transaction, ApiError> {
    if !fields.is_object() {
        return Err(not_an_object("document"));
    }
    let input: DraftInput = serde_json::from_value(fields).map_err(|e| {
        ApiError::Validation(vec![Problem::error(
            "document",
            "body.json",
            format!("单据内容无效：{e}"),
            format!("The document is not valid: {e}"),
        )])
    })?;
    input.into_draft(TransactionId(id), actor.enterprise_id, None)
}

/// The refusal of an id another record already has.
pub(super) fn id_taken(field: &str) -> Problem {
    Problem::error(
        field,
        "id.taken",
        "该 id 已被另一条记录使用",
        "This id is already used by another record",
    )
}
