//! The platform admin set up at start creates regulator accounts bound to a region.

mod common;

use axum::http::StatusCode;
use common::call;
use serde_json::{Value, json};
use suyuan_server::AppState;
use suyuan_server::identity::{BootstrapError, ensure_platform_admin};

async fn login(state: &AppState, login: &str, password: &str) -> (StatusCode, Value) {
    call(
        state,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({"login": login, "password": password})),
    )
    .await
}

fn regulator(login: &str, region: &str) -> Value {
    json!({"login": login, "password": "regulator-pass", "display_name": "兰州市市场监督管理局", "region_code": region})
}

on_both_databases!(
    the_platform_admin_creates_regulators_bound_to_a_region,
    |db| {
        let state = AppState::new(db.clone());
        ensure_platform_admin(&db, "root", "platform-secret-1")
            .await
            .unwrap();
        let (status, s) = login(&state, "root", "platform-secret-1").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(s["account"]["role"], "platform_admin");
        let root = s["token"].as_str().unwrap().to_owned();

        for (name, region) in [
            ("gansu", "620000"),
            ("lanzhou", "620100"),
            ("chengguan", "620102"),
        ] {
            let (status, r) = call(
                &state,
                "POST",
                "/api/v1/admin/regulators",
                Some(&root),
                None,
                Some(regulator(name, region)),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{r}");
            assert_eq!(
                (r["role"].as_str(), r["region_code"].as_str()),
                (Some("regulator"), Some(region))
            );
            assert!(r["enterprise_id"].is_null());
        }
        for bad in ["620012", "62010", "990000", "62010A", ""] {
            let (status, err) = call(
                &state,
                "POST",
                "/api/v1/admin/regulators",
                Some(&root),
                None,
                Some(regulator("x", bad)),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(err["errors"][0]["field"], "region_code");
            assert_eq!(err["errors"][0]["rule"], "region.format");
        }
        let (status, dup) = call(
            &state,
            "POST",
            "/api/v1/admin/regulators",
            Some(&root),
            None,
            Some(regulator("gansu", "620000")),
        )
        .await;
        assert_eq!(
            (status, dup["errors"][0]["rule"].as_str()),
            (StatusCode::CONFLICT, Some("login.taken"))
        );
        let (_, page) = call(
            &state,
            "GET",
            "/api/v1/admin/regulators?q=lan",
            Some(&root),
            None,
            None,
        )
        .await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["login"], "lanzhou");

        // The regulator sees its role and region; it manages no accounts.
        let (status, s) = login(&state, "lanzhou", "regulator-pass").await;
        assert_eq!(status, StatusCode::OK);
        let token = s["token"].as_str().unwrap().to_owned();
        let (_, me) = call(&state, "GET", "/api/v1/me", Some(&token), None, None).await;
        assert_eq!(me["account"]["role"], "regulator");
        assert_eq!(me["account"]["region_code"], "620100");
        assert!(me["enterprise"].is_null());
        let (status, _) = call(
            &state,
            "POST",
            "/api/v1/admin/regulators",
            Some(&token),
            None,
            Some(regulator("y", "620000")),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(&state, "GET", "/api/v1/staff", Some(&token), None, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // An enterprise admin is no platform admin.
        let (status, s) = call(&state, "POST", "/api/v1/enterprises/register", None, None, Some(json!({
        "enterprise": {"name": "兰州美源化妆品批发有限公司", "uscc": "91512081MA62K0260E", "kind": "wholesaler",
            "region_code": "620102", "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
            "licence": null, "contact": "张三", "phone": "0931-7617990"},
        "login": "boss", "password": "admin-pass-1"}))).await;
        assert_eq!(status, StatusCode::CREATED);
        let boss = s["token"].as_str().unwrap();
        let (status, _) = call(
            &state,
            "POST",
            "/api/v1/admin/regulators",
            Some(boss),
            None,
            Some(regulator("z", "620000")),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(
            &state,
            "GET",
            "/api/v1/admin/regulators",
            Some(boss),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Nor does the platform admin act for an enterprise.
        let (status, _) = call(&state, "GET", "/api/v1/staff", Some(&root), None, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A second start with a new password resets it; the login stays one account.
        ensure_platform_admin(&db, "root", "platform-secret-2")
            .await
            .unwrap();
        assert_eq!(
            login(&state, "root", "platform-secret-1").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            login(&state, "root", "platform-secret-2").await.0,
            StatusCode::OK
        );
        assert!(matches!(
            ensure_platform_admin(&db, "boss", "platform-secret-3").await,
            Err(BootstrapError::LoginTaken(_))
        ));
        assert!(matches!(
            ensure_platform_admin(&db, "root", "short").await,
            Err(BootstrapError::WeakPassword)
        ));
    }
);
