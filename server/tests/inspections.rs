//! Field inspections through the router on both databases: a regulator uploads a photo and
//! records a visit to an enterprise of its region with scanned items and verdicts; regulators
//! of the region list and read it, the inspected enterprise reads its own (and its photo);
//! another region's regulator and another enterprise see nothing; an enterprise outside the
//! region, an inconsistent verdict, an unknown photo or product are refused; a retry with the
//! same id is harmless.

mod common;
mod docs_support;
mod recall_support;

use axum::http::StatusCode;
use common::call;
use docs_support::product;
use recall_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use tower::ServiceExt;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

async fn get(state: &AppState, token: &str, path: &str) -> (StatusCode, Value) {
    call(state, "GET", path, Some(token), None, None).await
}

async fn post(state: &AppState, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    call(state, "POST", path, Some(token), Some("en"), Some(body)).await
}

/// A raw request: status, content type and body bytes.
async fn raw(
    state: &AppState,
    method: &str,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if let Some(c) = content_type {
        req = req.header("content-type", c);
    }
    let req = req.body(axum::body::Body::from(body)).unwrap();
    let res = suyuan_server::app(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, kind, bytes.to_vec())
}

fn check(item: &str, outcome: &str) -> Value {
    json!({"item": item, "outcome": outcome})
}

