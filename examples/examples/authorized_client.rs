//! Run with: `cargo run -p oauth-examples --example authorized_client`
//!
//! Against another GitLab-style server:
//! `cargo run -p oauth-examples --example authorized_client -- --issuer URL
//! --client-id ID --client-secret SECRET --username NAME --password PASSWORD`
//! (or the `OAUTH_*` variables of the same names).
//!
//! A token source (cached, renewed ahead of expiry) behind an authorized
//! client, which adds the token to each request and, on 401, renews it and
//! retries once. Prints `GET /api/v4/user -> 200 {...}` twice, the second
//! from the cached token. Exits non-zero on failure.

use oauth_examples::{Outcome, Target};
use oauth_sdk::{AuthorizedClient, Client, ClientId, ClientSecret, Provider};
use oauth_sdk::{ResourceOwnerPassword, Scope, TokenSource, http};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let provider = Provider::gitlab(t.issuer())?;
    let user_api = provider.resource_endpoint().ok_or("no user API")?.clone();
    let client_id = ClientId::new(t.credential("client-id", "demo-confidential")?);
    let secret = ClientSecret::new(t.credential("client-secret", "demo-confidential-secret")?);
    let client = Client::builder(provider, client_id)
        .client_secret_basic(secret)
        .build()?;
    let password = ResourceOwnerPassword::new(t.credential("password", "alice-password")?);
    let token = client
        .password(t.credential("username", "alice")?, &password)
        .scope(Scope::new("read_user")?)
        .send()
        .await?;

    // The source refreshes with the token's refresh token when it runs out.
    let source = TokenSource::refreshing(client)
        .token(token.into_token())
        .build()
        .await?;
    let api = AuthorizedClient::new(source);
    for _ in 0..2 {
        let request = http::Request::get(user_api.as_str()).body(Vec::new())?;
        let response = api.send(request).await?;
        let body = String::from_utf8_lossy(response.body());
        println!(
            "GET {} -> {} {body}",
            user_api.path(),
            response.status().as_u16()
        );
        if response.status() != http::StatusCode::OK {
            return Err(format!("the user API answered {}", response.status()).into());
        }
    }
    Ok(())
}
