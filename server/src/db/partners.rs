//! Suppliers (供应商) and customers (销售客户): one table, the role fixed by the route, each
//! record private to the enterprise that keeps it.

use super::audit::{Actor, audit};
use super::journal::{IdempotencyKey, append_feed, idempotent_answer, store_answer};
use super::listing::{Filter, Stamped, Window, get_body, list_bodies};
use super::products::Removal;
use super::transactions::Written;
use super::{Db, DbError, search_text, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::{EnterpriseId, Partner, PartnerId, PartnerRole, PartnerState};
use uuid::Uuid;

/// Columns a partner list sorts by.
pub const PARTNER_SORTS: [&str; 5] = ["updated_at", "name", "uscc", "region_code", "created_at"];

/// The stored code of a role.
pub fn role_code(role: PartnerRole) -> &'static str {
    match role {
        PartnerRole::Supplier => "supplier",
        PartnerRole::Customer => "customer",
    }
}

/// The stored code of a state.
pub fn state_code(state: PartnerState) -> &'static str {
    match state {
        PartnerState::Normal => "normal",
        PartnerState::Disabled => "disabled",
    }
}

fn partner_search(p: &Partner) -> String {
    search_text([p.name.as_str(), &p.uscc, &p.contact, &p.phone])
}

/// The registered enterprise with this USCC, which a partner record links to.
pub async fn enterprise_by_uscc(db: &Db, uscc: &str) -> Result<Option<EnterpriseId>, DbError> {
    let mut conn = db.pool.acquire().await?;
    enterprise_by_uscc_on(&mut conn, uscc).await
}

/// [`enterprise_by_uscc`] inside the caller's transaction.
pub(super) async fn enterprise_by_uscc_on(
    conn: &mut sqlx::AnyConnection,
    uscc: &str,
) -> Result<Option<EnterpriseId>, DbError> {
    let row = sqlx::query("SELECT id FROM enterprises WHERE uscc = $1")
        .bind(uscc.trim())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        let id: String = r.try_get("id")?;
        Uuid::parse_str(&id)
            .map(EnterpriseId)
            .map_err(|_| DbError::Invalid(format!("enterprise id {id}")))
    })
    .transpose()
}

