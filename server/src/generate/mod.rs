//! A synthetic provincial data set for the regulator benchmarks (issue 5): tiers of enterprises
//! in three provinces (registrants, wholesalers, shops and salons), their products and barcodes,
//! and day after day of transfers between them, generated deterministically from a seed.
//!
//! Everything here is pure: [`Generator`] yields the enterprises, products and barcodes, then
//! each day's documents as drafts in the order they are submitted. `db::bulk` writes them
//! through the core's submit rules; nothing here touches a database.

mod flows;
mod load;

pub use flows::{Generator, batch_number, makes_batch};
pub use load::{PASSWORD, account_id, enterprise_login, load, regulator_login};

use chrono::NaiveDate;
use suyuan_core::model::{
    Barcode, BarcodeId, Enterprise, EnterpriseId, EnterpriseKind, Licence, PackagingLevel, Product,
    ProductId, RecordStatus,
};
use suyuan_core::validate::{gtin_check_digit, uscc_check_char};
use uuid::Uuid;

/// Namespace of the generated ids, so the same plan gives the same ids on every machine.
const NAMESPACE: Uuid = Uuid::from_u128(0x6e4e_2a7d_91c3_4f0e_b5a8_3c2d_1e0f_b001);

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Enterprises in all (at least 3 per tier are made).
    pub enterprises: u32,
    /// Document lines to reach; the day that reaches it is the last.
    pub lines: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Date of the first day.
    pub start: NaiveDate,
}

impl Plan {
    /// The benchmark's plan: 20,000 enterprises and 10,000,000 lines from 2025-09-01 (they
    /// reach mid-March 2026), so no document is dated after the day the figures were taken.
    pub fn benchmark() -> Plan {
        Plan {
            enterprises: 20_000,
            lines: 10_000_000,
            seed: 20_250_901,
            start: NaiveDate::from_ymd_opt(2025, 9, 1).expect("a date"),
        }
    }
}

/// County-level regions the enterprises are spread over: Gansu, Sichuan and Guangdong.
pub const REGIONS: [&str; 18] = [
    "620102", "620103", "620104", "620105", "620402", "620502", "510104", "510105", "510106",
    "510107", "510108", "510703", "440103", "440104", "440105", "440106", "440111", "440303",
];

/// Products each registrant makes.
pub const PRODUCTS_PER_REGISTRANT: u32 = 10;

const BRANDS: [&str; 8] = [
    "舒唯雅",
    "雪域",
    "川妍",
    "陇颜",
    "岭南",
    "素肌",
    "花间",
    "润泽",
];
const TYPES: [&str; 10] = [
    "保湿面霜",
    "氨基酸洗发露",
    "清透防晒乳",
    "护手霜",
    "爽肤水",
    "洁面乳",
    "修护精华液",
    "身体乳",
    "补水面膜",
    "润唇膏",
];

/// An enterprise's place in the supply chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Makes products (成品入库) and sells to wholesalers.
    Registrant,
    /// Buys from registrants, sells to shops.
    Wholesaler,
    /// Buys from wholesalers, sells to consumers.
    Retail,
}

/// The enterprises, products and barcodes of a plan.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Every enterprise; registrants first, then wholesalers, then retail.
    pub enterprises: Vec<Enterprise>,
    /// Registrants' products, [`PRODUCTS_PER_REGISTRANT`] each, in registrant order.
    pub products: Vec<Product>,
    /// Each product's unit and case barcodes.
    pub barcodes: Vec<Barcode>,
    /// Registrants, wholesalers: the first index of the next tier.
    pub tiers: (u32, u32),
}

impl Catalog {
    /// The tier of enterprise `n`.
    pub fn tier(&self, n: u32) -> Tier {
        if n < self.tiers.0 {
            Tier::Registrant
        } else if n < self.tiers.1 {
            Tier::Wholesaler
        } else {
            Tier::Retail
        }
    }
}

fn uscc(first17: &str) -> String {
    let check = uscc_check_char(first17).expect("17 digits are valid USCC characters");
    format!("{first17}{check}")
}

fn gtin(data: &str) -> String {
    let check = gtin_check_digit(data).expect("digits");
    format!("{data}{check}")
}

