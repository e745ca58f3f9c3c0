//! Pushed authorization requests (RFC 9126) in the code flow: against wiremock
//! (what is sent, each failure typed) and against the reference server.

mod support;

use std::net::SocketAddr;

use oauth_sdk::{
    Client, ClientId, ClientSecret, ClientSecretBasic, ClientSecretPost, Error, ErrorCode,
    ProtocolViolation, Provider, RedirectUrl, Scope,
};
use oauth_server_reference::{Config, spawn};
use oauth_test_support::Browser;
use support::gitlab_client;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALLBACK: &str = "http://127.0.0.1:9876/callback";
const REQUEST_URI: &str = "urn:ietf:params:oauth:request_uri:abc123";

fn redirect() -> RedirectUrl {
    RedirectUrl::parse(CALLBACK).unwrap()
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// A wiremock server whose `/par` answers `resp`.
async fn par_server(resp: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/par"))
        .respond_with(resp)
        .mount(&server)
        .await;
    server
}

fn created() -> ResponseTemplate {
    json(
        201,
        &format!(r#"{{"request_uri":"{REQUEST_URI}","expires_in":60}}"#),
    )
}

/// A GitLab-preset client of `server` with its PAR endpoint at `/par`.
fn client_of(server: &MockServer, auth: impl oauth_sdk::ClientAuth + 'static) -> Client {
    let base = Url::parse(&server.uri()).unwrap();
    let provider = Provider::gitlab(&base)
        .unwrap()
        .with_pushed_authorization_request_endpoint(base.join("/par").unwrap());
    Client::builder(provider, ClientId::new("c"))
        .auth(auth)
        .build()
        .unwrap()
}

fn pairs(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn push_sends_the_parameters_back_channel_and_the_url_carries_only_the_reference() {
    let server = par_server(created()).await;
    let client = client_of(&server, ClientSecretBasic(ClientSecret::new("s")));
    let (url, pending) = client
        .authorization_code(redirect())
        .scope(Scope::new("api").unwrap())
        .push(true)
        .send()
        .await
        .unwrap()
        .into_parts();

    let query = pairs(url.query().unwrap());
    assert_eq!(
        query,
        vec![
            ("client_id".to_owned(), "c".to_owned()),
            ("request_uri".to_owned(), REQUEST_URI.to_owned()),
        ]
    );
    assert_eq!(url.path(), "/oauth/authorize");

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let pushed = &received[0];
    assert!(
        pushed.headers["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Basic "),
        "the client authenticates as at the token endpoint"
    );
    let form = pairs(std::str::from_utf8(&pushed.body).unwrap());
    let get = |k: &str| {
        let v: Vec<&str> = form
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(v.len() <= 1, "{k} sent {} times", v.len());
        v.first().map(|s| (*s).to_owned())
    };
    assert_eq!(get("response_type").as_deref(), Some("code"));
    assert_eq!(get("client_id").as_deref(), Some("c"));
    assert_eq!(get("redirect_uri").as_deref(), Some(CALLBACK));
    assert_eq!(get("scope").as_deref(), Some("api"));
    assert_eq!(get("state").as_deref(), Some(pending.state().secret()));
    assert_eq!(
        get("code_challenge"),
        Some(pending.pkce_verifier().s256_challenge())
    );
    assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(get("request_uri"), None);
}

#[tokio::test]
async fn client_secret_post_sends_client_id_once() {
    let server = par_server(created()).await;
    let client = client_of(&server, ClientSecretPost(ClientSecret::new("s")));
    client
        .authorization_code(redirect())
        .push(true)
        .send()
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    let form = pairs(std::str::from_utf8(&received[0].body).unwrap());
    let ids = form.iter().filter(|(k, _)| k == "client_id").count();
    assert_eq!(ids, 1, "{form:?}");
    assert!(form.iter().any(|(k, v)| k == "client_secret" && v == "s"));
}

/// Metadata of a provider at `server` that requires pushed requests.
fn requiring_provider(server: &MockServer) -> Provider {
    let base = server.uri();
    let metadata = format!(
        r#"{{"issuer":"{base}","authorization_endpoint":"{base}/authorize",
            "token_endpoint":"{base}/token",
            "pushed_authorization_request_endpoint":"{base}/par",
            "require_pushed_authorization_requests":true}}"#
    );
    Provider::from_metadata(metadata.as_bytes(), Some(&base)).unwrap()
}

#[tokio::test]
async fn a_provider_that_requires_pushed_requests_gets_them_without_asking() {
    let server = par_server(created()).await;
    let provider = requiring_provider(&server);
    assert!(provider.metadata().require_pushed_authorization_requests);
    let client = Client::builder(provider, ClientId::new("c"))
        .build()
        .unwrap();
    let builder = client.authorization_code(redirect());
    assert!(builder.pushes());
    let request = builder.send().await.unwrap();
    assert_eq!(request.url().path(), "/authorize");
    assert!(request.url().query().unwrap().contains("request_uri="));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // `build` cannot push: it says so instead of sending a URL the server refuses.
    match client.authorization_code(redirect()).build() {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "push"),
        other => panic!("expected InvalidParameter(push), got {other:?}"),
    }
}

