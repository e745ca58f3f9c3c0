//! The token endpoint (RFC 6749 §3.2) in every dialect: `POST /oauth/token`
//! (generic/GitLab), `POST /api/rest/oauth2/token` (Hub) and `POST`/`GET
//! /oauthserver/token/` (Phabricator, where `grant_type=token` means
//! `authorization_code` and the documented GET form carries the client secret in the
//! query), and `POST /token` (Segment's auth server). One submodule per grant.
//!
//! Order of checks: credentials in the query are refused, `grant_type` is parsed
//! (missing → `invalid_request`, unknown → `unsupported_grant_type`), the client is
//! authenticated (→ 401 `invalid_client`), the client must be allowed the grant
//! (→ `unauthorized_client`), then the grant's own rules apply.

mod client_credentials;
mod code;
mod jwt_bearer;
mod password;
mod refresh;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::client_auth::{AuthOptions, ClientAuth, authenticate, error_response};
use crate::error::{ErrorCode, OAuthError};
use crate::model::{Client, GrantType};
use crate::params::{OAuthRequest, Params, printable};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::variants::Variants;

pub(crate) const GENERIC_PATH: &str = "/oauth/token";
pub(crate) const HUB_PATH: &str = "/api/rest/oauth2/token";
pub(crate) const PHABRICATOR_PATH: &str = "/oauthserver/token/";
/// Segment's auth server takes token requests at `<base>/token`.
pub(crate) const SEGMENT_PATH: &str = "/token";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(GENERIC_PATH, post(generic).get(post_only))
        .route(HUB_PATH, post(hub).get(post_only))
        .route(PHABRICATOR_PATH, post(phabricator).get(phabricator))
        .route(SEGMENT_PATH, post(segment).get(post_only))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    Generic,
    Phabricator,
}

async fn generic(State(state): State<AppState>, req: OAuthRequest) -> Response {
    token(&state, &req, Dialect::Generic, GENERIC_PATH).await
}

async fn hub(State(state): State<AppState>, req: OAuthRequest) -> Response {
    token(&state, &req, Dialect::Generic, HUB_PATH).await
}

async fn segment(State(state): State<AppState>, req: OAuthRequest) -> Response {
    token(&state, &req, Dialect::Generic, SEGMENT_PATH).await
}

async fn phabricator(State(state): State<AppState>, req: OAuthRequest) -> Response {
    token(&state, &req, Dialect::Phabricator, PHABRICATOR_PATH).await
}

/// RFC 6749 §3.2: the token endpoint takes POST only (GET is Phabricator's dialect).
async fn post_only() -> Response {
    let mut r = OAuthError::invalid_request("the token endpoint accepts POST only").into_response();
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    r
}

async fn token(state: &AppState, req: &OAuthRequest, dialect: Dialect, path: &str) -> Response {
    match exchange(state, req, dialect, path).await {
        Ok(r) => r,
        Err(e) => error_response(state, e),
    }
}

async fn exchange(
    state: &AppState,
    req: &OAuthRequest,
    dialect: Dialect,
    path: &str,
) -> Result<Response, OAuthError> {
    let grant = parse_grant(&req.params, dialect)?;
    let opts = AuthOptions {
        endpoint_path: path,
        allow_query_credentials: dialect == Dialect::Phabricator && req.method == Method::GET,
        optional: grant == GrantType::JwtBearer,
    };
    let auth = authenticate(state, req, opts).await?;
    if let Some(auth) = &auth
        && !auth.client.allows_grant(grant)
    {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("this client may not use the {} grant", grant.name()),
        ));
    }
    let ctx = |auth: ClientAuth| Ctx {
        state,
        params: &req.params,
        auth,
    };
    match (grant, auth) {
        (GrantType::JwtBearer, auth) => jwt_bearer::exchange(state, &req.params, auth, path).await,
        (_, None) => Err(OAuthError::invalid_client(
            "client authentication is required",
        )),
        (GrantType::AuthorizationCode, Some(a)) => code::exchange(ctx(a)).await,
        (GrantType::Password, Some(a)) => password::exchange(ctx(a)).await,
        (GrantType::ClientCredentials, Some(a)) => client_credentials::exchange(ctx(a)).await,
        (GrantType::RefreshToken, Some(a)) => refresh::exchange(ctx(a)).await,
        (GrantType::Implicit, Some(_)) => Err(unsupported_grant(GrantType::Implicit.name())),
    }
}

/// What every grant handler gets.
struct Ctx<'a> {
    state: &'a AppState,
    params: &'a Params,
    auth: ClientAuth,
}

impl Ctx<'_> {
    fn client(&self) -> &Client {
        &self.auth.client
    }
}

fn unsupported_grant(name: &str) -> OAuthError {
    OAuthError::new(
        ErrorCode::UnsupportedGrantType,
        format!("unsupported grant_type {}", printable(name)),
    )
}

fn parse_grant(params: &Params, dialect: Dialect) -> Result<GrantType, OAuthError> {
    let name = params.require("grant_type")?;
    // Phabricator's token endpoint also calls the code exchange `token`.
    if name == "token" && dialect == Dialect::Phabricator {
        return Ok(GrantType::AuthorizationCode);
    }
    GrantType::from_token_request(name).ok_or_else(|| unsupported_grant(name))
}

/// The scope of a new grant (RFC 6749 §3.3): absent → the client's default scope;
/// unparsable, unknown or not allowed → `invalid_scope` (unknown or not allowed
/// ones dropped under the `ignore_unknown_scope` variant). Order does not matter.
fn requested_scope(
    params: &Params,
    client: &Client,
    variants: &Variants,
) -> Result<ScopeSet, OAuthError> {
    let omitted = || {
        variants
            .omitted_scope(client)
            .map_err(OAuthError::invalid_scope)
    };
    let Some(raw) = params.get("scope") else {
        return omitted();
    };
    let scope = ScopeSet::parse(raw).map_err(|_| OAuthError::invalid_scope("malformed scope"))?;
    if scope.is_empty() {
        return omitted();
    }
    if !scope.is_subset(&client.scopes) {
        return variants.narrowed_scope(&scope, client).ok_or_else(|| {
            OAuthError::invalid_scope(
                "the requested scope is unknown or not allowed for this client",
            )
        });
    }
    Ok(scope)
}
