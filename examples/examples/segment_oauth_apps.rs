//! Run with: `cargo run -p oauth-examples --example segment_oauth_apps`
//!
//! Against another Segment-style server: `… -- --issuer URL --email EMAIL
//! --api-key KEY --tenant T --source S --write-key K --public-key PEM_FILE
//! --private-key PEM_FILE` (or the `OAUTH_*` variables of the same names).
//!
//! Segment OAuth apps, as an administrator: create an app with a public key,
//! get a token as the app (`private_key_jwt`), connect it to a source that
//! then enforces OAuth, track without and with the token (401, 200), revoke
//! the token (401), see a connected app's deletion refused (409), clean up.

use oauth_examples::{Outcome, Target, demo_file, track};
use oauth_sdk::management::{NewOAuthApp, OAuthAppScope, PublicKeyPem, TokenExpirationPeriod};
use oauth_sdk::{ApiKey, Client, ManagementClient, PrivateKeyJwt, Provider};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    oauth_examples::main(run).await
}

pub async fn run(t: Target) -> Outcome {
    let email = t.credential("email", "admin@example.com")?;
    let key = ApiKey::new(t.credential("api-key", "demo-admin-key")?);
    let api = ManagementClient::builder(t.issuer().clone(), email, key).build()?;
    let tenant = t.credential("tenant", "demo-tenant")?;
    let apps = api.segment().oauth_apps(tenant.as_str());
    let sources = api.segment().sources(tenant.as_str());
    let source = t.credential("source", "demo-source")?;
    let write_key = t.credential("write-key", "demo-write-key")?;
    let public_key = t.credential("public-key", demo_file!("demo-jwt-public.pem"))?;
    let private_key = t.credential("private-key", demo_file!("demo-jwt-private.pem"))?;

    let new = NewOAuthApp {
        name: "Example warehouse sync".into(),
        public_key: PublicKeyPem::new(std::fs::read_to_string(public_key)?),
        public_key_name: "example key".into(),
        token_expiration_period: TokenExpirationPeriod::OneWeek,
        scopes: vec![OAuthAppScope::TrackingApiWrite],
    };
    let app = apps.create(new).send().await?;
    let kid = &app.keys.first().ok_or("the app has no key")?.id;
    println!("created OAuth app {} with key {kid}", app.id);

    // The app is an OAuth client: its id is the client_id, its key id the kid.
    let auth = PrivateKeyJwt::rs256_from_pem(&std::fs::read(private_key)?, kid.as_str())?;
    let client = Client::builder(Provider::segment_at(t.issuer())?, app.client_id())
        .auth(auth)
        .build()?;
    let scope = OAuthAppScope::TrackingApiWrite.scope();
    let token = client.client_credentials().scope(scope).send().await?;
    let bearer = Some(token.access_token().secret());

    sources.connect(source.as_str(), &app.id).send().await?;
    let enforcing = sources.enable_enforcement(source.as_str()).send().await?;
    println!(
        "source {} connected, OAuth enforced: {}",
        enforcing.id, enforcing.oauth_enforced
    );
    let without = track(t.issuer(), &write_key, None).await?;
    let with = track(t.issuer(), &write_key, bearer).await?;
    let revoke = apps.revoke_token(&app.id, token.access_token());
    revoke.send().await?;
    let revoked = track(t.issuer(), &write_key, bearer).await?;
    println!("POST /v1/track: without a token {without}, with it {with}, once revoked {revoked}");
    if (without, with, revoked) != (401, 200, 401) {
        return Err("the tracking API did not follow the source's enforcement".into());
    }

    match apps.delete(&app.id).send().await {
        Err(e) if e.is_conflict() => println!("deleting a connected app refused: {e}"),
        other => return Err(format!("expected a conflict, got {other:?}").into()),
    }
    sources.disable_enforcement(source.as_str()).send().await?;
    sources.disconnect(source.as_str()).send().await?;
    apps.delete(&app.id).send().await?;
    println!("enforcement off, source disconnected, app deleted");
    Ok(())
}
