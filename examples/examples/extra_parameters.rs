//! Run with: `cargo run -p oauth-examples --example extra_parameters`
//!
//! Against another GitLab-style server: `… -- --issuer URL --client-id ID
//! --client-secret SECRET --public-client-id ID [--username NAME --password PASSWORD]
//! [--resource URI]` (or the `OAUTH_*` variables of the same names); without
//! a username, sign in with the browser at the printed URL.
//!
//! Resource indicators (RFC 8707): a client names the API it wants a token
//! for, on the authorization request, the code exchange and client
//! credentials. The reference server accepts `resource` but does not narrow
//! tokens by it, so the example prints what was sent; a value that is not an
//! absolute URI is refused by the SDK before anything is sent.

use std::time::Duration;

use oauth_examples::{Outcome, Target, browser::Browser, form_values};
use oauth_sdk::{Client, ClientId, ClientSecret, Error, LoopbackListener, Provider};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let provider = Provider::gitlab(t.issuer())?;
    let client_id = ClientId::new(t.credential("client-id", "demo-confidential")?);
    let secret = ClientSecret::new(t.credential("client-secret", "demo-confidential-secret")?);
    let client = Client::builder(provider, client_id)
        .client_secret_basic(secret)
        .build()?;
    // RFC 8707 allows several: call .resource() again for each API.
    let api = t.option("resource", "https://api.example.com/");

    let token = client.client_credentials().resource(&api);
    let in_token = form_values(token.http_request().await?.body(), "resource");
    println!(
        "client credentials with resource={in_token:?}: {:?}",
        token.send().await?.expires_in()
    );

    // The code flow as a native app: a public client on a loopback redirect
    // with any port (RFC 8252 §7.3 allows that for public clients only).
    let provider = Provider::gitlab(t.issuer())?;
    let native = Client::builder(
        provider,
        ClientId::new(t.credential("public-client-id", "demo-public")?),
    )
    .build()?;
    let listener = LoopbackListener::bind("/callback").await?;
    let redirect = listener.redirect_url().clone();
    let user = t.optional_credential("username", "alice")?;
    let request = native.authorization_code(redirect.clone()).resource(&api);
    let (url, pending) = request.build()?.into_parts();
    let in_url = form_values(url.query().unwrap_or_default().as_bytes(), "resource");
    println!("authorization request with resource={in_url:?}");
    let waiting = tokio::spawn(listener.wait(pending, Duration::from_secs(300)));
    match user {
        Some(user) => {
            let password = t.credential("password", "alice-password")?;
            Browser::new(&user, &password)?
                .open(&url, redirect.as_str())
                .await?;
        }
        None => println!("open this URL in your browser and sign in:\n{url}"),
    }
    let exchange = native.exchange_code(waiting.await??).resource(&api);
    let in_exchange = form_values(exchange.http_request().await?.body(), "resource");
    println!(
        "code exchange with resource={in_exchange:?}: {:?}",
        exchange.send().await?.expires_in()
    );

    let not_absolute = client.client_credentials().resource("api.example.com");
    match not_absolute.send().await {
        Err(Error::InvalidParameter { name, reason }) => println!("refused {name}: {reason}"),
        other => return Err(format!("expected an invalid parameter, got {other:?}").into()),
    }
    if [in_token, in_url, in_exchange]
        .iter()
        .any(|sent| *sent != [api.clone()])
    {
        return Err("a request did not carry the resource indicator".into());
    }
    Ok(())
}
