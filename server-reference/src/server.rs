//! Serving the router on a socket (through `connections`: timeouts and a
//! connection cap), with graceful shutdown and a purge task.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::config::{Config, ConfigError};
use crate::connections::{self, Limits};
use crate::state::AppState;
use crate::store::Store;

/// How often a server on a shared store reloads the management records
/// (`Store::is_shared`): the longest another instance's change goes unseen here.
pub const MANAGEMENT_REFRESH: Duration = Duration::from_secs(1);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A running server. Dropping it stops the server.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    base_url: Url,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    purge: JoinHandle<()>,
}

impl ServerHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` — also the issuer unless the configuration names one.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> String {
        self.state.url(path)
    }

    /// The live state (store, clock), for tests that inspect or move time.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting connections, waits for in-flight requests, then
    /// checkpoints the store (`Store::checkpoint`: with SQLite, the `.db` file
    /// alone is then complete).
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        };
        self.purge.abort();
        if let Err(e) = self.state.store().checkpoint().await {
            tracing::warn!(error = %e, "checkpointing the store at shutdown failed");
        }
        served
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.purge.abort();
    }
}

/// Binds `addr`, loads `config` and serves until the handle is shut down or dropped.
pub async fn spawn(config: Config, addr: SocketAddr) -> Result<ServerHandle, SpawnError> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let base_url = Url::parse(&format!("http://{addr}")).expect("a socket address makes a URL");
    let state = AppState::new(config, base_url.clone()).await?;
    serve_on(listener, state).await
}

/// Like [`spawn`], over a given store (e.g. [`crate::store::SqliteStore`]); the
/// configuration's fixture is upserted into it, so a restart on the same database
/// keeps every issued token and record.
pub async fn spawn_with_store(
    config: Config,
    addr: SocketAddr,
    store: Arc<dyn Store>,
) -> Result<ServerHandle, SpawnError> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let base_url = Url::parse(&format!("http://{addr}")).expect("a socket address makes a URL");
    let state = AppState::with_store(config, base_url, store).await?;
    serve_on(listener, state).await
}

/// Serves an already-built state on a bound listener.
pub async fn serve_on(listener: TcpListener, state: AppState) -> Result<ServerHandle, SpawnError> {
    let addr = listener.local_addr()?;
    let base_url = Url::parse(&format!("http://{addr}")).expect("a socket address makes a URL");
    let (tx, rx) = oneshot::channel::<()>();
    let app = crate::app(state.clone());
    let limits = Limits::from_settings(state.settings());
    let task = tokio::spawn(async move {
        connections::serve(listener, app, limits, async {
            let _ = rx.await;
        })
        .await
    });
    let purge_state = state.clone();
    let refresh_state = state.clone();
    // With a shared store, the management records another instance changed are
    // loaded within a second (they are kept in memory for every request).
    let refresh = async move {
        if !refresh_state.store().is_shared() {
            return;
        }
        let mut tick = tokio::time::interval(MANAGEMENT_REFRESH);
        loop {
            tick.tick().await;
            let (management, store) = (refresh_state.management(), refresh_state.store());
            if let Err(e) = management.refresh(store).await {
                tracing::warn!(error = %e, "reloading the management records failed");
            }
        }
    };
    let purge = async move {
        // The first purge comes one period after start, not at once: tests that
        // move the server clock forward must not race a purge of their records.
        let period = Duration::from_secs(60);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            if let Err(e) = purge_state.store().purge_expired(purge_state.now()).await {
                tracing::warn!(error = %e, "purging expired records failed");
            }
        }
    };
    let purge = tokio::spawn(async move {
        tokio::join!(purge, refresh);
    });
    Ok(ServerHandle {
        addr,
        base_url,
        state,
        shutdown: Some(tx),
        task: Some(task),
        purge,
    })
}
