//! The authorization code flow with PKCE
//! ([RFC 6749 §4.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1),
//! [RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)).
//!
//! 1. [`Client::authorization_code`] builds the URL to send the user to, with a
//!    fresh `state` and an S256 PKCE challenge, and a [`PendingAuthorization`]
//!    to keep (e.g. in the user's session).
//! 2. [`PendingAuthorization::validate`] checks the callback strictly and yields
//!    an [`AuthorizationCallback`], the only thing that can be exchanged.
//! 3. [`Client::exchange_code`] sends the code with `redirect_uri` and
//!    `code_verifier`.

use url::Url;

use super::callback::{self, Expected};
use crate::client::Client;
use crate::error::{Error, ProtocolViolation, Result};
use crate::flows::extra::{ExtraParams, extra_param_methods, user_param_methods};
use crate::flows::grants::TokenRequest;
use crate::secret::{AuthorizationCode, CsrfState, PkceVerifier};
use crate::types::{RedirectUrl, Scope};

/// Builds an authorization request; see [`Client::authorization_code`].
#[derive(Debug)]
#[must_use = "call .build()"]
pub struct AuthorizationCodeBuilder {
    pub(super) client: Client,
    pub(super) redirect: RedirectUrl,
    pub(super) scopes: Vec<Scope>,
    pub(super) extra: ExtraParams,
    /// Push the request first (RFC 9126); see `flows/par.rs`.
    pub(super) push: bool,
}

/// The URL to send the user to, and what to keep until the callback.
#[derive(Debug)]
pub struct AuthorizationRequest {
    pub(super) url: Url,
    pub(super) pending: PendingAuthorization,
}

/// What the application keeps between redirecting the user and the callback:
/// the `state`, the PKCE verifier, the redirect URI and the expected issuer.
///
/// It is used once: [`PendingAuthorization::validate`] consumes it, so one
/// authorization cannot be redeemed twice, and it is deliberately not `Clone`.
/// An application that keeps it in a session store saves its parts and
/// rebuilds it with [`PendingAuthorization::from_parts`].
///
/// ```compile_fail
/// fn redeem_twice(p: oauth_sdk::PendingAuthorization) {
///     let _ = p.clone();
/// }
/// ```
#[derive(Debug)]
pub struct PendingAuthorization {
    expected: Expected,
    verifier: PkceVerifier,
}

/// A callback that passed validation: the only input
/// [`Client::exchange_code`] accepts.
#[derive(Debug)]
pub struct AuthorizationCallback {
    code: AuthorizationCode,
    verifier: PkceVerifier,
    redirect: RedirectUrl,
}

impl Client {
    /// Starts the authorization code flow for `redirect`
    /// ([RFC 6749 §4.1.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1)).
    pub fn authorization_code(&self, redirect: RedirectUrl) -> AuthorizationCodeBuilder {
        AuthorizationCodeBuilder {
            client: self.clone(),
            redirect,
            scopes: Vec::new(),
            extra: ExtraParams::default(),
            push: false,
        }
    }

    /// Exchanges a validated callback's code for tokens, sending
    /// `redirect_uri` and `code_verifier`
    /// ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3),
    /// [RFC 7636 §4.5](https://www.rfc-editor.org/rfc/rfc7636#section-4.5)).
    pub fn exchange_code(&self, callback: AuthorizationCallback) -> TokenRequest {
        TokenRequest::new(
            self.clone(),
            vec![
                ("grant_type", "authorization_code".into()),
                ("code", callback.code.secret().to_owned()),
                ("redirect_uri", callback.redirect.as_str().to_owned()),
                ("code_verifier", callback.verifier.secret().to_owned()),
            ],
        )
    }
}

/// The authorization endpoint with `params` in its query.
pub(crate) fn authorization_url(client: &Client, params: &[(String, String)]) -> Result<Url> {
    let mut url = client.endpoint(client.provider().authorization_endpoint(), "authorization")?;
    url.query_pairs_mut().extend_pairs(params);
    Ok(url)
}

/// The parameters of an authorization request, in the order they are sent:
/// in the URL, or pushed (RFC 9126).
pub(crate) fn authorization_params(
    client: &Client,
    response_type: &str,
    redirect: &RedirectUrl,
    scopes: &[Scope],
    state: &CsrfState,
    extra: &[(&str, &str)],
    more: &ExtraParams,
) -> Result<Vec<(String, String)>> {
    let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let mut params = vec![
        p("response_type", response_type),
        p("client_id", client.client_id().as_str()),
        p("redirect_uri", redirect.as_str()),
    ];
    if !scopes.is_empty() {
        params.push(p("scope", &Scope::join(scopes)));
    }
    params.push(p("state", state.secret()));
    params.extend(extra.iter().map(|(k, v)| p(k, v)));
    params.extend(more.pairs()?.iter().map(|(k, v)| p(k, v)));
    Ok(params)
}

