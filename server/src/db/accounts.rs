//! Accounts and their access tokens.

use super::{Db, DbError, timestamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use suyuan_core::model::{Enterprise, EnterpriseId};
use uuid::Uuid;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages its enterprise's records and staff.
    EnterpriseAdmin,
    /// Enters and submits its enterprise's records.
    Clerk,
    /// Reads its enterprise's records.
    ReadOnly,
    /// A regulator bound to a region.
    Regulator,
    /// Runs the platform.
    PlatformAdmin,
}

impl Role {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::EnterpriseAdmin => "enterprise_admin",
            Role::Clerk => "clerk",
            Role::ReadOnly => "read_only",
            Role::Regulator => "regulator",
            Role::PlatformAdmin => "platform_admin",
        }
    }

    /// The role of a stored code.
    pub fn from_code(code: &str) -> Option<Role> {
        [
            Role::EnterpriseAdmin,
            Role::Clerk,
            Role::ReadOnly,
            Role::Regulator,
            Role::PlatformAdmin,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// A login of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Account {
    /// Identifier.
    pub id: Uuid,
    /// Login name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The enterprise of an enterprise role.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub enterprise_id: Option<EnterpriseId>,
    /// The region of a regulator (GB/T 2260).
    pub region_code: Option<String>,
    /// Name shown in the UI.
    pub display_name: String,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
}

/// An account to create, with its password already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Identifier.
    pub id: Uuid,
    /// Login name.
    pub login: String,
    /// Argon2id hash.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Region, for a regulator.
    pub region_code: Option<String>,
    /// Name shown in the UI.
    pub display_name: String,
}

/// Whether a failed write broke the uniqueness of `constraint` (SQLite reports the column,
/// PostgreSQL the constraint name; both are checked).
pub fn violates_unique(e: &DbError, constraint: &str, column: &str) -> bool {
    match e {
        DbError::Sqlx(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            d.constraint() == Some(constraint) || d.message().contains(column)
        }
        _ => false,
    }
}

pub(super) fn account_of(row: &AnyRow) -> Result<Account, DbError> {
    let role: String = row.try_get("role")?;
    let enterprise: Option<String> = row.try_get("enterprise_id")?;
    Ok(Account {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        login: row.try_get("login")?,
        role: Role::from_code(&role).ok_or_else(|| DbError::Invalid(format!("role {role}")))?,
        enterprise_id: enterprise
            .map(|e| parse_uuid(&e).map(EnterpriseId))
            .transpose()?,
        region_code: row.try_get("region_code")?,
        display_name: row.try_get("display_name")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

pub(super) fn parse_uuid(s: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(s).map_err(|_| DbError::Invalid(format!("id {s}")))
}

pub(super) const ACCOUNT_COLUMNS: &str =
    "a.id, a.login, a.role, a.enterprise_id, a.region_code, a.display_name, a.disabled";

/// Creates an enterprise and its first (admin) account in one transaction.
pub async fn register_enterprise(
    db: &Db,
    e: &Enterprise,
    admin: &NewAccount,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let at = timestamp(now);
    super::enterprises::insert_enterprise_on(&mut tx, e, &at).await?;
    insert_account(&mut tx, admin, Some(e.id), &at).await?;
    super::partners::link_partners(&mut tx, e.id, &e.uscc, &at).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an account outside any enterprise (regulator, platform admin).
pub async fn create_account(db: &Db, a: &NewAccount, now: DateTime<Utc>) -> Result<(), DbError> {
    let mut conn = db.pool.acquire().await?;
    insert_account(&mut conn, a, None, &timestamp(now)).await
}

pub(super) async fn insert_account(
    conn: &mut sqlx::AnyConnection,
    a: &NewAccount,
    enterprise: Option<EnterpriseId>,
    at: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO accounts (id, login, password_hash, role, enterprise_id, region_code, display_name, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(a.id.to_string())
    .bind(a.login.trim())
    .bind(&a.password_hash)
    .bind(a.role.code())
    .bind(enterprise.map(|e| e.to_string()))
    .bind(a.region_code.clone())
    .bind(&a.display_name)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account with this login and its password hash.
pub async fn account_for_login(db: &Db, login: &str) -> Result<Option<(Account, String)>, DbError> {
    let sql =
        format!("SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM accounts a WHERE a.login = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(login.trim())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((account_of(&r)?, r.try_get("password_hash")?)))
        .transpose()
}

/// Stores a token (by its hash) for an account.
pub async fn insert_token(
    db: &Db,
    token_hash: &str,
    account: Uuid,
    kind: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO tokens (token_hash, account_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(account.to_string())
    .bind(kind)
    .bind(timestamp(now))
    .bind(timestamp(expires))
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The enabled account a live (unexpired, unrevoked) token belongs to.
pub async fn account_for_token(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Account>, DbError> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.disabled = 0"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(account_of).transpose()
}

/// What kind of credential a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bearer token for the API and the phone.
    Api,
    /// A browser session cookie, paired with a CSRF token.
    Session,
}

impl TokenKind {
    fn code(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Session => "session",
        }
    }
}

/// A live token: whose it is, and for a session the hash of its CSRF token.
#[derive(Debug, Clone)]
pub struct LiveToken {
    /// The enabled account it belongs to.
    pub account: Account,
    /// Bearer or session.
    pub kind: TokenKind,
    /// SHA-256 of the session's CSRF token.
    pub csrf_hash: Option<String>,
}

/// Stores a browser session (by its hash) with the hash of its CSRF token.
pub async fn insert_session(
    db: &Db,
    token_hash: &str,
    csrf_hash: &str,
    account: Uuid,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO tokens (token_hash, account_id, kind, csrf_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(account.to_string())
    .bind(TokenKind::Session.code())
    .bind(csrf_hash)
    .bind(timestamp(now))
    .bind(timestamp(expires))
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The live (unexpired, unrevoked, of an enabled account) token of this hash and its kind.
pub async fn live_token(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<LiveToken>, DbError> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS}, t.kind, t.csrf_hash FROM tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.disabled = 0"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("kind")?;
    Ok(Some(LiveToken {
        account: account_of(&row)?,
        kind: match kind.as_str() {
            "api" => TokenKind::Api,
            "session" => TokenKind::Session,
            other => return Err(DbError::Invalid(format!("token kind {other}"))),
        },
        csrf_hash: row.try_get("csrf_hash")?,
    }))
}

/// Replaces an account's password hash.
pub async fn set_password(db: &Db, account: Uuid, password_hash: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(account.to_string())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Revokes a token.
pub async fn revoke_token(db: &Db, token_hash: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(timestamp(now))
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}
