//! A query-string extractor whose rejections have the API's error shape.

use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use suyuan_core::Problem;

/// Like `axum::extract::Query`, but a parameter that does not parse is a 422 naming it.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(rejection) => {
                let detail = rejection.body_text();
                Err(ApiError::Validation(vec![Problem::error(
                    "query",
                    "query.format",
                    format!("查询参数有误：{detail}"),
                    format!("A query parameter is invalid: {detail}"),
                )]))
            }
        }
    }
}
