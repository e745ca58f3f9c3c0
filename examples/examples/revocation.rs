//! Run with: `cargo run -p oauth-examples --example revocation`
//!
//! Against another GitLab-style server:
//! `cargo run -p oauth-examples --example revocation -- --issuer URL
//! --client-id ID --client-secret SECRET [--scope api]`
//! (or `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`, `OAUTH_SCOPE`).
//!
//! Revokes a token (RFC 7009), then asks the token info endpoint about it.
//! Prints `revoked` and the error token info gives. Exits non-zero on failure.

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

    client.revoke(token.access_token()).send().await?;
    println!("revoked");
    match client.token_info(token.access_token()).send().await {
        Err(e) => println!("token info after revocation: {e}"),
        Ok(_) => return Err("the revoked token is still valid".into()),
    }
    Ok(())
}