/// The filing-number prefix of a province (省G妆网备字).
fn province_abbreviation(region: &str) -> &'static str {
    match &region[..2] {
        "62" => "甘",
        "51" => "川",
        _ => "粤",
    }
}

/// 1 % registrants and 9 % wholesalers (at least 3 of each), the rest shops, supermarkets and
/// salons; each with a region, a valid USCC and, for the first two tiers, a licence.
pub fn catalog(plan: &Plan) -> Catalog {
    let n = plan.enterprises.max(9);
    let registrants = (n / 100).max(3);
    let wholesalers = (n * 9 / 100).max(3);
    let tiers = (registrants, registrants + wholesalers);
    let mut enterprises = Vec::with_capacity(n as usize);
    for i in 0..n {
        let region = REGIONS[(i as usize * 7 + i as usize / 18) % REGIONS.len()];
        let (kind, name) = if i < tiers.0 {
            let brand = BRANDS[i as usize % BRANDS.len()];
            (
                EnterpriseKind::RegistrantManufacturer,
                format!("{brand}生物科技有限公司（{i}）"),
            )
        } else if i < tiers.1 {
            (
                EnterpriseKind::Wholesaler,
                format!("丝路美妆商贸有限公司（{i}）"),
            )
        } else {
            match i % 3 {
                0 => (EnterpriseKind::RetailShop, format!("悦容化妆品店（{i}）")),
                1 => (EnterpriseKind::Supermarket, format!("惠民超市（{i}）")),
                _ => (EnterpriseKind::BeautySalon, format!("雅姿美容院（{i}）")),
            }
        };
        let code = uscc(&format!("91{region}{i:09}"));
        let licensed = i < tiers.1;
        enterprises.push(Enterprise {
            id: EnterpriseId::derived(NAMESPACE, code.as_bytes()),
            name,
            uscc: code,
            kind,
            region_code: region.to_owned(),
            address: format!("{region} 区商业街 {} 号", i % 500 + 1),
            legal_representative: "王立新".to_owned(),
            licence: licensed.then(|| Licence {
                number: format!("妆{:08}", i),
                valid_from: NaiveDate::from_ymd_opt(2024, 3, 1),
                valid_to: NaiveDate::from_ymd_opt(2029, 2, 28),
            }),
            contact: "王立新".to_owned(),
            phone: format!("138{:08}", i),
        });
    }
    let submitted = RecordStatus::Submitted {
        at: plan.start.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
    };
    let (mut products, mut barcodes) = (vec![], vec![]);
    for r in 0..registrants {
        let maker = &enterprises[r as usize];
        let brand = BRANDS[r as usize % BRANDS.len()];
        for k in 0..PRODUCTS_PER_REGISTRANT {
            let serial = r * PRODUCTS_PER_REGISTRANT + k;
            let number = format!(
                "{}G妆网备字2025{serial:06}",
                province_abbreviation(&maker.region_code)
            );
            let product = Product {
                id: ProductId::derived(NAMESPACE, number.as_bytes()),
                owner: maker.id,
                generic_name: format!("{brand}{}", TYPES[k as usize % TYPES.len()]),
                brand: brand.to_owned(),
                registration_number: number,
                registrant: maker.name.clone(),
                manufacturer: maker.name.clone(),
                specification: "50ml".to_owned(),
                shelf_life_months: Some(36),
                attachments: vec![],
                status: submitted,
            };
            let unit = gtin(&format!("69{serial:010}"));
            let case = gtin(&format!("169{serial:010}"));
            for (code, level, package, contains, below) in [
                (&unit, PackagingLevel::Unit, "1瓶", 1, None),
                (
                    &case,
                    PackagingLevel::Case,
                    "24瓶/箱",
                    24,
                    Some(unit.clone()),
                ),
            ] {
                barcodes.push(Barcode {
                    id: BarcodeId::derived(NAMESPACE, code.as_bytes()),
                    owner: maker.id,
                    product_id: product.id,
                    gtin: code.clone(),
                    specification: "50ml".to_owned(),
                    package_specification: package.to_owned(),
                    level,
                    contains_quantity: contains,
                    contains_gtin: below,
                    photo: None,
                    status: submitted,
                });
            }
            products.push(product);
        }
    }
    Catalog {
        enterprises,
        products,
        barcodes,
        tiers,
    }
}

#[cfg(test)]
mod tests;
