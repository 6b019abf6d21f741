//! Who is calling: the account behind the request's bearer token.

use super::AppState;
use super::error::ApiError;
use crate::auth::token_hash;
use crate::db::{self, Account, Role};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use suyuan_core::model::EnterpriseId;

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

impl Caller {
    /// The enterprise of an enterprise account (any of its roles); anyone else is refused.
    pub fn enterprise(&self) -> Result<EnterpriseId, ApiError> {
        self.account.enterprise_id.ok_or(ApiError::Forbidden)
    }

    /// The enterprise of an account that may write its records (admin or clerk); read-only
    /// staff, regulators and the platform admin are refused.
    pub fn writer(&self) -> Result<EnterpriseId, ApiError> {
        match self.account.role {
            Role::EnterpriseAdmin | Role::Clerk => self.enterprise(),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// The enterprise of its admin, who manages staff and the profile.
    pub fn admin(&self) -> Result<EnterpriseId, ApiError> {
        match self.account.role {
            Role::EnterpriseAdmin => self.enterprise(),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// The region of a regulator account.
    pub fn regulator_region(&self) -> Result<&str, ApiError> {
        match (self.account.role, self.account.region_code.as_deref()) {
            (Role::Regulator, Some(region)) => Ok(region),
            _ => Err(ApiError::Forbidden),
        }
    }
}
