//! An async OAuth 2.0 client SDK ([RFC 6749](https://www.rfc-editor.org/rfc/rfc6749)):
//! discovery, every flow the documented providers offer (GitLab, JetBrains
//! Hub, Phabricator, Segment), strict callbacks, pluggable client
//! authentication, tokens kept fresh, and typed clients of the management
//! APIs.
//!
//! Every operation is a small request builder ending in `.send().await`, and
//! every call returns [`Result`], whose [`Error`] is one enum for the whole
//! crate. Secrets live in redacted newtypes ([`ClientSecret`],
//! [`AccessToken`], [`ApiKey`]...): their `Debug` prints `[redacted]`.
//!
//! # 1. Find the server: discovery or a preset
//!
//! [`Provider::discover`] reads RFC 8414 metadata, then OpenID Connect
//! discovery, checks the issuer and keeps the endpoints and supported
//! methods ([`Provider::metadata`]); when nothing answers, the
//! [`Error::Discovery`] names each URL tried. Servers that publish no
//! metadata have presets: [`Provider::gitlab`], [`Provider::hub`],
//! [`Provider::phabricator`], [`Provider::segment`]; [`Provider::new`] builds
//! one by hand.
//!
//! ```no_run
//! # async fn demo() -> oauth_sdk::Result<()> {
//! use oauth_sdk::{Client, ClientId, ClientSecret, Provider};
//! let provider = Provider::discover("https://auth.example.com".parse().unwrap())
//!     .send()
//!     .await?;
//! let client = Client::builder(provider, ClientId::new("app-id"))
//!     .client_secret_basic(ClientSecret::new("app-secret"))
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! A [`Client`] is the provider, the client id and how it authenticates
//! ([`auth`]: `client_secret_basic`, `client_secret_post`,
//! [`PrivateKeyJwt`], none). It is cheap to clone.
//!
//! # 2. Get a token: the flows
//!
//! | flow | start | finish |
//! |---|---|---|
//! | authorization code + PKCE ([RFC 6749 §4.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1), [RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)) | [`Client::authorization_code`] → [`AuthorizationRequest`] | [`PendingAuthorization::validate`], then [`Client::exchange_code`] |
//! | implicit ([§4.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.2)) | [`Client::implicit`] | [`PendingImplicit::validate`] |
//! | client credentials ([§4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)) | [`Client::client_credentials`] | `.send()` |
//! | password ([§4.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.3)) | [`Client::password`] | `.send()` |
//! | refresh ([§6](https://www.rfc-editor.org/rfc/rfc6749#section-6)) | [`Client::refresh`] | `.send()` |
//! | JWT bearer ([RFC 7523](https://www.rfc-editor.org/rfc/rfc7523)) | [`Client::jwt_bearer`] | `.send()` |
//!
//! Token requests are [`TokenRequest`]s and answer a [`TokenResponse`]; they
//! and the authorization URL take scopes, `resource` indicators (RFC 8707),
//! `audience`, [`Prompt`], `login_hint` and any other `.param(name, value)`
//! the SDK does not set itself. Tokens are revoked with [`Client::revoke`]
//! (RFC 7009), introspected with [`Client::introspect`] (RFC 7662) and looked
//! up with [`Client::token_info`].
//!
//! The code flow, with a native app's loopback redirect
//! ([`LoopbackListener`], RFC 8252):
//!
//! ```no_run
//! # async fn demo(client: oauth_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use oauth_sdk::{LoopbackListener, Scope};
//! let listener = LoopbackListener::bind("/callback").await?;
//! let request = client
//!     .authorization_code(listener.redirect_url().clone())
//!     .scope(Scope::new("read_user")?)
//!     .build()?;
//! println!("open {}", request.url());
//! let (_, pending) = request.into_parts();
//! // The callback is checked (redirect URI, `state`, `iss`, `error`) before
//! // its code can be exchanged; `pending` is consumed, so a code is
//! // redeemed once.
//! let callback = listener.wait(pending, std::time::Duration::from_secs(300)).await?;
//! let token = client.exchange_code(callback).send().await?;
//! println!("expires in {:?}", token.expires_in());
//! # Ok(()) }
//! ```
//!
//! A web app keeps the [`PendingAuthorization`] (from
//! [`AuthorizationRequest::into_parts`]) until its redirect URI is hit, then
//! calls [`PendingAuthorization::validate`] with the URL it received.
//!
//! Pushed authorization requests ([RFC 9126](https://www.rfc-editor.org/rfc/rfc9126)):
//! end the builder with `.send().await` instead of `.build()`, and the request
//! is POSTed to the provider's `pushed_authorization_request_endpoint` with the
//! client's authentication when the provider's metadata says
//! `require_pushed_authorization_requests` or the app asks with `.push(true)`;
//! the URL then carries only `client_id` and `request_uri`. `.build()` refuses
//! a request that must be pushed.
//!
//! # 3. Keep the token fresh: [`TokenSource`]
//!
//! A [`TokenSource`] caches a token, renews it ahead of expiry with one
//! request however many callers wait, retries what is retryable
//! ([`RetryPolicy`]), corrects clock skew from `Date`, and persists through a
//! [`TokenStore`] ([`MemoryStore`], [`FileStore`]). When only the user can
//! help, its error says so ([`Error::is_reauthorization_required`]).
//!
//! ```no_run
//! # async fn demo(client: oauth_sdk::Client, first: oauth_sdk::TokenResponse) -> oauth_sdk::Result<()> {
//! use oauth_sdk::{FileStore, Scope, TokenSource};
//! // Client credentials: fetched again when it expires.
//! let service = TokenSource::client_credentials(client.clone())
//!     .scopes([Scope::new("api")?])
//!     .build()
//!     .await?;
//! // A user's token, renewed with its refresh token and saved in a file.
//! let user = TokenSource::refreshing(client)
//!     .token(first.into_token())
//!     .store(FileStore::new("token.json"))
//!     .build()
//!     .await?;
//! let access = user.access_token().await?;
//! # let _ = (service, access); Ok(()) }
//! ```
//!
//! # 4. Call an API: [`AuthorizedClient`]
//!
//! [`AuthorizedClient::send`] puts the source's token on an [`http`] request
//! where the provider wants it (header, or query for Phabricator), and on a
//! 401 renews the token and sends once more.
//!
//! ```no_run
//! # async fn demo(source: oauth_sdk::TokenSource) -> Result<(), Box<dyn std::error::Error>> {
//! use oauth_sdk::{AuthorizedClient, http};
//! let api = AuthorizedClient::new(source);
//! let request = http::Request::get("https://api.example.com/me").body(Vec::new())?;
//! let response = api.send(request).await?;
//! println!("{}", response.status());
//! # Ok(()) }
//! ```
//!
//! # 5. Manage clients: [`management`]
//!
//! [`ManagementClient::builder`] makes a client of the management APIs, one
//! handler per vendor: elastic.io tenant OAuth clients
//! ([`ManagementClient::elasticio`]), Hub services ([`ManagementClient::hub`])
//! and Segment OAuth apps and sources ([`ManagementClient::segment`]). Each
//! operation returns a [`ManagementRequest`](management::ManagementRequest)
//! ending in `.send().await`.
//!
//! ```no_run
//! # async fn demo() -> oauth_sdk::Result<()> {
//! use oauth_sdk::{ApiKey, ManagementClient};
//! let api = ManagementClient::builder(
//!     "https://api.example.com".parse().unwrap(),
//!     "admin@example.com",
//!     ApiKey::new("key"),
//! )
//! .build()?;
//! let apps = api.segment().oauth_apps("my-workspace").list().send().await?;
//! # let _ = apps; Ok(()) }
//! ```
//!
//! # Errors
//!
//! [`Error`] keeps the server's answer typed: [`Error::OAuth`] with its
//! [`ErrorCode`], [`Error::Api`] for a management API's JSON:API error,
//! [`Error::Status`] for any other HTTP error, both of the latter with
//! `Retry-After`; ask [`Error::is_retryable`] and [`Error::retry_after`]
//! rather than matching statuses. Values the SDK refuses before sending say
//! which value and why ([`Error::InvalidParameter`], [`Error::InvalidUrl`],
//! [`Error::InsecureUrl`], [`Error::InvalidKey`]).
//!
//! Module map: [`provider`] (endpoints, presets, discovery), [`auth`] (client
//! authentication), [`flows`] (request builders), [`token`] (token
//! responses), [`lifecycle`] (token sources and stores), [`management`]
//! (management APIs), [`error`] (the one error type). The public API names
//! only the SDK's own types, [`url::Url`] and [`http`] types.

