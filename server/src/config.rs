//! Configuration from flags and environment.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// How the service starts.
#[derive(Parser, Debug, Clone)]
#[command(name = "suyuan-server", version, about = "Suyuan traceability service")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "SUYUAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder for the embedded SQLite database and uploaded files; created if missing.
    #[arg(long, env = "SUYUAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; without it, a SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Load demo enterprises, logins and products into an empty database.
    #[arg(long, env = "SUYUAN_DEMO")]
    pub demo: bool,
    /// Login of the platform admin, created (or its password reset) at start when a password
    /// is given.
    #[arg(long, env = "SUYUAN_ADMIN_LOGIN", default_value = "admin")]
    pub admin_login: String,
    /// Password of the platform admin (at least 12 characters); no admin is set up without it.
    #[arg(long, env = "SUYUAN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Log one JSON object a line instead of text.
    #[arg(long, env = "SUYUAN_LOG_JSON")]
    pub log_json: bool,
    /// Minutes between full recomputations of the risk warnings (expiry, overdue
    /// reconciliation); 0 turns the periodic job off.
    #[arg(long, env = "SUYUAN_WARNINGS_EVERY_MINUTES", default_value_t = 60)]
    pub warnings_every_minutes: u64,
}

impl Config {
    /// The database to open: the given URL, else `suyuan.sqlite` in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => sqlite_url(&self.data_dir.join("suyuan.sqlite")),
        }
    }
}

/// A SQLite URL that creates the file if it does not exist.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_a_sqlite_file_in_the_data_folder() {
        let c = Config::parse_from(["suyuan-server", "--data-dir", "/tmp/x"]);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite:///tmp/x/suyuan.sqlite?mode=rwc");
        assert_eq!(c.warnings_every_minutes, 60);
        let c = Config::parse_from(["suyuan-server", "--database-url", "postgres://h/db"]);
        assert_eq!(c.database_url(), "postgres://h/db");
        assert!(!c.demo && c.admin_password.is_none());
        let c = Config::parse_from([
            "suyuan-server",
            "--demo",
            "--admin-login",
            "root",
            "--admin-password",
            "long-enough-secret",
        ]);
        assert!(c.demo);
        assert_eq!(c.admin_login, "root");
        assert_eq!(c.admin_password.as_deref(), Some("long-enough-secret"));
    }
}
