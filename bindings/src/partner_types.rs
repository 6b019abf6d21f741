//! The core's supplier and customer records (供应商 / 销售客户) as Kotlin, Swift and Python see
//! them, mirrored field for field like `types.rs`.

use chrono::NaiveDate;
use suyuan_core::model::{
    Attachment, AuthorisedPerson, DateRange, EnterpriseId, EnterpriseKind, Licence, Partner,
    PartnerId, PartnerRole, PartnerState, RecordStatus,
};

/// Whether the partner supplies to us or buys from us.
#[uniffi::remote(Enum)]
pub enum PartnerRole {
    /// 供应商.
    Supplier,
    /// 销售客户.
    Customer,
}

/// Normal or disabled (正常/停用).
#[uniffi::remote(Enum)]
pub enum PartnerState {
    /// 正常.
    Normal,
    /// 停用.
    Disabled,
}

/// The kind of operator (供应商类型 / 销售客户类型).
#[uniffi::remote(Enum)]
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

/// A licence number and its validity (许可证号, 有效期起止).
#[uniffi::remote(Record)]
pub struct Licence {
    pub number: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// An inclusive date range (质量协议有效期).
#[uniffi::remote(Record)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The person a supplier authorises to deal with us (法定授权人).
#[uniffi::remote(Record)]
pub struct AuthorisedPerson {
    pub name: String,
    pub phone: String,
    pub id_number: String,
    pub scope: String,
}

/// A supplier or customer record (供应商信息 / 销售客户信息).
#[uniffi::remote(Record)]
pub struct Partner {
    pub id: PartnerId,
    pub owner: EnterpriseId,
    pub role: PartnerRole,
    pub kind: EnterpriseKind,
    pub state: PartnerState,
    pub name: String,
    pub uscc: String,
    pub contact: String,
    pub phone: String,
    pub region_code: String,
    pub address: String,
    pub legal_representative: String,
    pub licence: Option<Licence>,
    pub quality_agreement: Option<DateRange>,
    pub authorised_person: Option<AuthorisedPerson>,
    pub remittance_account: String,
    pub attachments: Vec<Attachment>,
    pub enterprise_id: Option<EnterpriseId>,
    pub status: RecordStatus,
}
