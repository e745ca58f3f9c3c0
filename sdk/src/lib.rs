//! An async OAuth 2.0 client SDK ([RFC 6749](https://www.rfc-editor.org/rfc/rfc6749)):
//! every flow the documented providers offer (GitLab, JetBrains Hub,
//! Phabricator, Segment), strict callbacks, pluggable client authentication.
//!
//! ```no_run
//! # async fn demo() -> oauth_sdk::Result<()> {
//! use oauth_sdk::{Client, ClientId, ClientSecret, Provider, Scope};
//! let provider = Provider::gitlab(&"https://gitlab.example.com".parse().unwrap())?;
//! let client = Client::builder(provider, ClientId::new("app-id"))
//!     .client_secret_basic(ClientSecret::new("app-secret"))
//!     .build()?;
//! let token = client.client_credentials().scope(Scope::new("api")?).send().await?;
//! # let _ = token; Ok(()) }
//! ```
//!
//! Module map: [`provider`] (endpoints, presets, discovery), [`auth`] (client
//! authentication), [`flows`] (request builders), [`token`] (token responses),
//! [`error`] (the one error type). Secrets live in redacted newtypes
//! ([`ClientSecret`], [`AccessToken`]...).

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
