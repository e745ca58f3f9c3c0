//! Several server processes on one PostgreSQL database, as behind a load
//! balancer: the real `oauth-server` binary, two or three instances, each on its
//! own loopback port, all with one issuer. Concurrent requests spread across the
//! instances race one code, one refresh token and one assertion `jti` (at most
//! one success each), and a token revoked on one instance is inactive on the
//! others. Also: the binary's start-up errors for an unreachable database.
//!
//! Runs when PostgreSQL is installed (always with `OAUTH_TEST_STORE=postgres`);
//! the cluster comes from `support::postgres`.

mod support;
mod token_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use oauth_server_reference::config::DEMO_TOML;
use oauth_server_reference::crypto::{TokenHash, random_token};
use oauth_server_reference::model::{AuthCode, GrantId};
use oauth_server_reference::scope::ScopeSet;
use oauth_server_reference::store::{PostgresStore, Store};
use serde_json::{Value, json};
use support::{CONFIDENTIAL, REDIRECT, TempDir, client, json};
use token_support::{ASSERTION_TYPE, JWT_CLIENT, RSA_KID, TOKEN, sign, wall_now};

/// The one issuer every instance of the deployment answers as.
const ISSUER: &str = "http://oauth.deployment.test";
/// Concurrent requests per race, spread round-robin over the instances.
const RACERS: usize = 12;

/// One `oauth-server` process, killed on drop.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` instances on one fresh schema, plus the test's own handle on the store.
struct Deployment {
    instances: Vec<Instance>,
    store: Arc<PostgresStore>,
    http: reqwest::Client,
    _config: TempDir,
}

impl Deployment {
    async fn start(n: usize) -> Self {
        let url = support::postgres::cluster().fresh_schema().await;
        // The first open migrates the schema; the instances find it ready.
        let store = Arc::new(PostgresStore::open(&url).await.expect("store opens"));
        let config = TempDir::new();
        let path = config.path().join("deployment.toml");
        let toml = DEMO_TOML.replacen(
            "[settings]\n",
            &format!("[settings]\nissuer = \"{ISSUER}\"\n"),
            1,
        );
        assert!(
            toml.contains(ISSUER),
            "the demo fixture has a [settings] table"
        );
        std::fs::write(&path, toml).unwrap();
        let children: Vec<Child> = (0..n)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_oauth-server"))
                    .arg("--config")
                    .arg(&path)
                    .args(["--listen", "127.0.0.1:0", "--database", &url])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::inherit())
                    .spawn()
                    .expect("oauth-server starts")
            })
            .collect();
        let instances = children
            .into_iter()
            .map(|mut child| {
                let mut out = BufReader::new(child.stdout.take().unwrap());
                let mut line = String::new();
                out.read_line(&mut line).unwrap();
                let base = line
                    .trim()
                    .strip_prefix("oauth-server listening on ")
                    .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
                    .trim_end_matches('/')
                    .to_owned();
                // Keep draining stdout so the process never blocks on a full pipe.
                std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
                Instance { child, base }
            })
            .collect();
        Self {
            instances,
            store,
            http: client(),
            _config: config,
        }
    }

    /// POSTs `form` to `path` on instance `i` (modulo the instance count).
    async fn post(
        &self,
        i: usize,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let base = &self.instances[i % self.instances.len()].base;
        let mut req = self.http.post(format!("{base}{path}")).form(form);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        req.send().await.expect("the instance answers")
    }

    /// Sends the same request `RACERS` times at once, round-robin over the
    /// instances, and returns each answer's status and body.
    async fn race(
        &self,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> Vec<(u16, Value)> {
        let requests = (0..RACERS).map(|i| async move {
            let resp = self.post(i, path, basic, form).await;
            (resp.status().as_u16(), json(resp).await)
        });
        futures::future::join_all(requests).await
    }

    /// Introspects `token` on instance `i` as demo-confidential.
    async fn active_on(&self, i: usize, token: &str) -> bool {
        let resp = self
            .post(
                i,
                "/oauth/introspect",
                Some(CONFIDENTIAL),
                &[("token", token)],
            )
            .await;
        assert_eq!(resp.status(), 200);
        json(resp).await["active"] == true
    }

    /// Access and refresh token of alice through the password grant on instance `i`.
    async fn password_tokens(&self, i: usize) -> Value {
        let resp = self
            .post(
                i,
                TOKEN,
                Some(CONFIDENTIAL),
                &[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", "alice-password"),
                    ("scope", "api"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 200);
        json(resp).await
    }
}

/// Exactly one 200; every other answer is `refused_with` at `status`.
fn one_winner(outcomes: &[(u16, Value)], status: u16, refused_with: &str) -> Value {
    let winners: Vec<_> = outcomes.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one success: {outcomes:?}");
    for (s, body) in outcomes.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*s, status, "{body}");
        assert_eq!(body["error"], refused_with, "{body}");
    }
    winners[0].1.clone()
}

