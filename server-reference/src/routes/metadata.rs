//! RFC 8414 authorization server metadata.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::model::GrantType;
use crate::scope::ScopeSet;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/.well-known/oauth-authorization-server", get(metadata))
}

async fn metadata(State(state): State<AppState>) -> Response {
    let config = state.config();
    let scopes = ScopeSet::from_iter(config.clients.iter().flat_map(|c| c.scopes.iter().cloned()));
    let mut pkce_methods = vec!["S256"];
    if config.clients.iter().any(|c| c.allow_plain_pkce) {
        pkce_methods.push("plain");
    }
    let auth_methods = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ];
    let authenticated = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ];
    let mut body = json!({
        "issuer": state.issuer(),
        "authorization_endpoint": state.url("/oauth/authorize"),
        "token_endpoint": state.url("/oauth/token"),
        "revocation_endpoint": state.url("/oauth/revoke"),
        "introspection_endpoint": state.url("/oauth/introspect"),
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": GrantType::ALL.map(GrantType::name),
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "revocation_endpoint_auth_methods_supported": authenticated,
        "introspection_endpoint_auth_methods_supported": authenticated,
        "code_challenge_methods_supported": pkce_methods,
        "scopes_supported": scopes.iter().collect::<Vec<_>>(),
        "authorization_response_iss_parameter_supported": true,
        // RFC 9126 §5.
        "pushed_authorization_request_endpoint": state.url(super::par::PATH),
        "require_pushed_authorization_requests":
            state.settings().require_pushed_authorization_requests,
    });
    state.settings().variants.shape_metadata(&mut body);
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
