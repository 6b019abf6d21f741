//! A regulator's batch trace (批次追溯): the batch's movements read with one query over the
//! `transaction_lines` index, folded by the core's trace, and labelled with each platform
//! holder's name, USCC and region.
//!
//! A trace crosses regions, as goods do. Every holder of the batch is listed with its name,
//! USCC, region and quantities whatever the regulator's region, since finding every holder is
//! what a trace is for; `in_region` tells which holders the regulator may drill into (the
//! directory routes answer 404 for the others).

use super::RegionScope;
use crate::db::{Db, DbError};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use suyuan_core::model::{EnterpriseId, ProductId, TransactionId, TransactionKind};
use suyuan_core::rules::trace::{
    BatchTrace, CounterpartyKey, DocumentRef, EdgeKind, Movement, Party, RecordedBy, RowDirection,
    TraceDirection, TraceStart, trace_movements,
};
use uuid::Uuid;

/// One document's quantity of the batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentLine {
    /// The document's id.
    pub id: Uuid,
    /// Its number (单号).
    pub number: String,
    /// Its kind, e.g. `sales_outbound`.
    pub kind: String,
    /// Its date.
    pub date: NaiveDate,
    /// Quantity of the batch on it.
    pub quantity: u64,
    /// `sender` (销售出库, 采购退出) or `receiver` (采购入库, 销售退入, 成品入库).
    pub recorded_by: String,
}

/// A holder of the batch (a platform enterprise) or an external counterparty named on
/// documents.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolderNode {
    /// The platform enterprise, for a registered holder.
    pub enterprise_id: Option<Uuid>,
    /// Registered name, or the name the documents give an external.
    pub name: String,
    /// USCC (统一社会信用代码), when known.
    pub uscc: Option<String>,
    /// Region code of a platform enterprise.
    pub region_code: Option<String>,
    /// Operator kind of a platform enterprise, e.g. `wholesaler`.
    pub kind: Option<String>,
    /// A platform enterprise inside the regulator's region, whose records it may open.
    pub in_region: bool,
    /// From own production (成品入库).
    pub produced: u64,
    /// Received by purchase, as the holder recorded it.
    pub received: u64,
    /// Sold on, as the holder recorded it.
    pub passed_on: u64,
    /// Returned to suppliers.
    pub returned_out: u64,
    /// Taken back from customers.
    pub returns_in: u64,
    /// What a platform enterprise holds now by its submitted documents (negative means its
    /// records do not add up); none for an external, whose stock is not on the platform.
    pub held: Option<i64>,
    /// Sale steps downstream of the start.
    pub depth_forward: Option<u32>,
    /// Sale steps upstream of the start.
    pub depth_backward: Option<u32>,
    /// Its 成品入库 documents of the batch.
    pub production: Vec<DocumentLine>,
}

/// Movements from one holder to another.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementEdge {
    /// Index of the sender in `nodes`.
    pub from: u32,
    /// Index of the receiver in `nodes`.
    pub to: u32,
    /// `sale` or `return`.
    pub kind: String,
    /// Quantity the sender recorded as sent.
    pub sent: u64,
    /// Quantity the receiver recorded as received (less than sent: in transit, short or
    /// disputed).
    pub received: u64,
    /// The documents of both ends, by date.
    pub documents: Vec<DocumentLine>,
}

/// One line of the traceability tree: a document under the holder it leads from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TreeLine {
    /// Indentation, 0 at the start.
    pub depth: u32,
    /// `forward` (downstream) or `backward` (upstream).
    pub direction: String,
    /// Index of the sender in `nodes`.
    pub from: u32,
    /// Index of the receiver in `nodes`.
    pub to: u32,
    /// Index of the edge in `edges`.
    pub edge: u32,
    /// The receiver is expanded elsewhere in the tree, so nothing is listed under this line.
    pub repeat: bool,
    /// The document.
    pub document: DocumentLine,
}

/// A batch trace as a regulator reads it: the graph and the tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TraceReport {
    /// The product.
    pub product_id: Uuid,
    /// Its generic name, when it is in the library.
    pub product_name: Option<String>,
    /// The batch (批号).
    pub batch: String,
    /// `forward`, `backward` or `both`.
    pub direction: String,
    /// Holders of the trace inside the regulator's region.
    pub holders_in_region: u32,
    /// The holders, in a stable order; edges and tree lines refer to them by index.
    pub nodes: Vec<HolderNode>,
    /// The movements between them.
    pub edges: Vec<MovementEdge>,
    /// The traceability report, downstream lines first.
    pub tree: Vec<TreeLine>,
    /// The unit the trace started from, with its own history, when it was traced by its code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub unit: Option<crate::db::UnitView>,
}

