//! A record id taken from the path.

use super::error::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use uuid::Uuid;

/// The `{id}` of a route. Text that is not a UUID names no record, so it answers 404 in the
/// API's error shape rather than the router's plain 400.
pub(super) struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        Uuid::parse_str(&text)
            .map(PathId)
            .map_err(|_| ApiError::NotFound)
    }
}
