//! A JSON extractor whose rejections have the API's error shape.

use super::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use suyuan_core::Problem;

/// Like `axum::Json`, but a body that does not parse is a 422 naming what is wrong.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(ApiError::Validation(vec![reject(&rejection)])),
        }
    }
}

fn reject(r: &JsonRejection) -> Problem {
    let detail = r.body_text();
    Problem::error(
        "body",
        "body.json",
        format!("请求内容不是有效的 JSON 或缺少字段：{detail}"),
        format!("The request body is not valid JSON for this endpoint: {detail}"),
    )
}
