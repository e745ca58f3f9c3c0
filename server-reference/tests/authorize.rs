//! The authorization endpoint over a real socket: login, consent, redirect_uri
//! policies, state and iss, error redirects, PKCE request rules, implicit grant.

mod support;

use oauth_server_reference::crypto::TokenHash;
use oauth_server_reference::store::Consumed;
use support::browser::authorize_code;
use support::{REDIRECT, TestServer};

const ALICE: (&str, &str) = ("alice", "alice-password");

/// The issuer the server advertises.
fn issuer(server: &TestServer) -> String {
    server.handle.state().issuer().to_owned()
}

#[tokio::test]
async fn code_flow_with_login_and_consent_binds_the_code() {
    let server = TestServer::demo().await;
    let cb = authorize_code(
        &server,
        "demo-confidential",
        ALICE.0,
        ALICE.1,
        &[
            ("redirect_uri", REDIRECT),
            ("scope", "api read_user"),
            ("state", "s1"),
        ],
    )
    .await;
    assert_eq!(cb.base(), REDIRECT);
    assert_eq!(cb.state().as_deref(), Some("s1"));
    assert_eq!(cb.param("iss"), Some(issuer(&server)));
    assert_eq!(cb.fragment_names(), Vec::<String>::new());
    let code = cb.code().expect("a code");
    assert!(code.len() >= 43, "256-bit code");
    let stored = server
        .handle
        .state()
        .store()
        .consume_code(&TokenHash::of(&code))
        .await
        .unwrap();
    let Consumed::Fresh(c) = stored else {
        panic!("code not stored: {stored:?}")
    };
    assert_eq!(c.client_id, "demo-confidential");
    assert_eq!(c.username, "alice");
    assert_eq!(c.redirect_uri.as_deref(), Some(REDIRECT));
    assert_eq!(c.scope.to_string(), "api read_user");
    assert_eq!(c.challenge, None);
    let now = server.handle.state().now();
    assert!(c.expires_at > now && c.expires_at <= now + 60_000);
}
