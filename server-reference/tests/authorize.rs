//! The authorization endpoint over a real socket: login, consent, redirect_uri
//! policies, state and iss, error redirects, PKCE request rules, implicit grant.

mod support;

use oauth_server_reference::Config;
use oauth_server_reference::crypto::TokenHash;
use oauth_server_reference::model::ChallengeMethod;
use oauth_server_reference::store::Consumed;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use support::browser::{self, Browser, CallbackUrl, Page, authorize_code, authorize_in};
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

// ---------------------------------------------------------------------------
// Helpers

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const STATE_ODD: &str = "a&b=c+d%20e%zz #?/ ünïcødé 🙂";

/// An authorization request in a fresh, logged-out browser.
async fn fresh(server: &TestServer, params: &[(&str, &str)]) -> Page {
    Browser::new(server).authorize(params).await
}

/// The page is the server's error page: 400 HTML, no redirect anywhere.
fn assert_error_page(page: &Page, error: &str) {
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{page:?}");
    assert!(page.location().is_none(), "an error page never redirects");
    assert!(
        page.headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.body.contains(error),
        "error page names {error}: {}",
        page.body
    );
    assert_page_headers(page);
}

fn assert_page_headers(page: &Page) {
    assert_eq!(page.headers["x-frame-options"], "DENY");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(page.headers[CACHE_CONTROL], "no-store");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_no_cors(page);
}

fn assert_no_cors(page: &Page) {
    for name in page.headers.keys() {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "CORS header {name} present"
        );
    }
}

/// An RFC 6749 §4.1.2.1 error redirect to `base`: the error, state and iss, and nothing
/// else (no code), in the query or (implicit) the fragment.
fn assert_error_redirect(
    server: &TestServer,
    page: &Page,
    base: &str,
    error: &str,
    state: Option<&str>,
    fragment: bool,
) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{page:?}");
    assert_no_cors(page);
    let location = page.location().unwrap();
    let rest = location
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{location} goes to {base}"));
    assert!(rest.starts_with(['?', '&', '#']), "{location}");
    let cb = CallbackUrl::parse(location);
    let raw = if fragment {
        assert!(cb.0.query().is_none(), "implicit errors go in the fragment");
        cb.0.fragment().unwrap_or("").to_owned()
    } else {
        assert!(
            cb.0.fragment().is_none(),
            "code-flow errors go in the query"
        );
        cb.0.query().unwrap_or("").to_owned()
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let names: Vec<&String> = pairs.iter().map(|(n, _)| n).collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("error").as_deref(), Some(error), "{cb:?}");
    assert!(get("error_description").is_some());
    assert_eq!(get("state").as_deref(), state, "state echoed exactly");
    assert_eq!(get("iss"), Some(issuer(server)));
    for n in &names {
        assert!(
            ["error", "error_description", "state", "iss"].contains(&n.as_str())
                || base.contains(n.as_str()),
            "unexpected parameter {n} in an error response"
        );
    }
    assert!(get("code").is_none() && get("access_token").is_none());
}

