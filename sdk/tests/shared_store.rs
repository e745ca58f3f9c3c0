//! Token stores shared by many sources in many OS processes: the refresh
//! lease, compare-and-swap saves, `invalid_grant` checked against the store,
//! and (feature `redis`) `RedisStore` against a real `redis-server`.
//!
//! The other processes are this test binary run again, running the one test
//! [`REPLICA_ENTRY`]: when `OAUTH_SHARED_CHILD` holds a replica's orders
//! (JSON), that test does the work of one replica instead of its own
//! (`serve_as_replica`): it prints `READY`, waits for a line on stdin (so all
//! replicas start together), and prints one `RESULT` line per call.
//!
//! The Redis tests start `redis-server` on a free loopback port (without
//! persistence) and stop it. Without `redis-server` they print how to
//! install it and pass, unless `OAUTH_REQUIRE_REDIS=1` (CI sets it).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use oauth_sdk::{
    AccessToken, ClientSecret, ClientSecretBasic, FileStore, MemoryStore, RefreshToken, StoreError,
    Token, TokenSource, TokenStore, TokenType,
};
use serde::{Deserialize, Serialize};
use support::{gitlab_client, temp_path};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A rotating token endpoint: each refresh token is valid once. A reused or
/// unknown one is "burned" (counted) and answered with `invalid_grant`, as a
/// server with reuse detection would before revoking the grant.
struct Rotating {
    state: Mutex<(usize, String)>,
    burned: Arc<AtomicUsize>,
    delay: Duration,
    /// The first request is answered only after two minutes (its sender is
    /// killed before that).
    hang_first: bool,
    rotate: bool,
}

impl Respond for Rotating {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&req.body)
            .into_owned()
            .collect();
        let presented = form
            .iter()
            .find(|(k, _)| k == "refresh_token")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut state = self.state.lock().unwrap();
        if self.rotate && presented != state.1 {
            self.burned.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(400).set_body_json(serde_json::json!({
                "error": "invalid_grant"
            }));
        }
        state.0 += 1;
        let n = state.0;
        let mut body = serde_json::json!({
            "access_token": format!("at-{n}"),
            "token_type": "bearer",
            "expires_in": 3600,
        });
        if self.rotate {
            state.1 = format!("rt-{n}");
            body["refresh_token"] = state.1.clone().into();
        }
        let delay = if self.hang_first && n == 1 {
            Duration::from_secs(120)
        } else {
            self.delay
        };
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(delay)
    }
}

struct Endpoint {
    server: MockServer,
    burned: Arc<AtomicUsize>,
}

impl Endpoint {
    async fn start(delay: Duration, hang_first: bool, rotate: bool) -> Self {
        let burned = Arc::new(AtomicUsize::new(0));
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(Rotating {
                state: Mutex::new((0, "rt-0".to_owned())),
                burned: Arc::clone(&burned),
                delay,
                hang_first,
                rotate,
            })
            .mount(&server)
            .await;
        Endpoint { server, burned }
    }

    /// The refresh tokens presented, in order.
    async fn presented(&self) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == "/oauth/token")
            .filter_map(|r| {
                url::form_urlencoded::parse(&r.body)
                    .into_owned()
                    .find(|(k, _)| k == "refresh_token")
                    .map(|(_, v)| v)
            })
            .collect()
    }

    fn burned(&self) -> usize {
        self.burned.load(Ordering::SeqCst)
    }
}

fn client(token_server: &str) -> oauth_sdk::Client {
    gitlab_client(token_server, "c", ClientSecretBasic(ClientSecret::new("s")))
}

fn expired(refresh: &str) -> Token {
    Token::new(AccessToken::new("old"), TokenType::Bearer)
        .with_refresh_token(Some(RefreshToken::new(refresh)))
        .with_expires_at(Some(SystemTime::now() - Duration::from_secs(1)))
}

/// Where a replica keeps its token.
#[derive(Serialize, Deserialize, Clone, Debug)]
enum StoreSpec {
    File(std::path::PathBuf),
    Redis { url: String, lease_ttl_ms: u64 },
}

