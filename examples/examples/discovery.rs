//! Run with: `cargo run -p oauth-examples --example discovery`
//!
//! Against any server that publishes RFC 8414 or OpenID Connect metadata:
//! `cargo run -p oauth-examples --example discovery -- --issuer URL`; add
//! `--client-id ID --client-secret SECRET [--scope "a b"]` (or `OAUTH_CLIENT_ID`,
//! `OAUTH_CLIENT_SECRET`, `OAUTH_SCOPE`) to also get a client-credentials token.
//!
//! Discovery tries `/.well-known/oauth-authorization-server` (RFC 8414), then
//! `/.well-known/openid-configuration`, checks that the document names the
//! issuer asked for, and keeps the endpoints and supported methods. Prints
//! them; then a token from the discovered token endpoint and, where the
//! server introspects (RFC 7662), whether that token is active.

use oauth_examples::{Outcome, Target};
use oauth_sdk::{Client, ClientId, ClientSecret, Provider, Scope};
use url::Url;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let provider = Provider::discover(t.issuer().clone()).send().await?;
    println!("issuer: {}", provider.issuer().unwrap_or_default());
    let metadata = provider.metadata();
    let endpoints = [
        ("authorization", provider.authorization_endpoint()),
        ("token", Some(provider.token_endpoint())),
        ("revocation", provider.revocation_endpoint()),
        ("introspection", provider.introspection_endpoint()),
        ("userinfo", metadata.userinfo_endpoint.as_ref()),
        ("JWKS", metadata.jwks_uri.as_ref()),
    ];
    for (name, url) in endpoints {
        println!("{name} endpoint: {}", url.map_or("-", Url::as_str));
    }
    println!("grant types: {:?}", metadata.grant_types_supported);
    let methods = &metadata.token_endpoint_auth_methods_supported;
    println!("client authentication: {methods:?}");

    let Some(client_id) = t.optional_credential("client-id", "demo-confidential")? else {
        println!("no --client-id: metadata only");
        return Ok(());
    };
    let secret = ClientSecret::new(t.credential("client-secret", "demo-confidential-secret")?);
    // RFC 8414 §2: without the list, client_secret_basic is the default.
    let basic = methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic");
    let client = Client::builder(provider, ClientId::new(client_id));
    let client = if basic {
        client.client_secret_basic(secret)
    } else {
        client.client_secret_post(secret)
    };
    let client = client.build()?;

    let scopes = Scope::parse_list(&t.option("scope", ""));
    let token = client.client_credentials().scopes(scopes).send().await?;
    println!(
        "client credentials token, expires in {:?}",
        token.expires_in()
    );
    if client.provider().introspection_endpoint().is_some() {
        let info = client.introspect(token.access_token()).send().await?;
        println!(
            "introspection: active {}, client {:?}",
            info.active, info.client_id
        );
        if !info.active {
            return Err("a fresh token is not active".into());
        }
    }
    Ok(())
}
