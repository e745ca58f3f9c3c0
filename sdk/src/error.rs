//! The SDK's one error type.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Everything that can go wrong. Match on the variant, or ask
/// [`is_retryable`](Error::is_retryable) / [`is_timeout`](Error::is_timeout).
///
/// No variant carries a token, a secret or a raw response body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an OAuth error
    /// ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2) at
    /// the token endpoint, §4.1.2.1 / §4.2.2.1 on a callback), whatever the
    /// HTTP status it came with (some servers send errors with 200).
    #[error("OAuth error `{code}`{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// The `error` code.
        code: ErrorCode,
        /// The `error_description`, if any.
        description: Option<String>,
        /// The `error_uri`, if any.
        uri: Option<String>,
        /// The response's `Retry-After`, if sent (a `temporarily_unavailable`
        /// 503 often has one); `None` for errors on a callback.
        retry_after: Option<Duration>,
    },
    /// The request did not complete (connection, TLS, timeout...).
    #[error("transport error: {0}")]
    Transport(#[from] TransportError),
    /// The server's answer could not be read as the expected document.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The server or the callback broke the protocol (wrong `state`,
    /// `iss` mismatch, a redirect from a token endpoint...).
    #[error("protocol violation: {0}")]
    Protocol(#[from] ProtocolViolation),
    /// A non-success HTTP status without an OAuth error body (an HTML 403,
    /// a 429, a 503...).
    #[error("HTTP status {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        /// The status code.
        status: http::StatusCode,
        /// The `Retry-After` header ([RFC 9110 §10.2.3](https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3)), if sent.
        retry_after: Option<Duration>,
    },
    /// A management API (tenant OAuth clients, Hub services, Segment OAuth
    /// apps) answered with a JSON:API error object: ask
    /// [`is_not_found`](Error::is_not_found), [`is_conflict`](Error::is_conflict)...
    /// or read its `detail`.
    #[error(transparent)]
    Api(crate::management::ApiError),
    /// Discovery found no metadata at any well-known URL; the error names each
    /// URL tried and what it answered.
    #[error(transparent)]
    Discovery(crate::provider::DiscoveryError),
    /// A [`TokenSource`](crate::TokenSource) has no usable refresh token
    /// (`invalid_grant` on refresh, or no token to refresh): the user must run
    /// the authorization flow again (Phabricator: "start the flow again"). Give
    /// the source a new token with [`TokenSource::set_token`](crate::TokenSource::set_token).
    #[error("re-authorization required{}", cause.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    ReauthorizationRequired {
        /// The token endpoint's answer, when there was one.
        cause: Option<Arc<Error>>,
    },
    /// A [`TokenSource`](crate::TokenSource) could not renew its token (after
    /// the retries its policy allows). Every caller that waited on the same
    /// renewal gets the same cause.
    #[error("renewing the token failed: {0}")]
    TokenRenewal(Arc<Error>),
    /// A [`TokenStore`](crate::TokenStore) could not be read or written.
    #[error("token store: {0}")]
    TokenStore(Arc<crate::lifecycle::StoreError>),
    /// A value given to the SDK is not valid: a request builder's parameter
    /// (a `resource` that is not an absolute URI, a parameter the SDK sets
    /// itself...), a scope, an email or user agent that cannot be sent.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A URL given to the SDK cannot be used (not hierarchical, a query or
    /// fragment where none is allowed, an unsupported scheme...).
    #[error("invalid {what}: {reason}")]
    InvalidUrl {
        /// Which URL ("redirect URI", "issuer", "management base URL"...).
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A URL uses plain HTTP to a host that is not loopback: secrets would
    /// cross the network in clear. Use HTTPS, or allow plain HTTP explicitly
    /// (`allow_insecure_http`) where that is known to be safe.
    #[error(
        "{what} uses plain HTTP to a non-loopback host; use HTTPS or allow plain HTTP explicitly"
    )]
    InsecureUrl {
        /// Which URL ("token endpoint", "management base URL"...).
        what: &'static str,
    },
    /// A private key for client assertions cannot be used, or signing with it
    /// failed ([RFC 7523](https://www.rfc-editor.org/rfc/rfc7523)). Never
    /// carries the key.
    #[error("invalid {what}: {reason}")]
    InvalidKey {
        /// Which key ("RSA private key", "EC private key"...).
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Whether trying the same request again later may succeed: a 429, 502,
    /// 503 or 504 status (from an OAuth or a management endpoint), a timeout or
    /// connection failure, the OAuth codes `temporarily_unavailable` and
    /// `slow_down`, or a token store that is unavailable
    /// ([`StoreError::is_retryable`](crate::StoreError::is_retryable)).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Status { status, .. } => retryable_status(*status),
            Error::Api(e) => retryable_status(e.status),
            Error::Transport(t) => t.is_timeout() || t.is_connect(),
            Error::OAuth { code, .. } => {
                matches!(
                    code,
                    ErrorCode::TemporarilyUnavailable | ErrorCode::SlowDown
                )
            }
            Error::TokenRenewal(cause) => cause.is_retryable(),
            Error::TokenStore(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// Whether the user must authorize again
    /// ([`Error::ReauthorizationRequired`]).
    pub fn is_reauthorization_required(&self) -> bool {
        matches!(self, Error::ReauthorizationRequired { .. })
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } | Error::OAuth { retry_after, .. } => *retry_after,
            Error::Api(e) => e.retry_after,
            Error::TokenRenewal(cause) => cause.retry_after(),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport(t) => t.is_timeout(),
            Error::TokenRenewal(cause) => cause.is_timeout(),
            _ => false,
        }
    }

    /// The OAuth error code, if this is an OAuth error.
    pub fn oauth_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::OAuth { code, .. } => Some(code),
            Error::TokenRenewal(cause) => cause.oauth_code(),
            Error::ReauthorizationRequired { cause: Some(cause) } => cause.oauth_code(),
            _ => None,
        }
    }
}

