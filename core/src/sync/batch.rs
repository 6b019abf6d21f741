//! Batch import from ERP systems: many documents and products in one call, each under the
//! client's UUID, which becomes the record's id. A batch is all-or-nothing: one bad record
//! and nothing is written, every bad record named by its index.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Most records one batch may carry.
pub const MAX_BATCH_RECORDS: usize = 10_000;

/// A batch of records, applied in order (products first if documents name them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    /// The records.
    pub records: Vec<BatchRecord>,
}

/// One record of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BatchRecord {
    /// A document with its lines, saved as a draft or submitted at once.
    Transaction {
        /// The client's id; it becomes the document's id.
        id: Uuid,
        /// Submit it (提交) rather than only save it.
        #[serde(default)]
        submit: bool,
        /// The document's fields: kind, number, counterparty, date, lines …
        document: Value,
        /// Why stock the records do not show is accepted (期初库存说明).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opening_override: Option<String>,
        /// Warning rules the importer overrides.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        acknowledge: Vec<String>,
    },
    /// A product of the library.
    Product {
        /// The client's id; it becomes the product's id.
        id: Uuid,
        /// The product's fields.
        product: Value,
    },
}

impl BatchRecord {
    /// The client's id of the record.
    pub fn id(&self) -> Uuid {
        match self {
            BatchRecord::Transaction { id, .. } | BatchRecord::Product { id, .. } => *id,
        }
    }
}

/// What an accepted batch wrote, one entry per record in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchResponse {
    /// The records written.
    pub records: Vec<BatchResult>,
}

/// One record written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    /// Its index in the request.
    pub index: usize,
    /// `transaction` or `product`.
    pub entity: String,
    /// Its id (the client's).
    pub id: Uuid,
    /// `draft` or `submitted` for documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_batch_round_trips() {
        let req = BatchRequest {
            records: vec![
                BatchRecord::Product {
                    id: Uuid::new_v4(),
                    product: json!({"generic_name": "面霜"}),
                },
                BatchRecord::Transaction {
                    id: Uuid::new_v4(),
                    submit: true,
                    document: json!({"kind": "purchase_inbound"}),
                    opening_override: None,
                    acknowledge: vec![],
                },
            ],
        };
        let text = serde_json::to_string(&req).expect("json");
        assert_eq!(
            serde_json::from_str::<BatchRequest>(&text).expect("parse"),
            req
        );
        let res = BatchResponse {
            records: vec![BatchResult {
                index: 0,
                entity: "product".into(),
                id: req.records[0].id(),
                status: None,
            }],
        };
        let text = serde_json::to_string(&res).expect("json");
        assert_eq!(
            serde_json::from_str::<BatchResponse>(&text).expect("parse"),
            res
        );
    }

    #[test]
    fn submit_defaults_to_false() {
        let r: BatchRecord = serde_json::from_value(
            json!({"type": "transaction", "id": Uuid::nil(), "document": {}}),
        )
        .expect("parse");
        assert!(matches!(r, BatchRecord::Transaction { submit: false, .. }));
    }
}
