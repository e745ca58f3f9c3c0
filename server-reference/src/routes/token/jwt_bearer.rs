//! The JWT bearer grant (RFC 7523 §2.1): `assertion` is a JWT signed with one of the
//! client's registered keys, checked exactly like a `private_key_jwt` client
//! assertion (see [`crate::assertion`]) but failing with `invalid_grant` (§3.1).
//!
//! Client authentication is optional here: without it, the assertion's `iss` names
//! the client and its signature proves it.
//!
//! Subject policy: `sub` must be the client id. The app obtains a token on its own
//! behalf (the Segment machine-to-machine model); this server has no way for a user
//! to delegate to an app by assertion, so an assertion naming a user is refused with
//! `invalid_grant` rather than minting tokens for users who never consented.

use axum::response::Response;

use super::requested_scope;
use crate::assertion;
use crate::client_auth::ClientAuth;
use crate::error::{ErrorCode, OAuthError};
use crate::issuance::IssueRequest;
use crate::model::{GrantId, GrantType};
use crate::params::Params;
use crate::state::AppState;

pub(super) async fn exchange(
    state: &AppState,
    params: &Params,
    auth: Option<ClientAuth>,
    path: &str,
) -> Result<Response, OAuthError> {
    let jwt = params.require("assertion")?;
    let Some(iss) = assertion::peek_issuer(jwt) else {
        return Err(OAuthError::invalid_grant(
            "assertion is not a JWT with an iss claim",
        ));
    };
    let client = match auth {
        Some(a) if *a.client.id == *iss => a.client,
        Some(_) => {
            return Err(OAuthError::invalid_grant(
                "the assertion was issued by another client",
            ));
        }
        None => match state.store().client(&iss).await? {
            Some(c) => c,
            None => {
                return Err(OAuthError::invalid_grant(
                    "the assertion's issuer is unknown",
                ));
            }
        },
    };
    if !client.allows_grant(GrantType::JwtBearer) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this client may not use the jwt-bearer grant",
        ));
    }
    let verified = assertion::verify(state, &client, jwt, path)
        .await
        .map_err(|e| e.into_oauth("assertion", OAuthError::invalid_grant))?;
    if verified.subject != *client.id {
        return Err(OAuthError::invalid_grant(
            "assertion: sub must be the client id (no delegation is configured)",
        ));
    }
    let scope = requested_scope(params, &client, &state.settings().variants)?;
    let issued = state
        .issue_tokens(IssueRequest {
            client: &client,
            username: None,
            scope,
            grant_id: GrantId::new(),
            with_refresh_token: false,
        })
        .await?;
    Ok(state.token_response(&issued))
}
