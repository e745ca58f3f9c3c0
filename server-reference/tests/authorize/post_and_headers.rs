//! POSTed authorization requests (A19) and response headers (A18, A20).

use crate::helpers::*;

#[tokio::test]
async fn posted_authorization_request_resumes_after_login_and_posts_answer_303() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let page = b
        .post(
            "/oauth/authorize",
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("state", STATE_ODD),
                ("scope", "api"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location()
            .unwrap()
            .starts_with("/oauth/login?next=%2Foauth%2Fauthorize%2Fresume")
    );
    let next = url::Url::parse(&format!("http://x{}", page.location().unwrap()))
        .unwrap()
        .query_pairs()
        .find(|(n, _)| n == "next")
        .unwrap()
        .1
        .into_owned();
    let login = b.login(&next, ALICE.0, ALICE.1, None).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let consent = b.get(login.location().unwrap()).await;
    assert!(consent.is_consent_form(), "{consent:?}");
    let done = b.decide(&consent, true).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let cb = CallbackUrl::parse(done.location().unwrap());
    assert_eq!(cb.state().as_deref(), Some(STATE_ODD));
    assert!(cb.code().is_some());
    // The parked request was single-use.
    let again = b.get(login.location().unwrap()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    // Logged in, a POSTed request with remembered consent answers 303 at once.
    let page = b
        .post(
            "/oauth/authorize",
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "api"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        CallbackUrl::parse(page.location().unwrap())
            .code()
            .is_some()
    );
    // Errors on POST also answer 303, and the Phabricator path takes POST too.
    let page = b
        .post(
            "/oauthserver/auth/",
            &[("client_id", "demo-phabricator"), ("state", "z")],
        )
        .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:9876/phab?app=1",
        "invalid_request",
        Some("z"),
        false,
    );
}

#[tokio::test]
async fn no_cors_headers_even_when_asked() {
    let server = TestServer::demo().await;
    let resp = server
        .http
        .get(server.url("/oauth/authorize?client_id=demo-trusted&response_type=code"))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
    let resp = server
        .http
        .request(reqwest::Method::OPTIONS, server.url("/oauth/authorize"))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
}
