//! Client authentication at the token endpoint (RFC 6749 §2.3).

mod support;
mod token_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use oauth_server_reference::Config;
use support::{CONFIDENTIAL, CONFIDENTIAL_2, TestServer};
use token_support::*;

const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn with_basic_header(
    ts: &TestServer,
    value: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    ts.http
        .post(ts.url(TOKEN))
        .header("authorization", value)
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn basic_uses_rfc6749_appendix_b_encoding() {
    let config = Config::from_toml_str(
        r#"
        [[client]]
        id = "a b:c"
        secret = "p@ss word+/"
        auth_methods = ["client_secret_basic", "client_secret_post"]
        grants = ["client_credentials"]
        scopes = ["api"]
        "#,
    )
    .unwrap();
    let ts = TestServer::with_config(config).await;
    let encoded = format!("{}:{}", form_encode("a b:c"), form_encode("p@ss word+/"));
    assert_eq!(encoded, "a+b%3Ac:p%40ss+word%2B%2F");
    let header = format!("Basic {}", STANDARD.encode(&encoded));
    ok_tokens(with_basic_header(&ts, &header, &CC).await).await;
    // %20 for a space decodes as well.
    let header = format!("Basic {}", STANDARD.encode("a%20b%3Ac:p%40ss%20word%2B%2F"));
    ok_tokens(with_basic_header(&ts, &header, &CC).await).await;
    // Without the encoding the `+` in the secret decodes to a space: refused.
    let header = format!("Basic {}", STANDARD.encode("a+b%3Ac:p@ss word+/"));
    assert_error(
        with_basic_header(&ts, &header, &CC).await,
        401,
        "invalid_client",
    )
    .await;
    // client_secret_post with the same client: plain form values.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                CC[0],
                ("client_id", "a b:c"),
                ("client_secret", "p@ss word+/"),
            ],
        )
        .await;
    ok_tokens(resp).await;
}

#[tokio::test]
async fn bad_basic_gets_401_with_basic_challenge() {
    let ts = TestServer::demo().await;
    for value in [
        format!("Basic {}", STANDARD.encode("demo-confidential:wrong")),
        format!("Basic {}", STANDARD.encode("nobody:x")),
        "Basic not-base64!!".to_owned(),
        format!("Basic {}", STANDARD.encode("no-colon")),
    ] {
        let resp = with_basic_header(&ts, &value, &CC).await;
        let www = header(&resp, "www-authenticate").unwrap_or_default();
        assert!(www.starts_with("Basic"), "{www}");
        assert_error(resp, 401, "invalid_client").await;
    }
}

#[tokio::test]
async fn post_and_none_methods() {
    let ts = TestServer::demo().await;
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                CC[0],
                ("client_id", CONFIDENTIAL.0),
                ("client_secret", CONFIDENTIAL.1),
            ],
        )
        .await;
    ok_tokens(resp).await;
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                CC[0],
                ("client_id", CONFIDENTIAL.0),
                ("client_secret", "wrong"),
            ],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
    // A public client sending a secret it does not have.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "x"),
                ("client_id", "demo-public"),
                ("client_secret", "s"),
            ],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
    // A client may only use the methods it registered: demo-jwt has no secret methods.
    let resp = ts
        .post_form(TOKEN, Some(("demo-jwt", "anything")), &CC)
        .await;
    assert_error(resp, 401, "invalid_client").await;
}

#[tokio::test]
async fn confidential_client_without_authentication_is_refused() {
    let ts = TestServer::demo().await;
    // E2: client_id only, for a confidential client.
    let resp = ts
        .post_form(TOKEN, None, &[CC[0], ("client_id", CONFIDENTIAL.0)])
        .await;
    assert_error(resp, 401, "invalid_client").await;
    // Nothing at all.
    assert_error(ts.post_form(TOKEN, None, &CC).await, 401, "invalid_client").await;
    // Unknown public client.
    let resp = ts
        .post_form(TOKEN, None, &[CC[0], ("client_id", "nobody")])
        .await;
    assert_error(resp, 401, "invalid_client").await;
}

#[tokio::test]
async fn credentials_in_the_query_are_refused() {
    let ts = TestServer::demo().await;
    let url = format!(
        "{}?client_id={}&client_secret={}",
        ts.url(TOKEN),
        CONFIDENTIAL.0,
        CONFIDENTIAL.1
    );
    let resp = ts.http.post(&url).form(&CC).send().await.unwrap();
    assert_error(resp, 401, "invalid_client").await;
    // Even alongside valid Basic credentials.
    let resp = ts
        .http
        .post(&url)
        .basic_auth(CONFIDENTIAL.0, Some(CONFIDENTIAL.1))
        .form(&CC)
        .send()
        .await
        .unwrap();
    assert_error(resp, 401, "invalid_client").await;
    // On the Phabricator path, only its GET form may do it, not POST.
    let url = format!(
        "{}?client_id=demo-phabricator&client_secret=demo-phabricator-secret",
        ts.url("/oauthserver/token/")
    );
    let resp = ts
        .http
        .post(&url)
        .form(&[("grant_type", "token"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_error(resp, 401, "invalid_client").await;
}

#[tokio::test]
async fn two_methods_in_one_request_are_refused() {
    let ts = TestServer::demo().await;
    // E5: Basic + client_secret in the body.
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[
                CC[0],
                ("client_id", CONFIDENTIAL.0),
                ("client_secret", CONFIDENTIAL.1),
            ],
        )
        .await;
    assert_error(resp, 400, "invalid_request").await;
    // client_secret + client_assertion.
    let resp = ts
        .post_form(
            TOKEN,
            None,
            &[
                CC[0],
                ("client_id", CONFIDENTIAL.0),
                ("client_secret", CONFIDENTIAL.1),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", "a.b.c"),
            ],
        )
        .await;
    assert_error(resp, 400, "invalid_request").await;
    // Basic + client_id naming the same client is fine.
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[CC[0], ("client_id", CONFIDENTIAL.0)],
        )
        .await;
    ok_tokens(resp).await;
}

#[tokio::test]
async fn body_client_id_must_match_the_authenticated_client() {
    let ts = TestServer::demo().await;
    // E6.
    let resp = ts
        .post_form(
            TOKEN,
            Some(CONFIDENTIAL),
            &[CC[0], ("client_id", CONFIDENTIAL_2.0)],
        )
        .await;
    assert_error(resp, 401, "invalid_client").await;
}
