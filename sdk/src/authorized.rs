//! An HTTP client that carries a [`TokenSource`]'s token.

use crate::error::Error;
use crate::lifecycle::TokenSource;

/// Sends resource requests with a token from a [`TokenSource`], where the
/// provider wants it ([`TokenPlacement`](crate::TokenPlacement): the
/// `Authorization: Bearer` header, or the `access_token` query parameter,
/// [RFC 6750 §2](https://www.rfc-editor.org/rfc/rfc6750#section-2)). On a 401 it
/// renews the token once (single-flight, see [`TokenSource::refresh_rejected`])
/// and retries once; a second 401 is returned as is. Redirects are not
/// followed. Cheap to clone.
///
/// # Security
/// With query placement the token travels in the URL (Phabricator's way).
#[derive(Debug, Clone)]
pub struct AuthorizedClient {
    source: TokenSource,
}

impl AuthorizedClient {
    /// A client using `source`'s tokens and its client's HTTP stack.
    pub fn new(source: TokenSource) -> Self {
        Self { source }
    }

    /// The token source.
    pub fn source(&self) -> &TokenSource {
        &self.source
    }

    /// Sends `req` (absolute URI) with a token; on 401, renews it and sends
    /// once more. A failure to get a token is the source's error
    /// ([`Error::TokenRenewal`], [`Error::ReauthorizationRequired`]...); a
    /// failure of the resource request itself is that request's own error
    /// (a [`Error::Transport`], say), never reported as a token failure.
    pub async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let token = self.source.token().await?;
        let retry_copy = clone_request(&req);
        let resp = self.send_with(&token, req).await?;
        if resp.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let Some(req) = retry_copy else {
            return Ok(resp);
        };
        let fresh = self.source.refresh_rejected(token.access_token()).await?;
        self.send_with(&fresh, req).await
    }

    async fn send_with(
        &self,
        token: &crate::Token,
        mut req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let client = self.source.client();
        client.authorize(token, &mut req)?;
        client.send(req).await
    }
}

/// A copy of a request for the one retry (extensions are not copied).
fn clone_request(req: &http::Request<Vec<u8>>) -> Option<http::Request<Vec<u8>>> {
    let mut b = http::Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone())
        .version(req.version());
    *b.headers_mut()? = req.headers().clone();
    b.body(req.body().clone()).ok()
}
