//! Writes a generated data set: enterprises and logins in one transaction, products and
//! barcodes through the catalog's own inserts, then the documents day by day through
//! [`BulkLoader`].

use super::{Generator, Plan};
use crate::auth::hash_password;
use crate::db::{self, Actor, BulkLoader, Db, DbError, DemoRecords, LoadStats, NewAccount, Role};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

/// The password of every generated login. Generated data is for benchmarks, never production.
pub const PASSWORD: &str = "suyuan-bench-2026";

/// Login of enterprise `n`'s administrator.
pub fn enterprise_login(n: usize) -> String {
    format!("gen-{n}")
}

/// Login of the regulator of a province (`62`, `51`, `44`).
pub fn regulator_login(province: &str) -> String {
    format!("gen-regulator-{province}")
}

/// The id of a generated login's account.
pub fn account_id(login: &str) -> Uuid {
    Uuid::new_v5(&super::NAMESPACE, login.as_bytes())
}

/// Writes `plan`'s data set into an empty database, calling `progress` after each day.
pub async fn load(
    db: &Db,
    plan: Plan,
    mut progress: impl FnMut(NaiveDate, &LoadStats),
) -> Result<LoadStats, DbError> {
    let mut generator = Generator::new(plan);
    let catalog = generator.catalog().clone();
    let now = Utc::now();
    let hash = hash_password(PASSWORD).map_err(DbError::Invalid)?;
    let mut records = DemoRecords {
        enterprises: catalog.enterprises.clone(),
        ..DemoRecords::default()
    };
    for (n, e) in catalog.enterprises.iter().enumerate() {
        let login = enterprise_login(n);
        records.accounts.push((
            Some(e.id),
            NewAccount {
                id: account_id(&login),
                login,
                password_hash: hash.clone(),
                role: Role::EnterpriseAdmin,
                region_code: None,
                display_name: e.legal_representative.clone(),
            },
        ));
    }
    for (province, name) in [("62", "甘肃省"), ("51", "四川省"), ("44", "广东省")] {
        let login = regulator_login(province);
        records.accounts.push((
            None,
            NewAccount {
                id: account_id(&login),
                login,
                password_hash: hash.clone(),
                role: Role::Regulator,
                region_code: Some(format!("{province}0000")),
                display_name: format!("{name}药品监督管理局"),
            },
        ));
    }
    db::insert_demo(db, &records, now).await?;
    let owner = |id| Actor {
        account_id: account_id(&enterprise_login(
            catalog
                .enterprises
                .iter()
                .position(|e| e.id == id)
                .unwrap_or(0),
        )),
        enterprise_id: id,
    };
    for p in &catalog.products {
        db::insert_product(db, p, &owner(p.owner), now).await?;
    }
    for (i, b) in catalog.barcodes.iter().enumerate() {
        let name = &catalog.products[i / 2].generic_name;
        db::insert_barcode(db, b, name, &owner(b.owner), now).await?;
    }
    let mut loader = BulkLoader::start(db, &catalog.barcodes).await?;
    while let Some((day, drafts)) = generator.next_day() {
        loader.load_day(db, day, drafts).await?;
        progress(day, &loader.stats());
    }
    loader.finish(db).await
}
