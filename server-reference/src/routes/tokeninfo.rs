//! Doorkeeper's token info (`GET /oauth/token/info`), which GitLab documents for
//! checking which application an implicit-grant token belongs to.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::bearer::{authenticate, mark_private};
use crate::params::OAuthRequest;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/oauth/token/info", get(token_info))
}

async fn token_info(State(state): State<AppState>, req: OAuthRequest) -> Response {
    let auth = match authenticate(&state, &req.headers, &req.params, &[]).await {
        Ok(auth) => auth,
        Err(e) => return e.into_response(),
    };
    let t = &auth.token;
    let now = state.now();
    let body = json!({
        "resource_owner_id": t.username,
        "scope": t.scope.iter().collect::<Vec<_>>(),
        "expires_in_seconds": t.expires_at.map(|exp| exp.saturating_sub(now) / 1000),
        "application": { "uid": t.client_id },
        "created_at": t.issued_at / 1000,
    });
    let mut response = Json(body).into_response();
    mark_private(&mut response, &auth);
    response
}
