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
        let c = Config::parse_from(["suyuan-server", "--database-url", "postgres://h/db"]);
        assert_eq!(c.database_url(), "postgres://h/db");
    }
}
