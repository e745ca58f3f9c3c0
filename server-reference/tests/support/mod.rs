//! Shared test support: a reference server on 127.0.0.1:0 and an HTTP client that
//! never follows redirects, so every hop can be asserted. The login and consent
//! pages are driven by the workspace's test-support crate (`browser`).
#![allow(dead_code, unreachable_pub)]

pub use oauth_test_support as browser;
pub mod postgres;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use oauth_server_reference::store::{PostgresStore, SqliteStore, Store};
use oauth_server_reference::{Config, ServerHandle, spawn, spawn_with_store};

/// Demo fixture values (docs/demo-fixture.md).
pub const CONFIDENTIAL: (&str, &str) = ("demo-confidential", "demo-confidential-secret");
pub const CONFIDENTIAL_2: (&str, &str) = ("demo-confidential-2", "demo-confidential-2-secret");
pub const REDIRECT: &str = "http://127.0.0.1:9876/callback";

/// A running server plus a client.
pub struct TestServer {
    pub handle: ServerHandle,
    pub http: reqwest::Client,
    /// The SQLite database's directory when `OAUTH_TEST_STORE=sqlite`; removed on drop.
    pub db_dir: Option<TempDir>,
}

impl TestServer {
    /// The demo fixture on a free loopback port.
    pub async fn demo() -> Self {
        Self::with_config(Config::demo()).await
    }

    /// The store comes from `OAUTH_TEST_STORE`: `memory` (default), `sqlite` (a
    /// fresh database file per server) or `postgres` (a fresh schema per server
    /// in the test binary's cluster, `support/postgres.rs`), so one suite runs
    /// against all three (docs/rules.md#storage-and-durability).
    pub async fn with_config(config: Config) -> Self {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        match test_store().as_str() {
            "memory" => Self {
                handle: spawn(config, addr).await.expect("server starts"),
                http: client(),
                db_dir: None,
            },
            "sqlite" => {
                let dir = TempDir::new();
                let store = SqliteStore::open(&dir.sqlite_url())
                    .await
                    .expect("sqlite store opens");
                let handle = spawn_with_store(config, addr, Arc::new(store))
                    .await
                    .expect("server starts");
                Self {
                    handle,
                    http: client(),
                    db_dir: Some(dir),
                }
            }
            "postgres" => {
                let url = postgres::cluster().fresh_schema().await;
                let store = PostgresStore::open(&url)
                    .await
                    .expect("postgres store opens");
                Self::with_store(config, Arc::new(store)).await
            }
            other => panic!("OAUTH_TEST_STORE={other:?}: expected memory, sqlite or postgres"),
        }
    }

    /// The configuration over a store the test holds (to reopen it after a restart).
    pub async fn with_store(config: Config, store: Arc<dyn Store>) -> Self {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        Self {
            handle: spawn_with_store(config, addr, store)
                .await
                .expect("server starts"),
            http: client(),
            db_dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.handle.url(path)
    }

    /// POSTs a form to `path` with optional HTTP Basic credentials (sent raw:
    /// callers that need RFC 6749 §2.3.1 encoding pass it already encoded).
    pub async fn post_form(
        &self,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).form(form);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        req.send().await.expect("request reaches the server")
    }
}

impl browser::Origin for TestServer {
    fn origin_url(&self) -> url::Url {
        url::Url::parse(&self.url("/")).expect("the server's URL parses")
    }
}

/// A cookie-less client that never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Reads a JSON body, failing the test with the raw text if it is not JSON.
pub async fn json(resp: reqwest::Response) -> serde_json::Value {
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The store the suite runs against: `OAUTH_TEST_STORE`, `memory` when unset.
pub fn test_store() -> String {
    std::env::var("OAUTH_TEST_STORE").unwrap_or_else(|_| "memory".to_owned())
}

/// A fresh directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path = std::env::temp_dir().join(format!(
            "oauth-server-test-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temp dir is writable");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `sqlite://<dir>/db.sqlite`
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.0.join("db.sqlite").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
