//! The token endpoint: authorization code (+ PKCE), password, client credentials,
//! grant selection, dialects, headers and error format (docs/rules.md).

mod support;
mod token_support;

use std::sync::Arc;
use std::time::Duration;

use oauth_server_reference::model::ChallengeMethod;
use support::{CONFIDENTIAL, CONFIDENTIAL_2, REDIRECT, TestServer, json};
use token_support::*;

#[tokio::test]
async fn authorization_code_gives_tokens_once_and_reuse_revokes_them() {
    let ts = TestServer::demo().await;
    let code = insert_code(&ts, NewCode::default()).await;
    let body = ok_tokens(redeem(&ts, &code).await).await;
    assert_eq!(body["scope"], "api");
    assert_eq!(body["expires_in"], 7200);
    let access = s(&body["access_token"]).to_owned();
    let refresh = s(&body["refresh_token"]).to_owned();
    assert!(is_active(&ts, &access).await);
    assert!(is_active(&ts, &refresh).await);
    // C1 + C2: second redemption fails and kills the first tokens.
    assert_error(redeem(&ts, &code).await, 400, "invalid_grant").await;
    assert!(!is_active(&ts, &access).await);
    assert!(!is_active(&ts, &refresh).await);
}

#[tokio::test]
async fn garbage_code_is_invalid_grant() {
    let ts = TestServer::demo().await;
    assert_error(redeem(&ts, "nonsense").await, 400, "invalid_grant").await;
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "authorization_code")],
        )
        .await;
    assert_error(resp, 400, "invalid_request").await;
}

#[tokio::test]
async fn concurrent_redemption_of_one_code_succeeds_once() {
    let ts = Arc::new(TestServer::demo().await);
    let code = Arc::new(insert_code(&ts, NewCode::default()).await);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (ts, code) = (ts.clone(), code.clone());
            tokio::spawn(async move { redeem(&ts, &code).await.status().as_u16() })
        })
        .collect();
    let statuses: Vec<u16> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| *s == 200 || *s == 400));
}

#[tokio::test]
async fn expired_code_is_refused() {
    let ts = TestServer::demo().await;
    let fresh = insert_code(&ts, NewCode::default()).await;
    let old = insert_code(&ts, NewCode::default()).await;
    ok_tokens(redeem(&ts, &fresh).await).await;
    ts.handle.state().clock().advance(Duration::from_secs(61));
    assert_error(redeem(&ts, &old).await, 400, "invalid_grant").await;
}

#[tokio::test]
async fn code_of_another_client_is_refused() {
    let ts = TestServer::demo().await;
    let code = insert_code(&ts, NewCode::default()).await;
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL_2),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_error(resp, 400, "invalid_grant").await;
    // Not burnt: the client it was issued to still redeems it, once.
    ok_tokens(redeem(&ts, &code).await).await;
}

/// Two `Authorization` headers are refused (400 `invalid_request`) rather than
/// one of them picked, at the token endpoint, a resource, the management API and
/// the tracking API.
#[tokio::test]
async fn two_authorization_headers_are_refused_everywhere() {
    use base64::Engine as _;
    let ts = TestServer::demo().await;
    let basic = |id: &str, secret: &str| {
        let raw = format!("{id}:{secret}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    };
    let twice = |req: reqwest::RequestBuilder, first: &str, second: &str| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.append("authorization", first.parse().unwrap());
        headers.append("authorization", second.parse().unwrap());
        req.headers(headers)
    };
    let own = basic(CONFIDENTIAL.0, CONFIDENTIAL.1);
    let cc = [("grant_type", "client_credentials")];
    for second in [own.as_str(), "Basic bm9ib2R5Og==", "Bearer x"] {
        let resp = twice(ts.http.post(ts.url(TOKEN)).form(&cc), &own, second)
            .send()
            .await
            .unwrap();
        assert_error(resp, 400, "invalid_request").await;
    }
    let token =
        s(&ok_tokens(ts.post_form(TOKEN, Some(CONFIDENTIAL), &cc).await).await["access_token"])
            .to_owned();
    let bearer = format!("Bearer {token}");
    let resp = twice(ts.http.get(ts.url("/api/v4/user")), &bearer, &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_request")
    );
    let admin = basic("admin@example.com", "demo-admin-key");
    let resp = twice(
        ts.http.get(ts.url("/v2/tenants/demo-tenant/oauth-clients")),
        &admin,
        &admin,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 400);
    let event = serde_json::json!({"type": "track", "event": "e", "userId": "u"});
    let resp = twice(
        ts.http.post(ts.url("/v1/track")).json(&event),
        &basic("demo-write-key", ""),
        &basic("demo-write-key", ""),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn redirect_uri_must_repeat_the_authorization_one() {
    let ts = TestServer::demo().await;
    let post = |code: String, redirect: Option<&'static str>| {
        let ts = &ts;
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
            ];
            if let Some(r) = redirect {
                form.push(("redirect_uri", r));
            }
            ts.post_form(TOKEN, Some(CONFIDENTIAL), &form).await
        }
    };
    // Sent at authorization: must be repeated exactly.
    let code = insert_code(&ts, NewCode::default()).await;
    assert_error(post(code, None).await, 400, "invalid_grant").await;
    let code = insert_code(&ts, NewCode::default()).await;
    let other = "http://localhost:9876/callback";
    assert_error(post(code, Some(other)).await, 400, "invalid_grant").await;
    // Absent at authorization: must be absent.
    let absent = || NewCode {
        redirect_uri: None,
        ..NewCode::default()
    };
    let code = insert_code(&ts, absent()).await;
    assert_error(post(code, Some(REDIRECT)).await, 400, "invalid_grant").await;
    let code = insert_code(&ts, absent()).await;
    ok_tokens(post(code, None).await).await;
}

