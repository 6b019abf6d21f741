//! The phone sync protocol: the client pushes changes it made offline, each under its own
//! UUID so a resent push applies nothing twice, and pulls the enterprise's change feed from a
//! cursor.

use crate::Problem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Most changes one push may carry.
pub const MAX_PUSH_CHANGES: usize = 500;

/// Most feed rows one pull answers.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// Changes made on a device, in the order they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The device that made them (for the audit trail and diagnostics).
    pub client_id: Uuid,
    /// The changes, applied in order.
    pub changes: Vec<ClientChange>,
}

/// One change made offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientChange {
    /// Chosen by the client once; the server applies a change id at most once.
    pub change_id: Uuid,
    /// What to do.
    #[serde(flatten)]
    pub operation: Operation,
}

/// What a change does. Record bodies carry the fields a client may set (as in the REST API);
/// the server assigns owner and state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// Saves a new draft document (保存) under the client's id.
    SaveTransaction {
        /// The document's id, chosen by the client.
        id: Uuid,
        /// The draft's fields: kind, number, counterparty, date, lines …
        document: Value,
    },
    /// Replaces the fields of a draft saved earlier (修改).
    UpdateTransaction {
        /// The draft.
        id: Uuid,
        /// The draft's fields, all of them.
        document: Value,
    },
    /// Deletes a draft (删除).
    DeleteTransaction {
        /// The draft.
        id: Uuid,
    },
    /// Submits a saved draft (提交).
    SubmitTransaction {
        /// The draft.
        id: Uuid,
        /// Why stock the records do not show is accepted (期初库存说明).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opening_override: Option<String>,
        /// Warning rules the user chose to override.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        acknowledge: Vec<String>,
    },
    /// Adds a product to the library under the client's id.
    SaveProduct {
        /// The product's id, chosen by the client.
        id: Uuid,
        /// The product's fields: generic_name, brand, registration_number …
        product: Value,
    },
    /// Replaces the fields of a product of the enterprise (修改).
    UpdateProduct {
        /// The product.
        id: Uuid,
        /// The product's fields, all of them.
        product: Value,
    },
    /// Adds a barcode (产品条形码) under the client's id.
    SaveBarcode {
        /// The barcode's id, chosen by the client.
        id: Uuid,
        /// The barcode's fields: product_id, gtin, level …
        barcode: Value,
    },
    /// Replaces the fields of a barcode of the enterprise.
    UpdateBarcode {
        /// The barcode.
        id: Uuid,
        /// The barcode's fields, all of them.
        barcode: Value,
    },
    /// Deletes a barcode of the enterprise.
    DeleteBarcode {
        /// The barcode.
        id: Uuid,
    },
    /// Adds a supplier or customer (供应商 / 销售客户) under the client's id.
    SavePartner {
        /// The partner's id, chosen by the client.
        id: Uuid,
        /// The partner's fields as the REST API takes them, with its `role`.
        partner: Value,
    },
    /// Replaces the fields of a partner of the enterprise (its role stays).
    UpdatePartner {
        /// The partner.
        id: Uuid,
        /// The partner's fields, all of them.
        partner: Value,
    },
    /// Deletes a partner no document names (a named one is disabled instead).
    DeletePartner {
        /// The partner.
        id: Uuid,
    },
    /// Confirms an item of the reconciliation inbox (勾兑确认) as the REST confirm does:
    /// records and submits the own mirror document under the client's id.
    ConfirmReconciliation {
        /// The item.
        item_id: Uuid,
        /// The own document's id, chosen by the client.
        document_id: Uuid,
        /// Its number (单号); the server makes one up when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
        /// Its date; the server's today when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<NaiveDate>,
        /// Contact person.
        #[serde(default)]
        contact: String,
        /// Contact phone.
        #[serde(default)]
        phone: String,
        /// The lines actually received, each with the fields of a document line; absent
        /// confirms the item's lines as they are.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lines: Option<Vec<Value>>,
        /// Why the lines differ (差异原因); required when they do.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Why stock the records do not show is accepted (期初库存说明).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opening_override: Option<String>,
        /// Warning rules the user chose to override.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        acknowledge: Vec<String>,
    },
    /// Disputes an item of the reconciliation inbox (异议).
    DisputeReconciliation {
        /// The item.
        item_id: Uuid,
        /// Why the transfer did not happen as recorded.
        reason: String,
    },
    /// Acknowledges a recall that reached the enterprise (签收).
    AcknowledgeRecall {
        /// The recall.
        recall_id: Uuid,
    },
    /// Reports the totals returned and destroyed so far (acknowledging the recall too).
    ReportRecall {
        /// The recall.
        recall_id: Uuid,
        /// Returned up the chain so far.
        quantity_returned: i64,
        /// Destroyed on site so far.
        quantity_destroyed: i64,
    },
    /// Uploads scanned unit codes (追溯码上传) as the server's upload file does; the audit
    /// comes back through the feed as a `unit_upload`.
    UploadUnits {
        /// The scans.
        upload: crate::serial::UploadRequest,
    },
    /// Records a field inspection (现场检查) under the client's id, as a regulator's REST
    /// create does; only a regulator account of the inspected enterprise's region may. Its
    /// photos are uploaded first, each under its own client id.
    RecordInspection {
        /// The inspection's id, chosen by the client.
        id: Uuid,
        /// The inspection's fields as the REST API takes them: enterprise_id, date,
        /// inspectors, items with their verdicts, findings, photo ids.
        inspection: Value,
    },
}

