//! Recomputing warnings: load what the rules read for some records, run every rule, and
//! reconcile by key the stored warnings those records decide.
//!
//! Two scopes, each giving for the warnings it decides what one run over every record gives:
//!
//! - By enterprise ([`refresh_enterprises`], and [`refresh_all`] in chunks): each warning the
//!   core raises names exactly one enterprise and depends only on records loaded for it: its
//!   submitted documents, opening balances and partners, the reconciliation items it sent or
//!   received (and the documents confirming the ones it sent), the products it owns or moved
//!   with their recalls and listings, and the names of the enterprises these mention. Keeping
//!   only the warnings naming the enterprises, and reconciling only theirs, leaves every other
//!   warning as it was. The periodic job runs this over everyone, which also catches what only
//!   the passing of time changes (expiry, overdue reconciliation).
//! - After one write ([`refresh_narrow`]): an enterprise's warning about a product depends only
//!   on its documents with that product, its opening balances of it, the product and its
//!   recalls and listings; a warning about a reconciliation item on the item; a warning about
//!   a document (counterparty licence, quality agreement) on the document and its partner. A
//!   submit changes only its enterprise's records of its products (and of the corrected
//!   document's), the warnings about itself and the corrected document, and the items they
//!   raised or superseded; a confirmation or dispute also the item; a recall or listing only
//!   the warnings about its product. So the narrow scope loads just those records and
//!   reconciles just those warnings, which the tests check against a full recomputation.

use super::{WarningState, severity_code, severity_rank};
use crate::db::rows::{CHUNK_ROWS, Marks};
use crate::db::{Db, DbError, WriteTx, regulator::RegionScope, search_text, timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use suyuan_core::model::{
    Enterprise, EnterpriseId, NonconformingRecord, Partner, Product, ProductId, Recall,
    ReconciliationItem, ReconciliationItemId, ReconciliationState, Transaction, TransactionId,
};
use suyuan_core::rules::ledger::{Ledger, OpeningBalance};
use suyuan_core::rules::warnings::{Warning, WarningInput, WarningKind, WarningParams, run};
use uuid::Uuid;

/// Enterprises refreshed in one write transaction by a full refresh.
const FULL_CHUNK: usize = 200;

/// What a refresh changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RefreshReport {
    /// Enterprises whose warnings were recomputed.
    pub enterprises: u64,
    /// Warnings raised for the first time.
    pub raised: u64,
    /// Resolved warnings raised again (back to new).
    pub reopened: u64,
    /// Open warnings whose details changed.
    pub updated: u64,
    /// Open warnings no longer raised.
    pub resolved: u64,
}

impl RefreshReport {
    fn add(&mut self, o: RefreshReport) {
        self.enterprises += o.enterprises;
        self.raised += o.raised;
        self.reopened += o.reopened;
        self.updated += o.updated;
        self.resolved += o.resolved;
    }
}

fn uuid_of(s: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(s).map_err(|_| DbError::Invalid(format!("id {s}")))
}

