//! Suppliers and customers (供应商 / 销售客户) on the phone: kept offline, edited and deleted
//! with the server's rules, and queued for the server like documents.

use super::documents::refuse_blocking;
use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity};
use crate::Problem;
use crate::model::{Partner, PartnerId, PartnerRole, RecordStatus};
use crate::rules::lifecycle::{self, Action};
use crate::sync::wire::Operation;
use crate::validate::validate_partner;
use chrono::{NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

/// The words a keyword search matches against (as the server's list searches).
pub(super) fn partner_search(p: &Partner) -> String {
    format!("{} {} {} {}", p.name, p.uscc, p.contact, p.phone).to_lowercase()
}

fn not_found(id: PartnerId) -> StoreError {
    StoreError::NotFound {
        entity: entity::PARTNER,
        id: id.to_string(),
    }
}

impl Store {
    /// Saves a supplier or customer (保存), new or edited, after the server's validation. An
    /// edit keeps the record's role; the server learns of it at the next sync, and should it
    /// refuse an edit the phone goes back to the server's copy.
    pub fn save_partner(
        &mut self,
        mut p: Partner,
        acknowledge: &[String],
        today: NaiveDate,
    ) -> Result<Partner, StoreError> {
        p.owner = self.me()?;
        p.uscc = p.uscc.trim().to_owned();
        p.region_code = p.region_code.trim().to_owned();
        let existing = self.partner(p.id)?;
        if let Some(old) = &existing {
            let edited = lifecycle::edit(old, p).map_err(|e| StoreError::Invalid(vec![e]))?;
            p = Partner {
                role: old.role,
                enterprise_id: old.enterprise_id,
                ..edited
            };
        } else {
            p.status = RecordStatus::Draft;
            // The server links it to the enterprise its USCC belongs to.
            p.enterprise_id = None;
        }
        let mut problems = validate_partner(&p, today);
        problems.extend(self.uscc_taken(&p)?);
        refuse_blocking(&problems, acknowledge)?;
        let body = serde_json::to_string(&p)?;
        let tx = self.conn.transaction()?;
        let before: Option<String> = tx
            .query_row(
                "SELECT body FROM records WHERE entity = ?1 AND id = ?2",
                params![entity::PARTNER, p.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 0, 1, ?5) \
             ON CONFLICT (entity, id) DO UPDATE SET body = excluded.body, search = excluded.search, \
             dirty = 1, updated_at = excluded.updated_at",
            params![
                entity::PARTNER,
                p.id.to_string(),
                body,
                partner_search(&p),
                Utc::now().to_rfc3339()
            ],
        )?;
        let partner = serde_json::to_value(&p)?;
        let (op, undo) = match existing {
            None => (
                Operation::SavePartner {
                    id: p.id.0,
                    partner,
                },
                None,
            ),
            Some(_) => (
                Operation::UpdatePartner {
                    id: p.id.0,
                    partner,
                },
                before,
            ),
        };
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::PARTNER,
                record_id: p.id.0,
                op,
                undo,
            },
        )?;
        tx.commit()?;
        Ok(p)
    }

    /// Deletes a supplier or customer no document on the phone names (disable it instead);
    /// should the server refuse (a document the phone does not hold names it), it comes back.
    pub fn delete_partner(&mut self, id: PartnerId) -> Result<(), StoreError> {
        let p = self.partner(id)?.ok_or_else(|| not_found(id))?;
        lifecycle::check(&p.status, Action::Delete).map_err(|e| StoreError::Invalid(vec![e]))?;
        // Documents keep the partner only inside their JSON body, written compactly.
        let named: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM records WHERE entity = ?1 AND instr(body, ?2) > 0)",
            params![entity::TRANSACTION, format!("\"partner_id\":\"{id}\"")],
            |r| r.get(0),
        )?;
        if named {
            return Err(StoreError::Invalid(vec![Problem::error(
                "id",
                "referenced.document",
                "该记录已被单据引用，不能删除；可将其状态改为停用",
                "Documents refer to this record, so it cannot be deleted; set its state to disabled instead",
            )]));
        }
        let tx = self.conn.transaction()?;
        let before: String = tx.query_row(
            "SELECT body FROM records WHERE entity = ?1 AND id = ?2",
            params![entity::PARTNER, id.to_string()],
            |r| r.get(0),
        )?;
        tx.execute(
            "DELETE FROM records WHERE entity = ?1 AND id = ?2",
            params![entity::PARTNER, id.to_string()],
        )?;
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::PARTNER,
                record_id: id.0,
                op: Operation::DeletePartner { id: id.0 },
                undo: Some(before),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// One supplier or customer, as the phone has it.
    pub fn partner(&self, id: PartnerId) -> Result<Option<Partner>, StoreError> {
        self.record(entity::PARTNER, &id.to_string())
    }

    /// Suppliers or customers (both when `role` is none) whose name, USCC, contact or phone
    /// contain every word of `keyword`, by name.
    pub fn partners(
        &self,
        role: Option<PartnerRole>,
        keyword: &str,
    ) -> Result<Vec<Partner>, StoreError> {
        let words: Vec<String> = keyword.split_whitespace().map(str::to_lowercase).collect();
        let mut sql = String::from("SELECT body FROM records WHERE entity = ?1");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND instr(search, ?{}) > 0", i + 2));
        }
        let mut args = vec![entity::PARTNER.to_owned()];
        args.extend(words);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for body in rows {
            let p: Partner = serde_json::from_str(&body?)?;
            if role.is_none_or(|r| r == p.role) {
                out.push(p);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.0.cmp(&b.id.0)));
        Ok(out)
    }

    /// The server's unique-USCC rule, checked against the partners on the phone.
    fn uscc_taken(&self, p: &Partner) -> Result<Option<Problem>, StoreError> {
        if p.uscc.is_empty() {
            return Ok(None);
        }
        let taken = self
            .partners(Some(p.role), &p.uscc.to_lowercase())?
            .iter()
            .any(|o| o.id != p.id && o.uscc == p.uscc);
        Ok(taken.then(|| {
            Problem::error(
                "uscc",
                "uscc.taken",
                "已有使用该统一社会信用代码的记录",
                "A record with this unified social credit code already exists",
            )
        }))
    }
}
