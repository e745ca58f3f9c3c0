//! RFC 6749 §5.2 errors for the token, revocation and introspection endpoints, and the
//! server-side error page for authorization requests whose redirect cannot be trusted.
//! Internals are logged, never sent.

use std::borrow::Cow;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// Error codes of RFC 6749 §4.1.2.1, §5.2, RFC 7009 §2.2.1 and RFC 6750 §3.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    AccessDenied,
    UnsupportedResponseType,
    ServerError,
    TemporarilyUnavailable,
    UnsupportedTokenType,
    InvalidToken,
    InsufficientScope,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
        }
    }

    /// The code a storage failure is answered with: `temporarily_unavailable`
    /// when the store cannot be reached now (a retry may succeed), else
    /// `server_error`.
    pub fn of_store(e: &StoreError) -> Self {
        if e.is_unavailable() {
            ErrorCode::TemporarilyUnavailable
        } else {
            ErrorCode::ServerError
        }
    }
}

/// An OAuth error answered as JSON (RFC 6749 §5.2).
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: Cow<'static, str>,
    /// The client tried HTTP Basic: a 401 must carry `WWW-Authenticate: Basic`.
    pub basic_attempted: bool,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            description: description.into(),
            basic_attempted: false,
        }
    }

    pub fn invalid_request(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest, d)
    }

    pub fn invalid_client(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidClient, d)
    }

    pub fn invalid_grant(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidGrant, d)
    }

    pub fn invalid_scope(d: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidScope, d)
    }

    pub fn server_error() -> Self {
        Self::new(
            ErrorCode::ServerError,
            "the server could not complete the request",
        )
    }

    pub fn with_basic(mut self, basic_attempted: bool) -> Self {
        self.basic_attempted = basic_attempted;
        self
    }

    pub fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<StoreError> for OAuthError {
    /// A full table is a bound reached (503, try again shortly); anything
    /// else a storage failure (500). Details go to the log only.
    fn from(e: StoreError) -> Self {
        if e.is_full() {
            tracing::warn!(error = %e, "a bounded table is full");
            return OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "the server is busy; try again shortly",
            );
        }
        tracing::error!(error = %e, "storage failure");
        if e.is_unavailable() {
            OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "the server's storage is unreachable; try again later",
            )
        } else {
            OAuthError::server_error()
        }
    }
}

/// Keeps only the characters RFC 6749 §5.2 allows in `error_description`
/// (%x20-21 / %x23-5B / %x5D-7E): no quotes, backslashes or control characters.
pub fn sanitize_description(s: &str) -> Cow<'_, str> {
    let ok = |c: char| matches!(c as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E);
    if s.chars().all(ok) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().map(|c| if ok(c) { c } else { '\'' }).collect())
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'static str,
    error_description: &'a str,
}

/// Headers every token-endpoint response carries (RFC 6749 §5.1).
pub fn no_store_headers(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let description = sanitize_description(&self.description);
        let body = ErrorBody {
            error: self.code.as_str(),
            error_description: &description,
        };
        let mut response = (self.status(), Json(body)).into_response();
        no_store_headers(&mut response);
        // A 503 says when to come back (RFC 9110 §10.2.3), as the password
        // queue's does.
        if self.code == ErrorCode::TemporarilyUnavailable {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::hashing::RETRY_AFTER_SECS),
            );
        }
        if self.status() == StatusCode::UNAUTHORIZED {
            let challenge = if self.basic_attempted {
                "Basic realm=\"oauth\", charset=\"UTF-8\""
            } else {
                "Basic realm=\"oauth\""
            };
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_is_restricted_to_the_rfc_charset() {
        assert_eq!(sanitize_description("bad \"x\"\n\\"), "bad 'x'''");
        assert_eq!(sanitize_description("fine: ok"), "fine: ok");
    }

    #[test]
    fn invalid_client_is_401_with_challenge() {
        let r = OAuthError::invalid_client("no")
            .with_basic(true)
            .into_response();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let r = OAuthError::invalid_grant("no").into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(!r.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
