//! Bearer-token authentication for resource endpoints (RFC 6750): the
//! `Authorization: Bearer` header or the `access_token` parameter — the seeds use
//! both (GitLab documents each, Phabricator only the query parameter).

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::crypto::TokenHash;
use crate::model::{TokenKind, TokenRecord};
use crate::params::Params;
use crate::state::AppState;
use crate::store::StoreError;

/// A valid access token and how it was presented.
#[derive(Debug)]
pub struct Authenticated {
    pub token: TokenRecord,
    /// Sent as a URI query parameter: responses then carry `Cache-Control: private`
    /// (RFC 6750 §2.3).
    pub via_query: bool,
}

/// Why a resource request is refused (RFC 6750 §3.1).
#[derive(Debug)]
pub enum BearerError {
    /// No token at all: a bare challenge, no error code (RFC 6750 §3.1).
    Missing,
    /// More than one method used, or a malformed header.
    InvalidRequest(&'static str),
    /// Unknown, expired or revoked.
    InvalidToken,
    /// Valid, but without any of the scopes the resource needs.
    InsufficientScope(&'static [&'static str]),
    /// A client acting on its own behalf where only trusted clients may (Hub).
    UntrustedClient,
    Store(StoreError),
}

impl From<StoreError> for BearerError {
    fn from(e: StoreError) -> Self {
        BearerError::Store(e)
    }
}

impl BearerError {
    pub fn status(&self) -> StatusCode {
        match self {
            BearerError::Missing | BearerError::InvalidToken => StatusCode::UNAUTHORIZED,
            BearerError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            BearerError::InsufficientScope(_) | BearerError::UntrustedClient => {
                StatusCode::FORBIDDEN
            }
            BearerError::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            BearerError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `(error, error_description)`, absent for a request that sent no token.
    pub fn code(&self) -> Option<(&'static str, &'static str)> {
        match self {
            BearerError::Missing => None,
            BearerError::InvalidRequest(d) => Some(("invalid_request", d)),
            BearerError::InvalidToken => Some((
                "invalid_token",
                "the access token is unknown, expired or revoked",
            )),
            BearerError::InsufficientScope(_) => Some((
                "insufficient_scope",
                "the access token lacks the scope this resource requires",
            )),
            // RFC 6750 §3.1: "requires higher privileges than provided by the token".
            BearerError::UntrustedClient => Some((
                "insufficient_scope",
                "only a trusted service may access this resource on behalf of itself",
            )),
            BearerError::Store(_) => {
                Some(("server_error", "the server could not complete the request"))
            }
        }
    }

    /// The `WWW-Authenticate` challenge.
    pub fn challenge(&self) -> HeaderValue {
        let mut value = String::from("Bearer realm=\"oauth\"");
        if let Some((code, description)) = self.code() {
            value += &format!(", error=\"{code}\", error_description=\"{description}\"");
        }
        if let BearerError::InsufficientScope(scopes) = self {
            value += &format!(", scope=\"{}\"", scopes.join(" "));
        }
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
    }

    /// The challenge plus a body of the caller's choosing.
    pub fn with_body(self, body: serde_json::Value) -> Response {
        if let BearerError::Store(e) = &self {
            tracing::error!(error = %e, "storage failure");
        }
        let mut response = (self.status(), Json(body)).into_response();
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::hashing::RETRY_AFTER_SECS),
            );
        }
        if !matches!(self, BearerError::Store(_)) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, self.challenge());
        }
        response
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let body = match self.code() {
            Some((error, description)) => json!({"error": error, "error_description": description}),
            None => {
                json!({"error": "invalid_token", "error_description": "no access token was sent"})
            }
        };
        self.with_body(body)
    }
}

/// Finds the token in the header or in the parameters (query, or form body for
/// POST) and checks it is an active access token with one of `any_of` scopes
/// (empty: any scope will do).
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
    any_of: &'static [&'static str],
) -> Result<Authenticated, BearerError> {
    let header =
        crate::client_auth::authorization_header(headers).map_err(BearerError::InvalidRequest)?;
    let from_header = match header {
        None => None,
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| BearerError::InvalidRequest("malformed Authorization header"))?;
            match value.split_once(' ') {
                Some((scheme, token))
                    if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                {
                    Some(token.trim().to_owned())
                }
                _ => {
                    return Err(BearerError::InvalidRequest(
                        "the Authorization header must use the Bearer scheme",
                    ));
                }
            }
        }
    };
    let from_params = params.get("access_token").map(str::to_owned);
    let (token, via_query) = match (from_header, from_params) {
        (Some(_), Some(_)) => {
            return Err(BearerError::InvalidRequest(
                "send the access token in one place only (RFC 6750 section 2)",
            ));
        }
        (Some(t), None) => (t, false),
        (None, Some(t)) => (t, true),
        (None, None) => return Err(BearerError::Missing),
    };
    let record = state
        .store()
        .token(&TokenHash::of(&token))
        .await?
        .filter(|r| r.kind == TokenKind::Access && r.is_active(state.now()))
        .ok_or(BearerError::InvalidToken)?;
    if !any_of.is_empty() && !any_of.iter().any(|s| record.scope.contains(s)) {
        return Err(BearerError::InsufficientScope(any_of));
    }
    Ok(Authenticated {
        token: record,
        via_query,
    })
}

/// Marks a response to a query-string token as not cacheable by shared caches.
pub fn mark_private(response: &mut Response, auth: &Authenticated) {
    let value = if auth.via_query {
        "private, no-store"
    } else {
        "no-store"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}
