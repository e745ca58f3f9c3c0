//! Token lifecycle against wiremock servers: cache and leeway, single-flight,
//! client-credentials re-fetch, skew, rotation, dead refresh tokens, stores,
//! retries, and the authorized client's one retry on 401.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use oauth_sdk::{
    AccessToken, AuthorizedClient, ClientSecret, ClientSecretBasic, Error, FileStore, MemoryStore,
    RefreshToken, RetryPolicy, StoreError, Token, TokenPlacement, TokenSource, TokenStore,
    TokenType,
};
use support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers each token request with `at-N` / `rt-N` (N counts from 1).
struct Numbered {
    n: AtomicUsize,
    expires_in: u64,
    refresh: bool,
}

impl Respond for Numbered {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.n.fetch_add(1, Ordering::SeqCst) + 1;
        let mut body = serde_json::json!({
            "access_token": format!("at-{n}"),
            "token_type": "bearer",
            "expires_in": self.expires_in,
        });
        if self.refresh {
            body["refresh_token"] = format!("rt-{n}").into();
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

fn numbered(expires_in: u64, refresh: bool) -> Numbered {
    Numbered {
        n: AtomicUsize::new(0),
        expires_in,
        refresh,
    }
}

async fn token_server(responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> oauth_sdk::Client {
    gitlab_client(
        &server.uri(),
        "c",
        ClientSecretBasic(ClientSecret::new("s")),
    )
}

async fn token_requests(server: &MockServer) -> Vec<Vec<(String, String)>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect())
        .collect()
}

fn expired(refresh: &str) -> Token {
    Token::new(AccessToken::new("old"), TokenType::Bearer)
        .with_refresh_token(Some(RefreshToken::new(refresh)))
        .with_expires_at(Some(SystemTime::now() - Duration::from_secs(1)))
}

fn grant(form: &[(String, String)]) -> &str {
    &form.iter().find(|(k, _)| k == "grant_type").unwrap().1
}

fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

#[tokio::test]
async fn cached_token_is_reused_until_the_leeway() {
    let server = token_server(numbered(3600, false)).await;
    let source = TokenSource::client_credentials(client(&server))
        .leeway(Duration::from_secs(60))
        .build()
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(source.access_token().await.unwrap().secret(), "at-1");
    }
    assert_eq!(token_requests(&server).await.len(), 1);

    // A leeway longer than the lifetime: every call is "about to expire".
    let server = token_server(numbered(3600, false)).await;
    let source = TokenSource::client_credentials(client(&server))
        .leeway(Duration::from_secs(3601))
        .build()
        .await
        .unwrap();
    assert_eq!(source.access_token().await.unwrap().secret(), "at-1");
    assert_eq!(source.access_token().await.unwrap().secret(), "at-2");
    assert_eq!(token_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn client_credentials_are_refetched_not_refreshed() {
    // Even if the server (wrongly) sends a refresh token with client credentials.
    let server = token_server(numbered(0, true)).await;
    let source = TokenSource::client_credentials(client(&server))
        .build()
        .await
        .unwrap();
    assert_eq!(source.access_token().await.unwrap().secret(), "at-1");
    assert_eq!(source.access_token().await.unwrap().secret(), "at-2");
    let forms = token_requests(&server).await;
    assert_eq!(forms.len(), 2);
    assert!(forms.iter().all(|f| grant(f) == "client_credentials"));
}

#[tokio::test]
async fn date_header_behind_brings_expiry_forward() {
    let server = MockServer::start().await;
    let hour_ago = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Date", hour_ago.as_str())
                .set_body_json(
                    serde_json::json!({"access_token":"a","token_type":"Bearer","expires_in":7200}),
                ),
        )
        .mount(&server)
        .await;
    let source = TokenSource::client_credentials(client(&server))
        .build()
        .await
        .unwrap();
    let before = SystemTime::now();
    let token = source.token().await.unwrap();
    let skew = source.clock_skew_secs().unwrap();
    assert!((-3610..=-3590).contains(&skew), "{skew}");
    let expires = token.expires_at().unwrap();
    // 7200 s counted from the server's clock: about one hour left, not two.
    assert!(
        expires <= before + Duration::from_secs(3600 + 10),
        "{expires:?}"
    );
    assert!(
        expires >= before + Duration::from_secs(3600 - 10),
        "{expires:?}"
    );
}

#[tokio::test]
async fn ten_thousand_callers_on_an_expired_token_cause_one_request() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(200))
                .set_body_json(serde_json::json!({"access_token":"new","token_type":"bearer","expires_in":3600,"refresh_token":"rt-2"})),
        )
        .mount(&server)
        .await;
    let source = TokenSource::refreshing(client(&server))
        .token(expired("rt-1"))
        .build()
        .await
        .unwrap();
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let s = source.clone();
            tokio::spawn(async move { s.access_token().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().secret(), "new");
    }
    let forms = token_requests(&server).await;
    assert_eq!(forms.len(), 1);
    assert_eq!(grant(&forms[0]), "refresh_token");
}