/// One replica's orders.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct Orders {
    store: StoreSpec,
    token_server: String,
    /// Sources in the replica, each with its own handle on the store, each
    /// driven by its own task.
    sources: usize,
    /// Sequential `token()` calls per source.
    calls: usize,
    leeway_secs: u64,
}

const CHILD_ENV: &str = "OAUTH_SHARED_CHILD";

/// The test a replica process runs: it checks for orders first, so in a
/// replica it serves them, and in the parent it is an ordinary test.
const REPLICA_ENTRY: &str = "processes_sharing_a_file_store_refresh_once_and_burn_nothing";

/// Does one replica's work when this process is a replica (`OAUTH_SHARED_CHILD`
/// set); returns whether it was one.
async fn serve_as_replica() -> bool {
    let Ok(orders) = std::env::var(CHILD_ENV) else {
        return false;
    };
    let orders: Orders = serde_json::from_str(&orders).unwrap();
    let store: Arc<dyn TokenStore> = match &orders.store {
        StoreSpec::File(path) => Arc::new(FileStore::new(path)),
        #[cfg(feature = "redis")]
        StoreSpec::Redis { url, lease_ttl_ms } => Arc::new(
            redis_tier::store(url)
                .lease_ttl(Duration::from_millis(*lease_ttl_ms))
                .connect()
                .await
                .unwrap(),
        ),
        #[cfg(not(feature = "redis"))]
        StoreSpec::Redis { .. } => unreachable!("the redis feature is off"),
    };
    // One HTTP client (building one loads the system's roots); each source
    // has its own cache, single flight and state.
    let client = client(&orders.token_server);
    let mut sources = Vec::new();
    for _ in 0..orders.sources {
        sources.push(
            TokenSource::refreshing(client.clone())
                .shared_store(Arc::clone(&store))
                .leeway(Duration::from_secs(orders.leeway_secs))
                .lease_wait(Duration::from_secs(30))
                .build()
                .await
                .unwrap(),
        );
    }
    println!("READY");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    let tasks: Vec<_> = sources
        .into_iter()
        .map(|source| {
            let calls = orders.calls;
            tokio::spawn(async move {
                let mut out = Vec::new();
                for _ in 0..calls {
                    out.push(match source.access_token().await {
                        Ok(t) => format!("RESULT ok {}", t.secret()),
                        Err(e) => format!("RESULT err {e}"),
                    });
                }
                out
            })
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    for task in tasks {
        for line in task.await.unwrap() {
            writeln!(stdout, "{line}").unwrap();
        }
    }
    true
}

/// A running replica.
struct Replica {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Replica {
    /// Starts a replica and waits until its sources are built.
    fn start(orders: &Orders) -> Replica {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([REPLICA_ENTRY, "--exact", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(CHILD_ENV, serde_json::to_string(orders).unwrap())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            let n = stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "the replica ended before it was ready");
            // The harness's `test <REPLICA_ENTRY> ... ` precedes it.
            if line.trim_end().ends_with("READY") {
                break;
            }
        }
        Replica {
            child,
            stdin,
            stdout,
        }
    }

    fn go(&mut self) {
        let mut stdin = self.stdin.take().unwrap();
        stdin.write_all(b"go\n").unwrap();
    }

    /// Waits for the replica to end and returns its `RESULT` lines.
    fn results(mut self) -> Vec<String> {
        let mut results = Vec::new();
        for line in (&mut self.stdout).lines() {
            let line = line.unwrap();
            if let Some(r) = line.strip_prefix("RESULT ") {
                results.push(r.to_owned());
            }
        }
        let status = self.child.wait().unwrap();
        assert!(status.success(), "replica failed: {status}");
        results
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `count` replicas, starts them together, and returns all their
/// results (bounded: a replica that hangs fails the test after a minute).
async fn run_replicas(orders: Orders, count: usize) -> Vec<String> {
    let pids = Arc::new(Mutex::new(Vec::new()));
    let started = Arc::clone(&pids);
    let work = tokio::task::spawn_blocking(move || {
        let mut replicas = Vec::new();
        for _ in 0..count {
            let r = Replica::start(&orders);
            started.lock().unwrap().push(r.child.id());
            replicas.push(r);
        }
        for r in &mut replicas {
            r.go();
        }
        replicas
            .into_iter()
            .flat_map(Replica::results)
            .collect::<Vec<_>>()
    });
    match tokio::time::timeout(Duration::from_secs(60), work).await {
        Ok(results) => results.unwrap(),
        Err(_) => {
            // Unblock the reader thread: end the replicas this test started.
            for pid in pids.lock().unwrap().iter() {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
            panic!("the replicas did not finish within a minute");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_file_store_refresh_once_and_burn_nothing() {
    if serve_as_replica().await {
        return;
    }
    let endpoint = Endpoint::start(Duration::from_millis(200), false, true).await;
    let path = temp_path("burst");
    FileStore::new(&path).save(&expired("rt-0")).await.unwrap();
    let orders = Orders {
        store: StoreSpec::File(path.clone()),
        token_server: endpoint.server.uri(),
        sources: 50,
        calls: 1,
        leeway_secs: 60,
    };
    let results = run_replicas(orders, 4).await;
    assert_eq!(results.len(), 200);
    assert!(results.iter().all(|r| r == "ok at-1"), "{results:?}");
    assert_eq!(endpoint.presented().await, ["rt-0"]);
    assert_eq!(endpoint.burned(), 0);
    let stored = FileStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().secret(), "rt-1");
}

/// `a` and `b` are two handles on one store (or the same one): `a` reads,
/// `b` saves a newer token, and `a`'s save of what it read is refused.
async fn stale_writer_is_refused(a: &dyn TokenStore, b: &dyn TokenStore) {
    let first = a.save_versioned(&expired("rt-a"), None).await.unwrap();
    let seen = a.load_versioned().await.unwrap();
    assert_eq!(seen.version, first);
    let newer = b
        .save_versioned(&expired("rt-b"), Some(first))
        .await
        .unwrap();
    assert_ne!(newer, first);
    let e = a
        .save_versioned(&expired("rt-stale"), Some(first))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict { expected, found } if expected == first && found == newer),
        "{e:?}"
    );
    let kept = a.load().await.unwrap().unwrap();
    assert_eq!(kept.refresh_token().unwrap().secret(), "rt-b");
}

#[tokio::test]
async fn a_stale_writer_is_refused_by_the_file_and_memory_stores() {
    let path = temp_path("stale");
    let stores: [Arc<dyn TokenStore>; 2] = [
        Arc::new(FileStore::new(&path)),
        Arc::new(MemoryStore::new()),
    ];
    for store in stores {
        stale_writer_is_refused(&*store, &*store).await;
        // One lease holder at a time; giving it back frees it.
        let lease = store.lease().await.unwrap().expect("free lease");
        assert!(store.lease().await.unwrap().is_none());
        store.release(lease).await.unwrap();
        assert!(store.lease().await.unwrap().is_some());
    }
    // The file lease is an OS lock: another handle on the file sees it.
    let a = FileStore::new(&path);
    let held = a.lease().await.unwrap().unwrap();
    assert!(FileStore::new(&path).lease().await.unwrap().is_none());
    drop(held);
    assert!(FileStore::new(&path).lease().await.unwrap().is_some());
}

#[tokio::test]
async fn a_token_another_source_stored_is_taken_without_a_request() {
    // Source B rotates rt-0 to rt-1 and saves it; source A still holds the
    // old token in memory.
    let endpoint = Endpoint::start(Duration::ZERO, false, true).await;
    let store = Arc::new(MemoryStore::new());
    let a = TokenSource::refreshing(client(&endpoint.server.uri()))
        .shared_store(store.clone())
        .token(expired("rt-0"))
        .build()
        .await
        .unwrap();
    let b = TokenSource::refreshing(client(&endpoint.server.uri()))
        .shared_store(store.clone())
        .build()
        .await
        .unwrap();
    assert_eq!(b.access_token().await.unwrap().secret(), "at-1");
    // A's next renewal finds B's token in the store before any request.
    assert_eq!(a.access_token().await.unwrap().secret(), "at-1");
    assert_eq!(endpoint.presented().await, ["rt-0"]);
}

/// A `MemoryStore` into which "another replica" writes at chosen moments:
/// before the `nth` versioned load, or before the next compare-and-swap.
#[derive(Debug, Default)]
struct Interleaved {
    inner: MemoryStore,
    loads: AtomicUsize,
    before_load: Mutex<Option<(usize, Token)>>,
    before_save: Mutex<Option<Token>>,
}

#[async_trait::async_trait]
impl TokenStore for Interleaved {
    async fn load(&self) -> Result<Option<Token>, StoreError> {
        self.inner.load().await
    }
    async fn save(&self, token: &Token) -> Result<(), StoreError> {
        self.inner.save(token).await
    }
    async fn load_versioned(&self) -> Result<oauth_sdk::Versioned, StoreError> {
        let n = self.loads.fetch_add(1, Ordering::SeqCst) + 1;
        let due = {
            let mut slot = self.before_load.lock().unwrap();
            match slot.take() {
                Some((at, t)) if at == n => Some(t),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        if let Some(t) = due {
            self.inner.save(&t).await?;
        }
        self.inner.load_versioned().await
    }
    async fn save_versioned(
        &self,
        token: &Token,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let due = self.before_save.lock().unwrap().take();
        if let Some(t) = due {
            self.inner.save(&t).await?;
        }
        self.inner.save_versioned(token, expected).await
    }
    async fn lease(&self) -> Result<Option<oauth_sdk::Lease>, StoreError> {
        self.inner.lease().await
    }
}

#[tokio::test]
async fn invalid_grant_rereads_the_store_and_continues_from_the_newer_token() {
    let endpoint = Endpoint::start(Duration::ZERO, false, true).await;
    // Another replica rotates rt-0 to rt-1 at the server first...
    let other = client(&endpoint.server.uri())
        .refresh(&RefreshToken::new("rt-0"))
        .send()
        .await
        .unwrap()
        .into_token()
        .with_expires_at(Some(SystemTime::now() - Duration::from_secs(1)));
    // ...and its save lands after this replica's refresh with rt-0 was sent
    // (loads: 1 before the lease, 2 under it, 3 after `invalid_grant`).
    let store = Arc::new(Interleaved::default());
    store.save(&expired("rt-0")).await.unwrap();
    let a = TokenSource::refreshing(client(&endpoint.server.uri()))
        .shared_store(store.clone())
        .build()
        .await
        .unwrap();
    store.loads.store(0, Ordering::SeqCst);
    *store.before_load.lock().unwrap() = Some((3, other));
    // rt-0 is refused; the store holds rt-1, so the source refreshes with it
    // instead of asking the user to sign in again.
    assert_eq!(a.access_token().await.unwrap().secret(), "at-2");
    assert_eq!(endpoint.presented().await, ["rt-0", "rt-0", "rt-1"]);
    assert_eq!(endpoint.burned(), 1, "only the simulated race");
}

#[tokio::test]
async fn a_newer_token_saved_during_the_refresh_is_kept() {
    let endpoint = Endpoint::start(Duration::ZERO, false, true).await;
    let store = Arc::new(Interleaved::default());
    store.save(&expired("rt-0")).await.unwrap();
    // Another writer (a `set_token` elsewhere) saves a fresh token while
    // this source refreshes: the source's compare-and-swap is refused and
    // the source takes the stored token.
    let theirs = Token::new(AccessToken::new("at-theirs"), TokenType::Bearer)
        .with_refresh_token(Some(RefreshToken::new("rt-theirs")))
        .with_expires_at(Some(SystemTime::now() + Duration::from_secs(3600)));
    *store.before_save.lock().unwrap() = Some(theirs);
    let a = TokenSource::refreshing(client(&endpoint.server.uri()))
        .shared_store(store.clone())
        .build()
        .await
        .unwrap();
    assert_eq!(a.access_token().await.unwrap().secret(), "at-theirs");
    let kept = store.load().await.unwrap().unwrap();
    assert_eq!(kept.access_token().secret(), "at-theirs");
}

#[tokio::test]
async fn a_lease_held_too_long_is_a_retryable_error_without_a_request() {
    let endpoint = Endpoint::start(Duration::ZERO, false, true).await;
    let store = Arc::new(MemoryStore::new());
    store.save(&expired("rt-0")).await.unwrap();
    let held = store.lease().await.unwrap().unwrap();
    let a = TokenSource::refreshing(client(&endpoint.server.uri()))
        .shared_store(store.clone())
        .lease_wait(Duration::from_millis(100))
        .build()
        .await
        .unwrap();
    let e = a.access_token().await.unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("another process"), "{e}");
    assert!(endpoint.presented().await.is_empty());
    store.release(held).await.unwrap();
    assert_eq!(a.access_token().await.unwrap().secret(), "at-1");
}

#[cfg(feature = "redis")]
mod redis_tier {
    use super::*;
    use oauth_sdk::{ClientId, EncryptionKey, Grant, RedisStore, RedisStoreBuilder};

    pub(super) fn store(url: &str) -> RedisStoreBuilder {
        RedisStore::builder(url, &ClientId::new("c"), Grant::RefreshToken)
    }

    /// A `redis-server` on a free loopback port, without persistence,
    /// stopped when dropped.
    pub(super) struct RedisServer {
        child: Option<Child>,
        port: u16,
    }

    impl RedisServer {
        /// `None` (after one line saying how to install it) when
        /// `redis-server` is missing and `OAUTH_REQUIRE_REDIS` is not `1`.
        pub(super) fn start() -> Option<RedisServer> {
            if Command::new("redis-server")
                .arg("--version")
                .output()
                .is_err()
            {
                assert!(
                    std::env::var("OAUTH_REQUIRE_REDIS").as_deref() != Ok("1"),
                    "redis-server is not installed and OAUTH_REQUIRE_REDIS=1"
                );
                // Past the harness's capture, and once per run.
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| {
                    let _ = writeln!(
                        std::io::stderr(),
                        "skipping the Redis tests: redis-server not found (apt-get install redis-server)"
                    );
                });
                return None;
            }
            // Ports this binary gave out are not given out again, so that a
            // test stopping its server never stops another test's.
            static USED: Mutex<Vec<u16>> = Mutex::new(Vec::new());
            let port = loop {
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port();
                let mut used = USED.lock().unwrap();
                if !used.contains(&port) {
                    used.push(port);
                    break port;
                }
            };
            let mut server = RedisServer { child: None, port };
            server.restart();
            Some(server)
        }

        pub(super) fn url(&self) -> String {
            format!("redis://127.0.0.1:{}/0", self.port)
        }

        pub(super) fn stop(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        /// (Re)starts the server on its port and waits until it answers.
        pub(super) fn restart(&mut self) {
            self.stop();
            let child = Command::new("redis-server")
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let pid = child.id();
            self.child = Some(child);
            for _ in 0..250 {
                // The server answering must be the one just started.
                if server_pid(self.port) == Some(pid) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            panic!("redis-server did not answer on port {}", self.port);
        }
    }

    /// The `process_id` of the Redis answering on `port`.
    fn server_pid(port: u16) -> Option<u32> {
        use std::io::Read;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
        s.write_all(b"INFO server\r\n").ok()?;
        let mut text = String::new();
        let mut buf = [0u8; 4096];
        while !text.contains("process_id:") || !text[text.find("process_id:")?..].contains('\n') {
            let n = s.read(&mut buf).ok()?;
            if n == 0 {
                return None;
            }
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        let rest = &text[text.find("process_id:")? + "process_id:".len()..];
        rest[..rest.find('\r')?].parse().ok()
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            self.stop();
        }
    }

    async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
        redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    /// A Redis, a token endpoint, and the store seeded with an expired
    /// token whose refresh token is `rt-0`.
    async fn seeded(endpoint: Endpoint) -> Option<(RedisServer, Endpoint, RedisStore)> {
        let redis = RedisServer::start()?;
        let seed = store(&redis.url()).connect().await.unwrap();
        seed.save(&expired("rt-0")).await.unwrap();
        Some((redis, endpoint, seed))
    }

    fn orders(redis: &RedisServer, endpoint: &Endpoint, lease_ttl_ms: u64) -> Orders {
        Orders {
            store: StoreSpec::Redis {
                url: redis.url(),
                lease_ttl_ms,
            },
            token_server: endpoint.server.uri(),
            sources: 1,
            calls: 1,
            leeway_secs: 60,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn eight_processes_of_200_sources_send_one_request_and_burn_nothing() {
        let endpoint = Endpoint::start(Duration::from_millis(300), false, true).await;
        let Some((redis, endpoint, seed)) = seeded(endpoint).await else {
            return;
        };
        let orders = Orders {
            sources: 200,
            ..orders(&redis, &endpoint, 30_000)
        };
        let results = run_replicas(orders, 8).await;
        assert_eq!(results.len(), 1600);
        assert!(
            results.iter().all(|r| r == "ok at-1"),
            "{:?}",
            &results[..5]
        );
        assert_eq!(endpoint.presented().await, ["rt-0"]);
        assert_eq!(endpoint.burned(), 0);
        let stored = seed.load().await.unwrap().unwrap();
        assert_eq!(stored.access_token().secret(), "at-1");
        assert_eq!(stored.refresh_token().unwrap().secret(), "rt-1");
        // The lease was given back.
        let lease: Option<String> = redis::cmd("GET")
            .arg(seed.lease_key())
            .query_async(&mut raw(&redis.url()).await)
            .await
            .unwrap();
        assert_eq!(lease, None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rotation_under_contention_uses_each_refresh_token_once() {
        let endpoint = Endpoint::start(Duration::ZERO, false, true).await;
        let Some((redis, endpoint, seed)) = seeded(endpoint).await else {
            return;
        };
        // A leeway longer than the token's life: every call renews, so the
        // sources of four processes keep rotating one refresh token.
        let orders = Orders {
            sources: 5,
            calls: 4,
            leeway_secs: 7200,
            ..orders(&redis, &endpoint, 30_000)
        };
        let results = run_replicas(orders, 4).await;
        assert_eq!(results.len(), 80);
        assert!(
            results.iter().all(|r| r.starts_with("ok at-")),
            "{results:?}"
        );
        let presented = endpoint.presented().await;
        assert_eq!(endpoint.burned(), 0, "{presented:?}");
        // Every refresh token was presented once, in the order issued.
        let expected: Vec<String> = (0..presented.len()).map(|n| format!("rt-{n}")).collect();
        assert_eq!(presented, expected);
        let stored = seed.load().await.unwrap().unwrap();
        assert_eq!(
            stored.refresh_token().unwrap().secret(),
            format!("rt-{}", presented.len())
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replica_killed_holding_the_lease_gives_it_back_through_its_ttl() {
        // The first request never gets its answer in time; refresh tokens
        // do not rotate (the killed replica's request reached the server).
        let endpoint = Endpoint::start(Duration::ZERO, true, false).await;
        let Some((redis, endpoint, seed)) = seeded(endpoint).await else {
            return;
        };
        let orders = orders(&redis, &endpoint, 1_000);
        let mut replica = tokio::task::spawn_blocking(move || Replica::start(&orders))
            .await
            .unwrap();
        replica.go();
        // Wait (bounded) until the replica's request is at the server.
        for _ in 0..500 {
            if !endpoint.presented().await.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(endpoint.presented().await, ["rt-0"]);
        let mut conn = raw(&redis.url()).await;
        let holder: Option<String> = redis::cmd("GET")
            .arg(seed.lease_key())
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(holder.is_some(), "the replica holds the lease");
        drop(replica); // SIGKILL while holding the lease
        let other = TokenSource::refreshing(client(&endpoint.server.uri()))
            .store(store(&redis.url()).connect().await.unwrap())
            .lease_wait(Duration::from_secs(20))
            .build()
            .await
            .unwrap();
        assert_eq!(other.access_token().await.unwrap().secret(), "at-2");
        assert_eq!(endpoint.presented().await, ["rt-0", "rt-0"]);
        let stored = seed.load().await.unwrap().unwrap();
        assert_eq!(stored.access_token().secret(), "at-2");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refresh_slower_than_the_lease_ttl_keeps_its_lease() {
        // The token endpoint takes 2 s; the lease lasts 600 ms unless its
        // holder extends it. Without extension the second source would take
        // the lease and present rt-0 again.
        let endpoint = Endpoint::start(Duration::from_secs(2), false, true).await;
        let Some((redis, endpoint, _seed)) = seeded(endpoint).await else {
            return;
        };
        let mut sources = Vec::new();
        for _ in 0..2 {
            sources.push(
                TokenSource::refreshing(client(&endpoint.server.uri()))
                    .store(
                        store(&redis.url())
                            .lease_ttl(Duration::from_millis(600))
                            .connect()
                            .await
                            .unwrap(),
                    )
                    .build()
                    .await
                    .unwrap(),
            );
        }
        let (a, b) = tokio::join!(sources[0].access_token(), sources[1].access_token());
        assert_eq!(a.unwrap().secret(), "at-1");
        assert_eq!(b.unwrap().secret(), "at-1");
        assert_eq!(endpoint.presented().await, ["rt-0"]);
        assert_eq!(endpoint.burned(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_redis_restart_gives_a_retryable_error_then_recovery() {
        let Some(mut redis) = RedisServer::start() else {
            return;
        };
        let endpoint = Endpoint::start(Duration::ZERO, false, true).await;
        let source = TokenSource::refreshing(client(&endpoint.server.uri()))
            .store(
                store(&redis.url())
                    .timeout(Duration::from_millis(500))
                    .connect()
                    .await
                    .unwrap(),
            )
            .token(expired("rt-0"))
            .leeway(Duration::from_secs(7200)) // every call renews
            .build()
            .await
            .unwrap();
        assert_eq!(source.access_token().await.unwrap().secret(), "at-1");

        redis.stop();
        let e = source.access_token().await.unwrap_err();
        assert!(e.is_retryable(), "{e:?}");
        let oauth_sdk::Error::TokenRenewal(cause) = &e else {
            panic!("{e:?}")
        };
        assert!(
            matches!(&**cause, oauth_sdk::Error::TokenStore(s) if matches!(**s, StoreError::Unavailable { .. })),
            "{cause:?}"
        );
        // Without the store nothing is sent: another replica might be
        // refreshing the same token.
        assert_eq!(endpoint.presented().await, ["rt-0"]);

        // Redis comes back empty (no persistence): the source refreshes
        // with the refresh token it holds, and stores the result.
        redis.restart();
        let mut token = None;
        for _ in 0..50 {
            match source.access_token().await {
                Ok(t) => {
                    token = Some(t);
                    break;
                }
                Err(e) => {
                    assert!(e.is_retryable(), "{e:?}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        assert_eq!(token.expect("recovered").secret(), "at-2");
        assert_eq!(endpoint.presented().await, ["rt-0", "rt-1"]);
        assert_eq!(endpoint.burned(), 0);
        let stored = store(&redis.url()).connect().await.unwrap();
        let stored = stored.load().await.unwrap().unwrap();
        assert_eq!(stored.access_token().secret(), "at-2");
        assert_eq!(stored.refresh_token().unwrap().secret(), "rt-2");
    }

    #[tokio::test]
    async fn a_stale_writers_save_is_refused() {
        let Some(redis) = RedisServer::start() else {
            return;
        };
        let a = store(&redis.url()).connect().await.unwrap();
        let b = store(&redis.url()).connect().await.unwrap();
        let first = a.save_versioned(&expired("rt-0"), Some(0)).await.unwrap();
        // Nothing stored was expected: refused now.
        assert!(matches!(
            a.save_versioned(&expired("rt-x"), Some(0)).await,
            Err(StoreError::Conflict { expected: 0, found }) if found == first
        ));
        stale_writer_is_refused(&a, &b).await;
        // Leases: one holder; a stale holder's release leaves the new
        // holder's lease alone.
        let lease = a.lease().await.unwrap().expect("free");
        assert!(b.lease().await.unwrap().is_none());
        let mut conn = raw(&redis.url()).await;
        let _: () = redis::cmd("SET")
            .arg(a.lease_key())
            .arg("successor")
            .query_async(&mut conn)
            .await
            .unwrap();
        a.release(lease).await.unwrap();
        let now: Option<String> = redis::cmd("GET")
            .arg(a.lease_key())
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(now.as_deref(), Some("successor"));
        // Keys are per client, grant and name.
        let other_user = a.with_name("user-2");
        assert!(other_user.load().await.unwrap().is_none());
        assert_ne!(other_user.token_key(), a.token_key());
    }

    #[tokio::test]
    async fn encrypted_values_in_redis_are_not_the_token_plaintext() {
        let Some(redis) = RedisServer::start() else {
            return;
        };
        let key = EncryptionKey::new("k1", [7u8; 32]);
        let enc = store(&redis.url())
            .encryption_key(key.clone())
            .connect()
            .await
            .unwrap();
        let token = Token::new(AccessToken::new("AT-PLAINTEXT-1"), TokenType::Bearer)
            .with_refresh_token(Some(RefreshToken::new("RT-PLAINTEXT-1")));
        enc.save(&token).await.unwrap();
        let mut conn = raw(&redis.url()).await;
        let reader = conn.clone();
        let hget = move |key: String| {
            let mut conn = reader.clone();
            async move {
                let v: Vec<u8> = redis::cmd("HGET")
                    .arg(key)
                    .arg("d")
                    .query_async(&mut conn)
                    .await
                    .unwrap();
                String::from_utf8(v).unwrap()
            }
        };
        let first = hget(enc.token_key().to_owned()).await;
        assert!(!first.contains("PLAINTEXT"), "{first}");
        assert!(first.contains("\"kid\":\"k1\""), "{first}");
        assert_eq!(enc.load().await.unwrap().unwrap(), token);
        // A random nonce per write: the same token encrypts differently.
        enc.save(&token).await.unwrap();
        assert_ne!(hget(enc.token_key().to_owned()).await, first);

        let unreadable = |r: Result<Option<Token>, StoreError>| {
            assert!(matches!(r, Err(StoreError::Unreadable { .. })), "{r:?}");
        };
        // Another key with the same id, another id, no key: refused.
        let wrong = store(&redis.url())
            .encryption_key(EncryptionKey::new("k1", [8u8; 32]))
            .connect()
            .await
            .unwrap();
        unreadable(wrong.load().await);
        let other_id = store(&redis.url())
            .encryption_key(EncryptionKey::new("k2", [7u8; 32]))
            .connect()
            .await
            .unwrap();
        unreadable(other_id.load().await);
        let plain = store(&redis.url()).connect().await.unwrap();
        unreadable(plain.load().await);
        // A value copied to another namespace fails its associated data.
        let moved = enc.with_name("someone-else");
        let _: () = redis::cmd("COPY")
            .arg(enc.token_key())
            .arg(moved.token_key())
            .query_async(&mut conn)
            .await
            .unwrap();
        unreadable(moved.load().await);
        // A plaintext value is refused by a store that encrypts.
        let plain_other = plain.with_name("plain");
        plain_other.save(&token).await.unwrap();
        assert!(
            hget(plain_other.token_key().to_owned())
                .await
                .contains("AT-PLAINTEXT-1")
        );
        unreadable(enc.with_name("plain").load().await);
        assert!(!format!("{enc:?}").contains("[7, 7"), "{enc:?}");
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_one_line_without_the_password() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("redis://user:hunter2@127.0.0.1:{port}/0");
        let e = store(&url)
            .timeout(Duration::from_millis(500))
            .connect()
            .await
            .unwrap_err();
        let shown = e.to_string();
        assert!(matches!(e, StoreError::Unavailable { .. }), "{e:?}");
        assert!(e.is_retryable());
        assert!(
            !shown.contains("hunter2") && !shown.contains('\n'),
            "{shown}"
        );
        assert!(shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    }
}