fn token_of(body: &Value, member: &str) -> String {
    body[member].as_str().expect(member).to_owned()
}

async fn single_use_holds_across(n: usize) {
    let d = Deployment::start(n).await;

    // One code, redeemed by RACERS requests across the instances. The code is
    // created in the shared store, as the authorization endpoint of any
    // instance would.
    let code = random_token();
    d.store
        .insert_code(AuthCode {
            hash: TokenHash::of(&code),
            client_id: CONFIDENTIAL.0.to_owned(),
            username: "alice".to_owned(),
            redirect_uri: Some(REDIRECT.to_owned()),
            scope: ScopeSet::parse("api").unwrap(),
            challenge: None,
            expires_at: (wall_now() as u64 + 60) * 1000,
            grant_id: GrantId::new(),
        })
        .await
        .unwrap();
    let outcomes = d
        .race(
            TOKEN,
            Some(CONFIDENTIAL),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    let won = one_winner(&outcomes, 400, "invalid_grant");
    // The replays revoked the grant (RFC 6749 §4.1.2): no instance accepts the
    // winner's token any more.
    let access = token_of(&won, "access_token");
    for i in 0..n {
        assert!(!d.active_on(i, &access).await, "instance {i}");
    }

    // One refresh token, rotated by RACERS requests across the instances.
    let tokens = d.password_tokens(0).await;
    let refresh = token_of(&tokens, "refresh_token");
    let outcomes = d
        .race(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    one_winner(&outcomes, 400, "invalid_grant");

    // One client assertion (one jti), presented RACERS times across the instances.
    let now = wall_now();
    let assertion = sign(
        Some(RSA_KID),
        false,
        &json!({
            "iss": JWT_CLIENT, "sub": JWT_CLIENT, "aud": ISSUER,
            "iat": now, "exp": now + 60, "jti": random_token(),
        }),
    );
    let outcomes = d
        .race(
            TOKEN,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
            ],
        )
        .await;
    one_winner(&outcomes, 401, "invalid_client");

    // A token issued on one instance, seen on every other, revoked on the last,
    // inactive everywhere.
    let tokens = d.password_tokens(0).await;
    let access = token_of(&tokens, "access_token");
    for i in 0..n {
        assert!(d.active_on(i, &access).await, "instance {i} sees the token");
    }
    let resp = d
        .post(
            n - 1,
            "/oauth/revoke",
            Some(CONFIDENTIAL),
            &[("token", &access)],
        )
        .await;
    assert_eq!(resp.status(), 200);
    for i in 0..n {
        assert!(
            !d.active_on(i, &access).await,
            "instance {i} after revocation"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_keep_single_use_and_revocation() {
    if support::postgres::wanted("two_instances_keep_single_use_and_revocation") {
        single_use_holds_across(2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_keep_single_use_and_revocation() {
    if support::postgres::wanted("three_instances_keep_single_use_and_revocation") {
        single_use_holds_across(3).await;
    }
}

/// The binary's one-line error when the database cannot be reached at start:
/// it names the URL without the password, and the exit status is non-zero.
#[test]
fn an_unreachable_database_stops_the_binary_with_a_redacted_url() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let password = "s3cret-Pa55word";
    let url = format!("postgres://oauth:{password}@127.0.0.1:{port}/oauth?password={password}");
    let out = Command::new(env!("CARGO_BIN_EXE_oauth-server"))
        .args(["--listen", "127.0.0.1:0", "--database", &url])
        .stdin(Stdio::null())
        .output()
        .expect("oauth-server runs");
    assert!(!out.status.success(), "exit status {:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stderr.contains(password) && !stdout.contains(password),
        "{stderr}{stdout}"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(
        lines[0].contains(&format!("postgres://oauth@127.0.0.1:{port}/oauth")),
        "names the URL without the password: {stderr}"
    );
}

/// A database lost mid-run: requests that need it are answered 503 with
/// `Retry-After` (RFC 6749 `temporarily_unavailable` at the token endpoint),
/// never a 500 or a wrong answer; once it is back, every token acknowledged
/// before the loss is still there and new requests succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_database_is_503_with_retry_after_and_nothing_acknowledged_is_lost() {
    if !support::postgres::wanted("a_lost_database_is_503_with_retry_after") {
        return;
    }
    let cluster = support::postgres::private_cluster();
    let url = cluster.fresh_schema().await;
    let store = PostgresStore::open(&url).await.expect("store opens");
    let ts =
        support::TestServer::with_store(oauth_server_reference::Config::demo(), Arc::new(store))
            .await;
    let before = token_support::password_tokens(&ts, CONFIDENTIAL, "api").await;
    let access = token_of(&before, "access_token");
    let refresh = token_of(&before, "refresh_token");

    cluster.stop();
    let password = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "alice-password"),
    ];
    for resp in [
        ts.post_form(TOKEN, Some(CONFIDENTIAL), &password).await,
        ts.post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await,
        ts.post_form(
            "/oauth/introspect",
            Some(CONFIDENTIAL),
            &[("token", &access)],
        )
        .await,
    ] {
        assert_eq!(resp.status(), 503);
        assert!(resp.headers().contains_key("retry-after"), "{resp:?}");
        let body = json(resp).await;
        assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    }
    let resp = ts
        .http
        .get(ts.url("/api/v4/user"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503, "a resource request needs the store too");
    assert!(resp.headers().contains_key("retry-after"));

    cluster.start();
    // Connections the pool held died with the server: the first uses may still
    // find one (503, as above) before the pool has reconnected. Bounded.
    let mut active = None;
    for _ in 0..20 {
        let resp = ts
            .post_form(
                "/oauth/introspect",
                Some(CONFIDENTIAL),
                &[("token", &access)],
            )
            .await;
        if resp.status() == 200 {
            active = Some(json(resp).await["active"] == true);
            break;
        }
        assert_eq!(resp.status(), 503);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        active,
        Some(true),
        "the token acknowledged before the loss survives"
    );
    // The refresh token refused while the database was gone is still unused.
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(resp.status(), 200, "{}", json(resp).await);
}

/// Management writes on several instances at once: none overwrites another
/// (a change made on records another instance changed meanwhile is refused with
/// 503 + `Retry-After` and retried here), every instance shows every record
/// within `MANAGEMENT_REFRESH` (the records are kept in memory, reloaded when
/// the stored document changed), and the protocol client a change registers
/// works on every instance at once (clients are read from the store).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn management_changes_on_any_instance_are_kept_and_seen_by_all() {
    const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-key");
    if !support::postgres::wanted("management_changes_on_any_instance_are_kept") {
        return;
    }
    let d = Deployment::start(3).await;
    let register = |i: usize| {
        let d = &d;
        async move {
            let base = &d.instances[i].base;
            for _ in 0..20 {
                let resp = d
                    .http
                    .post(format!("{base}/api/rest/services?fields=id,secret"))
                    .basic_auth(ADMIN.0, Some(ADMIN.1))
                    .header("content-type", "application/json")
                    .body(
                        json!({"name": format!("Service {i}"), "homeUrl": "https://s.example",
                               "redirectUris": [REDIRECT]})
                        .to_string(),
                    )
                    .send()
                    .await
                    .unwrap();
                match resp.status().as_u16() {
                    201 => {
                        let body = json(resp).await;
                        return (token_of(&body, "id"), token_of(&body, "secret"));
                    }
                    503 => {
                        assert!(resp.headers().contains_key("retry-after"));
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                    other => panic!("registration on instance {i}: {other} {}", json(resp).await),
                }
            }
            panic!("instance {i} never saved its registration")
        }
    };
    let services = futures::future::join_all((0..3).map(register)).await;

    let deadline = std::time::Instant::now() + oauth_server_reference::MANAGEMENT_REFRESH * 5;
    for (id, secret) in &services {
        for (i, instance) in d.instances.iter().enumerate() {
            // The client the registration wrote is usable everywhere at once.
            let resp = d
                .post(
                    i,
                    "/api/rest/oauth2/token",
                    Some((id, secret)),
                    &[("grant_type", "client_credentials")],
                )
                .await;
            assert_eq!(resp.status(), 200, "service {id} on instance {i}");
            // The record itself shows once the instance reloaded the records.
            loop {
                let resp = d
                    .http
                    .get(format!("{}/api/rest/services/{id}", instance.base))
                    .basic_auth(ADMIN.0, Some(ADMIN.1))
                    .send()
                    .await
                    .unwrap();
                if resp.status() == 200 {
                    break;
                }
                assert_eq!(resp.status(), 404);
                assert!(
                    std::time::Instant::now() < deadline,
                    "service {id} never showed on instance {i}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
