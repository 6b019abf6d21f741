//! The unit registry as stored: the codes an action concerns loaded, with everything packed in
//! them, into a core `UnitRegistry`; what the rule changed written back with its events; and
//! packing and unpacking, which are such actions.

use super::accounts::parse_uuid;
use super::rows::{CHUNK_ROWS, Marks, insert_rows};
use super::transactions::DocError;
use super::unit_codes::{code_of, level_of, state_json};
use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};
use suyuan_core::model::{EnterpriseId, PackagingLevel, ProductId};
use suyuan_core::serial::{CodeRecord, UnitCode, UnitRegistry, UnitState};
use uuid::Uuid;

fn record_of(row: &AnyRow) -> Result<CodeRecord, DbError> {
    let state: Option<String> = row.try_get("state")?;
    let parent: Option<String> = row.try_get("parent")?;
    // A code that never moved has no state of its own: it is issued to the applicant.
    let state = match state {
        Some(s) => serde_json::from_str(&s)?,
        None => UnitState::Issued {
            to: EnterpriseId(parse_uuid(&row.try_get::<String, _>("enterprise_id")?)?),
        },
    };
    Ok(CodeRecord {
        code: code_of(&row.try_get::<String, _>("code")?)?,
        level: level_of(&row.try_get::<String, _>("level")?)?,
        product: ProductId(parse_uuid(&row.try_get::<String, _>("product_id")?)?),
        batch: row.try_get("batch")?,
        state,
        parent: parent.as_deref().map(code_of).transpose()?,
    })
}

/// Rows of `unit_codes` whose `column` is one of `keys`, a chunk a statement.
async fn codes_where(
    conn: &mut sqlx::AnyConnection,
    column: &str,
    keys: &[String],
) -> Result<Vec<CodeRecord>, DbError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(CHUNK_ROWS) {
        let marks = Marks::on(conn).rows(chunk.len(), 1);
        // `column` is one of this module's constants; the rest are placeholders.
        let sql = format!(
            "SELECT u.code, a.level, a.product_id, a.batch, a.enterprise_id, u.state, u.parent \
             FROM (VALUES {marks}) AS k JOIN unit_codes u ON u.{column} = k.column1 \
             JOIN code_applications a ON a.id = u.application_id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            q = q.bind(k);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(record_of(&row)?);
        }
    }
    Ok(out)
}

/// A registry of `codes` (those issued) and everything packed in them, at any depth.
pub(super) async fn load_registry(
    conn: &mut sqlx::AnyConnection,
    codes: &[UnitCode],
) -> Result<UnitRegistry, DbError> {
    let mut registry = UnitRegistry::new();
    let mut seen = HashSet::new();
    let keys: Vec<String> = codes.iter().map(ToString::to_string).collect();
    // Only boxes and cases hold codes: a file of 100,000 sales units asks for no children,
    // and PostgreSQL, which cannot know yet that few codes have a parent, would otherwise
    // hash-join the whole table for every chunk of them.
    let container = |r: &CodeRecord| r.level != PackagingLevel::Unit;
    let mut frontier: Vec<String> = Vec::new();
    for r in codes_where(conn, "code", &keys).await? {
        if seen.insert(r.code) {
            if container(&r) {
                frontier.push(r.code.to_string());
            }
            registry.insert(r);
        }
    }
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for r in codes_where(conn, "parent", &frontier).await? {
            if seen.insert(r.code) {
                if container(&r) {
                    next.push(r.code.to_string());
                }
                registry.insert(r);
            }
        }
        frontier = next;
    }
    Ok(registry)
}

/// The records of `after` that differ from `before` (state or packaging).
pub(super) fn changed_records<'a>(
    before: &HashMap<UnitCode, CodeRecord>,
    after: &'a UnitRegistry,
) -> Vec<&'a CodeRecord> {
    after
        .records()
        .filter(|r| before.get(&r.code) != Some(*r))
        .collect()
}

/// A snapshot of a registry's records, to tell later what changed.
pub(super) fn snapshot(registry: &UnitRegistry) -> HashMap<UnitCode, CodeRecord> {
    registry.records().map(|r| (r.code, r.clone())).collect()
}

