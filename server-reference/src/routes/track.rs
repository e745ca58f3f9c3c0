//! Segment's tracking API, `POST /v1/track` (the Segment OAuth apps docs; docs/dialects.md#segment).
//!
//! The source is named by its write key: HTTP Basic with the write key as the
//! username (empty password), or the body member `writeKey`. A missing or unknown
//! write key is 401. When the source enforces OAuth the request also needs
//! `Authorization: Bearer <token>` — so the write key then travels in `writeKey` — an
//! active access token of the app connected to the source (otherwise 401
//! `invalid_token`) holding `tracking_api:write` (otherwise 403 `insufficient_scope`).
//! The event itself is checked minimally: a JSON object whose `type`, when present,
//! is `track`, with a non-empty string `event` and a `userId` or `anonymousId`
//! (400 otherwise). Accepted events answer `{"success": true}` and are not kept.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::bearer::BearerError;
use crate::crypto::{TokenHash, ct_eq};
use crate::faults::Fault;
use crate::model::TokenKind;
use crate::state::AppState;

const SCOPE: &[&str] = &["tracking_api:write"];

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/track", post(track))
}

fn failure(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "message": message}))).into_response()
}

fn bad_write_key(message: &str) -> Response {
    let mut r = failure(StatusCode::UNAUTHORIZED, message);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"tracking\""),
    );
    r
}

/// `(scheme, credentials)` of the Authorization header.
fn authorization(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    Some((scheme.to_ascii_lowercase(), rest.trim().to_owned()))
}

fn check_event(body: &Value) -> Result<(), &'static str> {
    let Some(obj) = body.as_object() else {
        return Err("the body must be a JSON object");
    };
    match obj.get("type") {
        None => {}
        Some(Value::String(t)) if t == "track" => {}
        Some(_) => return Err("`type` must be \"track\" at /v1/track"),
    }
    if obj
        .get("event")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err("`event` (the event name) is required and must be a non-empty string");
    }
    let id = |k: &str| {
        obj.get(k)
            .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()) || v.is_number())
    };
    if !id("userId") && !id("anonymousId") {
        return Err("a `userId` or an `anonymousId` is required");
    }
    Ok(())
}

async fn track(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return failure(StatusCode::BAD_REQUEST, "the body must be JSON");
    };
    if let Err(message) = crate::client_auth::authorization_header(&headers) {
        return failure(StatusCode::BAD_REQUEST, message);
    }
    let auth = authorization(&headers);
    let from_body = body.get("writeKey").and_then(Value::as_str);
    let write_key = match (crate::basic::credentials(&headers), from_body) {
        // The write key is the user-id; a password, if any, is ignored.
        (Some(creds), None) => creds.map(|c| c.user).filter(|u| !u.is_empty()),
        (_, Some(k)) if !k.is_empty() => Some(k.to_owned()),
        _ => None,
    };
    let Some(write_key) = write_key else {
        return bad_write_key(
            "a write key is required: HTTP Basic with the write key as username, or `writeKey` in the body",
        );
    };
    let presented = TokenHash::of(&write_key);
    let source = {
        let data = state.management().data();
        data.segment
            .values()
            .flat_map(|ws| ws.sources.values())
            .find(|s| ct_eq(TokenHash::of(&s.write_key).as_bytes(), presented.as_bytes()))
            .cloned()
    };
    let Some(source) = source else {
        return bad_write_key("unknown write key");
    };
    if source.enforced && !state.fault(Fault::TrackEnforcementIgnored) {
        let token = match &auth {
            Some((scheme, token)) if scheme == "bearer" && !token.is_empty() => token.clone(),
            _ => return BearerError::Missing.into_response(),
        };
        let record = match state.store().token(&TokenHash::of(&token)).await {
            Ok(r) => r,
            Err(e) => return BearerError::Store(e).into_response(),
        };
        let Some(record) = record.filter(|r| {
            r.kind == TokenKind::Access
                && r.is_active(state.now())
                && (source.app.as_deref() == Some(&*r.client_id)
                    || state.fault(Fault::TrackOtherAppToken))
        }) else {
            return BearerError::InvalidToken.into_response();
        };
        if !record.scope.contains(SCOPE[0]) {
            return BearerError::InsufficientScope(SCOPE).into_response();
        }
    }
    if let Err(message) = check_event(&body) {
        return failure(StatusCode::BAD_REQUEST, message);
    }
    (StatusCode::OK, Json(json!({"success": true}))).into_response()
}
