//! Each preset talks to its dialect's paths; Segment signs its assertion for
//! the auth server's base URL. Checked against wiremock servers.

mod support;

use oauth_sdk::{
    AccessToken, Client, ClientId, ClientSecret, PrivateKeyJwt, Provider, Scope, Token, TokenType,
};
use support::*;
use url::Url;
use wiremock::matchers::{body_string_contains, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = r#"{"access_token":"at","token_type":"Bearer","expires_in":3600}"#;

async fn token_server(token_path: &str) -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(token_path))
        .and(header_exists("authorization"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(TOKEN.as_bytes().to_vec(), "application/json"),
        )
        .expect(1)
        .mount(&s)
        .await;
    s
}

#[tokio::test]
async fn gitlab_hub_and_phabricator_token_paths() {
    type Preset = fn(&Url) -> oauth_sdk::Result<Provider>;
    let cases: [(Preset, &str); 3] = [
        (Provider::gitlab, "/oauth/token"),
        (Provider::hub, "/api/rest/oauth2/token"),
        (Provider::phabricator, "/oauthserver/token/"),
    ];
    for (preset, token_path) in cases {
        let s = token_server(token_path).await;
        let p = preset(&s.uri().parse().unwrap()).unwrap();
        let c = Client::builder(p, ClientId::new("c"))
            .client_secret_basic(ClientSecret::new("s"))
            .build()
            .unwrap();
        let t = c.client_credentials().send().await.unwrap();
        assert_eq!(t.access_token().secret(), "at");
        s.verify().await;
    }
}

#[tokio::test]
async fn segment_client_credentials_with_private_key_jwt() {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
        ))
        .and(body_string_contains("client_assertion=eyJ"))
        .and(body_string_contains("scope=tracking_api%3Awrite"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(TOKEN.as_bytes().to_vec(), "application/json"))
        .expect(1)
        .mount(&s)
        .await;
    let p = Provider::segment_at(&s.uri().parse().unwrap()).unwrap();
    assert_eq!(p.assertion_audience(), s.uri());
    let c = Client::builder(p, ClientId::new("app"))
        .auth(PrivateKeyJwt::rs256_from_pem(RSA_PRIVATE, "k1").unwrap())
        .build()
        .unwrap();
    let t = c
        .client_credentials()
        .scope(Scope::new("tracking_api:write").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(t.token_type(), &TokenType::Bearer);
    s.verify().await;
}

#[test]
fn phabricator_resource_takes_query_token_others_the_header() {
    let base: Url = "https://phab.example".parse().unwrap();
    let token = Token::new(AccessToken::new("t0k"), TokenType::Bearer);
    let phab = Client::builder(Provider::phabricator(&base).unwrap(), ClientId::new("c"))
        .build()
        .unwrap();
    let whoami = phab.provider().resource_endpoint().unwrap().clone();
    assert_eq!(whoami.as_str(), "https://phab.example/api/user.whoami");
    let mut req = http::Request::get(whoami.as_str()).body(()).unwrap();
    phab.authorize(&token, &mut req).unwrap();
    assert_eq!(
        req.uri(),
        "https://phab.example/api/user.whoami?access_token=t0k"
    );
    assert!(req.headers().get(http::header::AUTHORIZATION).is_none());

    let gitlab = Client::builder(Provider::gitlab(&base).unwrap(), ClientId::new("c"))
        .build()
        .unwrap();
    let mut req = http::Request::get("https://phab.example/api/v4/user")
        .body(())
        .unwrap();
    gitlab.authorize(&token, &mut req).unwrap();
    assert_eq!(req.headers()[http::header::AUTHORIZATION], "Bearer t0k");
    assert_eq!(req.uri(), "https://phab.example/api/v4/user");

    let mut url = whoami.clone();
    token.access_token().apply_query(&mut url);
    assert_eq!(url.query(), Some("access_token=t0k"));
}
