//! Abuse: bounded password checks (503 + Retry-After past the queue), the
//! brute-force lock under concurrent guesses, two-factor users in the password
//! grant, and the byte bounds of the memory tables (long `state`, full tables).

mod support;
mod token_support;

use oauth_server_reference::session::{AuthorizationRequest, MAX_STATE_BYTES, ResponseKind};
use oauth_server_reference::throttle::MAX_FAILURES;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use support::browser::{Browser, CallbackUrl};
use support::{CONFIDENTIAL, REDIRECT, TestServer, json};
use token_support::*;

const WRONG: &str = "invalid username or password";

/// A password grant for demo-confidential.
async fn password_grant(ts: &TestServer, user: &str, password: &str) -> reqwest::Response {
    ts.post_form(TOKEN, Some(CONFIDENTIAL), &password_form(user, password))
        .await
}

fn password_form<'a>(user: &'a str, password: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("grant_type", "password"),
        ("username", user),
        ("password", password),
    ]
}

/// Polls (bounded, not a timing assertion) until `done` holds.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..20_000 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    panic!("never happened: {what}");
}

/// The login form's 503: the error page, with `Retry-After`.
fn assert_busy_page(page: &support::browser::Page) {
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert_eq!(retry_after(&page.headers), Some("1"));
    assert!(
        page.body.contains("temporarily_unavailable"),
        "{}",
        page.body
    );
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<&str> {
    headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok())
}

// ---------------------------------------------------------------------------
// Password checks are bounded

