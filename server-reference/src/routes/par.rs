//! Pushed authorization requests (RFC 9126): `POST /oauth/par`, and the
//! `request_uri` the authorization endpoint then accepts in their place.
//!
//! Why: a pushed request travels over the back channel, authenticated, so its
//! parameters cannot be read or altered in the browser, and the authorization
//! URL carries only `client_id` and an opaque reference.
//!
//! The endpoint follows RFC 9126 §2.1: "The authorization server MUST process
//! the request as follows: 1. Authenticate the client in the same way as at the
//! token endpoint. 2. Reject the request if the request_uri authorization
//! request parameter is provided. 3. Validate the pushed request as it would an
//! authorization request sent to the authorization endpoint." So client
//! authentication is [`client_auth::authenticate`], the token endpoint's, and
//! validation is the authorization endpoint's own `request::validate`: the
//! stored request is the validated one, and the authorization endpoint takes
//! every parameter from it (RFC 9101 §6.3: the server "MUST only use the
//! parameters in the Request Object, even if the same parameter is provided in
//! the query parameter").
//!
//! Pushed requests live in memory (they last a minute), in a table bounded in
//! entries and bytes ([`crate::bounded`]); a full table answers 503
//! `temporarily_unavailable` with `Retry-After`, never evicts.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use crate::bounded::{BoundedMap, Full, HeapSize, Limits};
use crate::client_auth::{self, AuthOptions};
use crate::crypto::{TokenHash, random_token};
use crate::error::{ErrorCode, OAuthError, no_store_headers};
use crate::faults::Fault;
use crate::model::{Client, Millis};
use crate::params::{OAuthRequest, Params, ParamsRejection};
use crate::session::{AuthorizationRequest, ResponseKind};
use crate::state::AppState;

use super::authorize::request::{self, Dialect, Rejection};

/// The endpoint's path.
pub(crate) const PATH: &str = "/oauth/par";

/// RFC 9126 §2.2: the server "MAY construct the request_uri value using the
/// form urn:ietf:params:oauth:request_uri:<reference-value>".
pub(crate) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Default bound of the table of pushed requests (entries).
pub(crate) const DEFAULT_MAX_PUSHED: usize = 10_000;

/// The bytes bound: each entry is at most about 9 KiB (`state` and
/// `redirect_uri` are capped at 4096 bytes each), so the entry bound is the one
/// normally reached.
const MAX_PUSHED_BYTES: usize = 32 << 20;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PATH, post(push))
}

/// One pushed request: validated, waiting for its one use.
#[derive(Clone, Debug)]
pub(crate) struct Pushed {
    request: AuthorizationRequest,
    expires_at: Millis,
}

impl HeapSize for Pushed {
    fn heap_bytes(&self) -> usize {
        self.request.heap_bytes()
    }
}

/// The table of pushed requests, keyed by the SHA-256 of the random part of
/// their `request_uri` (a memory dump yields no usable reference).
#[derive(Debug)]
pub(crate) struct PushedRequests(Mutex<BoundedMap<TokenHash, Pushed>>);

impl PushedRequests {
    pub(crate) fn new(max_entries: usize) -> Self {
        let limits = Limits {
            max_entries,
            max_bytes: MAX_PUSHED_BYTES,
        };
        Self(Mutex::new(BoundedMap::new(limits, |p| p.expires_at)))
    }

    fn lock(&self) -> MutexGuard<'_, BoundedMap<TokenHash, Pushed>> {
        // Every operation is one insert/lookup/remove: a poisoned map is consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `client_id` may only send pushed requests: RFC 9126 §4, "Authorization
/// server policy MAY dictate, either globally or on a per-client basis, that PAR
/// be the only means for a client to pass authorization request data." Globally
/// by `settings.require_pushed_authorization_requests`, per client by the
/// client's `require_pushed_authorization_requests` in the configuration.
pub(crate) fn required_for(state: &AppState, client_id: &str) -> bool {
    state.settings().require_pushed_authorization_requests
        || state
            .config()
            .clients
            .iter()
            .any(|c| c.id == client_id && c.require_pushed_authorization_requests)
}

async fn push(
    State(state): State<AppState>,
    req: Result<OAuthRequest, ParamsRejection>,
) -> Response {
    let req = match req {
        Ok(r) => r,
        Err(ParamsRejection::TooLarge) => {
            // RFC 9126 §2.3: "413 Payload Too Large" for a too-large request.
            let mut r = error(OAuthError::invalid_request("the request is too large"));
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return r;
        }
        Err(ParamsRejection::OAuth(e)) => return error(e),
    };
    let auth = match client_auth::authenticate(&state, &req, AuthOptions::required(PATH)).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return error(OAuthError::invalid_client(
                "client authentication is required",
            ));
        }
        Err(e) => return client_auth::error_response(&state, e),
    };
    match validate_pushed(&state, &req.params, &auth.client).await {
        Ok(request) => store(&state, request),
        Err(e) => error(e),
    }
}

