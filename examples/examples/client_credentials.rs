//! Run with: `cargo run -p oauth-examples --example client_credentials`
//!
//! Against another GitLab-style server:
//! `cargo run -p oauth-examples --example client_credentials -- --issuer URL
//! --client-id ID --client-secret SECRET [--scope api]`
//! (or `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`, `OAUTH_SCOPE`).
//!
//! Client credentials (RFC 6749 §4.4): the client acts on its own behalf.
//! Prints the token type, its lifetime and whether a refresh token came
//! (none should: RFC 6749 §4.4.3). Exits non-zero on failure.

use oauth_examples::{Outcome, Target};
use oauth_sdk::{Client, ClientId, ClientSecret, Provider, Scope};

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

    let token = client
        .client_credentials()
        .scope(Scope::new(t.option("scope", "api"))?)
        .send()
        .await?;
    println!(
        "client token, type {}, expires in {:?}, refresh token: {}",
        token.token_type().as_str(),
        token.expires_in(),
        token.refresh_token().is_some()
    );
    Ok(())
}
