//! The authorization endpoint (RFC 6749 §3.1, §4.1, §4.2) in every dialect, with
//! login, consent and the implicit grant.
//!
//! - `GET/POST /oauth/authorize`, `/api/rest/oauth2/auth`, `/oauthserver/auth/`
//! - `GET/POST /oauth/login` ([`login`]), `POST /oauth/authorize/decision` and
//!   `GET /oauth/authorize/resume` ([`consent`])
//!
//! Every redirect is a 303 (RFC 9700 §4.12); successful and error responses carry
//! `state` as received and `iss` (RFC 9207).

mod consent;
mod login;
mod redirect;
pub(super) mod request;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::bounded::Full;
use crate::crypto::{TokenHash, random_token};
use crate::error::{ErrorCode, sanitize_description};
use crate::faults::Fault;
use crate::issuance::IssueRequest;
use crate::model::{AuthCode, Client, GrantId};
use crate::pages;
use crate::params::{OAuthRequest, ParamsRejection};
use crate::scope::ScopeSet;
use crate::session::{AuthorizationRequest, ResponseKind, Session};
use crate::state::AppState;
use crate::store::StoreError;

use redirect::Mode;
use request::{Dialect, ErrorTarget, Rejection};

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "oauth_session";
/// The login form's double-submit CSRF cookie.
pub(crate) const LOGIN_CSRF_COOKIE: &str = "oauth_login_csrf";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/authorize", get(authorize).post(authorize))
        .route("/api/rest/oauth2/auth", get(authorize).post(authorize))
        .route("/oauthserver/auth/", get(authorize).post(authorize))
        .route(
            "/oauth/authorize/decision",
            axum::routing::post(consent::decision),
        )
        .route("/oauth/authorize/resume", get(consent::resume))
        .route("/oauth/login", get(login::form).post(login::submit))
        .route("/oauth/login/done", get(login::done))
}

async fn authorize(
    State(state): State<AppState>,
    uri: Uri,
    req: Result<OAuthRequest, ParamsRejection>,
) -> Response {
    let req = match req {
        Ok(r) => r,
        Err(ParamsRejection::TooLarge) => {
            return pages::error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "The request is too large.",
            );
        }
        Err(ParamsRejection::OAuth(e)) => {
            return pages::error_page(StatusCode::BAD_REQUEST, e.code.as_str(), &e.description);
        }
    };
    let dialect = Dialect::of_path(uri.path());
    // RFC 9126 §4: a pushed request, named by its request_uri, replaces every
    // parameter of this one.
    let pushed = req.params.contains("request_uri");
    let validated = if pushed {
        super::par::resolve(&state, &req.params, dialect).await
    } else {
        request::validate(&state, &req.params, dialect)
            .await
            .and_then(|(client, request)| must_push(&state, client, request))
    };
    let (client, request) = match validated {
        Ok(v) => v,
        Err(rejection) => return reject(&state, rejection),
    };
    match current_session(&state, &req.headers) {
        Some((key, session)) => proceed(&state, key, &session, &client, request).await,
        None => {
            // A used request_uri cannot come back after the login either.
            let next = if req.method == axum::http::Method::POST || pushed {
                // The body cannot ride along in a URL: park the validated request.
                let to = target(&request);
                match state.sessions().park(None, request, state.now()) {
                    Ok(id) => format!("/oauth/authorize/resume?request_id={id}"),
                    Err(Full) => return unavailable(&state, &to),
                }
            } else {
                uri.path_and_query()
                    .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
            };
            to_login(&next)
        }
    }
}

