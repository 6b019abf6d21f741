//! The one error type of the API. Every failure answers `{message, errors: [{field, rule, message}]}`
//! in the caller's language (`Accept-Language`, Simplified Chinese by default); internals are
//! logged, never sent.

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use suyuan_core::{Lang, Problem};

use crate::db::DbError;

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// The input breaks rules: 422 with every problem.
    Validation(Vec<Problem>),
    /// The input collides with an existing record (a unique field): 409.
    Conflict(Problem),
    /// No valid credentials: 401.
    Unauthorized,
    /// Authenticated but not allowed: 403.
    Forbidden,
    /// No such record visible to the caller: 404.
    NotFound,
    /// The upload is larger than allowed: 413.
    TooLarge(Problem),
    /// The upload is not of a type allowed here: 415.
    UnsupportedType(Problem),
    /// Too many failed attempts: 429.
    TooManyRequests,
    /// Something broke on our side: 500; the cause is logged.
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// A problem as sent to the client, in one language.
#[derive(Debug, Serialize)]
struct FieldError<'a> {
    field: &'a str,
    rule: &'a str,
    message: &'a str,
}

/// What the error middleware renders; kept in the response's extensions until the language is known.
#[derive(Debug, Clone)]
struct ErrorBody {
    message: (&'static str, &'static str),
    problems: Vec<Problem>,
}

impl ErrorBody {
    fn render(&self, lang: Lang) -> serde_json::Value {
        let message = match lang {
            Lang::ZhCn => self.message.0,
            Lang::En => self.message.1,
        };
        let errors: Vec<FieldError<'_>> = self
            .problems
            .iter()
            .map(|p| FieldError {
                field: &p.field,
                rule: &p.rule,
                message: p.message(lang),
            })
            .collect();
        serde_json::json!({ "message": message, "errors": errors })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message, problems) = match self {
            ApiError::Validation(ps) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                (
                    "提交的数据有误，请按提示修改",
                    "The data breaks some rules; see the errors",
                ),
                ps,
            ),
            ApiError::Conflict(p) => (
                StatusCode::CONFLICT,
                ("与已有记录冲突", "Conflicts with an existing record"),
                vec![p],
            ),
            ApiError::TooLarge(p) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ("上传的文件过大", "The upload is too large"),
                vec![p],
            ),
            ApiError::UnsupportedType(p) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ("不支持的文件类型", "Unsupported file type"),
                vec![p],
            ),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ("请先登录", "Please log in"),
                vec![],
            ),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, ("无权访问", "Not allowed"), vec![]),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                ("记录不存在", "No such record"),
                vec![],
            ),
            ApiError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                (
                    "尝试次数过多，请稍后再试",
                    "Too many attempts; try again later",
                ),
                vec![],
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ("服务器内部错误", "Internal server error"),
                    vec![],
                )
            }
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorBody { message, problems });
        res
    }
}

/// Middleware that renders [`ApiError`]s in the language the request asked for.
pub async fn localize_errors(req: Request, next: Next) -> Response {
    let lang = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    let mut res = next.run(req).await;
    match res.extensions_mut().remove::<ErrorBody>() {
        Some(body) => (res.status(), Json(body.render(lang))).into_response(),
        None => res,
    }
}
