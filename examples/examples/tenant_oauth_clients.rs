//! Run with: `cargo run -p oauth-examples --example tenant_oauth_clients`
//!
//! Against another elastic.io-style management API:
//! `cargo run -p oauth-examples --example tenant_oauth_clients -- --issuer URL
//! --email EMAIL --api-key KEY --tenant TENANT [--component NAME]`
//! (or the `OAUTH_*` variables of the same names).
//!
//! elastic.io tenant OAuth clients, as a tenant administrator: create one for
//! a component, find it by component, rotate its secret, see a second client
//! for the same component refused (409), delete it. Exits non-zero on failure.

use oauth_examples::{Outcome, Target};
use oauth_sdk::management::OAuthClientChanges;
use oauth_sdk::{ApiKey, ClientId, ClientSecret, ManagementClient};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let email = t.credential("email", "admin@example.com")?;
    let key = ApiKey::new(t.credential("api-key", "demo-admin-key")?);
    let api = ManagementClient::builder(t.issuer().clone(), email, key).build()?;
    let clients = api
        .elasticio()
        .oauth_clients(t.credential("tenant", "demo-tenant")?);
    let component = t.option("component", "pizzavan");

    let id = ClientId::new("pizzavan-client");
    let secret = ClientSecret::new("pizzavan-secret");
    let record = clients
        .create(component.as_str(), id, secret)
        .send()
        .await?;
    println!(
        "created OAuth client {} for component {} (client_id {})",
        record.id,
        record.component,
        record.client_id.as_str()
    );
    let found = clients
        .list_for_component(component.as_str())
        .send()
        .await?;
    println!("filter[component]={component} -> {} record(s)", found.len());
    let rotate = OAuthClientChanges {
        client_secret: Some(ClientSecret::new("rotated-secret")),
        ..Default::default()
    };
    let updated = clients.update(&record.id, rotate).send().await?;
    println!(
        "secret rotated; the record shows only client_id {}",
        updated.client_id.as_str()
    );

    let again = (ClientId::new("again"), ClientSecret::new("again"));
    match clients
        .create(component.as_str(), again.0, again.1)
        .send()
        .await
    {
        Err(e) if e.is_conflict() => println!("second client for the component refused: {e}"),
        other => return Err(format!("expected a conflict, got {other:?}").into()),
    }
    clients.delete(&record.id).send().await?;
    println!("deleted");
    Ok(())
}
