//! Suppliers (供应商) and sales customers (销售客户) kept by one enterprise.

use super::common::{Attachment, DateRange, Licence, RecordStatus};
use super::enterprise::EnterpriseKind;
use super::ids::{EnterpriseId, PartnerId};
use serde::{Deserialize, Serialize};

/// Whether the partner supplies to us or buys from us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerRole {
    /// 供应商.
    Supplier,
    /// 销售客户.
    Customer,
}

/// Normal or disabled (正常/停用).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerState {
    /// 正常.
    Normal,
    /// 停用.
    Disabled,
}

/// The person a supplier authorises to deal with us (法定授权人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuthorisedPerson {
    /// 姓名.
    pub name: String,
    /// 联系电话.
    pub phone: String,
    /// Resident ID number (身份证号), GB 11643.
    pub id_number: String,
    /// Scope of the authorisation (授权范围).
    pub scope: String,
}

/// A supplier or customer record (供应商信息 / 销售客户信息).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    /// Identifier.
    pub id: PartnerId,
    /// The enterprise that keeps this record.
    pub owner: EnterpriseId,
    /// Supplier or customer.
    pub role: PartnerRole,
    /// Type (供应商类型 / 销售客户类型).
    pub kind: EnterpriseKind,
    /// Status (正常/停用).
    pub state: PartnerState,
    /// Name (供应商名称 / 客户名称).
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub uscc: String,
    /// Contact person (联系人).
    pub contact: String,
    /// Contact phone (联系电话).
    pub phone: String,
    /// Region code (所属地区), GB/T 2260.
    pub region_code: String,
    /// Address (住所).
    pub address: String,
    /// Legal representative (法定代表人).
    pub legal_representative: String,
    /// Licence number and validity (许可证号, 有效期起止).
    pub licence: Option<Licence>,
    /// Quality agreement validity (质量协议有效期), suppliers only.
    pub quality_agreement: Option<DateRange>,
    /// Authorised person (法定授权人信息), suppliers only.
    pub authorised_person: Option<AuthorisedPerson>,
    /// Remittance account (汇款账号).
    pub remittance_account: String,
    /// Attachments (许可证 scans, agreements).
    pub attachments: Vec<Attachment>,
    /// The platform enterprise this partner is, when it is registered; reconciliation needs it.
    pub enterprise_id: Option<EnterpriseId>,
    /// Save/report state (保存/上报).
    pub status: RecordStatus,
}
