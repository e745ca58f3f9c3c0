//! Run with: `cargo run -p oauth-examples --example refresh`
//!
//! Against another GitLab-style server that rotates refresh tokens:
//! `cargo run -p oauth-examples --example refresh -- --issuer URL
//! --client-id ID --client-secret SECRET --username NAME --password PASSWORD`
//! (or the `OAUTH_*` variables of the same names).
//!
//! A refresh (RFC 6749 §6) that rotates the refresh token, then a token
//! source given the rotated-out one: its renewal is refused and it says the
//! user must sign in again. Prints `refresh token rotated: true` and
//! `re-authorization required`. Exits non-zero on failure.

use std::time::Duration;

use oauth_examples::{Outcome, Target};
use oauth_sdk::{Client, ClientId, ClientSecret, Provider, ResourceOwnerPassword, TokenSource};

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
    let password = ResourceOwnerPassword::new(t.credential("password", "alice-password")?);
    let first = client
        .password(t.credential("username", "alice")?, &password)
        .send()
        .await?;

    let old = first.refresh_token().ok_or("no refresh token")?.clone();
    let second = client.refresh(&old).send().await?;
    let rotated = second.refresh_token().is_some_and(|new| *new != old);
    println!("refreshed: new access token, refresh token rotated: {rotated}");

    // A source holding the first token; a huge leeway makes it renew at once,
    // with the refresh token the server has just retired.
    let source = TokenSource::refreshing(client)
        .leeway(Duration::from_secs(u64::from(u32::MAX)))
        .token(first.into_token())
        .build()
        .await?;
    match source.access_token().await {
        Err(e) if e.is_reauthorization_required() => {
            println!("old refresh token: re-authorization required ({e})")
        }
        other => return Err(format!("expected re-authorization, got {other:?}").into()),
    }
    Ok(())
}
