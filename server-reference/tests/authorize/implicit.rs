//! The implicit grant (H1, H2).

use crate::helpers::*;

#[tokio::test]
async fn implicit_grant_returns_tokens_in_the_fragment_without_refresh_token() {
    let server = TestServer::demo().await;
    let cb = authorize_code(
        &server,
        "demo-implicit",
        ALICE.0,
        ALICE.1,
        &[
            ("response_type", "token"),
            ("scope", "read_user"),
            ("state", STATE_ODD),
        ],
    )
    .await;
    assert_eq!(cb.base(), "http://127.0.0.1:9876/implicit");
    assert!(cb.0.query().is_none(), "nothing in the query");
    assert_eq!(cb.fragment_param("token_type").as_deref(), Some("Bearer"));
    assert_eq!(cb.fragment_param("expires_in").as_deref(), Some("7200"));
    assert_eq!(cb.fragment_param("scope").as_deref(), Some("read_user"));
    assert_eq!(cb.fragment_param("state").as_deref(), Some(STATE_ODD));
    assert_eq!(cb.fragment_param("iss"), Some(issuer(&server)));
    assert_eq!(cb.fragment_param("refresh_token"), None);
    assert_eq!(cb.fragment_param("code"), None);
    let token = cb.fragment_param("access_token").unwrap();
    let record = server
        .handle
        .state()
        .store()
        .token(&TokenHash::of(&token))
        .await
        .unwrap()
        .expect("token stored by hash");
    assert_eq!(&*record.client_id, "demo-implicit");
    assert_eq!(record.username.as_deref(), Some("alice"));
    assert!(record.is_active(server.handle.state().now()));
}
