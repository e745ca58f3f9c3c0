//! Pushed authorization requests (RFC 9126): `POST /oauth/par` and the
//! `request_uri` at the authorization endpoint.

mod support;

use std::time::Duration;

use oauth_server_reference::Config;
use reqwest::StatusCode;
use support::browser::{Browser, CallbackUrl};
use support::{CONFIDENTIAL, CONFIDENTIAL_2, REDIRECT, TestServer, json};

const PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Pushes `form` as the confidential client (HTTP Basic).
async fn push(server: &TestServer, form: &[(&str, &str)]) -> reqwest::Response {
    server
        .post_form("/oauth/par", Some(CONFIDENTIAL), form)
        .await
}

/// Pushes a code request of the confidential client, with `extra`.
async fn push_code(server: &TestServer, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![
        ("client_id", CONFIDENTIAL.0),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
    ];
    form.extend_from_slice(extra);
    push(server, &form).await
}

/// A pushed code request of the confidential client; its `request_uri`.
async fn pushed_uri(server: &TestServer, extra: &[(&str, &str)]) -> String {
    let resp = push_code(server, extra).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    json(resp).await["request_uri"]
        .as_str()
        .expect("request_uri")
        .to_owned()
}

/// Sends the user agent with `params` and drives login and consent as alice.
async fn use_uri(browser: &mut Browser, params: &[(&str, &str)]) -> support::browser::Page {
    let first = browser.authorize(params).await;
    browser.drive(first, "alice", "alice-password", true).await
}

/// Uses `uri` as `client_id` and asserts that a code comes back.
async fn assert_code(browser: &mut Browser, client_id: &str, uri: &str) {
    let last = use_uri(browser, &[("client_id", client_id), ("request_uri", uri)]).await;
    assert!(callback(&last).code().is_some(), "{last:?}");
}

fn callback(page: &support::browser::Page) -> CallbackUrl {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{page:?}");
    CallbackUrl::parse(page.location().expect("Location"))
}

async fn metadata(server: &TestServer) -> serde_json::Value {
    let url = server.url("/.well-known/oauth-authorization-server");
    json(server.http.get(url).send().await.unwrap()).await
}

async fn server_with(edit: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = Config::demo();
    edit(&mut config);
    TestServer::with_config(config).await
}

#[tokio::test]
async fn metadata_advertises_the_endpoint() {
    let server = TestServer::demo().await;
    let m = metadata(&server).await;
    assert_eq!(
        m["pushed_authorization_request_endpoint"],
        server.url("/oauth/par")
    );
    assert_eq!(m["require_pushed_authorization_requests"], false);
}

