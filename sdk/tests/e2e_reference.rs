//! Every flow end to end against the in-process reference server with the
//! demo fixture (docs/demo-fixture.md), in each preset's dialect.

mod support;

use std::net::SocketAddr;

use oauth_sdk::{
    AccessToken, Client, ClientId, ClientSecret, ClientSecretPost, Error, ErrorCode, NoClientAuth,
    PrivateKeyJwt, Provider, RedirectUrl, ResourceOwnerPassword, Scope, Token,
};
use oauth_server_reference::{Config, ServerHandle, spawn};
use oauth_test_support::Browser;
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:9876/callback";

async fn server() -> ServerHandle {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    spawn(Config::demo(), addr)
        .await
        .expect("reference server starts")
}

fn base(s: &ServerHandle) -> Url {
    s.base_url().clone()
}

/// A client of the reference server authenticating with `client_secret_basic`.
fn basic_client(provider: Provider, id: &str, secret: &str) -> Client {
    Client::builder(provider, ClientId::new(id))
        .client_secret_basic(ClientSecret::new(secret))
        .build()
        .unwrap()
}

fn scope(s: &str) -> Scope {
    Scope::new(s).unwrap()
}

fn fixture_key(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../server-reference/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Runs the browser part of the code flow and returns the validated callback.
async fn authorize(
    client: &Client,
    redirect: &str,
    scopes: &[&str],
) -> oauth_sdk::AuthorizationCallback {
    let request = client
        .authorization_code(RedirectUrl::parse(redirect).unwrap())
        .scopes(scopes.iter().map(|s| scope(s)));
    authorize_request(request, redirect).await
}

/// The browser part for a request the caller built (extra parameters...).
async fn authorize_request(
    request: oauth_sdk::flows::code::AuthorizationCodeBuilder,
    redirect: &str,
) -> oauth_sdk::AuthorizationCallback {
    let (url, pending) = request.build().unwrap().into_parts();
    let stop = redirect.split('?').next().unwrap();
    let callback = Browser::new(&url)
        .authorize_until(&url, stop, "alice", "alice-password")
        .await
        .expect("the server sends the user back");
    pending.validate(&callback).expect("callback validates")
}

/// GETs the provider's "current user" resource with the token where the
/// provider wants it.
async fn whoami(client: &Client, token: &Token) -> (u16, String) {
    let url = client.provider().resource_endpoint().unwrap();
    let mut req = http::Request::get(url.as_str()).body(Vec::new()).unwrap();
    client.authorize(token, &mut req).unwrap();
    let resp = reqwest::Client::new()
        .execute(reqwest::Request::try_from(req).unwrap())
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn code_flow_refresh_and_resource_in_gitlab_and_hub_dialects() {
    let s = server().await;
    type Preset = fn(&Url) -> oauth_sdk::Result<Provider>;
    for (preset, name) in [
        (Provider::gitlab as Preset, "gitlab"),
        (Provider::hub as Preset, "hub"),
    ] {
        let client = basic_client(
            preset(&base(&s)).unwrap(),
            "demo-confidential",
            "demo-confidential-secret",
        );
        let cb = authorize(&client, CALLBACK, &["api", "read_user"]).await;
        let t = client
            .exchange_code(cb)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(t.expires_at().is_some(), "{name}");
        let (status, body) = whoami(&client, t.token()).await;
        assert_eq!(status, 200, "{name}: {body}");
        assert!(body.contains("alice"), "{name}: {body}");

        let old_rt = t.refresh_token().expect("refresh token").clone();
        let t2 = client.refresh(&old_rt).send().await.unwrap();
        assert_ne!(t2.access_token(), t.access_token());
        assert_eq!(whoami(&client, t2.token()).await.0, 200);
        // Rotation: the old refresh token is dead now.
        let e = client.refresh(&old_rt).send().await.unwrap_err();
        assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidGrant), "{name}");
    }
}

#[tokio::test]
async fn code_flow_in_phabricator_dialect_with_query_token() {
    let s = server().await;
    let client = Client::builder(
        Provider::phabricator(&base(&s)).unwrap(),
        ClientId::new("demo-phabricator"),
    )
    .client_secret_post(ClientSecret::new("demo-phabricator-secret"))
    .build()
    .unwrap();
    let cb = authorize(&client, "http://127.0.0.1:9876/phab?app=1", &["whoami"]).await;
    let t = client.exchange_code(cb).send().await.unwrap();
    let (status, body) = whoami(&client, t.token()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("alice"), "{body}");
}

#[tokio::test]
async fn code_reuse_is_refused() {
    let s = server().await;
    let client = basic_client(
        Provider::gitlab(&base(&s)).unwrap(),
        "demo-confidential",
        "demo-confidential-secret",
    );
    let req = client
        .authorization_code(RedirectUrl::parse(CALLBACK).unwrap())
        .scope(scope("api"))
        .build()
        .unwrap();
    let (url, pending) = req.into_parts();
    let callback = Browser::new(&url)
        .authorize_until(&url, CALLBACK, "alice", "alice-password")
        .await
        .expect("the server sends the user back");
    let again = oauth_sdk::PendingAuthorization::from_parts(
        &client,
        pending.state().clone(),
        pending.pkce_verifier().clone(),
        pending.redirect_url().clone(),
    );
    client
        .exchange_code(pending.validate(&callback).unwrap())
        .send()
        .await
        .unwrap();
    let e = client
        .exchange_code(again.validate(&callback).unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidGrant));
}

