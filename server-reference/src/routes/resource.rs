//! Resource endpoints of each dialect: the current user (GitLab `/api/v4/user`,
//! Hub `/api/rest/users/me`, Phabricator's Conduit `/api/user.whoami`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::bearer::{Authenticated, BearerError, authenticate, mark_private};
use crate::faults::Fault;
use crate::params::OAuthRequest;
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/user", get(gitlab_user))
        .route("/api/rest/users/me", get(hub_me))
        .route(
            "/api/user.whoami",
            get(phabricator_whoami).post(phabricator_whoami),
        )
}

/// The user behind a token, or `None` for a client-credentials token.
async fn user_json(
    state: &AppState,
    auth: &Authenticated,
) -> Result<serde_json::Value, BearerError> {
    let Some(username) = &auth.token.username else {
        return Ok(json!({ "client_id": auth.token.client_id }));
    };
    let user = state.store().user(username).await?;
    Ok(match user {
        Some(u) => json!({"username": u.username, "name": u.name, "email": u.email}),
        // The user was removed after the token was issued.
        None => return Err(BearerError::InvalidToken),
    })
}

async fn gitlab_user(State(state): State<AppState>, req: OAuthRequest) -> Response {
    let result = async {
        let auth = authenticate(&state, &req.headers, &req.params, &["api", "read_user"]).await?;
        let body = user_json(&state, &auth).await?;
        Ok::<_, BearerError>((auth, body))
    }
    .await;
    respond(result)
}

/// Hub: "If a service is trusted, then it can access Hub resource servers on
/// behalf of itself" — so a token without a user (client credentials) is
/// accepted only from a client trusted at the time of the request.
async fn hub_me(State(state): State<AppState>, req: OAuthRequest) -> Response {
    let result = async {
        let auth = authenticate(&state, &req.headers, &req.params, &[]).await?;
        if auth.token.username.is_none() && !state.fault(Fault::UntrustedServiceResource) {
            let client = state.store().client(&auth.token.client_id).await?;
            if !client.is_some_and(|c| c.trusted) {
                return Err(BearerError::UntrustedClient);
            }
        }
        let mut body = user_json(&state, &auth).await?;
        if let Some(name) = body.get("username").cloned() {
            body["login"] = name;
        }
        Ok::<_, BearerError>((auth, body))
    }
    .await;
    respond(result)
}

fn respond(result: Result<(Authenticated, serde_json::Value), BearerError>) -> Response {
    match result {
        Ok((auth, body)) => {
            let mut response = Json(body).into_response();
            mark_private(&mut response, &auth);
            response
        }
        Err(e) => e.into_response(),
    }
}

/// Conduit answers in an envelope `{result, error_code, error_info}`; bad tokens
/// still get 401 + `WWW-Authenticate` so generic clients notice (docs/rules.md#resource-endpoints).
async fn phabricator_whoami(State(state): State<AppState>, req: OAuthRequest) -> Response {
    let result = async {
        let auth = authenticate(&state, &req.headers, &req.params, &["whoami"]).await?;
        let user = user_json(&state, &auth).await?;
        Ok::<_, BearerError>((auth, user))
    }
    .await;
    match result {
        Ok((auth, user)) => {
            let result = json!({
                "phid": format!("PHID-USER-{}", user["username"].as_str().unwrap_or("")),
                "userName": user["username"],
                "realName": user["name"],
                "primaryEmail": user["email"],
            });
            let mut response =
                Json(json!({"result": result, "error_code": null, "error_info": null}))
                    .into_response();
            mark_private(&mut response, &auth);
            response
        }
        Err(e) => {
            let (code, info) = match &e {
                BearerError::InsufficientScope(_) => {
                    ("ERR-OAUTH-SCOPE", "the token lacks the whoami scope")
                }
                _ => (
                    "ERR-INVALID-AUTH",
                    "the access token is invalid or expired: start the authorization flow again",
                ),
            };
            e.with_body(json!({"result": null, "error_code": code, "error_info": info}))
        }
    }
}
