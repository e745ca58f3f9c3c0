//! Run with: `cargo run -p oauth-examples --example jwt_assertion`
//!
//! Against another Segment-style server (token endpoint `<issuer>/token`):
//! `cargo run -p oauth-examples --example jwt_assertion -- --issuer URL
//! --client-id ID --key-id KID --private-key PEM_FILE [--scope SCOPE]`
//! (or the `OAUTH_*` variables of the same names).
//!
//! Client credentials authenticated by a signed JWT (`private_key_jwt`,
//! RFC 7523 §2.2), as Segment OAuth apps do: the app holds an RS256 private
//! key whose public half the server knows by its key id. Prints the token's
//! lifetime and scopes. Exits non-zero on failure.

use oauth_examples::{Outcome, Target, demo_file};
use oauth_sdk::{Client, ClientId, PrivateKeyJwt, Provider, Scope};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let provider = Provider::segment_at(t.issuer())?;
    let client_id = ClientId::new(t.credential("client-id", "demo-jwt")?);
    let key_file = t.credential("private-key", demo_file!("demo-jwt-private.pem"))?;
    let key_id = t.credential("key-id", "demo-key-1")?;
    let auth = PrivateKeyJwt::rs256_from_pem(&std::fs::read(key_file)?, &key_id)?;
    let client = Client::builder(provider, client_id).auth(auth).build()?;

    let token = client
        .client_credentials()
        .scope(Scope::new(t.option("scope", "tracking_api:write"))?)
        .send()
        .await?;
    println!(
        "app token, expires in {:?}, scopes {:?}",
        token.expires_in(),
        token.scopes().unwrap_or_default()
    );
    Ok(())
}
