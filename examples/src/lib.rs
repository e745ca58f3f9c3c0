//! The logic of the runnable examples in `examples/examples/`: each example
//! is a thin `main` over one function here, so `cargo test` runs them all
//! (`tests/run_examples.rs`).
//!
//! Every example works against a reference server it starts in-process on
//! `127.0.0.1:0` with the demo fixture, or against `--issuer URL`.

pub mod browser;
mod segment;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use oauth_sdk::{
    AuthorizedClient, Client, ClientId, ClientSecret, LoopbackListener, PrivateKeyJwt, Provider,
    RedirectUrl, ResourceOwnerPassword, Scope, TokenSource,
};
use oauth_server_reference::{Config, ServerHandle, spawn};
use url::Url;

use crate::browser::Browser;
pub use crate::segment::segment_oauth_apps;

/// Any error an example can end with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the examples return.
pub type Outcome = Result<(), BoxError>;

/// The server an example talks to.
#[derive(Debug)]
pub struct Target {
    base: Url,
    _server: Option<ServerHandle>,
}

impl Target {
    /// Uses `--issuer URL` from the command line, or starts the reference
    /// server with the demo fixture on a free loopback port.
    pub async fn from_args() -> Result<Self, BoxError> {
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            if a == "--issuer" {
                let url = args.next().ok_or("--issuer needs a URL")?;
                return Ok(Self {
                    base: url.parse()?,
                    _server: None,
                });
            }
        }
        Self::embedded().await
    }

    /// Starts the reference server with the demo fixture on `127.0.0.1:0`.
    pub async fn embedded() -> Result<Self, BoxError> {
        let addr: SocketAddr = "127.0.0.1:0".parse()?;
        let server = spawn(Config::demo(), addr).await?;
        Ok(Self {
            base: server.base_url().clone(),
            _server: Some(server),
        })
    }

    /// The server's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The GitLab-dialect provider (`/oauth/*`, `/api/v4/user`).
    pub fn provider(&self) -> Result<Provider, BoxError> {
        Ok(Provider::gitlab(&self.base)?)
    }

    /// The demo confidential client (`client_secret_basic`).
    pub fn confidential(&self) -> Result<Client, BoxError> {
        Ok(
            Client::builder(self.provider()?, ClientId::new("demo-confidential"))
                .client_secret_basic(ClientSecret::new("demo-confidential-secret"))
                .build()?,
        )
    }
}