/// 429 Too Many Requests, and the 5xx statuses that mean "not now"
/// ([RFC 9110 §15.6](https://www.rfc-editor.org/rfc/rfc9110#section-15.6)).
fn retryable_status(status: http::StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// An `http` builder failure: with URLs that come from [`url::Url`] and
/// header values the SDK checked, only the request URL can be at fault.
pub(crate) fn request_url_error(e: http::Error) -> Error {
    Error::InvalidUrl {
        what: "request URL",
        reason: e.to_string(),
    }
}

/// An OAuth error code ([RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1),
/// [§5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2),
/// [RFC 7009 §2.2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1),
/// [RFC 6750 §3.1](https://www.rfc-editor.org/rfc/rfc6750#section-3.1)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// `access_denied`
    AccessDenied,
    /// `unsupported_response_type`
    UnsupportedResponseType,
    /// `server_error`
    ServerError,
    /// `temporarily_unavailable`
    TemporarilyUnavailable,
    /// `unsupported_token_type` (RFC 7009)
    UnsupportedTokenType,
    /// `invalid_token` (RFC 6750)
    InvalidToken,
    /// `insufficient_scope` (RFC 6750)
    InsufficientScope,
    /// `slow_down` (RFC 8628)
    SlowDown,
    /// Any other code, kept as sent (an extension error, RFC 6749 §8.5).
    Extension(String),
}

impl ErrorCode {
    /// Reads a code as sent on the wire.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "access_denied" => Self::AccessDenied,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "unsupported_token_type" => Self::UnsupportedTokenType,
            "invalid_token" => Self::InvalidToken,
            "insufficient_scope" => Self::InsufficientScope,
            "slow_down" => Self::SlowDown,
            other => Self::Extension(other.to_owned()),
        }
    }

    /// The code as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::SlowDown => "slow_down",
            Self::Extension(s) => s,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An opaque transport failure. Ask it questions rather than matching on it.
#[derive(Debug)]
pub struct TransportError(pub(crate) reqwest::Error);

impl TransportError {
    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }

    /// Whether the connection could not be established.
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // reqwest's message names the URL; the SDK never puts a secret in a
        // URL it sends (tokens travel in headers or bodies).
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A response that could not be read. Names what was expected, never the
/// values received (they may be tokens).
#[derive(Debug, thiserror::Error)]
#[error("could not parse {what}: {reason}")]
pub struct ParseError {
    what: &'static str,
    reason: String,
    #[source]
    source: Option<serde_json::Error>,
}

