//! What the rules read for a refresh, and which warnings that refresh decides: every record of
//! some enterprises, or only the records one write touched ([`Narrow`]).

use crate::db::DbError;
use crate::db::rows::{CHUNK_ROWS, Marks};
use serde::de::DeserializeOwned;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use suyuan_core::model::{
    Enterprise, EnterpriseId, NonconformingRecord, Partner, Product, ProductId, Recall,
    ReconciliationItem, ReconciliationItemId, ReconciliationState, Transaction, TransactionId,
};
use suyuan_core::rules::ledger::OpeningBalance;
use suyuan_core::rules::warnings::Warning;
use uuid::Uuid;

pub(super) fn uuid_of(s: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(s).map_err(|_| DbError::Invalid(format!("id {s}")))
}

/// Runs `template` once per chunk of `ids`, each `{ids}` in it replaced by that chunk's
/// placeholders, and returns the rows.
pub(super) async fn rows_for(
    conn: &mut sqlx::AnyConnection,
    template: &str,
    ids: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, DbError> {
    let uses = template.matches("{ids}").count();
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK_ROWS) {
        let mut marks = Marks::on(conn);
        let mut sql = String::with_capacity(template.len() + chunk.len() * 4 * uses);
        for (i, part) in template.split("{ids}").enumerate() {
            if i > 0 {
                let list: Vec<String> = (0..chunk.len()).map(|_| marks.one()).collect();
                sql.push_str(&list.join(", "));
            }
            sql.push_str(part);
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for _ in 0..uses {
            for id in chunk {
                q = q.bind(id.as_str());
            }
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// The `body` column of every row, parsed.
async fn bodies<T: DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    template: &str,
    ids: &[String],
) -> Result<Vec<T>, DbError> {
    rows_for(conn, template, ids)
        .await?
        .iter()
        .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?))
        .collect()
}

/// Everything the rules read for a refresh.
#[derive(Default)]
pub(super) struct Records {
    pub(super) enterprises: Vec<Enterprise>,
    pub(super) regions: HashMap<EnterpriseId, String>,
    pub(super) products: Vec<Product>,
    pub(super) partners: Vec<Partner>,
    pub(super) documents: Vec<Transaction>,
    pub(super) items: Vec<ReconciliationItem>,
    pub(super) recalls: Vec<Recall>,
    pub(super) nonconforming: Vec<NonconformingRecord>,
    pub(super) openings: Vec<OpeningBalance>,
}

/// One statement whose `IN` lists are built as it is written, placeholders in binding order.
pub(super) struct Sql {
    text: String,
    binds: Vec<String>,
    marks: Marks,
}

impl Sql {
    pub(super) fn on(conn: &sqlx::AnyConnection) -> Sql {
        Sql {
            text: String::new(),
            binds: Vec::new(),
            marks: Marks::on(conn),
        }
    }

    pub(super) fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// The placeholders of `values`, or `NULL` (which matches nothing) for none.
    pub(super) fn list(&mut self, values: &[String]) -> &mut Sql {
        if values.is_empty() {
            self.text.push_str("NULL");
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            let mark = self.marks.one();
            self.text.push_str(&mark);
            self.binds.push(v.clone());
        }
        self
    }

    pub(super) async fn fetch(
        &self,
        conn: &mut sqlx::AnyConnection,
    ) -> Result<Vec<sqlx::any::AnyRow>, DbError> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = q.bind(b.as_str());
        }
        Ok(q.fetch_all(conn).await?)
    }

    async fn bodies<T: DeserializeOwned>(
        &self,
        conn: &mut sqlx::AnyConnection,
    ) -> Result<Vec<T>, DbError> {
        self.fetch(conn)
            .await?
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?))
            .collect()
    }
}

pub(super) fn texts<T: ToString>(values: impl IntoIterator<Item = T>) -> Vec<String> {
    values.into_iter().map(|v| v.to_string()).collect()
}

fn opening_of(r: &sqlx::any::AnyRow) -> Result<OpeningBalance, DbError> {
    Ok(OpeningBalance {
        enterprise_id: EnterpriseId(uuid_of(&r.try_get::<String, _>("enterprise_id")?)?),
        product_id: ProductId(uuid_of(&r.try_get::<String, _>("product_id")?)?),
        batch: r.try_get("batch")?,
        quantity: u64::try_from(r.try_get::<i64, _>("quantity")?).unwrap_or(0),
        document: TransactionId(uuid_of(&r.try_get::<String, _>("transaction_id")?)?),
        reason: r.try_get("reason")?,
    })
}

