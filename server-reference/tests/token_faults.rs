//! Each deliberate fault of the token, revocation, introspection and assertion rules
//! really breaks its rule (docs/faults.md). Built only with `--features faults`; the
//! same scenarios without the fault are the ordinary tests in token.rs, refresh.rs…
#![cfg(feature = "faults")]

mod support;
mod token_support;

use std::time::Duration;

use oauth_server_reference::model::ChallengeMethod;
use oauth_server_reference::{Config, Fault};
use serde_json::json;
use support::{CONFIDENTIAL, CONFIDENTIAL_2, REDIRECT, TestServer, json};
use token_support::*;

async fn with_fault(fault: Fault) -> TestServer {
    let mut config = Config::demo();
    config.settings.faults = vec![fault.name().to_owned()];
    TestServer::with_config(config).await
}

#[tokio::test]
async fn code_faults() {
    let ts = with_fault(Fault::CodeReusable).await;
    let code = insert_code(&ts, NewCode::default()).await;
    ok_tokens(redeem(&ts, &code).await).await;
    ok_tokens(redeem(&ts, &code).await).await;

    let ts = with_fault(Fault::CodeNotBoundToClient).await;
    let code = insert_code(&ts, NewCode::default()).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    ok_tokens(ts.post_form(TOKEN, Some(CONFIDENTIAL_2), &form).await).await;

    let ts = with_fault(Fault::CodeRedirectUriUnchecked).await;
    let code = insert_code(&ts, NewCode::default()).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    ok_tokens(ts.post_form(TOKEN, Some(CONFIDENTIAL), &form).await).await;

    let ts = with_fault(Fault::CodeNeverExpires).await;
    let code = insert_code(&ts, NewCode::default()).await;
    ts.handle.state().clock().advance(Duration::from_secs(3600));
    ok_tokens(redeem(&ts, &code).await).await;
}

#[tokio::test]
async fn pkce_faults() {
    let pkce = || NewCode {
        challenge: Some((CHALLENGE, ChallengeMethod::S256)),
        ..NewCode::default()
    };
    for (fault, verifier) in [
        (Fault::PkceNotVerified, Some("x".repeat(43))),
        (Fault::PkceVerifierOptional, None),
    ] {
        let ts = with_fault(fault).await;
        let code = insert_code(&ts, pkce()).await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = &verifier {
            form.push(("code_verifier", v));
        }
        ok_tokens(ts.post_form(TOKEN, Some(CONFIDENTIAL), &form).await).await;
    }
}

#[tokio::test]
async fn client_auth_faults() {
    let ts = with_fault(Fault::ClientSecretUnchecked).await;
    let cc = [("grant_type", "client_credentials")];
    ok_tokens(
        ts.post_form(TOKEN, Some((CONFIDENTIAL.0, "wrong")), &cc)
            .await,
    )
    .await;

    let ts = with_fault(Fault::BasicChallengeMissing).await;
    let resp = ts
        .post_form(TOKEN, Some((CONFIDENTIAL.0, "wrong")), &cc)
        .await;
    assert_eq!(resp.status(), 401);
    assert!(header(&resp, "www-authenticate").is_none());
}

async fn refresh(ts: &TestServer, token: String) -> reqwest::Response {
    ts.post_form(
        TOKEN,
        Some(CONFIDENTIAL),
        &[("grant_type", "refresh_token"), ("refresh_token", &token)],
    )
    .await
}

#[tokio::test]
async fn refresh_faults() {
    let ts = with_fault(Fault::RefreshNotRotated).await;
    let r = s(&password_tokens(&ts, CONFIDENTIAL, "api").await["refresh_token"]).to_owned();
    ok_tokens(refresh(&ts, r.clone()).await).await;
    ok_tokens(refresh(&ts, r).await).await;

    let ts = with_fault(Fault::RefreshReplayKeepsFamily).await;
    let r1 = s(&password_tokens(&ts, CONFIDENTIAL, "api").await["refresh_token"]).to_owned();
    let second = ok_tokens(refresh(&ts, r1.clone()).await).await;
    assert_error(refresh(&ts, r1).await, 400, "invalid_grant").await;
    assert!(is_active(&ts, s(&second["refresh_token"])).await);
}

#[tokio::test]
async fn revocation_and_introspection_faults() {
    let ts = with_fault(Fault::RevocationCrossClient).await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let resp = ts
        .post_form(
            "/oauth/revoke",
            Some(CONFIDENTIAL_2),
            &[("token", s(&t["access_token"]))],
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(!is_active(&ts, s(&t["access_token"])).await);

    let ts = with_fault(Fault::RevocationUnknownTokenError).await;
    let resp = ts
        .post_form("/oauth/revoke", Some(CONFIDENTIAL), &[("token", "unknown")])
        .await;
    assert_eq!(resp.status(), 400);

    let ts = with_fault(Fault::IntrospectionLeaksInactive).await;
    let t = password_tokens(&ts, CONFIDENTIAL, "api").await;
    ts.handle.state().clock().advance(Duration::from_secs(7201));
    let resp = ts
        .post_form(
            "/oauth/introspect",
            Some(CONFIDENTIAL),
            &[("token", s(&t["access_token"]))],
        )
        .await;
    let body = json(resp).await;
    assert_eq!(body["active"], false);
    assert_eq!(body["client_id"], CONFIDENTIAL.0);
}

async fn jwt_cc(ts: &TestServer, claims: &serde_json::Value) -> reqwest::Response {
    let jwt = sign(Some(RSA_KID), false, claims);
    ts.post_form(
        TOKEN,
        None,
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &jwt),
        ],
    )
    .await
}

#[tokio::test]
async fn jwt_faults() {
    let ts = with_fault(Fault::JwtAudienceUnchecked).await;
    let mut c = claims(&ts);
    c["aud"] = json!("https://elsewhere.example");
    ok_tokens(jwt_cc(&ts, &c).await).await;

    let ts = with_fault(Fault::JwtReplayAllowed).await;
    let c = claims(&ts);
    ok_tokens(jwt_cc(&ts, &c).await).await;
    ok_tokens(jwt_cc(&ts, &c).await).await;

    let ts = with_fault(Fault::JwtExpiryUnchecked).await;
    let mut c = claims(&ts);
    c["exp"] = json!(server_now(&ts) - 300);
    ok_tokens(jwt_cc(&ts, &c).await).await;
}
