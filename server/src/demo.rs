//! Demo data (`--demo`): a registrant-manufacturer in Guangzhou, a wholesaler and two beauty
//! salons in Lanzhou, their logins, a regulator of Lanzhou, the manufacturer's products with
//! barcodes, and a chain of submitted transfers from the manufacturer through the wholesaler to
//! the salons, one of which still has a pending item in its reconciliation inbox. Codes are computed with the core's validators so every USCC, GTIN and filing
//! number is well formed. Ids are derived from fixed names, so they are the same on every
//! machine and database.

use crate::auth::hash_password;
use crate::db::{self, Db, DbError, DemoRecords, NewAccount, Role};
use chrono::{DateTime, Utc};
use suyuan_core::model::{
    Barcode, BarcodeId, Enterprise, EnterpriseId, EnterpriseKind, Licence, PackagingLevel, Product,
    ProductId, RecordStatus,
};
use suyuan_core::validate::{gtin_check_digit, uscc_check_char};
use uuid::Uuid;

/// The password of every demo login. Demo data is for trying the service, never production.
pub const DEMO_PASSWORD: &str = "suyuan-demo-2026";

/// Namespace of the demo's derived ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x5d1c_0a2e_7f43_4c1b_9a66_2b0e_d3f1_a001);

/// A USCC from its first 17 characters and the check character GB 32100 gives them.
fn uscc(first17: &str) -> String {
    let check = uscc_check_char(first17).expect("demo USCC prefixes are 17 valid characters");
    format!("{first17}{check}")
}

/// A GTIN from its digits before the check digit.
fn gtin(data: &str) -> String {
    let check = gtin_check_digit(data).expect("demo GTIN data are digits");
    format!("{data}{check}")
}

struct DemoEnterprise {
    login: &'static str,
    first17: &'static str,
    name: &'static str,
    kind: EnterpriseKind,
    region: &'static str,
    address: &'static str,
    person: &'static str,
    phone: &'static str,
    licence: Option<&'static str>,
}

const ENTERPRISES: [DemoEnterprise; 4] = [
    DemoEnterprise {
        login: "demo-maker",
        first17: "91440112MA59C3K8X",
        name: "广州舒唯雅生物科技有限公司",
        kind: EnterpriseKind::RegistrantManufacturer,
        region: "440112",
        address: "广东省广州市黄埔区科学大道 88 号 A 栋",
        person: "陈立新",
        phone: "020-82201234",
        licence: Some("粤妆20160123"),
    },
    DemoEnterprise {
        login: "demo-wholesale",
        first17: "91620102MA71P4RD2",
        name: "甘肃丝路美妆商贸有限公司",
        kind: EnterpriseKind::Wholesaler,
        region: "620102",
        address: "甘肃省兰州市城关区东岗西路 516 号",
        person: "马文静",
        phone: "0931-8861234",
        licence: None,
    },
    DemoEnterprise {
        login: "demo-salon-qilihe",
        first17: "92620103MA72B9E1Q",
        name: "兰州悦容美容美发店",
        kind: EnterpriseKind::BeautySalon,
        region: "620103",
        address: "甘肃省兰州市七里河区西津西路 21 号",
        person: "王悦",
        phone: "13893112345",
        licence: None,
    },
    DemoEnterprise {
        login: "demo-salon-anning",
        first17: "92620105MA73H2W6L",
        name: "兰州雅姿美容院",
        kind: EnterpriseKind::BeautySalon,
        region: "620105",
        address: "甘肃省兰州市安宁区安宁西路 7 号",
        person: "李雅",
        phone: "13919887766",
        licence: None,
    },
];

/// Login of the demo regulator (兰州市, 620100).
pub const DEMO_REGULATOR: &str = "demo-regulator";
/// Login of the wholesaler's clerk.
pub const DEMO_CLERK: &str = "demo-wholesale-clerk";