/// Adds the documents confirming the loaded items (a quantity mismatch cites the receiver's),
/// then every enterprise the records name, with its region.
async fn finish_loading(
    conn: &mut sqlx::AnyConnection,
    records: &mut Records,
    own: &[String],
) -> Result<(), DbError> {
    let have: HashSet<TransactionId> = records.documents.iter().map(|d| d.id).collect();
    let confirming: HashSet<String> = records
        .items
        .iter()
        .filter_map(|i| match &i.state {
            ReconciliationState::Confirmed { document, .. } if !have.contains(document) => {
                Some(document.to_string())
            }
            _ => None,
        })
        .collect();
    if !confirming.is_empty() {
        let ids: Vec<String> = confirming.into_iter().collect();
        let more: Vec<Transaction> = bodies(
            conn,
            "SELECT body FROM transactions WHERE status = 'submitted' AND id IN ({ids})",
            &ids,
        )
        .await?;
        records.documents.extend(more);
    }
    let mut named: HashSet<String> = own.iter().cloned().collect();
    for d in &records.documents {
        named.insert(d.enterprise_id.to_string());
        if let Some(e) = d.counterparty.as_ref().and_then(|c| c.enterprise_id) {
            named.insert(e.to_string());
        }
    }
    for i in &records.items {
        named.insert(i.from.to_string());
        named.insert(i.to.to_string());
    }
    let named: Vec<String> = named.into_iter().collect();
    for r in rows_for(
        conn,
        "SELECT id, region_code, body FROM enterprises WHERE id IN ({ids})",
        &named,
    )
    .await?
    {
        let e: Enterprise = serde_json::from_str(&r.try_get::<String, _>("body")?)?;
        records
            .regions
            .insert(e.id, r.try_get::<String, _>("region_code")?);
        records.enterprises.push(e);
    }
    Ok(())
}

/// What the rules read for every warning of the enterprises `ids`.
pub(super) async fn load_whole(
    conn: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<Records, DbError> {
    let mut r = Records {
        documents: bodies(
            conn,
            "SELECT body FROM transactions WHERE status = 'submitted' AND enterprise_id IN ({ids})",
            ids,
        )
        .await?,
        items: bodies(
            conn,
            "SELECT body FROM reconciliation_items \
             WHERE from_enterprise_id IN ({ids}) OR to_enterprise_id IN ({ids})",
            ids,
        )
        .await?,
        partners: bodies(
            conn,
            "SELECT body FROM partners WHERE owner_id IN ({ids})",
            ids,
        )
        .await?,
        ..Records::default()
    };
    let moved = "SELECT l.product_id FROM transaction_lines l WHERE l.enterprise_id IN ({ids})";
    r.products = bodies(
        conn,
        &format!("SELECT body FROM products WHERE owner_id IN ({{ids}}) OR id IN ({moved})"),
        ids,
    )
    .await?;
    r.recalls = bodies(
        conn,
        &format!("SELECT body FROM recalls WHERE product_id IN ({moved})"),
        ids,
    )
    .await?;
    r.nonconforming = bodies(
        conn,
        &format!("SELECT body FROM nonconforming WHERE product_id IN ({moved})"),
        ids,
    )
    .await?;
    r.openings = rows_for(
        conn,
        "SELECT transaction_id, enterprise_id, product_id, batch, quantity, reason \
         FROM opening_balances WHERE enterprise_id IN ({ids})",
        ids,
    )
    .await?
    .iter()
    .map(opening_of)
    .collect::<Result<_, _>>()?;
    finish_loading(conn, &mut r, ids).await?;
    Ok(r)
}

/// Which warnings a write decides: those of `enterprises` about `products`, and those about
/// the records `documents` and `items` (whoever they name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrow {
    /// Enterprises whose records of the products changed (locked during the refresh: every
    /// enterprise a warning about the items may name belongs here too).
    pub enterprises: Vec<EnterpriseId>,
    /// Products whose records changed; the products of `documents` are added.
    pub products: Vec<ProductId>,
    /// Documents written (a submitted one and the one it corrects are found from either).
    pub documents: Vec<TransactionId>,
    /// Reconciliation items written; the items raised by `documents` are added.
    pub items: Vec<ReconciliationItemId>,
}

impl Narrow {
    /// Both scopes at once.
    pub fn extend(&mut self, other: Narrow) {
        self.enterprises.extend(other.enterprises);
        self.products.extend(other.products);
        self.documents.extend(other.documents);
        self.items.extend(other.items);
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.enterprises.is_empty() && self.documents.is_empty() && self.items.is_empty()
    }
}

/// Which stored warnings a refresh decides. The same test picks the computed warnings to keep
/// and the stored ones to reconcile, so the two sides always agree.
pub(super) enum Decides {
    /// Every warning naming one of these enterprises.
    Enterprises(HashSet<EnterpriseId>),
    /// A narrow refresh: warnings of the enterprises about the products (except those about a
    /// reconciliation item, which depend on the item alone), and warnings about the records.
    Narrow {
        enterprises: HashSet<EnterpriseId>,
        products: HashSet<ProductId>,
        subjects: HashSet<Uuid>,
    },
}

impl Decides {
    pub(super) fn covers(
        &self,
        kind_is_about_item: bool,
        enterprise: Option<EnterpriseId>,
        product: Option<ProductId>,
        subject: Option<Uuid>,
    ) -> bool {
        match self {
            Decides::Enterprises(ids) => enterprise.is_some_and(|e| ids.contains(&e)),
            Decides::Narrow {
                enterprises,
                products,
                subjects,
            } => {
                subject.is_some_and(|s| subjects.contains(&s))
                    || (!kind_is_about_item
                        && enterprise.is_some_and(|e| enterprises.contains(&e))
                        && product.is_some_and(|p| products.contains(&p)))
            }
        }
    }

