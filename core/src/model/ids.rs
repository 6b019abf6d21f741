//! Typed identifiers. Records are created with client-generated UUIDs so a retried upload is harmless.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier (for the edges that create records; rules never call it).
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// An identifier derived from a name inside a namespace, so re-deriving gives the same id.
            pub fn derived(namespace: Uuid, name: &[u8]) -> Self {
                Self(Uuid::new_v5(&namespace, name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// A registered enterprise on the platform (企业主体).
    EnterpriseId
);
id_type!(
    /// A product in the platform's product library (产品信息库).
    ProductId
);
id_type!(
    /// A barcode entry (产品条形码库).
    BarcodeId
);
id_type!(
    /// A supplier or customer kept by one enterprise (供应商/销售客户).
    PartnerId
);
id_type!(
    /// A purchase/sales/stock document (进销存交易).
    TransactionId
);
id_type!(
    /// A counterparty reconciliation item (勾兑).
    ReconciliationItemId
);
id_type!(
    /// A nonconforming-product record (不合格化妆品信息).
    NonconformingId
);
id_type!(
    /// A product recall (产品召回).
    RecallId
);
id_type!(
    /// An uploaded file (licence scan, test report, photo).
    AttachmentId
);
id_type!(
    /// A field inspection of an enterprise by a regulator (现场检查).
    InspectionId
);
