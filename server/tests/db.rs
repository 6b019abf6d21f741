//! The database layer on both backends.

mod common;

use chrono::Utc;
use suyuan_core::model::{Enterprise, EnterpriseId, EnterpriseKind};
use suyuan_server::db::{self, DbError};

fn enterprise(uscc: &str) -> Enterprise {
    Enterprise {
        id: EnterpriseId::random(),
        name: "兰州美源化妆品批发有限公司".into(),
        uscc: uscc.into(),
        kind: EnterpriseKind::Wholesaler,
        region_code: "620102".into(),
        address: "甘肃省兰州市城关区".into(),
        legal_representative: "张三".into(),
        licence: None,
        contact: "张三".into(),
        phone: "0931-7617990".into(),
    }
}

on_both_databases!(an_enterprise_round_trips_and_its_uscc_is_unique, |db| {
    let e = enterprise("91512081MA62K0260E");
    db::insert_enterprise(&db, &e, Utc::now()).await.unwrap();
    assert_eq!(
        db::get_enterprise(&db, e.id).await.unwrap(),
        Some(e.clone())
    );
    assert_eq!(
        db::get_enterprise(&db, EnterpriseId::random())
            .await
            .unwrap(),
        None
    );
    let dup = enterprise("91512081MA62K0260E");
    match db::insert_enterprise(&db, &dup, Utc::now()).await {
        Err(DbError::Sqlx(sqlx::Error::Database(e))) => assert!(e.is_unique_violation()),
        other => panic!("expected a unique violation, got {other:?}"),
    }
});

on_both_databases!(migrations_are_idempotent, |db| {
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
});
