//! The one place requests leave the process.

use std::time::Duration;

use crate::error::{Error, ParseError, Result, TransportError};

pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The `User-Agent` of every request unless the caller sets another.
pub(crate) const DEFAULT_USER_AGENT: &str = concat!("oauth-sdk/", env!("CARGO_PKG_VERSION"));

/// Responses larger than this are refused: no token document is this big.
const MAX_BODY: usize = 1024 * 1024;

/// An HTTP client that never follows redirects.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
}

impl Http {
    pub(crate) fn new(timeout: Duration) -> Result<Self> {
        Self::with_user_agent(timeout, DEFAULT_USER_AGENT)
    }

    /// Like [`new`](Self::new), sending `user_agent` as `User-Agent`.
    pub(crate) fn with_user_agent(timeout: Duration, user_agent: &str) -> Result<Self> {
        let user_agent =
            http::HeaderValue::from_str(user_agent).map_err(|_| Error::InvalidParameter {
                name: "user agent".into(),
                reason: "not a valid HTTP header value".into(),
            })?;
        // Building fails only when the TLS backend cannot start: a transport
        // failure, reported as one.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .user_agent(user_agent)
            .build()
            .map_err(TransportError)?;
        Ok(Self { client })
    }

    /// Sends a request built as data and reads the whole (bounded) response.
    pub(crate) async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>> {
        tracing::debug!(method = %req.method(), uri = %req.uri(), "oauth-sdk request");
        let req = reqwest::Request::try_from(req).map_err(TransportError)?;
        let mut resp = self.client.execute(req).await.map_err(TransportError)?;
        let mut builder = http::Response::builder().status(resp.status());
        if let Some(h) = builder.headers_mut() {
            *h = std::mem::take(resp.headers_mut());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(TransportError)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(ParseError::new("response", "body larger than 1 MiB").into());
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(status = %resp.status(), "oauth-sdk response");
        builder
            .body(body)
            .map_err(|e| ParseError::new("response", e.to_string()).into())
    }
}