impl Operation {
    /// The id of the record the change is about.
    pub fn record_id(&self) -> Uuid {
        match self {
            Operation::SaveTransaction { id, .. }
            | Operation::UpdateTransaction { id, .. }
            | Operation::DeleteTransaction { id }
            | Operation::SubmitTransaction { id, .. }
            | Operation::SaveProduct { id, .. }
            | Operation::UpdateProduct { id, .. }
            | Operation::SaveBarcode { id, .. }
            | Operation::UpdateBarcode { id, .. }
            | Operation::DeleteBarcode { id }
            | Operation::SavePartner { id, .. }
            | Operation::UpdatePartner { id, .. }
            | Operation::DeletePartner { id }
            | Operation::RecordInspection { id, .. } => *id,
            Operation::ConfirmReconciliation { item_id, .. }
            | Operation::DisputeReconciliation { item_id, .. } => *item_id,
            Operation::AcknowledgeRecall { recall_id }
            | Operation::ReportRecall { recall_id, .. } => *recall_id,
            Operation::UploadUnits { upload } => upload.id,
        }
    }
}

/// The outcome of each pushed change, in the order pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One per change.
    pub results: Vec<ChangeResult>,
}

/// The outcome of one change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeResult {
    /// The change's id as pushed.
    pub change_id: Uuid,
    /// Applied or refused.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Applied (with the record's server id) or refused (with every problem). A change pushed
/// again gets its first outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The change is applied.
    Ok {
        /// The record's id on the server.
        id: Uuid,
    },
    /// The change was refused; nothing of it was written.
    Rejected {
        /// Why, with field and rule.
        problems: Vec<Problem>,
    },
}

/// Asks for the feed after `cursor` (0 for everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The last `seq` the client has seen.
    #[serde(default)]
    pub cursor: i64,
    /// Most rows wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Feed rows after the cursor, oldest first, each with the record as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The rows.
    pub changes: Vec<ServerChange>,
    /// Where the next pull starts.
    pub next_cursor: i64,
    /// More rows wait after `next_cursor`.
    pub more: bool,
}

