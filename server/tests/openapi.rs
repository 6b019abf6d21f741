//! The OpenAPI document is generated from the code and served at `/api/openapi.json`.

mod common;

use axum::http::StatusCode;
use common::call;
use std::collections::BTreeSet;
use suyuan_server::AppState;

/// Every operation the service serves; `every_listed_route_is_served` checks this list against
/// the router and the sources, the document test checks the document against it.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/products/template.xlsx"),
    ("post", "/api/v1/products/import"),
    ("get", "/api/v1/products/export.xlsx"),
    ("get", "/api/v1/transactions/template.xlsx"),
    ("post", "/api/v1/transactions/import"),
    ("get", "/api/v1/transactions/export.xlsx"),
    ("get", "/api/v1/suppliers/template.xlsx"),
    ("post", "/api/v1/suppliers/import"),
    ("get", "/api/v1/suppliers/export.xlsx"),
    ("get", "/api/v1/customers/template.xlsx"),
    ("post", "/api/v1/customers/import"),
    ("get", "/api/v1/customers/export.xlsx"),
    ("post", "/api/v1/batch"),
    ("post", "/api/v1/unit-codes/applications"),
    ("get", "/api/v1/unit-codes/applications"),
    ("get", "/api/v1/unit-codes/applications/{id}/codes.csv"),
    ("get", "/api/v1/unit-codes/applications/{id}/labels.svg"),
    ("post", "/api/v1/unit-codes/pack"),
    ("post", "/api/v1/unit-codes/unpack"),
    ("post", "/api/v1/unit-codes/uploads"),
    ("get", "/api/v1/unit-codes/{code}"),
    ("get", "/api/v1/regulator/unit-signals"),
    ("post", "/api/v1/sync/push"),
    ("get", "/api/v1/sync/pull"),
    ("get", "/healthz"),
    ("get", "/api/openapi.json"),
    ("post", "/api/v1/enterprises/register"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/session"),
    ("delete", "/api/v1/auth/session"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/staff"),
    ("post", "/api/v1/staff"),
    ("get", "/api/v1/staff/{id}"),
    ("put", "/api/v1/staff/{id}"),
    ("get", "/api/v1/admin/regulators"),
    ("post", "/api/v1/admin/regulators"),
    ("get", "/api/v1/profile"),
    ("put", "/api/v1/profile"),
    ("get", "/api/v1/products"),
    ("post", "/api/v1/products"),
    ("get", "/api/v1/products/{id}"),
    ("put", "/api/v1/products/{id}"),
    ("delete", "/api/v1/products/{id}"),
    ("get", "/api/v1/barcodes"),
    ("post", "/api/v1/barcodes"),
    ("get", "/api/v1/barcodes/lookup"),
    ("post", "/api/v1/barcodes/recognize"),
    ("get", "/api/v1/barcodes/{id}"),
    ("put", "/api/v1/barcodes/{id}"),
    ("delete", "/api/v1/barcodes/{id}"),
    ("get", "/api/v1/suppliers"),
    ("post", "/api/v1/suppliers"),
    ("get", "/api/v1/suppliers/{id}"),
    ("put", "/api/v1/suppliers/{id}"),
    ("delete", "/api/v1/suppliers/{id}"),
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{id}"),
    ("put", "/api/v1/customers/{id}"),
    ("delete", "/api/v1/customers/{id}"),
    ("post", "/api/v1/attachments"),
    ("get", "/api/v1/attachments/{id}"),
    ("get", "/api/v1/transactions"),
    ("post", "/api/v1/transactions"),
    ("get", "/api/v1/transactions/{id}"),
    ("put", "/api/v1/transactions/{id}"),
    ("delete", "/api/v1/transactions/{id}"),
    ("post", "/api/v1/transactions/{id}/submit"),
    ("get", "/api/v1/reconciliation/inbox"),
    ("get", "/api/v1/reconciliation/inbox/{id}"),
    ("post", "/api/v1/reconciliation/inbox/{id}/confirm"),
    ("post", "/api/v1/reconciliation/inbox/{id}/dispute"),
    ("get", "/api/v1/stock"),
    ("get", "/api/v1/chain/verify"),
    ("get", "/api/v1/regulator/enterprises"),
    ("get", "/api/v1/regulator/enterprises/{id}"),
    ("get", "/api/v1/regulator/enterprises/{id}/products"),
    ("get", "/api/v1/regulator/enterprises/{id}/transactions"),
    (
        "get",
        "/api/v1/regulator/enterprises/{id}/transactions/{doc_id}",
    ),
    ("get", "/api/v1/regulator/enterprises/{id}/stock"),
    ("get", "/api/v1/regulator/enterprises/{id}/partners"),
    ("get", "/api/v1/regulator/trace"),
    ("get", "/api/v1/regulator/trace.xlsx"),
    ("get", "/api/v1/regulator/statistics"),
    ("get", "/api/v1/recalls"),
    ("post", "/api/v1/recalls"),
    ("get", "/api/v1/recalls/{id}"),
    ("post", "/api/v1/recalls/{id}/acknowledge"),
    ("post", "/api/v1/recalls/{id}/report"),
    ("post", "/api/v1/recalls/{id}/activate"),
    ("post", "/api/v1/recalls/{id}/close"),
    ("get", "/api/v1/regulator/recalls"),
    ("post", "/api/v1/regulator/recalls"),
    ("get", "/api/v1/regulator/recalls/{id}"),
    ("post", "/api/v1/regulator/recalls/{id}/activate"),
    ("post", "/api/v1/regulator/recalls/{id}/close"),
    ("get", "/api/v1/nonconforming"),
    ("post", "/api/v1/nonconforming"),
    ("get", "/api/v1/nonconforming/{id}"),
    ("post", "/api/v1/nonconforming/{id}/state"),
    ("get", "/api/v1/regulator/nonconforming"),
    ("post", "/api/v1/regulator/nonconforming"),
    ("get", "/api/v1/regulator/nonconforming/{id}"),
    ("post", "/api/v1/regulator/nonconforming/{id}/state"),
    ("get", "/api/v1/regulator/warnings"),
    ("get", "/api/v1/regulator/warnings.xlsx"),
    ("get", "/api/v1/regulator/warnings/{id}"),
    ("post", "/api/v1/regulator/warnings/{id}/acknowledge"),
    ("post", "/api/v1/regulator/warnings/recompute"),
    ("get", "/api/v1/regulator/inspections"),
    ("post", "/api/v1/regulator/inspections"),
    ("get", "/api/v1/regulator/inspections/{id}"),
    ("post", "/api/v1/regulator/inspections/photos"),
    ("get", "/api/v1/regulator/inspections/photos/{id}"),
    ("get", "/api/v1/inspections"),
    ("get", "/api/v1/inspections/{id}"),
    ("get", "/api/v1/inspections/{id}/photos/{photo_id}"),
];

/// Operations that need no credentials.
const PUBLIC: &[&str] = &[
    "/healthz",
    "/api/openapi.json",
    "/api/v1/enterprises/register",
    "/api/v1/auth/login",
    "/api/v1/auth/session",
];

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

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
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().unwrap();
            item.keys()
                .filter(|m| METHODS.contains(&m.as_str()))
                .map(|m| (m.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, served,
        "documented operations differ from the routes"
    );
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

on_both_databases!(every_listed_route_is_served, |db| {
    let state = AppState::new(db);
    // Each listed operation reaches a handler: an unknown path answers 404 with an empty body
    // and a wrong method 405; without a token a handler answers 401 (or, public, anything else).
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{doc_id}", "00000000-0000-4000-8000-000000000001")
            .replace("{photo_id}", "00000000-0000-4000-8000-000000000002");
        let (status, body) =
            call(&state, &method.to_uppercase(), &concrete, None, None, None).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            status != StatusCode::NOT_FOUND || body.get("message").is_some(),
            "{method} {path} is not routed"
        );
        if !PUBLIC.contains(path) {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
    // Every path literal given to a router in the sources is in the list (suppliers' and
    // customers' `/{id}` paths are built with format!, so the list names them itself).
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http"));
    let listed: BTreeSet<&str> = ROUTES.iter().map(|(_, p)| *p).collect();
    // Resources may be folders of files (http/regulator/), so the walk goes down into them.
    let mut folders = vec![dir];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().map(str::trim) {
            if line.starts_with("//") || line.contains("path = ") || line.contains("strip_prefix") {
                continue;
            }
            for literal in line.split('"').skip(1).step_by(2) {
                let literal = literal.split('{').next().unwrap_or(literal);
                if literal.starts_with("/api/") || literal == "/healthz" {
                    assert!(
                        listed.iter().any(|p| p.starts_with(literal)),
                        "{} routes {literal}, which the test's list lacks",
                        file.display()
                    );
                }
            }
        }
    }
});

on_both_databases!(the_openapi_document_describes_errors_and_security, |db| {
    let state = AppState::new(db);
    let (_, doc) = call(&state, "GET", "/api/openapi.json", None, None, None).await;
    let schemas = &doc["components"]["schemas"];
    let error = &schemas["ErrorBody"]["properties"];
    assert_eq!(error["message"]["type"], "string");
    assert_eq!(
        error["errors"]["items"]["$ref"],
        "#/components/schemas/FieldError"
    );
    for field in ["field", "rule", "message"] {
        assert_eq!(
            schemas["FieldError"]["properties"][field]["type"], "string",
            "{field}"
        );
    }
    let mut with_422 = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.starts_with('4') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            with_422 += usize::from(responses.contains_key("422"));
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if PUBLIC.contains(&path.as_str()) {
                assert!(
                    !secured || path == "/api/v1/auth/session",
                    "{method} {path}"
                );
            } else {
                assert!(secured, "{method} {path} names no security");
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            assert!(op["operationId"].is_string(), "{method} {path}");
        }
    }
    assert!(with_422 > 20, "{with_422} operations document 422");
    // Operation ids are unique, as OpenAPI requires (customers reuse suppliers' handlers).
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate operation ids");
    // List operations document their common and own query parameters.
    let products = &doc["paths"]["/api/v1/products"]["get"]["parameters"];
    let names: BTreeSet<&str> = products
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in [
        "q",
        "sort",
        "order",
        "page",
        "per_page",
        "owner",
        "registration_number",
    ] {
        assert!(names.contains(name), "products list lacks {name}");
    }
    let confirm = &doc["paths"]["/api/v1/reconciliation/inbox/{id}/confirm"]["post"];
    assert!(confirm["responses"]["409"].is_object());
    assert_eq!(
        doc["paths"]["/api/v1/customers"]["get"]["tags"][0],
        "catalog"
    );
});
