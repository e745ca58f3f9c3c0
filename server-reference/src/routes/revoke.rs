//! Token revocation (RFC 7009), `POST /oauth/revoke`.
//!
//! The client authenticates (401 `invalid_client` otherwise); `token` is required;
//! `token_type_hint` may be `access_token` or `refresh_token` (a wrong hint is
//! ignored, any other value is `unsupported_token_type`, §2.2.1, or ignored under
//! the `ignore_unknown_token_type_hint` variant). Revoking a refresh
//! token revokes its whole grant, access tokens included (§2.1); revoking an access
//! token revokes just it.
//!
//! Policy for another client's token: the answer is 200, exactly as for an unknown
//! token, and the token stays valid. RFC 7009 §2.1 lets the server refuse such a
//! request; answering like "unknown" instead tells client B nothing about whether a
//! token it holds (say, a leaked one) is live.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::client_auth::{AuthOptions, authenticate, error_response};
use crate::crypto::TokenHash;
use crate::error::{ErrorCode, OAuthError, no_store_headers};
use crate::faults::Fault;
use crate::model::TokenKind;
use crate::params::OAuthRequest;
use crate::state::AppState;

const PATH: &str = "/oauth/revoke";

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PATH, post(revoke))
}

async fn revoke(State(state): State<AppState>, req: OAuthRequest) -> Response {
    match run(&state, &req).await {
        Ok(()) => {
            let mut r = StatusCode::OK.into_response();
            no_store_headers(&mut r);
            r
        }
        Err(e) => error_response(&state, e),
    }
}

async fn run(state: &AppState, req: &OAuthRequest) -> Result<(), OAuthError> {
    let Some(auth) = authenticate(state, req, AuthOptions::required(PATH)).await? else {
        return Err(OAuthError::invalid_client(
            "client authentication is required",
        ));
    };
    let token = req.params.require("token")?;
    match req.params.get("token_type_hint") {
        None | Some("access_token") | Some("refresh_token") => {}
        Some(_) if state.settings().variants.refuses_unknown_token_type_hint() => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedTokenType,
                "token_type_hint must be access_token or refresh_token",
            ));
        }
        Some(_) => {}
    }
    let hash = TokenHash::of(token);
    let Some(record) = state.store().token(&hash).await? else {
        if state.fault(Fault::RevocationUnknownTokenError) {
            return Err(OAuthError::invalid_request("unknown token"));
        }
        return Ok(());
    };
    if record.client_id != auth.client.id && !state.fault(Fault::RevocationCrossClient) {
        return Ok(());
    }
    match record.kind {
        TokenKind::Refresh => {
            state.store().revoke_token(&hash).await?;
            state.store().revoke_grant(&record.grant_id).await?;
        }
        TokenKind::Access => {
            state.store().revoke_token(&hash).await?;
        }
    }
    Ok(())
}