#[tokio::test]
async fn without_push_send_is_build_and_contacts_nobody() {
    let server = par_server(created()).await;
    let client = client_of(&server, ClientSecretBasic(ClientSecret::new("s")));
    let builder = client.authorization_code(redirect());
    assert!(!builder.pushes());
    let request = builder.send().await.unwrap();
    let query = pairs(request.url().query().unwrap());
    assert!(
        query
            .iter()
            .any(|(k, v)| k == "response_type" && v == "code")
    );
    assert!(!query.iter().any(|(k, _)| k == "request_uri"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn failures_are_typed() {
    let push = |server: &MockServer| {
        client_of(server, ClientSecretBasic(ClientSecret::new("s")))
            .authorization_code(redirect())
            .push(true)
    };
    let refused = par_server(json(
        400,
        r#"{"error":"invalid_request","error_description":"bad redirect_uri"}"#,
    ))
    .await;
    match push(&refused).send().await {
        Err(Error::OAuth { code, .. }) => assert_eq!(code, ErrorCode::InvalidRequest),
        other => panic!("expected an OAuth error, got {other:?}"),
    }
    let ok_not_created = par_server(json(
        200,
        &format!(r#"{{"request_uri":"{REQUEST_URI}","expires_in":60}}"#),
    ))
    .await;
    assert!(matches!(
        push(&ok_not_created).send().await,
        Err(Error::Parse(_))
    ));
    let no_uri = par_server(json(201, r#"{"expires_in":60}"#)).await;
    assert!(matches!(push(&no_uri).send().await, Err(Error::Parse(_))));

    // A preset without the endpoint names what is missing.
    let server = MockServer::start().await;
    let client = gitlab_client(
        &server.uri(),
        "c",
        ClientSecretBasic(ClientSecret::new("s")),
    );
    match client
        .authorization_code(redirect())
        .push(true)
        .send()
        .await
    {
        Err(Error::Protocol(ProtocolViolation::MissingEndpoint(what))) => {
            assert!(what.contains("pushed"), "{what}")
        }
        other => panic!("expected MissingEndpoint, got {other:?}"),
    }
}

/// The whole flow against the reference server, discovered: pushed because
/// the server requires it (`require`) or because the client asks.
async fn reference_flow(require: bool) {
    let mut config = Config::demo();
    config.settings.require_pushed_authorization_requests = require;
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let s = spawn(config, addr).await.expect("reference server starts");
    let provider = Provider::discover(s.base_url().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        provider.metadata().require_pushed_authorization_requests,
        require
    );
    let client = Client::builder(provider, ClientId::new("demo-confidential"))
        .client_secret_basic(ClientSecret::new("demo-confidential-secret"))
        .build()
        .unwrap();
    let (url, pending) = client
        .authorization_code(redirect())
        .scope(Scope::new("read_user").unwrap())
        .push(!require)
        .send()
        .await
        .unwrap()
        .into_parts();
    assert!(url.query().unwrap().contains("request_uri="), "{url}");
    let callback = Browser::new(&url)
        .authorize_until(&url, CALLBACK, "alice", "alice-password")
        .await
        .expect("the server sends the user back");
    let cb = pending.validate(&callback).expect("callback validates");
    let token = client.exchange_code(cb).send().await.unwrap();
    let scopes: Vec<&str> = token
        .scopes()
        .unwrap_or_default()
        .iter()
        .map(Scope::as_str)
        .collect();
    assert_eq!(scopes, ["read_user"], "the pushed scope was granted");
}

#[tokio::test]
async fn reference_server_requiring_par_gets_a_pushed_request() {
    reference_flow(true).await;
}

#[tokio::test]
async fn reference_server_accepts_a_request_the_client_chose_to_push() {
    reference_flow(false).await;
}
