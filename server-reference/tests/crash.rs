//! Crash safety of the SQLite store (docs/rules.md#storage-and-durability): the real binary, under token
//! issuance load from several tasks, is killed with SIGKILL and restarted on the
//! same database. Every token whose 200 response arrived must still validate, every
//! management change whose 201 arrived must still be there, every refresh-token
//! chain rotated under the load must still have its newest acknowledged refresh
//! token (or the successor of a rotation that committed but whose answer was cut
//! off), no half-written record may be visible, and `PRAGMA integrity_check` must
//! say ok.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oauth_server_reference::crypto::TokenHash;
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use support::{CONFIDENTIAL, TempDir, client};

/// Load bounds: whichever comes first ends the load.
const TASKS: usize = 8;
const MAX_TOKENS: usize = 5_000;
const MAX_LOAD: Duration = Duration::from_secs(5);
/// Refresh-token chains rotated beside the load, one task each.
const CHAINS: usize = 12;
/// The kill lands once this many tokens were acknowledged (or at `KILL_AFTER`).
const KILL_AT_TOKENS: usize = 300;
const KILL_AFTER: Duration = Duration::from_millis(2_500);

/// The server process; killed on drop so a failing test leaves nothing behind.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db_url: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oauth-server"))
            .args(["--database", db_url, "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("oauth-server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the address line, then keeps draining stdout so the server never
        // blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("oauth-server listening on ")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(addr.trim_end_matches('/').to_owned());
                }
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
        };
        server.base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        server
    }

    fn kill(mut self) {
        // SIGKILL on Unix: no shutdown code runs.
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Issues client-credentials tokens until stopped or failing; returns the acknowledged ones.
async fn issue(base: String, acked: Arc<Mutex<Vec<String>>>, deadline: Instant) {
    let http = client();
    while Instant::now() < deadline && acked.lock().unwrap().len() < MAX_TOKENS {
        let sent = http
            .post(format!("{base}/oauth/token"))
            .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
            .form(&[("grant_type", "client_credentials"), ("scope", "api")])
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let Ok(resp) = sent else { return }; // the server is gone
        assert_eq!(resp.status(), 200, "token request failed before the kill");
        let Ok(body) = resp.json::<serde_json::Value>().await else {
            return; // killed between headers and body: not acknowledged
        };
        let token = body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        acked.lock().unwrap().push(token);
    }
}

/// Creates components in the demo tenant, one after the other (each change saves
/// the whole management document), until stopped or failing; returns the
/// acknowledged ones.
async fn create_components(base: String, acked: Arc<Mutex<Vec<String>>>, deadline: Instant) {
    let http = client();
    for n in 0.. {
        if Instant::now() >= deadline {
            return;
        }
        let id = format!("crash-{n}");
        let doc = serde_json::json!({"data": {"type": "component", "id": id}});
        let sent = http
            .post(format!("{base}/v2/tenants/demo-tenant/components"))
            .basic_auth(ADMIN.0, Some(ADMIN.1))
            .header("content-type", "application/vnd.api+json")
            .body(doc.to_string())
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let Ok(resp) = sent else { return };
        assert_eq!(
            resp.status(),
            201,
            "creating a component failed before the kill"
        );
        acked.lock().unwrap().push(id);
    }
}

const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-key");

/// A refresh token from the password grant (alice), to start a chain.
async fn first_refresh_token(base: &str) -> String {
    let body: serde_json::Value = client()
        .post(format!("{base}/oauth/token"))
        .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
        .form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "alice-password"),
            ("scope", "api"),
        ])
        .send()
        .await
        .expect("password grant answers")
        .json()
        .await
        .expect("password grant gives JSON");
    body["refresh_token"]
        .as_str()
        .expect("the password grant gives a refresh token")
        .to_owned()
}

