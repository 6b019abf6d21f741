//! Staff of an enterprise and the platform's regulator accounts: lists, lookups and changes.

use super::accounts::{ACCOUNT_COLUMNS, account_of, insert_account};
use super::{Account, Db, DbError, NewAccount, Role, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use suyuan_core::model::EnterpriseId;
use uuid::Uuid;

/// Creates an account — of `enterprise` for staff, of none for a regulator or the platform
/// admin — and logs who created it (`actor`; none for the service itself), in one transaction.
pub async fn create_account_audited(
    db: &Db,
    enterprise: Option<EnterpriseId>,
    a: &NewAccount,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Account, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    insert_account(&mut tx, a, enterprise, &at).await?;
    let created = account_on(&mut tx, a.id)
        .await?
        .ok_or_else(|| DbError::Invalid(format!("account {} vanished", a.id)))?;
    let body = serde_json::to_string(&created)?;
    audit_account(&mut tx, &at, actor, &created, "create", None, Some(&body)).await?;
    tx.commit().await?;
    Ok(created)
}

async fn account_on(conn: &mut sqlx::AnyConnection, id: Uuid) -> Result<Option<Account>, DbError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(account_of).transpose()
}

/// Appends an audit entry for an account. Bodies are the [`Account`] JSON, which never holds
/// the password hash.
async fn audit_account(
    conn: &mut sqlx::AnyConnection,
    at: &str,
    actor: Option<Uuid>,
    account: &Account,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), DbError> {
    let id = account.id.to_string();
    super::audit::audit(
        conn,
        &super::AuditEntry {
            at,
            account_id: actor,
            enterprise_id: account.enterprise_id,
            action,
            entity: "account",
            entity_id: &id,
            before,
            after,
        },
    )
    .await
}

/// One account by id.
pub async fn get_account(db: &Db, id: Uuid) -> Result<Option<Account>, DbError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(account_of).transpose()
}

/// Which accounts a list shows. Only bound values come from the request.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Accounts of this enterprise.
    pub enterprise: Option<EnterpriseId>,
    /// Accounts of these roles (any of them); empty for every role.
    pub roles: Vec<Role>,
    /// Lower-cased keyword matched against login and display name.
    pub keyword: Option<String>,
    /// Only enabled (`Some(false)`) or disabled (`Some(true)`) accounts.
    pub disabled: Option<bool>,
    /// Sort by login (`true`) rather than by creation time.
    pub by_login: bool,
    /// Descending order.
    pub descending: bool,
    /// Rows to return.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
}

/// Adds a bound value; returns its placeholder.
fn bind(value: String, binds: &mut Vec<String>) -> String {
    binds.push(value);
    format!("${}", binds.len())
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One page of accounts and how many match in all.
pub async fn list_accounts(db: &Db, q: &AccountQuery) -> Result<(Vec<Account>, u64), DbError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    if let Some(e) = q.enterprise {
        let p = bind(e.to_string(), &mut binds);
        clauses.push(format!("a.enterprise_id = {p}"));
    }
    if !q.roles.is_empty() {
        let ps: Vec<String> = q
            .roles
            .iter()
            .map(|r| bind(r.code().to_owned(), &mut binds))
            .collect();
        clauses.push(format!("a.role IN ({})", ps.join(", ")));
    }
    if let Some(k) = &q.keyword {
        let p = bind(format!("%{}%", escape_like(k)), &mut binds);
        clauses.push(format!(
            "(LOWER(a.login) LIKE {p} ESCAPE '\\' OR LOWER(a.display_name) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(d) = q.disabled {
        clauses.push(format!("a.disabled = {}", i64::from(d)));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let column = if q.by_login {
        "a.login"
    } else {
        "a.created_at"
    };
    let order = if q.descending { "DESC" } else { "ASC" };
    let count_sql = format!("SELECT COUNT(*) AS n FROM accounts a{filter}");
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total: i64 = count.fetch_one(&db.pool).await?.try_get("n")?;
    let list_sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a{filter} ORDER BY {column} {order}, a.id {order} \
         LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
    for b in &binds {
        list = list.bind(b.clone());
    }
    let rows = list.fetch_all(&db.pool).await?;
    let accounts = rows.iter().map(account_of).collect::<Result<_, _>>()?;
    Ok((accounts, u64::try_from(total).unwrap_or(0)))
}

/// Changes to a staff member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct StaffChange {
    /// New display name.
    pub display_name: Option<String>,
    /// New role (an enterprise role).
    pub role: Option<Role>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// New Argon2id password hash.
    pub password_hash: Option<String>,
}

/// Applies a change to a staff member of `enterprise` and logs it as `actor`'s, in one
/// transaction; disabling the account or changing its password revokes every token it holds.
/// `None` when the account is not of that enterprise.
pub async fn update_staff(
    db: &Db,
    enterprise: EnterpriseId,
    id: Uuid,
    change: &StaffChange,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Account>, DbError> {
    let at = timestamp(now);
    let mut tx = db.begin_write().await?;
    let before = match account_on(&mut tx, id).await? {
        Some(a) if a.enterprise_id == Some(enterprise) => a,
        _ => return Ok(None),
    };
    if let Some(name) = &change.display_name {
        sqlx::query("UPDATE accounts SET display_name = $1 WHERE id = $2")
            .bind(name.trim())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    if let Some(role) = change.role {
        sqlx::query("UPDATE accounts SET role = $1 WHERE id = $2")
            .bind(role.code())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    if let Some(disabled) = change.disabled {
        sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    if let Some(hash) = &change.password_hash {
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    // Revoked, not just refused: re-enabling the account must not bring old tokens back.
    if change.disabled == Some(true) || change.password_hash.is_some() {
        sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    }
    let after = account_on(&mut tx, id)
        .await?
        .ok_or_else(|| DbError::Invalid(format!("account {id} vanished")))?;
    let mut after_body = serde_json::to_value(&after)?;
    if change.password_hash.is_some() {
        after_body["password_changed"] = serde_json::Value::Bool(true);
    }
    audit_account(
        &mut tx,
        &at,
        Some(actor),
        &after,
        "update",
        Some(&serde_json::to_string(&before)?),
        Some(&after_body.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(after))
}
