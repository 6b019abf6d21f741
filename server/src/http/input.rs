//! Record bodies as clients send them: the core type's fields without those the service
//! assigns (id, owner, state), plus the warning rules the user chose to override.

use super::error::ApiError;
use super::json::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use suyuan_core::Problem;
use suyuan_core::problem::blocking;

/// A JSON object body with its `acknowledge` list taken out.
pub struct RecordBody {
    /// The record's fields as sent.
    pub fields: Map<String, Value>,
    /// Rules of warnings the user overrides, e.g. `licence.expired`.
    pub acknowledge: Vec<String>,
}

impl<S: Send + Sync> FromRequest<S> for RecordBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(mut fields) = Json::<Map<String, Value>>::from_request(req, state).await?;
        let acknowledge = match fields.remove("acknowledge") {
            None | Some(Value::Null) => vec![],
            Some(v) => serde_json::from_value(v).map_err(|_| {
                ApiError::Validation(vec![Problem::error(
                    "acknowledge",
                    "body.json",
                    "acknowledge 应为规则代码列表",
                    "acknowledge must be a list of rule codes",
                )])
            })?,
        };
        Ok(RecordBody {
            fields,
            acknowledge,
        })
    }
}

impl RecordBody {
    /// The record: the sent fields, `defaults` where absent, `assigned` always.
    pub fn into_record<T: DeserializeOwned>(
        mut self,
        defaults: &[(&str, Value)],
        assigned: &[(&str, Value)],
    ) -> Result<(T, Vec<String>), ApiError> {
        for (k, v) in defaults {
            if !self.fields.contains_key(*k) || self.fields[*k].is_null() {
                self.fields.insert((*k).to_owned(), v.clone());
            }
        }
        for (k, v) in assigned {
            self.fields.insert((*k).to_owned(), v.clone());
        }
        let record = serde_json::from_value(Value::Object(self.fields))
            .map_err(|e| ApiError::Validation(vec![shape_problem(&e)]))?;
        Ok((record, self.acknowledge))
    }
}

/// A body that does not fit the record type, naming the field when serde says which.
fn shape_problem(e: &serde_json::Error) -> Problem {
    let text = e.to_string();
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match missing {
        Some(field) => Problem::error(
            field,
            "required",
            format!("缺少字段 {field}"),
            format!("Field {field} is missing"),
        ),
        None => Problem::error(
            "body",
            "body.json",
            format!("请求内容格式有误：{text}"),
            format!("The request body does not fit this record: {text}"),
        ),
    }
}

/// 422 with every problem that still blocks once the user's overrides are applied.
pub fn refuse_blocking(problems: &[Problem], acknowledged: &[String]) -> Result<(), ApiError> {
    let acknowledged: Vec<&str> = acknowledged.iter().map(String::as_str).collect();
    let left: Vec<Problem> = blocking(problems, &acknowledged)
        .into_iter()
        .cloned()
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(left))
    }
}

/// A path id that is not a UUID names no record: 404, like any record the caller cannot see.
pub fn parse_id<T: From<uuid::Uuid>>(raw: &str) -> Result<T, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(T::from)
        .map_err(|_| ApiError::NotFound)
}

/// The caller as the author of a write for its enterprise: admin or clerk only.
pub fn writer(caller: &super::Caller) -> Result<crate::db::Actor, ApiError> {
    Ok(crate::db::Actor {
        account_id: caller.account.id,
        enterprise_id: caller.writer()?,
    })
}

/// Today on the platform's calendar: China Standard Time (UTC+8), whatever the server's zone.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Empty text for each named field the body left out, so the core validator reports it
/// as required with its own label rather than serde as missing.
pub fn blank(fields: &[&'static str]) -> Vec<(&'static str, serde_json::Value)> {
    fields
        .iter()
        .map(|f| (*f, Value::String(String::new())))
        .collect()
}