/// RFC 9126 §4: for a client that must push, "the authorization server will
/// refuse, using the invalid_request error code, to process any request to the
/// authorization endpoint that does not have a request_uri parameter". The
/// request was validated, so its redirect is trusted.
fn must_push(
    state: &AppState,
    client: std::sync::Arc<Client>,
    request: AuthorizationRequest,
) -> Result<(std::sync::Arc<Client>, AuthorizationRequest), Rejection> {
    if super::par::required_for(state, &client.id) {
        return Err(Rejection::Redirect {
            to: target(&request),
            code: ErrorCode::InvalidRequest,
            description: "this client must use pushed authorization requests (RFC 9126)".into(),
        });
    }
    Ok((client, request))
}

/// A logged-in user's validated request: answer at once when consent is not
/// needed (trusted client, or consent already given for these scopes), otherwise
/// park it for the consent page.
async fn proceed(
    state: &AppState,
    key: TokenHash,
    session: &Session,
    client: &Client,
    request: AuthorizationRequest,
) -> Response {
    let remembered = match state.store().consent(&session.username, &client.id).await {
        Ok(c) => c.is_some_and(|granted| request.scope.is_subset(&granted)),
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            return error_redirect(
                state,
                &target(&request),
                ErrorCode::of_store(&e),
                "try again",
            );
        }
    };
    if client.trusted || remembered {
        return respond(state, client, &session.username, request).await;
    }
    let scopes: Vec<String> = request.scope.iter().map(str::to_owned).collect();
    let to = target(&request);
    let Ok(request_id) = state.sessions().park(Some(key), request, state.now()) else {
        return unavailable(state, &to);
    };
    pages::consent_page(&pages::Consent {
        client_name: &client.name,
        client_id: &client.id,
        username: &session.username,
        scopes: scopes.iter().map(String::as_str).collect(),
        request_id: &request_id,
        csrf_token: &session.csrf_token,
    })
}

/// The successful authorization response: a code (query) or tokens (fragment),
/// with `state` and `iss`; a storage failure is a `server_error` redirect.
async fn respond(
    state: &AppState,
    client: &Client,
    username: &str,
    request: AuthorizationRequest,
) -> Response {
    let target = target(&request);
    let answer = match request.kind {
        ResponseKind::Code => code_answer(state, client, username, &request).await,
        ResponseKind::Token => token_answer(state, client, username, &request).await,
    };
    match answer {
        Ok(params) => redirect_with(state, &target, params, !state.fault(Fault::StateDropped)),
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            error_redirect(state, &target, ErrorCode::of_store(&e), "try again")
        }
    }
}

/// Stores a fresh code bound to the request; the response's `code` parameter.
async fn code_answer(
    state: &AppState,
    client: &Client,
    username: &str,
    request: &AuthorizationRequest,
) -> Result<Vec<(&'static str, String)>, StoreError> {
    let code = random_token();
    let record = AuthCode {
        hash: TokenHash::of(&code),
        client_id: client.id.to_string(),
        username: username.to_owned(),
        redirect_uri: request.redirect_uri_param.clone(),
        scope: request.scope.clone(),
        challenge: request.challenge.clone(),
        expires_at: state.now() + state.settings().code_ttl_secs * 1000,
        grant_id: GrantId::new(),
    };
    state.store().insert_code(record).await?;
    Ok(vec![("code", code)])
}

/// Issues the implicit grant's access token (never a refresh token, but under a
/// fault); the fragment's parameters.
async fn token_answer(
    state: &AppState,
    client: &Client,
    username: &str,
    request: &AuthorizationRequest,
) -> Result<Vec<(&'static str, String)>, StoreError> {
    let issued = state
        .issue_tokens(IssueRequest {
            client,
            username: Some(username),
            scope: request.scope.clone(),
            grant_id: GrantId::new(),
            with_refresh_token: state.fault(Fault::ImplicitRefreshToken),
        })
        .await?;
    let mut params = vec![
        ("access_token", issued.access_token),
        ("token_type", "Bearer".to_owned()),
    ];
    if let Some(e) = issued.expires_in {
        params.push(("expires_in", e.to_string()));
    }
    params.push(("scope", issued.scope.to_string()));
    if let Some(r) = issued.refresh_token {
        params.push(("refresh_token", r));
    }
    Ok(params)
}

