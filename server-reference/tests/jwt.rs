//! JWT assertions (RFC 7523): `private_key_jwt` client authentication (§2.2) and the
//! jwt-bearer grant (§2.1). Time checks move the server clock.

mod support;
mod token_support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oauth_server_reference::Config;
use oauth_server_reference::config::DEMO_TOML;
use serde_json::{Value, json};
use support::TestServer;
use token_support::*;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

async fn cc_with(ts: &TestServer, assertion: &str) -> reqwest::Response {
    cc_with_assertion(ts, assertion, None).await
}

async fn refused(ts: &TestServer, assertion: &str) -> Value {
    assert_error(cc_with(ts, assertion).await, 401, "invalid_client").await
}

/// Claims with one member changed (`Value::Null` removes it).
fn with(ts: &TestServer, key: &str, value: Value) -> Value {
    let mut c = claims(ts);
    if value.is_null() {
        c.as_object_mut().unwrap().remove(key);
    } else {
        c[key] = value;
    }
    c
}

#[tokio::test]
async fn both_registered_keys_authenticate() {
    let ts = TestServer::demo().await;
    for (kid, ec) in [(RSA_KID, false), (EC_KID, true)] {
        let body = ok_tokens(cc_with(&ts, &sign(Some(kid), ec, &claims(&ts))).await).await;
        assert_eq!(
            body["scope"],
            "functions:write public_api:read_write tracking_api:write"
        );
        assert_eq!(body["expires_in"], 86400, "Segment period 1d");
        assert!(body.get("refresh_token").is_none());
    }
    // docs/rules.md#jwt-assertions: the token endpoint URL is accepted as aud, also in an array.
    let aud = ts.url(TOKEN);
    ok_tokens(
        cc_with(
            &ts,
            &sign(Some(RSA_KID), false, &with(&ts, "aud", json!(aud))),
        )
        .await,
    )
    .await;
    let aud = json!(["https://elsewhere.example", ts.handle.state().issuer()]);
    ok_tokens(cc_with(&ts, &sign(Some(RSA_KID), false, &with(&ts, "aud", aud))).await).await;
}

#[tokio::test]
async fn time_claims() {
    let ts = TestServer::demo().await;
    let now = server_now(&ts);
    // N1: nbf 8 s ahead passes; N5: 60 s ahead fails, for nbf and iat.
    ok_tokens(
        cc_with(
            &ts,
            &sign(Some(RSA_KID), false, &with(&ts, "nbf", json!(now + 8))),
        )
        .await,
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "nbf", json!(now + 60))),
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "iat", json!(now + 60))),
    )
    .await;
    // exp - iat within the longest assertion lifetime (3600 s + 10 s skew).
    ok_tokens(
        cc_with(
            &ts,
            &sign(Some(RSA_KID), false, &with(&ts, "iat", json!(now - 3500))),
        )
        .await,
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "iat", json!(now - 3600))),
    )
    .await;
    // N4: exp missing, 5 minutes past, or too far ahead.
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "exp", Value::Null)),
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "exp", json!(now - 300))),
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "exp", json!(now + 3700))),
    )
    .await;
    let mut no_iat = with(&ts, "exp", json!(now + 3700));
    no_iat.as_object_mut().unwrap().remove("iat");
    refused(&ts, &sign(Some(RSA_KID), false, &no_iat)).await;
    // A valid assertion expires when the server clock moves past exp.
    let late = sign(Some(RSA_KID), false, &claims(&ts));
    ts.handle.state().clock().advance(Duration::from_secs(120));
    refused(&ts, &late).await;
}

/// As a widely used Python client library (authlib's `private_key_jwt`) builds
/// an assertion by default: `iat` now, `exp` an hour later, a random `jti`,
/// `iss` = `sub` = the client id, `aud` = the token endpoint's URL.
fn hour_long_assertion(ts: &TestServer) -> String {
    let now = server_now(ts);
    let claims = json!({
        "iss": JWT_CLIENT,
        "sub": JWT_CLIENT,
        "aud": ts.url(TOKEN),
        "iat": now,
        "exp": now + 3600,
        "jti": oauth_server_reference::crypto::random_token(),
    });
    sign(Some(RSA_KID), false, &claims)
}