async fn redeem_pkce(ts: &TestServer, code: &str, verifier: Option<&str>) -> reqwest::Response {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", "demo-public"),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    ts.post_form(TOKEN, None, &form).await
}

fn public_code(challenge: Option<(&'static str, ChallengeMethod)>) -> NewCode {
    NewCode {
        client_id: "demo-public",
        challenge,
        ..NewCode::default()
    }
}

#[tokio::test]
async fn pkce_s256_public_client() {
    let ts = TestServer::demo().await;
    let s256 = Some((CHALLENGE, ChallengeMethod::S256));
    // D1: right verifier, no secret (auth method none).
    let code = insert_code(&ts, public_code(s256)).await;
    let body = ok_tokens(redeem_pkce(&ts, &code, Some(VERIFIER)).await).await;
    assert!(body["refresh_token"].is_string());
    // D2: wrong verifier.
    let code = insert_code(&ts, public_code(s256)).await;
    let wrong = "x".repeat(43);
    assert_error(
        redeem_pkce(&ts, &code, Some(&wrong)).await,
        400,
        "invalid_grant",
    )
    .await;
    // D3: missing verifier.
    let code = insert_code(&ts, public_code(s256)).await;
    assert_error(redeem_pkce(&ts, &code, None).await, 400, "invalid_grant").await;
    // D5: the challenge itself as a "plain" verifier.
    let code = insert_code(&ts, public_code(s256)).await;
    assert_error(
        redeem_pkce(&ts, &code, Some(CHALLENGE)).await,
        400,
        "invalid_grant",
    )
    .await;
    // D7: malformed verifiers.
    for bad in ["short", &"a".repeat(129), &format!("{}!", "a".repeat(43))] {
        let code = insert_code(&ts, public_code(s256)).await;
        let resp = redeem_pkce(&ts, &code, Some(bad)).await;
        assert_error(resp, 400, "invalid_request").await;
    }
    // A public client's code without any challenge is refused.
    let code = insert_code(&ts, public_code(None)).await;
    assert_error(redeem_pkce(&ts, &code, None).await, 400, "invalid_grant").await;
}

#[tokio::test]
async fn pkce_verifier_without_challenge_and_plain() {
    let ts = TestServer::demo().await;
    // D4: verifier without a challenge.
    let code = insert_code(&ts, NewCode::default()).await;
    let resp = redeem_with(&ts, &code, &[("code_verifier", VERIFIER)]).await;
    assert_error(resp, 400, "invalid_grant").await;
    // plain: only the verifier equal to the challenge works.
    let plain = || NewCode {
        challenge: Some((VERIFIER, ChallengeMethod::Plain)),
        ..NewCode::default()
    };
    for (verifier, ok) in [(VERIFIER, true), (CHALLENGE, false)] {
        let code = insert_code(&ts, plain()).await;
        let resp = ts
            .post_form(
                TOKEN,
                Some(CONFIDENTIAL),
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", verifier),
                ],
            )
            .await;
        if ok {
            ok_tokens(resp).await;
        } else {
            assert_error(resp, 400, "invalid_grant").await;
        }
    }
}

