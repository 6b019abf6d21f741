//! Barcode entry on the phone (产品条形码): the enterprise's own barcodes added, edited and
//! deleted offline with the server's rules, queued like products; pulled ones are read-only.

use super::documents::refuse_blocking;
use super::feed::describe;
use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity};
use crate::Problem;
use crate::model::{Barcode, BarcodeId, RecordStatus};
use crate::rules::lifecycle::{self, Action};
use crate::sync::wire::Operation;
use crate::validate::{to_gtin14, validate_barcode};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};

fn not_own() -> StoreError {
    StoreError::Invalid(vec![Problem::error(
        "id",
        "barcode.not_own",
        "只能修改本企业的条形码",
        "Only your own enterprise's barcodes can be changed",
    )])
}

impl Store {
    /// Adds a barcode of the enterprise, or edits one of its own, after the server's rules
    /// (GTIN check digit, one barcode per GTIN); sent at the next sync. Should the server
    /// refuse an edit, the phone goes back to the server's copy.
    pub fn save_barcode(
        &mut self,
        mut b: Barcode,
        acknowledge: &[String],
    ) -> Result<Barcode, StoreError> {
        let me = self.me()?;
        b.owner = me;
        b.gtin = b.gtin.trim().to_owned();
        let existing = self.barcode(b.id)?;
        match &existing {
            Some(old) if old.owner != me => return Err(not_own()),
            Some(old) => b = lifecycle::edit(old, b).map_err(|e| StoreError::Invalid(vec![e]))?,
            None => b.status = RecordStatus::Draft,
        }
        let mut problems = validate_barcode(&b);
        let gtin14 = to_gtin14(&b.gtin);
        let taken = gtin14.is_some()
            && self
                .barcodes("")?
                .iter()
                .any(|o| o.owner == me && o.id != b.id && to_gtin14(&o.gtin) == gtin14);
        if taken {
            problems.push(Problem::error(
                "gtin",
                "gtin.taken",
                "本企业已登记该条形码",
                "Your enterprise already has a barcode with this GTIN",
            ));
        }
        refuse_blocking(&problems, acknowledge)?;
        let body = serde_json::to_value(&b)?;
        let (search, _) = describe(entity::BARCODE, &body)?;
        let tx = self.conn.transaction()?;
        let before: Option<String> = tx
            .query_row(
                "SELECT body FROM records WHERE entity = ?1 AND id = ?2",
                params![entity::BARCODE, b.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 1, 1, ?5) \
             ON CONFLICT (entity, id) DO UPDATE SET body = excluded.body, search = excluded.search, \
             dirty = 1, updated_at = excluded.updated_at",
            params![
                entity::BARCODE,
                b.id.to_string(),
                body.to_string(),
                search,
                Utc::now().to_rfc3339()
            ],
        )?;
        let (op, undo) = match existing {
            None => (
                Operation::SaveBarcode {
                    id: b.id.0,
                    barcode: body,
                },
                None,
            ),
            Some(_) => (
                Operation::UpdateBarcode {
                    id: b.id.0,
                    barcode: body,
                },
                before,
            ),
        };
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::BARCODE,
                record_id: b.id.0,
                op,
                undo,
            },
        )?;
        tx.commit()?;
        Ok(b)
    }

    /// Deletes a barcode of the enterprise; should the server refuse, it comes back.
    pub fn delete_barcode(&mut self, id: BarcodeId) -> Result<(), StoreError> {
        let b = self.barcode(id)?.ok_or_else(|| StoreError::NotFound {
            entity: entity::BARCODE,
            id: id.to_string(),
        })?;
        if b.owner != self.me()? {
            return Err(not_own());
        }
        lifecycle::check(&b.status, Action::Delete).map_err(|e| StoreError::Invalid(vec![e]))?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM records WHERE entity = ?1 AND id = ?2",
            params![entity::BARCODE, id.to_string()],
        )?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::BARCODE,
                record_id: id.0,
                op: Operation::DeleteBarcode { id: id.0 },
                undo: Some(serde_json::to_string(&b)?),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One barcode, as the phone has it.
    pub fn barcode(&self, id: BarcodeId) -> Result<Option<Barcode>, StoreError> {
        self.record(entity::BARCODE, &id.to_string())
    }

    /// Barcodes on the phone (own and pulled) whose GTIN, specifications or other text contain
    /// every word of `keyword`, by GTIN.
    pub fn barcodes(&self, keyword: &str) -> Result<Vec<Barcode>, StoreError> {
        let words: Vec<String> = keyword.split_whitespace().map(str::to_lowercase).collect();
        let mut sql = String::from("SELECT body FROM records WHERE entity = ?1");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND instr(search, ?{}) > 0", i + 2));
        }
        let mut args = vec![entity::BARCODE.to_owned()];
        args.extend(words);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        let mut out: Vec<Barcode> = rows
            .map(|b| Ok(serde_json::from_str(&b?)?))
            .collect::<Result<_, StoreError>>()?;
        out.sort_by(|a, b| a.gtin.cmp(&b.gtin).then(a.id.0.cmp(&b.id.0)));
        Ok(out)
    }
}