/// Runs an example: a target from the arguments, then `f`; prints the error
/// and exits with 1 on failure.
pub async fn main_with<F, Fut>(f: F) -> ExitCode
where
    F: FnOnce(Target) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let result = match Target::from_args().await {
        Ok(t) => f(t).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn scope(s: &str) -> Result<Scope, BoxError> {
    Ok(Scope::new(s)?)
}

/// GETs the current user with `client`'s provider placement; returns status and body.
async fn whoami(client: &Client, token: &oauth_sdk::Token) -> Result<(u16, String), BoxError> {
    let url = client
        .provider()
        .resource_endpoint()
        .ok_or("no resource endpoint")?;
    let mut req = http::Request::get(url.as_str()).body(Vec::new())?;
    client.authorize(token, &mut req)?;
    let resp = reqwest::Client::new()
        .execute(reqwest::Request::try_from(req)?)
        .await?;
    Ok((resp.status().as_u16(), resp.text().await?))
}

/// Authorization code + PKCE with the loopback listener (RFC 8252), the
/// example playing the browser as `alice`.
pub async fn authorization_code(t: Target) -> Outcome {
    let client = Client::builder(t.provider()?, ClientId::new("demo-public")).build()?;
    let listener = LoopbackListener::bind("/callback").await?;
    let redirect = listener.redirect_url().clone();
    println!("listening for the callback at {}", redirect.as_str());
    let (url, pending) = client
        .authorization_code(redirect.clone())
        .scope(scope("read_user")?)
        .build()?
        .into_parts();
    println!("authorization URL: {}", url.path());
    let waiting = tokio::spawn(listener.wait(pending, Duration::from_secs(60)));
    let callback = Browser::new("alice", "alice-password")?
        .authorize(&url, redirect.as_str())
        .await?;
    let page = reqwest::get(callback).await?;
    println!("browser shown: HTTP {}", page.status().as_u16());
    let validated = waiting.await??;
    let token = client.exchange_code(validated).send().await?;
    println!(
        "access token received, expires in {:?}, refresh token: {}",
        token.expires_in(),
        token.refresh_token().is_some()
    );
    let (status, body) = whoami(&client, token.token()).await?;
    println!("GET /api/v4/user -> {status} {body}");
    if status != 200 {
        return Err(format!("resource answered {status}").into());
    }
    Ok(())
}

/// Implicit grant: the token comes back in the redirect's fragment.
///
/// # Security
/// RFC 9700 advises against the implicit grant; prefer the code flow with PKCE.
pub async fn implicit(t: Target) -> Outcome {
    let redirect = "http://127.0.0.1:9876/implicit";
    let client = Client::builder(t.provider()?, ClientId::new("demo-implicit")).build()?;
    let (url, pending) = client
        .implicit(RedirectUrl::parse(redirect)?)
        .scope(scope("read_user")?)
        .build()?;
    let callback = Browser::new("alice", "alice-password")?
        .authorize(&url, redirect)
        .await?;
    let token = pending.validate(&callback)?;
    println!(
        "token from the fragment, expires in {:?}",
        token.expires_in()
    );
    let info = client.token_info(token.access_token()).send().await?;
    let app = info.application_uid.as_ref().map(ClientId::as_str);
    println!("token info: issued to application {app:?}");
    if app != Some("demo-implicit") {
        return Err("token belongs to another application".into());
    }
    Ok(())
}

/// Resource owner password credentials (first-party apps only).
pub async fn password(t: Target) -> Outcome {
    let client = t.confidential()?;
    let token = client
        .password("alice", &ResourceOwnerPassword::new("alice-password"))
        .scope(scope("read_user")?)
        .send()
        .await?;
    println!(
        "alice's token, expires in {:?}, refresh token: {}",
        token.expires_in(),
        token.refresh_token().is_some()
    );
    let (status, body) = whoami(&client, token.token()).await?;
    println!("GET /api/v4/user -> {status} {body}");
    Ok(())
}

/// Client credentials: the client acts on its own behalf.
pub async fn client_credentials(t: Target) -> Outcome {
    let client = t.confidential()?;
    let token = client
        .client_credentials()
        .scope(scope("api")?)
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

/// Refresh with rotation, then a token source that refreshes on its own.
pub async fn refresh(t: Target) -> Outcome {
    let client = t.confidential()?;
    let first = client
        .password("alice", &ResourceOwnerPassword::new("alice-password"))
        .send()
        .await?;
    let old = first.refresh_token().ok_or("no refresh token")?.clone();
    let second = client.refresh(&old).send().await?;
    let rotated = second.refresh_token().is_some_and(|r| *r != old);
    println!("refreshed: new access token, refresh token rotated: {rotated}");
    // The replaced refresh token is dead now: a token source reports it.
    let stale = first.into_token();
    let source = TokenSource::refreshing(client.clone())
        .leeway(Duration::from_secs(u64::from(u32::MAX)))
        .token(stale)
        .build()
        .await?;
    match source.access_token().await {
        Err(e) if e.is_reauthorization_required() => {
            println!("old refresh token: re-authorization required")
        }
        other => return Err(format!("expected re-authorization, got {other:?}").into()),
    }
    Ok(())
}

/// Segment-style client credentials with a signed JWT assertion
/// (`private_key_jwt`, RFC 7523 §2.2) at `/token`.
pub async fn jwt_assertion(t: Target) -> Outcome {
    let key = include_bytes!("../../server-reference/fixtures/demo-jwt-private.pem");
    let auth = PrivateKeyJwt::rs256_from_pem(key, "demo-key-1")?;
    let provider = Provider::segment_at(&t.base)?.with_token_endpoint(t.base.join("/token")?);
    let client = Client::builder(provider, ClientId::new("demo-jwt"))
        .auth(auth)
        .build()?;
    let token = client
        .client_credentials()
        .scope(scope("tracking_api:write")?)
        .send()
        .await?;
    println!(
        "Segment app token, expires in {:?}, scopes {:?}",
        token.expires_in(),
        token.scopes()
    );
    Ok(())
}

/// Revocation (RFC 7009), checked with token info.
pub async fn revocation(t: Target) -> Outcome {
    let client = t.confidential()?;
    let token = client
        .client_credentials()
        .scope(scope("api")?)
        .send()
        .await?;
    client.revoke(token.access_token()).send().await?;
    println!("revoked");
    match client.token_info(token.access_token()).send().await {
        Err(e) => println!("token info after revocation: {e}"),
        Ok(_) => return Err("revoked token still valid".into()),
    }
    Ok(())
}

/// Token info (doorkeeper's `/oauth/token/info`).
pub async fn token_info(t: Target) -> Outcome {
    let client = t.confidential()?;
    let token = client
        .client_credentials()
        .scope(scope("api")?)
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

/// A token source and the authorized client calling the user API.
pub async fn authorized_client(t: Target) -> Outcome {
    let client = t.confidential()?;
    let token = client
        .password("alice", &ResourceOwnerPassword::new("alice-password"))
        .scope(scope("read_user")?)
        .send()
        .await?;
    let source = TokenSource::refreshing(client.clone())
        .token(token.into_token())
        .build()
        .await?;
    let api = AuthorizedClient::new(source);
    let url = t.base.join("/api/v4/user")?;
    for _ in 0..2 {
        let resp = api
            .send(http::Request::get(url.as_str()).body(Vec::new())?)
            .await?;
        println!(
            "GET /api/v4/user -> {} {}",
            resp.status().as_u16(),
            String::from_utf8_lossy(resp.body())
        );
        if resp.status() != 200 {
            return Err(format!("resource answered {}", resp.status()).into());
        }
    }
    Ok(())
}

/// The demo administrator's management client (`admin@example.com`).
fn management(t: &Target) -> Result<oauth_sdk::ManagementClient, BoxError> {
    Ok(oauth_sdk::ManagementClient::new(
        t.base.clone(),
        "admin@example.com",
        oauth_sdk::ApiKey::new("demo-admin-key"),
    )?)
}

/// elastic.io tenant OAuth clients: create, list by component, update,
/// a refused duplicate, delete.
pub async fn tenant_oauth_clients(t: Target) -> Outcome {
    use oauth_sdk::management::{ComponentId, TenantId};
    let api = management(&t)?;
    let clients = api.tenants().oauth_clients(TenantId::new("demo-tenant"));
    let pizzavan = ComponentId::new("pizzavan");
    let record = clients
        .create(
            pizzavan.clone(),
            ClientId::new("pizzavan-client"),
            ClientSecret::new("pizzavan-secret"),
        )
        .send()
        .await?;
    println!(
        "created OAuth client {} for component {} (client_id {})",
        record.id,
        record.component,
        record.client_id.as_str()
    );
    let found = clients.list().component(pizzavan.clone()).send().await?;
    println!("filter[component]=pizzavan -> {} record(s)", found.len());
    let updated = clients
        .update(record.id.clone())
        .client_secret(ClientSecret::new("rotated-secret"))
        .send()
        .await?;
    println!(
        "secret rotated; the record still shows only client_id {}",
        updated.client_id.as_str()
    );
    match clients
        .create(pizzavan, ClientId::new("again"), ClientSecret::new("again"))
        .send()
        .await
    {
        Err(e) if e.is_conflict() => println!("second client for the component refused: {e}"),
        other => return Err(format!("expected a conflict, got {other:?}").into()),
    }
    clients.delete(record.id).send().await?;
    println!("deleted");
    Ok(())
}

/// Hub service registration: register, get a client-credentials token with
/// the returned secret, mark the service trusted.
pub async fn hub_services(t: Target) -> Outcome {
    let api = management(&t)?;
    let registered = api
        .register_service(oauth_sdk::management::ServiceRegistration {
            name: "Example CI".into(),
            home_url: Some("https://ci.example.com/".parse()?),
            redirect_uris: vec!["https://ci.example.com/oauth/callback".parse()?],
            application_name: Some("Example CI".into()),
            vendor: Some("Example Inc.".into()),
            version: Some("1.0".into()),
        })
        .await?;
    println!("registered service {}", registered.id);
    let client = Client::builder(Provider::hub(&t.base)?, registered.id.client_id())
        .client_secret_basic(registered.secret.clone())
        .build()?;
    let token = client
        .client_credentials()
        .scope(scope("api")?)
        .send()
        .await?;
    println!(
        "client credentials token with the returned secret, type {}",
        token.token_type().as_str()
    );
    let service = api.set_trusted(&registered.id, true).await?;
    println!("service {:?} trusted: {}", service.name, service.trusted);
    Ok(())
}
