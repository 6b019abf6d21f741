//! Inspections pushed from a regulator's phone, on both databases: its photo is uploaded
//! under the phone's id (again: answered as stored), the `record_inspection` change records
//! the visit that the region's REST list then shows, a replay (same change, or the same
//! inspection under a new change id) records nothing twice, and refusals come back as the
//! change's problems: another region's regulator, a taken id, an unknown photo, a malformed
//! body, an enterprise account recording one, a regulator pushing anything else.

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
use uuid::Uuid;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

async fn push(state: &AppState, token: &str, changes: Value) -> Value {
    let (status, body) = call(
        state,
        "POST",
        "/api/v1/sync/push",
        Some(token),
        Some("en"),
        Some(json!({"client_id": Uuid::new_v4(), "changes": changes})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Uploads a photo's bytes under `path`: the status and the answer.
async fn upload(state: &AppState, token: &str, path: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "image/png")
        .body(axum::body::Body::from(bytes.to_vec()))
        .unwrap();
    let res = suyuan_server::app(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn change(id: Uuid, inspection: &Value) -> Value {
    json!({"change_id": Uuid::new_v4(), "op": "record_inspection", "id": id,
           "inspection": inspection})
}

/// Each result's status, and the (field, rule) of its problems.
fn outcomes(pushed: &Value) -> Vec<(String, Vec<(String, String)>)> {
    pushed["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let problems = r["problems"]
                .as_array()
                .unwrap_or(&vec![])
                .iter()
                .map(|p| {
                    (
                        p["field"].as_str().unwrap().to_owned(),
                        p["rule"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            (r["status"].as_str().unwrap().to_owned(), problems)
        })
        .collect()
}

fn refused(field: &str, rule: &str) -> (String, Vec<(String, String)>) {
    ("rejected".into(), vec![(field.into(), rule.into())])
}

on_both_databases!(
    a_regulators_phone_records_an_inspection_once_in_its_region,
    |db| {
        let state = AppState::new(db.clone());
        let salon = register_in(&state, 1, "城关区丽人美容院", "beauty_salon", "620102").await;
        let cream = product(&db, salon.id, "舒唯雅皮肤身体护肤霜").await;
        let lanzhou = regulator(&state, &db, "lanzhou", "620100").await;
        let sichuan = regulator(&state, &db, "sichuan", "510000").await;

        // The photo under the phone's id; the same upload again is answered as stored, while
        // other bytes or another regulator under that id are refused.
        let photo = Uuid::new_v4();
        let path = format!("/api/v1/regulator/inspections/photos?id={photo}&file_name=shelf.png");
        let (status, first) = upload(&state, &lanzhou, &path, PNG).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["id"], photo.to_string());
        let (status, again) = upload(&state, &lanzhou, &path, PNG).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again, first);
        let mut other_bytes = PNG.to_vec();
        other_bytes.push(0);
        let (status, _) = upload(&state, &lanzhou, &path, &other_bytes).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = upload(&state, &sichuan, &path, PNG).await;
        assert_eq!(status, StatusCode::CONFLICT);

        let id = Uuid::new_v4();
        let inspection = json!({
            "enterprise_id": salon.id,
            "date": "2025-11-20",
            "inspectors": ["李检查"],
            "items": [{"code": "(01)06901234567892(10)A", "product_id": cream, "batch": "A",
                       "verdict": {"overall": "fail", "checks": [
                           {"item": "registration", "outcome": "pass"},
                           {"item": "recall", "outcome": "fail"}]}}],
            "findings": "货架上发现召回批次 A 两瓶，已责令下架",
            "photos": [photo]
        });
        let record = change(id, &inspection);
        let pushed = push(&state, &lanzhou, json!([record.clone()])).await;
        assert_eq!(pushed["results"][0]["status"], "ok", "{pushed}");
        assert_eq!(pushed["results"][0]["id"], id.to_string());

        // The region's list shows it, as recorded over the REST route.
        let list = |token: String| {
            let state = state.clone();
            async move {
                let (status, page) = call(
                    &state,
                    "GET",
                    "/api/v1/regulator/inspections",
                    Some(&token),
                    None,
                    None,
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{page}");
                page
            }
        };
        let page = list(lanzhou.clone()).await;
        assert_eq!(page["total"], 1, "{page}");
        let stored = &page["items"][0];
        assert_eq!(stored["inspection"]["id"], id.to_string());
        assert_eq!(stored["overall"], "fail");
        assert_eq!(stored["region_code"], "620102");
        assert_eq!(stored["inspection"]["photos"], json!([photo]));
        assert_eq!(
            stored["inspection"]["items"][0]["product_name"],
            "舒唯雅皮肤身体护肤霜"
        );
        let (status, own) = call(
            &state,
            "GET",
            "/api/v1/inspections",
            Some(&salon.token),
            None,
            None,
        )
        .await;
        assert_eq!((status, &own["total"]), (StatusCode::OK, &json!(1)));

        // Replays: the same push (its answer was lost), and the same inspection queued again
        // under a new change id. Still one inspection.
        let replay = push(&state, &lanzhou, json!([record.clone()])).await;
        assert_eq!(outcomes(&replay), [("ok".into(), vec![])]);
        assert_eq!(replay["results"][0]["id"], id.to_string());
        let requeued = push(&state, &lanzhou, json!([change(id, &inspection)])).await;
        assert_eq!(outcomes(&requeued), [("ok".into(), vec![])]);
        assert_eq!(list(lanzhou.clone()).await["total"], 1);

        // Another region's regulator: the salon is outside it, so is the photo, and the id is
        // taken.
        let pushed = push(
            &state,
            &sichuan,
            json!([change(Uuid::new_v4(), &inspection), change(id, &inspection)]),
        )
        .await;
        assert_eq!(
            outcomes(&pushed),
            [
                (
                    "rejected".into(),
                    vec![
                        ("enterprise_id".into(), "inspection.out_of_region".into()),
                        ("photos[0]".into(), "photo.not_found".into())
                    ]
                ),
                refused("id", "id.taken")
            ]
        );
        assert_eq!(list(sichuan.clone()).await["total"], 0);

        // Every problem of a bad inspection at once; a body that is no inspection; anything
        // but inspections from a regulator; an inspection from an enterprise.
        let bad = json!({"enterprise_id": salon.id, "date": "2025-11-21", "findings": " ",
                         "photos": [Uuid::new_v4()]});
        let pushed = push(
            &state,
            &lanzhou,
            json!([
                change(Uuid::new_v4(), &bad),
                change(Uuid::new_v4(), &json!("檢查")),
                {"change_id": Uuid::new_v4(), "op": "delete_partner", "id": Uuid::new_v4()}
            ]),
        )
        .await;
        assert_eq!(
            outcomes(&pushed),
            [
                (
                    "rejected".into(),
                    vec![
                        ("findings".into(), "required".into()),
                        ("photos[0]".into(), "photo.not_found".into())
                    ]
                ),
                refused("inspection", "body.json"),
                refused("op", "sync.inspections_only"),
            ]
        );
        assert_eq!(
            pushed["results"][0]["problems"][0]["message_en"],
            "Findings is required"
        );
        let pushed = push(
            &state,
            &salon.token,
            json!([change(Uuid::new_v4(), &inspection)]),
        )
        .await;
        assert_eq!(
            outcomes(&pushed),
            [refused("op", "inspection.regulator_only")]
        );
        assert_eq!(list(lanzhou.clone()).await["total"], 1);
    }
);