#[tokio::test]
async fn public_client_with_pkce_on_any_loopback_port() {
    let s = server().await;
    let client = Client::builder(
        Provider::gitlab(&base(&s)).unwrap(),
        ClientId::new("demo-public"),
    )
    .auth(NoClientAuth)
    .build()
    .unwrap();
    let cb = authorize(&client, "http://127.0.0.1:54321/callback", &["read_user"]).await;
    let t = client.exchange_code(cb).send().await.unwrap();
    let rt = t.refresh_token().unwrap().clone();
    let t2 = client.refresh(&rt).send().await.unwrap();
    assert!(t2.refresh_token().is_some());
}

#[tokio::test]
async fn implicit_flow_in_gitlab_and_hub_dialects_then_token_info() {
    let s = server().await;
    let redirect = "http://127.0.0.1:9876/implicit";
    let gitlab = Provider::gitlab(&base(&s)).unwrap();
    for p in [gitlab.clone(), Provider::hub(&base(&s)).unwrap()] {
        let client = Client::builder(p, ClientId::new("demo-implicit"))
            .build()
            .unwrap();
        let (url, pending) = client
            .implicit(RedirectUrl::parse(redirect).unwrap())
            .scope(scope("read_user"))
            .build()
            .unwrap();
        let callback = Browser::new(&url)
            .authorize_until(&url, redirect, "alice", "alice-password")
            .await
            .expect("the server sends the user back");
        assert!(
            callback.query().is_none(),
            "implicit answers in the fragment: {callback}"
        );
        let t = pending.validate(&callback).unwrap();
        assert!(t.refresh_token().is_none());
        assert_eq!(whoami(&client, t.token()).await.0, 200);
        // GitLab's advice: check which application an implicit token belongs to.
        let doorkeeper = Client::builder(gitlab.clone(), ClientId::new("demo-implicit"))
            .build()
            .unwrap();
        let info = doorkeeper
            .token_info(t.access_token())
            .send()
            .await
            .unwrap();
        assert_eq!(
            info.application_uid.as_ref().map(ClientId::as_str),
            Some("demo-implicit")
        );
        assert!(info.scope.contains(&scope("read_user")));
        assert!(info.expires_in_seconds.is_some());
    }
}

#[tokio::test]
async fn password_grant_for_alice_refused_for_two_factor_bob() {
    let s = server().await;
    for p in [
        Provider::gitlab(&base(&s)).unwrap(),
        Provider::hub(&base(&s)).unwrap(),
    ] {
        let client = basic_client(p, "demo-confidential", "demo-confidential-secret");
        let t = client
            .password("alice", &ResourceOwnerPassword::new("alice-password"))
            .scope(scope("api"))
            .send()
            .await
            .unwrap();
        assert_eq!(whoami(&client, t.token()).await.0, 200);
        let e = client
            .password("bob", &ResourceOwnerPassword::new("bob-password"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidGrant));
    }
}

#[tokio::test]
async fn client_credentials_introspection_revocation_and_token_info() {
    let s = server().await;
    let client = Client::builder(
        Provider::gitlab(&base(&s)).unwrap(),
        ClientId::new("demo-confidential"),
    )
    .auth(ClientSecretPost(ClientSecret::new(
        "demo-confidential-secret",
    )))
    .build()
    .unwrap();
    let t = client
        .client_credentials()
        .scope(scope("api"))
        .send()
        .await
        .unwrap();
    assert!(t.refresh_token().is_none());
    let i = client.introspect(t.access_token()).send().await.unwrap();
    assert!(i.active);
    assert_eq!(
        i.client_id.as_ref().map(ClientId::as_str),
        Some("demo-confidential")
    );
    client.revoke(t.access_token()).send().await.unwrap();
    assert!(
        !client
            .introspect(t.access_token())
            .send()
            .await
            .unwrap()
            .active
    );
    // Unknown tokens revoke fine (RFC 7009 §2.2).
    client
        .revoke(AccessToken::new("never-issued"))
        .send()
        .await
        .unwrap();
    let e = client
        .token_info(t.access_token())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::OAuth {
                code: ErrorCode::InvalidToken,
                ..
            } | Error::Status { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn wrong_secret_is_invalid_client() {
    let s = server().await;
    let client = basic_client(
        Provider::gitlab(&base(&s)).unwrap(),
        "demo-confidential",
        "wrong",
    );
    let e = client.client_credentials().send().await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidClient));
}

fn segment_client(s: &ServerHandle, auth: PrivateKeyJwt) -> Client {
    // The Segment dialect (aud = the auth server's base URL), at the reference
    // server's generic token endpoint.
    let p = Provider::segment_at(&base(s))
        .unwrap()
        .with_token_endpoint(s.url("/oauth/token").parse().unwrap());
    Client::builder(p, ClientId::new("demo-jwt"))
        .auth(auth)
        .build()
        .unwrap()
}

