//! Run with: `cargo run -p oauth-examples --example password`
//!
//! Against another GitLab-style server:
//! `cargo run -p oauth-examples --example password -- --issuer URL
//! --client-id ID --client-secret SECRET --username NAME --password PASSWORD`
//! (or `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`, `OAUTH_USERNAME`, `OAUTH_PASSWORD`).
//!
//! Resource owner password credentials (RFC 6749 §4.3), for first-party apps
//! only (RFC 9700 §2.4 advises against it elsewhere), then the current-user
//! API with the token. Prints the token's lifetime and
//! `GET /api/v4/user -> {...}`. Exits non-zero on failure.

use oauth_examples::{Outcome, Target};
use oauth_sdk::{Client, ClientId, ClientSecret, Provider, ResourceOwnerPassword, Scope, http};

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

    let username = t.credential("username", "alice")?;
    let password = ResourceOwnerPassword::new(t.credential("password", "alice-password")?);
    let token = client
        .password(&username, &password)
        .scope(Scope::new("read_user")?)
        .send()
        .await?;
    println!(
        "{username}'s token, expires in {:?}, refresh token: {}",
        token.expires_in(),
        token.refresh_token().is_some()
    );

    // The provider knows where its "current user" API is and where the token goes.
    let url = client.provider().resource_endpoint().ok_or("no user API")?;
    let mut request = http::Request::get(url.as_str()).body(Vec::new())?;
    client.authorize(token.token(), &mut request)?;
    let body = oauth_examples::send(request).await?;
    println!("GET {} -> {body}", url.path());
    Ok(())
}
