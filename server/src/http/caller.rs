//! Who is calling: the account behind the request's bearer token or, for web pages, its
//! session cookie. A cookie is sent by the browser on its own, so a request that changes
//! anything must also prove it came from our page with the session's CSRF token.

use super::AppState;
use super::error::ApiError;
use crate::auth::token_hash;
use crate::db::{self, Account, Role, TokenKind};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use suyuan_core::model::EnterpriseId;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "suyuan_session";
/// Header a cookie-authenticated request that changes anything must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer …` (API, phone).
    Bearer,
    /// The session cookie (web pages).
    Cookie,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Its account.
    pub account: Account,
    /// The hash of the token it used, so logout can revoke exactly that one.
    pub token_hash: String,
    /// Bearer token or session cookie.
    pub via: Credential,
}

/// The value of a cookie in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.strip_prefix("Bearer ").map(str::trim).unwrap_or(""));
        // A request with an Authorization header is judged by it alone, never by a cookie.
        let (token, via) = match bearer {
            Some(t) => (t, Credential::Bearer),
            None => (
                cookie(&parts.headers, SESSION_COOKIE).ok_or(ApiError::Unauthorized)?,
                Credential::Cookie,
            ),
        };
        if token.is_empty() {
            return Err(ApiError::Unauthorized);
        }
        let hash = token_hash(token);
        let live = db::live_token(&state.db, &hash, chrono::Utc::now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        match (via, live.kind) {
            (Credential::Bearer, TokenKind::Api) => {}
            (Credential::Cookie, TokenKind::Session) => {
                if changes_state(&parts.method) {
                    let sent = parts
                        .headers
                        .get(CSRF_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| token_hash(v.trim()));
                    if sent.is_none() || sent != live.csrf_hash {
                        return Err(ApiError::Forbidden);
                    }
                }
            }
            // A session token pasted into a header, or an API token planted as a cookie.
            _ => return Err(ApiError::Unauthorized),
        }
        Ok(Caller {
            account: live.account,
            token_hash: hash,
            via,
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

    /// Passes only the platform admin.
    pub fn platform_admin(&self) -> Result<(), ApiError> {
        match self.account.role {
            Role::PlatformAdmin => Ok(()),
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