#[tokio::test]
async fn an_hour_long_assertion_is_accepted_and_its_jti_kept_until_exp() {
    let ts = TestServer::demo().await;
    let jwt = hour_long_assertion(&ts);
    ok_tokens(cc_with(&ts, &jwt).await).await;
    // Replayed within its hour: refused, the jti is still remembered.
    ts.handle.state().clock().advance(Duration::from_secs(3000));
    refused(&ts, &jwt).await;
    // After its exp (and the skew): refused as expired.
    ts.handle.state().clock().advance(Duration::from_secs(700));
    let body = refused(&ts, &jwt).await;
    assert!(s(&body["error_description"]).contains("expired"), "{body}");
    ok_tokens(cc_with(&ts, &hour_long_assertion(&ts)).await).await;
}

#[tokio::test]
async fn the_maximum_assertion_lifetime_is_configurable() {
    let text = DEMO_TOML.replace(
        "assertion_max_lifetime_secs = 3600",
        "assertion_max_lifetime_secs = 300",
    );
    let ts = TestServer::with_config(Config::from_toml_str(&text).unwrap()).await;
    let body = refused(&ts, &hour_long_assertion(&ts)).await;
    assert!(s(&body["error_description"]).contains("exp"), "{body}");
    ok_tokens(cc_with(&ts, &sign(Some(RSA_KID), false, &claims(&ts))).await).await;
}

/// RFC 7515 §4.1.11: a `crit` header names extensions the recipient must
/// understand; this server understands none, so the assertion is refused.
#[tokio::test]
async fn a_critical_header_extension_is_refused() {
    let ts = TestServer::demo().await;
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-jwt-private.pem"
    ))
    .unwrap();
    let key = EncodingKey::from_rsa_pem(&pem).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(RSA_KID.to_owned());
    header.crit = Some(vec!["urn:example:unknown".to_owned()]);
    header.extras.insert("urn:example:unknown", true);
    let jwt = jsonwebtoken::encode(&header, &claims(&ts), &key).unwrap();
    let body = refused(&ts, &jwt).await;
    assert!(s(&body["error_description"]).contains("crit"), "{body}");
    // The same assertion without it passes.
    header.crit = None;
    let jwt = jsonwebtoken::encode(&header, &claims(&ts), &key).unwrap();
    ok_tokens(cc_with(&ts, &jwt).await).await;
}

#[tokio::test]
async fn identity_and_audience_claims() {
    let ts = TestServer::demo().await;
    // N2.
    refused(
        &ts,
        &sign(
            Some(RSA_KID),
            false,
            &with(&ts, "aud", json!("https://oauth2.segment.io")),
        ),
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "aud", Value::Null)),
    )
    .await;
    // N3.
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "sub", Value::Null)),
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "sub", json!("alice"))),
    )
    .await;
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "iss", Value::Null)),
    )
    .await;
    // jti is required.
    refused(
        &ts,
        &sign(Some(RSA_KID), false, &with(&ts, "jti", Value::Null)),
    )
    .await;
    // E6 for assertions: a body client_id naming someone else.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-confidential"),
                ("client_assertion_type", ASSERTION_TYPE),
                (
                    "client_assertion",
                    &sign(Some(RSA_KID), false, &claims(&ts)),
                ),
            ],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
}

#[tokio::test]
async fn replayed_jti_is_refused() {
    let ts = TestServer::demo().await;
    // N6.
    let jwt = sign(Some(RSA_KID), false, &claims(&ts));
    ok_tokens(cc_with(&ts, &jwt).await).await;
    refused(&ts, &jwt).await;
    // A refused assertion does not burn its jti.
    let c = claims(&ts);
    let mut bad = c.clone();
    bad["aud"] = json!("https://wrong.example");
    refused(&ts, &sign(Some(RSA_KID), false, &bad)).await;
    ok_tokens(cc_with(&ts, &sign(Some(RSA_KID), false, &c)).await).await;
}

