//! Request parameters (A11, A12) and the PKCE request rules (D6, D8, plain).

use crate::helpers::*;

#[tokio::test]
async fn repeated_parameter_is_refused_and_unknown_one_ignored() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let page = b
        .get("/oauth/authorize?client_id=demo-trusted&response_type=code&state=a&state=b")
        .await;
    assert_error_page(&page, "invalid_request");
    assert!(page.body.contains("repeated"));
    let page = b
        .get("/oauth/authorize?client_id=demo-trusted&client_id=demo-confidential&response_type=code")
        .await;
    assert_error_page(&page, "invalid_request");
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("unknown_param", "x"), ("nonce", "n"), ("state", "u")],
    )
    .await;
    assert!(cb.code().is_some());
    assert_eq!(cb.state().as_deref(), Some("u"));
    // Empty counts as absent: an empty state is not echoed.
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("state", ""), ("scope", "")],
    )
    .await;
    assert_eq!(cb.state(), None);
}

// ---------------------------------------------------------------------------
// PKCE request rules (D6, D8, plain)

#[tokio::test]
async fn public_client_must_send_a_challenge() {
    let server = TestServer::demo().await;
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-public"),
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:4000/callback"),
            ("state", "p"),
        ],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:4000/callback",
        "invalid_request",
        Some("p"),
        false,
    );
}

#[tokio::test]
async fn plain_pkce_only_for_clients_configured_for_it() {
    let toml = format!(
        "{}\n{}",
        oauth_server_reference::config::DEMO_TOML,
        r#"
[[client]]
id = "plain-client"
auth_methods = ["none"]
grants = ["authorization_code"]
redirect_uris = ["http://127.0.0.1:9876/callback"]
scopes = ["api"]
allow_plain_pkce = true
"#
    );
    let server =
        TestServer::with_config(oauth_server_reference::Config::from_toml_str(&toml).unwrap())
            .await;
    let verifier = "a".repeat(43);
    let cb = authorize_code(
        &server,
        "plain-client",
        ALICE.0,
        ALICE.1,
        &[
            ("code_challenge", &verifier),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    let code = stored_code(&server, &cb.code().unwrap()).await;
    assert_eq!(
        code.challenge,
        Some((verifier.clone(), ChallengeMethod::Plain))
    );
    // Without a method, plain is implied (RFC 7636 §4.3).
    let cb = authorize_code(
        &server,
        "plain-client",
        ALICE.0,
        ALICE.1,
        &[("code_challenge", &verifier)],
    )
    .await;
    assert!(cb.code().is_some());
    // demo-public is not allowed plain.
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-public"),
            ("response_type", "code"),
            ("code_challenge", &verifier),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1/callback",
        "invalid_request",
        None,
        false,
    );
}
