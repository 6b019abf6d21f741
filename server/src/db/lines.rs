//! The flat line rows a trace and a recall read (`transaction_lines`): gathered as documents
//! are submitted and written when the write ends, a statement per `CHUNK_ROWS` lines rather
//! than one per document.

use super::DbError;
use super::rows::insert_rows;
use super::transactions::{counterparty_enterprise, kind_code};
use suyuan_core::model::{RecordStatus, Transaction};

/// One line row to write.
#[derive(Debug)]
struct LineRow {
    document: String,
    no: i64,
    enterprise: String,
    kind: &'static str,
    date: String,
    product: String,
    batch: String,
    quantity: i64,
    unit: String,
    expiry: Option<String>,
    party_id: Option<String>,
    party_uscc: Option<String>,
    party_name: String,
}

/// Line rows waiting to be written, in submit order.
#[derive(Debug, Default)]
pub(super) struct Lines {
    rows: Vec<LineRow>,
}

impl Lines {
    /// The rows of a submitted document.
    pub(super) fn add(&mut self, doc: &Transaction) -> Result<(), DbError> {
        let RecordStatus::Submitted { .. } = doc.status else {
            return Err(DbError::Invalid("lines of a draft".into()));
        };
        let party = doc.counterparty.as_ref();
        for (i, l) in doc.lines.iter().enumerate() {
            self.rows.push(LineRow {
                document: doc.id.to_string(),
                no: i64::try_from(i).unwrap_or(i64::MAX),
                enterprise: doc.enterprise_id.to_string(),
                kind: kind_code(doc.kind),
                date: doc.date.to_string(),
                product: l.product_id.to_string(),
                batch: l.batch.clone(),
                quantity: i64::from(l.quantity),
                unit: l.unit.clone(),
                expiry: l.expiry_date.map(|d| d.to_string()),
                party_id: counterparty_enterprise(doc),
                party_uscc: party.and_then(|c| c.uscc.clone()),
                party_name: party.map_or(String::new(), |c| c.name.clone()),
            });
        }
        Ok(())
    }

    /// How many rows wait.
    pub(super) fn mark(&self) -> usize {
        self.rows.len()
    }

    /// Drops the rows added after `mark`.
    pub(super) fn rewind(&mut self, mark: usize) {
        self.rows.truncate(mark);
    }

    /// Writes the waiting rows.
    pub(super) async fn write(&mut self, conn: &mut sqlx::AnyConnection) -> Result<(), DbError> {
        let rows: Vec<LineRow> = self.rows.drain(..).collect();
        insert_rows(
            conn,
            "INSERT INTO transaction_lines (transaction_id, line_no, enterprise_id, kind, doc_date, product_id, \
             batch, quantity, unit, expiry_date, counterparty_enterprise_id, counterparty_uscc, counterparty_name, counted)",
            "",
            14,
            &rows,
            |q, r| {
                q.bind(r.document.clone())
                    .bind(r.no)
                    .bind(r.enterprise.clone())
                    .bind(r.kind)
                    .bind(r.date.clone())
                    .bind(r.product.clone())
                    .bind(r.batch.clone())
                    .bind(r.quantity)
                    .bind(r.unit.clone())
                    .bind(r.expiry.clone())
                    .bind(r.party_id.clone())
                    .bind(r.party_uscc.clone())
                    .bind(r.party_name.clone())
                    .bind(1_i64)
            },
        )
        .await
    }
}
