//! Products (产品信息库) and their barcodes (产品条形码库).

use super::common::{Attachment, RecordStatus};
use super::ids::{BarcodeId, EnterpriseId, ProductId};
use serde::{Deserialize, Serialize};

/// A cosmetic product. Products are shared across the platform so that every holder's
/// documents name the same product and a batch can be traced across enterprises.
///
/// Its status (valid, nonconforming, recalled) is derived from records by
/// [`crate::rules::status`], never stored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Identifier.
    pub id: ProductId,
    /// The enterprise that entered it.
    pub owner: EnterpriseId,
    /// Generic name (化妆品通用名称), e.g. 舒唯雅皮肤身体护肤霜.
    pub generic_name: String,
    /// Brand (品牌).
    pub brand: String,
    /// Registration certificate or filing number (注册证号/备案号); its category is parsed from it.
    pub registration_number: String,
    /// Registrant or filer (注册人/备案人).
    pub registrant: String,
    /// Manufacturer (生产企业).
    pub manufacturer: String,
    /// Specification / net content (规格), e.g. "50g".
    pub specification: String,
    /// Shelf life in months (保质期), used to derive expiry from production date.
    pub shelf_life_months: Option<u32>,
    /// Attachments (labels, certificates).
    pub attachments: Vec<Attachment>,
    /// Save/submit state.
    pub status: RecordStatus,
}

/// A packaging level of a barcode: unit → box → case → pallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackagingLevel {
    /// The sales unit (最小销售单元).
    Unit,
    /// An inner box (盒/中包).
    Box,
    /// A shipping case (箱).
    Case,
    /// A pallet (托).
    Pallet,
}

/// A barcode of a product at one packaging level (产品条形码).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barcode {
    /// Identifier.
    pub id: BarcodeId,
    /// The enterprise that entered it.
    pub owner: EnterpriseId,
    /// The product it identifies (产品名称).
    pub product_id: ProductId,
    /// GTIN-8, -12, -13 or -14 digits (条形码).
    pub gtin: String,
    /// Specification (规格).
    pub specification: String,
    /// Package specification (包装规格), e.g. "12支/盒".
    pub package_specification: String,
    /// Packaging level.
    pub level: PackagingLevel,
    /// How many units of the level below one package holds (1 for a unit).
    pub contains_quantity: u32,
    /// GTIN of the level below, when known.
    pub contains_gtin: Option<String>,
    /// Photo of the barcode the GTIN was read from (条形码照片).
    pub photo: Option<Attachment>,
    /// Save/submit state.
    pub status: RecordStatus,
}