#[tokio::test]
async fn password_grant() {
    let ts = TestServer::demo().await;
    // I1: valid credentials, reversed scope order (O3).
    let body = password_tokens(&ts, CONFIDENTIAL, "read_user api").await;
    assert_eq!(body["scope"], "api read_user");
    assert!(body["refresh_token"].is_string());
    let t = introspect(&ts, s(&body["access_token"])).await;
    assert_eq!(t["username"], "alice");
    let form = |user: &'static str, pw: &'static str| {
        [
            ("grant_type", "password"),
            ("username", user),
            ("password", pw),
        ]
    };
    for (user, pw) in [("alice", "wrong"), ("nobody", "alice-password")] {
        let resp = ts
            .post_form(TOKEN, Some(CONFIDENTIAL), &form(user, pw))
            .await;
        assert_error(resp, 400, "invalid_grant").await;
    }
    // Two-factor users are refused even with the right password (GitLab), with
    // the wrong-password answer (tests/abuse.rs compares the two).
    let resp = ts
        .post_form(TOKEN, Some(CONFIDENTIAL), &form("bob", "bob-password"))
        .await;
    let body = assert_error(resp, 400, "invalid_grant").await;
    assert_eq!(body["error_description"], "invalid username or password");
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "password"), ("username", "alice")],
        )
        .await;
    assert_error(resp, 400, "invalid_request").await;
}

#[tokio::test]
async fn scope_rules() {
    let ts = TestServer::demo().await;
    let cc = |scope: Option<&'static str>| {
        let ts = &ts;
        async move {
            let mut form = vec![("grant_type", "client_credentials")];
            if let Some(s) = scope {
                form.push(("scope", s));
            }
            ts.post_form(TOKEN, Some(CONFIDENTIAL), &form).await
        }
    };
    // O1: absent → the client's default scope (the fixture's `default_scopes`:
    // never-expiring `offline_access` only when asked for).
    let body = ok_tokens(cc(None).await).await;
    assert_eq!(body["scope"], "api read_user whoami");
    assert_eq!(body["expires_in"], 7200);
    // O3: order does not matter.
    assert_eq!(
        ok_tokens(cc(Some("whoami api")).await).await["scope"],
        "api whoami"
    );
    // O2: unknown or not allowed.
    assert_error(cc(Some("api admin")).await, 400, "invalid_scope").await;
    assert_error(cc(Some("tracking_api:write")).await, 400, "invalid_scope").await;
    assert_error(cc(Some("a\"b")).await, 400, "invalid_scope").await;
}

#[tokio::test]
async fn client_credentials_confidential_only_no_refresh() {
    let ts = TestServer::demo().await;
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "client_credentials"), ("scope", "api")],
        )
        .await;
    let body = ok_tokens(resp).await;
    assert!(body.get("refresh_token").is_none(), "J1: {body}");
    let t = introspect(&ts, s(&body["access_token"])).await;
    assert_eq!(t["client_id"], CONFIDENTIAL.0);
    assert!(t.get("username").is_none());
    // J2: a public client is refused.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-public"),
            ],
        )
        .await;
    assert_error(resp, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn grant_type_selection() {
    let ts = TestServer::demo().await;
    let grant = |g: &'static str, client: (&'static str, &'static str)| {
        let ts = &ts;
        async move {
            ts.post_form(TOKEN, Some(client), &[("grant_type", g)])
                .await
        }
    };
    assert_error(
        grant("magic", CONFIDENTIAL).await,
        400,
        "unsupported_grant_type",
    )
    .await;
    assert_error(
        grant("implicit", CONFIDENTIAL).await,
        400,
        "unsupported_grant_type",
    )
    .await;
    // `token` is an alias on the Phabricator path only.
    assert_error(
        grant("token", CONFIDENTIAL).await,
        400,
        "unsupported_grant_type",
    )
    .await;
    let trusted = ("demo-trusted", "demo-trusted-secret");
    assert_error(
        grant("client_credentials", trusted).await,
        400,
        "unauthorized_client",
    )
    .await;
    assert_error(grant("password", trusted).await, 400, "unauthorized_client").await;
    let resp = ts
        .post_form(TOKEN, Some(CONFIDENTIAL), &[("scope", "api")])
        .await;
    assert_error(resp, 400, "invalid_request").await;
}

