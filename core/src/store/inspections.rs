//! Field inspections recorded on a regulator's phone (现场检查): kept with their photos and
//! queued at once, so a visit to a basement shop with no signal loses nothing. The sync
//! uploads the photos first, each under its own id, then the inspection that lists them; the
//! photos' bytes leave the phone once the server has recorded the inspection.

use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity, parse_time};
use crate::Problem;
use crate::model::{AttachmentId, EnterpriseId, InspectedItem, Inspection, InspectionId};
use crate::sync::wire::Operation;
use crate::validate::records::inspection::photo_type;
use crate::validate::{validate_inspection, validate_photo};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

/// A photo the inspector took, as the app hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoInput {
    /// The file's name (e.g. `IMG_0042.jpg`).
    pub file_name: String,
    /// The image: JPEG, PNG or WebP, at most 10 MB.
    pub data: Vec<u8>,
}

/// An inspection as the inspector records it on the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection {
    /// Its id, chosen by the app once, so that saving twice records it once.
    pub id: InspectionId,
    /// The enterprise inspected (被检查单位).
    pub enterprise_id: EnterpriseId,
    /// Day of the visit (检查日期).
    pub date: NaiveDate,
    /// Names of the inspectors present (检查人员).
    pub inspectors: Vec<String>,
    /// Products scanned, each with the verdict the phone gave.
    pub items: Vec<InspectedItem>,
    /// What was found (检查情况).
    pub findings: String,
    /// Photos taken, in order.
    pub photos: Vec<PhotoInput>,
}

/// Where a record made on this phone stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Waiting to be sent, or sent with no answer yet.
    Pending,
    /// The server has it.
    Synced,
    /// The server refused it; nothing of it was written there.
    Rejected {
        /// Why, with field and rule.
        problems: Vec<Problem>,
    },
}

/// A photo of an inspection recorded on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionPhoto {
    /// Its id, listed in the inspection's `photos` and used on the server too.
    pub id: AttachmentId,
    /// The file's name.
    pub file_name: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// The server has the photo.
    pub uploaded: bool,
    /// Its bytes are still on the phone (until the server records the inspection).
    pub on_phone: bool,
    /// The server's reason, when it would not take the photo.
    pub refused: Option<String>,
}

/// An inspection recorded on this phone, with its photos and its sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalInspection {
    /// The inspection as sent to the server.
    pub inspection: Inspection,
    /// Its photos, in order.
    pub photos: Vec<InspectionPhoto>,
    /// Where it stands with the server.
    pub sync: SyncState,
    /// When it was recorded on the phone.
    pub recorded_at: DateTime<Utc>,
}

fn inspection_search(i: &Inspection) -> String {
    let mut words = vec![i.findings.as_str()];
    words.extend(i.inspectors.iter().map(String::as_str));
    for item in &i.items {
        words.push(&item.code);
        words.push(&item.product_name);
        words.extend(item.batch.as_deref());
    }
    words.join(" ").to_lowercase()
}

impl Store {
    /// The regulator logged in, or the problem of a phone that is not a regulator's.
    fn inspector(&self) -> Result<(), StoreError> {
        let session = self.session()?.ok_or(StoreError::NotLoggedIn)?;
        if session.regulator_id.is_some() {
            return Ok(());
        }
        Err(StoreError::Invalid(vec![Problem::error(
            "session",
            "session.regulator_only",
            "现场检查须由监管账号记录",
            "Only a regulator account records inspections",
        )]))
    }

