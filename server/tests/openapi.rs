//! The OpenAPI document is generated from the code and served at `/api/openapi.json`.

mod common;

use axum::http::StatusCode;
use common::call;
use suyuan_server::AppState;

on_both_databases!(the_openapi_document_lists_the_routes, |db| {
    let state = AppState::new(db);
    let (status, doc) = call(&state, "GET", "/api/openapi.json", None, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/session", "post"),
        ("/api/v1/auth/session", "delete"),
        ("/api/v1/enterprises/register", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/staff", "get"),
        ("/api/v1/staff", "post"),
        ("/api/v1/staff/{id}", "put"),
        ("/api/v1/admin/regulators", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    let login = &paths["/api/v1/auth/login"]["post"];
    assert_eq!(
        login["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/LoginRequest"
    );
    assert!(login["responses"]["401"].is_object());
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["Account"]["properties"]["role"].is_object());
    assert!(schemas["Role"].is_object());
    let security = &doc["components"]["securitySchemes"];
    assert_eq!(security["bearer"]["scheme"], "bearer");
    assert_eq!(security["session"]["in"], "cookie");
    assert_eq!(security["session"]["name"], "suyuan_session");
    // Each $ref points at a schema that is there.
    let text = doc.to_string();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(schemas.get(name).is_some(), "dangling $ref {name}");
    }
});
