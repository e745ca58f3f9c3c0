//! Run with: `cargo run -p oauth-examples --example authorization_code`
//!
//! Against another GitLab-style server (a public client that may redirect
//! to any loopback port, RFC 8252 §7.3):
//! `cargo run -p oauth-examples --example authorization_code -- --issuer URL
//! --client-id ID`, then sign in with the browser at the printed URL
//! (or add `--username NAME --password PASSWORD`, or `OAUTH_USERNAME` and
//! `OAUTH_PASSWORD`, to have the example fill a plain HTML login form).
//!
//! Authorization code + PKCE (RFC 6749 §4.1, RFC 7636) for a native app, the
//! callback received by a loopback listener. Prints the redirect URI, the
//! token's lifetime and `GET /api/v4/user -> {...}`. Exits non-zero on failure.

use std::time::Duration;

use oauth_examples::{Outcome, Target, browser::Browser};
use oauth_sdk::{Client, ClientId, LoopbackListener, Provider, Scope, http};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let provider = Provider::gitlab(t.issuer())?;
    let client_id = ClientId::new(t.credential("client-id", "demo-public")?);
    let client = Client::builder(provider, client_id).build()?;

    let listener = LoopbackListener::bind("/callback").await?;
    let redirect = listener.redirect_url().clone();
    println!("listening for the callback at {}", redirect.as_str());
    let (url, pending) = client
        .authorization_code(redirect.clone())
        .scope(Scope::new("read_user")?)
        .build()?
        .into_parts();
    // The listener validates the callback (state, iss, errors) against `pending`.
    let waiting = tokio::spawn(listener.wait(pending, Duration::from_secs(300)));

    match t.optional_credential("username", "alice")? {
        Some(user) => {
            let password = t.credential("password", "alice-password")?;
            let mut browser = Browser::new(&user, &password)?;
            let status = browser.open(&url, redirect.as_str()).await?;
            println!("{user} signed in; the listener answered HTTP {status}");
        }
        None => println!("open this URL in your browser and sign in:\n{url}"),
    }
    let callback = waiting.await??;
    let token = client.exchange_code(callback).send().await?;
    println!("token received, expires in {:?}", token.expires_in());

    let url = client.provider().resource_endpoint().ok_or("no user API")?;
    let mut request = http::Request::get(url.as_str()).body(Vec::new())?;
    client.authorize(token.token(), &mut request)?;
    let body = oauth_examples::send(request).await?;
    println!("GET {} -> {body}", url.path());
    Ok(())
}