impl ParseError {
    pub(crate) fn new(what: &'static str, reason: impl Into<String>) -> Self {
        Self {
            what,
            reason: reason.into(),
            source: None,
        }
    }

    pub(crate) fn json(what: &'static str, source: serde_json::Error) -> Self {
        // Syntax errors from serde_json carry a position, not the input.
        Self {
            what,
            reason: "invalid JSON".into(),
            source: Some(source),
        }
    }

    /// What was being parsed (e.g. "token response").
    pub fn what(&self) -> &str {
        self.what
    }

    /// Why it failed, without the offending values.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A protocol rule the server or the callback broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolViolation {
    /// The callback carries no `state` although one was sent
    /// ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)).
    #[error("callback has no `state`")]
    MissingState,
    /// The callback's `state` is not the one sent (possible CSRF,
    /// [RFC 6749 §10.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12)).
    #[error("callback `state` does not match")]
    StateMismatch,
    /// The callback's `iss` is not the expected issuer
    /// ([RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4)).
    #[error("callback `iss` does not match the expected issuer")]
    IssuerMismatch,
    /// The provider announces `iss` in callbacks, but this one has none
    /// ([RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4)).
    #[error("callback has no `iss` although the provider sends it")]
    MissingIssuer,
    /// The callback has an `iss`, but the provider was built without an issuer,
    /// so it cannot be checked and is refused rather than trusted
    /// ([RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4)).
    #[error(
        "callback has `iss` but no issuer is configured to check it against; \
         set one with `Provider::with_issuer` (presets and `Provider::discover` set it)"
    )]
    IssuerNotConfigured,
    /// The callback has neither `code` (nor `access_token`) nor `error`.
    #[error("callback has no `{0}`")]
    MissingParameter(&'static str),
    /// A parameter appears more than once
    /// ([RFC 6749 §3.1](https://www.rfc-editor.org/rfc/rfc6749#section-3.1)).
    #[error("parameter `{0}` repeated")]
    RepeatedParameter(String),
    /// The callback URL is not the redirect URI of the request.
    #[error("callback URL does not match the redirect URI")]
    RedirectUriMismatch,
    /// A token or metadata endpoint answered with a redirect; the SDK never
    /// follows them ([RFC 9700 §4.11](https://www.rfc-editor.org/rfc/rfc9700#section-4.11)).
    #[error("endpoint answered with redirect status {0}")]
    Redirect(http::StatusCode),
    /// The token type is not one this operation can use.
    #[error("unsupported token type `{0}`")]
    UnsupportedTokenType(String),
    /// Discovered metadata names another issuer
    /// ([RFC 8414 §3.3](https://www.rfc-editor.org/rfc/rfc8414#section-3.3)).
    #[error("metadata `issuer` does not match the discovery URL")]
    MetadataIssuerMismatch,
    /// The provider has no endpoint for this operation.
    #[error("provider has no {0} endpoint")]
    MissingEndpoint(&'static str),
    /// The token response has no `refresh_token` although the client requires
    /// one (see `ClientBuilder::require_refresh_token`).
    #[error("token response has no `refresh_token`, which this client requires")]
    MissingRefreshToken,
}

/// Shorthand for `Result<T, oauth_sdk::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in [
            "invalid_grant",
            "access_denied",
            "slow_down",
            "custom_thing",
        ] {
            assert_eq!(ErrorCode::parse(c).as_str(), c);
        }
        assert_eq!(ErrorCode::parse("x"), ErrorCode::Extension("x".into()));
    }

    #[test]
    fn retryable_statuses() {
        let e = |s: u16| Error::Status {
            status: http::StatusCode::from_u16(s).unwrap(),
            retry_after: None,
        };
        assert!(e(429).is_retryable());
        assert!(e(503).is_retryable());
        assert!(!e(403).is_retryable());
        assert!(!e(400).is_retryable());
    }
}