fn rules(body: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

on_both_databases!(
    a_regulator_records_an_inspection_its_region_and_the_enterprise_see,
    |db| {
        let state = AppState::new(db.clone());
        let salon = register_in(&state, 1, "城关区丽人美容院", "beauty_salon", "620102").await;
        let other = register_in(&state, 2, "七里河区雅美美容院", "beauty_salon", "620103").await;
        let chengdu = register_in(&state, 3, "成都锦江丽人美容院", "beauty_salon", "510104").await;
        let cream = product(&db, salon.id, "舒唯雅皮肤身体护肤霜").await;
        let gansu = regulator(&state, &db, "gansu", "620000").await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;

        // The photo first, as the phone uploads it.
        let (status, _, body) = raw(
            &state,
            "POST",
            "/api/v1/regulator/inspections/photos?file_name=shelf.png",
            &gansu,
            Some("image/png"),
            PNG.to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let photo: Value = serde_json::from_slice(&body).unwrap();
        let photo_id = photo["id"].as_str().unwrap().to_owned();
        assert_eq!(photo["region_code"], "620000");
        assert_eq!(photo["size"], PNG.len());
        // A PDF is an attachment, not a photo; an enterprise cannot upload one.
        let (status, _, _) = raw(
            &state,
            "POST",
            "/api/v1/regulator/inspections/photos?file_name=a.pdf",
            &gansu,
            Some("application/pdf"),
            b"%PDF-1.4".to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (status, _, _) = raw(
            &state,
            "POST",
            "/api/v1/regulator/inspections/photos?file_name=shelf.png",
            &salon.token,
            Some("image/png"),
            PNG.to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let id = uuid::Uuid::new_v4();
        let inspection = json!({
            "id": id,
            "enterprise_id": salon.id,
            "date": "2026-11-20",
            "inspectors": ["李检查", "王执法"],
            "items": [
                {"code": "(01)06901234567892(10)A", "product_id": cream, "batch": "A",
                 "verdict": {"overall": "fail", "checks": [
                    check("registration", "pass"), check("recall", "fail"),
                    check("expiry", "pass")]},
                 "note": "召回批次仍在货架"},
                {"code": "6901234567892",
                 "verdict": {"overall": "unknown", "checks": [check("registration", "unknown")]}}
            ],
            "findings": "货架上发现召回批次 A 两瓶，已责令下架",
            "photos": [photo_id]
        });
        let (status, created) = post(
            &state,
            &gansu,
            "/api/v1/regulator/inspections",
            inspection.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["overall"], "fail");
        assert_eq!(created["region_code"], "620102");
        assert_eq!(
            created["inspection"]["items"][0]["product_name"],
            "舒唯雅皮肤身体护肤霜"
        );
        assert_eq!(created["inspection"]["photos"], json!([photo_id]));
        // A retry of the same upload answers the same inspection.
        let (status, again) = post(
            &state,
            &gansu,
            "/api/v1/regulator/inspections",
            inspection.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["inspection"], created["inspection"]);
        // The same id with other content is a conflict.
        let mut changed = inspection.clone();
        changed["findings"] = json!("另一次检查");
        let (status, _) = post(&state, &gansu, "/api/v1/regulator/inspections", changed).await;
        assert_eq!(status, StatusCode::CONFLICT);
        // A clean visit to another salon of the region.
        let (status, clean) = post(
            &state,
            &gansu,
            "/api/v1/regulator/inspections",
            json!({"enterprise_id": other.id, "date": "2026-11-21", "findings": "未发现问题",
               "items": [{"code": "6901234567892", "verdict": {"overall": "pass",
                          "checks": [check("registration", "pass")]}}]}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{clean}");

        // The region's regulator lists both, latest visit first, and filters them.
        let (status, page) = get(&state, &gansu, "/api/v1/regulator/inspections").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 2);
        assert_eq!(page["items"][0]["inspection"]["date"], "2026-11-21");
        assert_eq!(page["items"][1]["inspection"]["id"], json!(id));
        let (_, failed) = get(&state, &gansu, "/api/v1/regulator/inspections?overall=fail").await;
        assert_eq!(failed["total"], 1);
        assert_eq!(failed["items"][0]["inspection"]["id"], json!(id));
        let (_, found) = get(
            &state,
            &gansu,
            "/api/v1/regulator/inspections?q=%E5%8F%AC%E5%9B%9E",
        )
        .await;
        assert_eq!(found["total"], 1, "{found}");
        let (_, mine) = get(
            &state,
            &gansu,
            &format!(
                "/api/v1/regulator/inspections?enterprise_id={}&date_from=2026-11-21",
                salon.id
            ),
        )
        .await;
        assert_eq!(mine["total"], 0);
        let (status, _) = get(&state, &gansu, "/api/v1/regulator/inspections?overall=bad").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, one) = get(
            &state,
            &gansu,
            &format!("/api/v1/regulator/inspections/{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            one["inspection"]["findings"],
            "货架上发现召回批次 A 两瓶，已责令下架"
        );
        let (status, kind, bytes) = raw(
            &state,
            "GET",
            &format!("/api/v1/regulator/inspections/photos/{photo_id}"),
            &gansu,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "image/png");
        assert_eq!(bytes, PNG);

        // Sichuan's regulator sees none of it.
        let (_, page) = get(&state, &sichuan, "/api/v1/regulator/inspections").await;
        assert_eq!(page["total"], 0);
        let (status, _) = get(
            &state,
            &sichuan,
            &format!("/api/v1/regulator/inspections/{id}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = raw(
            &state,
            "GET",
            &format!("/api/v1/regulator/inspections/photos/{photo_id}"),
            &sichuan,
            None,
            vec![],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The inspected salon reads its own inspection and photo; the other salon does not.
        let (status, own) = get(&state, &salon.token, "/api/v1/inspections").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(own["total"], 1);
        assert_eq!(own["items"][0]["inspection"]["id"], json!(id));
        let (status, _) = get(&state, &salon.token, &format!("/api/v1/inspections/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = get(&state, &other.token, &format!("/api/v1/inspections/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let photo_path = format!("/api/v1/inspections/{id}/photos/{photo_id}");
        let (status, _, bytes) = raw(&state, "GET", &photo_path, &salon.token, None, vec![]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, PNG);
        let (status, _, _) = raw(&state, "GET", &photo_path, &other.token, None, vec![]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // An enterprise cannot record one, nor read the regulator's list.
        let (status, _) = post(
            &state,
            &salon.token,
            "/api/v1/regulator/inspections",
            inspection.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Refusals: an enterprise of another region, a verdict that does not add up, a photo
        // nobody uploaded, an unknown product, a future date, no findings.
        let (status, refused) = post(
            &state,
            &gansu,
            "/api/v1/regulator/inspections",
            json!({"enterprise_id": chengdu.id, "date": "2026-11-20", "findings": "x"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            rules(&refused),
            vec![("enterprise_id".into(), "inspection.out_of_region".into())]
        );
        let (status, _) = post(
            &state,
            &sichuan,
            "/api/v1/regulator/inspections",
            json!({"enterprise_id": chengdu.id, "date": "2026-11-20", "findings": "未发现问题"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, refused) = post(
            &state,
            &gansu,
            "/api/v1/regulator/inspections",
            json!({"enterprise_id": salon.id, "date": "2099-01-01", "findings": " ",
               "photos": [uuid::Uuid::new_v4()],
               "items": [{"code": "", "product_id": uuid::Uuid::new_v4(),
                          "verdict": {"overall": "pass", "checks": [check("recall", "fail")]}}]}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(
            rules(&refused),
            vec![
                ("date".into(), "date.future".into()),
                ("findings".into(), "required".into()),
                ("items[0].code".into(), "required".into()),
                ("items[0].product_id".into(), "not_found".into()),
                ("items[0].verdict.overall".into(), "verdict.overall".into()),
                ("photos[0]".into(), "photo.not_found".into()),
            ]
        );
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("Inspection date")
        );
    }
);
