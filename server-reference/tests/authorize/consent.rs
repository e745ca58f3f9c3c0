//! Consent (A14): the page, remembered consent, trusted clients, CSRF and session binding.

use crate::helpers::*;

#[tokio::test]
async fn consent_page_names_client_and_scopes_and_deny_gives_access_denied() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    b.login("/oauth/login/done", ALICE.0, ALICE.1, None).await;
    let page = b
        .code_request(
            "demo-confidential",
            &[
                ("redirect_uri", REDIRECT),
                ("scope", "api whoami"),
                ("state", STATE_ODD),
            ],
        )
        .await;
    assert!(page.is_consent_form(), "{page:?}");
    assert_page_headers(&page);
    assert!(page.body.contains("Demo confidential client"));
    assert!(page.body.contains(">api<") && page.body.contains(">whoami<"));
    assert!(page.body.contains("name=\"decision\" value=\"allow\""));
    assert!(page.body.contains("name=\"decision\" value=\"deny\""));
    let denied = b.decide(&page, false).await;
    assert_error_redirect(
        &server,
        &denied,
        REDIRECT,
        "access_denied",
        Some(STATE_ODD),
        false,
    );
    // The request was single-use.
    let again = b.decide(&page, true).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    // Denial is not remembered: the next request asks again.
    let page = b
        .code_request(
            "demo-confidential",
            &[("redirect_uri", REDIRECT), ("scope", "api")],
        )
        .await;
    assert!(page.is_consent_form());
}

#[tokio::test]
async fn consent_is_remembered_per_user_client_and_scope() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let params = [("redirect_uri", REDIRECT), ("scope", "api read_user")];
    let cb = authorize_in(&mut b, "demo-confidential", ALICE.0, ALICE.1, &params, true).await;
    assert!(cb.code().is_some());
    // Same or narrower scope: straight back to the client.
    for scope in ["api read_user", "read_user"] {
        let page = b
            .code_request(
                "demo-confidential",
                &[("redirect_uri", REDIRECT), ("scope", scope), ("state", "r")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{scope}: {page:?}");
        let cb = CallbackUrl::parse(page.location().unwrap());
        assert!(cb.code().is_some());
        assert_eq!(cb.state().as_deref(), Some("r"));
    }
    // Wider scope, or another client: consent again.
    let page = b
        .code_request(
            "demo-confidential",
            &[("redirect_uri", REDIRECT), ("scope", "api whoami")],
        )
        .await;
    assert!(page.is_consent_form());
    let page = b
        .code_request(
            "demo-confidential-2",
            &[("redirect_uri", REDIRECT), ("scope", "api")],
        )
        .await;
    assert!(page.is_consent_form());
}

#[tokio::test]
async fn trusted_client_skips_consent() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let page = b.code_request("demo-trusted", &[("state", "t")]).await;
    let next = url::Url::parse(&format!("http://x{}", page.location().unwrap()))
        .unwrap()
        .query_pairs()
        .find(|(n, _)| n == "next")
        .unwrap()
        .1
        .into_owned();
    let login = b.login(&next, ALICE.0, ALICE.1, None).await;
    let page = b.get(login.location().unwrap()).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "no consent page: {page:?}"
    );
    let cb = CallbackUrl::parse(page.location().unwrap());
    assert!(cb.code().is_some());
    // The Hub path is the same endpoint.
    let page = b
        .get("/api/rest/oauth2/auth?client_id=demo-trusted&response_type=code&state=h")
        .await;
    let cb = CallbackUrl::parse(page.location().unwrap());
    assert!(cb.code().is_some());
    assert_eq!(cb.state().as_deref(), Some("h"));
}

#[tokio::test]
async fn consent_decision_needs_csrf_and_the_same_session() {
    let server = TestServer::demo().await;
    let mut alice = Browser::new(&server);
    alice.login("/", ALICE.0, ALICE.1, None).await;
    let consent = alice
        .code_request("demo-confidential", &[("redirect_uri", REDIRECT)])
        .await;
    let request_id = consent.hidden("request_id").unwrap();
    let csrf = consent.hidden("csrf_token").unwrap();
    // Wrong or missing CSRF token.
    let page = alice
        .post(
            "/oauth/authorize/decision",
            &[
                ("request_id", &request_id),
                ("csrf_token", "x"),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = alice
        .post(
            "/oauth/authorize/decision",
            &[("request_id", &request_id), ("decision", "allow")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // No session at all.
    let mut stranger = Browser::new(&server);
    let page = stranger
        .post(
            "/oauth/authorize/decision",
            &[
                ("request_id", &request_id),
                ("csrf_token", &csrf),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Another user's session, with that session's own CSRF token: the request is not theirs.
    let mut mallory = Browser::new(&server);
    mallory
        .login(
            "/",
            "bob",
            "bob-password",
            Some(&browser::totp_now(browser::BOB_TOTP_SECRET)),
        )
        .await;
    let own = mallory
        .code_request("demo-confidential", &[("redirect_uri", REDIRECT)])
        .await;
    let own_csrf = own.hidden("csrf_token").unwrap();
    let page = mallory
        .post(
            "/oauth/authorize/decision",
            &[
                ("request_id", &request_id),
                ("csrf_token", &own_csrf),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // Alice's own decision still works after all that.
    let page = alice.decide(&consent, true).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let cb = CallbackUrl::parse(page.location().unwrap());
    let code = stored_code(&server, &cb.code().unwrap()).await;
    assert_eq!(code.username, "alice");
}
