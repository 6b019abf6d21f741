//! Who is calling: the account behind the request's bearer token.

use super::AppState;
use super::error::ApiError;
use crate::auth::token_hash;
use crate::db::{self, Account};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Its account.
    pub account: Account,
    /// The hash of the token it used, so logout can revoke exactly that one.
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let hash = token_hash(token);
        let account = db::account_for_token(&state.db, &hash, chrono::Utc::now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Caller {
            account,
            token_hash: hash,
        })
    }
}
