//! Helpers shared by the token, client-auth, refresh, revocation, introspection and
//! JWT tests: codes created directly in the store, redemption, assertions on errors.
#![allow(dead_code, unreachable_pub)]

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oauth_server_reference::crypto::{TokenHash, random_token};
use oauth_server_reference::model::{AuthCode, ChallengeMethod, GrantId};
use oauth_server_reference::scope::ScopeSet;
use serde_json::Value;

use crate::support::{CONFIDENTIAL, REDIRECT, TestServer, json};

pub const TOKEN: &str = "/oauth/token";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// What a code is created with; `Default` is demo-confidential, alice, REDIRECT,
/// scope `api`, no PKCE.
pub struct NewCode {
    pub client_id: &'static str,
    pub redirect_uri: Option<&'static str>,
    pub scope: &'static str,
    pub challenge: Option<(&'static str, ChallengeMethod)>,
    pub ttl_ms: u64,
}

impl Default for NewCode {
    fn default() -> Self {
        Self {
            client_id: CONFIDENTIAL.0,
            redirect_uri: Some(REDIRECT),
            scope: "api",
            challenge: None,
            ttl_ms: 60_000,
        }
    }
}

/// Creates a code directly in the store (as the authorization endpoint would).
pub async fn insert_code(ts: &TestServer, c: NewCode) -> String {
    let code = random_token();
    let state = ts.handle.state();
    state
        .store()
        .insert_code(AuthCode {
            hash: TokenHash::of(&code),
            client_id: c.client_id.to_owned(),
            username: "alice".to_owned(),
            redirect_uri: c.redirect_uri.map(str::to_owned),
            scope: ScopeSet::parse(c.scope).unwrap(),
            challenge: c.challenge.map(|(s, m)| (s.to_owned(), m)),
            expires_at: state.now() + c.ttl_ms,
            grant_id: GrantId::new(),
        })
        .await
        .unwrap();
    code
}

/// Redeems `code` as demo-confidential (Basic) with REDIRECT.
pub async fn redeem(ts: &TestServer, code: &str) -> reqwest::Response {
    redeem_with(ts, code, &[]).await
}

/// Redeems `code` like [`redeem`], with `extra` parameters (`code_verifier`…).
pub async fn redeem_with(ts: &TestServer, code: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    form.extend_from_slice(extra);
    ts.post_form(TOKEN, Some(CONFIDENTIAL), &form).await
}

/// A refresh token request of `client`, with `scope` if given.
pub async fn refresh(
    ts: &TestServer,
    client: (&str, &str),
    token: &str,
    scope: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    ts.post_form(TOKEN, Some(client), &form).await
}

/// A successful token response's JSON, checking the RFC 6749 §5.1 headers.
pub async fn ok_tokens(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let cache = header(&resp, "cache-control");
    let pragma = header(&resp, "pragma");
    let body = json(resp).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert_eq!(pragma.as_deref(), Some("no-cache"));
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() >= 22));
    assert!(body["scope"].is_string(), "scope is always present: {body}");
    body
}

pub fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Asserts an RFC 6749 §5.2 error: status, JSON, error code, no-store.
pub async fn assert_error(resp: reqwest::Response, status: u16, code: &str) -> Value {
    let got = resp.status().as_u16();
    let ct = header(&resp, "content-type").unwrap_or_default();
    let www = header(&resp, "www-authenticate");
    let body = json(resp).await;
    assert_eq!(got, status, "{body}");
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    assert_eq!(body["error"], code, "{body}");
    if status == 401 {
        assert!(www.is_some(), "401 without WWW-Authenticate");
    }
    body
}

/// Tokens for alice through the password grant of demo-confidential.
pub async fn password_tokens(ts: &TestServer, client: (&str, &str), scope: &str) -> Value {
    let resp = ts
        .post_form(
            TOKEN,
            Some(client),
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "alice-password"),
                ("scope", scope),
            ],
        )
        .await;
    ok_tokens(resp).await
}

/// Introspects `token` as demo-confidential.
pub async fn introspect(ts: &TestServer, token: &str) -> Value {
    let resp = ts
        .post_form("/oauth/introspect", Some(CONFIDENTIAL), &[("token", token)])
        .await;
    assert_eq!(resp.status(), 200);
    json(resp).await
}

pub async fn is_active(ts: &TestServer, token: &str) -> bool {
    introspect(ts, token).await["active"] == true
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Seconds since the epoch on the server's clock.
pub fn server_now(ts: &TestServer) -> i64 {
    (ts.handle.state().now() / 1000) as i64
}

pub fn wall_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
pub const RSA_KID: &str = "demo-key-1";
pub const EC_KID: &str = "demo-key-2";
pub const JWT_CLIENT: &str = "demo-jwt";

/// Signs `claims` with a demo key (`RSA_KID` or `EC_KID`).
pub fn sign(kid: Option<&str>, use_ec: bool, claims: &Value) -> String {
    let (alg, key) = if use_ec {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo-jwt-es256-private.pem"
        ))
        .unwrap();
        (Algorithm::ES256, EncodingKey::from_ec_pem(&pem).unwrap())
    } else {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/demo-jwt-private.pem"
        ))
        .unwrap();
        (Algorithm::RS256, EncodingKey::from_rsa_pem(&pem).unwrap())
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    header.typ = Some("JWT".to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// Valid client-assertion claims for demo-jwt against `ts`.
pub fn claims(ts: &TestServer) -> Value {
    claims_for(ts, JWT_CLIENT)
}

/// A client-credentials request authenticated by `assertion` (`private_key_jwt`),
/// asking for `scope` when given.
pub async fn cc_with_assertion(
    ts: &TestServer,
    assertion: &str,
    scope: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion),
    ];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    ts.post_form(TOKEN, None, &form).await
}

/// Valid client-assertion claims for `client` against `ts` (`aud` = the issuer,
/// a fresh `jti`, one minute of life).
pub fn claims_for(ts: &TestServer, client: &str) -> Value {
    let now = server_now(ts);
    serde_json::json!({
        "iss": client,
        "sub": client,
        "aud": ts.handle.state().issuer(),
        "iat": now,
        "exp": now + 60,
        "jti": random_token(),
    })
}
