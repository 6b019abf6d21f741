//! The web pages (PC and phone browsers): one HTML shell at `/` and its ES modules, styles and
//! icons, all embedded in the binary so the service needs no second server and no CDN (users in
//! government networks often have none). There is no build step: the files under `server/web/`
//! are served as written.
//!
//! Assets live under `/assets/{build}/…`, where `build` is a hash of every embedded file: the
//! shell is never cached, so a new binary's pages load new assets, and each asset can be cached
//! for a year. Modules import each other by relative paths, so they inherit the build prefix.

use super::AppState;
use super::error::ApiError;
use axum::Router;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Embeds files of `server/web/` by their path there.
macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../web/", $path)) as &[u8])),*]
    };
}

/// Every asset the shell may load, by its path under the build prefix.
const ASSETS: &[(&str, &[u8])] = embed![
    "app.css",
    "app.js",
    "api.js",
    "i18n.js",
    "i18n/zh-CN.js",
    "i18n/en.js",
    "ui.js",
    "svg.js",
    "attachments.js",
    "icon.svg",
    "pages/login.js",
    "pages/products.js",
    "pages/barcodes.js",
    "pages/documents.js",
    "pages/reconciliation.js",
    "pages/recalls.js",
    "pages/profile.js",
    "pages/partners.js",
    "pages/nonconforming.js",
    "pages/stock.js",
    "pages/reg-dashboard.js",
    "pages/reg-enterprises.js",
    "pages/reg-trace.js",
    "pages/reg-recalls.js",
    "pages/reg-nonconforming.js",
    "pages/unit-codes.js",
    "pages/unit-files.js",
    "pages/unit-view.js",
    "pages/reg-unit-signals.js",
    "pages/reg-warnings.js",
    "pages/reg-inspections.js",
    "pages/inspections.js",
];

/// The shell; `{{BASE}}` becomes the assets' prefix.
const INDEX: &str = include_str!("../../web/index.html");

/// Where scripts, styles, images and requests may come from: this service only. Inline
/// scripts and style attributes are refused, so injected markup cannot run.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The hash of every embedded file (12 hex digits), naming this build's assets.
pub fn build_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(INDEX.as_bytes());
        for (path, bytes) in ASSETS {
            h.update(path.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        h.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// The URL of every embedded asset in this build, for tests and preloading.
pub fn asset_urls() -> Vec<String> {
    ASSETS
        .iter()
        .map(|(path, _)| format!("/assets/{}/{path}", build_id()))
        .collect()
}

/// The content type of a file by its extension.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn with_headers(mut res: Response, content_type: &'static str, cache: &'static str) -> Response {
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

/// The single-page shell: never cached, so it always names the running build's assets.
async fn index() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| INDEX.replace("{{BASE}}", &format!("/assets/{}", build_id())));
    let mut res = with_headers(
        page.clone().into_response(),
        content_type("index.html"),
        "no-cache",
    );
    let h = res.headers_mut();
    h.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    );
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// One asset. Another build's prefix still gets today's file (a page open across an upgrade
/// loads its lazy modules), but uncached, since its content is not what that name promised.
async fn asset(Path((build, path)): Path<(String, String)>) -> Result<Response, ApiError> {
    let (_, bytes) = ASSETS
        .iter()
        .find(|(p, _)| *p == path)
        .ok_or(ApiError::NotFound)?;
    let cache = if build == build_id() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok(with_headers(
        bytes.to_vec().into_response(),
        content_type(&path),
        cache,
    ))
}

/// Routes of the web pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{build}/{*path}", get(asset))
}
