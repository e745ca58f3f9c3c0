//! Run with: `cargo run -p oauth-examples --example hub_services`
//!
//! Against another JetBrains Hub-style server:
//! `cargo run -p oauth-examples --example hub_services -- --issuer URL
//! --email EMAIL --api-key KEY` (or `OAUTH_EMAIL`, `OAUTH_API_KEY`).
//!
//! Hub service registration, as an administrator: register a service, get a
//! client-credentials token with the secret the registration returns (once),
//! then mark the service trusted. Prints the service id, the token type and
//! the `trusted` flag. Exits non-zero on failure.

use oauth_examples::{Outcome, Target};
use oauth_sdk::management::ServiceRegistration;
use oauth_sdk::{ApiKey, Client, ManagementClient, Provider, Scope};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let email = t.credential("email", "admin@example.com")?;
    let key = ApiKey::new(t.credential("api-key", "demo-admin-key")?);
    let api = ManagementClient::builder(t.issuer().clone(), email, key).build()?;
    let services = api.hub().services();

    let registered = services
        .register(ServiceRegistration {
            name: "Example CI".into(),
            home_url: Some("https://ci.example.com/".parse()?),
            redirect_uris: vec!["https://ci.example.com/oauth/callback".parse()?],
            application_name: Some("Example CI".into()),
            vendor: Some("Example Inc.".into()),
            version: Some("1.0".into()),
        })
        .send()
        .await?;
    println!("registered service {}", registered.id);

    // The service is an OAuth client of Hub: its id is the client_id.
    let provider = Provider::hub(t.issuer())?;
    let client = Client::builder(provider, registered.id.client_id())
        .client_secret_basic(registered.secret.clone())
        .build()?;
    let token = client
        .client_credentials()
        .scope(Scope::new("api")?)
        .send()
        .await?;
    println!(
        "client credentials token with the returned secret, type {}",
        token.token_type().as_str()
    );

    let service = services.set_trusted(&registered.id, true).send().await?;
    println!("service {:?} trusted: {}", service.name, service.trusted);
    Ok(())
}
