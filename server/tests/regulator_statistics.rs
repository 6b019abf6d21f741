//! A region's statistics on both databases, over a small data set whose figures are known:
//! enterprises registered and active, documents per month (only the last 12 months, by
//! document date), the reconciliation rate, open warnings, recalls by status.

mod common;
mod docs_support;
mod regulator_support;

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use docs_support::*;
use regulator_support::*;
use serde_json::{Value, json};
use suyuan_server::AppState;
use suyuan_server::db::{Db, china_today};

/// A draft dated `date`.
fn dated(kind: &str, counterparty: Option<Value>, lines: Vec<Value>, date: NaiveDate) -> Value {
    let mut d = draft(kind, counterparty, lines);
    d["date"] = json!(date);
    d
}

/// A recall row as the recall module stores it (that module is built separately).
async fn recall(
    db: &Db,
    status: &str,
    region: Option<&str>,
    enterprise: Option<&Party>,
    holder: Option<&Party>,
) {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO recalls (id, product_id, status, initiator_enterprise_id, initiator_region_code, search, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, '', '{}', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
    )
    .bind(&id)
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(status)
    .bind(enterprise.map(|e| e.id.to_string()))
    .bind(region)
    .execute(&db.pool)
    .await
    .expect("recall");
    if let Some(h) = holder {
        sqlx::query(
            "INSERT INTO recall_holders (recall_id, enterprise_id, quantity_held, updated_at) \
             VALUES ($1, $2, 10, '2026-01-01T00:00:00.000000Z')",
        )
        .bind(&id)
        .bind(h.id.to_string())
        .execute(&db.pool)
        .await
        .expect("holder");
    }
}

on_both_databases!(statistics_count_a_known_data_set, |db| {
    let state = AppState::new(db.clone());
    let today = china_today(Utc::now());
    let month_start = |back: i32| {
        let i = today.year() * 12 + today.month0() as i32 - back;
        NaiveDate::from_ymd_opt(i.div_euclid(12), i.rem_euclid(12) as u32 + 1, 1).unwrap()
    };
    let a = register_in(
        &state,
        1,
        "兰州美源化妆品有限公司",
        "registrant_manufacturer",
        "620102",
    )
    .await;
    let b = register_in(&state, 2, "天水华联化妆品批发部", "wholesaler", "620502").await;
    let quiet = register_in(&state, 3, "兰州安宁区新开店", "retail_shop", "620105").await;
    let s = register_in(&state, 4, "成都锦江丽人美容院", "beauty_salon", "510104").await;
    let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;

    // A: production 400 days ago (outside the 12 months), a sale to B this month, a sale to
    // the Sichuan salon two months ago, a second sale to B this month that B disputes.
    save_and_submit(
        &state,
        &a,
        dated(
            "finished_goods_inbound",
            None,
            vec![line(cream, "S1", 100)],
            today - Duration::days(400),
        ),
    )
    .await;
    save_and_submit(
        &state,
        &a,
        dated(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, "S1", 10)],
            today,
        ),
    )
    .await;
    save_and_submit(
        &state,
        &a,
        dated(
            "sales_outbound",
            Some(s.counterparty()),
            vec![line(cream, "S1", 4)],
            month_start(2),
        ),
    )
    .await;
    confirm_pending(&state, &b, json!({"date": today})).await;
    save_and_submit(
        &state,
        &a,
        dated(
            "sales_outbound",
            Some(b.counterparty()),
            vec![line(cream, "S1", 5)],
            today,
        ),
    )
    .await;
    let items = inbox(&state, &b, "?state=pending").await;
    let (status, body) = common::call(
        &state,
        "POST",
        &format!(
            "/api/v1/reconciliation/inbox/{}/dispute",
            items[0]["id"].as_str().unwrap()
        ),
        Some(&b.token),
        None,
        Some(json!({"reason": "未收到货"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Drafts are not documents of the statistics.
    save(
        &state,
        &b,
        dated(
            "sales_outbound",
            Some(a.counterparty()),
            vec![line(cream, "S1", 1)],
            today,
        ),
    )
    .await;

    recall(&db, "active", Some("620000"), None, None).await;
    recall(&db, "completed", None, Some(&a), None).await;
    recall(&db, "planned", Some("510000"), None, Some(&b)).await;
    recall(&db, "active", Some("510000"), Some(&s), Some(&s)).await;

    let gansu = regulator(&state, &db, "gansu", "620000").await;
    let stats = get_ok(&state, &gansu, "/api/v1/regulator/statistics").await;
    assert_eq!(stats["region_code"], "620000");
    assert_eq!(stats["enterprises"], json!({"registered": 3, "active": 2}));
    let months = stats["documents_per_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    assert_eq!(months[11]["month"], month(today));
    assert_eq!(months[0]["month"], month(month_start(11)));
    // This month: A's two sales and B's confirmed inbound; two months ago: the sale to Sichuan.
    assert_eq!(months[11]["documents"], 3);
    assert_eq!(months[9]["documents"], 1);
    assert_eq!(
        months
            .iter()
            .map(|m| m["documents"].as_u64().unwrap())
            .sum::<u64>(),
        4
    );
    // B's two items: one confirmed, one disputed; the Sichuan salon's pending one is not Gansu's.
    let r = &stats["reconciliation"];
    assert_eq!(
        (
            r["confirmed"].as_u64(),
            r["disputed"].as_u64(),
            r["pending"].as_u64(),
            r["total"].as_u64()
        ),
        (Some(1), Some(1), Some(0), Some(2))
    );
    assert_eq!(r["rate"].as_f64(), Some(0.5));
    // B's dispute raised a warning on A's sale at once; the count is the open list's.
    let open = get_ok(
        &state,
        &gansu,
        "/api/v1/regulator/warnings?open=true&per_page=500",
    )
    .await;
    let kinds: Vec<&str> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["warning"]["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"transfer_disputed"), "{open}");
    assert_eq!(stats["open_warnings"], open["total"]);
    // Initiated by Gansu's regulator, by a Gansu enterprise, or reaching a Gansu holder.
    assert_eq!(
        stats["recalls"],
        json!({"planned": 1, "active": 1, "completed": 1})
    );

    let lanzhou = regulator(&state, &db, "lanzhou", "620100").await;
    let stats = get_ok(&state, &lanzhou, "/api/v1/regulator/statistics").await;
    assert_eq!(stats["enterprises"], json!({"registered": 2, "active": 1}));
    assert_eq!(stats["documents_per_month"][11]["documents"], 2);
    assert_eq!(stats["reconciliation"]["total"], 0);
    assert!(stats["reconciliation"]["rate"].is_null());
    assert_eq!(
        stats["recalls"],
        json!({"planned": 0, "active": 0, "completed": 1})
    );

    let sichuan = regulator(&state, &db, "sichuan", "510000").await;
    let stats = get_ok(&state, &sichuan, "/api/v1/regulator/statistics").await;
    assert_eq!(stats["enterprises"], json!({"registered": 1, "active": 0}));
    assert_eq!(stats["reconciliation"]["pending"], 1);
    assert_eq!(stats["reconciliation"]["rate"].as_f64(), Some(0.0));
    assert_eq!(
        stats["recalls"],
        json!({"planned": 1, "active": 1, "completed": 0})
    );
    let _ = quiet;
});
