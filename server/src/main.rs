//! `suyuan-server`: opens (and migrates) the database, then serves until Ctrl-C or SIGTERM.

use clap::Parser;
use suyuan_server::config::Config;
use suyuan_server::db::Db;
use suyuan_server::demo::{DEMO_PASSWORD, DemoOutcome, demo_logins, load_demo};
use suyuan_server::identity::ensure_platform_admin;
use suyuan_server::{AppState, app};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if config.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    tracing::info!(backend = ?db.backend, "database ready");
    if let Some(password) = &config.admin_password {
        ensure_platform_admin(&db, &config.admin_login, password).await?;
    }
    if config.demo {
        match load_demo(&db).await? {
            DemoOutcome::Loaded => tracing::info!("demo data loaded"),
            DemoOutcome::AlreadyLoaded => tracing::info!("demo data already loaded"),
            DemoOutcome::NotEmpty => {
                tracing::warn!("database holds other enterprises: demo data not loaded")
            }
        }
        for (login, what) in demo_logins() {
            tracing::info!(login, password = DEMO_PASSWORD, %what, "demo login");
        }
    }
    if config.warnings_every_minutes > 0 {
        let every = std::time::Duration::from_secs(config.warnings_every_minutes * 60);
        suyuan_server::warnings::spawn_periodic(db.clone(), every);
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(addr = %config.listen, "listening");
    axum::serve(listener, app(AppState::new(db)))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before the process exits.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
