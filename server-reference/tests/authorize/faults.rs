//! Deliberate faults (docs/faults.md) of the authorization endpoint: each one
//! visibly breaks its rule. Compiled only with `--features faults`.

use crate::helpers::*;

async fn with_fault(name: &str) -> TestServer {
    let toml = oauth_server_reference::config::DEMO_TOML.replacen(
        "[settings]\n",
        &format!("[settings]\nfaults = [\"{name}\"]\n"),
        1,
    );
    let config = oauth_server_reference::Config::from_toml_str(&toml).unwrap();
    TestServer::with_config(config).await
}

#[tokio::test]
async fn redirect_uri_prefix_match() {
    let server = with_fault("redirect-uri-prefix-match").await;
    let evil = "http://127.0.0.1:9876/callback.evil.example/x";
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("redirect_uri", evil)],
    )
    .await;
    assert!(cb.0.as_str().starts_with(evil) && cb.code().is_some());
}

#[tokio::test]
async fn redirect_to_unregistered_uri() {
    let server = with_fault("redirect-to-unregistered-uri").await;
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-trusted"),
            ("response_type", "code"),
            ("redirect_uri", "http://evil.example/cb"),
            ("state", "s"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location()
            .unwrap()
            .starts_with("http://evil.example/cb?error=")
    );
}

#[tokio::test]
async fn state_dropped_on_success_only() {
    let server = with_fault("state-dropped").await;
    let cb = authorize_code(&server, "demo-trusted", ALICE.0, ALICE.1, &[("state", "s")]).await;
    assert!(cb.code().is_some());
    assert_eq!(cb.state(), None);
    let page = fresh(&server, &[("client_id", "demo-trusted"), ("state", "s")]).await;
    assert_error_redirect(
        &server,
        &page,
        REDIRECT,
        "invalid_request",
        Some("s"),
        false,
    );
}

#[tokio::test]
async fn state_dropped_on_error() {
    let server = with_fault("state-dropped-on-error").await;
    let page = fresh(&server, &[("client_id", "demo-trusted"), ("state", "s")]).await;
    let cb = CallbackUrl::parse(page.location().unwrap());
    assert_eq!(cb.error().as_deref(), Some("invalid_request"));
    assert_eq!(cb.state(), None);
    let cb = authorize_code(&server, "demo-trusted", ALICE.0, ALICE.1, &[("state", "s")]).await;
    assert_eq!(cb.state().as_deref(), Some("s"));
}

#[tokio::test]
async fn iss_missing() {
    let server = with_fault("iss-missing").await;
    let cb = authorize_code(&server, "demo-trusted", ALICE.0, ALICE.1, &[]).await;
    assert!(cb.code().is_some());
    assert_eq!(cb.param("iss"), None);
    let page = fresh(&server, &[("client_id", "demo-trusted")]).await;
    assert_eq!(
        CallbackUrl::parse(page.location().unwrap()).param("iss"),
        None
    );
}

#[tokio::test]
async fn implicit_refresh_token() {
    let server = with_fault("implicit-refresh-token").await;
    let cb = authorize_code(
        &server,
        "demo-implicit",
        ALICE.0,
        ALICE.1,
        &[("response_type", "token")],
    )
    .await;
    assert!(cb.fragment_param("access_token").is_some());
    assert!(cb.fragment_param("refresh_token").is_some());
}
