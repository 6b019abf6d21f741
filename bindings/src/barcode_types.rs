//! The core's barcode record (产品条形码) as Kotlin, Swift and Python see it, mirrored field for
//! field like `types.rs`.

use suyuan_core::model::{
    Attachment, Barcode, BarcodeId, EnterpriseId, PackagingLevel, ProductId, RecordStatus,
};

/// A barcode of the library: the GTIN one product is sold or packed under.
#[uniffi::remote(Record)]
pub struct Barcode {
    pub id: BarcodeId,
    pub owner: EnterpriseId,
    pub product_id: ProductId,
    pub gtin: String,
    pub specification: String,
    pub package_specification: String,
    pub level: PackagingLevel,
    pub contains_quantity: u32,
    pub contains_gtin: Option<String>,
    pub photo: Option<Attachment>,
    pub status: RecordStatus,
}
