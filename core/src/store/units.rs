//! Unit-code uploads made on the phone (追溯码上传): the scans are kept and queued at once, so
//! a shop with no signal loses none; the server audits them when the phone syncs, and its
//! audit (each code accepted or refused, the batch document it was recorded as) comes back
//! through the feed in place of the queued scans.

use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity};
use crate::serial::{UploadRequest, UploadResult};
use crate::sync::wire::Operation;
use chrono::Utc;
use rusqlite::params;
use uuid::Uuid;

/// An upload as the phone knows it: queued, or audited by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitUpload {
    /// Scanned here, not yet audited (offline, or not yet synced).
    Queued(UploadRequest),
    /// The server's audit.
    Audited(UploadResult),
}

impl UnitUpload {
    /// The upload's id.
    pub fn id(&self) -> Uuid {
        match self {
            UnitUpload::Queued(r) => r.id,
            UnitUpload::Audited(r) => r.id,
        }
    }
}

impl Store {
    /// Keeps scanned codes as an upload and queues it for the server. Problems the phone can
    /// see (no number, an outbound without its receiver, a code that is not 24 digits) are
    /// refused here, every one at once; whether each code may move is the server's to say.
    pub fn upload_units(&mut self, request: UploadRequest) -> Result<Uuid, StoreError> {
        self.me()?;
        let problems = request.problems();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let body = serde_json::to_value(&request)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 1, 1, ?5)",
            params![
                entity::UNIT_UPLOAD,
                request.id.to_string(),
                body.to_string(),
                request.number.to_lowercase(),
                Utc::now().to_rfc3339()
            ],
        )?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::UNIT_UPLOAD,
                record_id: request.id,
                op: Operation::UploadUnits {
                    upload: request.clone(),
                },
                undo: None,
            },
        )?;
        tx.commit()?;
        Ok(request.id)
    }

    /// The uploads made here, newest first: queued ones with their scans, audited ones with
    /// the server's verdicts.
    pub fn unit_uploads(&self) -> Result<Vec<UnitUpload>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT body FROM records WHERE entity = ?1 ORDER BY updated_at DESC, id")?;
        let rows = st.query_map([entity::UNIT_UPLOAD], |r| r.get::<_, String>(0))?;
        rows.map(|body| {
            let body: serde_json::Value = serde_json::from_str(&body?)?;
            // The server's audit has verdict lines; the queued scans have codes.
            Ok(if body.get("lines").is_some() {
                UnitUpload::Audited(serde_json::from_value(body)?)
            } else {
                UnitUpload::Queued(serde_json::from_value(body)?)
            })
        })
        .collect()
    }
}