async fn stored_code(server: &TestServer, code: &str) -> oauth_server_reference::model::AuthCode {
    match server
        .handle
        .state()
        .store()
        .consume_code(&TokenHash::of(code))
        .await
        .unwrap()
    {
        Consumed::Fresh(c) => c,
        other => panic!("code not stored: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Client and redirect_uri: the error page (A1–A8)

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

// ---------------------------------------------------------------------------
// state and iss (B1–B3, A15–A17)

#[tokio::test]
async fn state_is_echoed_byte_for_byte_and_absent_when_not_sent() {
    let server = TestServer::demo().await;
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("state", STATE_ODD)],
    )
    .await;
    assert_eq!(cb.state().as_deref(), Some(STATE_ODD));
    let long = "x".repeat(2000);
    let cb = authorize_code(
        &server,
        "demo-trusted",
        ALICE.0,
        ALICE.1,
        &[("state", &long)],
    )
    .await;
    assert_eq!(cb.state(), Some(long));
    let cb = authorize_code(&server, "demo-trusted", ALICE.0, ALICE.1, &[]).await;
    assert_eq!(cb.state(), None);
    assert!(!cb.query_names().contains(&"state".to_owned()));
    assert!(cb.code().is_some());
    assert_eq!(cb.param("iss"), Some(issuer(&server)));
}

#[tokio::test]
async fn every_error_redirect_carries_state_and_iss_and_no_code() {
    let server = TestServer::demo().await;
    let base = [("redirect_uri", REDIRECT), ("state", STATE_ODD)];
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("client_id", "demo-confidential")], "invalid_request"),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "id_token"),
            ],
            "unsupported_response_type",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code token"),
            ],
            "unsupported_response_type",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("scope", "api admin"),
            ],
            "invalid_scope",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("scope", "a\"b"),
            ],
            "invalid_scope",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S512"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", CHALLENGE),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", &CHALLENGE[..42]),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", &"a".repeat(129)),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge", &format!("{}+", &CHALLENGE[..42])),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
    ];
    for (params, error) in cases {
        let mut all = params.to_vec();
        all.extend_from_slice(&base);
        let page = fresh(&server, &all).await;
        assert_error_redirect(&server, &page, REDIRECT, error, Some(STATE_ODD), false);
        // Without state: no state comes back.
        let mut no_state = params.to_vec();
        no_state.push(("redirect_uri", REDIRECT));
        let page = fresh(&server, &no_state).await;
        assert_error_redirect(&server, &page, REDIRECT, error, None, false);
    }
}

#[tokio::test]
async fn implicit_errors_go_in_the_fragment() {
    let server = TestServer::demo().await;
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-implicit"),
            ("response_type", "token"),
            ("scope", "whoami"),
            ("state", "i"),
        ],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:9876/implicit",
        "invalid_scope",
        Some("i"),
        true,
    );
    let page = fresh(
        &server,
        &[
            ("client_id", "demo-confidential"),
            ("response_type", "token"),
            ("redirect_uri", REDIRECT),
            ("state", "i"),
        ],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        REDIRECT,
        "unauthorized_client",
        Some("i"),
        true,
    );
    // A client with only the implicit grant cannot ask for a code.
    let page = fresh(
        &server,
        &[("client_id", "demo-implicit"), ("response_type", "code")],
    )
    .await;
    assert_error_redirect(
        &server,
        &page,
        "http://127.0.0.1:9876/implicit",
        "unauthorized_client",
        None,
        false,
    );
}

// ---------------------------------------------------------------------------
// Parameters (A11, A12)

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

// ---------------------------------------------------------------------------
// Login (TOTP, CSRF, next)