#[tokio::test]
async fn hub_path_and_get_refused_on_generic_endpoint() {
    let ts = TestServer::demo().await;
    let resp = ts
        .post_form(
            "/api/rest/oauth2/token",
            Some(CONFIDENTIAL),
            &[("grant_type", "client_credentials")],
        )
        .await;
    ok_tokens(resp).await;
    let url = format!("{}?grant_type=client_credentials", ts.url(TOKEN));
    let resp = ts
        .http
        .get(url)
        .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(json(resp).await["error"], "invalid_request");
}

#[tokio::test]
async fn phabricator_get_with_grant_type_token() {
    let ts = TestServer::demo().await;
    let new = || NewCode {
        client_id: "demo-phabricator",
        redirect_uri: Some("http://127.0.0.1:9876/phab?app=1&x=2"),
        scope: "whoami",
        ..NewCode::default()
    };
    let code = insert_code(&ts, new()).await;
    let resp = ts
        .http
        .get(ts.url("/oauthserver/token/"))
        .query(&[
            ("client_id", "demo-phabricator"),
            ("client_secret", "demo-phabricator-secret"),
            ("grant_type", "token"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9876/phab?app=1&x=2"),
        ])
        .send()
        .await
        .unwrap();
    let body = ok_tokens(resp).await;
    assert_eq!(body["scope"], "whoami");
    // POST form with the alias and no redirect_uri when none was sent.
    let code = insert_code(
        &ts,
        NewCode {
            redirect_uri: None,
            ..new()
        },
    )
    .await;
    let resp = ts
        .post_form(
            "/oauthserver/token/",
            None,
            &[
                ("client_id", "demo-phabricator"),
                ("client_secret", "demo-phabricator-secret"),
                ("grant_type", "token"),
                ("code", &code),
            ],
        )
        .await;
    ok_tokens(resp).await;
    // A wrong secret in the GET form is still refused.
    let resp = ts
        .http
        .get(ts.url("/oauthserver/token/"))
        .query(&[
            ("client_id", "demo-phabricator"),
            ("client_secret", "nope"),
            ("grant_type", "token"),
            ("code", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_error(resp, 401, "invalid_client").await;
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let ts = TestServer::demo().await;
    // E7: duplicates.
    let resp = ts
        .http
        .post(ts.url(TOKEN))
        .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_error(resp, 400, "invalid_request").await;
    // Unknown parameters are ignored.
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "client_credentials"), ("foo", "bar")],
        )
        .await;
    ok_tokens(resp).await;
    // A JSON body.
    let resp = ts
        .http
        .post(ts.url(TOKEN))
        .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap();
    assert_error(resp, 400, "invalid_request").await;
    // Oversized.
    let big = "a".repeat(200 * 1024);
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[("grant_type", "client_credentials"), ("pad", &big)],
        )
        .await;
    assert_eq!(resp.status(), 413);
}

/// RFC 6749 §4.3.2: the password grant is protected against brute force. Five
/// wrong passwords lock the username for the rest of a one-minute window, even
/// for the right password; other usernames are unaffected; the lock ends.
#[tokio::test]
async fn password_guessing_is_throttled() {
    let ts = TestServer::demo().await;
    let form = |user: &'static str, pw: &'static str| {
        [
            ("grant_type", "password"),
            ("username", user),
            ("password", pw),
        ]
    };
    for _ in 0..5 {
        let resp = ts
            .post_form(TOKEN, Some(CONFIDENTIAL), &form("alice", "guess"))
            .await;
        let body = assert_error(resp, 400, "invalid_grant").await;
        assert_eq!(body["error_description"], "invalid username or password");
    }
    let resp = ts
        .post_form(TOKEN, Some(CONFIDENTIAL), &form("alice", "alice-password"))
        .await;
    let body = assert_error(resp, 400, "invalid_grant").await;
    assert!(
        s(&body["error_description"]).contains("too many wrong passwords"),
        "{body}"
    );
    let resp = ts
        .post_form(TOKEN, Some(CONFIDENTIAL), &form("nobody", "guess"))
        .await;
    let body = assert_error(resp, 400, "invalid_grant").await;
    assert_eq!(body["error_description"], "invalid username or password");

    ts.handle.state().clock().advance(Duration::from_secs(61));
    password_tokens(&ts, CONFIDENTIAL, "api").await;
}
