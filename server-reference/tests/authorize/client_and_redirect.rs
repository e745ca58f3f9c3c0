//! The client and its redirect URI: what gets the error page, never a redirect (A1–A8), and the redirect policies.

use crate::helpers::*;

#[tokio::test]
async fn unknown_or_missing_client_gets_the_error_page() {
    let server = TestServer::demo().await;
    let page = fresh(
        &server,
        &[
            ("client_id", "nope"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ],
    )
    .await;
    assert_error_page(&page, "invalid_client");
    let page = fresh(
        &server,
        &[("response_type", "code"), ("redirect_uri", REDIRECT)],
    )
    .await;
    assert_error_page(&page, "invalid_request");
    let page = fresh(
        &server,
        &[
            ("client_id", "<script>alert(1)</script>"),
            ("response_type", "code"),
        ],
    )
    .await;
    assert_error_page(&page, "invalid_client");
    assert!(!page.body.contains("<script>"), "client input is escaped");
}

#[tokio::test]
async fn bad_redirect_uris_get_the_error_page() {
    let server = TestServer::demo().await;
    let bad = [
        "http://evil.example/callback",
        "http://127.0.0.1:9876/callback?extra=x",
        "http://127.0.0.1:9876/callback/Wrong",
        "http://127.0.0.1:9876/callbackx",
        "http://127.0.0.1:9876/callback#frag",
        "http://127.0.0.1:9876/callback%2F..",
        "http://127.0.0.1:9876/callback/;/../",
        "http://127.0.0.1:9876/callback%252F",
        "http://127.0.0.1:9876/callback%0A%0D",
        "http://127.0.0.1:9876/x/../callback",
        "https://127.0.0.1:9876/callback",
        "http://localhost:9877/callback",
        "http://127.0.0.1:9876/callback?code=evil",
        "not a url",
    ];
    for uri in bad {
        let page = fresh(
            &server,
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("redirect_uri", uri),
                ("state", "s"),
            ],
        )
        .await;
        assert_error_page(&page, "invalid_request");
        assert!(page.body.contains("redirect_uri"), "{uri}: {}", page.body);
    }
}

#[tokio::test]
async fn redirect_uri_is_required_when_several_are_registered() {
    let server = TestServer::demo().await;
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-confidential"),
            ("response_type", "code"),
        ],
    )
    .await;
    assert_error_page(&page, "invalid_request");
    // One registered URI: it is used, and the code remembers it was omitted.
    let cb = authorize_code(&server, "demo-trusted", ALICE.0, ALICE.1, &[("state", "t")]).await;
    assert_eq!(cb.base(), REDIRECT);
    let code = stored_code(&server, &cb.code().unwrap()).await;
    assert_eq!(code.redirect_uri, None);
}

#[tokio::test]
async fn loopback_redirect_matches_on_any_port() {
    let server = TestServer::demo().await;
    let cb = authorize_code(
        &server,
        "demo-public",
        ALICE.0,
        ALICE.1,
        &[
            ("redirect_uri", "http://127.0.0.1:51234/callback"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(cb.base(), "http://127.0.0.1:51234/callback");
    let code = stored_code(&server, &cb.code().unwrap()).await;
    assert_eq!(
        code.redirect_uri.as_deref(),
        Some("http://127.0.0.1:51234/callback")
    );
    assert_eq!(
        code.challenge.as_ref().map(|(c, _)| c.as_str()),
        Some(CHALLENGE)
    );
    // Path and query must still match.
    for uri in [
        "http://127.0.0.1:51234/callback2",
        "http://127.0.0.1:51234/callback?x=1",
        "http://localhost:51234/callback",
    ] {
        let page = fresh(
            &server,
            &[
                ("client_id", "demo-public"),
                ("response_type", "code"),
                ("redirect_uri", uri),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        assert_error_page(&page, "invalid_request");
    }
}

/// RFC 8252 §7.3 is for native (public) clients: a confidential client's
/// loopback URI matches on its own port only, unless configured otherwise.
#[tokio::test]
async fn any_loopback_port_is_for_public_clients_unless_configured() {
    let other_port = [
        ("client_id", "demo-confidential"),
        ("response_type", "code"),
        ("redirect_uri", "http://127.0.0.1:51234/callback"),
    ];
    let server = TestServer::demo().await;
    assert_error_page(&fresh(&server, &other_port).await, "invalid_request");

    let text = oauth_server_reference::config::DEMO_TOML.replacen(
        "id = \"demo-confidential\"\n",
        "id = \"demo-confidential\"\nredirect_policy = \"loopback_any_port\"\n",
        1,
    );
    let server = TestServer::with_config(Config::from_toml_str(&text).unwrap()).await;
    let cb = authorize_code(
        &server,
        "demo-confidential",
        ALICE.0,
        ALICE.1,
        &[("redirect_uri", "http://127.0.0.1:51234/callback")],
    )
    .await;
    assert_eq!(cb.base(), "http://127.0.0.1:51234/callback");
}

#[tokio::test]
async fn phabricator_policy_keeps_registered_query_and_allows_extra_parameters() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let page = b
        .get("/oauthserver/auth/?client_id=demo-phabricator&response_type=code&scope=whoami&state=p&redirect_uri=http%3A%2F%2F127.0.0.1%3A9876%2Fphab%3Fapp%3D1%26extra%3D2")
        .await;
    let last = b.drive(page, ALICE.0, ALICE.1, true).await;
    let cb = CallbackUrl::parse(last.location().unwrap());
    assert_eq!(cb.param("app").as_deref(), Some("1"));
    assert_eq!(cb.param("extra").as_deref(), Some("2"));
    assert_eq!(cb.state().as_deref(), Some("p"));
    assert!(cb.code().is_some());
    // Omitted: the registered URI, parameters appended after its query.
    let cb = authorize_in(
        &mut b,
        "demo-phabricator",
        ALICE.0,
        ALICE.1,
        &[("scope", "whoami")],
        true,
    )
    .await;
    assert!(
        cb.0.as_str()
            .starts_with("http://127.0.0.1:9876/phab?app=1&code="),
        "{cb:?}"
    );
    for bad in [
        "http://127.0.0.1:9876/phab",
        "http://127.0.0.1:9876/phab?app=2",
        "http://127.0.0.1:9876/phab?app=1#f",
        "http://127.0.0.1:9877/phab?app=1",
        "http://127.0.0.1:9876/phab/x?app=1",
        "http://127.0.0.1:9876/phab?app=1&code=x",
    ] {
        let page = fresh(
            &server,
            &[
                ("client_id", "demo-phabricator"),
                ("response_type", "code"),
                ("redirect_uri", bad),
            ],
        )
        .await;
        assert_error_page(&page, "invalid_request");
    }
    // The Phabricator endpoint speaks response_type=code only.
    let page = b
        .get("/oauthserver/auth/?client_id=demo-phabricator&response_type=token&state=p")
        .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:9876/phab?app=1",
        "unsupported_response_type",
        Some("p"),
        false,
    );
}