#[tokio::test]
async fn a_pushed_request_answers_201_and_its_request_uri_yields_a_code() {
    let server = TestServer::demo().await;
    let resp = push_code(
        &server,
        &[("scope", "read_user"), ("state", "pushed-state")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body = json(resp).await;
    let uri = body["request_uri"].as_str().unwrap();
    assert!(uri.starts_with(PREFIX), "{uri}");
    assert!(
        uri.len() >= PREFIX.len() + 43,
        "a 256-bit random part: {uri}"
    );
    assert_eq!(body["expires_in"], 60);

    let mut browser = Browser::new(&server);
    let last = use_uri(
        &mut browser,
        &[("client_id", CONFIDENTIAL.0), ("request_uri", uri)],
    )
    .await;
    let cb = callback(&last);
    assert_eq!(cb.base(), REDIRECT);
    assert_eq!(cb.state().as_deref(), Some("pushed-state"));
    let code = cb.code().expect("a code");
    let token = server
        .post_form(
            "/oauth/token",
            Some(CONFIDENTIAL),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_eq!(token.status(), StatusCode::OK);
    assert_eq!(json(token).await["scope"], "read_user");
}

#[tokio::test]
async fn a_request_uri_is_used_once() {
    let server = TestServer::demo().await;
    let uri = pushed_uri(&server, &[]).await;
    let params = [("client_id", CONFIDENTIAL.0), ("request_uri", uri.as_str())];
    let mut browser = Browser::new(&server);
    assert!(
        callback(&use_uri(&mut browser, &params).await)
            .code()
            .is_some()
    );
    // Logged in now: the second use is answered at once, and refused.
    let again = browser.authorize(&params).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{again:?}");
    assert!(again.body.contains("invalid_request_uri"), "{}", again.body);
    assert!(again.location().is_none());
}

#[tokio::test]
async fn concurrent_uses_of_one_request_uri_yield_one_code() {
    // A trusted client skips consent, so a logged-in request is answered at once.
    const TRUSTED: (&str, &str) = ("demo-trusted", "demo-trusted-secret");
    let server = TestServer::demo().await;
    let push_trusted = || async {
        let resp = server
            .post_form(
                "/oauth/par",
                Some(TRUSTED),
                &[
                    ("client_id", TRUSTED.0),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                ],
            )
            .await;
        json(resp).await["request_uri"].as_str().unwrap().to_owned()
    };
    let mut browser = Browser::new(&server);
    assert_code(&mut browser, TRUSTED.0, &push_trusted().await).await;
    let session = browser
        .cookie("oauth_session")
        .expect("logged in")
        .to_owned();
    let uri = push_trusted().await;
    let url = server.url(&support::browser::authorize_url(&[
        ("client_id", TRUSTED.0),
        ("request_uri", &uri),
    ]));
    let answers = futures::future::join_all((0..10).map(|_| {
        server
            .http
            .get(&url)
            .header("cookie", format!("oauth_session={session}"))
            .send()
    }))
    .await;
    let codes = answers
        .iter()
        .map(|r| r.as_ref().unwrap())
        .filter(|r| {
            r.headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .is_some_and(|l| l.contains("code="))
        })
        .count();
    assert_eq!(codes, 1);
    assert!(
        answers
            .iter()
            .all(|r| r.as_ref().unwrap().status().as_u16() < 500)
    );
}

#[tokio::test]
async fn a_request_uri_before_login_survives_the_login() {
    // The reference is consumed at the first hop; the request waits parked
    // for the login instead of riding along in `next`.
    let server = TestServer::demo().await;
    let uri = pushed_uri(&server, &[("state", "s1")]).await;
    let mut browser = Browser::new(&server);
    let first = browser
        .authorize(&[("client_id", CONFIDENTIAL.0), ("request_uri", &uri)])
        .await;
    let to_login = first.location().expect("to the login").to_owned();
    assert!(!to_login.contains("request_uri"), "{to_login}");
    let last = browser.drive(first, "alice", "alice-password", true).await;
    assert_eq!(callback(&last).state().as_deref(), Some("s1"));
}

#[tokio::test]
async fn a_request_uri_is_bound_to_its_client() {
    let server = TestServer::demo().await;
    let uri = pushed_uri(&server, &[]).await;
    let mut browser = Browser::new(&server);
    let other = browser
        .authorize(&[("client_id", CONFIDENTIAL_2.0), ("request_uri", &uri)])
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST, "{other:?}");
    assert!(other.body.contains("invalid_request_uri"));
    // Still usable by the client that pushed it.
    assert_code(&mut browser, CONFIDENTIAL.0, &uri).await;
}

#[tokio::test]
async fn an_expired_request_uri_is_refused() {
    let server = TestServer::demo().await;
    let uri = pushed_uri(&server, &[]).await;
    server
        .handle
        .state()
        .clock()
        .advance(Duration::from_secs(61));
    let mut browser = Browser::new(&server);
    let page = browser
        .authorize(&[("client_id", CONFIDENTIAL.0), ("request_uri", &uri)])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{page:?}");
    assert!(page.body.contains("expired"), "{}", page.body);
}

#[tokio::test]
async fn unknown_and_foreign_request_uris_are_refused() {
    let server = TestServer::demo().await;
    let mut browser = Browser::new(&server);
    for uri in [
        format!("{PREFIX}not-issued"),
        "https://client.example/request.jwt".to_owned(),
    ] {
        let page = browser
            .authorize(&[("client_id", CONFIDENTIAL.0), ("request_uri", &uri)])
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}: {page:?}");
        assert!(page.location().is_none());
    }
}

#[tokio::test]
async fn a_request_uri_inside_the_pushed_request_is_refused() {
    let server = TestServer::demo().await;
    let resp = push_code(&server, &[("request_uri", &format!("{PREFIX}abc"))]).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(resp).await["error"], "invalid_request");
}