/// RFC 9126 §2.1 steps 2 and 3, for an authenticated `client`.
async fn validate_pushed(
    state: &AppState,
    params: &Params,
    client: &Client,
) -> Result<AuthorizationRequest, OAuthError> {
    // §2.1: "The request_uri authorization request parameter is one exception,
    // and it MUST NOT be provided."
    if params.contains("request_uri") {
        return Err(OAuthError::invalid_request(
            "request_uri must not be sent in a pushed authorization request",
        ));
    }
    // §2.1: "client_id ... as a required authorization request parameter, it is
    // similarly required in a pushed authorization request." The authenticated
    // client and the named one are the same (Basic with a different body
    // client_id was refused by the authentication already).
    match params.get("client_id") {
        None => return Err(OAuthError::invalid_request("the request has no client_id")),
        Some(id) if id != &*client.id => {
            return Err(OAuthError::invalid_request(
                "client_id does not match the authenticated client",
            ));
        }
        Some(_) => {}
    }
    match request::validate(state, params, Dialect::Generic).await {
        Ok((_, request)) => Ok(request),
        // §2.3: errors are answered as at the token endpoint, with the code the
        // authorization endpoint would have put in its redirect.
        Err(Rejection::Redirect {
            code, description, ..
        }) => Err(OAuthError::new(code, description)),
        Err(Rejection::Page { description, .. }) => Err(OAuthError::invalid_request(description)),
        Err(Rejection::Unavailable) => Err(OAuthError::server_error()),
    }
}

/// Keeps the request and answers RFC 9126 §2.2: "201 HTTP status code",
/// `request_uri` and `expires_in`.
fn store(state: &AppState, request: AuthorizationRequest) -> Response {
    let reference = random_token();
    let ttl = state.settings().par_ttl_secs;
    let now = state.now();
    let pushed = Pushed {
        request,
        expires_at: now + ttl * 1000,
    };
    if let Err(Full) = state
        .pushed_requests()
        .lock()
        .insert(TokenHash::of(&reference), pushed, now)
    {
        let mut r = error(OAuthError::new(
            ErrorCode::TemporarilyUnavailable,
            "too many pushed authorization requests are waiting; try again later",
        ));
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    }
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({
            "request_uri": format!("{REQUEST_URI_PREFIX}{reference}"),
            "expires_in": ttl,
        })),
    )
        .into_response();
    no_store_headers(&mut response);
    response
}

fn error(e: OAuthError) -> Response {
    let mut r = e.into_response();
    no_store_headers(&mut r);
    r
}

/// The authorization endpoint's side (RFC 9126 §4): the request a
/// `request_uri` stands for, used once, by its own client, before it expires.
///
/// Failures are error pages: the front channel's `redirect_uri` is not trusted
/// (the pushed one is unknown until the reference resolves). The error code is
/// RFC 9101 §7's `invalid_request_uri`; for a client that must push, a request
/// without `request_uri` is the caller's `invalid_request` instead.
pub(crate) async fn resolve(
    state: &AppState,
    params: &Params,
    dialect: Dialect,
) -> Result<(Arc<Client>, AuthorizationRequest), Rejection> {
    let page = |description: &str| Rejection::Page {
        error: "invalid_request_uri",
        description: description.to_owned(),
    };
    let request_uri = params.get("request_uri").unwrap_or_default();
    // RFC 9101 §5: "client_id: REQUIRED."
    let Some(client_id) = params.get("client_id") else {
        return Err(Rejection::Page {
            error: "invalid_request",
            description: "The request has no client_id.".into(),
        });
    };
    let Some(reference) = request_uri.strip_prefix(REQUEST_URI_PREFIX) else {
        return Err(page("The request_uri was not issued by this server."));
    };
    let key = TokenHash::of(reference);
    let now = state.now();
    let pushed = {
        let mut table = state.pushed_requests().lock();
        let Some(found) = table.get(&key).cloned() else {
            return Err(page("The request_uri is unknown or was already used."));
        };
        // §2.2: "The request_uri value MUST be bound to the client that posted
        // the authorization request." A mismatch leaves it for its own client.
        if found.request.client_id != client_id
            && !state.fault(Fault::ParRequestUriNotBoundToClient)
        {
            return Err(page("The request_uri was pushed by another client."));
        }
        // §4: "Authorization servers SHOULD treat request_uri values as one-time
        // use" — removed before anything else can read it.
        if !state.fault(Fault::ParRequestUriReusable) {
            table.remove(&key);
        }
        found
    };
    // §4: "An expired request_uri MUST be rejected as invalid."
    if pushed.expires_at <= now {
        return Err(page("The request_uri has expired."));
    }
    if dialect == Dialect::Phabricator && pushed.request.kind != ResponseKind::Code {
        return Err(page("This endpoint answers response_type=code only."));
    }
    // §4: the server "MAY omit validation steps that it performed when the
    // request was pushed, provided that ... the request or the authorization
    // server's policy has not been modified": clients are fixed at start-up,
    // except management-API clients, so the client is read again.
    let client = match state.store().client(&pushed.request.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(page("The client of this request_uri no longer exists.")),
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            return Err(Rejection::Unavailable);
        }
    };
    Ok((client, pushed.request))
}
