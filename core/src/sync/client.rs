//! The phone's sync client: pushes the outbox and pulls the change feed over HTTP. Blocking,
//! because the app runs it on its own background thread; every step is safe to cut short
//! (see [`sync_now`]).

use super::wire::{
    ClientChange, MAX_PULL_LIMIT, MAX_PUSH_CHANGES, Operation, PullResponse, PushRequest,
    PushResponse,
};
use crate::Problem;
use crate::model::{EnterpriseId, InspectionId};
use crate::serial::{UnitCode, UnitView};
use crate::store::{InspectionPhoto, Session, Store, StoreError};
use chrono::Utc;
use serde::de::DeserializeOwned;
use std::time::Duration;
use uuid::Uuid;

/// Why a sync or a login did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No answer (offline, timeout, connection cut): try again later, nothing is lost.
    #[error("network: {0}")]
    Network(String),
    /// The token is missing, expired or revoked: log in again.
    #[error("not logged in on the server")]
    Unauthorized,
    /// The server answered with an error.
    #[error("server answered {status}: {body}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Its body, for diagnostics.
        body: String,
    },
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The answer to a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedIn {
    /// Bearer token for later calls.
    pub token: String,
    /// The enterprise of the account; `None` for regulator accounts.
    pub enterprise_id: Option<EnterpriseId>,
    /// The account.
    pub account_id: Option<Uuid>,
    /// The region of a regulator account (GB/T 2260 code).
    pub region_code: Option<String>,
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Changes the server acknowledged.
    pub pushed: u32,
    /// Of those, changes it refused (see [`Store::rejections`]).
    pub rejected: u32,
    /// Feed rows applied.
    pub pulled: u32,
    /// The cursor after the pull.
    pub cursor: i64,
}