#[tokio::test]
async fn segment_private_key_jwt_rs256_and_es256_and_jwt_bearer_grant() {
    let s = server().await;
    let rs =
        PrivateKeyJwt::rs256_from_pem(&fixture_key("demo-jwt-private.pem"), "demo-key-1").unwrap();
    let es =
        PrivateKeyJwt::es256_from_pem(&fixture_key("demo-jwt-es256-private.pem"), "demo-key-2")
            .unwrap();
    for auth in [rs.clone(), es] {
        let client = segment_client(&s, auth);
        let t = client
            .client_credentials()
            .scope(scope("tracking_api:write"))
            .send()
            .await
            .unwrap();
        assert!(t.expires_in().is_some());
    }
    // JWT bearer grant: the app's own assertion as the grant.
    let client = segment_client(&s, rs.clone());
    let assertion = rs
        .sign(client.client_id(), client.provider().issuer().unwrap())
        .unwrap();
    let t = client
        .jwt_bearer(&assertion)
        .scope(scope("public_api:read_write"))
        .send()
        .await
        .unwrap();
    assert!(t.refresh_token().is_none());
    // The same assertion again: `jti` is single-use.
    let e = client.jwt_bearer(&assertion).send().await.unwrap_err();
    assert_eq!(e.oauth_code(), Some(&ErrorCode::InvalidGrant));
}

#[tokio::test]
async fn discovery_finds_the_reference_endpoints() {
    let s = server().await;
    let p = Provider::discover(base(&s)).send().await.unwrap();
    assert_eq!(p.token_endpoint().as_str(), s.url("/oauth/token"));
    let client = basic_client(p, "demo-confidential", "demo-confidential-secret");
    let cb = authorize(&client, CALLBACK, &["api"]).await;
    client.exchange_code(cb).send().await.unwrap();
}

#[tokio::test]
async fn hub_trusted_service_skips_consent() {
    let s = server().await;
    let client = basic_client(
        Provider::hub(&base(&s)).unwrap(),
        "demo-trusted",
        "demo-trusted-secret",
    );
    let cb = authorize(&client, CALLBACK, &["read_user"]).await;
    let t = client.exchange_code(cb).send().await.unwrap();
    assert_eq!(whoami(&client, t.token()).await.0, 200);
}

#[tokio::test]
async fn callback_from_the_real_server_with_a_tampered_state_is_refused() {
    let s = server().await;
    let client = basic_client(
        Provider::gitlab(&base(&s)).unwrap(),
        "demo-confidential",
        "demo-confidential-secret",
    );
    let (url, pending) = client
        .authorization_code(RedirectUrl::parse(CALLBACK).unwrap())
        .build()
        .unwrap()
        .into_parts();
    let mut callback = Browser::new(&url)
        .authorize_until(&url, CALLBACK, "alice", "alice-password")
        .await
        .expect("the server sends the user back");
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "state" {
                (k, format!("{v}x"))
            } else {
                (k, v)
            }
        })
        .collect();
    callback.query_pairs_mut().clear().extend_pairs(pairs);
    assert!(matches!(
        pending.validate(&callback),
        Err(Error::Protocol(oauth_sdk::ProtocolViolation::StateMismatch))
    ));
}

/// RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: the server compares `redirect_uri` as a
/// string, so a URI registered without a path must go out without the `/` a URL
/// parser adds, in the authorization request and the token request alike.
#[tokio::test]
async fn a_redirect_uri_without_a_path_is_sent_as_registered() {
    const NO_PATH: &str = "http://127.0.0.1:9199";
    let mut config = Config::demo();
    config
        .clients
        .iter_mut()
        .find(|c| c.id == "demo-confidential")
        .unwrap()
        .redirect_uris = vec![NO_PATH.to_owned()];
    let s = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = basic_client(
        Provider::gitlab(&base(&s)).unwrap(),
        "demo-confidential",
        "demo-confidential-secret",
    );
    let cb = authorize(&client, NO_PATH, &["api"]).await;
    let t = client
        .exchange_code(cb)
        .send()
        .await
        .expect("code exchange");
    assert_eq!(whoami(&client, t.token()).await.0, 200);
}

/// RFC 8707 §2: "Multiple resource parameters MAY be used"; the code flow with
/// two resource indicators goes through the reference server end to end.
#[tokio::test]
async fn two_resource_indicators_go_through_the_code_flow() {
    let s = server().await;
    let client = basic_client(
        Provider::gitlab(&base(&s)).unwrap(),
        "demo-confidential",
        "demo-confidential-secret",
    );
    let request = client
        .authorization_code(RedirectUrl::parse(CALLBACK).unwrap())
        .resource("https://api.example.com/")
        .resource("urn:example:calendar");
    let cb = authorize_request(request, CALLBACK).await;
    let t = client
        .exchange_code(cb)
        .resource("https://api.example.com/")
        .resource("urn:example:calendar")
        .send()
        .await
        .expect("two resource parameters are accepted at the token endpoint");
    assert_eq!(whoami(&client, t.token()).await.0, 200);
}
