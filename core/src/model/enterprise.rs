//! The enterprise profile (企业主体信息).

use super::common::Licence;
use super::ids::EnterpriseId;
use serde::{Deserialize, Serialize};

/// The kind of operator, which decides where a batch's backward trace may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseKind {
    /// Registrant, filer or manufacturer (注册人/备案人/生产企业).
    RegistrantManufacturer,
    /// Domestic responsible person of an importer (境内责任人).
    DomesticResponsiblePerson,
    /// Wholesaler (批发企业).
    Wholesaler,
    /// Specialist retail shop (化妆品专营店).
    RetailShop,
    /// Supermarket or department store (商超).
    Supermarket,
    /// Beauty salon or hairdresser (美容美发机构).
    BeautySalon,
    /// E-commerce operator (电子商务经营者).
    ECommerce,
}

impl EnterpriseKind {
    /// All kinds, in the order forms list them.
    pub const ALL: [EnterpriseKind; 7] = [
        EnterpriseKind::RegistrantManufacturer,
        EnterpriseKind::DomesticResponsiblePerson,
        EnterpriseKind::Wholesaler,
        EnterpriseKind::RetailShop,
        EnterpriseKind::Supermarket,
        EnterpriseKind::BeautySalon,
        EnterpriseKind::ECommerce,
    ];

    /// Whether goods may originate here (a backward trace ends at such a holder).
    pub fn is_origin(self) -> bool {
        matches!(
            self,
            EnterpriseKind::RegistrantManufacturer | EnterpriseKind::DomesticResponsiblePerson
        )
    }

    /// Simplified Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            EnterpriseKind::RegistrantManufacturer => "注册人/备案人/生产企业",
            EnterpriseKind::DomesticResponsiblePerson => "境内责任人",
            EnterpriseKind::Wholesaler => "批发企业",
            EnterpriseKind::RetailShop => "化妆品专营店",
            EnterpriseKind::Supermarket => "商超",
            EnterpriseKind::BeautySalon => "美容美发机构",
            EnterpriseKind::ECommerce => "电子商务经营者",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            EnterpriseKind::RegistrantManufacturer => "Registrant / filer / manufacturer",
            EnterpriseKind::DomesticResponsiblePerson => "Domestic responsible person (importer)",
            EnterpriseKind::Wholesaler => "Wholesaler",
            EnterpriseKind::RetailShop => "Retail shop",
            EnterpriseKind::Supermarket => "Supermarket",
            EnterpriseKind::BeautySalon => "Beauty salon / hairdresser",
            EnterpriseKind::ECommerce => "E-commerce",
        }
    }
}

/// A registered operator's profile (企业主体信息).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    /// Identifier.
    pub id: EnterpriseId,
    /// Registered name (企业名称).
    pub name: String,
    /// Unified social credit code (统一社会信用代码), 18 characters.
    pub uscc: String,
    /// Operator kind.
    pub kind: EnterpriseKind,
    /// Administrative division code (GB/T 2260), 6 digits.
    pub region_code: String,
    /// Address (住所).
    pub address: String,
    /// Legal representative (法定代表人).
    pub legal_representative: String,
    /// Operating licence, if the kind needs one.
    pub licence: Option<Licence>,
    /// Contact person (联系人).
    pub contact: String,
    /// Contact phone (联系电话).
    pub phone: String,
}