/// Past the running checks and the queue, the password grant answers 503 with
/// `Retry-After` and an RFC 6749 §5.2 body, and the login form a 503 page —
/// before the username is counted; once places free up, sign-ins work again.
#[tokio::test]
async fn password_checks_past_the_queue_get_503_with_retry_after() {
    let ts = TestServer::demo().await;
    let state = ts.handle.state();
    let pool = state.passwords();
    let held: Vec<_> = (0..pool.limit() + pool.queue())
        .map(|_| pool.admit().expect("a place"))
        .collect();

    let resp = password_grant(&ts, "alice", "alice-password").await;
    assert_eq!(retry_after(resp.headers()), Some("1"));
    assert_eq!(header(&resp, "cache-control").as_deref(), Some("no-store"));
    assert_error(resp, 503, "temporarily_unavailable").await;

    let mut b = Browser::new(&ts);
    let form = b.get("/oauth/login").await;
    let page = b.submit_login(&form, "alice", "alice-password", None).await;
    assert_busy_page(&page);
    assert!(b.cookie("oauth_session").is_none());
    assert_eq!(
        state.throttle().attempts("alice", state.now()),
        0,
        "not counted"
    );

    drop(held);
    password_tokens(&ts, CONFIDENTIAL, "api").await;
    let page = b.submit_login(&form, "alice", "alice-password", None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

/// A burst of unauthenticated password grants (each a distinct unknown user, so
/// no lock stops them) never runs more checks at once than the limit; every
/// answer is the wrong-password answer or a 503, never anything else.
#[tokio::test]
async fn concurrent_password_checks_never_exceed_the_limit() {
    let ts = TestServer::demo().await;
    let answers = futures::future::join_all((0..48).map(|i| {
        let ts = &ts;
        async move {
            let user = format!("flood-{i}");
            let resp = password_grant(ts, &user, "guess").await;
            let status = resp.status().as_u16();
            let has_retry = resp.headers().contains_key(RETRY_AFTER);
            (status, has_retry, json(resp).await)
        }
    }))
    .await;
    for (status, has_retry, body) in &answers {
        match status {
            400 => assert_eq!(body["error_description"], WRONG, "{body}"),
            503 => {
                assert!(has_retry, "503 without Retry-After");
                assert_eq!(body["error"], "temporarily_unavailable");
            }
            other => panic!("{other}: {body}"),
        }
    }
    let pool = ts.handle.state().passwords();
    assert!(pool.peak_in_flight() >= 1);
    assert!(
        pool.peak_in_flight() <= pool.limit(),
        "{} checks ran at once, limit {}",
        pool.peak_in_flight(),
        pool.limit()
    );
    assert_eq!(pool.in_flight(), 0);
}

// ---------------------------------------------------------------------------
// The brute-force lock under concurrency

/// 47 wrong passwords for alice sent at once, then the right one while they are
/// answered: at most five passwords are checked, and the right one is refused.
#[tokio::test]
async fn concurrent_password_grant_guesses_check_at_most_five() {
    let ts = TestServer::demo().await;
    let state = ts.handle.state().clone();
    let url = ts.url(TOKEN);
    let guesses: Vec<_> = (0..47)
        .map(|i| {
            let (http, url) = (ts.http.clone(), url.clone());
            tokio::spawn(async move {
                let password = format!("guess-{i}");
                let resp = http
                    .post(url)
                    .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
                    .form(&password_form("alice", &password))
                    .send()
                    .await
                    .unwrap();
                (resp.status().as_u16(), json(resp).await)
            })
        })
        .collect();
    eventually("five attempts counted", || {
        state.throttle().attempts("alice", state.now()) >= MAX_FAILURES
    })
    .await;
    let resp = password_grant(&ts, "alice", "alice-password").await;
    let body = assert_error(resp, 400, "invalid_grant").await;
    assert!(
        s(&body["error_description"]).contains("too many"),
        "the right password is refused: {body}"
    );
    let mut checked = 0;
    for g in guesses {
        let (status, body) = g.await.unwrap();
        match (status, s(&body["error_description"])) {
            (400, WRONG) => checked += 1,
            (400, d) if d.contains("too many") => {}
            (503, _) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(checked <= MAX_FAILURES, "{checked} passwords were checked");
    assert_eq!(
        state.throttle().attempts("alice", state.now()),
        MAX_FAILURES
    );
}

/// The same through the login form: at most five 401s (checked and wrong), the
/// rest 429 (refused unchecked), and the right password then gets no session.
#[tokio::test]
async fn concurrent_login_guesses_check_at_most_five() {
    let ts = TestServer::demo().await;
    let state = ts.handle.state().clone();
    let mut b = Browser::new(&ts);
    let form = b.get("/oauth/login").await;
    let csrf = form.hidden("csrf_token").expect("csrf_token");
    let url = ts.url("/oauth/login");
    let guesses: Vec<_> = (0..47)
        .map(|i| {
            let (http, url, csrf) = (ts.http.clone(), url.clone(), csrf.clone());
            tokio::spawn(async move {
                let password = format!("guess-{i}");
                http.post(url)
                    .header(COOKIE, format!("oauth_login_csrf={csrf}"))
                    .form(&[
                        ("username", "alice"),
                        ("password", password.as_str()),
                        ("csrf_token", csrf.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    eventually("five attempts counted", || {
        state.throttle().attempts("alice", state.now()) >= MAX_FAILURES
    })
    .await;
    let page = b.submit_login(&form, "alice", "alice-password", None).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(
        page.headers
            .get_all(SET_COOKIE)
            .iter()
            .all(|c| { !c.to_str().unwrap_or("").starts_with("oauth_session=") })
    );
    let mut checked = 0;
    for g in guesses {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {}
            other => panic!("{other}"),
        }
    }
    assert!(checked <= MAX_FAILURES, "{checked} passwords were checked");
}

// ---------------------------------------------------------------------------
// Two-factor users in the password grant

/// A two-factor user's right password gets exactly the wrong-password answer:
/// the grant tells nothing about it.
#[tokio::test]
async fn a_two_factor_users_right_password_gets_the_wrong_password_answer() {
    let ts = TestServer::demo().await;
    let answer = |password: &'static str| {
        let ts = &ts;
        async move {
            let resp = password_grant(ts, "bob", password).await;
            let status = resp.status().as_u16();
            let mut headers: Vec<_> = resp
                .headers()
                .iter()
                .filter(|(n, _)| *n != "date")
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            headers.sort();
            (status, headers, resp.text().await.unwrap())
        }
    };
    let right = answer("bob-password").await;
    let wrong = answer("not-bobs-password").await;
    assert_eq!(right, wrong);
    assert_eq!(right.0, 400);
    let body: serde_json::Value = serde_json::from_str(&right.2).unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], WRONG);
    // The same text as a known user's wrong password and an unknown user.
    let alice = password_grant(&ts, "alice", "nope").await;
    assert_eq!(alice.text().await.unwrap(), right.2);
}

// ---------------------------------------------------------------------------
// Memory tables bounded by bytes

fn code_params(state: &str) -> [(&str, &str); 4] {
    [
        ("client_id", "demo-confidential"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("state", state),
    ]
}

/// A logged-out `POST /oauth/authorize` for a code with `state`.
async fn post_authorize(ts: &TestServer, state: &str) -> reqwest::Response {
    ts.http
        .post(ts.url("/oauth/authorize"))
        .form(&code_params(state))
        .send()
        .await
        .unwrap()
}

fn parked(state: Option<String>) -> AuthorizationRequest {
    AuthorizationRequest {
        client_id: "demo-confidential".into(),
        kind: ResponseKind::Code,
        redirect_uri: REDIRECT.into(),
        redirect_uri_param: Some(REDIRECT.into()),
        scope: Default::default(),
        state,
        challenge: None,
    }
}

/// A `state` over the bound is refused with `invalid_request` (echoed, never
/// truncated) and nothing is parked; one at the bound is accepted.
#[tokio::test]
async fn an_over_long_state_is_invalid_request_and_not_parked() {
    let ts = TestServer::demo().await;
    let sessions = ts.handle.state().sessions();
    let long = "s".repeat(MAX_STATE_BYTES + 1);
    let before = sessions.pending_bytes();
    let resp = post_authorize(&ts, &long).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cb = CallbackUrl::parse(&header(&resp, "location").unwrap());
    assert_eq!(cb.base(), REDIRECT);
    assert_eq!(cb.error().as_deref(), Some("invalid_request"));
    assert_eq!(cb.state().as_deref(), Some(long.as_str()), "echoed intact");
    assert_eq!(sessions.pending_bytes(), before, "nothing parked");
    // GET too.
    let page = Browser::new(&ts).authorize(&code_params(&long)).await;
    let cb = CallbackUrl::parse(page.location().expect("a redirect"));
    assert_eq!(cb.error().as_deref(), Some("invalid_request"));
    // At the bound: parked for the login.
    let resp = post_authorize(&ts, &"s".repeat(MAX_STATE_BYTES)).await;
    let location = header(&resp, "location").unwrap();
    assert!(location.starts_with("/oauth/login?"), "{location}");
    assert!(sessions.pending_bytes() > before + MAX_STATE_BYTES);
}

/// A redirect_uri longer than the bound gets the error page, not a redirect.
#[tokio::test]
async fn an_over_long_redirect_uri_gets_the_error_page() {
    let ts = TestServer::demo().await;
    let long = format!("{REDIRECT}?x={}", "a".repeat(5000));
    let page = Browser::new(&ts)
        .authorize(&[
            ("client_id", "demo-confidential"),
            ("response_type", "code"),
            ("redirect_uri", &long),
        ])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location().is_none());
    assert!(page.body.contains("longer than"), "{}", page.body);
}

/// When the parked-request table is full (by bytes), a POSTed request is
/// answered with RFC 6749 §4.1.2.1 `temporarily_unavailable` at the client's
/// redirect_uri, with its state; so is a request waiting for consent.
#[tokio::test]
async fn a_full_parked_request_table_answers_temporarily_unavailable() {
    let ts = TestServer::demo().await;
    let state = ts.handle.state();
    // A logged-in browser, for the consent case.
    let mut b = Browser::new(&ts);
    let done = b
        .login("/oauth/login/done", "alice", "alice-password", None)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let mut parked_count = 0;
    while state
        .sessions()
        .park(None, parked(Some("x".repeat(MAX_STATE_BYTES))), state.now())
        .is_ok()
    {
        parked_count += 1;
        assert!(parked_count < 1_000_000, "the table is not bounded");
    }
    assert!(state.sessions().pending_bytes() <= 32 << 20);

    let resp = post_authorize(&ts, "s1").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cb = CallbackUrl::parse(&header(&resp, "location").unwrap());
    assert_eq!(cb.base(), REDIRECT);
    assert_eq!(cb.error().as_deref(), Some("temporarily_unavailable"));
    assert_eq!(cb.state().as_deref(), Some("s1"));
    assert!(cb.code().is_none());

    let page = b
        .code_request(
            "demo-confidential",
            &[
                ("redirect_uri", REDIRECT),
                ("scope", "api"),
                ("state", "s2"),
            ],
        )
        .await;
    let cb = CallbackUrl::parse(page.location().expect("a redirect, not the consent page"));
    assert_eq!(cb.error().as_deref(), Some("temporarily_unavailable"));
    assert_eq!(cb.state().as_deref(), Some("s2"));
}

/// A full session table refuses new logins with a 503 page and `Retry-After`
/// rather than evicting someone's session.
#[tokio::test]
async fn a_full_session_table_refuses_logins_with_503() {
    let ts = TestServer::demo().await;
    let state = ts.handle.state();
    let mut b = Browser::new(&ts);
    b.login("/oauth/login/done", "alice", "alice-password", None)
        .await;
    let mine = b.cookie("oauth_session").expect("a session").to_owned();
    let mut created = 0;
    while state.sessions().create("someone", state.now()).is_ok() {
        created += 1;
        assert!(created < 1_000_000, "the table is not bounded");
    }
    let mut other = Browser::new(&ts);
    let form = other.get("/oauth/login").await;
    let page = other
        .submit_login(&form, "alice", "alice-password", None)
        .await;
    assert_busy_page(&page);
    assert!(
        state.sessions().get(&mine, state.now()).is_some(),
        "not evicted"
    );
}

/// A full throttle table (every entry a live window) refuses new usernames with
/// 503 rather than forgetting a counter, which would unlock its user.
#[tokio::test]
async fn a_full_throttle_table_refuses_new_usernames_with_503() {
    let ts = TestServer::demo().await;
    let state = ts.handle.state();
    let now = state.now();
    let mut i = 0u64;
    while let Ok(attempt) = state.throttle().reserve(&format!("u{i}"), now) {
        attempt.failed(now);
        i += 1;
        assert!(i < 1_000_000, "the table is not bounded");
    }
    let resp = password_grant(&ts, "alice", "alice-password").await;
    assert!(resp.headers().contains_key(RETRY_AFTER));
    assert_error(resp, 503, "temporarily_unavailable").await;
}