    /// Records an inspection offline (现场检查) and queues it with its photos. Every problem
    /// the phone can see is refused here at once, each with its field (`findings`,
    /// `items[0].verdict.overall`, `photos[1].data` …); whether the enterprise is in the
    /// inspector's region is the server's to say.
    pub fn record_inspection(
        &mut self,
        new: NewInspection,
        today: NaiveDate,
    ) -> Result<LocalInspection, StoreError> {
        self.inspector()?;
        let photo_ids: Vec<AttachmentId> =
            new.photos.iter().map(|_| AttachmentId::random()).collect();
        let inspection = Inspection {
            id: new.id,
            enterprise_id: new.enterprise_id,
            date: new.date,
            inspectors: new.inspectors.iter().map(|n| n.trim().to_owned()).collect(),
            items: new.items,
            findings: new.findings.trim().to_owned(),
            photos: photo_ids.clone(),
        };
        let mut problems = validate_inspection(&inspection, today);
        for (i, p) in new.photos.iter().enumerate() {
            problems.extend(validate_photo(
                &format!("photos[{i}]"),
                p.file_name.trim(),
                &p.data,
            ));
        }
        if self.inspection(inspection.id)?.is_some() {
            problems.push(Problem::error(
                "id",
                "id.taken",
                "该检查已记录",
                "This inspection is already recorded",
            ));
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let id = inspection.id.to_string();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 1, 1, ?5)",
            params![
                entity::INSPECTION,
                id,
                serde_json::to_string(&inspection)?,
                inspection_search(&inspection),
                Utc::now().to_rfc3339()
            ],
        )?;
        for (position, (photo, pid)) in new.photos.iter().zip(&photo_ids).enumerate() {
            tx.execute(
                "INSERT INTO inspection_photos (id, inspection_id, position, file_name, \
                 content_type, size, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    pid.to_string(),
                    id,
                    position as i64,
                    photo.file_name.trim(),
                    photo_type(&photo.data).unwrap_or_default(),
                    photo.data.len() as i64,
                    photo.data
                ],
            )?;
        }
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::INSPECTION,
                record_id: inspection.id.0,
                op: Operation::RecordInspection {
                    id: inspection.id.0,
                    inspection: serde_json::to_value(&inspection)?,
                },
                undo: None,
            },
        )?;
        tx.commit()?;
        self.inspection(inspection.id)?
            .ok_or_else(|| StoreError::Corrupt(format!("inspection {id} not kept")))
    }

    /// The inspections recorded on this phone, newest first, each with its sync state.
    pub fn inspections(&self) -> Result<Vec<LocalInspection>, StoreError> {
        self.load_inspections(None)
    }

    /// One inspection recorded on this phone.
    pub fn inspection(&self, id: InspectionId) -> Result<Option<LocalInspection>, StoreError> {
        Ok(self.load_inspections(Some(id))?.into_iter().next())
    }

    fn load_inspections(
        &self,
        only: Option<InspectionId>,
    ) -> Result<Vec<LocalInspection>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.id, r.body, r.updated_at, \
             EXISTS (SELECT 1 FROM outbox o WHERE o.entity = r.entity AND o.record_id = r.id), \
             (SELECT j.problems FROM rejections j WHERE j.entity = r.entity \
              AND j.record_id = r.id ORDER BY j.at DESC LIMIT 1) \
             FROM records r WHERE r.entity = ?1 AND (?2 IS NULL OR r.id = ?2) \
             ORDER BY r.updated_at DESC, r.id",
        )?;
        let rows = st.query_map(
            params![entity::INSPECTION, only.map(|i| i.to_string())],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body, at, pending, problems) = row?;
            let inspection: Inspection = serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("inspection {id}: {e}")))?;
            let sync = match (pending, problems) {
                (true, _) => SyncState::Pending,
                (false, Some(p)) => SyncState::Rejected {
                    problems: serde_json::from_str(&p)?,
                },
                (false, None) => SyncState::Synced,
            };
            out.push(LocalInspection {
                photos: self.photos_of(&id)?,
                inspection,
                sync,
                recorded_at: parse_time(&at)?,
            });
        }
        Ok(out)
    }

    fn photos_of(&self, inspection: &str) -> Result<Vec<InspectionPhoto>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, file_name, content_type, size, uploaded, data IS NOT NULL, refused \
             FROM inspection_photos WHERE inspection_id = ?1 ORDER BY position",
        )?;
        let rows = st.query_map([inspection], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (id, file_name, content_type, size, uploaded, on_phone, refused) = row?;
            Ok(InspectionPhoto {
                id: AttachmentId(super::parse_uuid(&id)?),
                file_name,
                content_type,
                size: size.max(0) as u64,
                uploaded,
                on_phone,
                refused,
            })
        })
        .collect()
    }

    /// The bytes of a photo, while they are on the phone.
    pub fn inspection_photo(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT data FROM inspection_photos WHERE id = ?1",
                [id.to_string()],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The photos of a queued inspection the server does not have yet, with their bytes.
    pub fn photos_to_upload(
        &self,
        inspection: InspectionId,
    ) -> Result<Vec<(InspectionPhoto, Vec<u8>)>, StoreError> {
        let mut out = Vec::new();
        for photo in self.photos_of(&inspection.to_string())? {
            if photo.uploaded || photo.refused.is_some() {
                continue;
            }
            if let Some(data) = self.inspection_photo(photo.id)? {
                out.push((photo, data));
            }
        }
        Ok(out)
    }

    /// Notes the server's answer to a photo's upload: it has it, or `refused` says why not
    /// (the inspection that lists it is then refused too, and says so).
    pub fn photo_uploaded(
        &self,
        id: AttachmentId,
        refused: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE inspection_photos SET uploaded = ?2, refused = ?3 WHERE id = ?1",
            params![id.to_string(), refused.is_none(), refused],
        )?;
        Ok(())
    }
}

/// The server recorded an inspection: its photos' bytes leave the phone.
pub(super) fn recorded(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE inspection_photos SET data = NULL, uploaded = 1 WHERE inspection_id = ?1",
        [id],
    )?;
    Ok(())
}
