//! The product library on the phone: the enterprise's own products, and those pulled from
//! the server.

use super::outbox::{self, Enqueue};
use super::{Store, StoreError, entity};
use crate::Problem;
use crate::model::{Product, ProductId, RecordStatus};
use crate::rules::lifecycle;
use crate::sync::wire::Operation;
use crate::validate::records::validate_product;
use rusqlite::{OptionalExtension, params};

/// The words a keyword search matches against.
pub(super) fn product_search(p: &Product) -> String {
    format!(
        "{} {} {} {} {}",
        p.generic_name, p.brand, p.registration_number, p.registrant, p.specification
    )
    .to_lowercase()
}

impl Store {
    /// Adds a product to the library offline, or edits one of the enterprise's own (修改).
    /// Unsent edits fold into the unsent save; should the server refuse an edit, the phone
    /// goes back to the server's copy.
    pub fn save_product(
        &mut self,
        mut p: Product,
        acknowledge: &[String],
    ) -> Result<Product, StoreError> {
        let me = self.me()?;
        p.owner = me;
        let existing = self.product(p.id)?;
        match &existing {
            Some(old) if old.owner != me => {
                return Err(StoreError::Invalid(vec![Problem::error(
                    "id",
                    "product.not_own",
                    "只能修改本企业的产品",
                    "Only your own enterprise's products can be edited",
                )]));
            }
            Some(old) => p = lifecycle::edit(old, p).map_err(|e| StoreError::Invalid(vec![e]))?,
            None => p.status = RecordStatus::Draft,
        }
        super::documents::refuse_blocking(&validate_product(&p), acknowledge)?;
        let tx = self.conn.transaction()?;
        let before: Option<String> = tx
            .query_row(
                "SELECT body FROM records WHERE entity = ?1 AND id = ?2",
                params![entity::PRODUCT, p.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "INSERT INTO records (entity, id, body, search, submitted, dirty, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 0, 1, ?5) \
             ON CONFLICT (entity, id) DO UPDATE SET body = excluded.body, search = excluded.search, \
             dirty = 1, updated_at = excluded.updated_at",
            params![
                entity::PRODUCT,
                p.id.to_string(),
                serde_json::to_string(&p)?,
                product_search(&p),
                chrono::Utc::now().to_rfc3339()
            ],
        )?;
        let product = serde_json::to_value(&p)?;
        let (op, undo) = match existing {
            None => (
                Operation::SaveProduct {
                    id: p.id.0,
                    product,
                },
                None,
            ),
            Some(_) => (
                Operation::UpdateProduct {
                    id: p.id.0,
                    product,
                },
                before,
            ),
        };
        outbox::enqueue(
            &tx,
            Enqueue {
                entity: entity::PRODUCT,
                record_id: p.id.0,
                op,
                undo,
            },
        )?;
        tx.commit()?;
        Ok(p)
    }

    /// One product of the library.
    pub fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        self.record(entity::PRODUCT, &id.to_string())
    }

    /// Products whose name, brand, filing number, registrant or specification contain every
    /// word of `keyword` (typing 肤 finds 舒唯雅皮肤身体护肤霜).
    pub fn products(&self, keyword: &str, limit: u32) -> Result<Vec<Product>, StoreError> {
        let words: Vec<String> = keyword.split_whitespace().map(str::to_lowercase).collect();
        let mut sql = String::from("SELECT body FROM records WHERE entity = ?1");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND instr(search, ?{}) > 0", i + 2));
        }
        sql.push_str(&format!(" ORDER BY search LIMIT {limit}"));
        let mut args = vec![entity::PRODUCT.to_owned()];
        args.extend(words);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|b| Ok(serde_json::from_str(&b?)?)).collect()
    }
}
