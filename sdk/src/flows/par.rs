//! Pushed authorization requests ([RFC 9126](https://www.rfc-editor.org/rfc/rfc9126)).
//!
//! Why: the request's parameters travel over the back channel, authenticated,
//! so the browser can neither read nor alter them, and the URL the user is
//! sent to carries only `client_id` and an opaque `request_uri`.
//!
//! [`AuthorizationCodeBuilder::send`] pushes when the provider requires it
//! (metadata `require_pushed_authorization_requests: true`, RFC 9126 §5) or the
//! application asks with [`AuthorizationCodeBuilder::push`]; otherwise it is
//! [`build`](AuthorizationCodeBuilder::build). The `state`, the PKCE verifier
//! and the callback validation are those of the ordinary code flow.

use url::Url;

use super::code::{AuthorizationCodeBuilder, AuthorizationRequest};
use crate::error::{ParseError, Result};
use crate::response::{json_object, opt_str};

const WHAT: &str = "pushed authorization response";

impl AuthorizationCodeBuilder {
    /// Pushes the request to the provider's
    /// `pushed_authorization_request_endpoint` before sending the user
    /// ([RFC 9126 §2](https://www.rfc-editor.org/rfc/rfc9126#section-2)); then
    /// only [`send`](Self::send) builds it. `push(false)` does not override a
    /// provider that requires pushed requests.
    pub fn push(mut self, push: bool) -> Self {
        self.push = push;
        self
    }

    /// Whether [`send`](Self::send) pushes: asked for, or required by the
    /// provider's metadata.
    pub fn pushes(&self) -> bool {
        self.push
            || self
                .client
                .provider()
                .metadata()
                .require_pushed_authorization_requests
    }

    /// Builds the authorization request, pushing it first when
    /// [`pushes`](Self::pushes) says so: the parameters are POSTed to the
    /// PAR endpoint with the client's authentication (RFC 9126 §2.1: "The rules
    /// for client authentication as defined in \[RFC6749\] for token endpoint
    /// requests ... apply for the PAR endpoint as well"), and the URL carries
    /// only `client_id` and the `request_uri` of the answer (§4). An error
    /// answer is [`Error::OAuth`](crate::Error::OAuth), a provider without the
    /// endpoint [`ProtocolViolation::MissingEndpoint`](crate::ProtocolViolation::MissingEndpoint).
    pub async fn send(self) -> Result<AuthorizationRequest> {
        if !self.pushes() {
            return self.build();
        }
        let (client, params, pending) = self.parts()?;
        let provider = client.provider();
        let endpoint = client.endpoint(
            provider
                .metadata()
                .pushed_authorization_request_endpoint
                .as_ref(),
            "pushed authorization request",
        )?;
        let authorization = client.endpoint(provider.authorization_endpoint(), "authorization")?;
        let req = client.form_request(&endpoint, params).await?;
        let resp = client.send(req).await?;
        let obj = json_object(&resp, WHAT)?;
        // §2.2: "provide it in the response with a 201 HTTP status code".
        if resp.status() != http::StatusCode::CREATED {
            return Err(ParseError::new(
                WHAT,
                format!("expected 201 Created, got {}", resp.status()),
            )
            .into());
        }
        let request_uri = opt_str(&obj, WHAT, "request_uri")?
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ParseError::new(WHAT, "missing `request_uri`"))?;
        Ok(AuthorizationRequest {
            url: pushed_url(authorization, client.client_id().as_str(), &request_uri),
            pending,
        })
    }
}

/// RFC 9126 §4: the authorization request "as defined in \[RFC9101\]", i.e.
/// `client_id` and `request_uri` only.
fn pushed_url(mut authorization: Url, client_id: &str, request_uri: &str) -> Url {
    authorization
        .query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri);
    authorization
}