#[tokio::test]
async fn rotated_refresh_token_is_stored_and_old_one_kept_when_none_returned() {
    let server = token_server(numbered(0, true)).await;
    let store = Arc::new(MemoryStore::new());
    let source = TokenSource::refreshing(client(&server))
        .shared_store(store.clone())
        .token(expired("rt-0"))
        .build()
        .await
        .unwrap();
    source.access_token().await.unwrap();
    let stored = store.load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().secret(), "rt-1");
    source.access_token().await.unwrap();
    let forms = token_requests(&server).await;
    let rt = |f: &[(String, String)]| {
        f.iter()
            .find(|(k, _)| k == "refresh_token")
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(rt(&forms[0]), "rt-0");
    assert_eq!(rt(&forms[1]), "rt-1");

    // A server that does not rotate: the old refresh token stays.
    let server = token_server(numbered(0, false)).await;
    let store = Arc::new(MemoryStore::new());
    let source = TokenSource::refreshing(client(&server))
        .shared_store(store.clone())
        .token(expired("keep-me"))
        .build()
        .await
        .unwrap();
    assert_eq!(source.access_token().await.unwrap().secret(), "at-1");
    let stored = store.load().await.unwrap().unwrap();
    assert_eq!(stored.access_token().secret(), "at-1");
    assert_eq!(stored.refresh_token().unwrap().secret(), "keep-me");
}