/// Writes back the state and packaging of `records`.
pub(super) async fn store_records(
    conn: &mut sqlx::AnyConnection,
    records: &[&CodeRecord],
    at: &str,
) -> Result<(), DbError> {
    for chunk in records.chunks(CHUNK_ROWS) {
        let values = Marks::on(conn).rows(chunk.len(), 5);
        // Placeholders only. Every value is text, so neither database has a type to guess.
        let sql = format!(
            "UPDATE unit_codes SET state = v.column2, seen_at = v.column3, parent = v.column4, \
             updated_at = v.column5 FROM (VALUES {values}) AS v WHERE unit_codes.code = v.column1"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.code.to_string())
                .bind(state_json(r.state)?)
                .bind(r.state.last_seen_at().to_string())
                .bind(r.parent.map(|p| p.to_string()))
                .bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// An event to write.
#[derive(Debug, Clone)]
pub(super) struct NewEvent {
    pub code: UnitCode,
    pub enterprise: EnterpriseId,
    pub action: &'static str,
    pub state: UnitState,
    pub upload: Option<Uuid>,
    pub number: Option<String>,
}

/// Appends `events`, numbered in order so events of one instant keep theirs.
pub(super) async fn append_events(
    conn: &mut sqlx::AnyConnection,
    events: &[NewEvent],
    at: &str,
) -> Result<(), DbError> {
    let rows = events
        .iter()
        .enumerate()
        .map(|(i, e)| Ok((i as i64, e, state_json(e.state)?)))
        .collect::<Result<Vec<_>, DbError>>()?;
    insert_rows(
        conn,
        "INSERT INTO unit_events (code, at, n, enterprise_id, action, state, upload_id, document_number)",
        "",
        8,
        &rows,
        |q, (n, e, state)| {
            q.bind(e.code.to_string())
                .bind(at.to_owned())
                .bind(*n)
                .bind(e.enterprise.to_string())
                .bind(e.action)
                .bind(state.clone())
                .bind(e.upload.map(|u| u.to_string()))
                .bind(e.number.clone())
        },
    )
    .await
}

/// Packs `children` into `parent` (装箱) at `enterprise`'s site, or says every reason not.
pub async fn pack_units(
    db: &Db,
    enterprise: EnterpriseId,
    parent: UnitCode,
    children: &[UnitCode],
    now: DateTime<Utc>,
) -> Result<(), DocError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[enterprise]).await?;
    let mut all = vec![parent];
    all.extend_from_slice(children);
    let mut registry = load_registry(&mut tx, &all).await?;
    let before = snapshot(&registry);
    registry
        .pack(parent, children, enterprise)
        .map_err(DocError::Invalid)?;
    let changed = changed_records(&before, &registry);
    store_records(&mut tx, &changed, &at).await?;
    let events: Vec<NewEvent> = changed
        .iter()
        .map(|r| NewEvent {
            code: r.code,
            enterprise,
            action: "pack",
            state: r.state,
            upload: None,
            number: None,
        })
        .collect();
    append_events(&mut tx, &events, &at).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes everything out of `parent` (拆包) at `enterprise`'s site; returns what was in it.
pub async fn unpack_units(
    db: &Db,
    enterprise: EnterpriseId,
    parent: UnitCode,
    now: DateTime<Utc>,
) -> Result<Vec<UnitCode>, DocError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[enterprise]).await?;
    let mut registry = load_registry(&mut tx, &[parent]).await?;
    if registry.get(parent).is_none() {
        return Err(DocError::NotFound);
    }
    let before = snapshot(&registry);
    let freed = registry
        .unpack(parent, enterprise)
        .map_err(|p| DocError::Invalid(vec![p]))?;
    let changed = changed_records(&before, &registry);
    store_records(&mut tx, &changed, &at).await?;
    let events: Vec<NewEvent> = changed
        .iter()
        .map(|r| NewEvent {
            code: r.code,
            enterprise,
            action: "unpack",
            state: r.state,
            upload: None,
            number: None,
        })
        .collect();
    append_events(&mut tx, &events, &at).await?;
    tx.commit().await?;
    Ok(freed)
}
