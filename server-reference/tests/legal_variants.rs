//! Legal variants (`[settings.variants]`, `src/variants.rs`): each one gives
//! the other answer the RFC allows, and only where it applies. The default
//! answers are the ones the other test files pin; each test here also checks
//! the default beside the variant, so a variant that changes nothing fails.

mod support;
mod token_support;

use oauth_server_reference::Config;
use oauth_server_reference::model::ChallengeMethod;
use oauth_server_reference::variants::Variants;
use support::browser::{Browser, CallbackUrl, authorize_code};
use support::{CONFIDENTIAL, REDIRECT, TestServer, json};
use token_support::*;

/// The demo fixture with the named variants on.
async fn with(names: &[&str]) -> TestServer {
    let mut config = Config::demo();
    for n in names {
        config.settings.variants.enable(n).expect("a variant name");
    }
    TestServer::with_config(config).await
}

async fn client_credentials(ts: &TestServer, scope: &str) -> reqwest::Response {
    ts.post_form(
        TOKEN,
        Some(CONFIDENTIAL),
        &[("grant_type", "client_credentials"), ("scope", scope)],
    )
    .await
}

#[test]
fn the_table_is_read_from_the_configuration_and_checked() {
    let text = format!(
        "{}\n[settings.variants]\nignore_unknown_scope = true\nmax_state_chars = 300\n",
        oauth_server_reference::config::DEMO_TOML
    );
    let config = Config::from_toml_str(&text).expect("the variants table parses");
    let v = config.settings.variants;
    assert!(v.ignore_unknown_scope && !v.invalid_client_400);
    assert_eq!(v.max_state_chars, Some(300));
    assert_eq!(Config::demo().settings.variants, Variants::default());
    let typo = format!(
        "{}\n[settings.variants]\nignore_unknown_scopes = true\n",
        oauth_server_reference::config::DEMO_TOML
    );
    let e = Config::from_toml_str(&typo).unwrap_err().to_string();
    assert!(e.contains("ignore_unknown_scopes"), "{e}");
}

