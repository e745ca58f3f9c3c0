//! The authorization endpoint over a real socket, one test binary with one
//! module per concern: the client and its redirect URI (`client_and_redirect`),
//! `state` and `iss` (`state_and_iss`), parameters and PKCE request rules
//! (`parameters`), login (`login`), consent (`consent`), POSTed requests and
//! headers (`post_and_headers`), the implicit grant (`implicit`), bad input
//! (`bad_input`) and, with `--features faults`, the faults of this endpoint
//! (`faults`). Shared helpers are in `helpers`.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod client_and_redirect;
mod consent;
#[cfg(feature = "faults")]
mod faults;
mod helpers;
mod implicit;
mod login;
mod parameters;
mod post_and_headers;
mod state_and_iss;

use helpers::*;

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
