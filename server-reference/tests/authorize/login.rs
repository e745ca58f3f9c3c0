//! The login form: passwords, TOTP, CSRF, throttling and `next`.

use crate::helpers::*;

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
