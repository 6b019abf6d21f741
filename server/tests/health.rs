//! `/healthz` through the router, on both databases.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use suyuan_server::{AppState, app};
use tower::ServiceExt;

on_both_databases!(healthz_answers_ok_when_the_database_does, |db| {
    let res = app(AppState::new(db))
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
});