pub(crate) fn expected(client: &Client, redirect: RedirectUrl) -> Expected {
    let p = client.provider();
    Expected {
        state: CsrfState::random(),
        redirect,
        issuer: p.issuer().map(str::to_owned),
        iss_required: p.iss_parameter_supported(),
    }
}

/// A built request before it is sent: the client, the parameters in order,
/// and what to keep until the callback.
pub(super) type RequestParts = (Client, Vec<(String, String)>, PendingAuthorization);

impl AuthorizationCodeBuilder {
    /// Adds a requested scope ([RFC 6749 §3.3](https://www.rfc-editor.org/rfc/rfc6749#section-3.3)).
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

    /// Builds the URL with a fresh `state` (256 bits) and a fresh PKCE S256
    /// challenge.
    ///
    /// A request that must be pushed first (the provider requires pushed
    /// authorization requests, or [`push(true)`](Self::push)) needs a network
    /// call: `build` refuses it with [`Error::InvalidParameter`] naming `push`;
    /// use [`send`](Self::send).
    pub fn build(self) -> Result<AuthorizationRequest> {
        if self.pushes() {
            return Err(Error::InvalidParameter {
                name: "push".into(),
                reason: "a pushed authorization request (RFC 9126) is sent to the server first: \
                         use .send().await instead of .build()"
                    .into(),
            });
        }
        let (client, params, pending) = self.parts()?;
        Ok(AuthorizationRequest {
            url: authorization_url(&client, &params)?,
            pending,
        })
    }

    /// A fresh `state` and PKCE S256 challenge: the request's parameters and
    /// what to keep until the callback.
    pub(super) fn parts(self) -> Result<RequestParts> {
        let expected = expected(&self.client, self.redirect);
        let verifier = PkceVerifier::random();
        let challenge = verifier.s256_challenge();
        let params = authorization_params(
            &self.client,
            "code",
            &expected.redirect,
            &self.scopes,
            &expected.state,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
            &self.extra,
        )?;
        Ok((
            self.client,
            params,
            PendingAuthorization { expected, verifier },
        ))
    }
}

impl AuthorizationRequest {
    /// The URL to send the user agent to.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// What to keep until the callback.
    pub fn pending(&self) -> &PendingAuthorization {
        &self.pending
    }

    /// Splits into the URL and what to keep.
    pub fn into_parts(self) -> (Url, PendingAuthorization) {
        (self.url, self.pending)
    }
}

impl PendingAuthorization {
    /// Restores a pending authorization kept elsewhere (e.g. a session store)
    /// from its parts, with the provider's issuer rules.
    pub fn from_parts(
        client: &Client,
        state: CsrfState,
        verifier: PkceVerifier,
        redirect: RedirectUrl,
    ) -> Self {
        let mut expected = expected(client, redirect);
        expected.state = state;
        Self { expected, verifier }
    }

    /// The `state` sent with the request.
    pub fn state(&self) -> &CsrfState {
        &self.expected.state
    }

    /// The PKCE verifier.
    pub fn pkce_verifier(&self) -> &PkceVerifier {
        &self.verifier
    }

    /// The redirect URI.
    pub fn redirect_url(&self) -> &RedirectUrl {
        &self.expected.redirect
    }

    /// Validates the URL the user agent came back to
    /// ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)):
    /// it must be the redirect URI; a missing or different `state` (compared
    /// in constant time) fails; `iss`, when present (or required by the
    /// provider), must be the issuer ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207));
    /// an `error` becomes [`Error::OAuth`]; then `code` must be there.
    pub fn validate(self, callback: &Url) -> Result<AuthorizationCallback> {
        let mut params =
            callback::validate(callback, callback.query().unwrap_or(""), &self.expected)?;
        let code = params
            .remove("code")
            .filter(|c| !c.is_empty())
            .ok_or(Error::Protocol(ProtocolViolation::MissingParameter("code")))?;
        Ok(AuthorizationCallback {
            code: AuthorizationCode::new(code),
            verifier: self.verifier,
            redirect: self.expected.redirect,
        })
    }
}

impl AuthorizationCallback {
    /// The authorization code.
    pub fn code(&self) -> &AuthorizationCode {
        &self.code
    }
}