#[tokio::test]
async fn signature_and_algorithm() {
    let ts = TestServer::demo().await;
    // N7: alg none.
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        enc(&json!({"alg": "none", "typ": "JWT", "kid": RSA_KID})),
        enc(&claims(&ts))
    );
    refused(&ts, &none).await;
    // HS256 keyed with the public key.
    let public = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-jwt-public.pem"
    ))
    .unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(RSA_KID.to_owned());
    let hs =
        jsonwebtoken::encode(&header, &claims(&ts), &EncodingKey::from_secret(&public)).unwrap();
    refused(&ts, &hs).await;
    // A tampered payload.
    let good = sign(Some(RSA_KID), false, &claims(&ts));
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        enc(&with(&ts, "sub", json!(JWT_CLIENT))),
        parts[2]
    );
    refused(&ts, &tampered).await;
    // The ES256 key's signature under the RSA key's kid (alg mismatch).
    refused(&ts, &sign(Some(RSA_KID), true, &claims(&ts))).await;
    // Garbage.
    refused(&ts, "not-a-jwt").await;
}

#[tokio::test]
async fn unknown_kid_and_another_clients_key() {
    let other = r#"
[[client]]
id = "other-jwt"
auth_methods = ["private_key_jwt"]
grants = ["client_credentials"]
scopes = ["tracking_api:write"]

[[client.keys]]
kid = "other-key"
alg = "ES256"
public_key_pem = """
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1g5nWd+fAl7e3A0dbJsPl9lL59xG
wf6NND7Kv4+IUZDO98D7fmGuLneadYYe4Z5Q+G4scQU0LAe2MwQ92jhZlg==
-----END PUBLIC KEY-----
"""
"#;
    let ts =
        TestServer::with_config(Config::from_toml_str(&format!("{DEMO_TOML}\n{other}")).unwrap())
            .await;
    // N8: a kid the client does not have.
    refused(&ts, &sign(Some("no-such-kid"), false, &claims(&ts))).await;
    // demo-jwt's kids are not other-jwt's, even though it signs with the same EC key.
    let as_other = || {
        let mut c = claims(&ts);
        c["iss"] = json!("other-jwt");
        c["sub"] = json!("other-jwt");
        c
    };
    refused(&ts, &sign(Some(RSA_KID), false, &as_other())).await;
    refused(&ts, &sign(Some(EC_KID), true, &as_other())).await;
    ok_tokens(cc_with(&ts, &sign(Some("other-key"), true, &as_other())).await).await;
    // With two keys registered, the kid cannot be omitted.
    refused(&ts, &sign(None, false, &claims(&ts))).await;
}

#[tokio::test]
async fn assertion_type_must_be_jwt_bearer() {
    let ts = TestServer::demo().await;
    // N9.
    let jwt = sign(Some(RSA_KID), false, &claims(&ts));
    for t in [
        "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        "jwt",
    ] {
        let resp = ts
            .post_form(
                TOKEN,
                None,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_assertion_type", t),
                    ("client_assertion", &jwt),
                ],
            )
            .await;
        assert_error(resp, 401, "invalid_client").await;
    }
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", ASSERTION_TYPE),
            ],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
}

async fn bearer_grant(ts: &TestServer, assertion: &str) -> reqwest::Response {
    ts.post_form(
        TOKEN,
        None,
        &[
            ("grant_type", JWT_BEARER),
            ("assertion", assertion),
            ("scope", "tracking_api:write"),
        ],
    )
    .await
}

