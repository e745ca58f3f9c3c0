//! Token endpoint grants: password, client credentials, refresh, JWT bearer,
//! and the code exchange, all through one [`TokenRequest`] builder.

use std::time::SystemTime;

use crate::client::Client;
use crate::error::{Error, ProtocolViolation, Result};
use crate::flows::extra::{ExtraParams, extra_param_methods};
use crate::response;
use crate::secret::{Assertion, RefreshToken, ResourceOwnerPassword};
use crate::token::TokenResponse;
use crate::types::Scope;

/// `grant_type` of the JWT bearer grant ([RFC 7523 §2.1](https://www.rfc-editor.org/rfc/rfc7523#section-2.1)).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A request to the token endpoint ([RFC 6749 §3.2](https://www.rfc-editor.org/rfc/rfc6749#section-3.2)).
/// Finish with [`send`](Self::send), or inspect the exact HTTP request with
/// [`http_request`](Self::http_request).
#[derive(Debug)]
#[must_use = "call .send().await"]
pub struct TokenRequest {
    client: Client,
    params: Vec<(&'static str, String)>,
    scopes: Vec<Scope>,
    extra: ExtraParams,
    keep_refresh: Option<RefreshToken>,
}

impl Client {
    /// Client credentials grant ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)):
    /// the client acts on its own behalf.
    pub fn client_credentials(&self) -> TokenRequest {
        TokenRequest::new(
            self.clone(),
            vec![("grant_type", "client_credentials".into())],
        )
    }

    /// Resource owner password credentials grant
    /// ([RFC 6749 §4.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.3)).
    ///
    /// # Security
    /// The application sees the user's password. RFC 9700 §2.4 says this grant
    /// MUST NOT be used; keep it for first-party, securely hosted services
    /// where nothing else works (GitLab's advice). Servers refuse it for users
    /// with two-factor authentication.
    pub fn password(
        &self,
        username: impl Into<String>,
        password: &ResourceOwnerPassword,
    ) -> TokenRequest {
        TokenRequest::new(
            self.clone(),
            vec![
                ("grant_type", "password".into()),
                ("username", username.into()),
                ("password", password.secret().to_owned()),
            ],
        )
    }

    /// Refresh grant ([RFC 6749 §6](https://www.rfc-editor.org/rfc/rfc6749#section-6)).
    /// When the server returns no new refresh token, the response carries the
    /// old one, so the caller can always store what it gets.
    pub fn refresh(&self, refresh_token: &RefreshToken) -> TokenRequest {
        let mut r = TokenRequest::new(
            self.clone(),
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh_token.secret().to_owned()),
            ],
        );
        r.keep_refresh = Some(refresh_token.clone());
        r
    }

    /// JWT bearer grant: a signed assertion as authorization grant
    /// ([RFC 7523 §2.1](https://www.rfc-editor.org/rfc/rfc7523#section-2.1)).
    pub fn jwt_bearer(&self, assertion: &Assertion) -> TokenRequest {
        TokenRequest::new(
            self.clone(),
            vec![
                ("grant_type", JWT_BEARER_GRANT_TYPE.into()),
                ("assertion", assertion.secret().to_owned()),
            ],
        )
    }
}

impl TokenRequest {
    pub(crate) fn new(client: Client, params: Vec<(&'static str, String)>) -> Self {
        Self {
            client,
            params,
            scopes: Vec::new(),
            extra: ExtraParams::default(),
            keep_refresh: None,
        }
    }

    /// Adds a requested scope ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3));
    /// on a refresh, it may only narrow the original grant.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scopes.push(scope);
        self
    }

    /// Adds requested scopes.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes.extend(scopes);
        self
    }

    extra_param_methods!();

    /// The exact HTTP request [`send`](Self::send) would send (a fresh one
    /// each call: JWT assertions get a new `jti`). It contains secrets.
    pub async fn http_request(&self) -> Result<http::Request<Vec<u8>>> {
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        if !self.scopes.is_empty() {
            params.push(("scope".into(), Scope::join(&self.scopes)));
        }
        params.extend(self.extra.pairs()?.iter().cloned());
        self.client
            .form_request(self.client.provider().token_endpoint(), params)
            .await
    }

    /// Sends the request and reads the token response.
    pub async fn send(self) -> Result<TokenResponse> {
        let req = self.http_request().await?;
        let resp = self.client.send(req).await?;
        let received_at = SystemTime::now();
        let obj = response::json_object(&resp, "token response")?;
        let mut token = TokenResponse::from_json(obj, received_at)?;
        if let Some(old) = &self.keep_refresh {
            token.keep_refresh_token(old);
        }
        if self.client.inner.require_refresh_token
            && self.acts_for_a_user()
            && token.refresh_token().is_none()
        {
            return Err(Error::Protocol(ProtocolViolation::MissingRefreshToken));
        }
        Ok(token)
    }

    /// Whether the grant obtains a user's authorization (code or password),
    /// the grants after which a refresh token keeps the access alive.
    fn acts_for_a_user(&self) -> bool {
        self.params.iter().any(|(name, value)| {
            *name == "grant_type" && (value == "authorization_code" || value == "password")
        })
    }
}