#[tokio::test]
async fn an_unknown_scope_at_the_token_endpoint_is_dropped_and_the_grant_stated() {
    let plain = TestServer::demo().await;
    assert_error(
        client_credentials(&plain, "api conformance-unknown").await,
        400,
        "invalid_scope",
    )
    .await;

    let ts = with(&["ignore_unknown_scope"]).await;
    let body = ok_tokens(client_credentials(&ts, "api conformance-unknown").await).await;
    assert_eq!(body["scope"], "api");
    // Nothing known left: the default scope, as for a request without scope.
    let body = ok_tokens(client_credentials(&ts, "conformance-unknown").await).await;
    assert_eq!(body["scope"], "api read_user whoami");
    let introspected = introspect(&ts, s(&body["access_token"])).await;
    assert_eq!(introspected["scope"], "api read_user whoami");
    // A malformed scope is still refused.
    assert_error(
        client_credentials(&ts, "api \"quoted\"").await,
        400,
        "invalid_scope",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_scope_at_the_authorization_endpoint_is_dropped_and_the_grant_stated() {
    let extra = [
        ("redirect_uri", REDIRECT),
        ("state", "s1"),
        ("scope", "read_user conformance-unknown"),
    ];
    let plain = TestServer::demo().await;
    let cb = authorize_code(&plain, CONFIDENTIAL.0, "alice", "alice-password", &extra).await;
    assert_eq!(cb.error().as_deref(), Some("invalid_scope"));

    let ts = with(&["ignore_unknown_scope"]).await;
    let cb = authorize_code(&ts, CONFIDENTIAL.0, "alice", "alice-password", &extra).await;
    assert_eq!(cb.state().as_deref(), Some("s1"));
    let code = cb.code().expect("a code, the unknown scope ignored");
    let body = ok_tokens(redeem(&ts, &code).await).await;
    assert_eq!(body["scope"], "read_user");

    // The implicit grant states it in the fragment.
    let cb = authorize_code(
        &ts,
        "demo-implicit",
        "alice",
        "alice-password",
        &[
            ("response_type", "token"),
            ("state", "s2"),
            ("scope", "conformance-unknown"),
        ],
    )
    .await;
    assert!(cb.fragment_param("access_token").is_some(), "{}", cb.base());
    assert_eq!(cb.fragment_param("scope").as_deref(), Some("api read_user"));
}

#[tokio::test]
async fn a_request_without_scope_may_be_refused_with_invalid_scope() {
    let no_scope = [("grant_type", "client_credentials")];
    let plain = TestServer::demo().await;
    let body = ok_tokens(plain.post_form(TOKEN, Some(CONFIDENTIAL), &no_scope).await).await;
    assert_eq!(body["scope"], "api read_user whoami", "the default scope");

    let ts = with(&["require_scope"]).await;
    assert_error(
        ts.post_form(TOKEN, Some(CONFIDENTIAL), &no_scope).await,
        400,
        "invalid_scope",
    )
    .await;
    assert_error(client_credentials(&ts, " ").await, 400, "invalid_scope").await;
    ok_tokens(client_credentials(&ts, "api").await).await;
    // At the authorization endpoint: an error redirect with the state.
    let mut browser = Browser::new(&ts);
    let page = browser
        .code_request(
            CONFIDENTIAL.0,
            &[("redirect_uri", REDIRECT), ("state", "s3")],
        )
        .await;
    let cb = CallbackUrl::parse(page.location().expect("an error redirect"));
    assert_eq!(cb.error().as_deref(), Some("invalid_scope"));
    assert_eq!(cb.state().as_deref(), Some("s3"));
    // Not among the variants `all` turns on (it would break Segment and Hub).
    assert!(!Variants::all().require_scope);
}

/// Tokens of alice's grant with scope `api read_user`.
async fn original_grant(ts: &TestServer) -> String {
    let body = password_tokens(ts, CONFIDENTIAL, "api read_user").await;
    s(&body["refresh_token"]).to_owned()
}

/// A successful refresh of `token` as demo-confidential asking for `scope`.
async fn refreshed(ts: &TestServer, token: &str, scope: &str) -> serde_json::Value {
    ok_tokens(refresh(ts, CONFIDENTIAL, token, Some(scope)).await).await
}

#[tokio::test]
async fn a_refresh_beyond_the_grant_gets_the_part_within_it() {
    let plain = TestServer::demo().await;
    let rt = original_grant(&plain).await;
    assert_error(
        refresh(&plain, CONFIDENTIAL, &rt, Some("api whoami")).await,
        400,
        "invalid_scope",
    )
    .await;

    let ts = with(&["ignore_unknown_scope"]).await;
    let rt = original_grant(&ts).await;
    let body = refreshed(&ts, &rt, "api whoami").await;
    assert_eq!(body["scope"], "api");
    // A narrower scope inside the grant is still honoured.
    let body = refreshed(&ts, s(&body["refresh_token"]), "read_user").await;
    assert_eq!(body["scope"], "read_user");
}

#[tokio::test]
async fn a_refresh_may_ignore_the_requested_scope_and_grant_the_original() {
    let ts = with(&["refresh_ignores_requested_scope"]).await;
    let rt = original_grant(&ts).await;
    let body = refreshed(&ts, &rt, "api").await;
    assert_eq!(body["scope"], "api read_user", "narrowing ignored, stated");
    let body = refreshed(&ts, s(&body["refresh_token"]), "api whoami").await;
    assert_eq!(body["scope"], "api read_user", "widening ignored, stated");
}

async fn redeem_without_verifier(ts: &TestServer) -> reqwest::Response {
    let code = insert_code(
        ts,
        NewCode {
            challenge: Some((CHALLENGE, ChallengeMethod::S256)),
            ..NewCode::default()
        },
    )
    .await;
    redeem(ts, &code).await
}

#[tokio::test]
async fn pkce_misuse_may_be_answered_invalid_request() {
    // (variant, answer without a verifier, answer to a verifier without a challenge)
    for (variant, missing, unexpected) in [
        (None, "invalid_grant", "invalid_grant"),
        (
            Some("missing_verifier_invalid_request"),
            "invalid_request",
            "invalid_grant",
        ),
        (
            Some("unexpected_verifier_invalid_request"),
            "invalid_grant",
            "invalid_request",
        ),
    ] {
        let ts = with(variant.as_slice()).await;
        assert_error(redeem_without_verifier(&ts).await, 400, missing).await;
        let code = insert_code(&ts, NewCode::default()).await;
        let resp = redeem_with(&ts, &code, &[("code_verifier", VERIFIER)]).await;
        assert_error(resp, 400, unexpected).await;
    }
}

#[tokio::test]
async fn invalid_client_without_basic_may_be_400_but_a_failed_basic_stays_401() {
    let no_credentials = [
        ("grant_type", "client_credentials"),
        ("client_id", CONFIDENTIAL.0),
    ];
    let plain = TestServer::demo().await;
    assert_error(
        plain.post_form(TOKEN, None, &no_credentials).await,
        401,
        "invalid_client",
    )
    .await;

    let ts = with(&["invalid_client_400"]).await;
    for (path, form) in [
        (TOKEN, &no_credentials[..]),
        (
            TOKEN,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CONFIDENTIAL.0),
                ("client_secret", "wrong"),
            ][..],
        ),
        ("/oauth/revoke", &[("token", "whatever")][..]),
        ("/oauth/introspect", &[("token", "whatever")][..]),
    ] {
        let resp = ts.post_form(path, None, form).await;
        assert_eq!(header(&resp, "www-authenticate"), None, "{path}");
        let body = assert_error(resp, 400, "invalid_client").await;
        assert!(body.get("active").is_none(), "{body}");
    }
    // RFC 6749 §5.2: a Basic attempt is answered 401 with the Basic challenge.
    let resp = ts
        .post_form(
            TOKEN,
            Some((CONFIDENTIAL.0, "wrong")),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert!(
        header(&resp, "www-authenticate").is_some_and(|c| c.starts_with("Basic")),
        "challenge"
    );
    assert_error(resp, 401, "invalid_client").await;
}

async fn metadata(ts: &TestServer) -> serde_json::Value {
    let resp = ts
        .http
        .get(ts.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    json(resp).await
}

#[tokio::test]
async fn metadata_may_leave_grant_types_supported_to_its_default() {
    let plain = TestServer::demo().await;
    assert!(metadata(&plain).await["grant_types_supported"].is_array());
    let ts = with(&["omit_grant_types_supported"]).await;
    let m = metadata(&ts).await;
    assert!(m.get("grant_types_supported").is_none(), "{m}");
    assert!(m["token_endpoint"].is_string(), "the rest is unchanged");
}

async fn revoke_with_unknown_hint(ts: &TestServer, token: &str) -> reqwest::Response {
    ts.post_form(
        "/oauth/revoke",
        Some(CONFIDENTIAL),
        &[("token", token), ("token_type_hint", "conformance_unknown")],
    )
    .await
}

#[tokio::test]
async fn an_unknown_token_type_hint_may_be_ignored() {
    let plain = TestServer::demo().await;
    let body = password_tokens(&plain, CONFIDENTIAL, "api").await;
    let access = s(&body["access_token"]).to_owned();
    assert_error(
        revoke_with_unknown_hint(&plain, &access).await,
        400,
        "unsupported_token_type",
    )
    .await;
    assert!(is_active(&plain, &access).await);

    let ts = with(&["ignore_unknown_token_type_hint"]).await;
    let body = password_tokens(&ts, CONFIDENTIAL, "api").await;
    let access = s(&body["access_token"]).to_owned();
    assert_eq!(revoke_with_unknown_hint(&ts, &access).await.status(), 200);
    assert!(!is_active(&ts, &access).await, "revoked, the hint ignored");
}

#[tokio::test]
async fn a_state_over_the_limit_is_refused_with_the_state_echoed_whole() {
    let ts = with(&["max_state_chars"]).await;
    let long = "s".repeat(oauth_server_reference::variants::STATE_LIMIT + 1);
    let mut browser = Browser::new(&ts);
    let page = browser
        .code_request(
            CONFIDENTIAL.0,
            &[("redirect_uri", REDIRECT), ("state", &long)],
        )
        .await;
    let cb = CallbackUrl::parse(page.location().expect("an error redirect"));
    assert_eq!(cb.error().as_deref(), Some("invalid_request"));
    assert_eq!(cb.state().as_deref(), Some(long.as_str()));

    // Up to the limit the state goes through unchanged, as without the variant.
    let fits = "s".repeat(oauth_server_reference::variants::STATE_LIMIT);
    let extra = [("redirect_uri", REDIRECT), ("state", fits.as_str())];
    for server in [&ts, &TestServer::demo().await] {
        let cb = authorize_code(server, CONFIDENTIAL.0, "alice", "alice-password", &extra).await;
        assert!(cb.code().is_some());
        assert_eq!(cb.state().as_deref(), Some(fits.as_str()));
    }
    let plain = TestServer::demo().await;
    let extra = [("redirect_uri", REDIRECT), ("state", long.as_str())];
    let cb = authorize_code(&plain, CONFIDENTIAL.0, "alice", "alice-password", &extra).await;
    assert_eq!(cb.state().as_deref(), Some(long.as_str()));
}

#[tokio::test]
async fn all_variants_together_still_serve_the_ordinary_flows() {
    let ts = TestServer::with_config({
        let mut c = Config::demo();
        c.settings.variants = Variants::all();
        c
    })
    .await;
    let body = ok_tokens(client_credentials(&ts, "api").await).await;
    assert_eq!(body["scope"], "api");
    let cb = authorize_code(
        &ts,
        CONFIDENTIAL.0,
        "alice",
        "alice-password",
        &[("redirect_uri", REDIRECT), ("state", "ok")],
    )
    .await;
    let body = ok_tokens(redeem(&ts, &cb.code().expect("a code")).await).await;
    assert!(body["refresh_token"].is_string());
}
