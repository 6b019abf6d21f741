//! A draft edited between a submit's first read and its locks. On PostgreSQL the submit locks
//! the rows of the enterprises it will write to, in id order, from what it read first; when
//! the draft names another counterparty by the time the locks are held, it must start again
//! with the right locks rather than take the new one out of order, which could deadlock with
//! a writer holding that row and waiting for the submitter's. On SQLite a write holds the whole
//! database: the submit waits for the edit and then sees it.

mod common;
mod docs_support;

use axum::http::StatusCode;
use docs_support::*;
use serde_json::Value;
use std::time::{Duration, Instant};
use suyuan_server::AppState;
use suyuan_server::db::{Backend, Db};

/// Waits until `n` transactions queue on row locks of this schema's `enterprises` table: the
/// first waiter on a row holds its tuple lock, the next ones wait for it.
async fn wait_for_row_waiters(db: &Db, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'tuple' \
             AND relation = 'enterprises'::regclass",
        )
        .fetch_one(&db.pool)
        .await
        .expect("pg_locks");
        if waiting >= n {
            return;
        }
        assert!(Instant::now() < deadline, "{waiting} of {n} waiters");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

on_both_databases!(
    a_counterparty_changed_under_a_submit_is_locked_in_order,
    |db| {
        let state = AppState::new(db.clone());
        let a = register(&state, 1, "兰州美源化妆品批发有限公司").await;
        let b = register(&state, 2, "城关区丽人化妆品店").await;
        let c = register(&state, 3, "七里河区美妆店").await;
        let cream = product(&db, a.id, "舒唯雅皮肤身体护肤霜").await;
        save_and_submit(
            &state,
            &a,
            draft("finished_goods_inbound", None, vec![line(cream, "C1", 20)]),
        )
        .await;
        let sale = save(
            &state,
            &a,
            draft(
                "sales_outbound",
                Some(b.counterparty()),
                vec![line(cream, "C1", 5)],
            ),
        )
        .await;

        // The edit, by a writer holding A's row (the whole database on SQLite): the draft now
        // sells to C. It commits only once the submit waits for it.
        let mut edit = match db.backend {
            Backend::Sqlite => db.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => db.pool.begin().await,
        }
        .expect("begin");
        sqlx::query("UPDATE enterprises SET feed_seq = feed_seq WHERE id = $1")
            .bind(a.id.to_string())
            .execute(&mut *edit)
            .await
            .expect("lock A");
        let body: String = sqlx::query_scalar("SELECT body FROM transactions WHERE id = $1")
            .bind(&sale)
            .fetch_one(&mut *edit)
            .await
            .expect("draft body");
        let mut body: Value = serde_json::from_str(&body).expect("JSON");
        body["counterparty"] = c.counterparty();
        sqlx::query(
        "UPDATE transactions SET body = $1, counterparty_enterprise_id = $2, counterparty_name = $3 \
         WHERE id = $4",
    )
    .bind(body.to_string())
    .bind(c.id.to_string())
    .bind(&c.name)
    .bind(&sale)
    .execute(&mut *edit)
    .await
    .expect("edit the draft");

        let submitting = {
            let (state, sale) = (state.clone(), sale.clone());
            let a = Party {
                token: a.token.clone(),
                id: a.id,
                name: a.name.clone(),
                uscc: a.uscc.clone(),
            };
            tokio::spawn(async move { submit(&state, &a, &sale, None).await })
        };
        let other = match db.backend {
            Backend::Sqlite => {
                // Nothing to observe from outside: give the submit time to queue behind the edit.
                tokio::time::sleep(Duration::from_millis(300)).await;
                None
            }
            Backend::Postgres => {
                // The submit read "sold to B" and now waits for A's row. Another writer takes C's
                // row, then queues for A's behind the submit.
                wait_for_row_waiters(&db, 1).await;
                let mut other = db.pool.begin().await.expect("begin");
                sqlx::query("UPDATE enterprises SET feed_seq = feed_seq WHERE id = $1")
                    .bind(c.id.to_string())
                    .execute(&mut *other)
                    .await
                    .expect("lock C");
                let a_id = a.id.to_string();
                let task = tokio::spawn(async move {
                    sqlx::query("UPDATE enterprises SET feed_seq = feed_seq WHERE id = $1")
                        .bind(a_id)
                        .execute(&mut *other)
                        .await?;
                    other.commit().await
                });
                wait_for_row_waiters(&db, 2).await;
                Some(task)
            }
        };
        edit.commit().await.expect("commit the edit");

        // The submit gets A's row, finds C in the draft and must not lock C while holding A.
        let (status, doc) = submitting.await.expect("submit task");
        assert_eq!(status, StatusCode::OK, "{doc}");
        assert_eq!(
            doc["counterparty"]["enterprise_id"].as_str(),
            Some(c.id.to_string().as_str())
        );
        if let Some(task) = other {
            task.await
                .expect("other writer task")
                .expect("the other writer is never chosen as a deadlock victim");
        }
        assert!(inbox(&state, &b, "").await.is_empty(), "B sold nothing");
        let items = inbox(&state, &c, "?state=pending").await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["source"].as_str(), Some(sale.as_str()));
        assert_eq!(held(&state, &a, cream, "C1").await, 15);
    }
);
