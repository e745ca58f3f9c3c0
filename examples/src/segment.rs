//! The Segment OAuth-apps example (`examples/examples/segment_oauth_apps.rs`).

use oauth_sdk::management::{
    NewOAuthApp, OAuthAppScope, PublicKeyPem, SourceId, TenantId, TokenExpirationPeriod,
};
use oauth_sdk::{AccessToken, Client, PrivateKeyJwt, Provider};

use crate::{Outcome, Target, management};

/// The demo app key pair (`server-reference/fixtures/`); a real app keeps
/// its private key to itself and uploads only the public one.
const PUBLIC_PEM: &str = include_str!("../../server-reference/fixtures/demo-jwt-public.pem");
const PRIVATE_PEM: &[u8] = include_bytes!("../../server-reference/fixtures/demo-jwt-private.pem");

/// `POST /v1/track` for `demo-source` (write key in the body); the status.
async fn track(t: &Target, token: Option<&AccessToken>) -> Result<u16, crate::BoxError> {
    let event =
        r#"{"writeKey":"demo-write-key","type":"track","event":"Example Ran","userId":"u1"}"#;
    let mut req = reqwest::Client::new()
        .post(t.base().join("/v1/track")?)
        .header("content-type", "application/json")
        .body(event);
    if let Some(token) = token {
        req = req.bearer_auth(token.secret());
    }
    Ok(req.send().await?.status().as_u16())
}

/// Segment OAuth apps: create an app with a public key, get a token as the
/// app (`private_key_jwt`), connect it to a source that enforces OAuth, track
/// with and without the token, revoke it, then undo everything.
pub async fn segment_oauth_apps(t: Target) -> Outcome {
    let api = management(&t)?;
    let tenant = TenantId::new("demo-tenant");
    let apps = api.tenants().oauth_apps(tenant.clone());
    let sources = api.tenants().sources(tenant);
    let source = SourceId::new("demo-source");
    let app = apps
        .create(&NewOAuthApp {
            name: "Example warehouse sync".into(),
            public_key: PublicKeyPem::new(PUBLIC_PEM),
            public_key_name: "example key".into(),
            token_expiration_period: TokenExpirationPeriod::OneWeek,
            scopes: vec![OAuthAppScope::TrackingApiWrite],
        })
        .send()
        .await?;
    let kid = &app.keys.first().ok_or("the app has no key")?.id;
    println!("created OAuth app {} with key {kid}", app.id);

    // The app is an OAuth client: its id is the client_id, its key id the kid.
    let auth = PrivateKeyJwt::rs256_from_pem(PRIVATE_PEM, kid.as_str())?;
    let client = Client::builder(Provider::segment_at(t.base())?, app.client_id())
        .auth(auth)
        .build()?;
    let token = client
        .client_credentials()
        .scope(OAuthAppScope::TrackingApiWrite.scope())
        .send()
        .await?;
    println!("token as the app, expires in {:?}", token.expires_in());

    sources.connect(&source, &app.id).send().await?;
    let enforcing = sources.enable_enforcement(&source).send().await?;
    println!(
        "source {} connected, OAuth enforced: {}",
        enforcing.id, enforcing.oauth_enforced
    );
    let without = track(&t, None).await?;
    let with = track(&t, Some(token.access_token())).await?;
    println!("POST /v1/track without a token -> {without}, with it -> {with}");
    apps.revoke_token(&app.id, token.access_token())
        .send()
        .await?;
    let revoked = track(&t, Some(token.access_token())).await?;
    println!("token revoked by value; POST /v1/track with it -> {revoked}");
    if (without, with, revoked) != (401, 200, 401) {
        return Err("the tracking API did not follow the source's enforcement".into());
    }

    match apps.delete(&app.id).send().await {
        Err(e) if e.is_conflict() => println!("deleting a connected app refused: {e}"),
        other => return Err(format!("expected a conflict, got {other:?}").into()),
    }
    sources.disable_enforcement(&source).send().await?;
    sources.disconnect(&source).send().await?;
    apps.delete(&app.id).send().await?;
    println!("enforcement off, source disconnected, app deleted");
    Ok(())
}