/// A counted line of the batch as the index holds it, parsed.
struct LineRow {
    document: TransactionId,
    number: String,
    kind: TransactionKind,
    date: NaiveDate,
    holder: EnterpriseId,
    counterparty_enterprise: Option<EnterpriseId>,
    counterparty_uscc: Option<String>,
    counterparty_name: String,
    quantity: u64,
}

fn kind_of(code: &str) -> Result<TransactionKind, DbError> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|_| DbError::Invalid(format!("transaction kind {code}")))
}

fn uuid_of(text: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(text).map_err(|_| DbError::Invalid(format!("id {text}")))
}

/// Every counted line of `batch` of `product`: one query over `transaction_lines` (its
/// `transaction_lines_batch` index), joined to each line's document for the number.
async fn batch_lines(db: &Db, product: ProductId, batch: &str) -> Result<Vec<LineRow>, DbError> {
    let rows = sqlx::query(
        "SELECT l.transaction_id, t.number, l.kind, l.doc_date, l.enterprise_id, \
         l.counterparty_enterprise_id, l.counterparty_uscc, l.counterparty_name, l.quantity \
         FROM transaction_lines l JOIN transactions t ON t.id = l.transaction_id \
         WHERE l.product_id = $1 AND l.batch = $2 AND l.counted = 1",
    )
    .bind(product.to_string())
    .bind(batch)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let date: String = r.try_get("doc_date")?;
            Ok(LineRow {
                document: TransactionId(uuid_of(&r.try_get::<String, _>("transaction_id")?)?),
                number: r.try_get("number")?,
                kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                date: date
                    .parse()
                    .map_err(|_| DbError::Invalid(format!("date {date}")))?,
                holder: EnterpriseId(uuid_of(&r.try_get::<String, _>("enterprise_id")?)?),
                counterparty_enterprise: r
                    .try_get::<Option<String>, _>("counterparty_enterprise_id")?
                    .map(|s| uuid_of(&s).map(EnterpriseId))
                    .transpose()?,
                counterparty_uscc: r.try_get("counterparty_uscc")?,
                counterparty_name: r.try_get("counterparty_name")?,
                quantity: u64::try_from(r.try_get::<i64, _>("quantity")?).unwrap_or(0),
            })
        })
        .collect()
}

/// What the directory knows of a platform enterprise: name, USCC, region, kind.
struct Registered {
    name: String,
    uscc: String,
    region_code: String,
    kind: String,
}

/// The registered enterprises among `ids`, a few hundred a query.
async fn registered(
    db: &Db,
    ids: &[EnterpriseId],
) -> Result<HashMap<EnterpriseId, Registered>, DbError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, name, uscc, region_code, kind FROM enterprises WHERE id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(&db.pool).await? {
            let id = EnterpriseId(uuid_of(&r.try_get::<String, _>("id")?)?);
            out.insert(
                id,
                Registered {
                    name: r.try_get("name")?,
                    uscc: r.try_get("uscc")?,
                    region_code: r.try_get("region_code")?,
                    kind: r.try_get("kind")?,
                },
            );
        }
    }
    Ok(out)
}

fn document_line(d: &DocumentRef<'_>) -> DocumentLine {
    DocumentLine {
        id: d.id.0,
        number: d.number.to_string(),
        kind: crate::db::kind_code(d.kind).to_owned(),
        date: d.date,
        quantity: d.quantity,
        recorded_by: match d.recorded_by {
            RecordedBy::Sender => "sender",
            RecordedBy::Receiver => "receiver",
        }
        .to_owned(),
    }
}

fn direction_code(d: TraceDirection) -> &'static str {
    match d {
        TraceDirection::Forward => "forward",
        TraceDirection::Backward => "backward",
        TraceDirection::Both => "both",
    }
}

