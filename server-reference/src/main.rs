//! `oauth-server`: the reference authorization server.
//!
//! Run with: `cargo run -p oauth-server-reference --bin oauth-server`
//! (the demo fixture on 127.0.0.1:8080; `--config FILE` replaces it).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use oauth_server_reference::store::{PostgresStore, SqliteStore, redact_url};
use oauth_server_reference::{Config, spawn, spawn_with_store};

#[derive(Debug, Parser)]
#[command(
    name = "oauth-server",
    version,
    about = "Reference OAuth 2.0 authorization server"
)]
struct Args {
    /// TOML configuration replacing the built-in demo fixture.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    /// Durable storage: `sqlite://PATH` (created if missing; one server process),
    /// or `postgres://USER:PASSWORD@HOST:PORT/DB` (shared: several server
    /// processes may serve one database). Without it, everything is kept in
    /// memory and lost at exit. The password is never printed.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Seconds a client has to send a complete request head, counted from the
    /// accept or the previous response (`settings.header_read_timeout_secs`,
    /// default 10).
    #[arg(long, value_name = "SECS")]
    header_read_timeout: Option<u64>,
    /// Seconds a connection may move no byte before it is closed
    /// (`settings.idle_timeout_secs`, default 60).
    #[arg(long, value_name = "SECS")]
    idle_timeout: Option<u64>,
    /// Connections served at once; more wait to be accepted
    /// (`settings.max_connections`, default 1024).
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "oauth_server_reference=info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oauth-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let (mut config, demo) = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (
                Config::from_toml_str(&text).map_err(|e| format!("{}: {e}", path.display()))?,
                false,
            )
        }
        None => (Config::demo(), true),
    };
    let settings = &mut config.settings;
    if let Some(secs) = args.header_read_timeout {
        settings.header_read_timeout_secs = secs;
    }
    if let Some(secs) = args.idle_timeout {
        settings.idle_timeout_secs = secs;
    }
    if let Some(n) = args.max_connections {
        settings.max_connections = n;
    }
    let server = match &args.database {
        Some(url) if url.starts_with("sqlite:") => {
            let store = SqliteStore::open(url)
                .await
                .map_err(|e| format!("--database {url}: {e}"))?;
            spawn_with_store(config.clone(), args.listen, std::sync::Arc::new(store)).await?
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            // The store's errors name the URL without its password.
            let store = PostgresStore::open(url).await?;
            spawn_with_store(config.clone(), args.listen, std::sync::Arc::new(store)).await?
        }
        Some(url) => {
            return Err(format!(
                "--database {}: expected sqlite://PATH or postgres://…",
                redact_url(url)
            )
            .into());
        }
        None => spawn(config.clone(), args.listen).await?,
    };
    println!("oauth-server listening on {}", server.base_url());
    println!("issuer: {}", server.state().issuer());
    if demo {
        println!("\nDemo fixture (docs/demo-fixture.md; these values are public test data):\n");
        println!("{}", fixture_summary(&config, true));
    } else {
        println!("\nLoaded {}:\n", args.config.as_ref().unwrap().display());
        println!("{}", fixture_summary(&config, false));
    }
    println!(
        "Try: {}/oauth/authorize?client_id=demo-confidential&response_type=code&redirect_uri=http://127.0.0.1:9876/callback&state=xyz",
        server.state().issuer()
    );
    tokio::signal::ctrl_c().await?;
    println!("shutting down");
    server.shutdown().await?;
    Ok(())
}

/// A table of the fixture. Secrets are shown only for the built-in demo data,
/// which is published in the docs anyway; never for a user's configuration.
fn fixture_summary(config: &Config, show_secrets: bool) -> String {
    let secret = |s: Option<&str>| match (s, show_secrets) {
        (Some(s), true) => s.to_owned(),
        (Some(_), false) => "[set]".to_owned(),
        (None, _) => "—".to_owned(),
    };
    let mut out = String::new();
    for u in &config.users {
        let tfa = if u.totp_secret.is_some() {
            " (two-factor)"
        } else {
            ""
        };
        out += &format!(
            "  user     {:<22} password {}{tfa}\n",
            u.username,
            secret(Some(&u.password))
        );
    }
    for c in &config.clients {
        let grants: Vec<_> = c.grants.iter().map(|g| g.name()).collect();
        out += &format!(
            "  client   {:<22} secret {:<28} grants {}\n",
            c.id,
            secret(c.secret.as_deref()),
            grants.join(",")
        );
    }
    for a in &config.accounts {
        out += &format!(
            "  account  {:<22} api key {}\n",
            a.email,
            secret(Some(&a.api_key))
        );
    }
    for t in &config.tenants {
        out += &format!("  tenant   {}\n", t.id);
    }
    out
}
