//! Writes the demo data set in one transaction. Products and barcodes are written with minimal
//! inserts of their own (the same columns and keyword text the catalogue module writes), so the
//! demo does not wait for that module.

use super::accounts::insert_account;
use super::enterprises::insert_enterprise_on;
use super::{Db, DbError, NewAccount, search_text, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::{Barcode, Enterprise, EnterpriseId, Product};
use suyuan_core::validate::to_gtin14;

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
    /// Products.
    pub products: Vec<Product>,
    /// Barcodes.
    pub barcodes: Vec<Barcode>,
}

/// Writes the demo records, all or nothing.
pub async fn insert_demo(db: &Db, r: &DemoRecords, now: DateTime<Utc>) -> Result<(), DbError> {
    let at = timestamp(now);
    let mut tx = db.pool.begin().await?;
    for e in &r.enterprises {
        insert_enterprise_on(&mut tx, e, &at).await?;
    }
    for (enterprise, a) in &r.accounts {
        insert_account(&mut tx, a, *enterprise, &at).await?;
    }
    for p in &r.products {
        sqlx::query(
            "INSERT INTO products (id, owner_id, generic_name, brand, registration_number, search, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(p.id.to_string())
        .bind(p.owner.to_string())
        .bind(&p.generic_name)
        .bind(&p.brand)
        .bind(p.registration_number.trim())
        .bind(search_text([
            p.generic_name.as_str(),
            &p.brand,
            &p.registration_number,
            &p.registrant,
            &p.manufacturer,
        ]))
        .bind(serde_json::to_string(p)?)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    for b in &r.barcodes {
        let product_name = r
            .products
            .iter()
            .find(|p| p.id == b.product_id)
            .map_or("", |p| p.generic_name.as_str());
        sqlx::query(
            "INSERT INTO barcodes (id, owner_id, product_id, gtin, search, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(b.id.to_string())
        .bind(b.owner.to_string())
        .bind(b.product_id.to_string())
        // Stored as GTIN-14 so an EAN-13 and its 14-digit form are one key.
        .bind(to_gtin14(&b.gtin).unwrap_or_else(|| b.gtin.clone()))
        .bind(search_text([
            b.gtin.as_str(),
            &b.specification,
            &b.package_specification,
            product_name,
        ]))
        .bind(serde_json::to_string(b)?)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
