//! Token introspection (RFC 7662), `POST /oauth/introspect`.
//!
//! The caller authenticates (401 `invalid_client` otherwise). An active token gives
//! `active, scope, client_id, username, token_type, exp, iat, sub, iss`; anything
//! else (unknown, expired, revoked, rotated out) gives exactly `{"active":false}`.
//!
//! Policy: a confidential client may introspect any token, as a resource server
//! does; a public client (authenticated by `client_id` alone, so anyone can claim
//! to be it) only sees its own tokens, others are reported inactive.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use crate::client_auth::{AuthOptions, authenticate, error_response};
use crate::crypto::TokenHash;
use crate::error::{OAuthError, no_store_headers};
use crate::faults::Fault;
use crate::model::{AuthMethod, TokenKind, TokenRecord};
use crate::params::OAuthRequest;
use crate::state::AppState;

const PATH: &str = "/oauth/introspect";

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PATH, post(introspect))
}

async fn introspect(State(state): State<AppState>, req: OAuthRequest) -> Response {
    match run(&state, &req).await {
        Ok(body) => {
            let mut r = Json(body).into_response();
            no_store_headers(&mut r);
            r
        }
        Err(e) => error_response(&state, e),
    }
}

async fn run(state: &AppState, req: &OAuthRequest) -> Result<Value, OAuthError> {
    let Some(auth) = authenticate(state, req, AuthOptions::required(PATH)).await? else {
        return Err(OAuthError::invalid_client(
            "client authentication is required",
        ));
    };
    let token = req.params.require("token")?;
    let record = state.store().token(&TokenHash::of(token)).await?;
    let Some(record) = record else {
        return Ok(inactive());
    };
    let visible = auth.method != AuthMethod::None || record.client_id == auth.client.id;
    if !visible {
        return Ok(inactive());
    }
    if record.is_active(state.now()) {
        return Ok(describe(state, &record, true));
    }
    if state.fault(Fault::IntrospectionLeaksInactive) {
        return Ok(describe(state, &record, false));
    }
    Ok(inactive())
}

fn inactive() -> Value {
    json!({ "active": false })
}

fn describe(state: &AppState, t: &TokenRecord, active: bool) -> Value {
    let mut m = Map::new();
    m.insert("active".into(), active.into());
    m.insert("scope".into(), t.scope.to_string().into());
    m.insert("client_id".into(), Value::from(&*t.client_id));
    if let Some(u) = &t.username {
        m.insert("username".into(), u.clone().into());
    }
    let token_type = match t.kind {
        TokenKind::Access => "Bearer",
        TokenKind::Refresh => "refresh_token",
    };
    m.insert("token_type".into(), token_type.into());
    if let Some(exp) = t.expires_at {
        m.insert("exp".into(), (exp / 1000).into());
    }
    m.insert("iat".into(), (t.issued_at / 1000).into());
    let sub = t
        .username
        .clone()
        .unwrap_or_else(|| t.client_id.to_string());
    m.insert("sub".into(), sub.into());
    m.insert("iss".into(), state.issuer().into());
    Value::Object(m)
}
