//! Writes the demo's enterprises and logins in one transaction; its products, barcodes and
//! documents then go through the same functions the API uses (see `crate::demo`).

use super::accounts::insert_account;
use super::enterprises::insert_enterprise_on;
use super::{Db, DbError, NewAccount, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::{Barcode, Enterprise, EnterpriseId, Product};

/// How many enterprises are registered.
pub async fn enterprise_count(db: &Db) -> Result<u64, DbError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM enterprises")
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Whether an enterprise with this USCC is registered.
pub async fn uscc_registered(db: &Db, uscc: &str) -> Result<bool, DbError> {
    Ok(sqlx::query("SELECT id FROM enterprises WHERE uscc = $1")
        .bind(uscc)
        .fetch_optional(&db.pool)
        .await?
        .is_some())
}

/// Everything the demo writes.
#[derive(Debug, Clone, Default)]
pub struct DemoRecords {
    /// Enterprise profiles.
    pub enterprises: Vec<Enterprise>,
    /// Accounts, with the enterprise of enterprise roles.
    pub accounts: Vec<(Option<EnterpriseId>, NewAccount)>,
    /// Products (written by `crate::demo` through the catalog's insert).
    pub products: Vec<Product>,
    /// Barcodes (likewise).
    pub barcodes: Vec<Barcode>,
}

/// Writes the demo enterprises and accounts, all or nothing.
pub async fn insert_demo(db: &Db, r: &DemoRecords, now: DateTime<Utc>) -> Result<(), DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    for e in &r.enterprises {
        insert_enterprise_on(&mut tx, e, &at).await?;
    }
    for (enterprise, a) in &r.accounts {
        insert_account(&mut tx, a, *enterprise, &at).await?;
    }
    tx.commit().await?;
    Ok(())
}
