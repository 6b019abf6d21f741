//! What the scanner and the inspector ask the phone's records, offline: which product a code
//! names, and the verdict on a scanned batch.

use super::{Store, StoreError, entity};
use crate::barcode::CodeFields;
use crate::model::{Barcode, NonconformingRecord, Product, ProductId, Recall, Transaction};
use crate::rules::status::Blocks;
use crate::rules::verdict::{BatchRecords, Verdict, VerdictInput, verdict};
use crate::validate::gtin::to_gtin14;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

impl Store {
    /// The product a GTIN names, from the barcode library the server sent, or else learnt from
    /// the lines of the documents on this phone, which record the GTIN each product was
    /// scanned or chosen with.
    pub fn product_by_gtin(&self, gtin: &str) -> Result<Option<Product>, StoreError> {
        match self.product_id_by_gtin(gtin)? {
            Some(id) => self.product(id),
            None => Ok(None),
        }
    }

    /// The product a GTIN names: in the barcode library pulled from the server, else on the
    /// documents here (a product can reach a phone on documents before its barcodes do).
    fn product_id_by_gtin(&self, gtin: &str) -> Result<Option<ProductId>, StoreError> {
        let Some(gtin14) = to_gtin14(gtin) else {
            return Ok(None);
        };
        // GTINs are kept as written (8 to 14 digits); all forms contain the unpadded one.
        let needle = gtin14.trim_start_matches('0');
        let mut st = self.conn.prepare_cached(
            "SELECT body FROM records WHERE entity = ?1 AND instr(search, ?2) > 0",
        )?;
        let bodies = st.query_map(params![entity::BARCODE, needle], |r| r.get::<_, String>(0))?;
        for body in bodies {
            let b: Barcode = serde_json::from_str(&body?)?;
            if to_gtin14(&b.gtin).as_deref() == Some(gtin14.as_str()) {
                return Ok(Some(b.product_id));
            }
        }
        let mut st = self.conn.prepare_cached(
            "SELECT body FROM records WHERE entity = ?1 AND instr(search, ?2) > 0 \
             ORDER BY updated_at DESC",
        )?;
        let bodies = st.query_map(params![entity::TRANSACTION, needle], |r| {
            r.get::<_, String>(0)
        })?;
        for body in bodies {
            let doc: Transaction = serde_json::from_str(&body?)?;
            let named = doc.lines.iter().find(|l| {
                l.gtin.as_deref().and_then(to_gtin14).as_deref() == Some(gtin14.as_str())
            });
            if let Some(line) = named {
                return Ok(Some(line.product_id));
            }
        }
        Ok(None)
    }

    /// The product a scanned code names: by GTIN, else by the registration number it carries.
    pub fn product_for_code(&self, code: &CodeFields) -> Result<Option<Product>, StoreError> {
        if let Some(gtin) = &code.gtin
            && let Some(p) = self.product_by_gtin(gtin)?
        {
            return Ok(Some(p));
        }
        if let Some(number) = &code.registration_number {
            let found = self.products(number, 1)?;
            return Ok(found.into_iter().next());
        }
        Ok(None)
    }

    /// The inspector's verdict on a scanned code, from the records cached on this phone.
    /// `batch` is what the inspector typed when the code carries none.
    pub fn verdict(
        &self,
        code: &CodeFields,
        batch: Option<&str>,
        today: NaiveDate,
    ) -> Result<Verdict, StoreError> {
        let product = self.product_for_code(code)?;
        let product_id = match &product {
            Some(p) => Some(p.id),
            None => match &code.gtin {
                Some(g) => self.product_id_by_gtin(g)?,
                None => None,
            },
        };
        let batch = code.batch.as_deref().or(batch).map(str::trim);
        let records = match (product_id, batch) {
            (Some(p), Some(b)) => self.batch_records(p, b)?,
            _ => None,
        };
        let recalls: Vec<Recall> = self.cached(entity::RECALL)?;
        let listings: Vec<NonconformingRecord> = self.cached(entity::NONCONFORMING)?;
        let expiry = code.expiry.or(records.and_then(|(_, e)| e));
        Ok(verdict(&VerdictInput {
            product: product.as_ref(),
            product_id,
            batch,
            expiry,
            blocks: Blocks::new(&recalls, &listings),
            records: records.map(|(r, _)| r),
            today,
        }))
    }

    /// The shop's ledger of one batch and the expiry its inbound documents state.
    fn batch_records(
        &self,
        product: ProductId,
        batch: &str,
    ) -> Result<Option<(BatchRecords, Option<NaiveDate>)>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT SUM(inbound), SUM(inbound) - SUM(outbound), MAX(expiry) FROM stock_moves \
                 WHERE product_id = ?1 AND batch = ?2 HAVING COUNT(*) > 0",
            )?
            .query_row(params![product.to_string(), batch], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .optional()?;
        Ok(row.map(|(inbound, held, expiry)| {
            (
                BatchRecords {
                    inbound: inbound.max(0) as u64,
                    held,
                },
                expiry.and_then(|d| d.parse().ok()),
            )
        }))
    }
}
