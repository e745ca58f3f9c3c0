//! The implicit grant ([RFC 6749 §4.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.2)).
//!
//! # Security
//! The access token travels in the URL fragment through the user agent: it
//! can leak through history, logs and injected scripts, and cannot be bound
//! to the client. RFC 9700 §2.1.2 says clients SHOULD NOT use this grant;
//! prefer the code flow with PKCE. It is here because GitLab and Hub document
//! it. Verify who the token was issued to with [`Client::token_info`].

use std::time::SystemTime;

use serde_json::{Map, Value};
use url::Url;

use super::callback;
use super::code::{authorization_params, authorization_url, expected};
use crate::client::Client;
use crate::error::{ProtocolViolation, Result};
use crate::flows::callback::Expected;
use crate::flows::extra::{ExtraParams, extra_param_methods, user_param_methods};
use crate::token::TokenResponse;
use crate::types::{RedirectUrl, Scope};

/// Builds an implicit-grant authorization request; see [`Client::implicit`].
#[derive(Debug)]
#[must_use = "call .build()"]
pub struct ImplicitBuilder {
    client: Client,
    redirect: RedirectUrl,
    scopes: Vec<Scope>,
    extra: ExtraParams,
}

/// What to keep until the implicit callback arrives.
#[derive(Debug, Clone)]
pub struct PendingImplicit {
    expected: Expected,
}

impl Client {
    /// Starts the implicit grant for `redirect` (`response_type=token`,
    /// [RFC 6749 §4.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.2.1)).
    ///
    /// # Security
    /// See the [module docs](crate::flows::implicit): prefer
    /// [`authorization_code`](Client::authorization_code).
    pub fn implicit(&self, redirect: RedirectUrl) -> ImplicitBuilder {
        ImplicitBuilder {
            client: self.clone(),
            redirect,
            scopes: Vec::new(),
            extra: ExtraParams::default(),
        }
    }
}

impl ImplicitBuilder {
    /// Adds a requested scope.
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
    user_param_methods!();

    /// Builds the URL (with a fresh `state`) and what to keep.
    pub fn build(self) -> Result<(Url, PendingImplicit)> {
        let expected = expected(&self.client, self.redirect);
        let params = authorization_params(
            &self.client,
            "token",
            &expected.redirect,
            &self.scopes,
            &expected.state,
            &[],
            &self.extra,
        )?;
        let url = authorization_url(&self.client, &params)?;
        Ok((url, PendingImplicit { expected }))
    }
}

impl PendingImplicit {
    /// The `state` sent with the request.
    pub fn state(&self) -> &crate::secret::CsrfState {
        &self.expected.state
    }

    /// Validates the callback URL and reads the token from its fragment
    /// ([RFC 6749 §4.2.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.2.2)),
    /// with the same checks as the code flow: redirect URI, `state`, `iss`,
    /// `error`. A refresh token in the fragment is dropped (§4.2.2 forbids it).
    ///
    /// A server that answers an error in the query instead of the fragment (a
    /// common mistake) gets that error reported, after the same `state` and `iss`
    /// checks; tokens are never read from the query.
    pub fn validate(self, callback: &Url) -> Result<TokenResponse> {
        let fragment = callback.fragment().unwrap_or("");
        if fragment.is_empty() && callback.query_pairs().any(|(k, _)| k == "error") {
            callback::validate(callback, callback.query().unwrap_or(""), &self.expected)?;
        }
        let params = callback::validate(callback, fragment, &self.expected)?;
        if !params.contains_key("access_token") {
            return Err(ProtocolViolation::MissingParameter("access_token").into());
        }
        let obj: Map<String, Value> = params
            .into_iter()
            .filter(|(k, _)| k != "state" && k != "iss" && k != "refresh_token")
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        TokenResponse::from_json(obj, SystemTime::now())
    }
}
