//! The loopback redirect listener (RFC 8252 §7.3): a real code flow with
//! PKCE against the reference server, a forged callback, a stray request,
//! and the timeout.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use oauth_sdk::{Client, ClientId, LoopbackError, LoopbackListener, Provider, Scope};
use oauth_server_reference::{Config, spawn};
use oauth_test_support::Browser;

#[tokio::test]
async fn code_flow_through_the_loopback_listener() {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = spawn(Config::demo(), addr).await.unwrap();
    let provider = Provider::gitlab(server.base_url()).unwrap();
    let client = Client::builder(provider, ClientId::new("demo-public"))
        .build()
        .unwrap();
    let listener = LoopbackListener::bind("/callback").await.unwrap();
    let redirect = listener.redirect_url().clone();
    let (url, pending) = client
        .authorization_code(redirect.clone())
        .scope(Scope::new("api").unwrap())
        .build()
        .unwrap()
        .into_parts();
    let waiting = tokio::spawn(listener.wait(pending, Duration::from_secs(60)));

    let callback = Browser::new(&url)
        .authorize_until(&url, redirect.as_str(), "alice", "alice-password")
        .await
        .expect("the server sends the user back");
    let http = reqwest::Client::new();
    // A stray request first (browsers ask for favicons): 404, keep waiting.
    let stray = redirect.url().join("/favicon.ico").unwrap();
    assert_eq!(http.get(stray).send().await.unwrap().status(), 404);
    let page = http.get(callback).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Authorization complete")
    );

    let validated = waiting.await.unwrap().unwrap();
    let token = client.exchange_code(validated).send().await.unwrap();
    assert!(!token.access_token().secret().is_empty());
    // The listener is gone.
    assert!(http.get(redirect.url().clone()).send().await.is_err());
}

#[tokio::test]
async fn forged_callback_is_rejected() {
    let provider = Provider::new("http://127.0.0.1:1/token".parse().unwrap())
        .with_authorization_endpoint("http://127.0.0.1:1/authorize".parse().unwrap());
    let client = Client::builder(provider, ClientId::new("c"))
        .build()
        .unwrap();
    let listener = LoopbackListener::bind("/cb").await.unwrap();
    let mut forged = listener.redirect_url().url().clone();
    let (_, pending) = client
        .authorization_code(listener.redirect_url().clone())
        .build()
        .unwrap()
        .into_parts();
    let waiting = tokio::spawn(listener.wait(pending, Duration::from_secs(60)));
    forged.set_query(Some("code=abc&state=not-the-one"));
    let page = reqwest::get(forged).await.unwrap();
    assert_eq!(page.status(), 400);
    let e = waiting.await.unwrap().unwrap_err();
    assert!(
        matches!(e, LoopbackError::Callback(oauth_sdk::Error::Protocol(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn no_callback_times_out() {
    let provider = Provider::new("http://127.0.0.1:1/token".parse().unwrap())
        .with_authorization_endpoint("http://127.0.0.1:1/authorize".parse().unwrap());
    let client = Client::builder(provider, ClientId::new("c"))
        .build()
        .unwrap();
    let listener = LoopbackListener::bind("/cb").await.unwrap();
    let (_, pending) = client
        .authorization_code(listener.redirect_url().clone())
        .build()
        .unwrap()
        .into_parts();
    let e = listener
        .wait(pending, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(e, LoopbackError::Timeout(_)), "{e:?}");
}