/// One row of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerChange {
    /// The enterprise's sequence number.
    pub seq: i64,
    /// `transaction`, `reconciliation_item`, `product` …
    pub entity: String,
    /// The record's id.
    pub id: Uuid,
    /// The record now; `null` when it was deleted.
    pub body: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip<T: Serialize + for<'a> Deserialize<'a> + PartialEq + std::fmt::Debug>(v: &T) {
        let text = serde_json::to_string(v).expect("serialize");
        let back: T = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(&back, v);
    }

    #[test]
    fn push_request_round_trips_every_operation() {
        let req = PushRequest {
            client_id: Uuid::new_v4(),
            changes: vec![
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::SaveProduct {
                        id: Uuid::new_v4(),
                        product: json!({"generic_name": "面霜"}),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::UpdateProduct {
                        id: Uuid::new_v4(),
                        product: json!({"generic_name": "护手霜"}),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::SaveBarcode {
                        id: Uuid::new_v4(),
                        barcode: json!({"gtin": "6901234567892"}),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::DeleteBarcode { id: Uuid::new_v4() },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::SavePartner {
                        id: Uuid::new_v4(),
                        partner: json!({"role": "supplier", "name": "甲公司"}),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::UpdatePartner {
                        id: Uuid::new_v4(),
                        partner: json!({"role": "customer", "name": "乙店"}),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::DeletePartner { id: Uuid::new_v4() },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::SaveTransaction {
                        id: Uuid::new_v4(),
                        document: json!({"kind": "purchase_inbound", "lines": []}),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::SubmitTransaction {
                        id: Uuid::new_v4(),
                        opening_override: Some("期初".into()),
                        acknowledge: vec!["licence.expired".into()],
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::ConfirmReconciliation {
                        item_id: Uuid::new_v4(),
                        document_id: Uuid::new_v4(),
                        number: Some("CGRK-1".into()),
                        date: NaiveDate::from_ymd_opt(2026, 5, 1),
                        contact: "王".into(),
                        phone: "13800000000".into(),
                        lines: Some(vec![]),
                        reason: Some("少到一箱".into()),
                        opening_override: None,
                        acknowledge: vec![],
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::DisputeReconciliation {
                        item_id: Uuid::new_v4(),
                        reason: "未收到货".into(),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::AcknowledgeRecall {
                        recall_id: Uuid::new_v4(),
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::ReportRecall {
                        recall_id: Uuid::new_v4(),
                        quantity_returned: 3,
                        quantity_destroyed: 1,
                    },
                },
                ClientChange {
                    change_id: Uuid::new_v4(),
                    operation: Operation::RecordInspection {
                        id: Uuid::new_v4(),
                        inspection: json!({"findings": "未发现问题", "photos": []}),
                    },
                },
            ],
        };
        round_trip(&req);
    }

    #[test]
    fn the_operation_is_tagged_flat_beside_the_change_id() {
        let id = Uuid::nil();
        let change: ClientChange = serde_json::from_value(json!({
            "change_id": id, "op": "submit_transaction", "id": id
        }))
        .expect("parse");
        assert_eq!(
            change.operation,
            Operation::SubmitTransaction {
                id,
                opening_override: None,
                acknowledge: vec![]
            }
        );
    }

    #[test]
    fn a_confirmation_as_sent_needs_only_the_ids() {
        let id = Uuid::nil();
        let change: ClientChange = serde_json::from_value(json!({
            "change_id": id, "op": "confirm_reconciliation", "item_id": id, "document_id": id
        }))
        .expect("parse");
        let Operation::ConfirmReconciliation {
            number,
            lines,
            contact,
            ..
        } = &change.operation
        else {
            panic!("parsed as {:?}", change.operation);
        };
        assert_eq!((number, lines, contact.as_str()), (&None, &None, ""));
        assert_eq!(change.operation.record_id(), id);
    }

    #[test]
    fn responses_round_trip() {
        round_trip(&PushResponse {
            results: vec![
                ChangeResult {
                    change_id: Uuid::new_v4(),
                    outcome: Outcome::Ok { id: Uuid::new_v4() },
                },
                ChangeResult {
                    change_id: Uuid::new_v4(),
                    outcome: Outcome::Rejected {
                        problems: vec![Problem::error(
                            "date",
                            "required",
                            "日期：必填",
                            "Date: required",
                        )],
                    },
                },
            ],
        });
        round_trip(&PullRequest {
            cursor: 7,
            limit: Some(50),
        });
        round_trip(&PullResponse {
            changes: vec![ServerChange {
                seq: 8,
                entity: "transaction".into(),
                id: Uuid::new_v4(),
                body: json!({"number": "XSCK-1"}),
            }],
            next_cursor: 8,
            more: false,
        });
    }

    #[test]
    fn a_rejected_outcome_is_tagged_by_status() {
        let v = serde_json::to_value(Outcome::Rejected { problems: vec![] }).expect("json");
        assert_eq!(v, json!({"status": "rejected", "problems": []}));
    }
}
