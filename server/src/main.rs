//! `suyuan-server`: serves the API and pages.

use clap::Parser;
use std::net::SocketAddr;

/// Command-line and environment configuration.
#[derive(Parser, Debug)]
#[command(name = "suyuan-server", version, about = "Suyuan traceability service")]
struct Config {
    /// Address to listen on.
    #[arg(long, env = "SUYUAN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(addr = %config.listen, "listening");
    axum::serve(listener, suyuan_server::app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