#[tokio::test]
async fn only_the_pushed_parameters_count() {
    let server = TestServer::demo().await;
    let uri = pushed_uri(&server, &[("scope", "read_user"), ("state", "pushed")]).await;
    let mut browser = Browser::new(&server);
    let last = use_uri(
        &mut browser,
        &[
            ("client_id", CONFIDENTIAL.0),
            ("request_uri", &uri),
            ("response_type", "token"),
            ("redirect_uri", "http://localhost:9876/callback"),
            ("scope", "api"),
            ("state", "front-channel"),
        ],
    )
    .await;
    let cb = callback(&last);
    assert_eq!(cb.base(), REDIRECT, "the pushed redirect_uri");
    assert_eq!(cb.state().as_deref(), Some("pushed"));
    let token = server
        .post_form(
            "/oauth/token",
            Some(CONFIDENTIAL),
            &[
                ("grant_type", "authorization_code"),
                ("code", &cb.code().expect("a code, not a token")),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_eq!(json(token).await["scope"], "read_user");
}

#[tokio::test]
async fn the_pushed_request_is_validated_like_an_authorization_request() {
    let server = TestServer::demo().await;
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/cb"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "admin"),
            ],
            "invalid_scope",
        ),
        (
            &[("response_type", "nope"), ("redirect_uri", REDIRECT)],
            "unsupported_response_type",
        ),
        (
            &[
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
    ];
    for (extra, error) in cases {
        let mut form = vec![("client_id", CONFIDENTIAL.0)];
        form.extend_from_slice(extra);
        let resp = push(&server, &form).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{extra:?}");
        assert_eq!(json(resp).await["error"], error, "{extra:?}");
    }
    // client_id is required, and must name the authenticated client.
    let resp = push(
        &server,
        &[("response_type", "code"), ("redirect_uri", REDIRECT)],
    )
    .await;
    assert_eq!(json(resp).await["error"], "invalid_request");
    let resp = server
        .post_form(
            "/oauth/par",
            None,
            &[
                ("client_id", CONFIDENTIAL_2.0),
                ("client_secret", CONFIDENTIAL.1),
                ("response_type", "code"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_confidential_client_must_authenticate() {
    let server = TestServer::demo().await;
    let form = [
        ("client_id", CONFIDENTIAL.0),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
    ];
    let bare = server.post_form("/oauth/par", None, &form).await;
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(bare).await["error"], "invalid_client");
    let wrong = server
        .post_form("/oauth/par", Some((CONFIDENTIAL.0, "wrong")), &form)
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().contains_key("www-authenticate"));
    assert_eq!(json(wrong).await["error"], "invalid_client");
}

#[tokio::test]
async fn a_public_client_pushes_with_its_client_id_and_pkce() {
    let server = TestServer::demo().await;
    let form = [
        ("client_id", "demo-public"),
        ("response_type", "code"),
        ("redirect_uri", "http://127.0.0.1/callback"),
    ];
    let no_pkce = server.post_form("/oauth/par", None, &form).await;
    assert_eq!(no_pkce.status(), StatusCode::BAD_REQUEST);
    let mut form = form.to_vec();
    form.push((
        "code_challenge",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    ));
    form.push(("code_challenge_method", "S256"));
    let resp = server.post_form("/oauth/par", None, &form).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_client_that_must_push_is_refused_a_plain_request() {
    let server = server_with(|c| {
        c.clients
            .iter_mut()
            .find(|c| c.id == CONFIDENTIAL.0)
            .unwrap()
            .require_pushed_authorization_requests = true;
    })
    .await;
    let mut browser = Browser::new(&server);
    let plain = use_uri(
        &mut browser,
        &[
            ("client_id", CONFIDENTIAL.0),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ],
    )
    .await;
    let cb = callback(&plain);
    assert_eq!(cb.error().as_deref(), Some("invalid_request"));
    assert_eq!(cb.state().as_deref(), Some("s"));
    assert!(cb.code().is_none());
    // Others are not concerned, and the client's pushed requests work.
    let other = use_uri(
        &mut browser,
        &[
            ("client_id", CONFIDENTIAL_2.0),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert!(callback(&other).code().is_some());
    let uri = pushed_uri(&server, &[]).await;
    assert_code(&mut browser, CONFIDENTIAL.0, &uri).await;
}

#[tokio::test]
async fn the_global_requirement_is_advertised() {
    let server = server_with(|c| c.settings.require_pushed_authorization_requests = true).await;
    assert_eq!(
        metadata(&server).await["require_pushed_authorization_requests"],
        true
    );
}

#[tokio::test]
async fn a_full_table_answers_503() {
    let server = server_with(|c| c.settings.max_pushed_authorization_requests = 2).await;
    pushed_uri(&server, &[]).await;
    let uri = pushed_uri(&server, &[]).await;
    let full = push_code(&server, &[]).await;
    assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(full.headers().contains_key("retry-after"));
    assert_eq!(json(full).await["error"], "temporarily_unavailable");
    // Using one makes room.
    let mut browser = Browser::new(&server);
    use_uri(
        &mut browser,
        &[("client_id", CONFIDENTIAL.0), ("request_uri", &uri)],
    )
    .await;
    assert_eq!(push_code(&server, &[]).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_lifetime_is_configurable_and_bounded() {
    let server = server_with(|c| c.settings.par_ttl_secs = 5).await;
    let resp = push_code(&server, &[]).await;
    assert_eq!(json(resp).await["expires_in"], 5);
    let mut config = Config::demo();
    config.settings.par_ttl_secs = 0;
    assert!(config.validate().is_err());
    config.settings.par_ttl_secs = 601;
    assert!(config.validate().is_err());
}

#[tokio::test]
async fn garbage_never_yields_a_500() {
    let server = TestServer::demo().await;
    for body in [
        "",
        "%%%",
        "client_id=a&client_id=b",
        "response_type=code\u{0}",
    ] {
        let resp = server
            .http
            .post(server.url("/oauth/par"))
            .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            resp.status().is_client_error(),
            "{body:?}: {}",
            resp.status()
        );
    }
    let get = server
        .http
        .get(server.url("/oauth/par"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[cfg(feature = "faults")]
mod faults {
    use super::*;

    async fn faulty(fault: &str) -> TestServer {
        server_with(|c| c.settings.faults = vec![fault.to_owned()]).await
    }

    #[tokio::test]
    async fn par_request_uri_reusable_lets_a_second_use_through() {
        let server = faulty("par-request-uri-reusable").await;
        let uri = pushed_uri(&server, &[]).await;
        let mut browser = Browser::new(&server);
        assert_code(&mut browser, CONFIDENTIAL.0, &uri).await;
        assert_code(&mut browser, CONFIDENTIAL.0, &uri).await;
    }

    #[tokio::test]
    async fn par_request_uri_not_bound_lets_another_client_use_it() {
        let server = faulty("par-request-uri-not-bound-to-client").await;
        let uri = pushed_uri(&server, &[]).await;
        let mut browser = Browser::new(&server);
        assert_code(&mut browser, CONFIDENTIAL_2.0, &uri).await;
    }
}

mod garbage {
    //! Property test of the PAR form: whatever is pushed, with valid client
    //! credentials so that validation is reached, the answer is a 201 or an
    //! RFC 6749 §5.2 JSON error, never a 500.

    use proptest::prelude::*;
    use proptest::test_runner::{Config as PropConfig, TestRunner};

    use super::*;

    const NAMES: &[&str] = &[
        "client_id",
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "request_uri",
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "nonce",
    ];
    const VALUES: &[&str] = &[
        CONFIDENTIAL.0,
        CONFIDENTIAL_2.0,
        "code",
        "token",
        REDIRECT,
        "read_user api",
        "S256",
        "plain",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "urn:ietf:params:oauth:request_uri:x",
        "",
    ];
    const ERRORS: &[&str] = &[
        "invalid_request",
        "invalid_client",
        "invalid_scope",
        "unsupported_response_type",
        "unauthorized_client",
    ];

    fn field() -> impl Strategy<Value = (String, String)> {
        let name = prop_oneof![
            3 => proptest::sample::select(NAMES).prop_map(str::to_owned),
            1 => "[a-z_%=&+]{0,8}",
        ];
        let value = prop_oneof![
            3 => proptest::sample::select(VALUES).prop_map(str::to_owned),
            1 => "\\PC{0,40}",
            1 => "[%&=+a-zA-Z0-9._~:/-]{0,60}",
        ];
        (name, value)
    }

    #[test]
    fn any_pushed_form_gets_201_or_a_json_error() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(TestServer::demo());
        let mut runner = TestRunner::new(PropConfig {
            cases: 200,
            ..PropConfig::default()
        });
        let strategy = proptest::collection::vec(field(), 0..8);
        runner
            .run(&strategy, |fields| {
                let form: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let (status, body) = rt.block_on(async {
                    let resp = push(&server, &form).await;
                    (resp.status().as_u16(), resp.text().await.unwrap())
                });
                let v: serde_json::Value = serde_json::from_str(&body)
                    .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {body}")))?;
                if status == 201 {
                    let uri = v["request_uri"].as_str().unwrap_or_default();
                    prop_assert!(uri.starts_with(PREFIX), "{body}");
                } else {
                    prop_assert!([400, 401].contains(&status), "{status} {body}");
                    let code = v["error"].as_str().unwrap_or_default();
                    prop_assert!(ERRORS.contains(&code), "{form:?}: {body}");
                }
                Ok(())
            })
            .unwrap();
    }
}