fn target(request: &AuthorizationRequest) -> ErrorTarget {
    ErrorTarget {
        redirect_uri: request.redirect_uri.clone(),
        mode: match request.kind {
            ResponseKind::Code => Mode::Query,
            ResponseKind::Token => Mode::Fragment,
        },
        state: request.state.clone(),
    }
}

fn reject(state: &AppState, rejection: Rejection) -> Response {
    match rejection {
        Rejection::Page { error, description } => {
            pages::error_page(StatusCode::BAD_REQUEST, error, &description)
        }
        Rejection::Redirect {
            to,
            code,
            description,
        } => error_redirect(state, &to, code, &description),
        Rejection::Unavailable => pages::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The server cannot handle the request now; try again later.",
        ),
    }
}

/// The table of parked requests is full ([`crate::bounded`]): RFC 6749
/// §4.1.2.1 / §4.2.2.1 `temporarily_unavailable`. The request was validated, so
/// its redirect is trusted, and this is the code the RFC defines for a server
/// that is overloaded (a 503 cannot travel through a redirect); a 503 page
/// instead would leave the user at this server with the client still waiting.
fn unavailable(state: &AppState, to: &ErrorTarget) -> Response {
    error_redirect(
        state,
        to,
        ErrorCode::TemporarilyUnavailable,
        "too many authorization requests are waiting; try again later",
    )
}

/// An RFC 6749 §4.1.2.1 / §4.2.2.1 error response: `error`, `error_description`,
/// `state` and `iss` only — never a code.
fn error_redirect(
    state: &AppState,
    to: &ErrorTarget,
    code: ErrorCode,
    description: &str,
) -> Response {
    let params = vec![
        ("error", code.as_str().to_owned()),
        (
            "error_description",
            sanitize_description(description).into_owned(),
        ),
    ];
    redirect_with(state, to, params, !state.fault(Fault::StateDroppedOnError))
}

/// Every authorization response, success or error: `params`, then `state` (when
/// the request had one and `keep_state`) and `iss` (RFC 9207), in the query or
/// the fragment of the redirect URI.
fn redirect_with(
    state: &AppState,
    to: &ErrorTarget,
    mut params: Vec<(&'static str, String)>,
    keep_state: bool,
) -> Response {
    if let Some(s) = to.state.clone().filter(|_| keep_state) {
        params.push(("state", s));
    }
    if !state.fault(Fault::IssMissing) {
        params.push(("iss", state.issuer().to_owned()));
    }
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    see_other(&redirect::append(&to.redirect_uri, to.mode, &params))
}

/// A 303 to `location`, not cached (it may carry a code or a token).
pub(crate) fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, value),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ),
            ],
        )
            .into_response(),
        Err(_) => pages::error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The redirect target cannot be used in a redirect.",
        ),
    }
}

/// Sends the user agent to the login form, which comes back to `next`.
fn to_login(next: &str) -> Response {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    see_other(&format!("/oauth/login?{query}"))
}

/// The value of a cookie in the request, if any.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// The live session named by the request's cookie.
pub(crate) fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(TokenHash, Session)> {
    cookie(headers, SESSION_COOKIE).and_then(|id| state.sessions().get(id, state.now()))
}

/// A `Set-Cookie` value with this server's attributes (`Secure` on https issuers).
pub(crate) fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<u64>,
) -> String {
    let mut c = format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.issuer().starts_with("https://") {
        c.push_str("; Secure");
    }
    c
}

/// Remembered consent after an Allow: what was granted before plus this request.
pub(crate) fn widen(previous: Option<ScopeSet>, granted: &ScopeSet) -> ScopeSet {
    match previous {
        Some(p) => ScopeSet::from_iter(p.iter().chain(granted.iter())),
        None => granted.clone(),
    }
}
