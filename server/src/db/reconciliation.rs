//! The reconciliation inbox (勾兑) table: items one enterprise's submit raised for another.

use super::rows::insert_rows;
use super::{Db, DbError};
use sqlx::Row;
use suyuan_core::model::{
    EnterpriseId, ReconciliationItem, ReconciliationItemId, ReconciliationKind,
    ReconciliationState, TransactionId,
};

/// The stored code of a state.
pub fn state_code(s: &ReconciliationState) -> &'static str {
    match s {
        ReconciliationState::Pending => "pending",
        ReconciliationState::Confirmed { .. } => "confirmed",
        ReconciliationState::Disputed { .. } => "disputed",
        ReconciliationState::Superseded { .. } => "superseded",
    }
}

/// The stored code of a kind (its serde name).
pub fn reconciliation_kind_code(k: ReconciliationKind) -> &'static str {
    match k {
        ReconciliationKind::PurchaseInbound => "purchase_inbound",
        ReconciliationKind::SalesReturn => "sales_return",
        ReconciliationKind::UnmatchedInbound => "unmatched_inbound",
        ReconciliationKind::UnmatchedSalesReturn => "unmatched_sales_return",
    }
}

/// Stores a new item.
pub(super) async fn insert_item(
    conn: &mut sqlx::AnyConnection,
    item: &ReconciliationItem,
    at: &str,
) -> Result<(), DbError> {
    insert_items(conn, std::slice::from_ref(item), at).await
}

/// Stores new items, a statement per chunk.
pub(super) async fn insert_items(
    conn: &mut sqlx::AnyConnection,
    items: &[ReconciliationItem],
    at: &str,
) -> Result<(), DbError> {
    let rows = items
        .iter()
        .map(|i| Ok((i, serde_json::to_string(i)?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    insert_rows(
        conn,
        "INSERT INTO reconciliation_items (id, kind, source_id, source_number, from_enterprise_id, \
         to_enterprise_id, state, item_date, body, created_at, updated_at)",
        "",
        11,
        &rows,
        |q, (item, body)| {
            q.bind(item.id.to_string())
                .bind(reconciliation_kind_code(item.kind))
                .bind(item.source.to_string())
                .bind(item.source_number.clone())
                .bind(item.from.to_string())
                .bind(item.to.to_string())
                .bind(state_code(&item.state))
                .bind(item.date.to_string())
                .bind(body.clone())
                .bind(at.to_owned())
                .bind(at.to_owned())
        },
    )
    .await
}

/// Stores an item's new state.
pub(super) async fn update_item(
    conn: &mut sqlx::AnyConnection,
    item: &ReconciliationItem,
    at: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE reconciliation_items SET state = $1, body = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(state_code(&item.state))
    .bind(serde_json::to_string(item)?)
    .bind(at)
    .bind(item.id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

fn items_of(rows: &[sqlx::any::AnyRow]) -> Result<Vec<ReconciliationItem>, DbError> {
    rows.iter()
        .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?))
        .collect()
}

/// The open items a submit of `me` may match or supersede: those between `me` and
/// `counterparty`, and those raised by the document it corrects.
pub(super) async fn open_items_for(
    conn: &mut sqlx::AnyConnection,
    me: EnterpriseId,
    counterparty: Option<EnterpriseId>,
    corrects: Option<TransactionId>,
) -> Result<Vec<ReconciliationItem>, DbError> {
    let rows = sqlx::query(
        "SELECT body FROM reconciliation_items WHERE state = 'pending' AND \
         ((from_enterprise_id = $1 AND to_enterprise_id = $2) OR source_id = $3)",
    )
    .bind(counterparty.map_or(String::new(), |c| c.to_string()))
    .bind(me.to_string())
    .bind(corrects.map_or(String::new(), |c| c.to_string()))
    .fetch_all(conn)
    .await?;
    items_of(&rows)
}

/// An item in `me`'s inbox.
pub(super) async fn fetch_item(
    conn: &mut sqlx::AnyConnection,
    me: EnterpriseId,
    id: ReconciliationItemId,
) -> Result<Option<ReconciliationItem>, DbError> {
    let rows = sqlx::query(
        "SELECT body FROM reconciliation_items WHERE id = $1 AND to_enterprise_id = $2",
    )
    .bind(id.to_string())
    .bind(me.to_string())
    .fetch_all(conn)
    .await?;
    Ok(items_of(&rows)?.pop())
}

/// An item in `me`'s inbox.
pub async fn get_item(
    db: &Db,
    me: EnterpriseId,
    id: ReconciliationItemId,
) -> Result<Option<ReconciliationItem>, DbError> {
    let mut conn = db.pool.acquire().await?;
    fetch_item(&mut conn, me, id).await
}

/// One page of `me`'s inbox, newest first, and the total count.
pub async fn list_inbox(
    db: &Db,
    me: EnterpriseId,
    state: Option<&str>,
    kind: Option<ReconciliationKind>,
    (limit, offset): (u32, u32),
) -> Result<(Vec<ReconciliationItem>, u64), DbError> {
    let mut binds = vec![me.to_string()];
    let mut wheres = vec!["to_enterprise_id = $1".to_owned()];
    if let Some(s) = state {
        binds.push(s.to_owned());
        wheres.push(format!("state = ${}", binds.len()));
    }
    if let Some(k) = kind {
        binds.push(reconciliation_kind_code(k).to_owned());
        wheres.push(format!("kind = ${}", binds.len()));
    }
    let filter = wheres.join(" AND ");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM reconciliation_items WHERE {filter}"
    )));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let n: i64 = q.fetch_one(&db.pool).await?.try_get("n")?;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT body FROM reconciliation_items WHERE {filter} \
         ORDER BY item_date DESC, created_at DESC, id LIMIT {limit} OFFSET {offset}"
    )));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    Ok((items_of(&rows)?, u64::try_from(n).unwrap_or(0)))
}
