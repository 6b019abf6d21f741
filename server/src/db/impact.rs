//! Who a recall or a nonconforming listing reaches: the batches' movements read from the flat
//! line index (`transaction_lines`), folded by the core's [`recall_impact`], and the region a
//! regulator's scope covers, as a SQL prefix.

use super::product_refs::placeholders;
use super::{Db, DbError, WriteTx};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::BTreeMap;
use suyuan_core::model::{EnterpriseId, ProductId, TransactionId, TransactionKind};
use suyuan_core::rules::recall::{BatchMovements, Holder, recall_impact};
use suyuan_core::rules::trace::{CounterpartyKey, Movement};
use suyuan_core::validate::region::is_region_code;
use uuid::Uuid;

/// A line row as read, owned, so movements can borrow from it.
struct LineRow {
    document: TransactionId,
    number: String,
    kind: TransactionKind,
    date: NaiveDate,
    holder: EnterpriseId,
    counterparty: Option<EnterpriseId>,
    uscc: Option<String>,
    name: String,
    quantity: u64,
    batch: String,
}

/// A stored UUID column.
pub(super) fn uuid_of(text: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(text).map_err(|_| DbError::Invalid(format!("id {text}")))
}

fn kind_of(code: &str) -> Result<TransactionKind, DbError> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|_| DbError::Invalid(format!("document kind {code}")))
}

/// Every holder of `batches` of `product` (all its batches when `batches` is empty), from the
/// counted lines of submitted documents.
pub(super) async fn holders_of(
    conn: &mut sqlx::AnyConnection,
    product: ProductId,
    batches: &[String],
) -> Result<Vec<Holder>, DbError> {
    let mut sql = "SELECT l.transaction_id, t.number, l.kind, l.doc_date, l.enterprise_id, \
         l.counterparty_enterprise_id, l.counterparty_uscc, l.counterparty_name, l.quantity, l.batch \
         FROM transaction_lines l JOIN transactions t ON t.id = l.transaction_id \
         WHERE l.product_id = $1 AND l.counted = 1"
        .to_owned();
    if !batches.is_empty() {
        sql.push_str(&format!(
            " AND l.batch IN ({})",
            placeholders(2, batches.len())
        ));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(product.to_string());
    for b in batches {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(conn).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for r in &rows {
        let date: String = r.try_get("doc_date")?;
        let quantity: i64 = r.try_get("quantity")?;
        let counterparty: Option<String> = r.try_get("counterparty_enterprise_id")?;
        lines.push(LineRow {
            document: TransactionId(uuid_of(&r.try_get::<String, _>("transaction_id")?)?),
            number: r.try_get("number")?,
            kind: kind_of(&r.try_get::<String, _>("kind")?)?,
            date: date
                .parse()
                .map_err(|_| DbError::Invalid(format!("date {date}")))?,
            holder: EnterpriseId(uuid_of(&r.try_get::<String, _>("enterprise_id")?)?),
            counterparty: counterparty
                .as_deref()
                .map(uuid_of)
                .transpose()?
                .map(EnterpriseId),
            uscc: r.try_get("counterparty_uscc")?,
            name: r.try_get("counterparty_name")?,
            quantity: u64::try_from(quantity).unwrap_or(0),
            batch: r.try_get("batch")?,
        });
    }
    let mut by_batch: BTreeMap<&str, Vec<Movement<'_>>> = BTreeMap::new();
    for l in &lines {
        let counterparty = match l.kind {
            TransactionKind::FinishedGoodsInbound => CounterpartyKey::Name(""),
            _ => CounterpartyKey::new(l.counterparty, l.uscc.as_deref(), &l.name),
        };
        by_batch.entry(&l.batch).or_default().push(Movement {
            document: l.document,
            number: &l.number,
            kind: l.kind,
            date: l.date,
            holder: l.holder,
            counterparty,
            counterparty_name: &l.name,
            quantity: l.quantity,
        });
    }
    let input: Vec<BatchMovements<'_, '_>> = by_batch
        .iter()
        .map(|(batch, movements)| BatchMovements { batch, movements })
        .collect();
    Ok(recall_impact(product, &input))
}

/// Who a recall of `batches` of `product` would reach (every batch when empty), with what each
/// received, passed on and holds now: the impact a regulator sees before a recall.
pub async fn batch_holders(
    db: &Db,
    product: ProductId,
    batches: &[String],
) -> Result<Vec<Holder>, DbError> {
    let mut conn = db.pool.acquire().await?;
    holders_of(&mut conn, product, batches).await
}

/// A transaction holding the row locks of every holder (and of `also`), with the holders as
/// they stand under those locks. The holders are read once to learn whose rows to lock (the
/// locks must come first, in id order), then again under the locks; an enterprise that became
/// a holder in between is locked as well.
pub(super) async fn begin_with_holders(
    db: &Db,
    product: ProductId,
    batches: &[String],
    also: &[EnterpriseId],
) -> Result<(WriteTx, Vec<Holder>), DbError> {
    let first = batch_holders(db, product, batches).await?;
    let mut locked: Vec<EnterpriseId> = first.iter().map(|h| h.enterprise_id).collect();
    locked.extend_from_slice(also);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&locked).await?;
    let holders = holders_of(&mut tx, product, batches).await?;
    let late: Vec<EnterpriseId> = holders
        .iter()
        .map(|h| h.enterprise_id)
        .filter(|id| !locked.contains(id))
        .collect();
    if !late.is_empty() {
        tx.lock_enterprises(&late).await?;
    }
    Ok((tx, holders))
}

/// The leading digits a regulator's scope fixes: `62` for a province (`620000`), `6201` for
/// a city (`620100`), the whole code for a county; `None` for a malformed scope, which sees
/// nothing.
pub fn scope_prefix(scope: &str) -> Option<&str> {
    if !is_region_code(scope) {
        return None;
    }
    Some(if scope.ends_with("0000") {
        &scope[..2]
    } else if scope.ends_with("00") {
        &scope[..4]
    } else {
        scope
    })
}

/// Whether a regulator of `prefix` may act on `product`: it is owned by an enterprise of the
/// region, or an enterprise of the region has submitted a document with it (so it is, or was,
/// on the region's market).
pub async fn product_in_region(db: &Db, product: ProductId, prefix: &str) -> Result<bool, DbError> {
    let like = format!("{prefix}%");
    let row = sqlx::query(
        "SELECT 1 AS hit FROM products p JOIN enterprises e ON e.id = p.owner_id \
         WHERE p.id = $1 AND e.region_code LIKE $2 \
         UNION ALL SELECT 1 AS hit FROM transaction_lines l JOIN enterprises e ON e.id = l.enterprise_id \
         WHERE l.product_id = $1 AND e.region_code LIKE $2 LIMIT 1",
    )
    .bind(product.to_string())
    .bind(like)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.is_some())
}

/// The region code of an enterprise.
pub async fn enterprise_region(db: &Db, id: EnterpriseId) -> Result<Option<String>, DbError> {
    let row = sqlx::query("SELECT region_code FROM enterprises WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get("region_code")).transpose()?)
}

#[cfg(test)]
mod tests {
    use super::scope_prefix;

    #[test]
    fn a_scope_fixes_its_leading_digits() {
        assert_eq!(scope_prefix("620000"), Some("62"));
        assert_eq!(scope_prefix("620100"), Some("6201"));
        assert_eq!(scope_prefix("620102"), Some("620102"));
        assert_eq!(scope_prefix("62"), None);
        assert_eq!(scope_prefix("990000"), None);
    }
}