pub mod auth;
mod authorized;
mod client;
pub mod error;
pub mod flows;
pub mod lifecycle;
mod loopback;
pub mod management;
pub mod provider;
mod response;
mod secret;
pub mod token;
mod transport;
mod types;

/// The `http` crate, re-exported: [`AuthorizedClient::send`] takes an
/// `http::Request` and [`Error::Status`] carries an `http::StatusCode`, so an
/// application needs no second dependency for them.
pub use http;

pub use auth::{ClientAuth, ClientSecretBasic, ClientSecretPost, NoClientAuth, PrivateKeyJwt};
pub use authorized::AuthorizedClient;
pub use client::{Client, ClientBuilder};
pub use error::{Error, ErrorCode, ProtocolViolation, Result};
pub use flows::code::{AuthorizationCallback, AuthorizationRequest, PendingAuthorization};
pub use flows::extra::Prompt;
pub use flows::grants::TokenRequest;
pub use flows::implicit::PendingImplicit;
pub use flows::tokens::{AnyToken, Introspection, TokenInfo};
#[cfg(feature = "redis")]
pub use lifecycle::{EncryptionKey, RedisStore, RedisStoreBuilder};
pub use lifecycle::{
    FileStore, Grant, Lease, MemoryStore, RetryPolicy, StoreError, TokenSource, TokenSourceBuilder,
    TokenStore, Versioned,
};
pub use loopback::{LoopbackError, LoopbackListener};
pub use management::{ApiError, ApiKey, ManagementClient};
pub use provider::{Provider, SegmentRegion, TokenPlacement};
pub use secret::{
    AccessToken, Assertion, AuthorizationCode, ClientSecret, CsrfState, PkceVerifier, RefreshToken,
    ResourceOwnerPassword,
};
pub use token::{Token, TokenResponse, TokenType};
pub use types::{ClientId, RedirectUrl, Scope};
