//! Resource endpoints, token info and metadata (docs/dialects.md; docs/rules.md, "Resource
//! endpoints" and "Introspection and token info"; RFC 6750, RFC 8414).

mod support;

use std::time::Duration;

use oauth_server_reference::issuance::IssueRequest;
use oauth_server_reference::model::GrantId;
use oauth_server_reference::scope::ScopeSet;
use reqwest::StatusCode;
use support::{TestServer, json};

/// Issues a token for `alice` to `demo-confidential` with `scope`, in-process.
async fn token_for(server: &TestServer, username: Option<&str>, scope: &str) -> String {
    let state = server.handle.state();
    let client = state
        .store()
        .client("demo-confidential")
        .await
        .unwrap()
        .unwrap();
    state
        .issue_tokens(IssueRequest {
            client: &client,
            username,
            scope: ScopeSet::parse(scope).unwrap(),
            grant_id: GrantId::new(),
            with_refresh_token: false,
        })
        .await
        .unwrap()
        .access_token
}

/// GET `path` with the token in the `Authorization: Bearer` header.
async fn get_with_header(s: &TestServer, path: &str, token: &str) -> reqwest::Response {
    s.http
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// GET `path` with the token as the `access_token` query parameter.
async fn get_with_query(s: &TestServer, path: &str, token: &str) -> reqwest::Response {
    let query = [("access_token", token)];
    s.http.get(s.url(path)).query(&query).send().await.unwrap()
}

fn challenge(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn metadata_describes_this_server() {
    let s = TestServer::demo().await;
    let resp = s
        .http
        .get(s.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let m = json(resp).await;
    let issuer = s.handle.base_url().as_str().trim_end_matches('/');
    assert_eq!(m["issuer"], issuer);
    assert_eq!(m["token_endpoint"], format!("{issuer}/oauth/token"));
    assert_eq!(
        m["authorization_endpoint"],
        format!("{issuer}/oauth/authorize")
    );
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    for member in [
        "response_types_supported",
        "grant_types_supported",
        "scopes_supported",
    ] {
        assert!(
            m[member].as_array().is_some_and(|a| !a.is_empty()),
            "{member}"
        );
    }
}

#[tokio::test]
async fn bearer_header_and_query_parameter_both_work() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("alice"), "api").await;

    let resp = get_with_header(&s, "/api/v4/user", &token).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert_eq!(json(resp).await["username"], "alice");

    let resp = get_with_query(&s, "/api/v4/user", &token).await;
    assert_eq!(resp.status(), StatusCode::OK);
    // RFC 6750 §2.3: a token in the URI makes the response private.
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("private")
    );
}

#[tokio::test]
async fn two_token_methods_in_one_request_are_refused() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("alice"), "api").await;
    let resp = s
        .http
        .get(s.url("/api/v4/user"))
        .bearer_auth(&token)
        .query(&[("access_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(challenge(&resp).contains("error=\"invalid_request\""));
}

#[tokio::test]
async fn bad_missing_expired_and_revoked_tokens_get_401_invalid_token() {
    let s = TestServer::demo().await;
    let resp = s.http.get(s.url("/api/v4/user")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&resp).starts_with("Bearer"));
    assert!(
        !challenge(&resp).contains("error="),
        "no error code when no token was sent"
    );

    let resp = get_with_header(&s, "/api/v4/user", "garbage").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&resp).contains("error=\"invalid_token\""));

    let resp = s
        .http
        .get(s.url("/api/v4/user"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    let token = token_for(&s, Some("alice"), "api").await;
    let hash = oauth_server_reference::crypto::TokenHash::of(&token);
    assert!(s.handle.state().store().revoke_token(&hash).await.unwrap());
    let resp = get_with_header(&s, "/api/v4/user", &token).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "revoked");

    let token = token_for(&s, Some("alice"), "api").await;
    let resp = get_with_header(&s, "/api/v4/user", &token).await;
    assert_eq!(resp.status(), StatusCode::OK);
    s.handle.state().clock().advance(Duration::from_secs(7201));
    let resp = get_with_header(&s, "/api/v4/user", &token).await;
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "expired after expires_in"
    );
}

#[tokio::test]
async fn a_token_without_the_scope_gets_403_insufficient_scope() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("alice"), "whoami").await;
    let resp = get_with_header(&s, "/api/v4/user", &token).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(challenge(&resp).contains("error=\"insufficient_scope\""));
    assert!(challenge(&resp).contains("scope=\"api read_user\""));
}

#[tokio::test]
async fn offline_access_tokens_never_expire() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("alice"), "whoami offline_access").await;
    s.handle
        .state()
        .clock()
        .advance(Duration::from_secs(400 * 24 * 3600));
    let resp = get_with_query(&s, "/api/user.whoami", &token).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn phabricator_whoami_uses_the_conduit_envelope() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("alice"), "whoami").await;
    let resp = s
        .http
        .post(s.url("/api/user.whoami"))
        .form(&[("access_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = json(resp).await;
    assert_eq!(body["result"]["userName"], "alice");
    assert!(body["error_code"].is_null());

    let resp = get_with_query(&s, "/api/user.whoami", "expired-or-bogus").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body = json(resp).await;
    assert_eq!(body["error_code"], "ERR-INVALID-AUTH");
    assert!(body["result"].is_null());
}

#[tokio::test]
async fn hub_me_and_client_credentials_tokens() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("bob"), "read_user").await;
    let resp = get_with_header(&s, "/api/rest/users/me", &token).await;
    assert_eq!(json(resp).await["login"], "bob");

    let token = token_for(&s, None, "api").await;
    let resp = get_with_header(&s, "/api/v4/user", &token).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json(resp).await["client_id"], "demo-confidential");
}

#[tokio::test]
async fn token_info_reports_the_application() {
    let s = TestServer::demo().await;
    let token = token_for(&s, Some("alice"), "api read_user").await;
    let resp = get_with_header(&s, "/oauth/token/info", &token).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let info = json(resp).await;
    assert_eq!(info["resource_owner_id"], "alice");
    assert_eq!(info["application"]["uid"], "demo-confidential");
    assert_eq!(info["scope"], serde_json::json!(["api", "read_user"]));
    let left = info["expires_in_seconds"].as_u64().unwrap();
    assert!((7190..=7200).contains(&left), "{left}");
    assert!(info["created_at"].as_u64().unwrap() > 1_700_000_000);

    let resp = get_with_query(&s, "/oauth/token/info", "nope").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&resp).contains("invalid_token"));
}

#[tokio::test]
async fn oversized_bodies_get_413_and_change_nothing() {
    let s = TestServer::demo().await;
    let big = "x".repeat(200 * 1024);
    let resp = s
        .http
        .post(s.url("/api/user.whoami"))
        .form(&[("access_token", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_paths_are_404_not_500() {
    let s = TestServer::demo().await;
    let resp = s.http.get(s.url("/no/such/thing")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// A configuration built in code is validated like a file: a build without the
/// `faults` feature refuses to start with a fault, instead of silently running clean.
#[cfg(not(feature = "faults"))]
#[tokio::test]
async fn faults_are_refused_without_the_faults_feature() {
    let mut config = oauth_server_reference::Config::demo();
    config.settings.faults.push("code-reusable".to_owned());
    let addr = "127.0.0.1:0".parse().unwrap();
    let err = oauth_server_reference::spawn(config, addr)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("faults"), "{err}");

    let mut config = oauth_server_reference::Config::demo();
    config.settings.code_ttl_secs = 3600;
    assert!(oauth_server_reference::spawn(config, addr).await.is_err());
}