/// Stores a new partner, linked to the registered enterprise its USCC belongs to; returns
/// the record as stored.
pub async fn insert_partner(
    db: &Db,
    p: &Partner,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Partner, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    let stored = insert_partner_on(&mut tx, p, actor, &at).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Inserts a partner with its audit row inside the caller's transaction. This is the one
/// place a new partner is written (the JSON API and the spreadsheet import both come here),
/// so both link it alike: `enterprise_id` is the registered enterprise with its USCC, or none.
pub(super) async fn insert_partner_on(
    conn: &mut sqlx::AnyConnection,
    p: &Partner,
    actor: &Actor,
    at: &str,
) -> Result<Partner, DbError> {
    let mut p = p.clone();
    p.enterprise_id = enterprise_by_uscc_on(&mut *conn, &p.uscc).await?;
    let body = serde_json::to_string(&p)?;
    let id = p.id.to_string();
    sqlx::query(
        "INSERT INTO partners (id, owner_id, role, state, name, uscc, region_code, enterprise_id, search, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(&id)
    .bind(p.owner.to_string())
    .bind(role_code(p.role))
    .bind(state_code(p.state))
    .bind(&p.name)
    .bind(p.uscc.trim())
    .bind(p.region_code.trim())
    .bind(p.enterprise_id.map(|e| e.to_string()))
    .bind(partner_search(&p))
    .bind(&body)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    audit(
        &mut *conn,
        &actor.entry(at, "create", "partner", &id, None, Some(&body)),
    )
    .await?;
    // The owner's other phones pull their partners from the feed.
    append_feed(&mut *conn, p.owner, "partner", &id, at).await?;
    Ok(p)
}

/// Stores a new partner under an id the client chose, unless the id is taken: then it answers
/// the id's owner and writes nothing. Checked under the writer's lock, so a partner delivered
/// twice at once is written once.
pub async fn insert_partner_unless_taken(
    db: &Db,
    p: &Partner,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    let owner =
        super::sync::record_owner_on(&mut tx, super::RecordTable::Partners, &p.id.to_string())
            .await?;
    if owner.is_some() {
        tx.rollback().await?;
        return Ok(owner);
    }
    insert_partner_on(&mut tx, p, actor, &at).await?;
    tx.commit().await?;
    Ok(None)
}

/// The USCCs among `usccs` that `owner` already keeps as a partner in `role`.
pub(super) async fn taken_usccs(
    conn: &mut sqlx::AnyConnection,
    owner: EnterpriseId,
    role: PartnerRole,
    usccs: &[&str],
) -> Result<Vec<String>, DbError> {
    let mut taken = Vec::new();
    for chunk in usccs.chunks(500) {
        // Only placeholders are interpolated; the values are bound.
        let sql = format!(
            "SELECT uscc FROM partners WHERE owner_id = $1 AND role = $2 AND uscc IN ({})",
            super::product_refs::placeholders(3, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_string())
            .bind(role_code(role));
        for u in chunk {
            q = q.bind(u.trim().to_owned());
        }
        for row in q.fetch_all(&mut *conn).await? {
            taken.push(row.try_get("uscc")?);
        }
    }
    Ok(taken)
}

/// One partner of `owner` in `role`.
pub async fn get_partner(
    db: &Db,
    id: PartnerId,
    role: PartnerRole,
    owner: EnterpriseId,
) -> Result<Option<Stamped<Partner>>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let found: Option<Stamped<Partner>> = get_body(
        &mut conn,
        "partners",
        &id.to_string(),
        Some(&owner.to_string()),
    )
    .await?;
    Ok(found.filter(|p| p.record.role == role))
}

/// One partner of `owner`, supplier or customer.
pub async fn get_own_partner(
    db: &Db,
    id: PartnerId,
    owner: EnterpriseId,
) -> Result<Option<Partner>, DbError> {
    let mut conn = db.pool.acquire().await?;
    let found: Option<Stamped<Partner>> = get_body(
        &mut conn,
        "partners",
        &id.to_string(),
        Some(&owner.to_string()),
    )
    .await?;
    Ok(found.map(|s| s.record))
}

/// Replaces a partner of the actor's enterprise in the same role, linked by its USCC as an
/// insert is; false when there is none.
pub async fn update_partner(
    db: &Db,
    p: &Partner,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    let done = update_partner_on(&mut tx, p, actor, &at).await?;
    tx.commit().await?;
    Ok(done)
}

/// [`update_partner`] applied at most once by `key`: a key used before answers its first
/// answer and writes nothing (a replayed edit must not undo a later one). `None` when the
/// enterprise has no such partner.
pub async fn update_partner_once(
    db: &Db,
    p: &Partner,
    actor: &Actor,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> Result<Option<Written<()>>, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    tx.lock_enterprises(&[actor.enterprise_id]).await?;
    if let Some(first) = idempotent_answer(&mut tx, key).await? {
        tx.rollback().await?;
        return Ok(Some(Written::Replayed(first)));
    }
    if !update_partner_on(&mut tx, p, actor, &at).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let answer = serde_json::json!({ "id": p.id }).to_string();
    store_answer(&mut tx, key, 200, &answer, &at).await?;
    tx.commit().await?;
    Ok(Some(Written::Done(())))
}

async fn update_partner_on(
    tx: &mut sqlx::AnyConnection,
    p: &Partner,
    actor: &Actor,
    at: &str,
) -> Result<bool, DbError> {
    let id = p.id.to_string();
    let owner = actor.enterprise_id.to_string();
    let before: Option<Stamped<Partner>> =
        get_body(&mut *tx, "partners", &id, Some(&owner)).await?;
    let Some(before) = before.filter(|b| b.record.role == p.role) else {
        return Ok(false);
    };
    let mut p = p.clone();
    p.enterprise_id = enterprise_by_uscc_on(&mut *tx, &p.uscc).await?;
    let p = &p;
    let body = serde_json::to_string(p)?;
    sqlx::query(
        "UPDATE partners SET state = $1, name = $2, uscc = $3, region_code = $4, enterprise_id = $5, \
         search = $6, body = $7, updated_at = $8 WHERE id = $9 AND owner_id = $10",
    )
    .bind(state_code(p.state))
    .bind(&p.name)
    .bind(p.uscc.trim())
    .bind(p.region_code.trim())
    .bind(p.enterprise_id.map(|e| e.to_string()))
    .bind(partner_search(p))
    .bind(&body)
    .bind(at)
    .bind(&id)
    .bind(&owner)
    .execute(&mut *tx)
    .await?;
    let before = serde_json::to_string(&before.record)?;
    audit(
        &mut *tx,
        &actor.entry(at, "update", "partner", &id, Some(&before), Some(&body)),
    )
    .await?;
    append_feed(&mut *tx, actor.enterprise_id, "partner", &id, at).await?;
    Ok(true)
}

/// Deletes a partner of the actor's enterprise unless one of its documents names it (by
/// `counterparty.partner_id` in the document body); such a partner is disabled instead.
pub async fn delete_partner(
    db: &Db,
    id: PartnerId,
    role: PartnerRole,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Removal, DbError> {
    let at = timestamp(now);
    let id = id.to_string();
    let owner = actor.enterprise_id.to_string();
    let mut tx = db.begin_write().await?;
    let before: Option<Stamped<Partner>> = get_body(&mut tx, "partners", &id, Some(&owner)).await?;
    let Some(before) = before.filter(|b| b.record.role == role) else {
        return Ok(Removal::NotFound);
    };
    // Documents keep the partner only inside their JSON body; serde_json writes it compactly.
    let needle = format!("%\"partner_id\":\"{id}\"%");
    let referenced =
        sqlx::query("SELECT 1 FROM transactions WHERE enterprise_id = $1 AND body LIKE $2 LIMIT 1")
            .bind(&owner)
            .bind(&needle)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
    if referenced {
        return Ok(Removal::Referenced("document"));
    }
    sqlx::query("DELETE FROM partners WHERE id = $1 AND owner_id = $2")
        .bind(&id)
        .bind(&owner)
        .execute(&mut *tx)
        .await?;
    let before = serde_json::to_string(&before.record)?;
    audit(
        &mut tx,
        &actor.entry(&at, "delete", "partner", &id, Some(&before), None),
    )
    .await?;
    append_feed(&mut tx, actor.enterprise_id, "partner", &id, &at).await?;
    tx.commit().await?;
    Ok(Removal::Deleted)
}

/// Which partners a list shows; always one owner's.
#[derive(Debug, Clone)]
pub struct PartnerQuery {
    /// The enterprise keeping them.
    pub owner: EnterpriseId,
    /// Suppliers or customers; both when none (a regulator's view).
    pub role: Option<PartnerRole>,
    /// Lower-cased keyword over name, USCC, contact and phone.
    pub keyword: Option<String>,
    /// Only normal or only disabled ones.
    pub state: Option<PartnerState>,
    /// Region code prefix (a province `62`, a city `6201`, a county `620102`).
    pub region_prefix: Option<String>,
}

/// One page of partners and the total.
pub async fn list_partners(
    db: &Db,
    q: &PartnerQuery,
    window: &Window,
) -> Result<(Vec<Stamped<Partner>>, u64), DbError> {
    let mut f = Filter::default();
    f.eq("owner_id", q.owner.to_string());
    if let Some(role) = q.role {
        f.eq("role", role_code(role));
    }
    if let Some(k) = &q.keyword {
        f.contains("search", k);
    }
    if let Some(s) = q.state {
        f.eq("state", state_code(s));
    }
    if let Some(r) = &q.region_prefix {
        f.starts_with("region_code", r);
    }
    list_bodies(db, &window.over("partners", &f)).await
}

/// Links every partner record carrying `uscc` to the enterprise that just registered with
/// it, so documents already addressed to it reach its reconciliation inbox from now on.
pub(super) async fn link_partners(
    conn: &mut sqlx::AnyConnection,
    enterprise: EnterpriseId,
    uscc: &str,
    at: &str,
) -> Result<(), DbError> {
    let rows =
        sqlx::query("SELECT id, body FROM partners WHERE uscc = $1 AND enterprise_id IS NULL")
            .bind(uscc.trim())
            .fetch_all(&mut *conn)
            .await?;
    for row in rows {
        let id: String = row.try_get("id")?;
        let before: String = row.try_get("body")?;
        let mut partner: Partner = serde_json::from_str(&before)?;
        partner.enterprise_id = Some(enterprise);
        let after = serde_json::to_string(&partner)?;
        sqlx::query(
            "UPDATE partners SET enterprise_id = $1, body = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(enterprise.to_string())
        .bind(&after)
        .bind(at)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        audit(
            conn,
            &super::AuditEntry {
                at,
                account_id: None,
                enterprise_id: Some(partner.owner),
                action: "link",
                entity: "partner",
                entity_id: &id,
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        append_feed(&mut *conn, partner.owner, "partner", &id, at).await?;
    }
    Ok(())
}
