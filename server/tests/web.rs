//! The web pages through the router, on both databases: the shell at `/` and every embedded
//! asset with its content type and cache headers; every file under `server/web/` is embedded
//! and every relative import of a module resolves to an embedded file; both dictionaries have
//! the same keys. The pages themselves are driven in Chromium by `scripts/browser-test`.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use suyuan_server::db::Db;
use suyuan_server::http::web::{asset_urls, build_id};
use suyuan_server::{AppState, app};
use tower::ServiceExt;

async fn fetch(db: &Db, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = app(AppState::new(db.clone()))
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 24).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

/// Every file under `dir`, as paths relative to it with `/` separators.
fn files_under(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files_under(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name);
        }
    }
}

/// The embedded assets' paths under the build prefix.
fn embedded() -> BTreeSet<String> {
    let prefix = format!("/assets/{}/", build_id());
    asset_urls()
        .iter()
        .map(|u| u.strip_prefix(&prefix).expect("build prefix").to_owned())
        .collect()
}

/// Resolves `./x` or `../x` against the folder of `from` (both relative to `server/web/`).
fn resolve(from: &str, spec: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in spec.split('/') {
        match seg {
            "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The relative module specifiers a JavaScript file imports statically or dynamically
/// (template-literal imports excepted: their targets are checked through the page list).
fn relative_imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for opener in ["from '", "import('"] {
        let mut rest = source;
        while let Some(i) = rest.find(opener) {
            rest = &rest[i + opener.len()..];
            let end = rest.find('\'').unwrap();
            let spec = &rest[..end];
            if spec.starts_with("./") || spec.starts_with("../") {
                found.push(spec.to_owned());
            }
        }
    }
    found
}

/// The keys of an i18n dictionary module: each `'key': ` at the start of an entry.
fn dictionary_keys(source: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut rest = source;
    while let Some(i) = rest.find("': ") {
        let head = &rest[..i];
        if let Some(open) = head.rfind('\'') {
            let key = &head[open + 1..];
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            {
                keys.insert(key.to_owned());
            }
        }
        rest = &rest[i + 3..];
    }
    keys
}

on_both_databases!(the_shell_and_every_asset_are_served, |db| {
    let (status, h, body) = fetch(&db, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&h, "cache-control"), "no-cache");
    assert!(header(&h, "content-security-policy").contains("script-src 'self'"));
    let html = String::from_utf8(body).unwrap();
    let base = format!("/assets/{}", build_id());
    assert!(html.contains(&format!("src=\"{base}/app.js\"")), "{html}");
    assert!(html.contains(&format!("href=\"{base}/app.css\"")), "{html}");
    assert!(!html.contains("{{"), "placeholder left in the shell");

    let urls = asset_urls();
    assert!(urls.len() >= 20, "{urls:?}");
    for url in &urls {
        let (status, h, body) = fetch(&db, url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        let want = match url.rsplit_once('.').unwrap().1 {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            other => panic!("unexpected asset type {other}: {url}"),
        };
        assert_eq!(header(&h, "content-type"), want, "{url}");
        assert_eq!(
            header(&h, "cache-control"),
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{url}");
        assert!(!body.is_empty(), "{url}");
    }

    // Another build's prefix still gets the file, uncached; an unknown file is a 404.
    let (status, h, _) = fetch(&db, "/assets/000000000000/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "cache-control"), "no-cache");
    let (status, _, _) = fetch(&db, &format!("{base}/pages/nowhere.js")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&db, &format!("{base}/../Cargo.toml")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

#[test]
fn every_web_file_is_embedded_and_every_import_resolves() {
    let mut on_disk = BTreeSet::new();
    files_under(&web_dir(), "", &mut on_disk);
    on_disk.remove("index.html");
    let embedded = embedded();
    assert_eq!(
        on_disk, embedded,
        "server/web/ and the embedded list differ"
    );
    for file in embedded.iter().filter(|f| f.ends_with(".js")) {
        let source = std::fs::read_to_string(web_dir().join(file)).unwrap();
        for spec in relative_imports(&source) {
            let target = resolve(file, &spec);
            assert!(
                embedded.contains(&target),
                "{file} imports {spec}, which is not embedded"
            );
        }
    }
    // The router loads pages by name: each name in app.js's page table is a module.
    let app = std::fs::read_to_string(web_dir().join("app.js")).unwrap();
    let table = &app[app.find("const PAGES").unwrap()..];
    let table = &table[..table.find("};").unwrap()];
    for line in table.lines().filter(|l| l.contains(": ['")) {
        let name = line
            .split(": ['")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert!(
            embedded.contains(&format!("pages/{name}.js")),
            "app.js routes to pages/{name}.js, which is not embedded"
        );
    }
}

/// The single-quoted literals of a JavaScript source.
fn quoted(source: &str) -> Vec<&str> {
    source.split('\'').skip(1).step_by(2).collect()
}

#[test]
fn every_text_key_the_pages_name_is_in_the_dictionary() {
    let zh = dictionary_keys(&std::fs::read_to_string(web_dir().join("i18n/zh-CN.js")).unwrap());
    let prefixes: BTreeSet<&str> = zh.iter().filter_map(|k| k.split('.').next()).collect();
    let mut checked = 0;
    for file in embedded()
        .iter()
        .filter(|f| f.ends_with(".js") && !f.starts_with("i18n/"))
    {
        let source = std::fs::read_to_string(web_dir().join(file)).unwrap();
        for literal in quoted(&source) {
            let looks_like_key = literal.contains('.')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                && prefixes.contains(literal.split('.').next().unwrap());
            if looks_like_key {
                checked += 1;
                assert!(
                    zh.contains(literal),
                    "{file} names text {literal}, which zh-CN.js lacks"
                );
            }
        }
    }
    assert!(
        checked > 200,
        "only {checked} keys found: the scan is broken"
    );
}

#[test]
fn both_dictionaries_have_the_same_keys() {
    let zh = dictionary_keys(&std::fs::read_to_string(web_dir().join("i18n/zh-CN.js")).unwrap());
    let en = dictionary_keys(&std::fs::read_to_string(web_dir().join("i18n/en.js")).unwrap());
    assert!(zh.len() > 100, "{}", zh.len());
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(
        only_zh.is_empty() && only_en.is_empty(),
        "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
    );
}
