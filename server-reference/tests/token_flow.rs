//! The token endpoint behind the real authorization endpoint: login, consent and
//! the code it hands out (tests/support/browser.rs), then the exchange.

mod support;
mod token_support;

use support::browser::{self, BOB_TOTP_SECRET};
use support::{CONFIDENTIAL, REDIRECT, TestServer};
use token_support::*;

#[tokio::test]
async fn confidential_code_flow_then_reuse_revokes() {
    let ts = TestServer::demo().await;
    let cb = browser::authorize_code(
        &ts,
        CONFIDENTIAL.0,
        "alice",
        "alice-password",
        &[
            ("redirect_uri", REDIRECT),
            ("scope", "read_user api"),
            ("state", "s1"),
        ],
    )
    .await;
    let code = cb.code().expect("a code");
    let body = ok_tokens(redeem(&ts, &code).await).await;
    assert_eq!(body["scope"], "api read_user");
    let access = s(&body["access_token"]).to_owned();
    let t = introspect(&ts, &access).await;
    assert_eq!(t["username"], "alice");
    assert_eq!(t["client_id"], CONFIDENTIAL.0);
    assert_error(redeem(&ts, &code).await, 400, "invalid_grant").await;
    assert!(!is_active(&ts, &access).await);
}

#[tokio::test]
async fn public_client_pkce_flow() {
    let ts = TestServer::demo().await;
    let redirect = "http://127.0.0.1:43210/callback";
    let cb = browser::authorize_code(
        &ts,
        "demo-public",
        "alice",
        "alice-password",
        &[
            ("redirect_uri", redirect),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let code = cb.code().expect("a code");
    let exchange = |verifier: &'static str| {
        let (ts, code) = (&ts, code.clone());
        async move {
            ts.post_form(
                TOKEN,
                None,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("client_id", "demo-public"),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let body = ok_tokens(exchange(VERIFIER).await).await;
    assert!(body["refresh_token"].is_string());
}

#[tokio::test]
async fn two_factor_user_gets_tokens_through_the_code_flow_only() {
    let ts = TestServer::demo().await;
    assert!(!BOB_TOTP_SECRET.is_empty());
    let cb = browser::authorize_code(
        &ts,
        CONFIDENTIAL.0,
        "bob",
        "bob-password",
        &[("redirect_uri", REDIRECT)],
    )
    .await;
    let body = ok_tokens(redeem(&ts, &cb.code().expect("a code")).await).await;
    assert_eq!(
        introspect(&ts, s(&body["access_token"])).await["username"],
        "bob"
    );
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[
                ("grant_type", "password"),
                ("username", "bob"),
                ("password", "bob-password"),
            ],
        )
        .await;
    assert_error(resp, 400, "invalid_grant").await;
}

#[tokio::test]
async fn phabricator_flow_with_get_token_request() {
    let ts = TestServer::demo().await;
    let cb = browser::authorize_code(
        &ts,
        "demo-phabricator",
        "alice",
        "alice-password",
        &[("scope", "whoami")],
    )
    .await;
    let code = cb.code().expect("a code");
    let resp = ts
        .http
        .get(ts.url("/oauthserver/token/"))
        .query(&[
            ("client_id", "demo-phabricator"),
            ("client_secret", "demo-phabricator-secret"),
            ("grant_type", "token"),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    let body = ok_tokens(resp).await;
    assert_eq!(body["scope"], "whoami");
}