#[tokio::test]
async fn dead_refresh_token_requires_reauthorization_once() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            serde_json::json!({"error":"invalid_grant","error_description":"revoked"}),
        ))
        .mount(&server)
        .await;
    let source = TokenSource::refreshing(client(&server))
        .retry(fast_retry(4))
        .token(expired("dead"))
        .build()
        .await
        .unwrap();
    let e = source.access_token().await.unwrap_err();
    assert!(e.is_reauthorization_required(), "{e:?}");
    let Error::ReauthorizationRequired { cause: Some(cause) } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(cause.oauth_code().unwrap().as_str(), "invalid_grant");
    // No retry of a dead token, and no new request on the next call.
    assert!(
        source
            .access_token()
            .await
            .unwrap_err()
            .is_reauthorization_required()
    );
    assert_eq!(token_requests(&server).await.len(), 1);

    // A new authorization revives the source.
    let fresh = Token::new(AccessToken::new("after-login"), TokenType::Bearer);
    source.set_token(fresh).await.unwrap();
    assert_eq!(source.access_token().await.unwrap().secret(), "after-login");

    // No token at all: re-authorization required, nothing sent.
    let source = TokenSource::refreshing(client(&server))
        .build()
        .await
        .unwrap();
    assert!(
        source
            .access_token()
            .await
            .unwrap_err()
            .is_reauthorization_required()
    );
    assert_eq!(token_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn file_store_round_trip_survives_a_restart() {
    let path = temp_path("roundtrip");
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    let token = Token::new(AccessToken::new("AT-SECRET"), TokenType::Bearer)
        .with_refresh_token(Some(RefreshToken::new("RT-SECRET")))
        .with_expires_at(Some(at))
        .with_scopes(Some(vec![oauth_sdk::Scope::new("api").unwrap()]));
    let store = FileStore::new(&path);
    assert!(store.load().await.unwrap().is_none());
    store.save(&token).await.unwrap();
    // "Restart": a new store on the same file.
    let loaded = FileStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(loaded, token);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    assert!(!format!("{store:?}").contains("SECRET"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No temporary files left behind (the lock file stays: it is reused).
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    assert!(names.contains(&"token.json.lock".to_owned()), "{names:?}");

    // A source restarted on the file refreshes with the stored refresh token.
    let server = token_server(numbered(3600, false)).await;
    std::fs::remove_file(&path).unwrap();
    FileStore::new(&path)
        .save(&expired("from-disk"))
        .await
        .unwrap();
    let source = TokenSource::refreshing(client(&server))
        .store(FileStore::new(&path))
        .build()
        .await
        .unwrap();
    assert_eq!(source.access_token().await.unwrap().secret(), "at-1");
    let forms = token_requests(&server).await;
    assert!(forms[0].contains(&("refresh_token".into(), "from-disk".into())));
    let reloaded = FileStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(reloaded.access_token().secret(), "at-1");
    assert_eq!(reloaded.refresh_token().unwrap().secret(), "from-disk");
}

#[tokio::test]
async fn corrupt_store_file_is_a_clear_error_and_is_kept() {
    for garbage in [
        &b"{not json"[..],
        br#"{"access_token":"x"}"#,
        br#"{"version":1}"#,
    ] {
        let path = temp_path("corrupt");
        std::fs::write(&path, garbage).unwrap();
        let server = token_server(numbered(3600, true)).await;
        let e = TokenSource::refreshing(client(&server))
            .store(FileStore::new(&path))
            .build()
            .await
            .unwrap_err();
        let Error::TokenStore(inner) = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(**inner, StoreError::Corrupt { .. }), "{inner:?}");
        assert!(e.to_string().contains("corrupt"), "{e}");
        // Saving over it is refused, so nothing is lost.
        let store = FileStore::new(&path);
        let e = store.save(&expired("new")).await.unwrap_err();
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }
    let path = temp_path("version");
    std::fs::write(&path, br#"{"version":99}"#).unwrap();
    let e = FileStore::new(&path).load().await.unwrap_err();
    assert!(
        matches!(e, StoreError::UnsupportedVersion { version: 99, .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn retries_are_bounded_and_only_for_retryable_errors() {
    let server = token_server(ResponseTemplate::new(503)).await;
    let source = TokenSource::client_credentials(client(&server))
        .retry(fast_retry(3))
        .build()
        .await
        .unwrap();
    let e = source.access_token().await.unwrap_err();
    let Error::TokenRenewal(inner) = &e else {
        panic!("{e:?}")
    };
    assert!(inner.is_retryable());
    assert_eq!(token_requests(&server).await.len(), 3);

    // Not retryable: one attempt.
    let server = token_server(
        ResponseTemplate::new(400).set_body_json(serde_json::json!({"error":"invalid_client"})),
    )
    .await;
    let source = TokenSource::client_credentials(client(&server))
        .retry(fast_retry(5))
        .build()
        .await
        .unwrap();
    assert!(source.access_token().await.is_err());
    assert_eq!(token_requests(&server).await.len(), 1);

    // Two 503s (one with Retry-After: 0), then success.
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/token"))
        .respond_with(numbered(3600, false))
        .mount(&server)
        .await;
    let source = TokenSource::client_credentials(client(&server))
        .retry(fast_retry(3))
        .build()
        .await
        .unwrap();
    assert_eq!(source.access_token().await.unwrap().secret(), "at-1");
    assert_eq!(token_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn authorized_client_retries_once_after_401() {
    let server = token_server(numbered(3600, false)).await;
    Mock::given(path("/api/v4/user"))
        .and(wiremock::matchers::header("authorization", "Bearer at-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(path("/api/v4/user"))
        .and(wiremock::matchers::header("authorization", "Bearer at-2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("hello"))
        .mount(&server)
        .await;
    let source = TokenSource::client_credentials(client(&server))
        .build()
        .await
        .unwrap();
    let api = AuthorizedClient::new(source);
    let url = format!("{}/api/v4/user", server.uri());
    let resp = api
        .send(http::Request::get(&url).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.body(), b"hello");
    assert_eq!(token_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn authorized_client_gives_up_after_the_second_401() {
    let server = token_server(numbered(3600, false)).await;
    Mock::given(path("/api/v4/user"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let source = TokenSource::client_credentials(client(&server))
        .build()
        .await
        .unwrap();
    let api = AuthorizedClient::new(source);
    let url = format!("{}/api/v4/user", server.uri());
    let resp = api
        .send(http::Request::get(&url).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let all = server.received_requests().await.unwrap();
    let resource = all
        .iter()
        .filter(|r| r.url.path() == "/api/v4/user")
        .count();
    assert_eq!(resource, 2);
    assert_eq!(token_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn authorized_client_uses_query_placement_when_the_provider_wants_it() {
    let server = token_server(numbered(3600, false)).await;
    Mock::given(path("/api/user.whoami"))
        .and(query_param("access_token", "at-1"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let base = url::Url::parse(&server.uri()).unwrap();
    let provider = oauth_sdk::Provider::gitlab(&base)
        .unwrap()
        .with_token_placement(TokenPlacement::Query);
    let c = oauth_sdk::Client::builder(provider, oauth_sdk::ClientId::new("c"))
        .client_secret_basic(ClientSecret::new("s"))
        .build()
        .unwrap();
    let api = AuthorizedClient::new(TokenSource::client_credentials(c).build().await.unwrap());
    let url = format!("{}/api/user.whoami", server.uri());
    let resp = api
        .send(http::Request::get(&url).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// One error type: `?` from a token source and an authorized client goes
/// straight into `oauth_sdk::Result`, with the `http` types re-exported.
async fn fetch_user(api: &AuthorizedClient, url: &str) -> oauth_sdk::Result<u16> {
    let _token = api.source().access_token().await?;
    let req = oauth_sdk::http::Request::get(url)
        .body(Vec::new())
        .expect("a valid request");
    Ok(api.send(req).await?.status().as_u16())
}

#[tokio::test]
async fn a_failing_resource_request_is_not_reported_as_a_token_failure() {
    let server = token_server(numbered(3600, false)).await;
    let source = TokenSource::client_credentials(client(&server))
        .build()
        .await
        .unwrap();
    let api = AuthorizedClient::new(source);
    // Nothing listens on port 1: the resource request fails, the token did not.
    let e = fetch_user(&api, "http://127.0.0.1:1/api/v4/user")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(!e.to_string().contains("token"), "{e}");
    // A token failure, by contrast, says so.
    let dead = token_server(ResponseTemplate::new(503)).await;
    let api = AuthorizedClient::new(
        TokenSource::client_credentials(client(&dead))
            .retry(fast_retry(1))
            .build()
            .await
            .unwrap(),
    );
    let e = fetch_user(&api, &format!("{}/api/v4/user", dead.uri()))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TokenRenewal(_)), "{e:?}");
    assert!(
        e.is_retryable() && e.to_string().contains("renewing the token"),
        "{e}"
    );
}