#[tokio::test]
async fn jwt_bearer_grant() {
    let ts = TestServer::demo().await;
    // N11: a valid assertion, no separate client authentication.
    let jwt = sign(Some(RSA_KID), false, &claims(&ts));
    let body = ok_tokens(bearer_grant(&ts, &jwt).await).await;
    assert_eq!(body["scope"], "tracking_api:write");
    assert!(body.get("refresh_token").is_none());
    let t = introspect(&ts, s(&body["access_token"])).await;
    assert_eq!(t["client_id"], JWT_CLIENT);
    assert_eq!(t["sub"], JWT_CLIENT);
    // Same checks, failing with invalid_grant.
    assert_error(bearer_grant(&ts, &jwt).await, 400, "invalid_grant").await;
    let now = server_now(&ts);
    for bad in [
        with(&ts, "aud", json!("https://elsewhere.example")),
        with(&ts, "exp", json!(now - 300)),
        with(&ts, "nbf", json!(now + 60)),
        with(&ts, "sub", json!("alice")),
        with(&ts, "jti", Value::Null),
    ] {
        assert_error(
            bearer_grant(&ts, &sign(Some(RSA_KID), false, &bad)).await,
            400,
            "invalid_grant",
        )
        .await;
    }
    assert_error(
        bearer_grant(&ts, &sign(Some("nope"), false, &claims(&ts))).await,
        400,
        "invalid_grant",
    )
    .await;
    assert_error(bearer_grant(&ts, "garbage").await, 400, "invalid_grant").await;
    // With client authentication as well (private_key_jwt), and the grant assertion.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", JWT_BEARER),
                ("assertion", &sign(Some(EC_KID), true, &claims(&ts))),
                ("client_assertion_type", ASSERTION_TYPE),
                (
                    "client_assertion",
                    &sign(Some(RSA_KID), false, &claims(&ts)),
                ),
            ],
        )
        .await;
    ok_tokens(resp).await;
    // A client without the grant.
    let resp = ts
        .post_form(
            TOKEN,
            Some(support::CONFIDENTIAL),
            &[
                ("grant_type", JWT_BEARER),
                ("assertion", &sign(Some(RSA_KID), false, &claims(&ts))),
            ],
        )
        .await;
    assert_error(resp, 400, "unauthorized_client").await;
    let resp = ts
        .post_form(TOKEN, None, &[("grant_type", JWT_BEARER)])
        .await;
    assert_error(resp, 400, "invalid_request").await;
}

/// Segment's token request: `POST <auth server>/token` with the base URL as `aud`.
#[tokio::test]
async fn segment_token_path_takes_the_seed_request() {
    let ts = TestServer::demo().await;
    let assertion = sign(Some(RSA_KID), false, &claims(&ts));
    let resp = ts
        .post_form(
            "/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
                ("scope", "tracking_api:write"),
            ],
        )
        .await;
    let body = ok_tokens(resp).await;
    assert_eq!(body["scope"], "tracking_api:write");
    // The same assertion again is a replay, on any path.
    let replay = cc_with(&ts, &assertion).await;
    assert_error(replay, 401, "invalid_client").await;
}

/// A memory store whose `jti` table is full cannot record the assertion: that is
/// a bound reached, answered as every full table is (503 `temporarily_unavailable`
/// with `Retry-After`), never `invalid_client` (the client did nothing wrong) and
/// never an accepted assertion (it could be replayed). Both uses of assertions.
#[tokio::test]
async fn a_full_jti_table_answers_503_with_retry_after() {
    use oauth_server_reference::store::MemoryStore;
    let store = std::sync::Arc::new(MemoryStore::with_max_jti_bytes(0));
    let ts = TestServer::with_store(Config::demo(), store).await;
    let as_client = cc_with(&ts, &sign(Some(RSA_KID), false, &claims(&ts))).await;
    assert_eq!(header(&as_client, "retry-after").as_deref(), Some("1"));
    assert_error(as_client, 503, "temporarily_unavailable").await;
    let grant = bearer_grant(&ts, &sign(Some(RSA_KID), false, &claims(&ts))).await;
    assert_eq!(header(&grant, "retry-after").as_deref(), Some("1"));
    assert_error(grant, 503, "temporarily_unavailable").await;
}