/// Labels the core's trace for the regulator of `scope`.
fn report_of(
    trace: &BatchTrace<'_>,
    product_name: Option<String>,
    direction: TraceDirection,
    names: &HashMap<EnterpriseId, Registered>,
    scope: &RegionScope,
) -> TraceReport {
    let nodes: Vec<HolderNode> = trace
        .nodes
        .iter()
        .map(|n| {
            let named = n.name.as_deref().unwrap_or_default().to_owned();
            let (enterprise_id, name, uscc, region_code, kind) = match &n.party {
                Party::Enterprise(id) => match names.get(id) {
                    Some(r) => (
                        Some(id.0),
                        r.name.clone(),
                        Some(r.uscc.clone()),
                        Some(r.region_code.clone()),
                        Some(r.kind.clone()),
                    ),
                    None => (Some(id.0), named, None, None, None),
                },
                Party::Uscc(uscc) => (None, named, Some(uscc.clone()), None, None),
                Party::Name(name) => (None, name.clone(), None, None, None),
            };
            HolderNode {
                in_region: region_code.as_deref().is_some_and(|c| scope.contains(c)),
                enterprise_id,
                name,
                uscc,
                region_code,
                kind,
                produced: n.produced,
                received: n.received,
                passed_on: n.passed_on,
                returned_out: n.returned_out,
                returns_in: n.returns_in,
                held: n.held,
                depth_forward: n.depth_forward,
                depth_backward: n.depth_backward,
                production: trace.production(n).iter().map(document_line).collect(),
            }
        })
        .collect();
    let edges = trace
        .edges
        .iter()
        .map(|e| MovementEdge {
            from: e.from,
            to: e.to,
            kind: match e.kind {
                EdgeKind::Sale => "sale",
                EdgeKind::Return => "return",
            }
            .to_owned(),
            sent: e.sent,
            received: e.received,
            documents: trace.edge_documents(e).iter().map(document_line).collect(),
        })
        .collect();
    let tree = trace
        .tree
        .iter()
        .flat_map(|row| {
            let edge = trace.edges.get(row.edge as usize);
            let docs = edge.map_or(&[][..], |e| trace.edge_documents(e));
            docs.iter().map(move |d| TreeLine {
                depth: row.depth,
                direction: match row.direction {
                    RowDirection::Forward => "forward",
                    RowDirection::Backward => "backward",
                }
                .to_owned(),
                from: edge.map_or(u32::MAX, |e| e.from),
                to: edge.map_or(u32::MAX, |e| e.to),
                edge: row.edge,
                repeat: row.repeat,
                document: document_line(d),
            })
        })
        .collect();
    TraceReport {
        product_id: trace.product_id.0,
        product_name,
        batch: trace.batch.clone(),
        direction: direction_code(direction).to_owned(),
        holders_in_region: nodes.iter().filter(|n| n.in_region).count() as u32,
        nodes,
        edges,
        tree,
        unit: None,
    }
}

/// Traces `batch` of `product` from `start` (the whole network, or one enterprise) for the
/// regulator of `scope`.
pub async fn trace_report(
    db: &Db,
    product: ProductId,
    product_name: Option<String>,
    batch: &str,
    start: Option<EnterpriseId>,
    direction: TraceDirection,
    scope: &RegionScope,
) -> Result<TraceReport, DbError> {
    let lines = batch_lines(db, product, batch).await?;
    let movements: Vec<Movement<'_>> = lines
        .iter()
        .map(|l| {
            let production = l.kind == TransactionKind::FinishedGoodsInbound;
            Movement {
                document: l.document,
                number: &l.number,
                kind: l.kind,
                date: l.date,
                holder: l.holder,
                counterparty: if production {
                    CounterpartyKey::Name("")
                } else {
                    CounterpartyKey::new(
                        l.counterparty_enterprise,
                        l.counterparty_uscc.as_deref(),
                        &l.counterparty_name,
                    )
                },
                counterparty_name: if production { "" } else { &l.counterparty_name },
                quantity: l.quantity,
            }
        })
        .collect();
    let start = match start {
        Some(id) => TraceStart::From(Party::Enterprise(id)),
        None => TraceStart::Whole,
    };
    let trace = trace_movements(&movements, product, batch, start, direction);
    let ids: Vec<EnterpriseId> = trace
        .nodes
        .iter()
        .filter_map(|n| match n.party {
            Party::Enterprise(id) => Some(id),
            _ => None,
        })
        .collect();
    let names = registered(db, &ids).await?;
    Ok(report_of(&trace, product_name, direction, &names, scope))
}

/// A product a GTIN stands for, from the barcode library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GtinProduct {
    /// The product.
    pub product_id: ProductId,
    /// Its generic name.
    pub generic_name: String,
    /// The barcode was entered by the product's own enterprise (the brand owner), not by a
    /// reseller.
    pub by_owner: bool,
}

/// The products the barcode library maps a GTIN (stored as 14 digits) to.
pub async fn products_of_gtin(db: &Db, gtin14: &str) -> Result<Vec<GtinProduct>, DbError> {
    let rows = sqlx::query(
        "SELECT b.product_id, p.generic_name, \
         CASE WHEN b.owner_id = p.owner_id THEN 1 ELSE 0 END AS by_owner \
         FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.gtin = $1 \
         ORDER BY b.created_at, b.id",
    )
    .bind(gtin14)
    .fetch_all(&db.pool)
    .await?;
    let mut out: Vec<GtinProduct> = Vec::new();
    for r in rows {
        let product_id = ProductId(uuid_of(&r.try_get::<String, _>("product_id")?)?);
        let by_owner = r.try_get::<i64, _>("by_owner")? == 1;
        match out.iter_mut().find(|p| p.product_id == product_id) {
            Some(p) => p.by_owner |= by_owner,
            None => out.push(GtinProduct {
                product_id,
                generic_name: r.try_get("generic_name")?,
                by_owner,
            }),
        }
    }
    Ok(out)
}