/// An HTTP client for one server.
#[derive(Debug, Clone)]
pub struct SyncClient {
    base: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

impl SyncClient {
    /// A client of the server at `base_url` (e.g. `https://suyuan.example.cn`), giving up on a
    /// call after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<SyncClient, SyncError> {
        install_crypto_provider();
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| SyncError::Network(e.to_string()))?;
        Ok(SyncClient {
            base: base_url.trim_end_matches('/').to_owned(),
            token: None,
            http,
        })
    }

    /// Uses `token` for later calls (`None` after logging out).
    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    /// Logs in with a login name and password; keeps the token.
    pub fn log_in(&mut self, login: &str, password: &str) -> Result<LoggedIn, SyncError> {
        let body = serde_json::json!({ "login": login, "password": password });
        let answer: serde_json::Value =
            self.send(self.http.post(self.url("/api/v1/auth/login")).json(&body))?;
        let token = answer["token"]
            .as_str()
            .ok_or_else(|| SyncError::Server {
                status: 200,
                body: "login answer without a token".into(),
            })?
            .to_owned();
        let account = &answer["account"];
        let enterprise_id = account["enterprise_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .map(EnterpriseId);
        let regulator = account["role"] == "regulator";
        self.token = Some(token.clone());
        Ok(LoggedIn {
            token,
            enterprise_id,
            account_id: account["id"].as_str().and_then(|s| s.parse().ok()),
            region_code: account["region_code"]
                .as_str()
                .filter(|_| regulator)
                .map(str::to_owned),
        })
    }

    /// Sends changes; the server applies each change id at most once.
    pub fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.send(
            self.authorised(self.http.post(self.url("/api/v1/sync/push")))?
                .json(request),
        )
    }

    /// Fetches feed rows after `cursor`.
    pub fn pull(&self, cursor: i64, limit: u32) -> Result<PullResponse, SyncError> {
        let url = format!(
            "{}?cursor={cursor}&limit={limit}",
            self.url("/api/v1/sync/pull")
        );
        self.send(self.authorised(self.http.get(url))?)
    }

    /// Looks a scanned unit, box or case code up online (扫码查询): its product, batch, where it
    /// is and every holder. `Ok(None)` when the platform never issued it or the enterprise
    /// never had a part in it.
    pub fn look_up_unit(&self, code: &UnitCode) -> Result<Option<UnitView>, SyncError> {
        let url = self.url(&format!("/api/v1/unit-codes/{code}"));
        match self.send(self.authorised(self.http.get(url))?) {
            Ok(view) => Ok(Some(view)),
            Err(SyncError::Server { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Uploads an inspection photo under the phone's id for it (the server keeps it once: the
    /// same photo again is answered as before).
    pub fn upload_inspection_photo(
        &self,
        photo: &InspectionPhoto,
        data: Vec<u8>,
    ) -> Result<(), SyncError> {
        let mut url = reqwest::Url::parse(&self.url("/api/v1/regulator/inspections/photos"))
            .map_err(|e| SyncError::Network(format!("server address: {e}")))?;
        url.query_pairs_mut()
            .append_pair("id", &photo.id.to_string())
            .append_pair("file_name", &photo.file_name);
        let req = self
            .authorised(self.http.post(url))?
            .header(reqwest::header::CONTENT_TYPE, &photo.content_type)
            .body(data);
        self.send::<serde_json::Value>(req).map(|_| ())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorised(
        &self,
        req: reqwest::blocking::RequestBuilder,
    ) -> Result<reqwest::blocking::RequestBuilder, SyncError> {
        let token = self.token.as_deref().ok_or(SyncError::Unauthorized)?;
        Ok(req.bearer_auth(token))
    }

    fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::blocking::RequestBuilder,
    ) -> Result<T, SyncError> {
        let res = req.send().map_err(|e| SyncError::Network(e.to_string()))?;
        let status = res.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(SyncError::Unauthorized);
        }
        // A body cut mid-way surfaces here, as a network error: the call is simply retried.
        let bytes = res.bytes().map_err(|e| SyncError::Network(e.to_string()))?;
        if !status.is_success() {
            return Err(SyncError::Server {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| SyncError::Network(format!("incomplete answer: {e}")))
    }
}

/// Logs a phone in: on the server (online), then the local session of that enterprise, or of
/// that regulator (an inspector's phone), which keeps the token so that the app syncs later
/// without logging in again. The platform admin is refused: it has no records to keep.
pub fn log_in_phone(
    store: &mut Store,
    client: &mut SyncClient,
    login: &str,
    password: &str,
) -> Result<Session, SyncError> {
    let answer = client.log_in(login, password)?;
    let opened = match (
        &answer.enterprise_id,
        &answer.account_id,
        &answer.region_code,
    ) {
        (Some(enterprise), _, _) => store.log_in(*enterprise),
        (None, Some(account), Some(region)) => store.log_in_regulator(*account, region),
        _ => Err(StoreError::Invalid(vec![Problem::error(
            "login",
            "session.no_records",
            "平台管理员账号请使用网页端",
            "The platform admin uses the web pages",
        )])),
    }
    .and_then(|s| store.set_token(Some(&answer.token)).map(|()| s));
    opened.map_err(|e| {
        client.set_token(None);
        SyncError::Store(e)
    })
}

/// Uploads the photos of the inspections among `changes` before the push that records them,
/// which the server refuses unless it has every photo listed. A photo the server will not
/// take is noted, and the push goes on: the inspection's refusal then names it.
fn upload_photos(
    store: &Store,
    client: &SyncClient,
    changes: &[ClientChange],
) -> Result<(), SyncError> {
    for change in changes {
        let Operation::RecordInspection { id, .. } = &change.operation else {
            continue;
        };
        for (photo, data) in store.photos_to_upload(InspectionId(*id))? {
            match client.upload_inspection_photo(&photo, data) {
                Ok(()) => store.photo_uploaded(photo.id, None)?,
                Err(SyncError::Server { status, body }) if (400..500).contains(&status) => {
                    store.photo_uploaded(photo.id, Some(&refusal(status, &body)))?;
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// The server's message in a refusal, or its status when the body has none.
fn refusal(status: u16, body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"))
}

/// Installs ring as the process's TLS crypto provider, which any reqwest client of this build
/// needs first: rustls is built without a default one, because aws-lc does not cross-compile
/// well for phones. Calling it again does nothing.
pub fn install_crypto_provider() {
    // A second install fails harmlessly: the first provider stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Pushes every queued change, then pulls until the feed is exhausted.
///
/// Cut anywhere, it loses and duplicates nothing: changes leave the outbox only when the
/// server's answer for them is stored, and a resent change id gets its first answer; pulled
/// rows and the cursor are written in one transaction. The outcome is recorded in the store
/// for the status screen.
pub fn sync_now(store: &mut Store, client: &SyncClient) -> Result<SyncReport, SyncError> {
    let result = run(store, client);
    let error = result.as_ref().err().map(ToString::to_string);
    store.record_sync_result(Utc::now(), error.as_deref())?;
    result
}

fn run(store: &mut Store, client: &SyncClient) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    while let Some(batch) = store.next_push(MAX_PUSH_CHANGES)? {
        upload_photos(store, client, &batch.changes)?;
        let sent = batch.changes.len();
        let response = client.push(&PushRequest {
            client_id: batch.client_id,
            changes: batch.changes,
        })?;
        // An answer that acknowledges nothing would resend the same batch for ever.
        if response.results.len() != sent {
            return Err(SyncError::Server {
                status: 200,
                body: format!("{} answers to {sent} changes", response.results.len()),
            });
        }
        report.pushed += response.results.len() as u32;
        report.rejected += response
            .results
            .iter()
            .filter(|r| matches!(r.outcome, super::wire::Outcome::Rejected { .. }))
            .count() as u32;
        store.apply_push_response(&response)?;
    }
    let session = store.session()?.ok_or(StoreError::NotLoggedIn)?;
    let mut cursor = session.cursor;
    if session.enterprise_id.is_none() {
        // A regulator has no enterprise feed: its phone only sends.
        report.cursor = cursor;
        return Ok(report);
    }
    loop {
        let page = client.pull(cursor, MAX_PULL_LIMIT)?;
        let applied = store.apply_pull(&page)?;
        report.pulled += applied.applied;
        cursor = applied.cursor;
        if !page.more {
            break;
        }
    }
    report.cursor = cursor;
    Ok(report)
}