#[tokio::test]
async fn login_refuses_wrong_password_and_missing_or_wrong_otp() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let form = b.get("/oauth/login?next=%2Foauth%2Flogin%2Fdone").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page_headers(&form);
    for name in ["username", "password", "otp", "csrf_token", "next"] {
        assert!(
            form.body.contains(&format!("name=\"{name}\"")),
            "field {name}"
        );
    }
    assert!(form.body.contains("name=\"action\" value=\"login\""));
    let otp_now = browser::totp_now(browser::BOB_TOTP_SECRET);
    let failures = [
        ("alice", "wrong", None),
        ("nobody", "alice-password", None),
        ("bob", "bob-password", None),
        ("bob", "bob-password", Some("000000")),
        ("bob", "wrong", Some(otp_now.as_str())),
    ];
    let mut messages = Vec::new();
    for (user, password, otp) in &failures {
        let page = b.submit_login(&form, user, password, *otp).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{user}/{password}");
        assert!(page.is_login_form());
        assert!(
            page.headers.get(SET_COOKIE).is_none(),
            "no session on failure"
        );
        assert_page_headers(&page);
        messages.push(
            page.body
                .split("id=\"message\"")
                .nth(1)
                .unwrap()
                .split("</p>")
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(
        messages.windows(2).all(|w| w[0] == w[1]),
        "one message for every cause: {messages:?}"
    );
    assert!(b.cookie("oauth_session").is_none());

    let otp = browser::totp_now(browser::BOB_TOTP_SECRET);
    let page = b
        .submit_login(&form, "bob", "bob-password", Some(&otp))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/oauth/login/done"));
    let cookie = page
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("oauth_session="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let done = b.get("/oauth/login/done").await;
    assert!(done.body.contains("bob"));
}

/// The login form shares the password grant's brute-force protection: five
/// failures lock the username (429, a distinct message) until the window ends.
#[tokio::test]
async fn repeated_login_failures_lock_the_username_for_a_minute() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let form = b.get("/oauth/login").await;
    for _ in 0..5 {
        let page = b.submit_login(&form, "alice", "guess", None).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = b.submit_login(&form, "alice", "alice-password", None).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("Too many failed sign-ins"),
        "{}",
        page.body
    );
    assert!(b.cookie("oauth_session").is_none());
    server
        .handle
        .state()
        .clock()
        .advance(std::time::Duration::from_secs(61));
    let page = b.submit_login(&form, "alice", "alice-password", None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

/// RFC 6238 §5.2: a one-time code that let a user in cannot be used again (from
/// any browser); a code of a later time step can.
#[tokio::test]
async fn a_used_one_time_code_cannot_log_in_again() {
    let server = TestServer::demo().await;
    let now = server.handle.state().now() / 1000;
    let login = |otp: String| {
        let server = &server;
        async move {
            let mut b = Browser::new(server);
            let form = b.get("/oauth/login").await;
            b.submit_login(&form, "bob", "bob-password", Some(&otp))
                .await
                .status
        }
    };
    let code = browser::totp_at(browser::BOB_TOTP_SECRET, now);
    assert_eq!(login(code.clone()).await, StatusCode::SEE_OTHER);
    assert_eq!(login(code).await, StatusCode::UNAUTHORIZED, "replayed");
    let earlier = browser::totp_at(browser::BOB_TOTP_SECRET, now - 30);
    assert_eq!(
        login(earlier).await,
        StatusCode::UNAUTHORIZED,
        "an older step"
    );
    let next = browser::totp_at(browser::BOB_TOTP_SECRET, now + 30);
    assert_eq!(login(next).await, StatusCode::SEE_OTHER, "a later step");
}

#[tokio::test]
async fn login_csrf_token_is_required() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    let form = b.get("/oauth/login").await;
    let csrf = form.hidden("csrf_token").unwrap();
    let base = [
        ("username", "alice"),
        ("password", "alice-password"),
        ("action", "login"),
    ];
    // Missing token.
    let page = b.post("/oauth/login", &base).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Wrong token.
    let mut wrong = base.to_vec();
    let other = "A".repeat(43);
    wrong.push(("csrf_token", &other));
    let page = b.post("/oauth/login", &wrong).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Right token but no cookie (a cross-site form post).
    let mut right = base.to_vec();
    let csrf = page.hidden("csrf_token").unwrap_or(csrf);
    right.push(("csrf_token", &csrf));
    let mut stranger = Browser::new(&server);
    let page = stranger.post("/oauth/login", &right).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(stranger.cookie("oauth_session").is_none());
    // Cookie and token together: accepted.
    let page = b.post("/oauth/login", &right).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(b.cookie("oauth_session").is_some());
}

#[tokio::test]
async fn login_next_cannot_leave_the_server() {
    let server = TestServer::demo().await;
    for next in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "evil",
    ] {
        let mut b = Browser::new(&server);
        let page = b.login(next, ALICE.0, ALICE.1, None).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location(), Some("/oauth/login/done"), "next={next}");
    }
    let mut b = Browser::new(&server);
    let page = b
        .login(
            "/oauth/authorize?client_id=demo-trusted&response_type=code",
            ALICE.0,
            ALICE.1,
            None,
        )
        .await;
    assert_eq!(
        page.location(),
        Some("/oauth/authorize?client_id=demo-trusted&response_type=code")
    );
}

