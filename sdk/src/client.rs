//! The client: a provider, a client id and its authentication, and one HTTP
//! stack that every request goes through.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::auth::{
    AuthContext, AuthRequest, ClientAuth, ClientSecretBasic, ClientSecretPost, NoClientAuth,
};
use crate::error::{Error, ProtocolViolation, Result};
use crate::provider::Provider;
use crate::secret::ClientSecret;
use crate::transport::{DEFAULT_TIMEOUT, Http};
use crate::types::{ClientId, check_secure};

/// An OAuth 2.0 client of one provider. Cheap to clone (an `Arc` inside);
/// build it with [`Client::builder`].
///
/// Each operation is a small request builder ending in `.send().await`:
/// `client.client_credentials().scope(s).send().await`.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) provider: Provider,
    pub(crate) client_id: ClientId,
    pub(crate) auth: Arc<dyn ClientAuth>,
    pub(crate) http: Http,
    pub(crate) require_refresh_token: bool,
}

/// Builds a [`Client`]. Required values in [`Client::builder`], optional ones
/// as setters, validated once in [`build`](ClientBuilder::build).
#[derive(Debug)]
#[must_use = "call .build()"]
pub struct ClientBuilder {
    provider: Provider,
    client_id: ClientId,
    auth: Arc<dyn ClientAuth>,
    timeout: Duration,
    allow_http: bool,
    require_refresh_token: bool,
}

impl Client {
    /// Starts building a client of `provider` with id `client_id`.
    pub fn builder(provider: Provider, client_id: ClientId) -> ClientBuilder {
        ClientBuilder {
            provider,
            client_id,
            auth: Arc::new(NoClientAuth),
            timeout: DEFAULT_TIMEOUT,
            allow_http: false,
            require_refresh_token: false,
        }
    }

    /// The provider.
    pub fn provider(&self) -> &Provider {
        &self.inner.provider
    }

    /// The client id.
    pub fn client_id(&self) -> &ClientId {
        &self.inner.client_id
    }

    /// Puts `token` on a resource request where this provider wants it: the
    /// `Authorization: Bearer` header, or the `access_token` query parameter
    /// for Phabricator ([RFC 6750 §2](https://www.rfc-editor.org/rfc/rfc6750#section-2)).
    ///
    /// # Security
    /// A query-string token ends up in logs; see [`TokenPlacement::Query`](crate::TokenPlacement::Query).
    pub fn authorize<B>(&self, token: &crate::Token, req: &mut http::Request<B>) -> Result<()> {
        token.authorize(req, self.inner.provider.token_placement())
    }

    /// Builds an authenticated form POST to `endpoint`
    /// ([RFC 6749 Appendix B](https://www.rfc-editor.org/rfc/rfc6749#appendix-B) encoding).
    pub(crate) async fn form_request(
        &self,
        endpoint: &Url,
        params: impl IntoIterator<Item = (impl Into<String>, String)>,
    ) -> Result<http::Request<Vec<u8>>> {
        let mut req = AuthRequest {
            params: params.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            headers: http::HeaderMap::new(),
        };
        let audience = self.inner.provider.assertion_audience();
        let ctx = AuthContext {
            client_id: &self.inner.client_id,
            endpoint,
            audience: &audience,
        };
        self.inner.auth.authenticate(&ctx, &mut req).await?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&req.params)
            .finish();
        let mut builder = http::Request::post(endpoint.as_str())
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, "application/json");
        if let Some(h) = builder.headers_mut() {
            h.extend(req.headers);
        }
        builder
            .body(body.into_bytes())
            .map_err(crate::error::request_url_error)
    }

    /// Sends a request through the client's one HTTP stack.
    pub(crate) async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>> {
        self.inner.http.send(req).await
    }

    pub(crate) fn endpoint(&self, which: Option<&Url>, name: &'static str) -> Result<Url> {
        which
            .cloned()
            .ok_or(Error::Protocol(ProtocolViolation::MissingEndpoint(name)))
    }
}

impl ClientBuilder {
    /// Sets the client authentication method (default: [`NoClientAuth`], a
    /// public client sending only `client_id`).
    pub fn auth(mut self, auth: impl ClientAuth + 'static) -> Self {
        self.auth = Arc::new(auth);
        self
    }

    /// Shorthand for `.auth(ClientSecretBasic(secret))`.
    pub fn client_secret_basic(self, secret: ClientSecret) -> Self {
        self.auth(ClientSecretBasic(secret))
    }

    /// Shorthand for `.auth(ClientSecretPost(secret))`.
    pub fn client_secret_post(self, secret: ClientSecret) -> Self {
        self.auth(ClientSecretPost(secret))
    }

    /// Sets the timeout of each request (default: 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Allows plain HTTP to non-loopback hosts (default: `false`; HTTPS is
    /// required except on `127.0.0.0/8`, `[::1]` and `localhost`,
    /// [RFC 6749 §10.9](https://www.rfc-editor.org/rfc/rfc6749#section-10.9)).
    ///
    /// # Security
    /// Tokens and secrets then cross the network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Requires a `refresh_token` in every token response to the grants that act
    /// for a user (authorization code, password): one without it is then a
    /// [`ProtocolViolation::MissingRefreshToken`] error (default: `false`). For
    /// clients that must keep access without the user, like elastic.io's
    /// components: "A refresh_token is required for every OAuth 2.0 key".
    pub fn require_refresh_token(mut self, require: bool) -> Self {
        self.require_refresh_token = require;
        self
    }

    /// Validates the endpoints and builds the client.
    pub fn build(self) -> Result<Client> {
        for (name, url) in self.provider.endpoints() {
            check_secure(url, name, self.allow_http)?;
        }
        let http = Http::new(self.timeout)?;
        Ok(Client {
            inner: Arc::new(Inner {
                provider: self.provider,
                client_id: self.client_id,
                auth: self.auth,
                http,
                require_refresh_token: self.require_refresh_token,
            }),
        })
    }
}
