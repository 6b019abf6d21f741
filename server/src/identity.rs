//! Who a login and password belong to. The seed's provincial single sign-on is modelled as
//! local accounts behind [`IdentityProvider`], so a real SSO can replace them without touching
//! the handlers.

use crate::auth::{hash_password, verify_password};
use crate::db::{self, Account, Db, DbError, NewAccount, Role};
use chrono::Utc;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// A boxed future, so providers can sit behind `dyn` in the app state.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Checks credentials.
pub trait IdentityProvider: Send + Sync + std::fmt::Debug {
    /// The enabled account these credentials prove, or `None` (unknown login, wrong password,
    /// disabled account: the caller cannot tell which).
    fn authenticate<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<Account>, DbError>>;
}

/// Accounts in our own database with Argon2id password hashes.
#[derive(Debug, Clone)]
pub struct LocalAccounts {
    db: Db,
}

impl LocalAccounts {
    /// Accounts of this database.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// An Argon2id hash of a random string, verified against when the login is unknown so both
/// cases take the time of one hash.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$w2YIXwX6qn3+s7Mq9kH4QQ$/FRPHpPPw5OMbJL3inwXPhaBNjCoIOTA2MyGJeR3INI";

impl IdentityProvider for LocalAccounts {
    fn authenticate<'a>(
        &'a self,
        login: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, Result<Option<Account>, DbError>> {
        Box::pin(async move {
            let found = db::account_for_login(&self.db, login).await?;
            let hash = found
                .as_ref()
                .map_or(DUMMY_HASH.to_owned(), |(_, h)| h.clone());
            let password = password.to_owned();
            // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .unwrap_or(false);
            Ok(found.map(|(a, _)| a).filter(|a| ok && !a.disabled))
        })
    }
}

/// Why the platform admin could not be set up at start.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// The login belongs to an account of another role.
    #[error("login {0:?} is taken by an account that is not a platform admin")]
    LoginTaken(String),
    /// The password is too weak to guard the whole platform.
    #[error("the platform admin password must have at least 12 characters")]
    WeakPassword,
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Creates the platform admin, or sets its password to the given one if it exists, so the
/// password given at start is always the one that works.
pub async fn ensure_platform_admin(
    db: &Db,
    login: &str,
    password: &str,
) -> Result<(), BootstrapError> {
    if password.chars().count() < 12 {
        return Err(BootstrapError::WeakPassword);
    }
    let hash = hash_password(password).map_err(BootstrapError::Hash)?;
    match db::account_for_login(db, login).await? {
        Some((a, _)) if a.role == Role::PlatformAdmin => {
            db::set_password(db, a.id, &hash).await?;
            tracing::info!(login, "platform admin password set");
        }
        Some(_) => return Err(BootstrapError::LoginTaken(login.to_owned())),
        None => {
            let account = NewAccount {
                id: Uuid::new_v4(),
                login: login.trim().to_owned(),
                password_hash: hash,
                role: Role::PlatformAdmin,
                region_code: None,
                display_name: "平台管理员".to_owned(),
            };
            db::create_account_audited(db, None, &account, None, Utc::now()).await?;
            tracing::info!(login, "platform admin created");
        }
    }
    Ok(())
}