#[tokio::test]
async fn authorize_without_session_sends_to_login_with_next() {
    let server = TestServer::demo().await;
    let query = "client_id=demo-trusted&response_type=code&state=n%26x";
    let page = Browser::new(&server)
        .get(&format!("/oauth/authorize?{query}"))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let location = page.location().unwrap();
    let url = url::Url::parse(&format!("http://x{location}")).unwrap();
    assert_eq!(url.path(), "/oauth/login");
    let next: Vec<_> = url
        .query_pairs()
        .filter(|(n, _)| n == "next")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(next, vec![format!("/oauth/authorize?{query}")]);
}

// ---------------------------------------------------------------------------
// Consent (A14, remembered consent, trusted clients, CSRF, binding)

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

// ---------------------------------------------------------------------------
// POST (A19) and headers (A18, A20)

/// The login page says which registered client it continues to, for a GET
/// request (`client_id` in `next`) and a POSTed one (parked, `request_id` in
/// `next`), also after a failed attempt; text from the URL is never the name.
#[tokio::test]
async fn login_page_names_the_registered_client_it_continues_to() {
    let server = TestServer::demo().await;
    let named = "Sign in to continue to <span id=\"client\">Demo confidential client</span>";
    let params = [
        ("client_id", "demo-confidential"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
    ];
    let mut b = Browser::new(&server);
    let got = b.authorize(&params).await;
    let form = b.get(got.location().unwrap()).await;
    assert!(form.body.contains(named), "{}", form.body);
    let failed = b.submit_login(&form, ALICE.0, "wrong", None).await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    assert!(failed.body.contains(named), "{}", failed.body);

    let posted = b.post("/oauth/authorize", &params).await;
    let form = b.get(posted.location().unwrap()).await;
    assert!(form.body.contains("resume?request_id="), "{}", form.body);
    assert!(form.body.contains(named), "{}", form.body);

    for next in [
        "/oauth/authorize?client_id=%3Cscript%3Ealert(1)%3C/script%3E",
        "/oauth/authorize/resume?request_id=nope",
        "/oauth/authorize",
    ] {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        let form = b.get(&format!("/oauth/login?{query}")).await;
        assert!(
            form.body.contains("<h1>Sign in</h1>"),
            "{next}: {}",
            form.body
        );
        assert!(!form.body.contains("<script>"), "{next}");
    }
}

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

// ---------------------------------------------------------------------------
// Implicit grant (H1, H2)

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

// ---------------------------------------------------------------------------
// Bad input: a clear answer, never a 500

#[tokio::test]
async fn malformed_requests_get_an_error_never_a_500() {
    let server = TestServer::demo().await;
    let mut b = Browser::new(&server);
    for path in [
        "/oauth/authorize?%zz=%ff%fe&client_id=demo-trusted&response_type=code",
        "/oauth/authorize?client_id=%00&response_type=code",
        "/oauth/authorize?client_id=demo-trusted&redirect_uri=%ff&response_type=code",
        "/oauth/authorize/resume?request_id=nope",
        "/oauth/authorize/resume?request_id=a&request_id=b",
        "/oauth/login?next=a&next=b",
    ] {
        let page = b.get(path).await;
        assert!(
            page.status.is_client_error() || page.status.is_redirection(),
            "{path}: {page:?}"
        );
    }
    let resp = server
        .http
        .post(server.url("/oauth/authorize"))
        .header("Content-Type", "application/json")
        .body("{\"client_id\":\"demo-trusted\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    let big = format!(
        "client_id=demo-trusted&response_type=code&state={}",
        "x".repeat(100_000)
    );
    let resp = server
        .http
        .post(server.url("/oauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for (path, form) in [
        (
            "/oauth/login",
            "username=%ff&password=&csrf_token=&csrf_token=",
        ),
        ("/oauth/authorize/decision", "decision=maybe"),
    ] {
        let resp = server
            .http
            .post(server.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{path}: {}", resp.status());
    }
}

// ---------------------------------------------------------------------------
// Deliberate faults (docs/faults.md): each one visibly breaks its rule.

#[cfg(feature = "faults")]
mod faults {
    use super::*;

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
}