/// The demo logins and what each is, for the start-up log and the README.
pub fn demo_logins() -> Vec<(&'static str, String)> {
    let mut logins: Vec<(&'static str, String)> = ENTERPRISES
        .iter()
        .map(|e| {
            (
                e.login,
                format!("{} 管理员 ({})", e.name, e.kind.label_en()),
            )
        })
        .collect();
    logins.push((DEMO_CLERK, "甘肃丝路美妆商贸有限公司 开单员 (clerk)".into()));
    logins.push((DEMO_REGULATOR, "兰州市监管 (regulator, 620100)".into()));
    logins
}

fn account(login: &str, role: Role, region: Option<&str>, name: &str, hash: &str) -> NewAccount {
    NewAccount {
        id: Uuid::new_v5(&NAMESPACE, login.as_bytes()),
        login: login.to_owned(),
        password_hash: hash.to_owned(),
        role,
        region_code: region.map(str::to_owned),
        display_name: name.to_owned(),
    }
}

/// The demo records; `password_hash` is the hash every demo login gets.
pub fn demo_records(now: DateTime<Utc>, password_hash: &str) -> DemoRecords {
    let mut r = DemoRecords::default();
    for d in &ENTERPRISES {
        let code = uscc(d.first17);
        let e = Enterprise {
            id: EnterpriseId::derived(NAMESPACE, code.as_bytes()),
            name: d.name.to_owned(),
            uscc: code,
            kind: d.kind,
            region_code: d.region.to_owned(),
            address: d.address.to_owned(),
            legal_representative: d.person.to_owned(),
            licence: d.licence.map(|number| Licence {
                number: number.to_owned(),
                valid_from: chrono::NaiveDate::from_ymd_opt(2025, 3, 1),
                valid_to: chrono::NaiveDate::from_ymd_opt(2030, 2, 28),
            }),
            contact: d.person.to_owned(),
            phone: d.phone.to_owned(),
        };
        let admin = account(
            d.login,
            Role::EnterpriseAdmin,
            None,
            d.person,
            password_hash,
        );
        r.accounts.push((Some(e.id), admin));
        r.enterprises.push(e);
    }
    let wholesaler = r.enterprises[1].id;
    r.accounts.push((
        Some(wholesaler),
        account(DEMO_CLERK, Role::Clerk, None, "赵小燕", password_hash),
    ));
    r.accounts.push((
        None,
        account(
            DEMO_REGULATOR,
            Role::Regulator,
            Some("620100"),
            "兰州市市场监督管理局",
            password_hash,
        ),
    ));

    let maker = &r.enterprises[0];
    let submitted = RecordStatus::Submitted { at: now };
    let products = [
        (
            "舒唯雅皮肤身体护肤霜",
            "粤G妆网备字2023012345",
            "50g",
            36,
            "697123456001",
        ),
        (
            "舒唯雅清透防晒乳 SPF50+ PA++++",
            "国妆特字G20230001",
            "40ml",
            24,
            "697123456002",
        ),
        (
            "舒唯雅氨基酸洗发露",
            "粤G妆网备字2022008765",
            "400ml",
            36,
            "697123456003",
        ),
    ];
    for (name, number, spec, months, gtin_data) in products {
        let p = Product {
            id: ProductId::derived(NAMESPACE, number.as_bytes()),
            owner: maker.id,
            generic_name: name.to_owned(),
            brand: "舒唯雅".to_owned(),
            registration_number: number.to_owned(),
            registrant: maker.name.clone(),
            manufacturer: maker.name.clone(),
            specification: spec.to_owned(),
            shelf_life_months: Some(months),
            attachments: vec![],
            status: submitted,
        };
        let unit = gtin(gtin_data);
        let barcode = |code: &str, level, package: &str, contains, below: Option<&str>| Barcode {
            id: BarcodeId::derived(NAMESPACE, code.as_bytes()),
            owner: maker.id,
            product_id: p.id,
            gtin: code.to_owned(),
            specification: spec.to_owned(),
            package_specification: package.to_owned(),
            level,
            contains_quantity: contains,
            contains_gtin: below.map(str::to_owned),
            photo: None,
            status: submitted,
        };
        r.barcodes
            .push(barcode(&unit, PackagingLevel::Unit, "1支", 1, None));
        // A shipping case of 24 units: GTIN-14 with packaging indicator 1 over the unit's code.
        let case = gtin(&format!("1{gtin_data}"));
        r.barcodes.push(barcode(
            &case,
            PackagingLevel::Case,
            "24支/箱",
            24,
            Some(&unit),
        ));
        r.products.push(p);
    }
    r
}

/// What `--demo` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    /// The database was empty; the demo data is in.
    Loaded,
    /// The demo data was there from an earlier start; nothing written.
    AlreadyLoaded,
    /// The database holds other enterprises; demo data is never mixed into real data.
    NotEmpty,
}

/// Loads the demo data into an empty database; a second call writes nothing.
pub async fn load_demo(db: &Db) -> Result<DemoOutcome, DbError> {
    let first = uscc(ENTERPRISES[0].first17);
    if db::uscc_registered(db, &first).await? {
        return Ok(DemoOutcome::AlreadyLoaded);
    }
    if db::enterprise_count(db).await? > 0 {
        return Ok(DemoOutcome::NotEmpty);
    }
    let now = Utc::now();
    let hash = hash_password(DEMO_PASSWORD).map_err(DbError::Invalid)?;
    let records = demo_records(now, &hash);
    db::insert_demo(db, &records, now).await?;
    // The catalog and the documents go through the API's own functions, so the demo shows
    // exactly what users' records look like (audit entries, stock, chain, inbox).
    let maker = actor(&records, 0);
    for p in &records.products {
        db::insert_product(db, p, &maker, now).await?;
    }
    for b in &records.barcodes {
        let name = records
            .products
            .iter()
            .find(|p| p.id == b.product_id)
            .map_or("", |p| p.generic_name.as_str());
        db::insert_barcode(db, b, name, &maker, now).await?;
    }
    transfers::load(db, &records, now)
        .await
        .map_err(|e| DbError::Invalid(format!("demo transfers: {e:?}")))?;
    Ok(DemoOutcome::Loaded)
}

/// The admin of the `i`-th demo enterprise, as the author of what the demo writes for it.
fn actor(records: &DemoRecords, i: usize) -> db::Actor {
    db::Actor {
        account_id: Uuid::new_v5(&NAMESPACE, ENTERPRISES[i].login.as_bytes()),
        enterprise_id: records.enterprises[i].id,
    }
}

mod transfers;