/// Runs `template` once per chunk of `ids`, each `{ids}` in it replaced by that chunk's
/// placeholders, and returns the rows.
async fn rows_for(
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
struct Records {
    enterprises: Vec<Enterprise>,
    regions: HashMap<EnterpriseId, String>,
    products: Vec<Product>,
    partners: Vec<Partner>,
    documents: Vec<Transaction>,
    items: Vec<ReconciliationItem>,
    recalls: Vec<Recall>,
    nonconforming: Vec<NonconformingRecord>,
    openings: Vec<OpeningBalance>,
}

/// One statement whose `IN` lists are built as it is written, placeholders in binding order.
struct Sql {
    text: String,
    binds: Vec<String>,
    marks: Marks,
}

impl Sql {
    fn on(conn: &sqlx::AnyConnection) -> Sql {
        Sql {
            text: String::new(),
            binds: Vec::new(),
            marks: Marks::on(conn),
        }
    }

    fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// The placeholders of `values`, or `NULL` (which matches nothing) for none.
    fn list(&mut self, values: &[String]) -> &mut Sql {
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

    async fn fetch(
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

fn texts<T: ToString>(values: impl IntoIterator<Item = T>) -> Vec<String> {
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
async fn load_whole(conn: &mut sqlx::AnyConnection, ids: &[String]) -> Result<Records, DbError> {
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
enum Decides {
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
    fn covers(
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

    fn covers_warning(&self, w: &Warning) -> bool {
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
async fn load_narrow(
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

/// A warning as stored, with what [`Decides`] looks at.
struct Existing {
    id: String,
    state: WarningState,
    body: String,
}

fn sorted_ids(ids: &[EnterpriseId]) -> Vec<EnterpriseId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    ids
}

/// Runs every rule over `records` and reconciles the warnings `decides` covers; `stored`
/// selects at least the stored ones it covers.
async fn recompute(
    tx: &mut WriteTx,
    records: &Records,
    decides: &Decides,
    stored: Sql,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let ledger = Ledger::from_documents(&records.documents, &records.openings);
    let input = WarningInput {
        today,
        enterprises: &records.enterprises,
        products: &records.products,
        partners: &records.partners,
        documents: &records.documents,
        items: &records.items,
        recalls: &records.recalls,
        nonconforming: &records.nonconforming,
        openings: &records.openings,
        ledger: &ledger,
        params: WarningParams::default(),
    };
    let computed: Vec<Warning> = run(&input)
        .into_iter()
        .filter(|w| decides.covers_warning(w))
        .collect();
    let mut existing: HashMap<String, Existing> = HashMap::new();
    for r in stored.fetch(tx).await? {
        let kind: String = r.try_get("kind")?;
        let about_item = WarningKind::ALL
            .iter()
            .find(|k| k.code() == kind)
            .is_some_and(|k| k.is_about_item());
        let id_in = |column: &str| -> Result<Option<Uuid>, DbError> {
            r.try_get::<Option<String>, _>(column)?
                .map(|s| uuid_of(&s))
                .transpose()
        };
        let covered = decides.covers(
            about_item,
            id_in("enterprise_id")?.map(EnterpriseId),
            id_in("product_id")?.map(ProductId),
            id_in("subject_id")?,
        );
        if covered {
            existing.insert(
                r.try_get("key")?,
                Existing {
                    id: r.try_get("id")?,
                    state: WarningState::from_code(&r.try_get::<String, _>("state")?)?,
                    body: r.try_get("body")?,
                },
            );
        }
    }
    reconcile(tx, existing, records, &computed, today, now).await
}

const STORED: &str =
    "SELECT id, key, state, body, kind, enterprise_id, product_id, subject_id FROM warnings WHERE ";

/// Recomputes every warning of the enterprises `ids` as of `today` in one write transaction
/// and reconciles the stored ones by key: a new key is inserted as new, an open one keeps its
/// state (acknowledged stays acknowledged) with its details brought up to date, a resolved one
/// raised again is new again, and an open one no longer raised is resolved.
pub async fn refresh_enterprises(
    db: &Db,
    ids: &[EnterpriseId],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let ids = sorted_ids(ids);
    if ids.is_empty() {
        return Ok(RefreshReport::default());
    }
    let mut tx = db.begin_write().await?;
    // Under the enterprises' row locks no submit of theirs commits between the read and the
    // write, so two refreshes of the same enterprise cannot cross.
    tx.lock_enterprises(&ids).await?;
    let own = texts(&ids);
    let records = load_whole(&mut tx, &own).await?;
    let decides = Decides::Enterprises(ids.iter().copied().collect());
    let mut stored = Sql::on(&tx);
    stored
        .push(STORED)
        .push("enterprise_id IN (")
        .list(&own)
        .push(")");
    let mut report = recompute(&mut tx, &records, &decides, stored, today, now).await?;
    report.enterprises = ids.len() as u64;
    tx.commit().await?;
    Ok(report)
}

/// Recomputes, as of `today`, only the warnings a write could change (see [`Narrow`]): the
/// enterprises' warnings about the products, and the warnings about the written documents and
/// items. For those it gives what [`refresh_enterprises`] gives, because each depends only on
/// records loaded here: a warning of an enterprise about a product on that enterprise's
/// documents with the product (and their corrections), its opening balances of the product,
/// the product, its recalls and listings, and a document's partner; a warning about a
/// reconciliation item on the item alone. Warnings about other products and other records
/// cannot have changed.
pub async fn refresh_narrow(
    db: &Db,
    scope: &Narrow,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let mut n = scope.clone();
    n.enterprises = sorted_ids(&n.enterprises);
    if n.is_empty() {
        return Ok(RefreshReport::default());
    }
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&n.enterprises).await?;
    let (records, decides) = load_narrow(&mut tx, &n).await?;
    let Decides::Narrow {
        products, subjects, ..
    } = &decides
    else {
        return Err(DbError::Invalid("narrow scope".into()));
    };
    let mut stored = Sql::on(&tx);
    stored
        .push(STORED)
        .push("(enterprise_id IN (")
        .list(&texts(&n.enterprises))
        .push(") AND product_id IN (")
        .list(&texts(products))
        .push(")) OR subject_id IN (")
        .list(&texts(subjects))
        .push(")");
    let mut report = recompute(&mut tx, &records, &decides, stored, today, now).await?;
    report.enterprises = n.enterprises.len() as u64;
    tx.commit().await?;
    Ok(report)
}

async fn reconcile(
    tx: &mut WriteTx,
    mut existing: HashMap<String, Existing>,
    records: &Records,
    computed: &[Warning],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let names: HashMap<EnterpriseId, &str> = records
        .enterprises
        .iter()
        .map(|e| (e.id, e.name.as_str()))
        .collect();
    let at = timestamp(now);
    let mut report = RefreshReport::default();
    for w in computed {
        let body = serde_json::to_string(w)?;
        let enterprise = w.enterprise_id;
        let name = enterprise
            .and_then(|e| names.get(&e).copied())
            .unwrap_or_default();
        let search = search_text([
            name,
            w.batch.as_deref().unwrap_or(""),
            w.kind.code(),
            w.message_zh.as_str(),
            w.message_en.as_str(),
        ]);
        match existing.remove(&w.key) {
            Some(old) if old.state != WarningState::Resolved => {
                if old.body != body {
                    sqlx::query(
                        "UPDATE warnings SET body = $1, search = $2, enterprise_name = $3, \
                         updated_at = $4 WHERE id = $5",
                    )
                    .bind(body)
                    .bind(search)
                    .bind(name)
                    .bind(&at)
                    .bind(&old.id)
                    .execute(&mut **tx)
                    .await?;
                    report.updated += 1;
                }
            }
            Some(old) => {
                sqlx::query(
                    "UPDATE warnings SET state = 'new', body = $1, search = $2, enterprise_name = $3, \
                     raised_on = $4, updated_at = $5, resolved_at = NULL, acknowledged_by = NULL, \
                     acknowledged_at = NULL WHERE id = $6",
                )
                .bind(body)
                .bind(search)
                .bind(name)
                .bind(today.to_string())
                .bind(&at)
                .bind(&old.id)
                .execute(&mut **tx)
                .await?;
                report.reopened += 1;
            }
            None => {
                let region = enterprise.and_then(|e| records.regions.get(&e)).cloned();
                sqlx::query(
                    "INSERT INTO warnings (id, key, kind, severity, severity_rank, state, enterprise_id, \
                     enterprise_name, region_code, product_id, batch, subject_id, raised_on, search, \
                     body, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
                )
                .bind(Uuid::new_v4().to_string())
                .bind(w.key.as_str())
                .bind(w.kind.code())
                .bind(severity_code(w.severity))
                .bind(severity_rank(w.severity))
                .bind(enterprise.map(|e| e.to_string()))
                .bind(name)
                .bind(region)
                .bind(w.product_id.map(|p| p.to_string()))
                .bind(w.batch.clone())
                .bind(w.subject.map(|u| u.to_string()))
                .bind(today.to_string())
                .bind(search)
                .bind(body)
                .bind(&at)
                .execute(&mut **tx)
                .await?;
                report.raised += 1;
            }
        }
    }
    for old in existing.into_values() {
        if old.state != WarningState::Resolved {
            sqlx::query(
                "UPDATE warnings SET state = 'resolved', resolved_at = $1, updated_at = $1 WHERE id = $2",
            )
            .bind(&at)
            .bind(&old.id)
            .execute(&mut **tx)
            .await?;
            report.resolved += 1;
        }
    }
    Ok(report)
}

/// Recomputes the warnings of every enterprise (of `scope`, when given), [`FULL_CHUNK`]
/// enterprises a transaction, so writers wait for one chunk at most.
pub async fn refresh_all(
    db: &Db,
    scope: Option<&RegionScope>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<RefreshReport, DbError> {
    let rows = match scope {
        Some(s) => {
            sqlx::query(
                "SELECT id FROM enterprises WHERE region_code BETWEEN $1 AND $2 ORDER BY id",
            )
            .bind(&s.low)
            .bind(&s.high)
            .fetch_all(&db.pool)
            .await?
        }
        None => {
            sqlx::query("SELECT id FROM enterprises ORDER BY id")
                .fetch_all(&db.pool)
                .await?
        }
    };
    let ids = rows
        .iter()
        .map(|r| Ok(EnterpriseId(uuid_of(&r.try_get::<String, _>("id")?)?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    let mut report = RefreshReport::default();
    for chunk in ids.chunks(FULL_CHUNK) {
        report.add(refresh_enterprises(db, chunk, today, now).await?);
    }
    Ok(report)
}

/// The enterprises whose warnings a recall or listing of `product` can change: every one
/// whose records moved the product (holders, and sellers whose sales it may now concern).
pub async fn enterprises_moving(db: &Db, product: ProductId) -> Result<Vec<EnterpriseId>, DbError> {
    sqlx::query("SELECT DISTINCT enterprise_id FROM transaction_lines WHERE product_id = $1")
        .bind(product.to_string())
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(EnterpriseId(uuid_of(
                &r.try_get::<String, _>("enterprise_id")?,
            )?))
        })
        .collect()
}
