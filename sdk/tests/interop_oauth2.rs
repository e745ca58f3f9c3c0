//! Interop: the `oauth2` crate, as an independent client, completes
//! authorization code + PKCE, client credentials and refresh against the
//! reference server. Its HTTP goes through `ReqwestHttp`, an `AsyncHttpClient`
//! implemented here over the workspace's reqwest (redirects never followed).

mod support;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use oauth_server_reference::{Config, spawn};
use oauth_test_support::Browser;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:9876/callback";

/// oauth2's HTTP client trait over the workspace's reqwest.
struct ReqwestHttp(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for ReqwestHttp {
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

async fn send(http: &reqwest::Client, req: HttpRequest) -> Result<HttpResponse, std::io::Error> {
    let resp = http
        .execute(reqwest::Request::try_from(req).map_err(std::io::Error::other)?)
        .await
        .map_err(std::io::Error::other)?;
    let mut out = http::Response::builder().status(resp.status());
    for (k, v) in resp.headers() {
        out = out.header(k, v);
    }
    let body = resp.bytes().await.map_err(std::io::Error::other)?.to_vec();
    out.body(body).map_err(std::io::Error::other)
}

#[tokio::test]
async fn oauth2_crate_code_pkce_client_credentials_and_refresh() {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = spawn(Config::demo(), addr).await.unwrap();
    let client = BasicClient::new(ClientId::new("demo-confidential".into()))
        .set_client_secret(ClientSecret::new("demo-confidential-secret".into()))
        .set_auth_uri(AuthUrl::new(server.url("/oauth/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(server.url("/oauth/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let http = ReqwestHttp(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    );

    // Authorization code + PKCE.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("api".into()))
        .set_pkce_challenge(challenge)
        .url();
    let callback: Url = Browser::new(&auth_url)
        .authorize_until(&auth_url, CALLBACK, "alice", "alice-password")
        .await
        .expect("the server sends the user back");
    let q: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("state").as_deref(), Some(csrf.secret().as_str()));
    let code = get("code").expect("code in callback");
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    assert!(!token.access_token().secret().is_empty());
    let refresh = token.refresh_token().expect("refresh token").clone();

    // Refresh (rotation: a new refresh token comes back).
    let refreshed = client
        .exchange_refresh_token(&refresh)
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.access_token().secret(),
        token.access_token().secret()
    );
    assert!(refreshed.refresh_token().is_some());

    // Client credentials.
    let cc = client
        .exchange_client_credentials()
        .add_scope(Scope::new("api".into()))
        .request_async(&http)
        .await
        .unwrap();
    assert!(cc.refresh_token().is_none());
    assert!(cc.expires_in().is_some());
}