/// Rotates one chain until stopped or failing; `newest` always holds the refresh
/// token of the last 200 that arrived.
async fn rotate(
    base: String,
    newest: Arc<Mutex<String>>,
    rotations: Arc<Mutex<usize>>,
    deadline: Instant,
) {
    let http = client();
    while Instant::now() < deadline {
        let current = newest.lock().unwrap().clone();
        let sent = http
            .post(format!("{base}/oauth/token"))
            .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &current)])
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let Ok(resp) = sent else { return };
        assert_eq!(resp.status(), 200, "a rotation failed before the kill");
        let Ok(body) = resp.json::<serde_json::Value>().await else {
            return;
        };
        *newest.lock().unwrap() = body["refresh_token"]
            .as_str()
            .expect("rotation gives a new refresh token")
            .to_owned();
        *rotations.lock().unwrap() += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_tokens_survive_sigkill() {
    let dir = TempDir::new();
    let db_url = dir.sqlite_url();

    let server = Server::start(&db_url);
    let mut chains = Vec::new();
    for _ in 0..CHAINS {
        chains.push(Arc::new(Mutex::new(
            first_refresh_token(&server.base).await,
        )));
    }
    let rotations = Arc::new(Mutex::new(0));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let rotators: Vec<_> = chains
        .iter()
        .map(|newest| {
            tokio::spawn(rotate(
                server.base.clone(),
                newest.clone(),
                rotations.clone(),
                started + MAX_LOAD,
            ))
        })
        .collect();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            tokio::spawn(issue(
                server.base.clone(),
                acked.clone(),
                started + MAX_LOAD,
            ))
        })
        .collect();
    let components = Arc::new(Mutex::new(Vec::new()));
    let management = tokio::spawn(create_components(
        server.base.clone(),
        components.clone(),
        started + MAX_LOAD,
    ));
    while acked.lock().unwrap().len() < KILL_AT_TOKENS && started.elapsed() < KILL_AFTER {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    for t in tasks {
        t.await.expect("a load task panicked");
    }
    management.await.expect("the management task panicked");
    for r in rotators {
        r.await.expect("a rotation task panicked");
    }
    let rotations = *rotations.lock().unwrap();
    assert!(
        rotations > 0,
        "no refresh token was rotated before the kill"
    );
    let components = std::mem::take(&mut *components.lock().unwrap());
    assert!(
        !components.is_empty(),
        "no component was created before the kill"
    );
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        !acked.is_empty(),
        "no token was issued before the kill; the load never ran"
    );

    let server = Server::start(&db_url);
    let http = client();
    // Each chain's newest acknowledged refresh token still refreshes, unless a
    // rotation already sent with it committed (its answer cut off by the kill):
    // then that rotation's successor must be there, live, in the same grant.
    let mut conn = SqliteConnectOptions::from_str(&db_url)
        .unwrap()
        .connect()
        .await
        .expect("the database opens");
    let mut chains_lost = 0;
    for newest in &chains {
        let token = newest.lock().unwrap().clone();
        let hash = TokenHash::of(&token);
        let (consumed, grant): (bool, String) =
            sqlx::query_as("SELECT consumed, grant_id FROM tokens WHERE hash = ?")
                .bind(&hash.as_bytes()[..])
                .fetch_optional(&mut conn)
                .await
                .unwrap()
                .expect("an acknowledged refresh token is stored");
        let live_successors: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM tokens WHERE grant_id = ? AND kind = 'refresh' \
             AND consumed = 0 AND revoked = 0",
        )
        .bind(&grant)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        if consumed {
            if live_successors != 1 {
                chains_lost += 1;
            }
            continue;
        }
        let resp = http
            .post(format!("{}/oauth/token", server.base))
            .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
            .await
            .expect("restarted server answers");
        if resp.status() != 200 {
            chains_lost += 1;
        }
    }
    drop(conn);
    assert_eq!(
        chains_lost, 0,
        "{chains_lost} of {CHAINS} refresh-token chains lost their newest acknowledged token ({rotations} rotations before the kill)"
    );

    let mut lost = 0;
    for token in &acked {
        let resp = http
            .get(format!("{}/api/v4/user", server.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("restarted server answers");
        if resp.status() != 200 {
            lost += 1;
        }
    }
    assert_eq!(
        lost,
        0,
        "{lost} of {} acknowledged tokens were lost in the crash",
        acked.len()
    );
    let listed: serde_json::Value = http
        .get(format!("{}/v2/tenants/demo-tenant/components", server.base))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .expect("restarted server answers")
        .json()
        .await
        .unwrap();
    let kept: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    let missing: Vec<&String> = components
        .iter()
        .filter(|c| !kept.contains(&c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged components lost in the crash, e.g. {:?}",
        missing.len(),
        components.len(),
        &missing[..missing.len().min(5)]
    );

    // The file itself, read beside the running server (WAL admits readers).
    let mut conn = SqliteConnectOptions::from_str(&db_url)
        .unwrap()
        .connect()
        .await
        .expect("the database opens");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM tokens")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(
        stored as usize >= acked.len(),
        "{stored} tokens stored, {} acknowledged",
        acked.len()
    );
    // Nothing half-written: every stored row is a complete record.
    let malformed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tokens WHERE length(hash) != 32 OR client_id != ? \
         OR scope = '' OR grant_id = '' OR issued_at <= 0",
    )
    .bind(CONFIDENTIAL.0)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(malformed, 0);
    drop(conn);
    server.kill();
    eprintln!(
        "crash test: {} tokens, {rotations} rotations of {CHAINS} chains and {} components acknowledged before SIGKILL, all there after restart; {stored} tokens stored",
        acked.len(),
        components.len()
    );
}
