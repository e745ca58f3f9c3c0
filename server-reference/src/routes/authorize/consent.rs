//! The consent decision and the resumption of requests parked before login.
//!
//! `POST /oauth/authorize/decision` with `request_id`, `csrf_token` and
//! `decision=allow|deny`: the CSRF token is the session's synchronizer token, and
//! the parked request must belong to the same session; it is single-use.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use crate::crypto::ct_eq;
use crate::error::ErrorCode;
use crate::pages;
use crate::params::Params;
use crate::state::AppState;

use super::{current_session, error_redirect, proceed, respond, target, to_login, widen};

fn refused(status: StatusCode, description: &str) -> Response {
    pages::error_page(status, "invalid_request", description)
}

/// `POST /oauth/authorize/decision`
pub(super) async fn decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((key, session)) = current_session(&state, &headers) else {
        return refused(
            StatusCode::FORBIDDEN,
            "You are not signed in (or your session expired).",
        );
    };
    let Ok(params) = Params::parse(&body) else {
        return refused(StatusCode::BAD_REQUEST, "A parameter is repeated.");
    };
    let presented = params.get("csrf_token").unwrap_or("");
    if !ct_eq(session.csrf_token.as_bytes(), presented.as_bytes()) {
        return refused(
            StatusCode::FORBIDDEN,
            "The form was not sent from this site (CSRF token mismatch).",
        );
    }
    let allow = match params.get("decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => return refused(StatusCode::BAD_REQUEST, "decision must be allow or deny."),
    };
    let Some(request) = params
        .get("request_id")
        .and_then(|id| state.sessions().take(id, Some(&key), state.now()))
    else {
        return refused(
            StatusCode::BAD_REQUEST,
            "Unknown, expired or already decided authorization request.",
        );
    };
    if !allow {
        return error_redirect(
            &state,
            &target(&request),
            ErrorCode::AccessDenied,
            "the resource owner denied the request",
        );
    }
    let client = match state.store().client(&request.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return refused(StatusCode::BAD_REQUEST, "The client no longer exists."),
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            return error_redirect(
                &state,
                &target(&request),
                ErrorCode::of_store(&e),
                "try again",
            );
        }
    };
    let store = state.store();
    let remembered = match store.consent(&session.username, &client.id).await {
        Ok(previous) => {
            store
                .put_consent(
                    &session.username,
                    &client.id,
                    &widen(previous, &request.scope),
                )
                .await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = remembered {
        tracing::error!(error = %e, "storage failure");
        return error_redirect(
            &state,
            &target(&request),
            ErrorCode::of_store(&e),
            "try again",
        );
    }
    respond(&state, &client, &session.username, request).await
}

/// `GET /oauth/authorize/resume?request_id=…`: a POSTed authorization request,
/// parked while the user logged in.
pub(super) async fn resume(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let Some((key, session)) = current_session(&state, &headers) else {
        let next = uri
            .path_and_query()
            .map_or("/oauth/authorize/resume", |pq| pq.as_str());
        return to_login(next);
    };
    let Ok(params) = Params::parse(uri.query().unwrap_or("").as_bytes()) else {
        return refused(StatusCode::BAD_REQUEST, "A parameter is repeated.");
    };
    let Some(request) = params
        .get("request_id")
        .and_then(|id| state.sessions().take(id, None, state.now()))
    else {
        return refused(
            StatusCode::BAD_REQUEST,
            "Unknown or expired authorization request; start again from the application.",
        );
    };
    match state.store().client(&request.client_id).await {
        Ok(Some(client)) => proceed(&state, key, &session, &client, request).await,
        Ok(None) => refused(StatusCode::BAD_REQUEST, "The client no longer exists."),
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            error_redirect(
                &state,
                &target(&request),
                ErrorCode::of_store(&e),
                "try again",
            )
        }
    }
}
