//! Run with: `cargo run -p oauth-examples --example token_info`
//!
//! Against another GitLab (doorkeeper) server:
//! `cargo run -p oauth-examples --example token_info -- --issuer URL
//! --client-id ID --client-secret SECRET [--scope api]`
//! (or `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`, `OAUTH_SCOPE`).
//!
//! Doorkeeper's token info (`GET /oauth/token/info`) for a fresh token.
//! Prints the application, the scopes and the remaining lifetime. Exits
//! non-zero on failure.

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

    let info = client.token_info(token.access_token()).send().await?;
    println!(
        "application {:?}, scopes {:?}, expires in {:?} s",
        info.application_uid.as_ref().map(ClientId::as_str),
        info.scope.iter().map(Scope::as_str).collect::<Vec<_>>(),
        info.expires_in_seconds
    );
    Ok(())
}