    pub(super) fn covers_warning(&self, w: &Warning) -> bool {
        self.covers(
            w.kind.is_about_item(),
            w.enterprise_id,
            w.product_id,
            w.subject,
        )
    }
}

/// What the rules read for the warnings a [`Narrow`] scope decides, and that scope: the written
/// documents and the ones they correct, the enterprises' documents with a line of one of the
/// products (and the documents correcting those, so they count as the records say), the items
/// raised by the documents or written, the enterprises' partners and opening balances of the
/// products, and the products with their recalls and listings.
pub(super) async fn load_narrow(
    conn: &mut sqlx::AnyConnection,
    n: &Narrow,
) -> Result<(Records, Decides), DbError> {
    let own = texts(&n.enterprises);
    let mut r = Records::default();
    let mut written: Vec<Transaction> = Sql::on(conn)
        .push("SELECT body FROM transactions WHERE status = 'submitted' AND id IN (")
        .list(&texts(&n.documents))
        .push(")")
        .bodies(conn)
        .await?;
    let loaded: HashSet<TransactionId> = written.iter().map(|d| d.id).collect();
    let corrected: Vec<String> = texts(
        written
            .iter()
            .filter_map(|d| d.corrects)
            .filter(|c| !loaded.contains(c)),
    );
    if !corrected.is_empty() {
        let more: Vec<Transaction> = Sql::on(conn)
            .push("SELECT body FROM transactions WHERE status = 'submitted' AND id IN (")
            .list(&corrected)
            .push(")")
            .bodies(conn)
            .await?;
        written.extend(more);
    }
    let mut products: HashSet<ProductId> = n.products.iter().copied().collect();
    let mut subjects: HashSet<Uuid> = HashSet::new();
    for d in &written {
        subjects.insert(d.id.0);
        products.extend(d.lines.iter().map(|l| l.product_id));
    }
    let product_texts = texts(&products);
    let mut seen: HashSet<TransactionId> = written.iter().map(|d| d.id).collect();
    r.documents = written;
    let of_products = Sql::on(conn)
        .push(
            "SELECT body, corrected_by FROM transactions WHERE status = 'submitted' AND id IN \
             (SELECT l.transaction_id FROM transaction_lines l WHERE l.enterprise_id IN (",
        )
        .list(&own)
        .push(") AND l.product_id IN (")
        .list(&product_texts)
        .push("))")
        .fetch(conn)
        .await?;
    // A document counts unless another corrects it, which need not name the same products:
    // the correcting ones are loaded by the `corrected_by` link (the primary key, not a scan).
    let mut correctors: HashSet<TransactionId> = HashSet::new();
    for row in &of_products {
        let d: Transaction = serde_json::from_str(&row.try_get::<String, _>("body")?)?;
        if let Some(c) = row.try_get::<Option<String>, _>("corrected_by")? {
            correctors.insert(TransactionId(uuid_of(&c)?));
        }
        if seen.insert(d.id) {
            r.documents.push(d);
        }
    }
    let correctors = texts(correctors.into_iter().filter(|c| !seen.contains(c)));
    let correcting: Vec<Transaction> = bodies(
        conn,
        "SELECT body FROM transactions WHERE status = 'submitted' AND id IN ({ids})",
        &correctors,
    )
    .await?;
    r.documents
        .extend(correcting.into_iter().filter(|d| seen.insert(d.id)));

    let sources = texts(subjects.iter());
    r.items = Sql::on(conn)
        .push("SELECT body FROM reconciliation_items WHERE source_id IN (")
        .list(&sources)
        .push(") OR id IN (")
        .list(&texts(&n.items))
        .push(")")
        .bodies(conn)
        .await?;
    subjects.extend(r.items.iter().map(|i| i.id.0));

    r.partners = bodies(
        conn,
        "SELECT body FROM partners WHERE owner_id IN ({ids})",
        &own,
    )
    .await?;
    for (table, out) in [("products", 0), ("recalls", 1), ("nonconforming", 2)] {
        let column = if out == 0 { "id" } else { "product_id" };
        let mut q = Sql::on(conn);
        q.push(&format!("SELECT body FROM {table} WHERE {column} IN ("))
            .list(&product_texts)
            .push(")");
        match out {
            0 => r.products = q.bodies(conn).await?,
            1 => r.recalls = q.bodies(conn).await?,
            _ => r.nonconforming = q.bodies(conn).await?,
        }
    }
    r.openings = Sql::on(conn)
        .push(
            "SELECT transaction_id, enterprise_id, product_id, batch, quantity, reason \
             FROM opening_balances WHERE enterprise_id IN (",
        )
        .list(&own)
        .push(") AND product_id IN (")
        .list(&product_texts)
        .push(")")
        .fetch(conn)
        .await?
        .iter()
        .map(opening_of)
        .collect::<Result<_, _>>()?;
    finish_loading(conn, &mut r, &own).await?;
    let decides = Decides::Narrow {
        enterprises: n.enterprises.iter().copied().collect(),
        products,
        subjects,
    };
    Ok((r, decides))
}
